#!/usr/bin/env bash
# Stage compress: the image for flashing, and its checksum.
#   COMPRESS=zstd (default for make image / image-test: seconds, what CI uses)
#   COMPRESS=xz   (releases: `make release`; about 13 min for a 2 GiB image on 2 cores)
STAGE=compress
. "$(dirname "$0")/lib.sh"
COMPRESS="${COMPRESS:-zstd}"
mkdir -p "$OUT"
name="$(basename "$IMAGE_RAW")"
case "$COMPRESS" in
  xz)   dest="$OUT/$name.xz";  xz -T0 -6 -c "$IMAGE_RAW" > "$dest.part" ;;
  zstd) dest="$OUT/$name.zst"; zstd -q -T0 -"${ZSTD_LEVEL:-6}" -f "$IMAGE_RAW" -o "$dest.part" ;;
  *) log "COMPRESS must be zstd or xz"; exit 1 ;;
esac
mv "$dest.part" "$dest"
(cd "$OUT" && sha256sum "$(basename "$dest")" > "$(basename "$dest").sha256")
log "$dest: $(du -h "$dest" | cut -f1); $(cat "$dest.sha256")"
