#!/usr/bin/env bash
# vmsweep capacity: a search whose answer is known from the disk model's parameters. A
# disk of rate=4M (4 MiB/s) serves 4 KiB writes at 1024 a second and 16 KiB writes at
# 256; random writes at queue depth 32 paced by rate_iops take one service time (~1 ms,
# ~4 ms) below that and queue up to 32 of them above it (~32 ms, ~125 ms), and fall short
# of the rate asked. So the median completion latency crosses 20 ms, and the IOPS done
# fall below 95 % of the load (--achieved), at the disk's capacity, and the search's
# bracket (largest passing L, smallest failing F, F <= L * 1.1) must have the capacity
# within one step of it. The median, and 20 ms: a vCPU the busy host holds back issues the
# I/Os it owes at once and sees completions late, which moves a mean, or a bound close to
# the service time, below the capacity. Then the report's Capacity section, a search run
# again into its directory, another refused, and bad --slo / --load named.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "capacity/the largest rate_iops under a median latency bound is the disk model's capacity, within one step"
cat >"$T/w.fio" <<'FIO'
[w]
filename=/dev/vda
direct=1
ioengine=libaio
iodepth=32
rw=randwrite
size=16m
runtime=500ms
time_based
FIO
cat >"$T/c.ini" <<INI
[sweep]
name = cap
seed = 1
timeout = 20s
[guest]
memory = 64M
vcpus = 1
; prefilled and cache=unsafe: the host's own writes never come late to the model's times
disk = $T/d.img,size=64M,rate=4M,cache=unsafe,prefill
[workload]
job = w.fio
[params]
fio.bs = 4k, 16k
INI
# brackets: "bs=4k: found L..F" per block size of $db, and whether each has the capacity within one
# step; a pass above the capacity (L > N * 1.1) is wrong whatever the host does.
brackets()
{
	local want bs row status pass fail all=0
	for want in 4k:1024 16k:256; do
		set -- "${want%:*}" "${want#*:}"
		bs=$((${1%k} * 1024))
		row=$(sqlite3 "$db" "SELECT c.status, c.passing, c.failing FROM capacity c JOIN capacity_values v
			ON v.base = c.base WHERE v.value = $bs")
		IFS='|' read -r status pass fail <<<"$row"
		printf 'bs=%s: %s %s..%s (capacity %s); ' "$1" "$status" "$pass" "$fail" "$2"
		[ "$status" = found ] || all=1
		awk -v l="$pass" -v n="$2" 'BEGIN { exit !(l <= n * 1.1) }' || fail_because "bs=$1: $pass passed, above the capacity $2"
		awk -v l="$pass" -v f="$fail" -v n="$2" 'BEGIN { exit !(l > 0 && f <= l * 1.1 + 1 && n <= f * 1.1) }' || all=1
	done
	return $all
}
# A host busy enough to hold the guest's vCPU back makes its I/Os late and bunched: the
# search, conservative, then answers low. Up to three searches, each in its own store.
seen=""
for attempt in 1 2 3; do
	vmsweep_cmd capacity c.ini --slo 'write.clat_ns.p50 < 20ms' --load rate_iops=50..3000 --resolution 10% \
		--jobs 2 --out "$T/out$attempt"
	expect_rc 0 "the search"
	expect_grep "$OUT" 'largest passing' "the answers' table"
	db=$T/out$attempt/results.sqlite
	if brackets >"$T/brackets"; then
		seen=""
		break
	fi
	seen="$seen; attempt $attempt: $(cat "$T/brackets")load $(cut -d' ' -f1-3 /proc/loadavg)"
done
[ -z "$seen" ] || fail_because "no bracket within one step (10 %) of the capacity$seen"
probes=$(sqlite3 "$db" "SELECT count(*) FROM capacity_probes")
points=$(sqlite3 "$db" "SELECT count(*) FROM points")
[ "$probes" = "$points" ] || fail_because "$probes probes but $points points: each probe is a point"
[ "$(sqlite3 "$db" "SELECT count(*) FROM capacity_checks WHERE bound IS NULL AND verdict != 'inconclusive'")" = 0 ] ||
	fail_because "a decided probe without its bound"
vmsweep_cmd report "$T/out$attempt"
expect_rc 0 "the report of a capacity store"
grep -q 'Capacity' "$T/out$attempt/report.md" || fail_because "report.md has no Capacity section"
[ -s "$T/out$attempt/plots/capacity.svg" ] || fail_because "no capacity figure (plots/capacity.svg)"
# The same command again: every search is over, no run is added
vmsweep_cmd capacity c.ini --slo 'write.clat_ns.p50 < 20ms' --load rate_iops=50..3000 --resolution 10% \
	--jobs 2 --out "$T/out$attempt"
expect_rc 0 "the search again"
[ "$(sqlite3 "$db" "SELECT count(*) FROM points")" = "$points" ] || fail_because "the search again added points"
# Another search into the same directory is refused, naming what differs
vmsweep_cmd capacity c.ini --slo 'write.clat_ns.p50 < 21ms' --load rate_iops=50..3000 --resolution 10% --out "$T/out$attempt"
expect_rc 2 "another SLO into the directory"
expect_fixed "$ERR" "holds a search with slo 'write.clat_p50_ns < 20ms', not 'write.clat_p50_ns < 21ms'" 'the refusal'
end

begin "capacity/bad --slo and --load name the option and the cause"
cat >"$T/c.ini" <<INI
[sweep]
name = bad
[guest]
memory = 64M
disk = $T/d.img,size=16M
[workload]
job = w.fio
[params]
fio.rate_iops = 100, 200
INI
printf '[w]\nfilename=/dev/vda\nrw=randwrite\nsize=1m\n' >"$T/w.fio"
vmsweep_cmd capacity c.ini --slo 'write.clat_p99 < 10ms' --load rate_iops=100..2000
expect_rc 2 "an unknown metric"
expect_fixed "$ERR" "--slo 'write.clat_p99 < 10ms': write.clat_p99: no run carries such a metric" 'the metric'
vmsweep_cmd capacity c.ini --slo 'write.iops > 5ms' --load rate_iops=100..2000
expect_rc 2 "a time for a rate"
expect_fixed "$ERR" 'ms is a time, and write.iops is not one' 'the unit'
vmsweep_cmd capacity c.ini --slo 'write.clat_p99_ns < 10ms' --load rate_iop=100..2000
expect_rc 2 "a misspelt load"
expect_fixed "$ERR" "--load rate_iop: not a load" 'the load'
vmsweep_cmd capacity c.ini --slo 'write.clat_p99_ns < 10ms' --load rate_iops=100..2000
expect_rc 2 "a load the config sweeps"
expect_fixed "$ERR" 'sweeps fio.rate_iops already' 'the conflict'
vmsweep_cmd capacity c.ini --slo 'write.clat_p99_ns < 10ms'
expect_rc 2 "no --load"
expect_fixed "$ERR" '--load is missing' 'the missing option'
end
finish
