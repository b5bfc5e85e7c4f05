#!/usr/bin/env bash
# make bench, Slurm: what a job array costs against the same sweep run directly, on a
# real single-node Slurm of our own (tests/integration/slurm_local.sh). One node cannot
# show how runs per hour scale with nodes (README, "Past one machine"); it can show what
# Slurm adds per array and per task, and how throughput scales with task slots.
# The sweep: 4 points x SLURM_BENCH_REPEAT (5) runs of the built-in workload, 0.5 s each,
# vcpus = 1, so that each array task asks for 1 CPU and the 2-CPU node runs 2 at once.
# Variants, interleaved in rounds (the floor measured in the same round as the others):
#   direct     vmsweep run CONFIG --out D, no Slurm: the floor
#   jobs 2     vmsweep run --jobs 2: the same two slots without Slurm, to tell Slurm's
#              cost from what two runs at a time on 2 CPUs cost each other
#   N shards   vmsweep submit --slurm --shards N (1, 2, 8), timed from the submit until
#              the report job (merge + report, afterok on the array) has left the queue
# From the stores' started/ended: submit -> first run started (Slurm's start-up per
# array, the task's node check, vmsweep's start) and last run ended -> report job gone
# (dependency latency + merge + report). Root only (munged, slurmd); else skipped.
#   SLURM_BENCH_ROUNDS (3), SLURM_BENCH_REPEAT (5), SLURM_BENCH_PORT (16917: not the
#   test's 16817, which another session's t_slurm may hold), SLURM_BENCH_KEEP (keep files)
# A benchmark measures: it fails only when a sweep is incomplete (a variant whose task
# found the host busy, shared as it is, is run again, up to 3 times) or a daemon is left.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${SLURM_BENCH_ROUNDS:-3}
REPEAT=${SLURM_BENCH_REPEAT:-5}
export SLURM_LOCAL_PORT_BASE=${SLURM_BENCH_PORT:-16917}
VMS=$PWD/harness/vmsweep
SL=$PWD/tests/integration/slurm_local.sh
RUNS=$((4 * REPEAT))
HEAD="## Slurm on one node: job arrays against the direct sweep ($RUNS runs of 0.5 s, $ROUNDS rounds)"
die() { echo "slurm_bench: $*" >&2; exit 1; }
q() { sqlite3 -batch "$@"; }

# munged wants every directory above its socket searchable by all: not under a 0700 TMPDIR.
BASE=$(mktemp -d /tmp/vmsweep-slurm-bench.XXXXXX) && chmod 755 "$BASE"
cleanup() { bash "$SL" stop "$BASE" >/dev/null 2>&1 || true; [ -n "${SLURM_BENCH_KEEP:-}" ] || rm -rf "$BASE"; }
trap cleanup EXIT
W=$BASE/w # the sweeps: under BASE, so that `pgrep -f BASE` also finds a stray vmsweep
mkdir -p "$W"
cat >"$W/c.ini" <<EOF
[sweep]
name = slurm-bench
repeat = $REPEAT
seed = 7
timeout = 20s
[guest]
memory = 64M
vcpus = 1
duration_ms = 500
[params]
hz = 100, 250, 1000, 300
EOF

load_before=$(uptime | sed 's/.*load average: //')
# other sessions' Slurms (t_slurm) on the same 2 CPUs; by command line, as slurmctld's
# slurmscriptd child has its name
others=$(pgrep -c -f '^(/usr/sbin/)?slurmctld( |$)' || true)
rc=0
out=$(bash "$SL" start "$BASE" 2>"$BASE/start.err") || rc=$?
if [ "$rc" = 77 ]; then # not root, or slurm-wlm/munge missing: nothing to measure
	printf '%s\n\nSkipped: %s\n' "$HEAD" "$(sed 's/^slurm_local: skip: //' "$BASE/start.err" | tail -1)"
	exit 0
fi
[ "$rc" = 0 ] || die "slurm_local.sh start exited $rc: $(tail -5 "$BASE/start.err")"
eval "$out" # SLURM_CONF

now() { echo "$EPOCHREALTIME"; }
manifest() { q "$1/results.sqlite" "select value from manifest where key = '$2'"; }

# wait_gone JOBS: polls squeue every 0.1 s until every job and array task of JOBS (comma
# separated) has left the queue; prints the most seen RUNNING at once (the report job
# runs only after the array, so that is the array tasks running concurrently).
wait_gone()
{
	local out n max=0 deadline=$((SECONDS + 300))
	while :; do
		# squeue forgets a job MinJobAge (300 s) after it ended: "Invalid job id" is gone too
		if ! out=$(squeue -h -r -j "$1" -o %T 2>&1); then
			[[ $out == *"Invalid job id"* ]] && break
			die "squeue: $out"
		fi
		[ -z "$out" ] && break
		n=$(grep -c '^RUNNING$' <<<"$out" || true)
		[ "$n" -le "$max" ] || max=$n
		[ "$SECONDS" -lt "$deadline" ] || die "jobs $1 still queued after 300 s: $out"
		sleep 0.1
	done
	echo "$max"
}

# times DIR: "started ended" of every run recorded, from the shard stores if any
times()
{
	local s stores=("$1"/shards/*/results.sqlite)
	[ -d "$1/shards" ] || stores=("$1/results.sqlite")
	for s in "${stores[@]}"; do q -separator ' ' "$s" "select started, ended from runs where status != 'planned'"; done
}

# complete DIR: the (merged) store holds every run of the plan, done, and the report
# exists; else says why (with the end of each task's log) and fails
complete()
{
	local n
	n=$(q "$1/results.sqlite" "select count(*) || ' ' || sum(status = 'done') from runs")
	[ "$n" = "$RUNS $RUNS" ] && { [ ! -d "$1/shards" ] || [ -s "$1/report.md" ]; } && return 0
	echo "slurm_bench: $1: $n (runs, done): the sweep is incomplete" >&2
	tail -n 1 "$1"/slurm/logs/*.out >&2 2>/dev/null || true
	return 1
}

# variant NAME ROUND: runs it into a fresh directory; appends to $W/results
# "name round wall_s first_start_s tail_s most_running runs_at_once"
variant()
{
	local name=$1 d t0 t1 max=- arr rep try
	for try in 1 2 3; do
		d=$W/$1-$2.$try
		# slurmctld allocates only in its background loop, about once a second (submit and
		# job end just flag it); in a fixed order of near-constant steps every round would
		# meet that loop at the same phase. A random pause makes each round a fair draw.
		[[ $name != shards* ]] || sleep "0.$(printf %03d $((RANDOM % 1000)))"
		t0=$(now)
		case $name in
		direct) "$VMS" run "$W/c.ini" --out "$d" >/dev/null 2>"$d.err" || die "$name: $(tail -3 "$d.err")" ;;
		jobs2) "$VMS" run "$W/c.ini" --jobs 2 --out "$d" >/dev/null 2>"$d.err" || die "$name: $(tail -3 "$d.err")" ;;
		shards*)
			"$VMS" submit "$W/c.ini" --slurm --shards "${name#shards}" --out "$d" >/dev/null 2>"$d.err" ||
				die "$name: submit: $(tail -3 "$d.err")"
			arr=$(manifest "$d" slurm.array_jobs) rep=$(manifest "$d" slurm.report_job)
			max=$(wait_gone "$arr,$rep")
			;;
		esac
		t1=$(now)
		complete "$d" && break
		# A task refuses a node that another session keeps busy (its check of idle CPUs);
		# the timing would be off anyway: run the variant again, a few seconds later.
		grep -qs 'the node is busy' "$d"/slurm/logs/*.out || die "$name: incomplete, not for a busy node"
		[ "$try" -lt 3 ] || die "$name: the node was busy 3 times"
		echo "$name round $2: a task found the node busy ($(cut -d' ' -f1 /proc/loadavg))" >>"$W/redone"
		sleep 5
	done
	# 2 shards on 2 CPUs must have run side by side, else the row measures something else
	[ "$name" != shards2 ] || [ "$max" = 2 ] || die "shards2: at most $max task(s) seen running at once"
	times "$d" | awk -v n="$name" -v r="$2" -v t0="$t0" -v t1="$t1" -v m="$max" -v runs="$RUNS" '
		{ if (NR == 1 || $1 < s) s = $1; if ($2 > e) e = $2; busy += $2 - $1 }
		END { if (NR != runs) { print "times: " NR " runs" > "/dev/stderr"; exit 1 }
			printf "%s %d %.3f %.3f %.3f %s %.2f\n", n, r, t1 - t0, s - t0, t1 - e, m, busy / (e - s) }' \
		>>"$W/results" || die "$name: the stores' times"
}

# Warm-up, not counted: slurmctld schedules nothing for ~3 s after it starts, and the
# first sweep of a fresh Slurm pays for its caches.
variant shards2 0
: >"$W/results" && : >"$W/redone"
VARIANTS="direct jobs2 shards1 shards2 shards8"
for ((r = 1; r <= ROUNDS; r++)); do
	for v in $VARIANTS; do variant "$v" "$r"; done
done

bash "$SL" stop "$BASE" >/dev/null 2>&1
# munged, slurmctld, slurmd and the tasks' vmsweep name BASE on their command lines
left=$(pgrep -a -f "$BASE" || true)
[ -z "$left" ] || die "left running after stop: $left"
load_after=$(uptime | sed 's/.*load average: //')

# The results, one line per variant and round: stat prints the median (min-max) of the
# numbers on stdin; col V C is column C of variant V; ratio A B and delta A B [DIV] pair
# the walls of A and B in the same round (a round shares the host's load of the time).
R=$W/results
stat() { sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'; }
col() { awk -v v="$1" -v c="$2" '$1 == v { print $c }' "$R"; }
pair() { awk -v a="$1" -v b="$2" '$1 == a { x[$2] = $3 } $1 == b { y[$2] = $3 } END { for (r in x) print x[r], y[r] }' "$R"; }
ratio() { pair "$1" "$2" | awk '{ print $1 / $2 }'; }
delta() { pair "$1" "$2" | awk -v d="${3:-1}" '{ print ($1 - $2) / d }'; }
perhour() { awk -v v="$1" -v n="$RUNS" '$1 == v { printf "%.0f\n", n * 3600 / $3 }' "$R" | stat | sed 's/\.00//g'; }
label() { case $1 in direct) echo "direct (vmsweep run, the floor)" ;; jobs2) echo "direct, --jobs 2 (no Slurm)" ;;
	shards1) echo "Slurm, 1 shard" ;; shards2) echo "Slurm, 2 shards (2 at once)" ;; shards8) echo "Slurm, 8 shards (2 at once)" ;; esac; }

echo "$HEAD"
echo
echo "| variant | tasks running at once (squeue) | wall s | runs/hour | wall / floor | start -> first run s | last run -> done s | runs at once (mean) |"
echo "|---|---|---|---|---|---|---|---|"
for v in $VARIANTS; do
	echo "| $(label "$v") | $(col "$v" 6 | sort -n | uniq | paste -sd/) | $(col "$v" 3 | stat) | $(perhour "$v") |" \
		"$(ratio "$v" direct | stat) | $(col "$v" 4 | stat) | $(col "$v" 5 | stat) | $(col "$v" 7 | stat) |"
done
echo
# Per array: 1 shard against the floor (submit, start, merge, report, the scheduling in
# between). Per task: 8 shards and 2 run the same runs in the same 2 slots, and each slot
# runs 3 tasks more, so one task's cost is the difference in wall / 3.
echo "| from the same rounds | median (range) |"
echo "|---|---|"
echo "| Slurm per array: 1 shard - direct, s | $(delta shards1 direct | stat) |"
echo "| 2 slots vs 1 with Slurm: 1 shard / 2 shards, x | $(ratio shards1 shards2 | stat) |"
echo "| 2 slots vs 1 without: direct / --jobs 2, x | $(ratio direct jobs2 | stat) |"
echo "| Slurm per task: (8 shards - 2 shards) / 3, s | $(delta shards8 shards2 3 | stat) |"
echo
echo "Wall: from the start of the command (submit) until the run ended (the report job left the queue," \
	"squeue polled every 0.1 s). start -> first run and last run -> done from the stores' started/ended;" \
	"runs at once: the runs' time summed over first start to last end. A warm-up array ran first, not counted;" \
	"each submit waited a random 0-1 s first (slurmctld allocates in a loop of about 1 s). The wait" \
	"after a task's end for that loop's next turn is not drawn: the tasks start on the loop and last" \
	"the same from round to round, so it is set by their length (0-1 s; 0.5 s on average over lengths)." \
	"Load average before: $load_before; after: $load_after. The host is shared with other sessions" \
	"(other Slurms running at the start: $others), so their load is in these figures too."
if [ -s "$W/redone" ]; then
	echo "Run again after a task's node check refused the busy host (load average 1 min):" \
		"$(paste -sd ';' "$W/redone" | sed 's/;/; /g')."
fi
