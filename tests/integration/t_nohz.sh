#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# NO_HZ_IDLE (guest/kernel/time/tick-sched.c, the nohz knob): an idle CPU stops its
# periodic tick; its timers, the samples and the do_timer duty still come on time, and a
# busy CPU's tick kicks it to balance (guest/kernel/sched/fair_nohz.c).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

HZ_DEFAULT=250
# one CPU-bound task on 2 vCPUs for 1 s: the other CPU idles the whole run
busy1='duration_ms=1000,tasks=1,spin_ms=1,sleep_ms=0'
# the idle CPU's ticks against HZ x the run's seconds
idle_ticks='(.cpus[1 - .workers[0].cpu].ticks) as $i | (.boot_us.done / 1e6 * $hz) as $full'

begin "nohz/an idle CPU's ticks: far below HZ x seconds with nohz=1, about HZ x seconds with nohz=0"
vms --vcpus 2 --json --set "$busy1,nohz=1"
expect_rc 0
expect_json "$idle_ticks | \$i < 0.2 * \$full" \
	"nohz=1: the idle CPU ticked $(jget '.cpus | map(.ticks) | tojson') of $HZ_DEFAULT x $(jget '.boot_us.done / 1e6') s" --argjson hz "$HZ_DEFAULT"
vms --vcpus 2 --json --set "$busy1,nohz=0"
expect_rc 0
# a loaded host may let a halted vCPU miss a tick or two (KVM coalesces them)
expect_json "$idle_ticks | \$i >= 0.7 * \$full" \
	"nohz=0: the idle CPU ticked $(jget '.cpus | map(.ticks) | tojson') of $HZ_DEFAULT x $(jget '.boot_us.done / 1e6') s" --argjson hz "$HZ_DEFAULT"
end

begin "nohz/the samples (sample_ms) come from every CPU and the do_timer duty, tick stopped or not"
vms --vcpus 2 --json --set "$busy1,nohz=1,sample_ms=20"
expect_rc 0
# one sample per CPU per period: a stopped tick is programmed for the next one
expect_json '(.boot_us.done / 1000) as $run | .samples >= 2 * ($run / 20 * 0.8) - 2' \
	"$(jget .samples) samples of 2 CPUs in $(jget '.boot_us.done / 1000 | floor') ms at 20 ms"
expect_json '(.vmstat.samples - .samples / 2 | fabs) <= 3' \
	"the memory manager sampled with the do_timer CPU, as often as each CPU ($(jget .vmstat.samples))"
expect_json "$idle_ticks | \$i < 0.4 * \$full" \
	"the idle CPU still ticked only for its samples ($(jget '.cpus | map(.ticks) | tojson'))" --argjson hz "$HZ_DEFAULT"
end

begin "nohz/a timer on a CPU whose tick is stopped fires on time"
# a task sleeping 20 ms (5 ticks) after each 1 ms of work: its CPU stops the tick for
# each sleep and programs the timer's expiry; a lost or late event would cost cycles
# (a tick late: 1000 / 25 = 40 cycles; on time ~47)
vms --vcpus 2 --json --set "duration_ms=1000,tasks=1,spin_ms=1,sleep_ms=20,nohz=1"
expect_rc 0
expect_json '.workers[0].sleeps >= 0.9 * (.boot_us.done / 1000 - 10) / 22' \
	"$(jget '.workers[0].sleeps') sleeps of 20 ms in $(jget '.boot_us.done / 1000 | floor') ms: each under 1 ms late on average"
expect_json '(.cpus[.workers[0].cpu].ticks) < 0.5 * .boot_us.done / 1e6 * $hz' \
	"the sleeper's CPU ran without its tick ($(jget '.cpus | map(.ticks) | tojson') ticks)" --argjson hz "$HZ_DEFAULT"
end

begin "nohz/two CPU-bound tasks started on one CPU spread to the tickless idle CPU (nohz_balancer_kick)"
# compute_iters runs first on CPU 0 (about 0.2-0.6 s), while CPU 1 idles with its tick
# stopped; then both tasks start on CPU 0 (tasks_packed=1): only the busy CPU's kick
# makes CPU 1 balance before its watchdog wake-up (4 s)
vms --vcpus 2 --json --set "compute_iters=300000000,duration_ms=1000,tasks=2,tasks_packed=1,spin_ms=1,sleep_ms=0,nohz=1"
expect_rc 0
expect_json '[.workers[].cpu] | unique | length == 2' "the tasks ended on both CPUs ($(jget '[.workers[].cpu] | tojson'))"
expect_json '[.workers[].cpu_ns] | all(. > 0.8e9)' \
	"each got most of a CPU ($(jget '[.workers[].cpu_ns / 1e6 | floor] | tojson') ms of 1000)"
expect_json '[.schedstat[].domains[].balance.lb_gained.idle] | add >= 1' 'pulled by an idle CPU'"'"'s balance (lb_gained.idle)'
end
