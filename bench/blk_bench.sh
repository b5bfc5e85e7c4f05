#!/bin/sh
# make bench, part 2: the guest's fio against the host's fio, same job, same backing
# file (cache=none, direct=1), interleaved runs, medians, as ratios.
#   4k random writes at queue depth 32, and 1M sequential writes at queue depth 4.
set -eu
cd "$(dirname "$0")/.."
RUNS=${BLK_BENCH_RUNS:-3}
RUNTIME=${BLK_BENCH_RUNTIME:-5s}
VMS=./harness/vmsweep
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/vmsweep-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
img=$dir/disk.img

# Written through once: the steady state, not the host file system allocating blocks.
dd if=/dev/zero of="$img" bs=1M count=1024 oflag=direct status=none

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "## virtio-blk: guest fio vs host fio on the same file (median of $RUNS, interleaved, $RUNTIME each)"
echo
echo "| job (guest configuration) | host IOPS | guest IOPS | IOPS ratio | host MiB/s | guest MiB/s | bw ratio | host p50 / p99 clat | guest p50 / p99 clat | added p50 / p99 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
# job | label | guest options (default: interrupt completions, 2 vCPUs)
cases="randwrite-4k-qd32|interrupts|--vcpus 2
randwrite-4k-qd32|polled, 1 vCPU|--vcpus 1 --set blk_poll=1 --blk-poll-us 200
seqwrite-1m-qd4|interrupts|--vcpus 2"
echo "$cases" | while IFS='|' read -r w label gopts; do
	sed "s/^runtime=.*/runtime=$RUNTIME/" "workloads/$w.fio" >"$dir/$w.fio"
	: >"$dir/host" && : >"$dir/guest"
	for i in $(seq 1 "$RUNS"); do
		$VMS baseline --job "$dir/$w.fio" --disk "$img,size=1G" >"$dir/h.json"
		# shellcheck disable=SC2086 # gopts is a list of options
		$VMS boot $gopts --job "$dir/$w.fio" --disk "$img,size=1G" --log "$dir/console.log" >"$dir/g.json" 2>/dev/null
		for side in h:host g:guest; do
			jq -r '.jobs[0].write | "\(.iops) \(.bw_bytes) \(.clat_ns.percentile["50.000000"]) \(.clat_ns.percentile["99.000000"])"' \
				"$dir/${side%%:*}.json" >>"$dir/${side#*:}"
		done
	done
	for side in host guest; do
		for col in 1 2 3 4; do
			cut -d' ' -f$col "$dir/$side" | median >"$dir/$side.$col"
		done
	done
	awk -v w="$w ($label)" -v hi="$(cat "$dir/host.1")" -v gi="$(cat "$dir/guest.1")" -v hb="$(cat "$dir/host.2")" \
		-v gb="$(cat "$dir/guest.2")" -v h50="$(cat "$dir/host.3")" -v g50="$(cat "$dir/guest.3")" \
		-v h99="$(cat "$dir/host.4")" -v g99="$(cat "$dir/guest.4")" 'BEGIN {
		printf "| %s | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f | %.0f / %.0f us | %.0f / %.0f us | %+.0f / %+.0f us |\n",
			w, hi, gi, gi / hi, hb / 1048576, gb / 1048576, gb / hb, h50 / 1000, h99 / 1000, g50 / 1000, g99 / 1000,
			(g50 - h50) / 1000, (g99 - h99) / 1000 }'
done
