#!/usr/bin/env bash
# [sweep] repeat = auto: a point runs until the 95 % interval of its ci_metric is within ci
# of the mean (min_repeat..max_repeat runs); the runs it did not need are recorded as
# skipped with the evidence, the report says how many runs each point took and whether it
# met the target, and a resume under a tighter target runs them after all.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$T/$1/results.sqlite" "$2"; }

# sweep_files: w.fio and a.ini in $T
sweep_files()
{
	cat >"$T/w.fio" <<'FIO'
[w]
filename=/dev/vda
rw=write
bs=1M
size=4M
direct=1
FIO
	cat >"$T/a.ini" <<INI
[sweep]
name = a
repeat = auto
min_repeat = 3
max_repeat = 5
ci = 20%
ci_metric = fio.w.write.bw_bytes
seed = 3
timeout = 30s
[guest]
disk = $T/d.img,size=64M,rate=24M
[workload]
job = w.fio
[params]
vcpus = 1, 2
INI
}

begin "repeat/auto: a steady metric stops at min_repeat; a tighter target on resume runs up to max_repeat"
# 4 MiB of 1 MiB direct writes on a 24 MB/s disk model: the bandwidth is the model's,
# steady to well under 1 % from run to run, so a 20 % target is met after min_repeat runs
# and one of 0.0001 % never is.
sweep_files
vmsweep_cmd plan "$T/a.ini"
expect_rc 0
expect_grep "$OUT" '2 points .* x 3\.\.5 repetitions \(repeat = auto: until the 95 % interval of fio\.w\.write\.bw_bytes is within 20 % of the mean\) = at most 10 runs' 'plan says what auto will do'
vmsweep_cmd run "$T/a.ini" --out "$T/a"
expect_rc 0
expect_grep "$ERR" '6 runs recorded \(0 failed, 4 not needed \(repeat = auto\)\), 0 left' 'stderr counts the runs not needed'
check 'each point: 3 runs done, 2 skipped' test "$(sql a "select group_concat(d || '/' || s) from (select sum(status = 'done') d, sum(status = 'skipped') s from runs group by point)")" = "3/2,3/2"
check 'the skipped runs are the last repetitions (round by round)' test "$(sql a "select min(rep) from runs where status = 'skipped'")" = 3
expect_grep <(sql a "select cause from runs where status = 'skipped' limit 1") '^fio\.w\.write\.bw_bytes ±[0-9.e+-]+ % of the mean \(95 % interval\) after 3 runs: within ci 20 %$' 'a skipped run says why'
vmsweep_cmd report "$T/a"
expect_rc 0
expect_grep "$T/a/report.md" '^## Repetitions' 'the report has a Repetitions section'
expect_grep "$T/a/report.md" '0 points did not reach the target' 'both met it'
expect_grep "$T/a/report.md" '^\| [0-9]+ \| vcpus=1 \| 3 \| 2 \| [0-9.e+-]+ % \| met \|' 'runs, runs not needed and the interval per point'
expect_grep "$T/a/report.md" '4 more not needed' 'the summary line counts them'
# resume under a target no run can meet: the skipped runs are decided again and run
sed -i 's/^ci = 20%/ci = 0.0001%/' "$T/a.ini"
vmsweep_cmd run --resume "$T/a" "$T/a.ini"
expect_rc 0
check 'each point now ran max_repeat times, none skipped' test "$(sql a "select group_concat(d || '/' || s) from (select sum(status = 'done') d, sum(status = 'skipped') s from runs group by point)")" = "5/0,5/0"
vmsweep_cmd report "$T/a"
expect_rc 0
expect_grep "$T/a/report.md" '2 points did not reach the target' 'the report says the target was missed'
expect_grep "$T/a/report.md" '^\| [0-9]+ \| vcpus=2 \| 5 \| 0 \| .* \| not met at max_repeat \|' 'per point'
end

begin "repeat/auto: a config without ci_metric, or with a metric no run records, is refused by name"
sweep_files
sed -e '/^ci_metric/d' "$T/a.ini" >"$T/b.ini"
vmsweep_cmd plan "$T/b.ini"
expect_rc 2
expect_grep "$ERR" 'b.ini:3: repeat = auto: which metric.s interval must be narrow\? add ci_metric = NAME' 'names the line and what is missing'
sed -e 's/^ci_metric = .*/ci_metric = fio.w.write.bw_byts/' "$T/a.ini" >"$T/c.ini"
vmsweep_cmd run "$T/c.ini" --out "$T/c"
expect_rc 2
expect_grep "$ERR" "c.ini:7: \[sweep\] ci_metric: metric 'fio.w.write.bw_byts' matches no metric a run records" 'names the metric'
end
