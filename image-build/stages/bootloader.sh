#!/usr/bin/env bash
# Stage bootloader: a standalone GRUB (BOOTX64.EFI, the removable-media path every UEFI
# firmware boots) that reads EFI/hearth/grub.cfg and grubenv from the ESP, so an update
# can switch the root slot by editing grubenv (with a bounded number of tries per new slot). Unsigned: Secure Boot must be off.
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
  --modules="part_gpt ext2 fat search search_label search_fs_file normal linux echo test loadenv configfile gzio all_video regexp" \
  --locales="" --themes="" --fonts="" "boot/grub/grub.cfg=/tmp/embedded.cfg"
cp "$ROOTFS/tmp/BOOTX64.EFI" "$ESPDIR/EFI/BOOT/BOOTX64.EFI"
in_chroot grub-editenv /tmp/grubenv create
# Slot a holds the build and is good; b is empty until an update writes it (the boot
# chooser, /usr/lib/hearth/bootchooser, is RAUC's side of these variables).
in_chroot grub-editenv /tmp/grubenv set hearth_slot=a hearth_a_ok=1 hearth_b_ok=0 hearth_tries=0
cp "$ROOTFS/tmp/grubenv" "$ESPDIR/EFI/hearth/grubenv"
rm -f "$ROOTFS/tmp/BOOTX64.EFI" "$ROOTFS/tmp/grubenv" "$ROOTFS/tmp/embedded.cfg"

cat > "$ESPDIR/EFI/hearth/grub.cfg" <<'CFG'
# Hearth: boot the primary root slot named in grubenv (a or b). A slot that was not
# marked good yet (a new version on trial) gets hearth_tries boots; each boot spends one,
# and once none is left GRUB boots the other slot. Linux marks a slot good (or bad) after
# Hearth's health check, through RAUC and /usr/lib/hearth/bootchooser.
set timeout=1
set default=0
set hearth_slot=a
set hearth_a_ok=1
set hearth_b_ok=0
set hearth_tries=0
load_env -f $prefix/grubenv
if [ "$hearth_slot" = b ]; then
  set hearth_other=a
  set hearth_ok="$hearth_b_ok"
else
  set hearth_slot=a
  set hearth_other=b
  set hearth_ok="$hearth_a_ok"
fi
set hearth_boot="$hearth_slot"
if [ "$hearth_ok" != 1 ]; then
  if [ "$hearth_tries" = 3 ]; then
    set hearth_tries=2
    save_env -f $prefix/grubenv hearth_tries
  elif [ "$hearth_tries" = 2 ]; then
    set hearth_tries=1
    save_env -f $prefix/grubenv hearth_tries
  elif [ "$hearth_tries" = 1 ]; then
    set hearth_tries=0
    save_env -f $prefix/grubenv hearth_tries
  else
    set hearth_boot="$hearth_other"
    echo "Hearth: slot $hearth_slot has no tries left; booting slot $hearth_boot"
  fi
fi
# The slots by partition number on the ESP's own disk (slot file systems carry no
# per-slot label: an update writes the same image into either).
set hearth_disk=hd0
regexp --set=1:hearth_disk '^\(([^,]+),' "$prefix"
if [ "$hearth_boot" = b ]; then set hearth_part=gpt3; else set hearth_part=gpt2; fi
set root="($hearth_disk,$hearth_part)"
export hearth_boot hearth_part hearth_disk root
menuentry "Hearth (slot $hearth_boot)" {
  set root="($hearth_disk,$hearth_part)"
  linux /vmlinuz root=PARTLABEL=hearth-root-$hearth_boot rauc.slot=$hearth_boot rw rootwait console=tty0 console=ttyS0,115200n8
  initrd /initrd.img
}
CFG
# The household can drop an SSH public key here from any computer (the ESP is FAT).
mkdir -p "$ESPDIR/hearth"
printf '# Put SSH public keys (one a line) into authorized_keys next to this file.\n' > "$ESPDIR/hearth/README.txt"
log "ESP tree ready: $(find "$ESPDIR" -type f | wc -l) files"
