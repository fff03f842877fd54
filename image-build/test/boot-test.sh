#!/usr/bin/env bash
# Boot smoke test: the image in QEMU with OVMF under software emulation (TCG), reading
# the serial console.
#   boot 1 (the image as built): first boot makes secrets and the setup code, every unit
#          comes up, the web process answers GET /healthz and the setup wizard (/setup/)
#          through a forwarded port (80 on the box, so through the nftables redirect to
#          the web port), and the setup code from the console claims the box.
#   boot 2 (a fresh copy on a disk GROW_GIB larger): the data partition and its file
#          system grow to fill the disk.
# Usage: test/boot-test.sh IMAGE.img   (raw image; the build's out/work/<profile>/ copy)
set -euo pipefail
IMG="${1:?raw image}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
T="${TEST_DIR:-$HERE/out/test}"
BOOT_TIMEOUT="${BOOT_TIMEOUT:-1200}"  # per wait; software emulation on 2 busy cores took 11 min to /healthz
GROW_GIB="${GROW_GIB:-4}"
OVMF_CODE="${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}"
OVMF_VARS="${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}"
mkdir -p "$T"; rm -f "$T"/*
QPID=""
cleanup() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
say() { printf '\033[1m[%s boot-test]\033[0m %s\n' "$(date +%T)" "$*" >&2; }
checks=0
pass() { checks=$(( checks + 1 )); say "ok: $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A throwaway SSH key on the test copy's ESP (first boot lets ESP keys in as root, the
# path a household uses too): the test reads the journal through it when something fails.
ssh-keygen -q -t ed25519 -N '' -C hearth-boot-test -f "$T/id_test"
esp_key() { # disk
  local start
  start=$(sfdisk -J "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['partitiontable']['partitions'][0]['start'])")
  mmd -i "$1@@$(( start * 512 ))" ::/hearth 2>/dev/null || true
  mcopy -o -i "$1@@$(( start * 512 ))" "$T/id_test.pub" ::/hearth/authorized_keys
}
on_box() { # command...: run on the booted box as root
  ssh -q -i "$T/id_test" -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=20 -o BatchMode=yes root@127.0.0.1 "$@"
}
journal() { # file: what the box's journal says about Hearth's units
  on_box 'systemctl --failed --no-legend; systemctl list-jobs --no-legend;
    systemctl status --no-pager -n 0 "hearth*" redis-server mosquitto 2>&1 | grep -E "^[^ ]|Active:";
    journalctl -b --no-pager -o short-monotonic -u "hearth*" -u mosquitto -u redis-server | tail -n 400' \
    > "$1" 2>&1 || echo "(no SSH to the box)" >> "$1"
}

boot() { # disk serial-log
  cp "$OVMF_VARS" "$T/vars-$(basename "$2").fd"
  WEB_PORT="$(free_port)"; SSH_PORT="$(free_port)"
  qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m "${MEM_MIB:-3072}" \
    -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
    -drive if=pflash,format=raw,file="$T/vars-$(basename "$2").fd" \
    -drive file="$1",format=raw,if=virtio,cache=unsafe \
    -netdev "user,id=n0,hostname=hearth,hostfwd=tcp:127.0.0.1:$WEB_PORT-:80,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22" \
    -device virtio-net-pci,netdev=n0 \
    -display none -monitor none -serial "file:$2" -no-reboot &
  QPID=$!
  BOOT_START=$(date +%s)
}
wait_serial() { # log regex timeout -> 0 when seen
  local end=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    grep -aqE "$2" "$1" 2>/dev/null && return 0
    kill -0 "$QPID" 2>/dev/null || { say "QEMU exited"; return 1; }
    sleep 2
  done
  return 1
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
fail() {
  say "FAIL: $*"; say "serial log: $SERIAL"
  grep -a "HEARTH-FAILED" "$SERIAL" | tr -d "\r" >&2 || true
  tail -n 40 "$SERIAL" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' | grep -av 'Job .* running' >&2
  if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
    journal "$SERIAL.journal"; say "the box's journal: $SERIAL.journal"; tail -n 60 "$SERIAL.journal" >&2
  fi
  echo "boot-test: $checks passed, 1 failed"
  exit 1
}

# ---- boot 1
DISK="$T/disk1.img"; SERIAL="$T/serial-boot1.log"
cp --sparse=always "$IMG" "$DISK"
esp_key "$DISK"
say "boot 1: $(du -h --apparent-size "$DISK" | cut -f1) disk, serial -> $SERIAL"
boot "$DISK" "$SERIAL"
wait_serial "$SERIAL" 'Linux version' 300 || fail "no kernel on the serial console"
pass "kernel after $(( $(date +%s) - BOOT_START ))s"
wait_serial "$SERIAL" 'HEARTH-READY' "$BOOT_TIMEOUT" || fail "no HEARTH-READY banner"
pass "banner after $(( $(date +%s) - BOOT_START ))s: $(grep -a 'HEARTH-READY' "$SERIAL" | tail -n1 | tr -d '\r')"
code=""; end=$(( $(date +%s) + BOOT_TIMEOUT ))
while [ "$(date +%s)" -lt "$end" ]; do
  code="$(http_code /healthz)"; [ "$code" = 200 ] && break
  kill -0 "$QPID" 2>/dev/null || fail "QEMU exited"
  sleep 5
done
[ "$code" = 200 ] || fail "GET /healthz answered ${code:-nothing}: $(head -c 300 "$T/body" 2>/dev/null)"
pass "GET /healthz -> 200 after $(( $(date +%s) - BOOT_START ))s: $(head -c 200 "$T/body")"
# The web wizard: until the box has an owner every page leads to /setup/, which asks for
# the setup code the console showed.
code="$(http_code /)"; loc="$(cat "$T/location")"
[ "$code" = 302 ] && [ "$loc" = /setup/ ] || fail "GET / answered $code -> '$loc' (want 302 -> /setup/)"
pass "GET / -> 302 $loc"
code="$(http_code /setup/)"
[ "$code" = 200 ] && grep -q 'name="code"' "$T/body" || fail "GET /setup/ answered $code without the setup-code field"
pass "GET /setup/ -> 200 (the wizard asks for the setup code)"
# HEARTH_ALLOWED_HOSTS=auto: the box's own address (QEMU's user network gives 10.0.2.15)
# is accepted as Host, as a browser sends it when opened at http://<address>/.
addr="$(grep -aoE 'HEARTH-READY address=[0-9.]+' "$SERIAL" | tail -n1 | cut -d= -f2)"
code="$(http_code /setup/ "$addr")"
[ "$code" = 200 ] || fail "GET /setup/ with Host: $addr answered $code"
pass "GET /setup/ with Host: $addr -> 200"
code="$(http_code /setup/ evil.example)"
[ "$code" = 400 ] || fail "GET /setup/ with Host: evil.example answered $code (want 400)"
pass "GET /setup/ with Host: evil.example -> 400"
# Claim the box with the code from the console: firstboot's code is the one the app checks.
setup_code="$(grep -aoE 'HEARTH-READY .*setup-code=[A-Z0-9-]+' "$SERIAL" | tail -n1 | sed 's/.*setup-code=//')"
http_code /setup/ >/dev/null
csrf="$(grep -oE 'name="csrfmiddlewaretoken" value="[^"]+"' "$T/body" | head -n1 | sed 's/.*value="//; s/"$//')"
code="$(http_code /setup/ localhost -d "csrfmiddlewaretoken=$csrf" --data-urlencode "code=$setup_code" \
  -d username=owner -d password=boot-test-Passw0rd -d password2=boot-test-Passw0rd \
  -d household=Test -d time_zone=UTC -d language=en)"
loc="$(cat "$T/location")"
[ "$code" = 302 ] && [ "$loc" = /setup/hardware/ ] || fail "claiming with setup code $setup_code answered $code -> '$loc': $(grep -oiE 'class="error[^<]*<[^<]*' "$T/body" | head -n3)"
pass "POST /setup/ with the console's setup code $setup_code -> 302 $loc (the box has its owner)"
wait_serial "$SERIAL" 'HEARTH-STATUS' "$BOOT_TIMEOUT" || fail "no HEARTH-STATUS line"
status="$(grep -a 'HEARTH-STATUS' "$SERIAL" | tail -n1 | tr -d '\r')"
pass "$status"
grep -a 'HEARTH-WAITING' "$SERIAL" | tr -d '\r' | tail -n 3 >&2 || true
bad="$(echo "$status" | tr ' ' '\n' | grep '=' | grep -v '=active$' | grep -v '^HEARTH' || true)"
[ -z "$bad" ] || fail "units not active: $bad"
if grep -aE 'Failed to start .*(Hearth|Redis|Mosquitto|nftables|Avahi)' "$SERIAL"; then fail "a unit failed to start"; fi
journal "$SERIAL.journal"
say "the box's journal (Hearth's units, Redis, Mosquitto): $SERIAL.journal"
kill "$QPID"; wait "$QPID" 2>/dev/null || true; QPID=""
rm -f "$DISK"

# ---- boot 2: a larger disk
DISK="$T/disk2.img"; SERIAL="$T/serial-boot2.log"
cp --sparse=always "$IMG" "$DISK"
size=$(stat -c %s "$DISK"); truncate -s $(( size + GROW_GIB * 1024 * 1024 * 1024 )) "$DISK"
say "boot 2: disk grown to $(du -h --apparent-size "$DISK" | cut -f1)"
boot "$DISK" "$SERIAL"
GROW_RE='hearth-growfs: disk .* file system from [0-9]+ to [0-9]+ bytes'
wait_serial "$SERIAL" "$GROW_RE" 600 || fail "no growfs report"
line="$(grep -aoE "$GROW_RE" "$SERIAL" | tail -n1)"
fs=$(echo "$line" | grep -oE 'file system from [0-9]+ to [0-9]+' | grep -oE '[0-9]+$')
pass "$line"
say "data file system before $(( $(echo "$line" | grep -oE 'file system from [0-9]+' | grep -oE '[0-9]+$') / 1048576 )) MiB, after $(( fs / 1048576 )) MiB"
[ "$fs" -gt $(( (GROW_GIB * 1024 - 256) * 1024 * 1024 )) ] || fail "data file system is only $fs bytes"
pass "data file system grew to $(( fs / 1024 / 1024 )) MiB"
say "PASS: boots, services active, the wizard answers and takes the setup code, data grew to $(( fs / 1024 / 1024 )) MiB"
echo "boot-test: $checks passed, 0 failed"
