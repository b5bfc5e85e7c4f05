#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 3. A guest panic: exit 3, reported on stderr, in the JSON and in the console log.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "panic/panic_test=1 is reported (text)"
vms --set panic_test=1
expect_rc 3 'guest panic'
expect_grep "$ERR" 'panic.*panic_test' 'stderr names the panic and "panic_test"'
expect_grep "$ERR" '^Call Trace:' 'stderr has a call trace'
expect_grep "$ERR" '^ +[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+$' 'the call trace is symbolized (name+0xoff)'
expect_fixed "$LOG" 'Kernel panic - not syncing' 'the console log has the kernel panic line'
expect_fixed "$LOG" 'panic_test' 'the console log names panic_test'
end

begin "panic/panic_test=1 is reported (JSON)"
vms --set panic_test=1 --json
expect_rc 3 'guest panic'
check 'stdout is exactly one JSON document' test "$(jq -s length "$OUT" 2>/dev/null)" = 1
expect_json '.status == "panic" and .exit_code == 3' 'status "panic", exit_code 3'
expect_json '.panic.message | contains("panic_test")' 'panic.message contains panic_test'
expect_json '(.panic.frames | length) > 0' 'panic.frames is a non-empty list'
expect_json 'all(.panic.frames[]; . > 0)' 'panic.frames are addresses (non-zero)'
expect_json '.panic.cpu < .vcpus' 'panic.cpu is one of the vCPUs'
expect_json '.reason | contains("panic_test")' 'reason contains panic_test'
expect_grep "$ERR" 'panic_test' 'stderr names panic_test even with --json'
expect_fixed "$LOG" 'Kernel panic - not syncing' 'the console log has the kernel panic line'
end

finish
