#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 4. A guest page fault: exit 3, the report says page fault, vector 14 and CR2.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "fault/fault_test=1 (write to the null page) is a page fault at 0"
vms --set fault_test=1 --json
expect_rc 3 'guest panic (oops)'
expect_grep "$ERR" '[Pp]age fault' 'stderr mentions a page fault'
expect_grep "$ERR" 'page fault at (0|0x0+)\b' 'stderr says the fault address is 0'
expect_grep "$ERR" 'vector 14\b' 'stderr says exception vector 14'
expect_grep "$ERR" 'CR2 (0|0x0+)\b' 'stderr says CR2 0'
expect_json '.status == "panic"' 'status "panic"'
expect_json '.panic.vector == 14' 'panic.vector == 14'
expect_json '.panic.cr2 == 0' 'panic.cr2 == 0'
expect_json '.panic.message | test("page fault")' 'panic.message mentions the page fault'
expect_fixed "$LOG" 'unable to handle page fault for address: 0' 'the console log has the oops'
end

begin "fault/fault_test=2 (read past the end of RAM) faults beyond RAM"
vms --set fault_test=2 --memory 64M --json
expect_rc 3 'guest panic (oops)'
expect_grep "$ERR" 'vector 14\b' 'stderr says exception vector 14'
cr2=$(sed -n 's/.*CR2 \(0x[0-9a-fA-F]*\|[0-9][0-9]*\).*/\1/p' "$ERR" | head -n 1)
if [ -z "$cr2" ]; then
	fail_because 'stderr gives no CR2'
elif [ $((cr2)) -lt $((64 << 20)) ]; then
	fail_because "CR2 $cr2 on stderr is inside the 64 MiB of RAM"
fi
expect_json '.panic.vector == 14' 'panic.vector == 14'
expect_json '.panic.cr2 >= .memory_bytes and .memory_bytes == 67108864' 'panic.cr2 >= memory_bytes (64 MiB)'
end

finish
