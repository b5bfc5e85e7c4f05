#!/bin/sh
# make bench, part 3: what the sweep driver, the store and the scheduling add to the
# bare life cycle of a run (runs per hour, short runs, same machine, same run), how
# repeatable one metric is over 10 repetitions (coefficient of variation), and the same
# repetitions under an intermittent load (two busy loops 0.7 s on, 0.9 s off) without and
# with the noise sentinels (noise_others_cpu = 15%, noise_retries = 4).
set -eu
cd "$(dirname "$0")/.."
N=${SWEEP_BENCH_RUNS:-40}
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/vmsweep-sweep-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
[ -z "${SWEEP_BENCH_KEEP:-}" ] || trap - EXIT

cat >"$dir/short.ini" <<EOF2
[sweep]
name = short
repeat = $N
[guest]
memory = 64M
vcpus = 1
duration_ms = 0
[params]
watchdog_thresh = 10
EOF2
cat >"$dir/rep.ini" <<EOF2
[sweep]
name = repeatability
repeat = 10
[guest]
memory = 64M
vcpus = 2
duration_ms = 100
compute_iters = 50000000
pingpong = 200
[params]
watchdog_thresh = 10
EOF2

floor_ms=$(./build/bench/boot_bench --memory 64M --lifecycle-only 21)
t0=$(date +%s%N)
./harness/vmsweep run "$dir/short.ini" --out "$dir/s" >/dev/null 2>&1
t1=$(date +%s%N)
./harness/vmsweep run "$dir/rep.ini" --out "$dir/r" >/dev/null 2>&1
./harness/vmsweep export "$dir/r" --format json >"$dir/r.json"

echo "## Sweeps: driver and store overhead, repeatability"
echo
awk -v n="$N" -v ns=$((t1 - t0)) -v f="$floor_ms" 'BEGIN {
	per = ns / 1e6 / n
	printf "| %d empty runs | per run | runs/hour | bare life cycle (pre-faulted, 64 MiB) | runs/hour | sweep / bare |\n", n
	printf "|---|---|---|---|---|---|\n"
	printf "| %.2f s | %.2f ms | %.0f | %.2f ms | %.0f | %.2fx the time |\n", ns / 1e9, per, 3600000 / per, f, 3600000 / f, per / f }'
echo
echo "| metric (10 repetitions, 2 vCPUs) | mean | stddev | CV |"
echo "|---|---|---|---|"
for m in compute.ns_per_iter pingpong.round_trip_ns wakeup_ns.p50 boot_us.done; do
	jq -r --arg m "$m" '[.[] | select(.status == "done") | .[$m]] | (add / length) as $mean
		| ((map((. - $mean) * (. - $mean)) | add) / (length - 1) | sqrt) as $sd
		| "| \($m) | \($mean * 100 | round / 100) | \($sd * 100 | round / 100) | \(($sd / $mean) * 10000 | round / 100) % |"' "$dir/r.json"
done

# The noise sentinels: the repeatability sweep under an intermittent load, without and
# with bounds. The load is another process, as a noisy neighbour is.
for b in off on; do
	{
		printf '[sweep]\nname = noise-%s\nrepeat = 10\n' "$b"
		if [ "$b" = on ]; then printf 'noise_others_cpu = 15%%\nnoise_retries = 4\n'; fi
		sed -n '/^\[guest\]/,$p' "$dir/rep.ini"
	} >"$dir/noise-$b.ini"
	touch "$dir/load"
	(while [ -e "$dir/load" ]; do # timeout's status (124) is the point, not a failure
		timeout 0.7 sh -c 'while :; do :; done' &
		timeout 0.7 sh -c 'while :; do :; done' || true
		wait || true
		sleep 0.9
	done) &
	load=$!
	./harness/vmsweep run "$dir/noise-$b.ini" --out "$dir/n-$b" >/dev/null 2>"$dir/n-$b.err"
	rm -f "$dir/load"
	wait "$load" || true
	./harness/vmsweep export "$dir/n-$b" --format json >"$dir/n-$b.json"
done
echo
echo "| under an intermittent load (10 repetitions) | CV without sentinels | CV with them (noisy runs run again) |"
echo "|---|---|---|"
cv() { jq -r --arg m "$1" '[.[] | select(.status == "done") | .[$m]] | (add / length) as $mean
	| ((map((. - $mean) * (. - $mean)) | add) / (length - 1) | sqrt) as $sd | (($sd / $mean) * 10000 | round / 100)' "$2"; }
for m in compute.ns_per_iter pingpong.round_trip_ns wakeup_ns.p50; do
	echo "| $m | $(cv "$m" "$dir/n-off.json") % | $(cv "$m" "$dir/n-on.json") % |"
done
echo "| runs run again / still noisy | | $(grep -c 'running it again' "$dir/n-on.err" || true) / $(grep -c 'recorded as noisy' "$dir/n-on.err" || true) |"
