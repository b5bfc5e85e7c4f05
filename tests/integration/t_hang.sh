#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 5. A hung guest is stopped by --timeout: exit 7, and the report says where each vCPU was.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "hang/hang_test=1 --timeout 2s stops with exit 7 and says where the vCPUs were"
vms --vcpus 2 --set hang_test=1 --timeout 2s --json
expect_rc 7 timeout
[ "$WALL_MS" -lt 15000 ] || fail_because "took ${WALL_MS} ms, expected < 15 s with --timeout 2s"
[ "$WALL_MS" -ge 1900 ] || fail_because "took only ${WALL_MS} ms: stopped before the 2 s --timeout"
expect_grep "$ERR" 'timed out' 'stderr says timed out'
expect_fixed "$ERR" 'vCPU 0 was at' 'stderr says where vCPU 0 was'
expect_fixed "$ERR" 'vCPU 1 was at' 'stderr says where vCPU 1 was'
expect_grep "$ERR" 'vCPU 0 was at [A-Za-z_][A-Za-z0-9_.]*\+0x' 'vCPU 0 location is symbolized'
expect_json '.status == "timeout" and .exit_code == 7' 'status "timeout", exit_code 7'
expect_json '(.vcpu_state | length) == 2' 'vcpu_state has both vCPUs'
# The CPU that printed "hang_test" (normally 0; init can have moved) is the stuck one:
# the report must place it in run_selftests, the function that spins, masked.
stuck=$(sed -n 's/.*\]\[C\([0-9]*\)\] hang_test.*/\1/p' "$LOG" | head -n 1)
if [ -z "$stuck" ]; then
	fail_because 'the console log does not say which CPU runs hang_test'
else
	expect_json '.vcpu_state[] | select(.vcpu == $c) | .irqs_masked == true and (.where | startswith("run_selftests+"))' \
		"vCPU $stuck (running hang_test) is reported in run_selftests with interrupts masked" --argjson c "$stuck"
fi
expect_fixed "$LOG" 'hang_test' 'the console log shows the guest reached hang_test'
end

finish
