#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 10. --console: the guest console live on stderr (and still in the log).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "console/--console shows the guest console on stderr"
vms --console --set duration_ms=20
expect_rc 0
expect_fixed "$ERR" 'vmsweep guest kernel' 'stderr has the guest banner'
expect_grep "$ERR" '^\[ *[0-9]+\.[0-9]+\]\[C[0-9]+\] done$' 'stderr has the guest'"'"'s final "done" line'
expect_fixed "$LOG" 'vmsweep guest kernel' 'the console log has it too'
if [ -s "$LOG" ] && grep -Fxv -f "$ERR" "$LOG" >"$T/missing" 2>/dev/null; then
	fail_because "console log lines missing from stderr: $(head -n 3 "$T/missing" | tr '\n' '|')"
fi
expect_no_grep "$OUT" 'vmsweep guest kernel' 'the console does not go to stdout'
expect_grep "$OUT" '^vmsweep boot: done' 'stdout still has the summary'
end

begin "console/--console with --json keeps stdout pure JSON"
vms --console --json --set duration_ms=20
expect_rc 0
check 'stdout is exactly one JSON document' test "$(jq -s length "$OUT" 2>/dev/null)" = 1
expect_fixed "$ERR" 'vmsweep guest kernel' 'stderr has the guest banner'
end

begin "console/without --console the console stays off stderr"
vms --set duration_ms=20
expect_rc 0
expect_no_grep "$ERR" 'vmsweep guest kernel' 'no console on stderr'
expect_fixed "$LOG" 'vmsweep guest kernel' 'the console log has the banner'
end

# A user stops a hung guest with Ctrl-C (SIGINT) or a CI job kills it (SIGTERM): the run
# ends cleanly with status 130 (--help), a report of where the vCPUs were, and what the
# guest printed before is in --log. (--timeout 20s, not 0, only bounds a broken run.)
for sig in INT TERM; do
	begin "console/SIG$sig stops a hung guest cleanly: exit 130, report, console log kept"
	vms_signal "$sig" 1.5 --set hang_test=1 --timeout 20s --json
	expect_rc 130 "interrupted (SIG$sig)"
	[ "$WALL_MS" -lt 15000 ] || fail_because "SIG$sig took ${WALL_MS} ms to stop vmsweep"
	expect_json '.status == "interrupted" and .exit_code == 130' 'status "interrupted", exit_code 130'
	expect_grep "$ERR" 'interrupted' 'stderr says interrupted'
	expect_fixed "$ERR" 'vCPU 0 was at' 'stderr says where vCPU 0 was'
	expect_fixed "$LOG" 'vmsweep guest kernel' 'the console log has the banner printed before the signal'
	expect_fixed "$LOG" 'hang_test: spinning' 'the console log has the last line printed before the signal'
	end
done

# --log is the guest console as it happens: `tail -f` on it while a run goes on.
begin "console/the log is written while the guest runs"
NRUN=1
OUT=$T/stdout.1 ERR=$T/stderr.1 LOG=$T/console.1.log
printf '%q ' "$VMSWEEP" boot --log "$LOG" --timeout "$GUEST_TIMEOUT" --set duration_ms=1500 >"$T/cmd.1"
t0=$(date +%s%N)
timeout "$HOST_TIMEOUT" "$VMSWEEP" boot --log "$LOG" --timeout "$GUEST_TIMEOUT" --set duration_ms=1500 \
	>"$OUT" 2>"$ERR" </dev/null &
pid=$!
seen=no
during=0
while kill -0 "$pid" 2>/dev/null; do
	if grep -Fq 'vmsweep guest kernel' "$LOG" 2>/dev/null; then
		kill -0 "$pid" 2>/dev/null && seen=yes # still running: the log was written live
		break
	fi
	during=$({ wc -c <"$LOG"; } 2>/dev/null || echo 0)
	sleep 0.05
done
wait "$pid"
RC=$?
echo "$RC" >"$T/rc.1"
echo $((($(date +%s%N) - t0) / 1000000)) >"$T/wall.1"
expect_rc 0
[ "$seen" = yes ] || fail_because "while the 1.5 s workload ran, the console log never showed the guest's banner (printed in the first millisecond; last size seen $during bytes)"
expect_fixed "$LOG" 'vmsweep guest kernel' 'the console log has the banner at the end'
end

finish
