#!/usr/bin/env bash
# Stage bootloader: a standalone GRUB (BOOTX64.EFI, the removable-media path every UEFI
# firmware boots) that reads EFI/hearth/grub.cfg and grubenv from the ESP, so an update
# can switch the root slot by editing grubenv. Unsigned: Secure Boot must be off.
STAGE=bootloader
. "$(dirname "$0")/lib.sh"

trap chroot_umount EXIT
chroot_mount
in_chroot apt-get install -y -q --no-install-recommends grub-efi-amd64-bin grub-common >/dev/null
ESPDIR="$WORK/esp"
rm -rf "$ESPDIR"; mkdir -p "$ESPDIR/EFI/BOOT" "$ESPDIR/EFI/hearth"

cat > "$ROOTFS/tmp/embedded.cfg" <<'CFG'
search --no-floppy --file --set=esp /EFI/hearth/grub.cfg
set prefix=($esp)/EFI/hearth
configfile $prefix/grub.cfg
CFG
in_chroot grub-mkstandalone -O x86_64-efi -o /tmp/BOOTX64.EFI \
  --modules="part_gpt ext2 fat search search_label search_fs_file normal linux echo test loadenv configfile gzio all_video" \
  --locales="" --themes="" --fonts="" "boot/grub/grub.cfg=/tmp/embedded.cfg"
cp "$ROOTFS/tmp/BOOTX64.EFI" "$ESPDIR/EFI/BOOT/BOOTX64.EFI"
in_chroot grub-editenv /tmp/grubenv create
in_chroot grub-editenv /tmp/grubenv set hearth_slot=a
cp "$ROOTFS/tmp/grubenv" "$ESPDIR/EFI/hearth/grubenv"
rm -f "$ROOTFS/tmp/BOOTX64.EFI" "$ROOTFS/tmp/grubenv" "$ROOTFS/tmp/embedded.cfg"

cat > "$ESPDIR/EFI/hearth/grub.cfg" <<'CFG'
# Hearth: boot the root slot named in grubenv (a or b).
set timeout=1
set default=0
set hearth_slot=a
load_env -f $prefix/grubenv hearth_slot
search --no-floppy --label --set=root hearth-root-$hearth_slot
menuentry "Hearth (slot $hearth_slot)" {
  linux /vmlinuz root=LABEL=hearth-root-$hearth_slot rw rootwait console=tty0 console=ttyS0,115200n8
  initrd /initrd.img
}
CFG
# The household can drop an SSH public key here from any computer (the ESP is FAT).
mkdir -p "$ESPDIR/hearth"
printf '# Put SSH public keys (one a line) into authorized_keys next to this file.\n' > "$ESPDIR/hearth/README.txt"
log "ESP tree ready: $(find "$ESPDIR" -type f | wc -l) files"
