#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# The scheduler's balancing (guest/kernel/sched/fair*.c): CPU-bound tasks share the
# CPUs fairly when balancing is on and not when it is off, the counters say what it
# did, and its knobs change what it does.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# 3 CPU-bound tasks (no sleeps) on 2 vCPUs for 3 s: 2/3 of a CPU each when balanced.
# Which task is alone on a CPU changes at each pull (about every 64 ms), a random walk
# whose spread is ~9 % of the share over 3 s and ~5 % over 10 s: fairness is judged over 8 s.
spin3='duration_ms=3000,tasks=3,spin_ms=1,sleep_ms=0'

begin "sched/3 CPU-bound tasks on 2 vCPUs converge to a fair share (each within 10 % of 2/3 of a CPU), with migrations counted"
vms --vcpus 2 --timeout 40s --json --set "${spin3/duration_ms=3000/duration_ms=8000}"
expect_rc 0
expect_json '[.workers[] | select(.pinned)] | length == 0' 'the tasks are not pinned'
# shares of the CPU time the three got together (a host that steals from one vCPU slows both its tasks alike)
expect_json '[.workers[].cpu_ns] as $t | ($t | add) as $sum | all($t[]; (. / $sum - 1/3 | fabs) < 1/3 * 0.1)' \
	'each task got within 10 % of a third of the CPU time (2/3 of a CPU)'
expect_json '[.workers[].migrations] | add >= 4' 'the tasks migrated (the balancer rotated them)'
expect_json '[.schedstat[].domains[].balance.lb_gained | .idle + .busy + .newly_idle] | add >= 4' \
	'schedstat: load_balance pulled tasks (lb_gained)'
expect_json '[.schedstat[].moved_in] | add >= 4' 'schedstat: tasks moved in, with their wait after the move'
expect_json '([.schedstat[] | .domains | length] | all(. == 1)) and ([.schedstat[].domains[0].name] | unique) == ["MC"]' \
	'2 vCPUs of one package: one domain, MC'
expect_json '.cpus[0].migrations + .cpus[1].migrations >= ([.workers[].migrations] | add)' \
	'per-CPU migrations count every task move'
end

begin "sched/the same tasks on 1x4x1 and 4x1x1: balanced in an MC domain (one package) or a PKG domain (four)"
for shape in 1x4x1 4x1x1; do
	vms --topology "$shape" --timeout 40s --json --set duration_ms=2000,tasks=6,spin_ms=1,sleep_ms=0
	expect_rc 0 "$shape"
	want=MC
	[ "$shape" = 4x1x1 ] && want=PKG
	expect_json "[.schedstat[] | [.domains[].name]] | all(. == [\"$want\"])" "$shape: every CPU has one domain, $want"
	expect_json "[.schedstat[].domains[] | select(.name == \"$want\") | .balance.lb_gained | .idle + .busy + .newly_idle] | add >= 4" \
		"$shape: the $want domain moved tasks"
	expect_json '[.schedstat[] | .package_id] | unique | length == (if "'"$shape"'" == "4x1x1" then 4 else 1 end)' \
		"$shape: the packages the guest read from CPUID"
done
end

begin "sched/tasks_packed: four tasks started on vCPU 0 are spread by the balancer alone (and not without it)"
vms --vcpus 2 --timeout 30s --json --set duration_ms=2000,tasks=4,spin_ms=1,sleep_ms=0,tasks_packed=1
expect_rc 0
expect_json '[.workers[].migrations] | add >= 2' 'tasks moved off vCPU 0'
expect_json '.cpus[1].idle_ns < .cpus[1].busy_ns' 'vCPU 1 worked most of the time'
vms --vcpus 2 --timeout 30s --json --set duration_ms=2000,tasks=4,spin_ms=1,sleep_ms=0,tasks_packed=1,sched_balance=0
expect_rc 0
expect_json '[.workers[].migrations] | add == 0' 'sched_balance=0: they stay on vCPU 0'
expect_json '.cpus[1].busy_ns < .cpus[1].idle_ns / 4' 'and vCPU 1 idles'
end

begin "sched/workloads/sched-mixed.fio: three cpuio burners and an fsyncing writer on 2 vCPUs, none starved"
vms --vcpus 2 --timeout 40s --json --disk "$T/mixed.img,size=64M" --job "$ROOT/workloads/sched-mixed.fio"
expect_rc 0
expect_json '[.fio.jobs[] | select(.jobname == "burn") | .vmsweep.tasks[].sum_exec_ns] | length == 3 and all(. > 1000000000)' \
	"each burner got over a third of the 3 s ($(jget '[.fio.jobs[] | select(.jobname == "burn") | .vmsweep.tasks[].sum_exec_ns / 1e6 | floor] | tojson') ms)"
expect_json '.fio.jobs[] | select(.jobname == "writer") | .write.total_ios >= 200 and .vmsweep.tasks[0].nr_wakeups >= 100' \
	'the writer wrote on, woken after each I/O'
end

begin "sched/active balance: two tasks on the threads of one core are split across cores by the busy CPU's migration/N"
# 1x2x2, tasks_packed=2: the tasks start on CPUs 0 and 1, the threads of core 0, each
# running alone with nothing queued to pull, so the idle core's CPUs fail at the MC level
# until nr_balance_failed passes cache_nice_tries + 2 and the stopper pushes one. (With
# tasks_packed=1 both start on CPU 0 and the idle core may pull the queued one first, as
# it did in 1 run of 4 on a loaded host: no active balance needed.)
vms --topology 1x2x2 --timeout 40s --json --set duration_ms=2000,tasks=2,spin_ms=1,sleep_ms=0,tasks_packed=2
expect_rc 0
expect_json '[.schedstat[].alb_pushed] | add >= 1' "a migration/N pushed a running task ($(jget '[.schedstat[].alb_pushed] | tojson'))"
expect_json '[.schedstat[].domains[] | select(.name == "MC") | .alb_count] | add >= 1' 'counted as active balancing in the MC domain'
expect_json '[.workers[].cpu] as $c | [$c[] as $x | .schedstat[$x].core_id] | unique | length == 2' \
	"the two tasks ended on different cores (CPUs $(jget '[.workers[].cpu] | tojson'))"
end

begin "sched/with sched_balance=0 they do not: one task keeps a CPU, two share the other"
vms --vcpus 2 --timeout 30s --json --set "$spin3,sched_balance=0"
expect_rc 0
expect_json '[.workers[].migrations] | add == 0' 'no task migrated'
expect_json '[.workers[].cpu_ns] | (max / min) > 1.6' 'the task alone got about twice the CPU time of the others'
expect_json '[.schedstat[].domains[].balance.lb_count | .idle + .busy + .newly_idle] | add == 0' \
	'schedstat: load_balance never ran'
end

begin "sched/sched_migration_cost_ns: cache-hot tasks move only after failed attempts (lb_hot_gained), none are hot at 0"
# 1.5 s is enough: ~10 hot moves and ~20 failed attempts a second at 100 ms (bound: 2 each),
# ~14 migrations a second at 0 (bound: 4); that none is hot at 0 does not depend on the length
spin3_short=${spin3/duration_ms=3000/duration_ms=1500}
vms --vcpus 2 --timeout 30s --json --set "$spin3_short,sched_migration_cost_ns=100000000"
expect_rc 0
hot=$(jget '[.schedstat[].domains[].balance.lb_hot_gained | .idle + .busy + .newly_idle] | add')
failed=$(jget '[.schedstat[].domains[].balance.lb_failed | .idle + .busy + .newly_idle] | add')
check "100 ms: tasks moved while cache-hot ($hot), after failed balancing ($failed)" test "$hot" -ge 2 -a "$failed" -ge 2
vms --vcpus 2 --timeout 30s --json --set "$spin3_short,sched_migration_cost_ns=0"
expect_rc 0
expect_json '[.schedstat[].domains[].balance.lb_hot_gained | .idle + .busy + .newly_idle] | add == 0' \
	'0: no task is ever cache-hot'
expect_json '[.workers[].migrations] | add >= 4' 'and tasks still migrate'
end

begin "sched/newidle balancing: a CPU about to idle pulls a waiting task, unless its idle periods are shorter than sched_migration_cost_ns"
# five tasks computing 3 ms and sleeping 2 ms on 2 vCPUs for 1 s: CPUs go idle often, others
# have tasks waiting (~80 newidle pulls a second; the bound is 10)
vms --vcpus 2 --timeout 30s --json --set duration_ms=1000,tasks=5,spin_ms=3,sleep_ms=2
expect_rc 0
expect_json '[.workers[] | .wakeups >= .sleeps * 0.9 and .wakeup_lat_mean_ns > 0 and .wakeup_lat_max_ns >= .wakeup_lat_mean_ns] | all' \
	"each task's wake-ups and their latency reported ($(jget '[.workers[] | [.sleeps, .wakeups, (.wakeup_lat_mean_ns / 1000 | floor)]] | tojson'): sleeps, wake-ups, mean us)"
newidle=$(jget '[.schedstat[].domains[0].balance.lb_gained.newly_idle] | add')
check "tasks pulled by CPUs going idle ($newidle)" test "$newidle" -ge 10
vms --vcpus 2 --timeout 30s --json --set duration_ms=1000,tasks=5,spin_ms=3,sleep_ms=2,sched_migration_cost_ns=100000000
expect_rc 0
calls=$(jget '[.schedstat[].domains[0].balance.lb_count.newly_idle] | add')
check "sched_migration_cost_ns=100ms: idle periods of ~2 ms are too short, newidle balancing soon stops ($calls calls against $newidle pulls)" \
	test "$calls" -lt $((newidle / 4 + 1))
vms --vcpus 2 --timeout 30s --json --set duration_ms=1000,tasks=5,spin_ms=3,sleep_ms=2,sched_domain_flags_clear=1
expect_rc 0
expect_json '([.schedstat[].domains[0] | .balance.lb_count.newly_idle] | add == 0) and ([.schedstat[].domains[0].flags] | all(. % 2 == 0))' \
	'sched_domain_flags_clear=1 (SD_BALANCE_NEWIDLE): no newidle balancing, the flag gone from the domains'
end

begin "sched/a task pinned away from its CPU moves through that CPU's migration/N (fio's cpus_allowed, set by the job itself)"
# four jobs pinned to vCPU 0: those started on vCPU 1 pin themselves while running there,
# so vCPU 1's stopper preempts and moves them; all I/O then leaves from vCPU 0's queue
printf '[global]\nfilename=/dev/vda\ndirect=1\nioengine=libaio\niodepth=4\nrw=randwrite\nbs=4k\nsize=256k\ncpus_allowed=0\n[a]\n[b]\n[c]\n[d]\n' >"$T/pin.fio"
vms --json --vcpus 2 --disk "$T/pin.img,size=8M,queues=2" --job "$T/pin.fio"
expect_rc 0
expect_json '.schedstat[1].affinity_pushed >= 1 and .schedstat[0].affinity_pushed == 0' \
	"migration/1 pushed the jobs that started on vCPU 1 ($(jget '[.schedstat[].affinity_pushed] | tojson'))"
expect_json '.disks[0].queue_requests | .[1] == 0 and .[0] >= 128' 'every job ran its I/O on vCPU 0 (4 x 64 writes, some merged)'
end

begin "sched/wake-ups across CPUs are counted where the waker ran (ttwu_count, ttwu_wake_remote)"
vms --vcpus 2 --timeout 30s --json --set pingpong=200
expect_rc 0
expect_json '.pingpong.ran_on_target == 200' 'the pinned ping-pong task ran on its CPU every time'
expect_json '[.schedstat[].ttwu_count] | add >= 200' 'a wake-up a round at least (the other side may not have slept yet)'
expect_json '[.schedstat[].domains[].ttwu_wake_remote] | add >= 200' 'remote wake-ups counted in the MC domain'
end

begin "sched/sched_domain_flags_clear=16 (SD_WAKE_AFFINE): a free ping-pong pair with sync wake-ups: wake_affine picks the waker's CPU, and not without it"
# wake_affine chooses the waker's CPU for a sync wake-up; select_idle_sibling then keeps
# the wakee's own CPU while that one is idle (as Linux's does), so the pair either stays
# apart with every wake-up counted affine, or, once a wake-up finds the other CPU busy,
# ends up on one CPU for good (its wake-ups then local): either shows wake_affine at work
vms --vcpus 2 --timeout 30s --json --set pingpong=1000,pingpong_pinned=0
expect_rc 0
expect_json '([.schedstat[].domains[0].ttwu_move_affine] | add >= 100) or ([.schedstat[].ttwu_local] | add >= 1000)' \
	"wake_affine chose the waker's CPU ($(jget '[.schedstat[].domains[0].ttwu_move_affine] | add') affine, $(jget '[.schedstat[].ttwu_local] | add') local)"
vms --vcpus 2 --timeout 30s --json --set pingpong=1000,pingpong_pinned=0,sched_domain_flags_clear=16
expect_rc 0
expect_json '[.schedstat[].domains[0].ttwu_move_affine] | add == 0' 'SD_WAKE_AFFINE cleared: no affine choice'
end

finish
