#!/usr/bin/env bash
# Stage bootstrap: a minimal Debian tree from the host's mirror, cached as a tarball
# keyed by suite, mirror and package list, then unpacked into the work folder.
STAGE=bootstrap
. "$(dirname "$0")/lib.sh"

INCLUDE="systemd,systemd-sysv,udev,dbus,kmod,python3,python3-apt,ca-certificates,iproute2,apt-transport-https,gnupg,locales,tzdata,less,procps"
MIRROR="$(host_mirror)"
key="$(printf '%s|%s|%s|minbase' "$SUITE" "$MIRROR" "$INCLUDE" | sha256sum | cut -c1-12)"
TARBALL="$CACHE/debootstrap-$SUITE-$key.tar.zst"

mkdir -p "$CACHE" "$WORK"
chroot_umount
safe_remove_tree "$ROOTFS"

if [ ! -s "$TARBALL" ]; then
  log "debootstrap $SUITE from $MIRROR (not cached yet)"
  tmp="$CACHE/debootstrap-$key.tmp"
  ROOTFS="$tmp" chroot_umount
  safe_remove_tree "$tmp"
  debootstrap --variant=minbase --include="$INCLUDE" --components=main "$SUITE" "$tmp" "$MIRROR"
  ROOTFS="$tmp" chroot_umount
  rm -rf --one-file-system "$tmp/var/cache/apt/archives/"*.deb
  tar -C "$tmp" --numeric-owner --xattrs --acls -cf - . | zstd -T0 -q -3 -o "$TARBALL.part"
  mv "$TARBALL.part" "$TARBALL"
  safe_remove_tree "$tmp"
else
  log "debootstrap cached: $TARBALL"
fi

mkdir -p "$ROOTFS"
zstd -dc "$TARBALL" | tar -C "$ROOTFS" --numeric-owner --xattrs --acls -xf -
# debootstrap copies the host's name and resolver; set both to the appliance's own.
echo hearth > "$ROOTFS/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\thearth.local hearth\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOTFS/etc/hosts"
log "tree ready at $ROOTFS ($(du -sh --one-file-system "$ROOTFS" | cut -f1))"
