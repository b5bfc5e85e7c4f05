#!/bin/sh
# Installs the Debian packages vmsweep needs, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -e
PKGS="gcc make libc6-dev linux-libc-dev libjansson-dev libcmocka-dev liburing-dev \
libsqlite3-dev sqlite3 zlib1g-dev libinih-dev libgsl-dev gnuplot-nox fio jq clang libclang-rt-14-dev \
e2fsprogs \
libvirt-daemon libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients libvirt-dev qemu-system-x86 busybox-static \
libxml2-utils kmod cpio xz-utils binutils \
slurm-wlm munge util-linux-extra"
# The Linux guest of the libvirt backend (linux-guest/build.sh) needs the two lines before the
# last: QEMU and libvirt, busybox-static, and kmod (depmod), cpio, xz-utils and binutils (readelf)
# to build its images. Its kernel is not installed: build.sh fetches the .deb with apt-get download.
# slurm-wlm and munge are needed only by `vmsweep submit --slurm` and its test (t_slurm), which
# starts a private single-node Slurm through tests/integration/slurm_local.sh. util-linux-extra:
# fincore, with which t_baseline sees an image's pages left in the host's cache.
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root:  apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "deps: apt-get install$missing failed" >&2
	exit 1
}
echo "deps: installed$missing"
