# Shared helpers for the image build stages. Sourced, not run.
# shellcheck shell=bash
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"   # image-build/
REPO="$(cd "$HERE/.." && pwd)"
PROFILE="${PROFILE:-cpu}"
VERSION="${VERSION:-$(git -C "$REPO" describe --tags --always --dirty 2>/dev/null || echo dev)}"
SUITE="${SUITE:-bookworm}"
WORK="${WORK:-$HERE/out/work/$PROFILE}"
ROOTFS="$WORK/rootfs"
CACHE="${CACHE:-$HERE/cache}"
OUT="${OUT:-$HERE/out}"
IMAGE_RAW="$WORK/hearth-$VERSION-$PROFILE.img"

# The mirror the build host's apt already uses (deb822 or one-line sources); nothing else
# may be reachable from a build machine.
host_mirror() {
  local m
  m="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
      | grep -vE 'security|nodesource|google' \
      | sed -E 's/^URIs: *//; s/^deb +(\[[^]]*\] +)?//' | awk '{print $1}' | grep -E '/debian/?$' | head -n1)"
  echo "${MIRROR:-${m:-http://deb.debian.org/debian}}"
}
host_security_mirror() {
  local m
  m="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.list 2>/dev/null | grep security \
      | sed -E 's/^URIs: *//; s/^deb +(\[[^]]*\] +)?//' | awk '{print $1}' | head -n1)"
  echo "${SECURITY_MIRROR:-${m:-http://deb.debian.org/debian-security}}"
}

log() { printf '\033[1m[%s %s]\033[0m %s\n' "$(date +%T)" "${STAGE:-build}" "$*" >&2; }

# Mount the kernel file systems into the tree. /run is a tmpfs of its own that carries
# the host's resolver, so name resolution survives systemd-resolved taking /etc/resolv.conf.
chroot_mount() {
  mountpoint -q "$ROOTFS/proc" || mount -t proc proc "$ROOTFS/proc"
  mountpoint -q "$ROOTFS/sys" || mount --rbind /sys "$ROOTFS/sys"
  mountpoint -q "$ROOTFS/dev" || mount --rbind /dev "$ROOTFS/dev"
  mountpoint -q "$ROOTFS/run" || mount -t tmpfs -o mode=0755 tmpfs "$ROOTFS/run"
  mkdir -p "$ROOTFS/run/systemd/resolve" "$ROOTFS/run/lock"
  cp -L /etc/resolv.conf "$ROOTFS/run/systemd/resolve/stub-resolv.conf"
  cp -L /etc/resolv.conf "$ROOTFS/run/systemd/resolve/resolv.conf"
  if [ ! -L "$ROOTFS/etc/resolv.conf" ]; then cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"; fi
}

# Unmount everything below the tree, deepest first, and prove nothing is left.
chroot_umount() {
  [ -d "$ROOTFS" ] || return 0
  local m
  for _ in 1 2 3; do
    while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done < <(findmnt -rn -o TARGET | grep -F "$ROOTFS/" | sort -r)
  done
  if findmnt -rn -o TARGET | grep -qF "$ROOTFS/"; then
    log "still mounted below $ROOTFS:"; findmnt -rn -o TARGET | grep -F "$ROOTFS/" >&2
    return 1
  fi
}

# Remove a root tree only once nothing is mounted below it (a bind-mounted /dev would
# take the host's device nodes with it).
safe_remove_tree() {
  local t="$1"
  [ -e "$t" ] || return 0
  if findmnt -rn -o TARGET | grep -qF "$t"; then
    log "refusing to remove $t: something is mounted below it"; return 1
  fi
  rm -rf --one-file-system "$t"
}

in_chroot() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
