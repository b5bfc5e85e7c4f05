#!/bin/sh
# Builds the Linux guest of the libvirt backend (#18) into build/linux/ (or $1):
#   vmlinuz            the Debian kernel (the package linux-image-amd64 depends on), from its .deb
#   vmlinux            the same kernel uncompressed (ELF with a PVH entry note): QEMU boots it
#                      with -kernel (libvirt <kernel>) about 3 s faster under TCG, where the
#                      bzImage spends that long decompressing itself (xz)
#   VERSION            its release (uname -r), one line
#   initramfs.cpio.gz  busybox-static, the modules for virtio-blk on PCI and ext3 (ext4), init,
#                      /bin/vmsweep-memjob (memjob.c, built static with the host's gcc);
#                      zero-padded to a multiple of 4 bytes so that the host can append a
#                      per-run newc cpio to it
#   tools.img          read-only ext2 labelled vmsweep-tools: fio, its libraries, the loader
#   MANIFEST           what went in (package versions, sha256 of the inputs and outputs)
# Idempotent: nothing is rebuilt when the inputs are unchanged. Reproducible: fixed times,
# owners, UUID and hash seed, sorted archives (SOURCE_DATE_EPOCH overrides the time).
# The kernel .deb is kept in build/linux/cache/ and reused; LINUX_PKG=linux-image-X-amd64
# picks another one. No root needed (apt-get download and dpkg-deb -x run as any user).
set -eu
PATH=$PATH:/usr/sbin:/sbin        # depmod, mke2fs, debugfs: not in a user's PATH on Debian

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
OUT=${1:-$top/build/linux}
EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
TOOLS_LABEL=vmsweep-tools
TOOLS_UUID=6d6d7377-6565-7000-8000-746f6f6c7300      # fixed: reproducible image
# the modules init loads; their dependencies come from modules.dep
ROOT_MODULES="virtio_pci virtio_blk crc32c_generic ext4"

die() { echo "linux-guest: $*" >&2; exit 1; }
say() { echo "linux-guest: $*"; }

# ---- what must be installed ----
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $1 ($2)"; }
need apt-get apt
need apt-cache apt
need dpkg-deb dpkg
need depmod kmod
need cpio cpio
need gzip gzip
need mke2fs e2fsprogs
need debugfs e2fsprogs
need ldd libc-bin
need sha256sum coreutils
need xz xz-utils
need readelf binutils
need gcc gcc
[ -x /usr/bin/fio ] || missing="$missing /usr/bin/fio (fio)"
BUSYBOX=/bin/busybox
if [ ! -x $BUSYBOX ] || ldd $BUSYBOX >/dev/null 2>&1; then
	missing="$missing $BUSYBOX-static-binary (busybox-static)"
fi
[ -z "$missing" ] || die "missing:$missing; run make deps"

mkdir -p "$OUT/cache"
OUT=$(cd "$OUT" && pwd)

# ---- the kernel package ----
deb=$(ls "$OUT"/cache/linux-image-*.deb 2>/dev/null | LC_ALL=C sort | tail -n 1 || true)
if [ -n "${LINUX_PKG:-}" ]; then
	deb=$(ls "$OUT/cache/${LINUX_PKG}"_*.deb 2>/dev/null | LC_ALL=C sort | tail -n 1 || true)
	pkg=$LINUX_PKG
elif [ -z "$deb" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || die "apt-cache knows no linux-image-amd64 (run apt-get update)"
fi
if [ -z "$deb" ]; then
	say "downloading $pkg"
	(cd "$OUT/cache" && apt-get download "$pkg" >/dev/null 2>"$OUT/cache/download.err") ||
		die "apt-get download $pkg failed ($(tail -n 1 "$OUT/cache/download.err")); run apt-get update?"
	rm -f "$OUT/cache/download.err"
	deb=$(ls "$OUT/cache/${pkg}"_*.deb 2>/dev/null | LC_ALL=C sort | tail -n 1 || true)
	[ -n "$deb" ] || die "apt-get download $pkg left no .deb in $OUT/cache"
fi
dpkg-deb --info "$deb" >/dev/null 2>&1 || die "$deb is not a valid .deb (delete it and run again)"

# ---- fio's files: the binary, every library ldd lists, the loader ----
FIO=/usr/bin/fio
fio_files=$(ldd $FIO | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | LC_ALL=C sort -u)
LOADER=$(ldd $FIO | awk '$1 ~ /^\// && $1 ~ /ld-linux/ { print $1 }')
[ -n "$LOADER" ] || die "ldd $FIO lists no dynamic loader"
for f in $fio_files; do [ -r "$f" ] || die "ldd $FIO: $f is not readable"; done

# ---- up to date? ----
inputs=$( {
	echo "epoch $EPOCH modules $ROOT_MODULES"
	sha256sum "$deb" "$BUSYBOX" "$here/init" "$here/build.sh" "$here/memjob.c" "$top/include/vmsweep/hist.h" $FIO
	gcc --version | head -n 1
	for f in $fio_files; do sha256sum "$(readlink -f "$f")" | sed "s|  .*|  $f|"; done
} | sha256sum | cut -d' ' -f1)
if [ -f "$OUT/.inputs" ] && [ "$(cat "$OUT/.inputs")" = "$inputs" ] &&
	[ -f "$OUT/vmlinuz" ] && [ -f "$OUT/vmlinux" ] && [ -f "$OUT/initramfs.cpio.gz" ] && [ -f "$OUT/tools.img" ] && [ -f "$OUT/VERSION" ]; then
	say "up to date ($(cat "$OUT/VERSION"))"
	exit 0
fi
rm -f "$OUT/.inputs"

W=$OUT/.work
rm -rf "$W"
mkdir -p "$W"
trap 'rm -rf "$W"' EXIT

# ---- the kernel ----
say "extracting $(basename "$deb")"
dpkg-deb -x "$deb" "$W/k"
kver=$(ls "$W/k/lib/modules" | head -n 1)
[ -n "$kver" ] && [ -f "$W/k/boot/vmlinuz-$kver" ] || die "$deb holds no boot/vmlinuz-* with lib/modules/*"
depmod -b "$W/k" "$kver" || die "depmod on the extracted kernel failed"
K=$W/k/lib/modules/$kver

# modpath NAME: the module's path under lib/modules/KVER (from modules.dep)
modpath() {
	awk -v n="$1" -F: '{ p = $1; b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b);
		gsub(/-/, "_", b); if (b == n) { print p; exit } }' "$K/modules.dep"
}
# load order: each module after its dependencies (depth first over modules.dep)
ORDER=""
visit() {
	case " $ORDER " in *" $1 "*) return ;; esac
	for d in $(awk -v p="$1" -F': *' '$1 == p { print $2; exit }' "$K/modules.dep"); do visit "$d"; done
	ORDER="$ORDER $1"
}
for m in $ROOT_MODULES; do
	p=$(modpath "$m")
	[ -n "$p" ] || die "module $m is not in $(basename "$deb") (builtin? see modules.builtin)"
	visit "$p"
done

# ---- initramfs ----
say "initramfs: busybox, modules:$(for p in $ORDER; do b=${p##*/}; printf ' %s' "${b%.ko*}"; done)"
R=$W/root
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/run" "$R/tmp" "$R/mnt" "$R/tools" "$R/vmsweep" "$R/lib/modules/$kver"
ln -s bin "$R/sbin"                 # /sbin/modprobe for the kernel's request_module
cp $BUSYBOX "$R/bin/busybox"
for a in $($BUSYBOX --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done
cp "$here/init" "$R/init"
# the memory jobs' program (ioengine=mem through fio's exec engine): static, as busybox, so
# it needs nothing from the tools disk; warnings are errors, as in the rest of vmsweep
gcc -static -O2 -Wall -Wextra -Werror -I"$top/include" -o "$R/bin/vmsweep-memjob" "$here/memjob.c" ||
	die "gcc -static memjob.c failed (libc6-dev has libc.a)"
strip "$R/bin/vmsweep-memjob"
for p in $ORDER; do
	mkdir -p "$R/lib/modules/$kver/$(dirname "$p")"
	cp "$K/$p" "$R/lib/modules/$kver/$p"
done
cp "$K/modules.builtin" "$K/modules.order" "$R/lib/modules/$kver/"
# modules.dep etc. for busybox modprobe (the kernel's request_module); init itself insmods
# vmsweep.load in order
depmod -b "$R" "$kver" 2>"$W/depmod.err" || die "depmod on the initramfs failed: $(cat "$W/depmod.err")"
echo $ORDER | tr ' ' '\n' >"$R/lib/modules/$kver/vmsweep.load"
chmod -R u+rwX,go+rX,go-w "$R"
chmod 0755 "$R/init" "$R/bin/busybox" "$R/bin/vmsweep-memjob"
find "$R" -exec touch -h -d "@$EPOCH" {} +
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -9 >"$W/initramfs.cpio.gz"
size=$(stat -c %s "$W/initramfs.cpio.gz")
head -c $(((4 - size % 4) % 4)) /dev/zero >>"$W/initramfs.cpio.gz"

# ---- tools.img ----
T=$W/tools
mkdir -p "$T"
for f in $FIO $fio_files; do
	mkdir -p "$T$(dirname "$f")"
	cp -L "$f" "$T$f"
	chmod 0755 "$T$f"
done
libpath=$(for f in $fio_files; do [ "$f" = "$LOADER" ] || dirname "$f"; done | LC_ALL=C sort -u | tr '\n' ':')
{
	echo "# the tools disk of vmsweep's Linux guest: init sources this"
	echo "FIO=$FIO"
	echo "LOADER=$LOADER"
	echo "LIBPATH=${libpath%:}"
	echo "FIO_VERSION=$($FIO --version)"
} >"$T/vmsweep-tools.env"
chmod -R u+rwX,go+rX,go-w "$T"
find "$T" -exec touch -h -d "@$EPOCH" {} +
kb=$(du -sk --apparent-size "$T" | cut -f1)
kb=$(((kb + kb / 10 + 4096) / 4 * 4))
truncate -s "${kb}K" "$W/tools.img"
E2FSPROGS_FAKE_TIME=$EPOCH mke2fs -q -t ext2 -b 4096 -m 0 -L "$TOOLS_LABEL" -U "$TOOLS_UUID" \
	-E "hash_seed=$TOOLS_UUID,root_owner=0:0,nodiscard" -d "$T" "$W/tools.img" ||
	die "mke2fs -d $T failed"
# mke2fs -d copies each file's ctime, which touch cannot set, and the atimes that reading the
# tree just updated: set them all to the epoch
(cd "$T" && find . | LC_ALL=C sort | sed -e 's|^\.||' -e 's|^$|/|' |
	awk -v e="$EPOCH" '{ print "sif \"" $0 "\" ctime @" e; print "sif \"" $0 "\" atime @" e }') >"$W/ctime.cmds"
printf 'sif /lost+found ctime @%s\nsif /lost+found atime @%s\n' "$EPOCH" "$EPOCH" >>"$W/ctime.cmds"
E2FSPROGS_FAKE_TIME=$EPOCH debugfs -w -f "$W/ctime.cmds" "$W/tools.img" >/dev/null 2>"$W/debugfs.err" ||
	die "debugfs (setting ctimes) failed: $(cat "$W/debugfs.err")"
! grep -v '^debugfs ' "$W/debugfs.err" | grep -q . || die "debugfs (setting ctimes): $(cat "$W/debugfs.err")"

# ---- vmlinux: the ELF inside the bzImage (extract-vmlinux's way, for xz) ----
cp "$W/k/boot/vmlinuz-$kver" "$W/vmlinuz"
off=$(LC_ALL=C grep -obUa "$(printf '\3757zXZ')" "$W/vmlinuz" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || die "vmlinuz-$kver is not xz-compressed: cannot extract vmlinux"
tail -c +$((off + 1)) "$W/vmlinuz" | xz -dc --single-stream >"$W/vmlinux" 2>/dev/null ||
	die "cannot decompress the kernel inside vmlinuz-$kver"
readelf -n "$W/vmlinux" 2>/dev/null | grep -q 'Xen.*(0x00000012)' ||
	die "vmlinux has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): QEMU could not boot it"

# ---- install ----
echo "$kver" >"$W/VERSION"
for f in vmlinuz vmlinux VERSION initramfs.cpio.gz tools.img; do mv -f "$W/$f" "$OUT/$f"; done
{
	echo "kernel $kver $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) $(basename "$deb")"
	echo "busybox $(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null)"
	echo "fio $($FIO --version) $(dpkg-query -W -f '${Version}' fio 2>/dev/null) libraries $(echo $fio_files | wc -w)"
	echo "modules$(for p in $ORDER; do b=${p##*/}; printf ' %s' "${b%.ko*}"; done)"
	echo "epoch $EPOCH"
	(cd "$OUT" && sha256sum vmlinuz vmlinux initramfs.cpio.gz tools.img)
} >"$OUT/MANIFEST"
echo "$inputs" >"$OUT/.inputs"
say "built $OUT: kernel $kver, initramfs $(stat -c %s "$OUT/initramfs.cpio.gz") bytes, tools.img $((kb / 1024)) MiB"
