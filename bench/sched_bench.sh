#!/usr/bin/env bash
# make bench, the scheduler (#17): for each vCPU topology shape, what a cross-CPU wake-up
# and a migration cost, and how long the balancer takes to spread tasks that start packed
# on one CPU.
#  1. Cross-CPU wake-up: the guest's ping-pong (--set pingpong=N: init on CPU 0 wakes a
#     task pinned on the last CPU and waits for its answer; a round trip is two cross-CPU
#     wake-ups), against the floor measured just before it: the same ping-pong between two
#     host threads pinned to the two host CPUs the vCPUs are pinned to
#     (build/bench/wake_floor_bench; futex wait/wake, blocking as the guest's tasks block
#     and their vCPUs halt). The floor is also measured with the host threads spinning up
#     to 200 us before they block, as KVM's halt polling makes a halted vCPU's thread do:
#     the hardware's own round trip.
#  2. Migration: 1.5 CPU-bound unpinned tasks per vCPU (3 on 2 vCPUs, 6 on 4) for 3 s: the
#     moves per second, the cost of a move as the moved task's wait in its new queue
#     before it ran (schedstat moved_in_wait_ns / moved_in), the work done with balancing
#     against sched_balance=0 on the same shape (both CPUs busy either way: the ratio is
#     what the moves cost the throughput) and the slowest task's share of a CPU (what the
#     moves buy: 2/3 each when balanced; 1/2 for two of them without).
#  3. Convergence: 4 CPU-bound tasks started on CPU 0 (tasks_packed=1), sampled at every
#     tick (sample_ms=1): the time from the workload's start until every CPU first had a
#     task (the store's metric workers.spread_ms), from a small sweep (`vmsweep run`,
#     `vmsweep export`) of the shapes each round, against the balance interval of the
#     domain (an idle CPU balances every min_interval = span weight ms, checked at its
#     tick; a newly idle one at once).
# Interleaved: each round runs every shape (in a rotated order), and for each the floor,
# the guest's ping-pong, the migration runs with balancing on and off (alternating which
# goes first); then the round's convergence sweep. Medians and ranges over the rounds; a
# ratio is the median (range) of the rounds' own ratios. Placement, the steadier choice
# for each measure on a loaded 2-CPU host (both were measured; README): the ping-pong's
# vCPUs pinned one per host CPU, the two the floor's threads use (--pin A,B; 4 vCPUs
# round robin), the migration and convergence runs' left to the host (--pin none). 4
# vCPUs overcommit a 2-CPU host: their steal is reported. A benchmark measures: a run
# that fails is left out and counted; the bench fails only when it cannot run at all.
#   SCHED_BENCH_RUNS     rounds (5)
#   SCHED_BENCH_SHAPES   topology shapes ("1x2x1 2x1x1 1x1x2 1x4x1 4x1x1")
#   SCHED_BENCH_ROUNDS   ping-pong round trips per run (2000)
#   SCHED_BENCH_PIN      which runs pin their vCPUs: wake (the ping-pong only), all, none (wake)
set -eu
cd "$(dirname "$0")/.."
RUNS=${SCHED_BENCH_RUNS:-5}
SHAPES=${SCHED_BENCH_SHAPES:-"1x2x1 2x1x1 1x1x2 1x4x1 4x1x1"}
PPROUNDS=${SCHED_BENCH_ROUNDS:-2000}
PIN=${SCHED_BENCH_PIN:-wake}
CONV_MS=1000 # the convergence runs' length: long enough for the slowest seen (under 100 ms)
case $PIN in wake | all | none) ;; *)
	echo "*** sched bench: SCHED_BENCH_PIN=$PIN: wake, all or none ***" >&2
	exit 2
	;;
esac
VMS=$PWD/harness/vmsweep
FLOOR=$PWD/build/bench/wake_floor_bench
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/vmsweep-schedbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else printf "%.10g\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { sort -g | awk -v f="${1:-%.2f}" 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf f "-" f, lo, hi }'; }
col() { awk -v c="$1" '{ print $c }' "$2" 2>/dev/null || true; }
# cell FILE COL FORMAT [UNIT [SCALE]]: "median UNIT (lo-hi)" of a column, scaled; "-" when empty
cell() {
	local n
	n=$(col "$2" "$1" | grep -c . || true)
	if [ "$n" = 0 ]; then
		printf -- '-'
		return
	fi
	col "$2" "$1" | awk -v s="${5:-1}" '{ printf "%.10g\n", $1 * s }' >"$dir/cell"
	# shellcheck disable=SC2059
	printf "$3${4:+ $4} ($(range "$3" <"$dir/cell"))" "$(median <"$dir/cell")"
}

# The first two host CPUs this process may run on: the floor's threads and the vCPUs.
read -r HA HB < <(awk '/^Cpus_allowed_list/ { n = split($2, r, ","); for (i = 1; i <= n && k < 2; i++) {
	m = split(r[i], ab, "-"); hi = (m == 2) ? ab[2] : ab[1]; for (c = ab[1]; c <= hi && k < 2; c++) cpu[k++] = c }
	print cpu[0], (k > 1 ? cpu[1] : "") }' /proc/self/status)
if [ -z "${HB:-}" ]; then
	echo "## Scheduler: skipped (one host CPU: no cross-CPU floor to measure against)"
	exit 0
fi
for f in "$VMS" "$FLOOR"; do
	[ -x "$f" ] || {
		echo "*** sched bench: $f is missing (make all build/bench/wake_floor_bench) ***" >&2
		exit 1
	}
done

vcpus() { echo "$1" | awk -Fx '{ print $1 * $2 * $3 }'; }
# --pin list for a shape: the two host CPUs, round robin
pinlist() { awk -v n="$(vcpus "$1")" -v a="$HA" -v b="$HB" 'BEGIN { for (i = 0; i < n; i++) printf "%s%s", i ? "," : "", i % 2 ? b : a }'; }
# pinopt SHAPE KIND: the --pin of a run of KIND (wake or mig)
pinopt() { if [ "$PIN" = all ] || [ "$PIN" = "$2" ]; then pinlist "$1"; else echo none; fi; }

# boot SHAPE KIND OUT KNOBS: one guest run; 0 if it finished (JSON in OUT)
boot() {
	"$VMS" boot --memory 64M --topology "$1" --pin "$(pinopt "$1" "$2")" --set "$4" --timeout 1m \
		--log "$dir/console.log" --json >"$3" 2>>"$dir/boot.err" && [ "$(jq -r .status "$3")" = "done" ]
}
failed=0
fail() {
	failed=$((failed + 1))
	echo "$1" >>"$dir/failed"
}

# The convergence sweep of one round: every shape once, in the sweep's random order.
{
	printf '[sweep]\nname = sched-bench-conv\nrepeat = 1\norder = random\ntimeout = 1m\njobs = 1\n'
	printf '[guest]\nmemory = 64M\nduration_ms = %s\ntasks = 4\nspin_ms = 1\nsleep_ms = 0\ntasks_packed = 1\nsample_ms = 1\n' "$CONV_MS"
	printf '[params]\ntopology = %s\npin = %s\n' "$(echo "$SHAPES" | sed 's/ \+/, /g')" "$([ "$PIN" = all ] && echo compact || echo none)"
} >"$dir/conv.ini"

for s in $SHAPES; do
	for f in floor pp mig mig0 conv; do : >"$dir/$f.$s"; done
done
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)
for i in $(seq 1 "$RUNS"); do
	# the shapes in a rotated order, so that none always comes first in a round
	order=$(echo "$SHAPES" | tr -s ' ' '\n' | grep . | awk -v r="$i" '{ s[NR - 1] = $0 } END { for (k = 0; k < NR; k++) print s[(k + r) % NR] }')
	for s in $order; do
		n=$(vcpus "$s")
		# 1. the floor (blocking, then polling), then the guest's ping-pong
		if ! "$FLOOR" --rounds "$PPROUNDS" --cpus "$HA,$HB" >"$dir/f" ||
			! "$FLOOR" --rounds "$PPROUNDS" --cpus "$HA,$HB" --poll-us 200 >"$dir/fp"; then
			echo "*** sched bench: wake_floor_bench failed ***" >&2
			exit 1
		fi
		if boot "$s" wake "$dir/pp.json" "pingpong=$PPROUNDS"; then
			# guest round trip mean ns, one wake-up's p50 ns (all wake-ups of the run), steal %,
			# then the floor's mean and p50 round trip, blocking; the polling floor's mean
			jq -r '"\(.pingpong.total_ns / .pingpong.rounds) \(.wakeup_latency_ns.percentiles."50") \(.placement.steal_fraction * 100)"' \
				"$dir/pp.json" | tr '\n' ' ' >>"$dir/pp.$s"
			awk '$1 == "host_roundtrip_ns" { m = $2 } $1 == "host_roundtrip_p50_ns" { p = $2 } END { printf "%s %s ", m, p }' "$dir/f" >>"$dir/pp.$s"
			awk '$1 == "host_roundtrip_ns" { print $2 }' "$dir/fp" >>"$dir/pp.$s"
			# the domains, once: NAME:min_interval_ms/max_interval_ms per level
			[ -s "$dir/dom.$s" ] || jq -r '[.schedstat[0].domains[] | "\(.name) \(.min_interval_ms)-\(.max_interval_ms) ms"] | join(", ")' \
				"$dir/pp.json" >"$dir/dom.$s"
		else
			fail "$s pingpong round $i"
		fi
		# 2. migrations: balancing on and off, alternating which runs first
		tasks=$((n + n / 2))
		knobs="duration_ms=3000,tasks=$tasks,spin_ms=1,sleep_ms=0"
		for b in $([ $((i % 2)) = 1 ] && echo "1 0" || echo "0 1"); do
			if boot "$s" mig "$dir/m.json" "$knobs,sched_balance=$b"; then
				# 1 loops, 2 migrations, 3 moved_in, 4 moved_in_wait_ns, 5 the slowest task's loops over
				# the tasks' mean (its cpu_ns would count the time its vCPU was stolen),
				# 6 steal %, 7 seconds, 8 host CPU seconds the vCPU threads ran, 9 moves by active balance
				jq -r '"\([.workers[].loops] | add) \([.workers[].migrations] | add) \([.schedstat[].moved_in] | add) \([.schedstat[].moved_in_wait_ns] | add) \((.workers | map(.loops)) as $l | ($l | min) / ($l | add / length)) \(.placement.steal_fraction * 100) \(.knobs.duration_ms / 1e3) \([.placement.vcpus[].run_ns] | add / 1e9) \([.schedstat[].alb_pushed] | add)"' \
					"$dir/m.json" >"$dir/m.$b"
			else
				fail "$s migration (sched_balance=$b) round $i"
				rm -f "$dir/m.$b"
			fi
		done
		if [ -s "$dir/m.1" ] && [ -s "$dir/m.0" ]; then
			# 1 migrations/s, 2 wait after a move (us), 3 loops on/off, 4-5 slowest task on, off,
			# 6-7 steal % on, off, 8 loops per host CPU second of the vCPUs on/off, 9 share of the
			# moves by active balance
			paste -d' ' "$dir/m.1" "$dir/m.0" | awk '{ printf "%.3f %.3f %.5f %.4f %.4f %.2f %.2f %.5f %.3f\n", $2 / $7, ($3 ? $4 / $3 / 1e3 : 0),
				$1 / $10, $5, $14, $6, $15, ($1 / $8) / ($10 / $17), ($3 ? $9 / $3 : 0) }' >>"$dir/mig.$s"
		fi
	done
	# 3. the round's convergence sweep
	"$VMS" run "$dir/conv.ini" --out "$dir/conv$i" --allow-failed >"$dir/conv.log" 2>&1 || {
		echo "*** sched bench: vmsweep run failed ***" >&2
		tail -5 "$dir/conv.log" >&2
		exit 1
	}
	"$VMS" export "$dir/conv$i" --where 'status == failed' --format csv --metrics cause |
		awk -F, -v r="$i" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next } { print $c["topology"] " convergence round " r ": " $c["cause"] }' >"$dir/conv.failed"
	while read -r l; do fail "$l"; done <"$dir/conv.failed"
	# run topology vCPUs spread_ms steal% workload-start (ns after the first instruction,
	# the time series' zero)
	"$VMS" export "$dir/conv$i" --where 'status == done' --format csv \
		--metrics 'workers.spread_ms,cpu.steal_pct,boot_us.workload,boot_us.first_insn' |
		awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
			{ split($c["topology"], t, "x"); printf "%s %s %d %s %s %.0f\n", $c["run"], $c["topology"], t[1] * t[2] * t[3], $c["workers.spread_ms"],
				$c["cpu.steal_pct"], ($c["boot_us.workload"] - $c["boot_us.first_insn"]) * 1e3 }' >"$dir/conv.runs"
	sqlite3 -separator ' ' "$dir/conv$i/results.sqlite" \
		"select run, series, t_ns, value from timeseries where series like 'cpu.%.nr_running' order by run, series, t_ns" >"$dir/conv.samples"
	# Each CPU's task count at its ticks. The store's workers.spread_ms is the first tick at
	# which every CPU had any task; a kernel thread that ran on a CPU at its tick counts too
	# (kthreadd making the workers, seen on CPU 1 at the first tick and gone at the next).
	# So also: the first tick from which every CPU kept a task until the workload's end.
	awk -v dur_ns=$((CONV_MS * 1000000)) 'NR == FNR { n[$1] = $3; sp[$1] = $4; st[$1] = $5; w[$1] = $6; topo[$1] = $2; next }
		!($1 in w) { next }
		{ split($2, q, "."); c = q[2]; k = $1 " " c; t = $3 - w[$1]
		  if (t < 0 || t > dur_ns - 50e6) next
		  if ($4 >= 1) { if (!(k in from)) from[k] = t } else delete from[k] }
		END { for (r in w) { m = 0; for (c = 0; c < n[r]; c++) { k = r " " c; if (!(k in from)) { m = -1; break } if (from[k] > m) m = from[k] }
			printf "%s %s %s %s %s\n", topo[r], sp[r], (m < 0 ? "nan" : m / 1e6), st[r], r } }' "$dir/conv.runs" "$dir/conv.samples" >"$dir/conv.rows"
	while read -r s sp stable st _; do
		if [ "$sp" = nan ] || [ -z "$sp" ] || [ "$stable" = nan ]; then
			fail "$s convergence round $i: no task kept on every CPU"
			continue
		fi
		echo "$sp $stable $st" >>"$dir/conv.$s"
	done <"$dir/conv.rows"
done
t1=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)

echo "## Scheduler: cross-CPU wake-up, migration, convergence ($(date -u '+%Y-%m-%d %H:%M UTC'), $RUNS interleaved rounds, medians and ranges)"
echo
pinned="pinned round robin to host CPUs $HA,$HB"
echo "$(nproc) host CPUs; the ping-pong's vCPUs $([ "$PIN" = none ] && echo "left to the host" || echo "$pinned"), the migration"
echo "and convergence runs' $([ "$PIN" = all ] && echo "$pinned" || echo "left to the host"); load average $load0 before, $load1 after; $((t1 - t0)) s."
for s in $SHAPES; do
	if [ "$(vcpus "$s")" -gt 2 ]; then
		echo "$s: $(vcpus "$s") vCPUs on 2 host CPUs, overcommitted (their steal is in the tables)."
	fi
done
echo
echo "Cross-CPU wake-up: $PPROUNDS ping-pong round trips a run (one round trip = two wake-ups); the floor: two host threads on"
echo "host CPUs $HA and $HB doing the same with futex wait/wake, measured just before each guest run."
echo
echo "| shape | domains (balance interval) | host round trip, blocking | guest round trip | guest / host | host round trip, p50 | guest wake-up p50 (one wake-up) | host, polling 200 us | vCPU steal % |"
echo "|---|---|---|---|---|---|---|---|---|"
for s in $SHAPES; do
	f=$dir/pp.$s
	awk '{ print $1 / $4 }' "$f" >"$dir/ratio"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$s" "$(cat "$dir/dom.$s" 2>/dev/null || echo -)" \
		"$(cell "$f" 4 %.1f us 1e-3)" "$(cell "$f" 1 %.1f us 1e-3)" "$(cell "$dir/ratio" 1 %.2f)" \
		"$(cell "$f" 5 %.1f us 1e-3)" "$(cell "$f" 2 %.1f us 1e-3)" "$(cell "$f" 6 %.2f us 1e-3)" "$(cell "$f" 3 %.0f)"
done
echo
echo "Migration: 1.5 CPU-bound unpinned tasks per vCPU (3 on 2 vCPUs, 6 on 4) for 3 s, spin_ms=1, sleep_ms=0, and the same"
echo "with sched_balance=0 beside it. The cost of a move: the moved task's wait in its new queue before it ran (schedstat"
echo "moved_in_wait_ns / moved_in). Work done: the tasks' loops, as run; and per host CPU second the vCPU threads got"
echo "(which steal does not move). The slowest task's work over the tasks' mean: 1 when they share evenly, 0.75 for 3 tasks"
echo "left 1 and 2 on 2 equal CPUs. Convergence: 4 tasks started on CPU 0 (tasks_packed=1), a sweep of the shapes each"
echo "round, seen at the CPUs' ticks (every 4 ms at HZ=250): from the workload's start until every CPU has a task that it"
echo "keeps to the end; and the store's workers.spread_ms, until every CPU first had any task (a kernel thread counts too)."
echo
echo "| shape | migrations/s | by active balance, % | wait after a move | work done, on / off | the same per host CPU s | slowest task's work / the mean, on / off | convergence: every CPU keeps a task | every CPU had a task (workers.spread_ms) | steal %, on / off / convergence |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for s in $SHAPES; do
	f=$dir/mig.$s
	printf '| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s / %s / %s |\n' "$s" "$(cell "$f" 1 %.1f)" "$(cell "$f" 9 %.0f '' 100)" \
		"$(cell "$f" 2 %.1f us)" "$(cell "$f" 3 %.3f)" "$(cell "$f" 8 %.3f)" "$(cell "$f" 4 %.2f)" "$(cell "$f" 5 %.2f)" \
		"$(cell "$dir/conv.$s" 2 %.1f ms)" "$(cell "$dir/conv.$s" 1 %.1f ms)" \
		"$(cell "$f" 6 %.0f)" "$(cell "$f" 7 %.0f)" "$(cell "$dir/conv.$s" 3 %.0f)"
done
if [ "$failed" -gt 0 ]; then
	echo
	echo "Left out: $failed runs that did not finish or spread ($(paste -sd';' "$dir/failed"))."
fi
