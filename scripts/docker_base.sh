#!/usr/bin/env bash
# Builds a Debian bookworm base image with Python 3.11 from Debian's own packages (debootstrap, then
# `docker import`), for building the Activation Lab image where no container registry can be reached:
#   scripts/docker_base.sh && docker build --build-arg PYTHON_IMAGE=actlab-base:bookworm -t actlab .
# It carries this machine's CA bundle and sets PIP_CERT to it, so pip inside the build trusts the same
# certificates as pip on the host. Idempotent: an existing image is kept as it is (docker rmi it to rebuild).
# Settings: ACTLAB_BASE_IMAGE (the tag), DEBIAN_MIRROR (default: the mirror apt uses here, else deb.debian.org).
set -euo pipefail

IMAGE="${ACTLAB_BASE_IMAGE:-actlab-base:bookworm}"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "scripts/docker_base.sh: $IMAGE exists"
  exit 0
fi

apt_mirror() {
  # The first Debian (not -security) URI apt is configured with, in either sources format.
  { grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
  } | grep -E '/debian/?$' | head -n 1 || true
}
MIRROR="${DEBIAN_MIRROR:-$(apt_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

command -v debootstrap >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
}

ROOTFS="$(mktemp -d "${TMPDIR:-/var/tmp}/actlab-base.XXXXXX")"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
  bookworm "$ROOTFS" "$MIRROR"
# The host's bundle holds any CA that this machine's own pip and apt need (a TLS-inspecting proxy's, say).
install -m 0644 /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/tmp/*
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV LANG=C.UTF-8 PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' \
  - "$IMAGE"
echo "scripts/docker_base.sh: built $IMAGE from $MIRROR"
