#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq and SQL use $ and quotes of their own
# vCPU topology and placement on the host (#17): --topology gives x2APIC IDs laid out
# per package/core/thread (the guest reads its own from CPUID and IPIs reach it),
# --pin places the vCPU threads (as their affinity, read back, shows), overcommit is
# reported with the host's steal, bad inputs are refused by name, and a sweep stores
# its topology points.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$T/s/results.sqlite" "$1"; }

# topology SHAPE NCPUS APIC_IDS: boots SHAPE with pingpong to the last CPU
topology_case()
{
	local shape=$1 n=$2 ids=$3
	begin "topology/$shape: $n CPUs, x2APIC IDs $ids, IPIs delivered"
	vms --topology "$shape" --json --set pingpong=20
	expect_rc 0
	expect_json '.status == "done"' 'status "done"'
	expect_json ".vcpus == $n and (.cpus | length) == $n" "$n vCPUs, $n CPU records"
	expect_json ".placement.topology_text == \"$shape\"" "placement.topology_text is $shape"
	expect_json "([.placement.vcpus[].apic_id] | map(tostring) | join(\",\")) == \"$ids\"" "x2APIC IDs $ids"
	expect_json '.placement.apic_ids_dense == false' 'KVM took the sparse vCPU ids'
	# the last CPU is the pingpong target: IPIs to its x2APIC ID (not its index) reach it
	expect_json ".pingpong.target_cpu == $((n - 1)) and .pingpong.ran_on_target == 20" 'pingpong: 20 rounds ran on the last CPU'
	expect_json '.cpus[-1].ipis_received >= 10' 'the last CPU received the pingpong IPIs (an IPI to its index, not its x2APIC ID, is lost)'
	expect_json '[.cpus[] | .ipis_received] | add > 0' 'IPIs received'
	end
}
topology_case 2x2x1 4 0,1,2,3
topology_case 1x2x2 4 0,1,2,3
topology_case 1x3x1 3 0,1,2
topology_case 2x3x1 6 0,1,2,4,5,6

begin "topology/sockets=2,cores=2 is 4 vCPUs, --vcpus 4 agrees; default is 1 x N x 1"
vms --topology sockets=2,cores=2 --vcpus 4 --json --set duration_ms=20
expect_rc 0
expect_json '.placement.topology == {"sockets":2,"cores":2,"threads":1}' 'sockets=2,cores=2 -> 2x2x1'
vms --vcpus 3 --json --set duration_ms=20
expect_rc 0
expect_json '.placement.topology_text == "1x3x1" and .placement.pin == "none"' '--vcpus 3 alone: 1x3x1, not pinned'
expect_json '[.placement.vcpus[].host_cpu] == [null,null,null]' 'no host CPU when not pinned'
end

ncpu=$(nproc)

begin "pin/compact and scatter are applied: each vCPU thread's affinity is its one host CPU"
for how in compact scatter; do
	vms --vcpus 2 --pin "$how" --json --set duration_ms=20
	expect_rc 0
	expect_json ".placement.pin == \"$how\"" "placement.pin is $how"
	expect_json '[.placement.vcpus[] | .host_cpu != null and (.affinity == (.host_cpu | tostring))] | all' \
		"$how: every vCPU's affinity read back is its host CPU"
	if [ "$ncpu" -ge 2 ]; then
		expect_json '.placement.overcommit == false and .placement.vcpus[0].host_cpu != .placement.vcpus[1].host_cpu' \
			"$how: 2 vCPUs on 2 host CPUs, not overcommitted"
	fi
done
end

begin "pin/a list pins vCPU i to the i-th host CPU, as /proc shows while it runs"
last=$((ncpu - 1))
# a run long enough to look at its threads from outside
"$VMSWEEP" boot --vcpus 2 --pin "$last,0" --json --set duration_ms=1500 --timeout 20s \
	--log "$T/live.log" >"$T/live.json" 2>"$T/live.err" &
pid=$!
seen=""
for _ in $(seq 1 100); do
	sleep 0.05
	for task in /proc/$pid/task/*; do
		[ "$(cat "$task/comm" 2>/dev/null)" = vcpu0 ] || continue
		seen=$(awk '/^Cpus_allowed_list/ {print $2}' "$task/status" 2>/dev/null)
	done
	[ -n "$seen" ] && break
done
wait "$pid"
check 'the list run is done' test "$(jq -r .status "$T/live.json")" = done
check "vcpu0's thread ran with Cpus_allowed_list $last (saw '$seen')" test "$seen" = "$last"
check 'placement records the list' test "$(jq -c '[.placement.pin, [.placement.vcpus[].host_cpu]]' "$T/live.json")" = "[\"$last,0\",[$last,0]]"
end

begin "pin/the disks' I/O threads run on the host CPUs no vCPU is pinned to, as /proc shows while it runs"
if [ "$ncpu" -ge 2 ]; then
	last=$((ncpu - 1))
	sed 's/^runtime=.*/runtime=2s/' "$ROOT/workloads/randwrite-4k-qd1.fio" >"$T/qd1.fio"
	"$VMSWEEP" boot --vcpus 1 --pin "$last" --json --disk "$T/io.img,size=64M" --job "$T/qd1.fio" \
		--timeout 20s --log "$T/io.log" >"$T/io.json" 2>"$T/io.err" &
	pid=$!
	seen=""
	for _ in $(seq 1 200); do
		sleep 0.05
		for task in /proc/$pid/task/*; do
			[ "$(cat "$task/comm" 2>/dev/null)" = vda.q0 ] || continue
			seen=$(awk '/^Cpus_allowed_list/ {print $2}' "$task/status" 2>/dev/null)
		done
		[ -n "$seen" ] && break
	done
	wait "$pid"
	want=$([ "$last" -eq 1 ] && echo 0 || echo "0-$((last - 1))")
	check 'the run is done' test "$(jq -r .status "$T/io.json")" = done
	check "vda.q0 ran with Cpus_allowed_list $want, the CPUs vCPU 0 (on $last) left (saw '$seen')" test "$seen" = "$want"
	check 'placement.io_cpus says so' test "$(jq -r .placement.io_cpus "$T/io.json")" = "$want"
	vms --vcpus 1 --json --set duration_ms=20
	expect_json '.placement.io_cpus == null' 'unpinned: the I/O threads run anywhere'
else
	check "one host CPU: nothing to place the I/O threads on (skipped: needs 2 CPUs)" true
fi
end

begin "pin/io: the vCPUs off the host CPUs that take the image's disk interrupts, the I/O threads on them"
# the device under $T, up sysfs to its MSI vectors, their CPUs: found here independently
dev=$(stat -c '%d' "$T")
dir=$(readlink -f "/sys/dev/block/$((dev >> 8 & 0xfff)):$(((dev & 0xff) | (dev >> 12 & 0xfff00)))" 2>/dev/null || true)
while [ -n "$dir" ] && [ "$dir" != /sys ] && [ ! -d "$dir/msi_irqs" ]; do dir=${dir%/*}; done
want=""
if [ -n "$dir" ] && [ -d "$dir/msi_irqs" ]; then
	want=$(for irq in $(ls "$dir/msi_irqs"); do cat "/proc/irq/$irq/effective_affinity_list" 2>/dev/null || cat "/proc/irq/$irq/smp_affinity_list"; done |
		tr ',' '\n' | awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | sort -n | uniq | paste -sd, -)
fi
vms --vcpus 1 --pin io --json --disk "$T/io.img,size=64M" --set duration_ms=20
expect_rc 0
expect_json '.placement.pin == "io"' 'placement.pin is io'
got=$(jget '.placement.disk_irq_cpus' | tr '-' ' ' | awk '{ if (NF == 2) { s = ""; for (c = $1; c <= $2; c++) s = s (s ? "," : "") c; print s } else print $0 }')
if [ -n "$want" ] && [ "$ncpu" -ge 2 ] && [ "$(echo "$want" | tr ',' '\n' | wc -l)" -lt "$ncpu" ]; then
	check "disk_irq_cpus $got: the CPUs of $dir/msi_irqs ($want)" test "$got" = "$want"
	vcpu=$(jget '.placement.vcpus[0].host_cpu')
	check "vCPU 0 on host CPU $vcpu, not one of the interrupts' ($want)" sh -c "! echo ,$want, | grep -q ,$vcpu,"
	expect_json '.placement.io_cpus != null' "the I/O threads on the CPUs left ($(jget '.placement.io_cpus'))"
	vms --vcpus 2 --json --disk "$T/io.img,size=64M" --set duration_ms=20
	expect_json ".placement.pin == \"none\" and .placement.io_cpus == .placement.disk_irq_cpus and .placement.io_cpus != null" \
		"unpinned: the I/O threads on the interrupts' CPUs, the vCPUs left to the host ($(jget '.placement | "\(.io_cpus) / \(.disk_irq_cpus)"'))"
else
	check "the image's device has no MSI vectors or they go to every CPU ('$want'): nothing to avoid (skipped)" true
fi
vms --vcpus 1 --pin iox --json --set duration_ms=20
expect_rc 2 'a misspelt pin is refused'
end

begin "pin/overcommit: 4 vCPUs on host CPUs 0,0,1,1 (or 0,0,0,0) are reported, with steal"
if [ "$ncpu" -ge 2 ]; then list=0,0,1,1; else list=0,0,0,0; fi
vms --vcpus 4 --pin "$list" --json --set duration_ms=200,sleep_ms=0
expect_rc 0
expect_json '.placement.overcommit == true' 'placement.overcommit is true'
expect_json '.placement.steal_ns > 0 and .placement.steal_fraction > 0' 'the run has steal'
expect_json '[.cpus[] | .steal_ns > 0] | all' 'every vCPU has steal'
expect_json '[.placement.vcpus[] | .steal_ns != null and .run_ns > 0] | all' 'per-vCPU steal and run time'
vms --vcpus 4 --set duration_ms=20
expect_rc 0
expect_grep "$OUT" 'steal' 'the text summary has a steal column'
[ "$ncpu" -lt 4 ] && expect_grep "$OUT" 'OVERCOMMITTED' "4 vCPUs on $ncpu host CPUs: overcommitted, says the text"
end

begin "bad topology and pin inputs are refused, naming the option and the cause"
vms --topology 0x1x1
expect_rc 2
expect_grep "$ERR" '--topology 0x1x1: sockets 0: out of range' '0 sockets refused'
vms --topology sockets=2,cores=2 --vcpus 3
expect_rc 2
expect_grep "$ERR" '--topology 2x2x1 is 4 vCPUs and --vcpus 3' 'topology and vcpus disagree'
vms --vcpus 4 --pin 0,1
expect_rc 2
expect_grep "$ERR" '--pin 0,1: 2 host CPUs for 4 vCPUs' 'a list of the wrong length'
vms --vcpus 1 --pin 99
expect_rc 2
expect_grep "$ERR" '--pin 99: host CPU 99 is not one this process may run on' 'a host CPU out of reach'
vms --pin sideways
expect_rc 2
expect_grep "$ERR" '--pin sideways: .*expected none, compact, scatter' 'an unknown pin word'
end

begin "sweep/topology = 1x2x1, 2x1x1 and pin: both points run and are stored with their topology"
sweep_config '[params]
topology = 1x2x1, 2x1x1
pin = none, compact'
vmsweep_cmd plan "$T/c.ini"
expect_rc 0
expect_grep "$OUT" '2x1x1 +compact' 'plan prints the topology as SxCxT'
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
check '8 runs done' test "$(sql "select count(*) from runs where status='done'")" = 8
inputs() { sql "select count(*) from runs r join run_inputs i on i.id = r.inputs where i.text like '%$1%'"; }
check 'inputs record topology=1x2x1 and 2x1x1' test "$(inputs $'\ntopology=1x2x1\n'):$(inputs $'\ntopology=2x1x1\n')" = 4:4
check 'the runs pinned compact record pin=compact' test "$(inputs $'\npin=compact\n')" = 4
check 'steal is stored' test "$(sql "select count(*) from metrics where name = 'cpu.steal_ns'")" = 8
check 'pinned runs store their host CPUs' test "$(sql "select count(*) from metrics where name = 'cpu.1.host_cpu'")" = 4
check 'the manifest has the host CPU topology' test -n "$(sql "select value from manifest where key = 'host_cpu_topology'")"
vmsweep_cmd export "$T/s" --format csv
expect_rc 0
expect_grep "$OUT" '^run,point,rep,status,topology,pin,' 'CSV names topology and pin'
expect_grep "$OUT" ',2x1x1,compact,' 'CSV writes the topology as SxCxT and the pin as a word'
end

begin "sweep/topology with vcpus, and a pin list, are refused by line"
sweep_config 'vcpus = 2
[params]
topology = 1x2x1, 2x1x1'
vmsweep_cmd plan "$T/c.ini"
expect_rc 2
expect_grep "$ERR" 'c.ini:[0-9]+: topology: vcpus is set too' 'topology beside vcpus'
sweep_config '[params]
pin = 0,1'
vmsweep_cmd plan "$T/c.ini"
expect_rc 2
expect_grep "$ERR" 'pin: .*a sweep pins with none, compact, scatter or io' 'a list in a sweep'
end

finish
