#!/usr/bin/env bash
# shellcheck disable=SC2016 # SQL and jq use $ and quotes of their own
# Past one machine (#21): a sweep cut into shards (run --shard) and merged; then on a
# real single-node Slurm (munge, slurmctld and slurmd of our own, tests/integration/
# slurm_local.sh): submitted as a job array of 4 tasks with a report job after it, every
# run recorded exactly once; and a task cancelled mid-way (scancel), resubmitted with
# submit --resume, the sweep complete with no run twice.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$1" "$2"; }

# the ids each shard store recorded, one per line, over all shards of $1
shard_recorded_ids() { for s in "$1"/shards/*/results.sqlite; do sql "$s" "select id from runs where status != 'planned'"; done; }

begin "slurm/shards run by hand, merged: every run once, each shard its own share"
sweep_config '[params]
vcpus = 1, 2
tasks_per_cpu = 1..3 step 1'
for i in 0 1 2 3; do
	vmsweep_cmd run "$T/c.ini" --shard "$i/4" --out "$T/d/shards/$i"
	expect_rc 0 "shard $i runs"
done
check 'the 4 shards recorded 12 runs, none twice' test "$(shard_recorded_ids "$T/d" | sort -n | uniq | wc -l)" = 12
check 'and 12 in all' test "$(shard_recorded_ids "$T/d" | wc -l)" = 12
check 'each shard the runs its manifest names' test "$(for s in "$T"/d/shards/*/results.sqlite; do sql "$s" "select value from manifest where key = 'shard.runs'"; done | tr ',\n' '  ' | wc -w)" = 12
vmsweep_cmd merge "$T/d"
expect_rc 0
expect_grep "$ERR" '12 of 12 runs recorded \(0 failed\), 0 missing' 'merge says the sweep is complete'
check 'the merged store: 12 runs done' test "$(sql "$T/d/results.sqlite" "select count(*) from runs where status = 'done'")" = 12
check 'with their metrics' test "$(sql "$T/d/results.sqlite" "select count(distinct run) from metrics")" = 12
check 'and their files' test "$(ls "$T/d/runs" | grep -c '^[0-9]*\.console\.log\.gz$')" = 12
check 'integrity ok' test "$(sql "$T/d/results.sqlite" 'pragma integrity_check')" = ok
check 'each shard host in the manifest' test "$(sql "$T/d/results.sqlite" "select count(*) from manifest where key like 'shard._.hostname'")" = 4
n=$(sql "$T/d/results.sqlite" 'select count(*) from metrics')
vmsweep_cmd merge "$T/d"
expect_rc 0
check 'merged again: nothing added' test "$(sql "$T/d/results.sqlite" 'select count(*) from metrics')" = "$n"
expect_grep "$ERR" '0 runs added, 3 merged before' 'the second merge says so'
vmsweep_cmd report "$T/d"
expect_rc 0
# a shard's store resumed as another shard, or a shard of another config: refused
vmsweep_cmd run "$T/c.ini" --shard 1/4 --out "$T/d/shards/0"
expect_rc 2 'another shard into shard 0'
expect_grep "$ERR" 'holds shard 0/4 of its sweep, not 1/4' 'the refusal names both'
sed -i 's/^seed = 7/seed = 8/' "$T/c.ini"
vmsweep_cmd run "$T/c.ini" --shard 0/4 --out "$T/other/shards/0"
cp -r "$T/other/shards/0" "$T/d/shards/4"
vmsweep_cmd merge "$T/d"
expect_rc 2 'a shard of another sweep'
expect_grep "$ERR" 'shards/4 is a shard of another sweep: its (config|seed) differs' 'merge names the stranger'
check 'and keeps what it has' test "$(sql "$T/d/results.sqlite" 'select count(*) from metrics')" = "$n"
# --check-node (what a batch task runs): a node busy with other work is refused, named
hogs=()
for _ in $(seq "$(nproc)"); do
	yes >/dev/null &
	hogs+=($!)
done
vmsweep_cmd run "$T/c.ini" --shard 0/4 --check-node --out "$T/busy"
kill "${hogs[@]}" 2>/dev/null
wait "${hogs[@]}" 2>/dev/null
expect_rc 1 'a busy node'
expect_grep "$ERR" "node $(hostname): at most [0-9.]+ of the [0-9]+ CPUs this task may use were idle" 'the refusal names the node and why'
check 'before its store is touched' test ! -e "$T/busy/results.sqlite"
# bad options and directories: named, nothing submitted
vmsweep_cmd submit "$T/c.ini" --slurm --out "$T/a b" --dry-run
expect_rc 2 'a results directory with a blank'
expect_grep "$ERR" 'a b: a results directory with blanks, quotes or backslashes cannot go into the batch script' 'the blank named'
vmsweep_cmd submit "$T/c.ini" --slurm --sbatch-arg exclusive --dry-run
expect_rc 2 '--sbatch-arg without a dash'
expect_grep "$ERR" '--sbatch-arg exclusive: expected one sbatch option' 'the option named'
vmsweep_cmd submit "$T/c.ini" --out "$T/y"
expect_rc 2 'submit without --slurm'
expect_grep "$ERR" 'say where to: --slurm' 'submit asks for the batch system'
vmsweep_cmd run "$T/c.ini" --plan-digest 0123456789abcdef --out "$T/z"
expect_rc 2 '--plan-digest without --shard'
expect_grep "$ERR" 'give the shard too' 'the digest needs a shard'
vmsweep_cmd run "$T/c.ini" --shard 4/4 --out "$T/x"
expect_rc 2 '--shard 4/4'
expect_grep "$ERR" 'I must be below N' '--shard 4/4 explained'
end

begin "slurm/a shard refuses a changed config before writing anything; raw disks copied per shard"
sweep_config 'vcpus = 1
[params]
hz = 100, 250'
truncate -s 8M "$T/raw.img"
sed -i "/^memory = /a disk = $T/raw.img" "$T/c.ini"
vmsweep_cmd submit "$T/c.ini" --slurm --shards 2 --out "$T/d" --dry-run
expect_rc 0 'dry run'
digest=$(sql "$T/d/results.sqlite" "select value from manifest where key = 'plan.digest'")
check 'the script passes the plan digest' grep -q -- "--plan-digest $digest " "$T/d/slurm/sweep.sbatch"
vmsweep_cmd submit c.ini --slurm --shards 2 --out "$T/d2" --dry-run
check 'the same digest from the config named by a relative path' \
	test "$(sql "$T/d2/results.sqlite" "select value from manifest where key = 'plan.digest'")" = "$digest"
check 'the submitting host is not recorded as the runs host' test "$(sql "$T/d/results.sqlite" "select count(*) from manifest where key in ('cpu_model', 'host_kernel', 'disk.0.host')")" = 0
vmsweep_cmd run "$T/c.ini" --shard 0/2 --plan-digest "$digest" --out "$T/d/shards/0"
expect_rc 0 'shard 0 with the submitted plan'
check 'its raw disk is a copy of the image' cmp "$T/raw.img" "$T/raw.img.s0.w0"
sed -i 's/^hz = 100, 250$/hz = 100, 250, 1000/' "$T/c.ini"
vmsweep_cmd run "$T/c.ini" --shard 1/2 --plan-digest "$digest" --out "$T/d/shards/1"
expect_rc 2 'shard 1 with a changed config'
expect_grep "$ERR" 'another plan .* than the sweep.s .*changed since the sweep was submitted' 'the refusal says why'
check 'and wrote nothing' test ! -e "$T/d/shards/1/results.sqlite" -o "$(sql "$T/d/shards/1/results.sqlite" 'select count(*) from runs' 2>/dev/null || echo 0)" = 0
n=$(sql "$T/d/shards/0/results.sqlite" 'select count(*) from runs')
vmsweep_cmd run --resume "$T/d/shards/0" "$T/c.ini"
expect_rc 2 'shard 0 resumed with the grown config'
expect_grep "$ERR" 'cannot grow' 'a shard does not grow'
check 'its store as it was' test "$(sql "$T/d/shards/0/results.sqlite" 'select count(*) from runs')" = "$n"
check 'a shard store keeps the rollback journal (not WAL)' test "$(sql "$T/d/shards/0/results.sqlite" 'pragma journal_mode')" = delete
end

# ---- a real Slurm ----
SL=$LIB_DIR/slurm_local.sh
# munged wants every directory above its socket searchable by all: not under mktemp's 0700 TMPROOT
BASE=$(mktemp -d /tmp/vmsweep-slurm.XXXXXX) && chmod 755 "$BASE"
slurm_up=0 slurm_up_once=0
slurm_stop() { [ "$slurm_up" = 1 ] && bash "$SL" stop "$BASE" >/dev/null 2>&1; slurm_up=0; }
trap 'slurm_stop; rm -rf "$BASE"; _lib_cleanup' EXIT

begin "slurm/a local Slurm comes up"
if out=$(bash "$SL" start "$BASE" 2>"$T/start.err"); then
	eval "$out"
	slurm_up=1
	slurm_up_once=1
else
	rc=$?
	fail_because "slurm_local.sh start exited $rc: $(tail -n 5 "$T/start.err" | tr '\n' ' ')"
fi
end

# wait_job JOB [SECONDS]: until the job (all its tasks) has left the queue
wait_job() { bash "$SL" wait "$1" "${2:-120}" >/dev/null 2>&1 || fail_because "job $1 still queued after ${2:-120} s"; }
report_job() { sql "$1/results.sqlite" "select value from manifest where key = 'slurm.report_job'"; }
array_jobs() { sql "$1/results.sqlite" "select value from manifest where key = 'slurm.array_jobs'"; }

if [ "$slurm_up" = 1 ]; then
begin "slurm/submit: a job array of 4 shards, then the report; every run once"
sweep_config 'vcpus = 1
[params]
hz = 100, 250
tasks_per_cpu = 1..2 step 1'
vmsweep_cmd submit "$T/c.ini" --slurm --shards 4 --out "$T/d" --dry-run
expect_rc 0 'dry run'
expect_grep "$OUT" '^#SBATCH --array=0-3$' 'the dry run prints the array'
check 'and submits nothing' test -z "$(array_jobs "$T/d")"
vmsweep_cmd submit "$T/c.ini" --slurm --shards 4 --out "$T/s"
expect_rc 0
expect_grep "$ERR" 'submitted job array [0-9]+ \(every shard\), and report job [0-9]+ after it' 'submit says what it submitted'
check 'the script is kept' test -s "$T/s/slurm/sweep.sbatch"
job=$(array_jobs "$T/s")
wait_job "$job"
wait_job "$(report_job "$T/s")"
check 'the plan: 8 runs' test "$(sql "$T/s/results.sqlite" 'select count(*) from runs')" = 8
check 'all 8 recorded in the merged store' test "$(sql "$T/s/results.sqlite" "select count(*) from runs where status = 'done'")" = 8
check 'each by exactly one shard' test "$(shard_recorded_ids "$T/s" | sort -n | uniq -d | wc -l)" = 0
check '8 recorded by the shards' test "$(shard_recorded_ids "$T/s" | wc -l)" = 8
check '4 shard stores' test "$(ls -d "$T"/s/shards/*/results.sqlite | wc -l)" = 4
check 'the report exists' test -s "$T/s/report.md"
vmsweep_cmd status "$T/s"
expect_rc 0
expect_grep "$OUT" '^ +all +8 +8 +0 +0 +0 +8$' 'status: 8 runs, 8 done, none missing, 8 merged'
expect_grep "$OUT" 'COMPLETED' 'status shows the tasks completed'
vmsweep_cmd status "$T/s" --json
expect_rc 0
check 'status --json: 4 shards, 8 done and merged, each task COMPLETED, the report job too' \
	jq -e '(.shards | length) == 4 and .total.done == 8 and .total.merged == 8 and .total.missing == 0
		and all(.shards[]; .slurm.state == "COMPLETED") and .report.state == "COMPLETED"' "$OUT"
sed -i 's/^hz = 100, 250$/hz = 100, 250, 1000/' "$T/c.ini"
vmsweep_cmd submit "$T/c.ini" --slurm --shards 4 --out "$T/s"
expect_rc 2 'submitted twice into one directory'
expect_grep "$ERR" 'was submitted already' 'the second submit is refused, naming resume'
check 'before it wrote anything: the plan as it was' test "$(sql "$T/s/results.sqlite" 'select count(*) from runs')" = 8
end

begin "slurm/a task cancelled mid-way, resumed: the sweep complete, no run twice"
sweep_config 'vcpus = 1
[params]
hz = 100, 250'
sed -i -e 's/^duration_ms = 20$/duration_ms = 1500/' -e 's/^repeat = 2$/repeat = 6/' "$T/c.ini"
vmsweep_cmd submit "$T/c.ini" --slurm --shards 4 --out "$T/s"
expect_rc 0
job=$(array_jobs "$T/s")
# once shard 2 has recorded a run and is at its next, cancel its task
t0=$SECONDS
until [ "$(sql "$T/s/shards/2/results.sqlite" "select count(*) from runs where status != 'planned'" 2>/dev/null || echo 0)" -ge 1 ] ||
	[ $((SECONDS - t0)) -gt 90 ]; do sleep 0.2; done
scancel "${job}_2"
wait_job "$job"
wait_job "$(report_job "$T/s")" 30
vmsweep_cmd status "$T/s"
expect_rc 0
expect_grep "$OUT" '^ +2 +[0-9]+ +[0-9]+ +0 +0 +[1-9][0-9]* +[0-9]+ +CANCELLED' 'status: shard 2 cancelled with runs missing'
vmsweep_cmd submit --resume "$T/s"
expect_rc 0
expect_grep "$ERR" "of array task 2\$" 'only task 2 is resubmitted'
wait_job "$(array_jobs "$T/s" | sed 's/.*,//')"
wait_job "$(report_job "$T/s")"
check 'all 12 recorded in the merged store' test "$(sql "$T/s/results.sqlite" "select count(*) from runs where status = 'done'")" = 12
check 'none by two shards' test "$(shard_recorded_ids "$T/s" | sort -n | uniq -d | wc -l)" = 0
check '12 recorded by the shards' test "$(shard_recorded_ids "$T/s" | wc -l)" = 12
check 'the report exists' test -s "$T/s/report.md"
vmsweep_cmd submit --resume "$T/s"
expect_rc 0
expect_grep "$ERR" 'every shard recorded all of its runs: nothing to resubmit' 'a resume of a complete sweep does nothing'
end
fi

# ---- two nodes (two slurmd of their own on this host): a task of 2 nodes, a shard on each ----
slurm_stop
if [ "$slurm_up_once" = 1 ]; then
begin "slurm/--nodes-per-task 2: each array task runs a shard on each of its two nodes"
if out=$(SLURM_LOCAL_NODES=2 bash "$SL" start "$BASE" 2>"$T/start.err"); then
	eval "$out"
	slurm_up=1
else
	fail_because "slurm_local.sh start with 2 nodes exited $?: $(tail -n 5 "$T/start.err" | tr '\n' ' ')"
fi
sweep_config 'vcpus = 1
[params]
hz = 100, 250'
vmsweep_cmd submit "$T/c.ini" --slurm --shards 4 --nodes-per-task 2 --out "$T/s"
expect_rc 0
check 'the script starts one shard per node with srun' grep -q '^exec srun --nodes=2 --ntasks=2 --ntasks-per-node=1' "$T/s/slurm/sweep.sbatch"
job=$(array_jobs "$T/s")
wait_job "$job"
wait_job "$(report_job "$T/s")"
check 'all 4 recorded in the merged store' test "$(sql "$T/s/results.sqlite" "select count(*) from runs where status = 'done'")" = 4
check 'by 4 shards, none twice' test "$(shard_recorded_ids "$T/s" | sort -n | uniq | wc -l)" = 4
check 'the report exists' test -s "$T/s/report.md"
vmsweep_cmd status "$T/s" --json
expect_rc 0
check 'status: 2 array tasks, each with two shards, completed' \
	jq -e '[.shards[].slurm | "\(.task) \(.state)"] == ["0 COMPLETED", "0 COMPLETED", "1 COMPLETED", "1 COMPLETED"]' "$OUT"
end
slurm_stop
fi

begin "slurm/every daemon stopped"
check 'no slurmctld, slurmd or munged of ours left' test -z "$(pgrep -f "$BASE" || true)"
end
finish
