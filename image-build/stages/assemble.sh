#!/usr/bin/env bash
# Stage assemble: the disk image, with no loop device and no mount (the build machine's
# kernel has no vfat): each file system is made from a folder into a file, then placed at
# its partition's offset in a sparse GPT disk.
#   1 ESP          FAT32, GRUB + its config and grubenv (slot choice)
#   2 root slot A  ext4, the system (what the build made)
#   3 root slot B  left empty; a later update writes it and flips grubenv
#   4 data         ext4, /var/lib/hearth (database, secrets, models); grows on first boot
STAGE=assemble
. "$(dirname "$0")/lib.sh"
chroot_umount

ESP_MIB="${ESP_MIB:-256}"
case "$PROFILE" in gpu) ROOT_MIB="${ROOT_MIB:-16384}" ;; *) ROOT_MIB="${ROOT_MIB:-3072}" ;; esac
DATA_MIB="${DATA_MIB:-512}"
ESPDIR="$WORK/esp"
[ -d "$ESPDIR/EFI/BOOT" ] || { log "no ESP tree: run the bootloader stage"; exit 1; }

used_mib=$(( $(du -s -B1M --one-file-system "$ROOTFS" | cut -f1) ))
if [ "$used_mib" -gt $(( ROOT_MIB * 90 / 100 )) ]; then
  log "the tree ($used_mib MiB) does not fit a $ROOT_MIB MiB root slot with 10% to spare"; exit 1
fi

# /var/lib/hearth goes onto the data partition; the root slot keeps an empty mount point.
DATADIR="$WORK/data"
rm -rf "$DATADIR"; mkdir -p "$DATADIR"
cp -a "$ROOTFS/var/lib/hearth/." "$DATADIR/"
find "$ROOTFS/var/lib/hearth" -mindepth 1 -delete
stat -c '%u:%g %a' "$ROOTFS/var/lib/hearth" > "$WORK/data.owner"

log "file systems: root $ROOT_MIB MiB (tree $used_mib MiB), data $DATA_MIB MiB, ESP $ESP_MIB MiB"
rm -f "$WORK"/root.img "$WORK"/data.img "$WORK"/esp.img
truncate -s "${ROOT_MIB}M" "$WORK/root.img"
mkfs.ext4 -q -F -L hearth-root-a -E root_owner=0:0 -d "$ROOTFS" "$WORK/root.img"
truncate -s "${DATA_MIB}M" "$WORK/data.img"
mkfs.ext4 -q -F -L hearth-data -m 1 -E "root_owner=$(cut -d' ' -f1 "$WORK/data.owner")" -d "$DATADIR" "$WORK/data.img"
mkfs.fat -F 32 -n ESP -C "$WORK/esp.img" $(( ESP_MIB * 1024 )) >/dev/null
(cd "$ESPDIR" && find . -mindepth 1 -type d | sed 's|^\./||' | sort | while read -r d; do mmd -i "$WORK/esp.img" "::/$d"; done)
(cd "$ESPDIR" && find . -type f | sed 's|^\./||' | while read -r f; do mcopy -i "$WORK/esp.img" "$f" "::/$f"; done)
# put the tree back as it was (a re-run of assemble starts from the same tree)
cp -a "$DATADIR/." "$ROOTFS/var/lib/hearth/"

total_mib=$(( 1 + ESP_MIB + 2 * ROOT_MIB + DATA_MIB + 1 ))
rm -f "$IMAGE_RAW"; truncate -s "${total_mib}M" "$IMAGE_RAW"
sfdisk -q "$IMAGE_RAW" <<SF
label: gpt
start=1MiB, size=${ESP_MIB}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="ESP"
size=${ROOT_MIB}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="hearth-root-a"
size=${ROOT_MIB}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="hearth-root-b"
size=${DATA_MIB}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="hearth-data"
SF
place() { # image partition-number
  local start; start=$(sfdisk -J "$IMAGE_RAW" | python3 -c "import json,sys; print(json.load(sys.stdin)['partitiontable']['partitions'][$2-1]['start'])")
  dd if="$1" of="$IMAGE_RAW" bs=1M seek=$(( start * 512 / 1048576 )) conv=notrunc,sparse status=none
}
place "$WORK/esp.img" 1
place "$WORK/root.img" 2
place "$WORK/data.img" 4
rm -f "$WORK"/root.img "$WORK"/data.img "$WORK"/esp.img
sfdisk -l "$IMAGE_RAW" | tail -n 5 >&2
log "disk image $IMAGE_RAW: $(du -h --apparent-size "$IMAGE_RAW" | cut -f1) ($(du -h "$IMAGE_RAW" | cut -f1) allocated)"
