#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# ioengine=cpuio, fio's CPU burner (guest/workload/fio_cpuio.c): cpuload is the share
# of a CPU the job's task uses (usr_cpu), cpuchunks the length of a burn cycle (each a
# read of no data in fio's JSON), cpumode=qsort sorts instead, exit_on_io_done ends the
# job with the disk jobs; the JSON has host fio's keys for the same file, and vmsweep's
# per-task extras. usr_cpu is the guest task's time over the guest's wall time: a host
# that steals the vCPU lowers neither, so the thresholds hold on a loaded machine.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

KEYS_JQ=$LIB_DIR/fio_json_keys.jq

# cpuio LOAD RUNTIME [EXTRA...]: a one-job cpuio file in $T/c.fio
cpuio()
{
	local load=$1 runtime=$2
	shift 2
	printf '[burn]\nioengine=cpuio\ncpuload=%s\nruntime=%s\ntime_based\n' "$load" "$runtime" >"$T/c.fio"
	for x in "$@"; do printf '%s\n' "$x" >>"$T/c.fio"; done
}

begin "fio_cpuio/cpuload=100 on one vCPU uses it all: usr_cpu >= 90, no sleeps"
cpuio 100 2s
vms --vcpus 1 --job "$T/c.fio"
expect_rc 0
expect_json '.jobs[0] | .usr_cpu >= 90 and .usr_cpu <= 101 and .sys_cpu == 0' "usr_cpu $(jget '.jobs[0].usr_cpu') >= 90"
expect_json '.jobs[0].job_runtime >= 1990 and .jobs[0].job_runtime <= 2100' "job_runtime $(jget '.jobs[0].job_runtime') ms: the runtime"
# 50 ms cycles (fio's default cpuchunks), each a read of 0 bytes with clat the cycle
expect_json '.jobs[0].read | .total_ios >= 38 and .total_ios <= 41 and .io_bytes == 0 and .runtime == 0 and .iops == 0' \
	"2 s of 50 ms cycles: $(jget '.jobs[0].read.total_ios') reads of no data, runtime 0 (as fio's)"
# a cycle ends at its time, late only by what the host stole from the vCPU
expect_json '.jobs[0].read.clat_ns | .mean > 45e6 and .max < 100e6' "clat: the cycle ($(jget '.jobs[0].read.clat_ns | tojson'))"
expect_json '.jobs[0].vmsweep.tasks[0] | .nr_wakeups == 0 and .cpu_loops > 1000000 and .sum_exec_ns > 1.8e9' \
	"vmsweep's extras: no wake-ups, the loop counted ($(jget '.jobs[0].vmsweep.tasks[0] | tojson'))"
end

begin "fio_cpuio/cpuload=50 sleeps as long as it burns: usr_cpu 40..60, a wake-up per cycle"
cpuio 50 2s
vms --vcpus 1 --job "$T/c.fio"
expect_rc 0
expect_json '.jobs[0].usr_cpu >= 40 and .jobs[0].usr_cpu <= 60' "usr_cpu $(jget '.jobs[0].usr_cpu') in 40..60"
# 100 ms a cycle (50 burnt, 50 asleep, up to a 4 ms tick more)
expect_json '.jobs[0].read.total_ios >= 18 and .jobs[0].read.total_ios <= 21' "cycles: $(jget '.jobs[0].read.total_ios')"
expect_json '.jobs[0].vmsweep.tasks[0] | .nr_wakeups >= 17 and .nr_wakeups <= .nvcsw' \
	"a wake-up after each sleep: $(jget '.jobs[0].vmsweep.tasks[0].nr_wakeups')"
cpuio 10 2s cpuchunks=10000
vms --vcpus 1 --job "$T/c.fio"
expect_rc 0
# (a loaded host stealing the vCPU mid-cycle stretches the burn, which the guest counts as the task's)
expect_json '.jobs[0].usr_cpu >= 5 and .jobs[0].usr_cpu <= 20' "cpuload=10 cpuchunks=10000: usr_cpu $(jget '.jobs[0].usr_cpu') in 5..20"
expect_json '.jobs[0].read.clat_ns.mean > 9e6 and .jobs[0].read.clat_ns.mean < 15e6 and .jobs[0].read.total_ios >= 15' \
	"cpuchunks=10000: 10 ms cycles ($(jget '.jobs[0].read.clat_ns.mean') ns), one in 100 ms"
end

begin "fio_cpuio/two jobs at cpuload=100 on 2 vCPUs, split: each >= 85 % of its own vCPU"
printf '[global]\nioengine=cpuio\ncpuload=100\nruntime=2s\ncpus_allowed=0-1\ncpus_allowed_policy=split\n[a]\nnumjobs=2\n' >"$T/two.fio"
vms --vcpus 2 --job "$T/two.fio"
expect_rc 0
expect_json '[.jobs[] | .usr_cpu >= 85] | length == 2 and all' "usr_cpu $(jget '[.jobs[].usr_cpu] | tojson') each >= 85"
expect_json '[.jobs[].vmsweep.tasks[] | .nr_migrations == 0] | length == 2 and all' 'pinned: no migrations'
# the same two unpinned with group_reporting: one entry, both tasks in its extras
printf '[global]\nioengine=cpuio\ncpuload=100\nruntime=1s\n[a]\nnumjobs=2\ngroup_reporting\n' >"$T/grp.fio"
vms --vcpus 2 --job "$T/grp.fio"
expect_rc 0
expect_json '(.jobs | length) == 1 and (.jobs[0].vmsweep.tasks | map(.clone)) == [0, 1] and .jobs[0].usr_cpu >= 85' \
	"group_reporting: one entry, two tasks ($(jget '.jobs[0].usr_cpu'))"
end

begin "fio_cpuio/cpumode=qsort sorts a cycle and keeps cpuload; exit_on_io_done ends with the disk jobs"
cpuio 100 1s cpumode=qsort
vms --vcpus 1 --job "$T/c.fio"
expect_rc 0
expect_json '.jobs[0].usr_cpu >= 80 and .jobs[0].read.total_ios >= 1 and .jobs[0].read.clat_ns.min > 1e6' \
	"qsort: $(jget '.jobs[0].read.total_ios') sorts of $(jget '.jobs[0].read.clat_ns.mean') ns, usr_cpu $(jget '.jobs[0].usr_cpu')"
expect_json '.jobs[0].vmsweep.tasks[0] | has("cpu_loops")' 'cpu_loops reported (0 for qsort)'
printf '[burn]\nioengine=cpuio\ncpuload=100\nruntime=10s\nexit_on_io_done=1\n[w]\nfilename=/dev/vda\nrw=write\nbs=64k\nsize=4m\n' >"$T/x.fio"
vms --vcpus 2 --disk "$T/x.img,size=8M" --job "$T/x.fio"
expect_rc 0
expect_json '.jobs[0].job_runtime < 5000 and .jobs[1].write.io_bytes == 4194304' \
	"the burner stopped after the writer ($(jget '.jobs[0].job_runtime') ms, not 10 s)"
end

begin "fio_cpuio/every key host fio writes for a cpuio job (json, json+) is in ours; options as fio lists them"
if ! command -v fio >/dev/null 2>&1; then
	fail_because "host fio is missing (make deps installs it)"
else
	printf '[global]\ncpuload=30\nioengine=cpuio\nruntime=500ms\n[b]\ncpumode=noop\nexit_on_io_done=1\ncpuchunks=10000\nnumjobs=2\n[c]\ncpuload=100\nruntime=300ms\n' >"$T/k.fio"
	for fmt in json json+; do
		(cd "$T" && timeout "$HOST_TIMEOUT" fio --output-format=$fmt k.fio) >"$T/host.raw" 2>"$T/host.err" ||
			fail_because "host fio failed: $(head -c 300 "$T/host.err")"
		sed -n '/^{/,$p' "$T/host.raw" >"$T/host.$fmt" # fio's cpuio prints a line before its JSON
		vms --vcpus 2 --output-format $fmt --job "$T/k.fio"
		expect_rc 0 "$fmt"
		missing=$(comm -23 <(jq -r -f "$KEYS_JQ" "$T/host.$fmt" | sort -u) <(jq -r -f "$KEYS_JQ" "$OUT" | sort -u))
		[ -z "$missing" ] || fail_because "$fmt: host fio's keys missing from ours: $(echo "$missing" | head -20 | tr '\n' ' ')"
		extra=$(comm -13 <(jq -r -f "$KEYS_JQ" "$T/host.$fmt" | sort -u) <(jq -r -f "$KEYS_JQ" "$OUT" | sort -u) | grep -v '/vmsweep')
		[ -z "$extra" ] || fail_because "$fmt: keys of ours host fio lacks, vmsweep's aside: $(echo "$extra" | head -20 | tr '\n' ' ')"
		[ "$(jq -r -f "$KEYS_JQ" "$T/host.$fmt" | wc -l)" -gt 300 ] || fail_because "$fmt: host fio wrote too few keys"
	done
	check 'global and job options as host fio lists them (engine options last)' test \
		"$(jq -c '[."global options", (.jobs[] | ."job options")]' "$OUT")" = \
		"$(jq -c '[."global options", (.jobs[] | ."job options")]' "$T/host.json+")"
	check 'no disk_util: a cpuio job uses no disk, as in fio' test "$(jq 'has("disk_util")' "$OUT")" = false
fi
end

begin "fio_cpuio/baseline runs the cpuio job under host fio, its JSON alone on stdout"
cpuio 20 500ms
vmsweep_cmd baseline --job "$T/c.fio"
expect_rc 0
expect_json '.jobs[0]."job options".ioengine == "cpuio" and .jobs[0]."job options".cpuload == "20" and .jobs[0].read.total_ios >= 1' \
	'host fio ran cpuio at cpuload=20'
expect_grep "$ERR" 'ioengine=cpuio, cpuload=20' "fio's note on stderr"
end

finish
