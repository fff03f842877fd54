#!/usr/bin/env bash
# Stage keys: the signing certificate the box's update keyring trusts, and its key.
#   Development (default): a throwaway CA and signing key made here, in out/keys/ (never
#   committed; `make clean` removes them), so a build and its tests can sign bundles.
#   Production: UPDATE_CA=ca.cert.pem UPDATE_CERT=... UPDATE_KEY=... (files or PKCS#11
#   URLs for the key), kept off the build tree; see README "Update signing keys".
STAGE=keys
. "$(dirname "$0")/lib.sh"
KEYS="$OUT/keys"
if [ -n "${UPDATE_CA:-}" ]; then
  [ -s "$UPDATE_CA" ] || { log "UPDATE_CA=$UPDATE_CA: no such file"; exit 1; }
  log "keyring: $UPDATE_CA (production)"; exit 0
fi
mkdir -p "$KEYS"; chmod 0700 "$KEYS"
if [ -s "$KEYS/dev-ca.cert.pem" ] && [ -s "$KEYS/dev-signing.key.pem" ] && [ -s "$KEYS/dev-signing.cert.pem" ]; then
  log "development keys already in $KEYS"; exit 0
fi
umask 077
subj="/O=Hearth development (not for production)"
openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -sha256 -subj "$subj/CN=Hearth development update CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$KEYS/dev-ca.key.pem" -out "$KEYS/dev-ca.cert.pem" 2>/dev/null
openssl req -newkey rsa:3072 -nodes -sha256 -subj "$subj/CN=Hearth development bundle signer" \
  -keyout "$KEYS/dev-signing.key.pem" -out "$KEYS/dev-signing.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' > "$KEYS/ext.cnf"
openssl x509 -req -in "$KEYS/dev-signing.csr" -CA "$KEYS/dev-ca.cert.pem" -CAkey "$KEYS/dev-ca.key.pem" \
  -CAcreateserial -days 1825 -sha256 -extfile "$KEYS/ext.cnf" -out "$KEYS/dev-signing.cert.pem" 2>/dev/null
rm -f "$KEYS/dev-signing.csr" "$KEYS/ext.cnf"
chmod 0644 "$KEYS"/*.cert.pem
log "development update keys made in $KEYS (the image trusts dev-ca.cert.pem)"
