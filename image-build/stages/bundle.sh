#!/usr/bin/env bash
# Stage bundle (make bundle): a signed RAUC bundle of the built tree, for the box's other
# root slot: out/hearth-<version>-<profile>.raucb (+ .sha256). The bundle holds an ext4
# image of the root file system (without /var/lib/hearth, which is the data partition's
# and never in a bundle), its manifest names version, build date and the compatible
# (hearth-<profile>: a gpu bundle is refused by a cpu box), and RAUC signs it (CMS) with
# UPDATE_CERT/UPDATE_KEY (default: the development keys of stage keys).
#   BUNDLE_BREAK=migrate  (tests only) the bundle's hearth-migrate.service fails, so its
#                         first boot is unhealthy and the box must roll back by itself.
STAGE=bundle
. "$(dirname "$0")/lib.sh"
chroot_umount
[ -x "$ROOTFS/usr/bin/python3" ] && [ -f "$ROOTFS/etc/rauc/system.conf" ] || { log "no built tree at $ROOTFS: run make image (or the stages up to finalize)"; exit 1; }
KEYS="$OUT/keys"
CERT="${UPDATE_CERT:-$KEYS/dev-signing.cert.pem}"
KEY="${UPDATE_KEY:-$KEYS/dev-signing.key.pem}"
KEYRING="${UPDATE_CA:-$KEYS/dev-ca.cert.pem}"
BUILD_DATE="${BUILD_DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
case "$PROFILE" in gpu) ROOT_MIB="${ROOT_MIB:-16384}" ;; *) ROOT_MIB="${ROOT_MIB:-3072}" ;; esac
name="hearth-$VERSION-$PROFILE${BUNDLE_BREAK:+-broken-$BUNDLE_BREAK}"
dest="$OUT/$name.raucb"
content="$WORK/bundle-content"
rm -rf "$content"; mkdir -p "$content"

# The tree as the bundle carries it: this version's release file, no data partition
# contents, and (tests only) the broken unit. Everything is put back on exit.
DATADIR="$WORK/bundle-data"
release="$ROOTFS/etc/hearth/release"
broken="$ROOTFS/etc/systemd/system/hearth-migrate.service.d/zz-broken-for-test.conf"
cp -a "$release" "$WORK/release.orig"
rm -rf "$DATADIR"; mkdir -p "$DATADIR"
cp -a "$ROOTFS/var/lib/hearth/." "$DATADIR/"
restore() {
  find "$ROOTFS/var/lib/hearth" -mindepth 1 -delete
  cp -a "$DATADIR/." "$ROOTFS/var/lib/hearth/"; rm -rf "$DATADIR"
  cp -a "$WORK/release.orig" "$release"; rm -f "$broken" "$WORK/release.orig"
  rmdir "$(dirname "$broken")" 2>/dev/null || true
}
trap restore EXIT
trap 'exit 1' INT TERM
find "$ROOTFS/var/lib/hearth" -mindepth 1 -delete
sed -i -E "s|^VERSION=.*|VERSION=$VERSION|; s|^BUILD_DATE=.*|BUILD_DATE=$BUILD_DATE|" "$release"
if [ "${BUNDLE_BREAK:-}" = migrate ]; then
  mkdir -p "$(dirname "$broken")"
  printf '# A deliberately broken unit (BUNDLE_BREAK=migrate): the update test'"'"'s rollback.\n[Service]\nExecStart=\nExecStart=/bin/false\n' > "$broken"
elif [ -n "${BUNDLE_BREAK:-}" ]; then
  log "BUNDLE_BREAK must be migrate"; exit 1
fi

# The slot's file system: as small as the tree allows (RAUC writes every byte of it and
# then grows it to the partition, resize=true in system.conf).
used_mib=$(( $(du -s -B1M --one-file-system "$ROOTFS" | cut -f1) ))
img_mib=$(( used_mib * 115 / 100 + 256 ))
[ "$img_mib" -le "$ROOT_MIB" ] || { log "the tree ($used_mib MiB) does not fit a $ROOT_MIB MiB slot"; exit 1; }
truncate -s "${img_mib}M" "$content/root.ext4"
mkfs.ext4 -q -F -L hearth-root -E root_owner=0:0 -d "$ROOTFS" "$content/root.ext4"
restore; trap - EXIT

cat > "$content/manifest.raucm" <<MANIFEST
[update]
compatible=hearth-$PROFILE
version=$VERSION
build=$BUILD_DATE
description=Hearth $VERSION ($PROFILE) root file system${BUNDLE_BREAK:+, broken on purpose ($BUNDLE_BREAK) for the update test}

[bundle]
format=verity

[image.rootfs]
filename=root.ext4
MANIFEST
rm -f "$dest" "$dest.sha256"
# zstd: the box's kernel reads it, and it packs on 2 cores in a fraction of gzip's time
rauc bundle --cert="$CERT" --key="$KEY" --signing-keyring="$KEYRING" \
  --mksquashfs-args="-comp zstd -Xcompression-level ${BUNDLE_ZSTD_LEVEL:-6}" "$content" "$dest" >&2
rm -rf "$content"
(cd "$OUT" && sha256sum "$(basename "$dest")" > "$(basename "$dest").sha256")
rauc info --keyring="$KEYRING" "$dest" 2>/dev/null | grep -E "Compatible|Version|Build|Bundle Format|Verified" >&2 || true
log "$dest: $(du -h "$dest" | cut -f1) (root image ${img_mib} MiB, tree ${used_mib} MiB); $(cut -d' ' -f1 "$dest.sha256")"
