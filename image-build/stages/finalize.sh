#!/usr/bin/env bash
# Stage finalize: what makes the tree a fresh box: fstab, no machine id, no SSH host
# keys, no caches, no policy-rc.d.
STAGE=finalize
. "$(dirname "$0")/lib.sh"
chroot_umount
cat > "$ROOTFS/etc/fstab" <<'FSTAB'
# / is the slot the boot loader picked (root=PARTLABEL=hearth-root-a|b on the kernel line).
# The ESP is nofail (the box boots without it) but the first boot reads SSH keys from it:
# a slow disk (QEMU without KVM) can take well over 10 s to show its partitions.
LABEL=hearth-data  /var/lib/hearth  ext4  defaults,noatime  0  2
PARTLABEL=ESP      /boot/efi        vfat  umask=0077,nofail,x-systemd.device-timeout=90s  0  2
FSTAB
mkdir -p "$ROOTFS/boot/efi"
rm -f "$ROOTFS/usr/sbin/policy-rc.d" "$ROOTFS"/etc/ssh/ssh_host_*
: > "$ROOTFS/etc/machine-id"
rm -f "$ROOTFS/var/lib/dbus/machine-id"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*_Packages* \
  "$ROOTFS"/root/.cache "$ROOTFS"/tmp/* "$ROOTFS"/var/tmp/* "$ROOTFS/root/.ansible"
# systemd-resolved owns resolv.conf on the box.
ln -sfn ../run/systemd/resolve/stub-resolv.conf "$ROOTFS/etc/resolv.conf"
log "tree final: $(du -sh --one-file-system "$ROOTFS" | cut -f1)"
