#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 2. The IPI path: cross-CPU wake-ups from CPU 0 to a task on the last CPU.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "pingpong/200 rounds between 2 vCPUs all run on the target"
vms --vcpus 2 --json --set pingpong=200
expect_rc 0
expect_json '.status == "done"' 'status "done"'
expect_json '.knobs.pingpong == 200' 'knobs.pingpong is 200'
expect_json '.pingpong.rounds == 200' 'pingpong.rounds == 200'
expect_json '.pingpong.ran_on_target == .pingpong.rounds' 'pingpong.ran_on_target == rounds'
expect_json '.pingpong.target_cpu == 1' 'pingpong.target_cpu == 1 (the last CPU)'
expect_json '.pingpong.ipis > 0' 'pingpong.ipis > 0'
expect_json '.pingpong.total_ns > 0' 'pingpong.total_ns > 0'
expect_json '.cpus[0].ipis_sent > 0 and .cpus[1].ipis_received > 0' 'CPU 0 sent IPIs and CPU 1 received IPIs'
end

begin "pingpong/with 4 vCPUs the target is the last CPU (3)"
vms --vcpus 4 --json --set pingpong=50
expect_rc 0
expect_json '.pingpong.target_cpu == 3' 'pingpong.target_cpu == 3'
expect_json '.pingpong.rounds == 50 and .pingpong.ran_on_target == 50' 'rounds == ran_on_target == 50'
expect_json '.pingpong.ipis > 0' 'pingpong.ipis > 0'
end

begin "pingpong/absent when not asked for"
vms --vcpus 2 --json --set duration_ms=20
expect_rc 0
expect_json '.pingpong == null or .pingpong.rounds == 0' 'no pingpong results without --set pingpong'
end

finish
