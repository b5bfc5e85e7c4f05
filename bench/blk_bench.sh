#!/usr/bin/env bash
# make bench, part 2: the guest's fio against the host's fio, same job, same backing
# file (cache=none; the host's fio runs direct=1, but the log job buffered as the guest's:
# `vmsweep baseline` runs a job that syncs each write so), interleaved host, guest, host, guest,
# so that both see the same machine; medians, and the range of the ratio, over RUNS.
#   4k random writes at queue depth 32, 4k random writes at queue depth 1, an 8k
#   fdatasync log, 1M sequential writes at queue depth 4; each completion mode.
# Latency is fio's clat, or for the log job its fdatasync ("sync") latency. CPU per
# I/O: the guest's time polling (from the run's block record), and on the host the
# vmsweep process's user + system time against the host fio's.
set -eu
cd "$(dirname "$0")/.."
RUNS=${BLK_BENCH_RUNS:-3}
RUNTIME=${BLK_BENCH_RUNTIME:-5s}
VMS=./harness/vmsweep
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/vmsweep-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
img=$dir/disk.img

# Host fio's buffers in huge pages, as `vmsweep baseline` uses them when they are free,
# and the guest's RAM too (--hugepages): buffers of scattered 4 KiB pages split a 1 MiB
# request in two on this machine's disk, and the floor is the host's best. Reserved for
# the run (as root: 128 MiB of guest RAM and host fio's buffers), given back after.
huge=no
hugeopt=""
if [ -w /proc/sys/vm/nr_hugepages ]; then
	old_huge=$(cat /proc/sys/vm/nr_hugepages)
	[ "$old_huge" -ge 96 ] || echo 96 >/proc/sys/vm/nr_hugepages
	trap 'echo "$old_huge" >/proc/sys/vm/nr_hugepages; rm -rf "$dir"' EXIT
	[ "$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)" -ge 96 ] && huge=yes && hugeopt=--hugepages
fi

# Written through once: the steady state, not the host file system allocating blocks.
dd if=/dev/zero of="$img" bs=1M count=1024 oflag=direct status=none

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }

# A line per run: iops p50_ns p99_ns cpu_ns_per_io [poll_ns_per_io]. $1: the JSON, $2: the
# direction's object in fio's JSON (.jobs[0] or .fio.jobs[0]), $3: clat or sync.
fio_line() {
	local lat='.write.clat_ns'
	[ "$3" = sync ] && lat='.sync.lat_ns'
	jq -r "$2 as \$j | \$j.write as \$w | [\$w.iops, \$j$lat.percentile[\"50.000000\"], \$j$lat.percentile[\"99.000000\"]] | map(tostring) | join(\" \")" "$1"
}

echo "## virtio-blk: guest fio vs host fio on the same file ($RUNS runs each, interleaved, $RUNTIME each; host fio's buffers and guest RAM in huge pages: $huge)"
echo
echo "| job (guest configuration) | host IOPS | guest IOPS | IOPS ratio (range) | host p50 / p99 | guest p50 / p99 | added p50 / p99 | guest polling per I/O | host CPU per I/O: fio / vmsweep |"
echo "|---|---|---|---|---|---|---|---|---|"
# workload | latency (clat or sync) | label | guest options (2 vCPUs unless said)
# (pinned, --pin io: the vCPUs off the host CPUs that take the disk's interrupts, the I/O
# thread on those)
cases="randwrite-4k-qd32|clat|hybrid (default)|--vcpus 2
randwrite-4k-qd32|clat|hybrid, 1 vCPU, --pin io|--vcpus 1 --pin io
randwrite-4k-qd32|clat|irq|--vcpus 2 --set blk_completion=irq
randwrite-4k-qd32|clat|poll, 1 vCPU|--vcpus 1 --set blk_completion=poll
randwrite-4k-qd1|clat|hybrid (default)|--vcpus 2
randwrite-4k-qd1|clat|hybrid, 1 vCPU, --pin io|--vcpus 1 --pin io
randwrite-4k-qd1|clat|hybrid, 2 vCPUs, --pin io|--vcpus 2 --pin io
randwrite-4k-qd1|clat|irq|--vcpus 2 --set blk_completion=irq
randwrite-4k-qd1|clat|poll|--vcpus 2 --set blk_completion=poll
log-8k-fdatasync|sync|hybrid (default)|--vcpus 2
log-8k-fdatasync|sync|hybrid, 1 vCPU, --pin io|--vcpus 1 --pin io
log-8k-fdatasync|sync|hybrid, 2 vCPUs, --pin io|--vcpus 2 --pin io
log-8k-fdatasync|sync|irq|--vcpus 2 --set blk_completion=irq
log-8k-fdatasync|sync|poll|--vcpus 2 --set blk_completion=poll
seqwrite-1m-qd4|clat|hybrid (default)|--vcpus 2"
echo "$cases" | while IFS='|' read -r w lat label gopts; do
	sed "s/^runtime=.*/runtime=$RUNTIME/" "workloads/$w.fio" >"$dir/$w.fio"
	: >"$dir/host" && : >"$dir/guest" && : >"$dir/ratio"
	for _ in $(seq 1 "$RUNS"); do
		$VMS baseline --job "$dir/$w.fio" --disk "$img,size=1G" >"$dir/h.json"
		TIMEFORMAT='%U %S'
		# shellcheck disable=SC2086 # gopts is a list of options
		{ time $VMS boot $gopts $hugeopt --job "$dir/$w.fio" --disk "$img,size=1G" --log "$dir/console.log" --json \
			>"$dir/g.json" 2>/dev/null; } 2>"$dir/time"
		h=$(fio_line "$dir/h.json" .jobs[0] "$lat")
		g=$(fio_line "$dir/g.json" .fio.jobs[0] "$lat")
		# host fio's CPU: usr_cpu and sys_cpu are percentages of the job's runtime (ms)
		hcpu=$(jq -r '.jobs[0] | (.usr_cpu + .sys_cpu) / 100 * .job_runtime * 1e6 / ([.write.total_ios, .read.total_ios] | add)' "$dir/h.json")
		gcpu=$(jq -r --argjson t "$(awk '{ print ($1 + $2) * 1e9 }' "$dir/time")" \
			'$t / ([.fio.jobs[0].write.total_ios, .fio.jobs[0].read.total_ios] | add)' "$dir/g.json")
		poll=$(jq -r '.block[0].poll_ns_per_io // 0' "$dir/g.json")
		echo "$h $hcpu" >>"$dir/host"
		echo "$g $gcpu $poll" >>"$dir/guest"
		echo "$h $g" | awk '{ print $4 / $1 }' >>"$dir/ratio"
	done
	for side in host guest; do
		for col in 1 2 3 4 5; do
			cut -d' ' -f$col "$dir/$side" | median >"$dir/$side.$col" 2>/dev/null || true
		done
	done
	awk -v w="$w ($label)" -v hi="$(cat "$dir/host.1")" -v gi="$(cat "$dir/guest.1")" -v rr="$(range <"$dir/ratio")" \
		-v h50="$(cat "$dir/host.2")" -v g50="$(cat "$dir/guest.2")" -v h99="$(cat "$dir/host.3")" \
		-v g99="$(cat "$dir/guest.3")" -v hc="$(cat "$dir/host.4")" -v gc="$(cat "$dir/guest.4")" \
		-v gp="$(cat "$dir/guest.5")" 'BEGIN {
		printf "| %s | %.0f | %.0f | %.2f (%s) | %.0f / %.0f us | %.0f / %.0f us | %+.0f / %+.0f us | %.1f us | %.1f / %.1f us |\n",
			w, hi, gi, gi / hi, rr, h50 / 1000, h99 / 1000, g50 / 1000, g99 / 1000,
			(g50 - h50) / 1000, (g99 - h99) / 1000, gp / 1000, hc / 1000, gc / 1000 }'
done
