#!/usr/bin/env bash
# The image test: the built image (version N) in QEMU with OVMF under software emulation
# (TCG), read through the serial console, SSH and the web port; then its updates, with
# bundles of the same tree as version N-next served over HTTP from this machine (QEMU's
# user network shows it to the box as 10.0.2.2).
#   boot 1 (N, slot a, on a disk GROW_GIB larger than the image): first boot makes secrets
#          and the setup code; the data partition grows to the disk; every unit comes up;
#          /healthz and the setup wizard answer through the forwarded port (80 on the box,
#          through the nftables redirect), the box's own address is accepted as Host and
#          another refused; the console's setup code claims the box. Healthy; a device key
#          made. A bundle signed by a key outside the box's keyring and one built for another
#          profile are refused over SSH (`hearth update install URL`), and slot b and the
#          boot choice stay untouched. A broken N-next (its hearth-migrate fails) goes to b.
#   boot 2 (b, on trial): the health check fails, the slot is marked bad, the box restarts.
#   boot 3 (a, by itself): the rollback is recorded with its reason, the database restored,
#          N healthy. The good N-next is installed from the admin page (URL, live progress)
#          and the page's Restart now restarts the box.
#   boot 4 (b): healthy and marked good; slot a keeps N.
# Every boot checks that the device key and the audit chain survived.
# SMOKE=1: boot 1's checks only, no bundles (about 10 minutes instead of 30).
# Usage: test/image-test.sh [IMAGE.img]   (default: the newest out/work/<profile>/ image)
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
PROFILE="${PROFILE:-cpu}"
export PROFILE
IMG="${1:-$(ls -t "$HERE"/out/work/"$PROFILE"/hearth-*-"$PROFILE".img 2>/dev/null | head -n1)}"
[ -f "$IMG" ] || { echo "update-test: no image; run make image first" >&2; exit 1; }
N="$(basename "$IMG" .img)"; N="${N#hearth-}"; N="${N%-"$PROFILE"}"
NEXT="${NEXT_VERSION:-$N-next}"
T="${TEST_DIR:-$HERE/out/image-test}"
SMOKE="${SMOKE:-0}"
OUT="$HERE/out"
BOOT_TIMEOUT="${BOOT_TIMEOUT:-1800}"  # per wait: a first boot under emulation on 2 busy cores takes 8 to 12 min
OVMF_CODE="${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}"
OVMF_VARS="${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}"
# RESUME=1: go on with the disk of an earlier run (its boot 1 already made the device key)
RESUME="${RESUME:-0}"
mkdir -p "$T"
if [ "$RESUME" = 1 ]; then rm -rf "$T/www" "$T"/serial-* "$T"/install-* "$T"/status-* "$T/summary.txt"; else rm -rf "${T:?}"/*; fi
QPID=""; HPID=""; BPID=""
cleanup() {
  [ -n "$BPID" ] && kill "$BPID" 2>/dev/null
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null
  [ -n "$HPID" ] && kill "$HPID" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
say() { printf '\033[1m[%s image-test]\033[0m %s\n' "$(date +%T)" "$*" >&2; }
checks=0
pass() { checks=$(( checks + 1 )); say "ok: $*"; echo "ok: $*" >> "$T/summary.txt"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
START=$(date +%s)

# ---- the bundles: N-next broken and good (the built tree, rewritten version), and two
# small ones that must be refused: signed outside the keyring, and built for another profile.
bundle() { # version break-or-empty -> path
  local name="hearth-$1-$PROFILE${2:+-broken-$2}.raucb"
  if [ ! -s "$OUT/$name" ]; then
    say "building $name"
    VERSION="$1" BUNDLE_BREAK="$2" BUNDLE_ZSTD_LEVEL="${BUNDLE_ZSTD_LEVEL:-3}" bash "$HERE/stages/bundle.sh" >&2
  fi
  echo "$OUT/$name"
}
small_bundle() { # dir compatible cert key ca -> dir.raucb
  mkdir -p "$1/c"
  truncate -s 8M "$1/c/root.ext4"; mkfs.ext4 -q -F "$1/c/root.ext4"
  head -c 200000 /dev/urandom > "$1/c/padding"  # a squashfs of zeros alone is too small for RAUC
  printf '[update]\ncompatible=%s\nversion=%s\nbuild=%s\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=root.ext4\n' \
    "$2" "$NEXT" "$(date -u +%FT%TZ)" > "$1/c/manifest.raucm"
  rauc bundle --cert="$3" --key="$4" --signing-keyring="$5" "$1/c" "$1.raucb" >/dev/null 2>&1
  rm -rf "$1"
}
OUT="$T/untrusted" bash "$HERE/stages/keys.sh" 2>/dev/null
U="$T/untrusted/keys"
small_bundle "$T/www/untrusted" "hearth-$PROFILE" "$U/dev-signing.cert.pem" "$U/dev-signing.key.pem" "$U/dev-ca.cert.pem"
other_profile=gpu; [ "$PROFILE" = gpu ] && other_profile=cpu
K="$OUT/keys"
small_bundle "$T/www/otherprofile" "hearth-$other_profile" "$K/dev-signing.cert.pem" "$K/dev-signing.key.pem" "$K/dev-ca.cert.pem"
if [ -n "${ATTACH_HTTP_PORT:-}" ]; then
  HTTP_PORT="$ATTACH_HTTP_PORT"  # an earlier run's server on $T/www, which the attached box was told about
else
  HTTP_PORT="$(free_port)"
  (cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$HTTP_PORT" >"$T/http.log" 2>&1) &
  HPID=$!
fi
URL="http://10.0.2.2:$HTTP_PORT"

# ---- the box
DISK="$T/disk.img"
if [ "$RESUME" != 1 ]; then
ssh-keygen -q -t ed25519 -N '' -C hearth-update-test -f "$T/id_test"
cp --sparse=always "$IMG" "$DISK"
# room on the data partition (it grows to the disk on boot) for a downloaded bundle
truncate -s $(( $(stat -c %s "$DISK") + ${GROW_GIB:-4} * 1024 * 1024 * 1024 )) "$DISK"
start=$(sfdisk -J "$DISK" | python3 -c "import json,sys; print(json.load(sys.stdin)['partitiontable']['partitions'][0]['start'])")
mmd -i "$DISK@@$(( start * 512 ))" ::/hearth 2>/dev/null || true
mcopy -o -i "$DISK@@$(( start * 512 ))" "$T/id_test.pub" ::/hearth/authorized_keys
cp "$OVMF_VARS" "$T/vars.fd"
fi
on_box() {
  ssh -q -i "$T/id_test" -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=20 -o BatchMode=yes -o ServerAliveInterval=30 root@127.0.0.1 "$@"
}
boot() { # n
  SERIAL="$T/serial-boot$1.log"
  SSH_PORT="$(free_port)"; WEB_PORT="$(free_port)"
  qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m "${MEM_MIB:-3072}" \
    -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
    -drive if=pflash,format=raw,file="$T/vars.fd" \
    -drive file="$DISK",format=raw,if=virtio,cache=unsafe \
    -netdev "user,id=n0,hostname=hearth,hostfwd=tcp:127.0.0.1:$WEB_PORT-:80,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22" \
    -device virtio-net-pci,netdev=n0 \
    -display none -monitor none -serial "file:$SERIAL" -no-reboot &
  QPID=$!
  BOOT_START=$(date +%s)
  say "boot $1: serial -> $SERIAL"
}
seen() { grep -aqE "$1" "$SERIAL" 2>/dev/null; }
wait_serial() { # regex timeout
  local end=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    seen "$1" && return 0
    kill -0 "$QPID" 2>/dev/null || { seen "$1"; return; }
    sleep 3
  done
  return 1
}
line_of() { grep -aoE "$1.*" "$SERIAL" | tail -n1 | tr -d '\r'; }
fail() {
  say "FAIL: $*"
  grep -a "HEARTH-UPDATE\|HEARTH-FAILED\|Hearth: slot" "$SERIAL" 2>/dev/null | tr -d '\r' | tail -n 20 >&2 || true
  tail -n 30 "$SERIAL" 2>/dev/null | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' >&2 || true
  if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
    on_box 'hearth update status; journalctl -b --no-pager -o short-monotonic -u "hearth-update*" -u rauc | tail -n 80' \
      > "$SERIAL.journal" 2>&1 || true
    tail -n 60 "$SERIAL.journal" >&2
  fi
  echo "image-test: $checks passed, 1 failed"
  exit 1
}
wait_off() { # the box restarts (QEMU runs with -no-reboot, so it exits)
  local end=$(( $(date +%s) + $1 ))
  while kill -0 "$QPID" 2>/dev/null; do
    [ "$(date +%s)" -lt "$end" ] || fail "the box did not restart within $1 s"
    sleep 3
  done
  wait "$QPID" 2>/dev/null || true; QPID=""
}
reboot_box() { on_box 'systemctl reboot' || true; wait_off 600; }
grubenv() { on_box 'grub-editenv /boot/efi/EFI/hearth/grubenv list | sort | tr "\n" " "'; }
slot_b_digest() { on_box 'head -c 67108864 /dev/disk/by-partlabel/hearth-root-b | sha256sum | cut -c1-16'; }
data_state() { # what must survive: the device key's record, the secrets, the audit chain (one Python start)
  on_box "cd /var/lib/hearth && sha256sum secrets/* | sha256sum | cut -c1-16; hearth shell --no-startup -c \"
from devices.models import Device; from gateway import audit
r = audit.verify(); d = Device.objects.get(name='update-test-laptop')
print('device', d.name, d.key_hash[:12], 'audit rows', r.checked, 'chain', 'broken: ' + r.problem if r.problem else 'intact')\" 2>/dev/null" | grep -E '^[0-9a-f]{16}$|^device ' | tr '\n' ' '
}
healthy() { # slot: waits for the health unit's verdict on this boot
  wait_serial "HEARTH-UPDATE health slot=$1 verdict=" "$BOOT_TIMEOUT" || fail "no health verdict on slot $1"
  seen "HEARTH-UPDATE health slot=$1 verdict=good" || fail "slot $1 is not healthy: $(line_of 'HEARTH-UPDATE health')"
}
install_from() { # name -> output in $T/install-name.log, exit status
  local t=$(date +%s) rc=0
  on_box "hearth update install $URL/$1.raucb" > "$T/install-$1.log" 2>&1 || rc=$?
  echo "$(( $(date +%s) - t ))" > "$T/install-$1.seconds"
  return $rc
}

http_code() { # path [Host header] [curl args...]: prints the status; body and Location in $T
  local path="$1" host="${2:-localhost}"; shift; [ $# -gt 0 ] && shift
  : > "$T/location"
  curl -s -o "$T/body" -w '%{http_code} %{redirect_url}' -m 60 -b "$T/cookies" -c "$T/cookies" \
    -H "Host: $host" "$@" "http://127.0.0.1:$WEB_PORT$path" > "$T/status" || true
  read -r status redirect < "$T/status" || true
  [ -n "${redirect:-}" ] && echo "${redirect#http://"$host"}" > "$T/location"
  sed -i 's|^http://[^/]*||' "$T/location"
  echo "${status:-000}"
}
csrf() { grep -oE 'name="csrfmiddlewaretoken" value="[^"]+"' "$T/body" | head -n1 | sed 's/.*value="//; s/"$//'; }

first_boot_checks() { # the image as a household first meets it: disk, services, the wizard
  wait_serial 'HEARTH-READY' "$BOOT_TIMEOUT" || fail "no HEARTH-READY banner"
  pass "banner after $(( $(date +%s) - BOOT_START ))s: $(line_of 'HEARTH-READY')"
  local grow='hearth-growfs: disk .* file system from [0-9]+ to [0-9]+ bytes' fs code loc addr setup_code status bad end
  seen "$grow" || fail "no growfs report"
  fs=$(grep -aoE "$grow" "$SERIAL" | tail -n1 | grep -oE 'file system from [0-9]+ to [0-9]+' | grep -oE '[0-9]+$')
  [ "$fs" -gt $(( (${GROW_GIB:-4} * 1024 - 256) * 1024 * 1024 )) ] || fail "data file system is only $fs bytes"
  pass "data file system grew to $(( fs / 1024 / 1024 )) MiB: $(grep -aoE "$grow" "$SERIAL" | tail -n1)"
  code=""; end=$(( $(date +%s) + BOOT_TIMEOUT ))
  while [ "$(date +%s)" -lt "$end" ]; do
    code="$(http_code /healthz)"; [ "$code" = 200 ] && break
    kill -0 "$QPID" 2>/dev/null || fail "QEMU exited"
    sleep 5
  done
  [ "$code" = 200 ] || fail "GET /healthz answered ${code:-nothing}: $(head -c 300 "$T/body" 2>/dev/null)"
  pass "GET /healthz -> 200 after $(( $(date +%s) - BOOT_START ))s"
  # Until the box has an owner every page leads to /setup/, which asks for the console's setup code.
  code="$(http_code /)"; loc="$(cat "$T/location")"
  [ "$code" = 302 ] && [ "$loc" = /setup/ ] || fail "GET / answered $code -> '$loc' (want 302 -> /setup/)"
  code="$(http_code /setup/)"
  [ "$code" = 200 ] && grep -q 'name="code"' "$T/body" || fail "GET /setup/ answered $code without the setup-code field"
  pass "GET / -> 302 /setup/, which asks for the setup code"
  # HEARTH_ALLOWED_HOSTS=auto: the box's own address (QEMU's user network gives 10.0.2.15) is a good Host.
  addr="$(grep -aoE 'HEARTH-READY address=[0-9.]+' "$SERIAL" | tail -n1 | cut -d= -f2)"
  [ "$(http_code /setup/ "$addr")" = 200 ] || fail "GET /setup/ with Host: $addr was refused"
  [ "$(http_code /setup/ evil.example)" = 400 ] || fail "GET /setup/ with Host: evil.example was not refused"
  pass "Host: $addr accepted, Host: evil.example refused (400)"
  setup_code="$(grep -aoE 'HEARTH-READY .*setup-code=[A-Z0-9-]+' "$SERIAL" | tail -n1 | sed 's/.*setup-code=//')"
  http_code /setup/ >/dev/null
  code="$(http_code /setup/ localhost -d "csrfmiddlewaretoken=$(csrf)" --data-urlencode "code=$setup_code" \
    -d username=owner -d password="$OWNER_PASSWORD" -d password2="$OWNER_PASSWORD" \
    -d household=Test -d time_zone=UTC -d language=en)"
  loc="$(cat "$T/location")"
  [ "$code" = 302 ] && [ "$loc" = /setup/hardware/ ] || fail "claiming with setup code $setup_code answered $code -> '$loc'"
  pass "POST /setup/ with the console's setup code $setup_code -> 302 $loc (the box has its owner)"
  wait_serial 'HEARTH-STATUS' "$BOOT_TIMEOUT" || fail "no HEARTH-STATUS line"
  status="$(line_of 'HEARTH-STATUS')"
  bad="$(echo "$status" | tr ' ' '\n' | grep '=' | grep -v '=active$' | grep -v '^HEARTH' || true)"
  [ -z "$bad" ] || fail "units not active: $bad"
  if grep -aE 'Failed to start .*(Hearth|Redis|Mosquitto|nftables|Avahi)' "$SERIAL"; then fail "a unit failed to start"; fi
  pass "$status"
}
OWNER_PASSWORD=image-test-Passw0rd

# ---- boot 1: version N in slot a; the two big bundles are built meanwhile.
# ATTACH_QEMU_PID/ATTACH_SSH_PORT (with RESUME=1): a box an earlier run booted and left running.
if [ -n "${ATTACH_QEMU_PID:-}" ]; then
  QPID="$ATTACH_QEMU_PID"; SSH_PORT="$ATTACH_SSH_PORT"; BOOT_START=$(date +%s)
  SERIAL="$T/serial-boot1.log"; cp "$T/boot1-firstrun.serial" "$SERIAL"
  say "boot 1: attached to QEMU $QPID (SSH on $SSH_PORT)"
else
  boot 1
fi
BUNDLE_NAME_BROKEN="$OUT/hearth-$NEXT-$PROFILE-broken-migrate.raucb"
BUNDLE_NAME_GOOD="$OUT/hearth-$NEXT-$PROFILE.raucb"
if [ "$SMOKE" != 1 ]; then
  (
    t0=$(date +%s)
    bundle "$NEXT" migrate >/dev/null && bundle "$NEXT" "" >/dev/null && echo "$(( $(date +%s) - t0 ))" > "$T/bundles.seconds"
  ) > "$T/bundles.log" 2>&1 &
  BPID=$!
fi
wait_serial 'Linux version' 300 || fail "no kernel on the serial console"
pass "kernel after $(( $(date +%s) - BOOT_START ))s"
[ -n "${ATTACH_QEMU_PID:-}" ] || first_boot_checks
healthy a
pass "boot 1: N=$N healthy in slot a after $(( $(date +%s) - BOOT_START ))s: $(line_of 'HEARTH-UPDATE health')"
on_box 'hearth device list | grep -q update-test-laptop || hearth device add update-test-laptop --category laptop' > "$T/device.txt" 2>&1 || fail "device add: $(cat "$T/device.txt")"
DATA="$(data_state)"
echo "$DATA" | grep -q "chain intact" || fail "data before the updates: $DATA"
pass "data before: $DATA"
if [ "$SMOKE" = 1 ]; then
  say "PASS (SMOKE: boot 1 only) in $(( $(date +%s) - START ))s"
  echo "image-test: $checks passed, 0 failed"
  exit 0
fi
env0="$(grubenv)"; b0="$(slot_b_digest)"
if install_from untrusted; then fail "a bundle signed outside the keyring was installed"; fi
grep -qi "signature\|refused" "$T/install-untrusted.log" || fail "untrusted bundle refused without saying why: $(tail -n 3 "$T/install-untrusted.log")"
[ "$(grubenv)" = "$env0" ] && [ "$(slot_b_digest)" = "$b0" ] || fail "the untrusted bundle changed slot b or the boot choice"
pass "untrusted signature refused, nothing written: $(grep -i 'refused' "$T/install-untrusted.log" | tail -n1)"
if install_from otherprofile; then fail "a bundle for hearth-$other_profile was installed"; fi
grep -q "is for 'hearth-$other_profile'" "$T/install-otherprofile.log" || fail "other-profile bundle: $(tail -n 3 "$T/install-otherprofile.log")"
[ "$(grubenv)" = "$env0" ] && [ "$(slot_b_digest)" = "$b0" ] || fail "the other profile's bundle changed slot b or the boot choice"
pass "bundle for hearth-$other_profile refused, nothing written: $(grep -i 'refused' "$T/install-otherprofile.log" | tail -n1)"
wait "$BPID" || fail "building the bundles: $(tail -n 20 "$T/bundles.log")"
BPID=""
ln -s "$BUNDLE_NAME_BROKEN" "$T/www/broken.raucb"; ln -s "$BUNDLE_NAME_GOOD" "$T/www/good.raucb"
GOOD="$BUNDLE_NAME_GOOD"
pass "bundles built in $(cat "$T/bundles.seconds" 2>/dev/null || echo 0)s (0: built before): $(du -h "$GOOD" | cut -f1) each"
install_from broken || fail "installing the broken N-next: $(tail -n 5 "$T/install-broken.log")"
grep -q "Restart to finish" "$T/install-broken.log" || fail "no 'Restart to finish' after installing"
env1="$(grubenv)"
echo "$env1" | grep -q "hearth_slot=b" || fail "slot b is not primary after the install: $env1"
pass "broken $NEXT written to slot b in $(cat "$T/install-broken.seconds")s; grubenv: $env1"
reboot_box

# ---- boot 2: the broken version on trial fails its health check and the box restarts
boot 2
wait_serial "HEARTH-UPDATE boot slot=b" "$BOOT_TIMEOUT" || fail "boot 2 did not start slot b"
pass "boot 2: $(line_of 'HEARTH-UPDATE boot')"
wait_serial "HEARTH-UPDATE rollback" "$BOOT_TIMEOUT" || fail "the failed slot was not marked bad: $(line_of 'HEARTH-UPDATE health')"
pass "boot 2: $(line_of 'HEARTH-UPDATE health')"
pass "boot 2: $(line_of 'HEARTH-UPDATE rollback')"
wait_off 600
pass "boot 2: the box restarted by itself $(( $(date +%s) - BOOT_START ))s after power-on"

# ---- boot 3: back on N in slot a, by itself
boot 3
wait_serial "HEARTH-UPDATE boot slot=a" "$BOOT_TIMEOUT" || fail "boot 3 did not start slot a"
seen "HEARTH-UPDATE boot slot=a.*rolled back to $N" || fail "boot 3 recorded no rollback: $(line_of 'HEARTH-UPDATE boot')"
pass "boot 3: $(line_of 'HEARTH-UPDATE boot')"
healthy a
pass "boot 3: $(line_of 'HEARTH-UPDATE health')"
on_box 'hearth update status' > "$T/status-boot3.txt"
grep -q "rolled-back  $NEXT  slot b: rolled back" "$T/status-boot3.txt" || fail "the history lacks the rollback: $(cat "$T/status-boot3.txt")"
grep -q "running: Hearth $N" "$T/status-boot3.txt" || fail "boot 3 does not run N: $(head -n 2 "$T/status-boot3.txt")"
pass "history after the rollback: $(grep 'rolled-back' "$T/status-boot3.txt" | head -n1 | sed 's/^ *//')"
[ "$(data_state)" = "$DATA" ] || fail "data changed across the rollback: $(data_state) (was $DATA)"
pass "data survived the failed update and the rollback"
# The good N-next from the admin page, as the owner would: sign in, give the URL, watch the
# progress, restart from the page (the web's user may reboot through polkit, nothing more).
http_code /login/ >/dev/null
code="$(http_code /login/ localhost -d "csrfmiddlewaretoken=$(csrf)" -d username=owner -d password="$OWNER_PASSWORD" -d next=/updates/)"
[ "$code" = 302 ] && [ "$(cat "$T/location")" = /updates/ ] || fail "signing in: $code -> $(cat "$T/location")"
[ "$(http_code /updates/)" = 200 ] && grep -q "$N" "$T/body" || fail "the updates page does not show $N"
t=$(date +%s)
code="$(http_code /updates/install/ localhost -d "csrfmiddlewaretoken=$(csrf)" --data-urlencode "url=$URL/good.raucb")"
[ "$code" = 302 ] && [ "$(cat "$T/location")" = "/updates/?done=started" ] || fail "the install form answered $code -> $(cat "$T/location")"
end=$(( $(date +%s) + BOOT_TIMEOUT )); seen_running=0
while :; do
  http_code /updates/progress/ >/dev/null
  grep -q 'data-state="running"' "$T/body" && seen_running=1
  grep -q 'data-state="done"' "$T/body" && break
  grep -q 'data-state="failed"' "$T/body" && fail "the page's install failed: $(grep -o 'id="update-reason">[^<]*' "$T/body")"
  [ "$(date +%s)" -lt "$end" ] || fail "the page's install did not finish"
  sleep 5
done
echo "$(( $(date +%s) - t ))" > "$T/install-good.seconds"
grep -qi 'restart to finish' "$T/body" || fail "the page did not say 'restart to finish'"
[ "$seen_running" = 1 ] || say "(the install finished between two looks at its progress)"
pass "good $NEXT written to slot b from the admin page in $(cat "$T/install-good.seconds")s (progress followed live)"
http_code /updates/ >/dev/null
code="$(http_code /updates/restart/ localhost -d "csrfmiddlewaretoken=$(csrf)")"
[ "$code" = 200 ] || fail "Restart now answered $code: $(head -c 300 "$T/body")"
wait_off 600
pass "Restart now on the page restarted the box"

# ---- boot 4: N-next in slot b, healthy and marked good
boot 4
healthy b
seen "HEARTH-UPDATE health slot=b verdict=good marked=good" || fail "slot b was not marked good: $(line_of 'HEARTH-UPDATE health')"
pass "boot 4: $(line_of 'HEARTH-UPDATE health') after $(( $(date +%s) - BOOT_START ))s"
on_box 'hearth update status' > "$T/status-boot4.txt"
grep -q "running: Hearth $NEXT" "$T/status-boot4.txt" && grep -q "other slot a: $N" "$T/status-boot4.txt" \
  || fail "status after the update: $(head -n 3 "$T/status-boot4.txt")"
grep -q "marked-good  $NEXT  slot b: good" "$T/status-boot4.txt" || fail "no marked-good in the history"
env4="$(grubenv)"
echo "$env4" | grep -q "hearth_b_ok=1" && echo "$env4" | grep -q "hearth_slot=b" || fail "grubenv after marking good: $env4"
pass "status: $(head -n 2 "$T/status-boot4.txt" | tr '\n' ' '); grubenv: $env4"
[ "$(data_state)" = "$DATA" ] || fail "data changed across the update: $(data_state) (was $DATA)"
pass "data survived the update"
kill "$QPID"; wait "$QPID" 2>/dev/null || true; QPID=""

{
  echo "bundle: $(basename "$GOOD") $(stat -c %s "$GOOD") bytes"
  echo "install seconds (download + verify + write, under emulation): broken $(cat "$T/install-broken.seconds"), good $(cat "$T/install-good.seconds")"
  echo "rollback, boot 2 and 3:"
  grep -ah "HEARTH-UPDATE\|Hearth: slot" "$T/serial-boot2.log" "$T/serial-boot3.log" | tr -d '\r'
} >> "$T/summary.txt"
say "PASS in $(( $(date +%s) - START ))s; summary: $T/summary.txt"
echo "image-test: $checks passed, 0 failed"
