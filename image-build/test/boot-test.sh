#!/usr/bin/env bash
# Boot smoke test: the image in QEMU with OVMF under software emulation (TCG), reading
# the serial console.
#   boot 1 (the image as built): first boot makes secrets, the services come up, the web
#          process answers GET /healthz and /admin/login/ through a forwarded port (80 on
#          the box, so through the nftables redirect to the web port).
#   boot 2 (a fresh copy on a disk GROW_GIB larger): the data partition and its file
#          system grow to fill the disk.
# Usage: test/boot-test.sh IMAGE.img   (raw image; the build's out/work/<profile>/ copy)
set -euo pipefail
IMG="${1:?raw image}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
T="${TEST_DIR:-$HERE/out/test}"
BOOT_TIMEOUT="${BOOT_TIMEOUT:-900}"
GROW_GIB="${GROW_GIB:-4}"
OVMF_CODE="${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}"
OVMF_VARS="${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}"
mkdir -p "$T"; rm -f "$T"/*
QPID=""
cleanup() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
say() { printf '\033[1m[%s boot-test]\033[0m %s\n' "$(date +%T)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

boot() { # disk serial-log
  cp "$OVMF_VARS" "$T/vars-$(basename "$2").fd"
  WEB_PORT="$(free_port)"
  qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m "${MEM_MIB:-3072}" \
    -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
    -drive if=pflash,format=raw,file="$T/vars-$(basename "$2").fd" \
    -drive file="$1",format=raw,if=virtio,cache=unsafe \
    -netdev "user,id=n0,hostname=hearth,hostfwd=tcp:127.0.0.1:$WEB_PORT-:80" \
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
http_code() { # path [Host header]
  curl -s -o "$T/body" -w '%{http_code}' -m 20 -H "Host: ${2:-localhost}" "http://127.0.0.1:$WEB_PORT$1" || true
}
fail() { say "FAIL: $*"; say "serial log: $SERIAL"; grep -a "HEARTH-FAILED" "$SERIAL" | tr -d "\r" >&2 || true; tail -n 60 "$SERIAL" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' >&2; exit 1; }

# ---- boot 1
DISK="$T/disk1.img"; SERIAL="$T/serial-boot1.log"
cp --sparse=always "$IMG" "$DISK"
say "boot 1: $(du -h --apparent-size "$DISK" | cut -f1) disk, serial -> $SERIAL"
boot "$DISK" "$SERIAL"
wait_serial "$SERIAL" 'Linux version' 300 || fail "no kernel on the serial console"
say "kernel after $(( $(date +%s) - BOOT_START ))s"
wait_serial "$SERIAL" 'HEARTH-READY' "$BOOT_TIMEOUT" || fail "no HEARTH-READY banner"
say "banner after $(( $(date +%s) - BOOT_START ))s: $(grep -a 'HEARTH-READY' "$SERIAL" | tail -n1 | tr -d '\r')"
code=""; end=$(( $(date +%s) + BOOT_TIMEOUT ))
while [ "$(date +%s)" -lt "$end" ]; do
  code="$(http_code /healthz)"; [ "$code" = 200 ] && break
  kill -0 "$QPID" 2>/dev/null || fail "QEMU exited"
  sleep 5
done
[ "$code" = 200 ] || fail "GET /healthz answered ${code:-nothing}: $(head -c 300 "$T/body" 2>/dev/null)"
say "GET /healthz -> 200 after $(( $(date +%s) - BOOT_START ))s: $(head -c 200 "$T/body")"
code="$(http_code /admin/login/)"
[ "$code" = 200 ] || fail "GET /admin/login/ answered $code"
say "GET /admin/login/ -> 200"
# HEARTH_ALLOWED_HOSTS=auto: the box's own address (QEMU's user network gives 10.0.2.15)
# is accepted as Host, as a browser sends it when opened at http://<address>/.
addr="$(grep -aoE 'HEARTH-READY address=[0-9.]+' "$SERIAL" | tail -n1 | cut -d= -f2)"
code="$(http_code /admin/login/ "$addr")"
[ "$code" = 200 ] || fail "GET /admin/login/ with Host: $addr answered $code"
say "GET /admin/login/ with Host: $addr -> 200"
code="$(http_code /admin/login/ evil.example)"
[ "$code" = 400 ] || fail "GET /admin/login/ with Host: evil.example answered $code (want 400)"
say "GET /admin/login/ with Host: evil.example -> 400"
wait_serial "$SERIAL" 'HEARTH-STATUS' 120 || fail "no HEARTH-STATUS line"
status="$(grep -a 'HEARTH-STATUS' "$SERIAL" | tail -n1 | tr -d '\r')"
say "$status"
bad="$(echo "$status" | tr ' ' '\n' | grep '=' | grep -v '=active$' | grep -v '^HEARTH' || true)"
[ -z "$bad" ] || fail "units not active: $bad"
if grep -aE 'Failed to start .*(Hearth|Redis|Mosquitto|nftables|Avahi)' "$SERIAL"; then fail "a unit failed to start"; fi
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
say "$line"
say "data file system before $(( $(echo "$line" | grep -oE 'file system from [0-9]+' | grep -oE '[0-9]+$') / 1048576 )) MiB, after $(( fs / 1048576 )) MiB"
[ "$fs" -gt $(( (GROW_GIB * 1024 - 256) * 1024 * 1024 )) ] || fail "data file system is only $fs bytes"
say "PASS: boots, services active, /healthz and /admin/login/ answer, data grew to $(( fs / 1024 / 1024 )) MiB"
