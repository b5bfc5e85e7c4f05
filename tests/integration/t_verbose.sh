#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 9. --verbose: the guest lists its tasks at boot.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "verbose/JSON tasks list init, kthreadd, migration/0, watchdog/0 and swapper/N per CPU"
vms --verbose --vcpus 3 --json --set duration_ms=20
expect_rc 0
expect_json '(.tasks | length) > 0' 'tasks is not empty'
expect_json 'any(.tasks[]; .pid == 1 and .name == "init")' 'init is pid 1'
expect_json 'any(.tasks[]; .pid == 2 and .name == "kthreadd")' 'kthreadd is pid 2'
expect_json 'any(.tasks[]; .name == "migration/0" and .cpu == 0)' 'migration/0 on CPU 0'
expect_json 'any(.tasks[]; .name == "watchdog/0" and .cpu == 0)' 'watchdog/0 on CPU 0'
for c in 0 1 2; do
	expect_json "any(.tasks[]; .name == \"swapper/$c\" and .pid == 0 and .cpu == $c)" "swapper/$c (pid 0) on CPU $c"
done
expect_json '[.tasks[] | select(.name | startswith("swapper/"))] | length == 3' 'exactly one swapper per CPU'
expect_json '[.tasks[] | select(.pid > 0) | .pid] | (length == (unique | length))' 'pids other than 0 are unique'
expect_grep "$LOG" 'PID +CPU' 'the guest console has the task table'
end

begin "verbose/text summary has the task table"
vms --verbose --vcpus 2 --set duration_ms=20
expect_rc 0
expect_fixed "$OUT" 'tasks at boot' 'stdout has "tasks at boot"'
expect_grep "$OUT" '^ +1 +[0-9]+ +[0-9]+ +init$' 'init, pid 1, in the table'
expect_grep "$OUT" '^ +2 +[0-9]+ +[0-9]+ +kthreadd$' 'kthreadd, pid 2, in the table'
expect_grep "$OUT" ' swapper/1$' 'swapper/1 in the table'
end

finish
