#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 1. 1, 2, 4 (and 64) vCPUs boot and complete the built-in workload.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

for n in 1 2 4; do
	begin "boot/$n vCPU(s) complete the workload"
	vms --vcpus "$n" --json
	expect_rc 0
	expect_json '.status == "done" and .exit_code == 0' 'status "done", exit_code 0'
	expect_json '.vcpus == $n' "vcpus is $n" --argjson n "$n"
	expect_json '(.cpus | length) == $n' "cpus has $n entries" --argjson n "$n"
	expect_json '[.cpus[].cpu] | sort == [range($n)]' "cpus are numbered 0..$((n - 1))" --argjson n "$n"
	expect_json 'all(.cpus[]; .work_loops > 0)' 'every CPU did work (work_loops > 0)'
	expect_json 'all(.cpus[]; .ticks > 0)' 'every CPU took ticks (ticks > 0)'
	expect_json 'all(.cpus[]; .busy_ns > 0 and .idle_ns > 0)' 'every CPU was both busy and idle (spin/sleep workload)'
	expect_json '.boot_us.first_instruction > 0 and .boot_us.first_instruction < .boot_us.done' \
		'0 < boot_us.first_instruction < boot_us.done'
	expect_json '.boot_us | .vm_created <= .first_instruction and .first_instruction <= .main and .main <= .workload and .workload <= .done and .done <= .end' \
		'boot_us milestones in order: vm_created <= first_instruction <= main <= workload <= done <= end'
	expect_json '.build_id | test("^[0-9a-f]{40}$")' 'build_id is the guest'"'"'s 40-hex-digit build ID'
	expect_json '.tasks == []' 'no task table without --verbose'
	expect_json '.console_log | endswith("console.1.log")' 'console_log names the --log file'
	check 'stdout is exactly one JSON document' test "$(jq -s length "$OUT" 2>/dev/null)" = 1
	expect_fixed "$LOG" "vmsweep guest kernel" "the console log has the guest's banner"
	expect_grep "$LOG" "$n CPUs?" "the guest banner reports $n CPU(s)"
	end
done

begin "boot/text summary (no --json)"
vms --vcpus 2 --memory 64M --hz 500
expect_rc 0
expect_grep "$OUT" '^vmsweep boot: done: 2 vCPUs, 64 MiB, HZ 500\b' 'summary line: done, 2 vCPUs, 64 MiB, HZ 500'
expect_grep "$OUT" '^boot time .*first instruction [0-9]+' 'boot time line'
expect_grep "$OUT" 'wake-up latency .* p50 .* p99 ' 'wake-up latency line'
check 'the CPU table has one row per vCPU (0 and 1)' test "$(grep -Ec '^ +[01] +[0-9]+ +[0-9]+' "$OUT")" = 2
expect_grep "$OUT" 'console log: ' 'the summary says where the console log is'
check 'stderr is empty on success (no --console)' test ! -s "$ERR"
end

# The results must not be lost in silence: JSON that cannot be written whole is an error.
begin "boot/--json into a full stdout: exit 1 and a message, not exit 0"
NRUN=1
printf '%q ' "$VMSWEEP" boot --log "$T/console.1.log" --timeout "$GUEST_TIMEOUT" --json >"$T/cmd.1"
echo '>/dev/full' >>"$T/cmd.1"
(cd "$T" && timeout "$HOST_TIMEOUT" "$VMSWEEP" boot --log "$T/console.1.log" --timeout "$GUEST_TIMEOUT" --json \
	>/dev/full 2>"$T/stderr.1" </dev/null)
RC=$?
echo "$RC" >"$T/rc.1"
echo 0 >"$T/wall.1"
expect_rc 1
expect_fixed "$T/stderr.1" "the JSON results are not whole: writing them to stdout failed" 'stderr says so'
end

begin "boot/--memory 16M (the minimum) and --vcpus 64 (the maximum) boot"
vms --memory 16M --vcpus 64 --set duration_ms=0 --json
expect_rc 0
expect_json '.status == "done"' 'status "done"'
expect_json '.memory_bytes == 16777216' 'memory_bytes is 16 MiB'
expect_json '(.cpus | length) == 64 and .vcpus == 64' '64 CPU records'
end

finish
