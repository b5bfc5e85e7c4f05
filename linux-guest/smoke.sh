#!/bin/sh
# End-to-end check of the Linux guest with raw QEMU (no libvirt): builds a per-run cpio
# (run.conf + a small fio job), a 512 MiB ext3 disk, boots build/linux/ under TCG with the
# tools disk last, and checks the framing on the data port. Prints the timings seen from
# the host. Usage:
#   linux-guest/smoke.sh [-m MiB] [-s vCPUs] [-c CPU] [-a 'extra kernel args'] [-n] [-z] [-k DIR]
#     -m guest RAM (256)   -c QEMU -cpu model (QEMU's default)   -n no fio line in run.conf
#     -t SECONDS: give up after (120)
#     -z boot the bzImage (vmlinuz) rather than the PVH ELF (vmlinux)
#     -k DIR: work in DIR and keep it (console.log, data.log)    -C FILE: use FILE as run.conf
set -eu
here=$(cd "$(dirname "$0")" && pwd)
L=${LINUX_GUEST_DIR:-$(dirname "$here")/build/linux}
mem=256 smp=2 cpu="" extra="" nofio="" keep="" conf="" kernel=vmlinux limit=120
while getopts m:s:c:a:nzk:C:t: o; do
	case $o in
	m) mem=$OPTARG ;; s) smp=$OPTARG ;; c) cpu=$OPTARG ;; a) extra=$OPTARG ;;
	t) limit=$OPTARG ;; n) nofio=1 ;; z) kernel=vmlinuz ;; k) keep=$OPTARG ;; C) conf=$OPTARG ;;
	*) exit 2 ;;
	esac
done
for f in $kernel initramfs.cpio.gz tools.img; do
	[ -f "$L/$f" ] || { echo "smoke: no $L/$f (run make linux-guest)" >&2; exit 1; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "smoke: no qemu-system-x86_64 (make deps)" >&2; exit 1; }
if [ -n "$keep" ]; then D=$keep; rm -rf "$D"; mkdir -p "$D"; else D=$(mktemp -d); trap 'rm -rf "$D"' EXIT; fi

mkdir -p "$D/in/vmsweep"
if [ -n "$conf" ]; then cp "$conf" "$D/in/vmsweep/run.conf"; else
cat >"$D/in/vmsweep/run.conf" <<'CONF'
# smoke test
sysctl vm.dirty_ratio=20
write /sys/kernel/mm/transparent_hugepage/enabled never
mkdir /mnt/vda
mount /dev/vda /mnt/vda ext3 data=ordered,commit=5,barrier=1
CONF
[ -n "$nofio" ] || echo "fio --output-format=json+ /vmsweep/job.fio" >>"$D/in/vmsweep/run.conf"
fi
cat >"$D/in/vmsweep/job.fio" <<'JOB'
[global]
ioengine=psync
bs=4k
size=16M
runtime=2
[randwrite]
rw=randwrite
filename=/mnt/vda/f
JOB
(cd "$D/in" && find vmsweep | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$D/run.cpio"
cat "$L/initramfs.cpio.gz" "$D/run.cpio" >"$D/initrd"
truncate -s 512M "$D/vda.img"
mkfs.ext3 -q -b 4096 -F "$D/vda.img"

now() { date +%s%N; }
t0=$(now)
# shellcheck disable=SC2086
qemu-system-x86_64 -accel tcg ${cpu:+-cpu $cpu} -m "$mem" -smp "$smp" -nographic -no-reboot \
	-nic none -monitor none -kernel "$L/$kernel" -initrd "$D/initrd" \
	-append "console=ttyS0 panic=-1 mitigations=off $extra" \
	-serial "file:$D/console.log" -serial "file:$D/data.log" \
	-drive "file=$D/vda.img,if=virtio,format=raw,cache=none" \
	-drive "file=$L/tools.img,if=virtio,format=raw,readonly=on" &
qpid=$!
tb="" td="" i=0
end=$(($(now) + limit * 1000000000))
while kill -0 $qpid 2>/dev/null && [ "$(now)" -lt $end ]; do
	if [ -z "$tb" ] && grep -q '^vmsweep-end boot-uptime' "$D/data.log" 2>/dev/null; then tb=$(now); fi
	if [ -z "$td" ] && grep -q '^vmsweep-done' "$D/data.log" 2>/dev/null; then td=$(now); fi
	sleep 0.02
	i=$((i + 1))
done
if kill -0 $qpid 2>/dev/null; then kill $qpid; echo "smoke: timeout" >&2; fi
wait $qpid || true
te=$(now)
ms() { [ -n "$1" ] && echo $((($1 - t0) / 1000000)) || echo "-"; }
sect() { awk -v n="$1" '$0 == "vmsweep-begin " n { f = 1; next } $1 == "vmsweep-end" && $2 == n { f = 0 } f' "$D/data.log"; }
up=$(sect boot-uptime | cut -d' ' -f1)
avail=$(sect meminfo | awk '/^MemAvailable/ { print $2 }')
free=$(sect meminfo | awk '/^MemFree/ { print $2 }')
done_line=$(grep '^vmsweep-done' "$D/data.log" || echo "no vmsweep-done")
echo "smoke: $kernel ${mem}M ${smp} vCPUs cpu=${cpu:-default} $extra: boot-uptime at $(ms "$tb") ms (guest uptime ${up:-?} s), done at $(ms "$td") ms, qemu exit at $(ms "$te") ms; $done_line"
echo "smoke: MemAvailable ${avail:-?} kB, MemFree ${free:-?} kB (after the run)"
if [ -z "$nofio" ] && [ -z "$conf" ]; then
	sect fio.json | jq -r '.jobs[0].write | "smoke: fio randwrite \(.iops|floor) IOPS, clat p99 \(.clat_ns.percentile["99.000000"]) ns"' ||
		echo "smoke: fio.json is not JSON"
fi
sect error | sed 's/^/smoke: error: /'
[ "$done_line" = "vmsweep-done rc=0" ]
