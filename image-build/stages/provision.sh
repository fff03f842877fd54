#!/usr/bin/env bash
# Stage provision: apply ansible/site.yml to the tree through Ansible's chroot connection.
STAGE=provision
. "$(dirname "$0")/lib.sh"

[ -x "$ROOTFS/usr/bin/python3" ] || { log "no tree at $ROOTFS: run the bootstrap stage"; exit 1; }
trap chroot_umount EXIT
chroot_mount
# No service may start inside the chroot (Debian's maintainer scripts ask this file).
printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"

# pip inside the chroot reaches PyPI the way the host does: pass on an http(s) index the
# host's pip is configured with (file:// indexes live on the host only).
pip_index="$(pip3 config get global.index-url 2>/dev/null || true)"
case "$pip_index" in http*) ;; *) pip_index="" ;; esac
pip_index="${PIP_INDEX_URL:-$pip_index}"

# ... and trusts what the host's pip trusts (its cert setting or the system bundle, which
# may hold a proxy's CA): a copy under the chroot's /run tmpfs, gone when it is unmounted.
host_cert="${PIP_CERT:-$(pip3 config get global.cert 2>/dev/null || true)}"
host_cert="${host_cert:-/etc/ssl/certs/ca-certificates.crt}"
mkdir -p "$ROOTFS/run/hearth-build"
cp -L "$host_cert" "$ROOTFS/run/hearth-build/ca.crt"
# The host's own pip settings (local wheel folders, constraints) mean nothing in the tree.
unset PIP_FIND_LINKS PIP_CERT PIP_CONSTRAINT PIP_EXTRA_INDEX_URL PIP_INDEX_URL PIP_CONFIG_FILE \
  REQUESTS_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE

export ANSIBLE_CONFIG="$REPO/ansible/ansible.cfg"
export ANSIBLE_LOCAL_TEMP="$WORK/ansible-tmp" ANSIBLE_REMOTE_TEMP=/tmp/.ansible
export HEARTH_BUILD_TMP="$WORK"
log "ansible-playbook site.yml into $ROOTFS (profile $PROFILE)"
"$HERE/.venv/bin/ansible-playbook" -i "$ROOTFS," -c community.general.chroot \
  "$REPO/ansible/site.yml" \
  -e hearth_image_build=true -e "hearth_profile=$PROFILE" \
  -e "base_apt_mirror=$(host_mirror)" -e "base_apt_security_mirror=$(host_security_mirror)" \
  -e "hearth_pip_index_url=$pip_index" -e hearth_pip_cert=/run/hearth-build/ca.crt \
  -e "hearth_version=$VERSION" -e "hearth_build_date=${BUILD_DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}" \
  -e "updates_keyring_src=${UPDATE_CA:-$OUT/keys/dev-ca.cert.pem}" ${ANSIBLE_ARGS:-}
log "provisioned ($(du -sh --one-file-system "$ROOTFS" | cut -f1))"
