#!/bin/sh
# The Debian base of every IMAS image, made here from Debian's own packages: debootstrap a
# minimal bookworm, trim what a container never reads, and import it into Docker. No image
# registry is involved, so the images build where only a Debian mirror is reachable.
#
#   deploy/docker/debian-base.sh [TAG]          (as root; needs debootstrap and a Docker engine)
#
# DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR choose the mirrors (the root filesystem keeps them
# in its apt sources, so images built on it install from the same place).
set -eu

tag=${1:-imas-debian:bookworm}
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
docker=${DOCKER:-docker}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT INT TERM

debootstrap --variant=minbase "$suite" "$root" "$mirror"

cat > "$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
SOURCES
# What derived images install stays small: no recommended packages, no documentation, no
# translations, no apt lists left behind (the same trims as Debian's own "slim" images).
cat > "$root/etc/apt/apt.conf.d/90imas" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
APT
cat > "$root/etc/dpkg/dpkg.cfg.d/90imas" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
DPKG
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* "$root/usr/share/locale/"* \
    "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb \
    "$root/var/lib/apt/lists/"* "$root/var/log/"*.log "$root/var/log/apt/"* \
    "$root/tmp/"* "$root/root/."??*
# A container has no hostname or resolver of its own until the engine provides them.
: > "$root/etc/hostname"
: > "$root/etc/resolv.conf"

tar --numeric-owner -C "$root" -c . | "$docker" import \
    --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    - "$tag"
echo "built $tag from $mirror ($suite)"
