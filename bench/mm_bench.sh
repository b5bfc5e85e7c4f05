#!/bin/sh
# make bench, part 4: the guest's memory manager.
#  - page allocation throughput: a churn memory job (allocate, zero and map 16 MiB page by
#    page, free it, again) against the host kernel doing the same with mmap and
#    MADV_DONTNEED (build/bench/page_floor_bench), on one CPU and on all;
#  - reclaim throughput: pages kswapd reclaimed per second while a 96 MiB job cycles
#    through a 64 MiB guest with a swap disk (cache=unsafe: the host's page cache).
# Medians of MM_BENCH_RUNS runs.
set -eu
cd "$(dirname "$0")/.."
RUNS=${MM_BENCH_RUNS:-5}
VMS=./harness/vmsweep
CPUS=$(nproc)
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/vmsweep-mmbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '[churn]\nioengine=mem\nsize=16m\nmem_access=churn\nruntime=1s\ntime_based\nnumjobs=%s\n' 1 >"$dir/churn1.fio"
printf '[churn]\nioengine=mem\nsize=16m\nmem_access=churn\nruntime=1s\ntime_based\nnumjobs=%s\n' "$CPUS" >"$dir/churnN.fio"
printf '[cycle]\nioengine=mem\nsize=96m\nmem_access=seq\nruntime=3s\ntime_based\n' >"$dir/cycle.fio"

# pages allocated per second by all memory jobs of a run (the longest job's time)
alloc_rate() { jq '([.mem_jobs[].pages_allocated] | add) / ([.mem_jobs[] | .end_ns - .start_ns] | max) * 1e9' "$1"; }

: >"$dir/g1" && : >"$dir/gN" && : >"$dir/rec" && : >"$dir/recd"
for _ in $(seq 1 "$RUNS"); do
	$VMS boot --memory 256M --vcpus 1 --job "$dir/churn1.fio" --json --log "$dir/console.log" >"$dir/o.json"
	alloc_rate "$dir/o.json" >>"$dir/g1"
	$VMS boot --memory 256M --vcpus "$CPUS" --job "$dir/churnN.fio" --json --log "$dir/console.log" >"$dir/o.json"
	alloc_rate "$dir/o.json" >>"$dir/gN"
	$VMS boot --memory 64M --vcpus "$CPUS" --disk "$dir/swap.img,size=256M,swap,cache=unsafe" --job "$dir/cycle.fio" \
		--json --log "$dir/console.log" >"$dir/o.json"
	jq '.vmstat.counters.pgsteal_kswapd / (.mem_jobs[0].end_ns - .mem_jobs[0].start_ns) * 1e9' "$dir/o.json" >>"$dir/rec"
	jq -r '"\(.vmstat.counters.pgsteal_direct / (.mem_jobs[0].end_ns - .mem_jobs[0].start_ns) * 1e9) \(.vmstat.counters.pswpout)"' \
		"$dir/o.json" >>"$dir/recd"
done
./build/bench/page_floor_bench --reps "$RUNS" >"$dir/host"
h1=$(awk '$1 == "host_pages_per_s_1cpu" { print $2 }' "$dir/host")
hN=$(awk '$1 == "host_pages_per_s_allcpu" { print $2 }' "$dir/host")
g1=$(median <"$dir/g1") gN=$(median <"$dir/gN") rec=$(median <"$dir/rec")
recd=$(cut -d' ' -f1 "$dir/recd" | median)

echo "## Memory manager (median of $RUNS)"
echo
echo "| measure | host kernel | guest | ratio |"
echo "|---|---|---|---|"
awk -v h="$h1" -v g="$g1" 'BEGIN { printf "| page allocation, 1 CPU (pages/s: allocate, zero, map, free) | %.0f | %.0f | %.2f |\n", h, g, g / h }'
awk -v h="$hN" -v g="$gN" -v n="$CPUS" 'BEGIN { printf "| page allocation, %d CPUs (pages/s) | %.0f | %.0f | %.2f |\n", n, h, g, g / h }'
awk -v r="$rec" -v d="$recd" 'BEGIN { printf "| reclaim by kswapd (pages/s; direct reclaim another %.0f) | | %.0f | |\n", d, r }'
