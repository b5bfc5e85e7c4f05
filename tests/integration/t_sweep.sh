#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq and SQL use $ and quotes of their own
# Sweeps: plan, run, store, export; a failed run is recorded and the sweep goes on;
# a sweep killed with SIGKILL at random moments resumes with every planned run
# recorded exactly once and an intact database; Ctrl-C stops cleanly and resumes.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$T/s/results.sqlite" "$1"; }

begin "sweep/plan, run, store and export"
sweep_config '[params]
vcpus = 1, 2
tasks_per_cpu = 1..3 step 1
[constraints]
tasks_per_cpu * vcpus <= 4'
vmsweep_cmd plan "$T/c.ini" --json
expect_rc 0
runs=$(jq '.runs | length' "$OUT" 2>/dev/null)
check 'the plan has 5 points x 2 = 10 runs' test "$runs" = 10
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
check 'the store has 10 runs, all done' test "$(sql "select count(*) from runs where status='done'")" = 10
check 'every run has metrics' test "$(sql "select count(distinct run) from metrics")" = 10
check 'integrity_check ok' test "$(sql 'pragma integrity_check')" = ok
vmsweep_cmd export "$T/s" --format csv
expect_rc 0
check 'CSV: a header and 10 rows' test "$(wc -l <"$OUT")" = 11
expect_grep "$OUT" '^run,point,rep,status,vcpus,tasks_per_cpu,' 'CSV header names the parameters'
vmsweep_cmd export "$T/s" --format json
check 'JSON: 10 objects' test "$(jq length "$OUT")" = 10
end

begin "sweep/a run that panics is recorded as failed and the sweep completes"
sweep_config '[params]
panic_test = 0, 1'
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 3 'runs failed, all recorded'
check '2 runs done, 2 failed' test "$(sql "select group_concat(status || ':' || n) from (select status, count(*) n from runs group by status order by status)")" = "done:2,failed:2"
check 'the failure names the panic' test "$(sql "select count(*) from runs where status='failed' and cause like '%panic_test%'")" = 2
check 'the failed runs keep their console' test "$(sql "select count(*) from console where text like '%Kernel panic%'")" = 2
end

begin "sweep/export: each run's status, cause, seed and wall time; --where and --metrics select; word knobs as words"
sweep_config '[params]
watermark_model = 2.4, modern
panic_test = 0, 1'
vmsweep_cmd run "$T/c.ini" --out "$T/s" --allow-failed
expect_rc 0
vmsweep_cmd export "$T/s"
expect_rc 0
expect_grep "$OUT" '^run,point,rep,status,watermark_model,panic_test,seed,wall_ms,started,ended,exit_status,cause,boot_us\.' 'the header: ids, parameters, run columns, metrics'
check 'knob values as words, not numbers' test "$(cut -d, -f5 "$OUT" | sort -u | tr '\n' ' ')" = '2.4 4.6 watermark_model '
check 'the 4 failed runs: exit status 3, the panic as cause' test "$(grep -Ec '^[0-9]+,[0-9]+,[0-9]+,failed,[^,]*,1,[0-9]+,[0-9.]+,[0-9.]+,[0-9.]+,3,"panic: .*panic_test: requested by the host",' "$OUT")" = 4
check 'the done runs have no cause' test "$(grep -Ec '^[0-9]+,[0-9]+,[0-9]+,done,[^,]*,0,[0-9]+,[0-9.]+,[0-9.]+,[0-9.]+,0,,' "$OUT")" = 4
# The seeds, as the runs table has them (signed there, unsigned here).
vmsweep_cmd export "$T/s" --metrics seed
want=$(sql 'select id, seed from runs order by id' | while IFS='|' read -r id seed; do printf '%s,%u\n' "$id" "$seed"; done)
check 'each seed is the runs table'"'"'s' test "$(tail -n +2 "$OUT" | cut -d, -f1,7)" = "$want"
expect_grep "$OUT" '^run,point,rep,status,watermark_model,panic_test,seed$' '--metrics seed: only the seed after the parameters'
vmsweep_cmd export "$T/s" --where 'status == failed && watermark_model == modern' --metrics 'cause,wall_ms'
expect_rc 0
want=$(sql "select id from runs where status = 'failed' and point in (select point from point_values where param = 'watermark_model' and value = 2) order by id" | tr '\n' ' ')
check "--where keeps exactly the failed modern runs ($want)" test "$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ')" = "$want"
check '--where: 2 runs' test "$(tail -n +2 "$OUT" | wc -l)" = 2
expect_grep "$OUT" '^run,point,rep,status,watermark_model,panic_test,cause,wall_ms$' '--metrics: the columns in the order asked'
vmsweep_cmd export "$T/s" --metrics 'boot_us.*' --where 'panic_test == 0'
check '--metrics boot_us.*: the six boot times' test "$(head -1 "$OUT")" = 'run,point,rep,status,watermark_model,panic_test,boot_us.created,boot_us.first_insn,boot_us.main,boot_us.workload,boot_us.done,boot_us.end'
check '--where panic_test == 0: the 4 done runs' test "$(tail -n +2 "$OUT" | grep -c ',done,')" = 4
vmsweep_cmd export "$T/s" --format json --where 'cause == "panic:*"'
expect_json 'length == 4' 'JSON: the 4 runs whose cause matches'
expect_json 'all(.[]; .status == "failed" and .exit_status == 3 and (.cause | test("panic_test")) and (.seed | test("^[0-9]+$")) and (.wall_ms > 0))' 'JSON: status, exit status, cause, seed as digits, wall time'
expect_json '[.[].watermark_model] | unique == ["2.4", "4.6"]' 'JSON: knob words'
vmsweep_cmd export "$T/s" --where 'status == don'
expect_rc 2
expect_grep "$ERR" "--where 'status == don': column 11: status: 'don' is not a status \(did you mean 'done'\?\)" 'a bad status, with did-you-mean'
vmsweep_cmd export "$T/s" --where 'panic_tset == 1'
expect_rc 2
expect_grep "$ERR" "unknown name 'panic_tset' \(did you mean 'panic_test'\?\)" 'an unknown name, with did-you-mean'
vmsweep_cmd export "$T/s" --where 'watermark_model == 2.5'
expect_rc 2
expect_grep "$ERR" "expected one of 2.4, 2.6.10, 4.6, 2.6.0 \(did you mean '2.4'\?\)" 'a knob word read as --set reads it'
vmsweep_cmd export "$T/s" --metrics 'boot_us.*,fio.*.write.iops'
expect_rc 2
expect_grep "$ERR" "'fio.\*.write.iops' matches no column of this sweep" 'a pattern that matches nothing'
vmsweep_cmd export "$T/s" --metrics 'boot_us.dnoe'
expect_rc 2
expect_grep "$ERR" "unknown column 'boot_us.dnoe' \(did you mean 'boot_us.done'\?\)" 'an unknown metric, with did-you-mean'
check 'nothing on stdout after an error' test ! -s "$OUT"
vmsweep_cmd export "$T/s" --format xml
expect_rc 2
vmsweep_cmd export --help
expect_grep "$OUT" '--where EXPR' '--help documents --where'
expect_grep "$OUT" '--metrics LIST' '--help documents --metrics'
end

begin "sweep/a run that times out is recorded as failed, with where the vCPUs were"
cat >"$T/c.ini" <<EOF2
[sweep]
name = t
repeat = 1
timeout = 2s
[guest]
memory = 64M
duration_ms = 20
[params]
hang_test = 0, 1
EOF2
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 3 'a run failed, all recorded'
check '1 run done, 1 failed' test "$(sql "select group_concat(status) from (select status from runs order by status)")" = "done,failed"
check 'the failure says it timed out' test "$(sql "select count(*) from runs where status='failed' and cause like '%timed out%'")" = 1
check 'the manifest keeps the config, seeds, host and build ids' test "$(sql "select count(*) from manifest where key in ('config','seed','host_kernel','kvm_caps','guest_build_id','harness_build_id')")" = 6
end

begin "sweep/killed 20 times at random moments, resumed: every run recorded exactly once"
sweep_config '[params]
tasks_per_cpu = 1, 2, 3, 4
vcpus = 1, 2'
for i in $(seq 1 20); do
	if [ "$i" = 1 ]; then what="--out"; else what="--resume"; fi
	(cd "$T" && exec "$VMSWEEP" run "$T/c.ini" "$what" "$T/s" >/dev/null 2>&1) &
	pid=$!
	sleep "0.$((RANDOM % 6 + 1))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$(sql 'pragma integrity_check')" = ok ] || fail_because "integrity_check failed after kill $i"
done
recorded_before=$(sql "select count(*) from runs where status != 'planned'")
vmsweep_cmd run "$T/c.ini" --resume "$T/s"
expect_rc 0 'the resumed sweep finishes'
check 'all 16 runs recorded, each once' test "$(sql "select count(*) from runs where status='done'")" = 16
check 'no run has metrics twice' test "$(sql "select count(*) from (select run, name, count(*) c from metrics group by run, name having c > 1)")" = 0
check 'runs still planned have no results' test "$(sql "select count(*) from metrics m join runs r on r.id = m.run where r.status = 'planned'")" = 0
check 'integrity_check ok' test "$(sql 'pragma integrity_check')" = ok
check "some runs were recorded between kills ($recorded_before)" test "$recorded_before" -gt 0
end

begin "sweep/Ctrl-C stops after the runs in flight, and --resume finishes"
sweep_config '[params]
tasks_per_cpu = 1, 2, 3, 4, 5, 6'
(cd "$T" && exec env --default-signal=INT "$VMSWEEP" run "$T/c.ini" --out "$T/s" >"$T/o" 2>"$T/e") &
pid=$!
sleep 0.6
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || [ "$rc" = 0 ] || fail_because "exit status $rc after SIGINT, expected 130 (or 0 if it had finished)"
check 'integrity_check ok' test "$(sql 'pragma integrity_check')" = ok
vmsweep_cmd run "$T/c.ini" --resume "$T/s"
expect_rc 0
check 'all 12 runs done after the resume' test "$(sql "select count(*) from runs where status='done'")" = 12
end

begin "sweep/bad configs and options get clear errors"
vmsweep_cmd run "$ROOT/tests/sweep-corpus/bad/unknown-section.ini" --out "$T/x"
expect_rc 2
expect_grep "$ERR" 'unknown-section\.ini:[0-9]+:' 'names file and line'
vmsweep_cmd run "$T/nope.ini"
expect_rc 2
vmsweep_cmd run "$ROOT/configs/quick.ini" --resume "$T/does-not-exist"
expect_rc 1
expect_grep "$ERR" 'does-not-exist' 'names the directory'
end

finish
