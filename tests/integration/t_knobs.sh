#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 8. Knobs reach the guest: duration_ms sets how long the workload runs, --hz sets
# the tick rate, --set takes lists and units.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# tick_rate_ok HZ: every CPU took about HZ ticks per second of its busy+idle time
# (generous band 0.5..1.25 x HZ: ticks arriving while a CPU is masked coalesce, and
# a loaded host delays some).
tick_rate_ok()
{
	expect_json ".hz == $1" "hz is $1"
	expect_json 'all(.cpus[]; (.busy_ns + .idle_ns) > 0)' 'every CPU has busy_ns + idle_ns > 0'
	expect_json "all(.cpus[]; (.ticks / ((.busy_ns + .idle_ns) / 1e9)) as \$r | \$r >= 0.5 * $1 and \$r <= 1.25 * $1)" \
		"every CPU ticked at 0.5..1.25 x $1 per second of busy_ns + idle_ns (rates: $(jget '[.cpus[] | (.ticks / ((.busy_ns + .idle_ns) / 1e9)) | floor] | join(", ")'))"
	expect_fixed "$LOG" "HZ=$1" "the guest banner says HZ=$1"
}

begin "knobs/duration_ms=300 runs the workload >= 300 ms, and longer than duration_ms=50"
vms --set duration_ms=50 --json
expect_rc 0
expect_json '.knobs.duration_ms == 50' 'knobs.duration_ms is 50'
expect_json '.boot_us.done - .boot_us.workload >= 50000' 'duration_ms=50: boot_us.done - boot_us.workload >= 50000'
d50=$(jget '.boot_us.done - .boot_us.workload')
vms --set duration_ms=300 --json
expect_rc 0
expect_json '.knobs.duration_ms == 300' 'knobs.duration_ms is 300'
expect_json '.boot_us.done - .boot_us.workload >= 300000' 'duration_ms=300: boot_us.done - boot_us.workload >= 300000'
expect_json '(.boot_us.done - .boot_us.workload) - $d50 >= 200000' \
	"duration_ms=300 runs at least 200 ms longer than duration_ms=50 ($d50 us)" --argjson d50 "${d50:-0}"
expect_fixed "$LOG" 'for 300 ms' 'the guest console says the workload ran for 300 ms'
end

begin "knobs/--hz 250 ticks about 250 times a second on every CPU"
vms --hz 250 --set duration_ms=200 --json
expect_rc 0
tick_rate_ok 250
end

begin "knobs/--hz 100 ticks about 100 times a second on every CPU"
vms --hz 100 --set duration_ms=200 --json
expect_rc 0
tick_rate_ok 100
end

begin "knobs/--set takes KEY=V,KEY=V lists and durations with units"
vms --set duration_ms=0,spin_ms=3ms --set sleep_ms=1s --set timeslice_ms=7 --json
expect_rc 0
expect_json '.knobs.duration_ms == 0 and .knobs.spin_ms == 3 and .knobs.sleep_ms == 1000 and .knobs.timeslice_ms == 7' \
	'knobs: duration_ms 0, spin_ms 3, sleep_ms 1000 (1s), timeslice_ms 7'
expect_json '.knobs.pingpong == 0 and .knobs.panic_test == 0' 'knobs not set keep their defaults'
end

begin "knobs/a later --set of the same knob wins"
vms --set duration_ms=300 --set duration_ms=20 --json
expect_rc 0
expect_json '.knobs.duration_ms == 20' 'knobs.duration_ms is 20'
expect_json '.boot_us.done - .boot_us.workload < 250000' 'the workload ran for about 20 ms, not 300'
end

begin "knobs/tasks_per_cpu=3 runs 3 workers on every CPU, whose loops add up"
vms --vcpus 2 --set tasks_per_cpu=3 --json
expect_rc 0
expect_json '(.workers | length) == 6' '6 workers for 2 CPUs x 3 tasks'
expect_json '[.workers[] | .cpu] | group_by(.) | map(length) == [3, 3]' '3 workers on each CPU'
expect_json 'all(.workers[]; .loops > 0)' 'every worker did work'
expect_json '([.workers[].loops] | add) == ([.cpus[].work_loops] | add)' 'the workers'"'"' loops add up to the CPUs'"'"' work_loops'
end

begin "knobs/compute_iters and sample_ms are run and reported"
vms --set compute_iters=1000000,sample_ms=10 --json
expect_rc 0
expect_json '.compute.iterations == 1000000 and .compute.ns > 0' 'compute: 1000000 iterations, ns > 0'
expect_json '.samples > 0' 'sample_ms=10 produced samples'
expect_fixed "$LOG" 'compute: 1000000 iterations' 'the guest console reports the compute run'
end

finish
