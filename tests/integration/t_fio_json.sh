#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# fio's JSON from the guest as fio writes it: the same job file under host fio (on a
# file) and under `vmsweep boot` (on /dev/vda) gives the same keys with the same JSON
# types, json+ included; fio's own fio_jsonplus_clat2csv reads our json+; and the values
# that follow from the job's inputs do (iops x runtime, bw, depths, latency ranges,
# lat = slat + clat, the disk's requests and merges).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

KEYS_JQ=$LIB_DIR/fio_json_keys.jq

# Keys host fio may write that the guest's JSON cannot have, as jq path prefixes of
# fio_json_keys.jq's output (one per line, with why in workloads/README.md):
#   disk_util/[]/aggr_*  fio's counts of a device-mapper or md device's slave disks
#                        (a host file on LVM); the guest's /dev/vdX is a plain disk.
EXCEPTIONS='^disk_util/\[\]/aggr_'

# keys FILE: its key paths and types, disk_util's entries alike (the host's file may sit
# on another kind of device than the guest's disk), sorted.
keys()
{
	jq -r -f "$KEYS_JQ" "$1" | sed -E 's#^disk_util/[0-9]+#disk_util/[]#' | sort -u
}

# keys_missing HOST GUEST: the host's keys absent from the guest's (or of another type),
# the documented exceptions left out.
keys_missing()
{
	comm -23 <(keys "$1") <(keys "$2") | grep -Ev "$EXCEPTIONS"
}

host_fio()
{
	(cd "$T" && timeout "$HOST_TIMEOUT" fio "$@")
}

# The mixed job syncs (sync's latency), has a description (desc) and spells rw and bs by
# their aliases (fio writes the options' own names); the group merges two clones.
mixed_job()
{
	cat >"$T/k.fio" <<'EOF'
[global]
filename=${FIO_FILE}
direct=1
size=16m
runtime=1s
time_based

[mixed]
description=a mixed job that syncs
ioengine=libaio
iodepth=8
readwrite=randrw
blocksize=4k
fsync=8

[seq]
stonewall
rw=read
bs=64k
numjobs=2
group_reporting
EOF
}

if ! command -v fio >/dev/null 2>&1; then
	echo "FAIL fio_json: host fio is missing (make deps installs it)"
	exit 1
fi

begin "fio_json/every key host fio writes (json, json+) is in ours with its JSON type; options as written"
mixed_job
truncate -s 64M "$T/h.img"
for fmt in json json+; do
	FIO_FILE=$T/h.img host_fio --output-format=$fmt k.fio >"$T/host.$fmt" 2>"$T/host.$fmt.err" ||
		fail_because "host fio --output-format=$fmt failed: $(head -c 300 "$T/host.$fmt.err")"
	FIO_FILE=/dev/vda vms --disk "$T/g.img,size=64M" --output-format $fmt --job "$T/k.fio"
	expect_rc 0 "$fmt"
	cp "$OUT" "$T/guest.$fmt"
	missing=$(keys_missing "$T/host.$fmt" "$T/guest.$fmt")
	[ -z "$missing" ] || fail_because "$fmt: host fio's keys missing from ours (or of another type): $(echo "$missing" | head -20 | tr '\n' ' ')"
	[ "$(keys "$T/host.$fmt" | wc -l)" -gt 400 ] || fail_because "$fmt: host fio's JSON has fewer keys than a job's: $(keys "$T/host.$fmt" | wc -l)"
done
check 'json has no bins' test "$(jq '[.. | objects | select(has("bins"))] | length' "$T/guest.json")" = 0
check 'json+ has the bins of clat_ns (each job) and of sync lat_ns' test \
	"$(jq '[.jobs[0].read.clat_ns, .jobs[0].write.clat_ns, .jobs[0].sync.lat_ns, .jobs[1].read.clat_ns | has("bins")] | all' "$T/guest.json+")" = true
# the options as the file wrote them, filename last (fio parses it after the others)
check 'global options and job options are host fio'"'"'s, filename aside' test \
	"$(jq -c '[."global options", (.jobs[] | ."job options")] | .[0].filename = "F"' "$T/guest.json")" = \
	"$(jq -c '[."global options", (.jobs[] | ."job options")] | .[0].filename = "F"' "$T/host.json")"
check 'job options: fio'"'"'s names for readwrite and blocksize, filename last in [global]' test \
	"$(jq -c '[(.jobs[0]."job options" | keys_unsorted), (."global options" | keys_unsorted | last)]' "$T/guest.json")" = \
	'[["description","ioengine","iodepth","rw","bs","fsync"],"filename"]'
check 'desc of the job with a description' test "$(jq -r '.jobs[0].desc' "$T/guest.json")" = 'a mixed job that syncs'
end

begin "fio_json/fio_jsonplus_clat2csv reads our json+ and validates it; bins are fio's buckets"
mixed_job
FIO_FILE=/dev/vda vms --disk "$T/g.img,size=64M" --output-format json+ --job "$T/k.fio"
expect_rc 0
clat2csv=$(command -v fio_jsonplus_clat2csv)
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
if [ -z "$clat2csv" ]; then
	fail_because "fio_jsonplus_clat2csv is missing (Debian's fio package ships it)"
else
	(cd "$T" && $py "$clat2csv" "$OUT" out.csv >clat2csv.out 2>&1) || fail_because "clat2csv failed: $(head -c 300 "$T/clat2csv.out")"
	check 'a CSV per job' test -s "$T/out_job0.csv" -a -s "$T/out_job1.csv"
	check 'with rows of latencies' test "$(grep -c '^[0-9]' "$T/out_job0.csv")" -gt 10
	(cd "$T" && $py "$clat2csv" --validate "$OUT" out.csv >validate.out 2>&1) || fail_because "clat2csv --validate failed: $(head -c 300 "$T/validate.out")"
	expect_grep "$T/validate.out" 'out_job0.csv validated' 'clat2csv --validate: our bins and its CSV agree'
fi
# fio's plat buckets: each bin is the middle value of one of the 1856 buckets, they add up to N
expect_json '[.jobs[] | .read, .write | .clat_ns | select(.N > 0) | ([.bins[]] | add) == .N] | all' 'clat bins add up to N'
expect_json '.jobs[0].sync | .lat_ns.N == .total_ios and ([.lat_ns.bins[]] | add) == .total_ios' 'sync bins add up to N'
expect_json '[.jobs[] | .read, .write | .clat_ns | select(.N > 0) | (.bins | keys | map(tonumber) | min) >= .min * 0.98 and (.bins | keys | map(tonumber) | max) <= .max * 1.02] | all' \
	'the bins lie between min and max (within a bucket)'
end

begin "fio_json/values follow from the inputs: iops x runtime, bw, depths, ranges, lat = slat + clat, disk requests"
# psync at QD1 (fio's default engine); libaio at QD8; a writer with fsync=8
cat >"$T/v.fio" <<'EOF'
[global]
filename=/dev/vda
direct=1
size=32m
bs=4k
time_based

[qd1]
rw=randread
runtime=1s

[qd8]
stonewall
ioengine=libaio
iodepth=8
rw=randread
runtime=2s

[sync]
stonewall
ioengine=libaio
iodepth=4
rw=randwrite
fsync=8
runtime=1s
EOF
vms --disk "$T/v.img,size=64M,prefill" --job "$T/v.fio"
expect_rc 0
j='.jobs[0]' q='.jobs[1]' s='.jobs[2]'
# fio's arithmetic on the runtime in ms
expect_json '[.jobs[] | .read, .write | select(.runtime > 0) | ((.iops * .runtime / 1000 - .total_ios) | fabs) < 1e-6 * .total_ios] | all' \
	'iops x runtime = total_ios'
expect_json '[.jobs[] | .read, .write | select(.runtime > 0) | .bw_bytes == ((.io_bytes * 1000 / .runtime) | floor) and .bw == ((.bw_bytes / 1024) | floor)] | all' \
	'bw_bytes = io_bytes / runtime, bw in KiB/s'
expect_json '[.jobs[] | .read, .write | select(.total_ios > 0) | .io_bytes == .total_ios * 4096] | all' 'io_bytes = total_ios x bs'
# QD1: every I/O alone, one submitted and one reaped at a time; a sync engine has no slat
expect_json "$j"'.iodepth_level["1"] == 100 and '"$j"'.iodepth_submit["4"] == 100 and '"$j"'.iodepth_complete["4"] == 100' \
	'QD1 (psync): depth 1, one I/O per submit and per reap, 100%'
expect_json "$j"'.read.slat_ns.N == 0 and '"$j"'.read.lat_ns.N == '"$j"'.read.total_ios' 'psync: no slat (as fio), lat of every I/O'
# QD8: never more than 8 in flight, and 8 reached; batches of at most 8
expect_json "$q"'.iodepth_level | .["16"] == 0 and .["32"] == 0 and .[">=64"] == 0 and .["8"] > 0' 'QD8: depth reaches 8, never more'
expect_json "$q"'.iodepth_level | ([.[]] | add) | . > 99.5 and . < 100.5' 'QD8: the depth levels add up to 100%'
expect_json "$q"'.iodepth_submit | .["16"] == 0 and .["32"] == 0 and .["0"] == 0' 'QD8: at most 8 submitted at once'
expect_json "$q"'.latency_depth == 8 and '"$j"'.latency_depth == 1 and '"$q"'.latency_target == 0 and '"$q"'.latency_percentile == 100' \
	'latency_depth is the iodepth; latency_target/percentile/window their defaults'
# slat, clat, lat: lat = slat + clat for each I/O of an async engine
expect_json "[$q.read | .slat_ns.N == .total_ios and .lat_ns.N == .total_ios and .clat_ns.N == .total_ios] | all" 'QD8: slat, clat and lat of every I/O'
expect_json "[$q.read | (.lat_ns.mean - .slat_ns.mean - .clat_ns.mean | fabs) < 1 and .lat_ns.min >= .clat_ns.min and .lat_ns.max >= .clat_ns.max and .clat_ns.min > 0 and .slat_ns.min >= 0] | all" \
	'lat = slat + clat, lat >= clat > 0, slat >= 0'
expect_json '[.jobs[] | .read, .write | select(.total_ios > 1) | .clat_ns | .stddev >= 0 and .min <= .mean and .mean <= .max] | all' 'clat min <= mean <= max'
# fio's latency ranges: the reads and writes, by clat, add up to 100% (a 0.01 floor each)
expect_json "[$j, $q] | map([.latency_ns[], .latency_us[], .latency_ms[]] | add | . > 99.9 and . < 100.3) | all" 'latency_ns/us/ms add up to ~100%'
# bw and iops samples every 500 ms of 2 s; 4 KiB I/Os make bw 4 x iops, sample for sample
expect_json "$q"'.read | .bw_samples >= 3 and .bw_samples <= 4 and .iops_samples == .bw_samples' 'QD8 2 s: 3 or 4 samples of 500 ms'
expect_json "$q"'.read | .bw_min <= .bw_mean and .bw_mean <= .bw_max and (.bw_mean - 4 * .iops_mean | fabs) <= 4 and .bw_dev >= 0' \
	'bw samples: min <= mean <= max, bw = 4 KiB x iops'
expect_json "$q"'.read | (.bw_mean / .bw - 1 | fabs) < 0.25' 'the samples'"'"' mean is near the job'"'"'s bw'
expect_json "$q"'.read.bw_agg > 0 and '"$q"'.read.bw_agg <= 100' 'bw_agg: a share of the group'
# fsync=8: a flush after every 8 writes; fio counts them in the depth map too
expect_json "$s"'.sync | .total_ios > 0 and .lat_ns.N == .total_ios and .lat_ns.min <= .lat_ns.percentile["50.000000"] and .lat_ns.min <= .lat_ns.max' \
	'sync latency: N, min, max, percentiles'
expect_json "($s.sync.total_ios - $s.write.total_ios / 8 | fabs) <= 2" 'a flush every 8 writes'
expect_json "$s | ([.iodepth_level[]] | add) - 100 * (.write.total_ios + .sync.total_ios) / .write.total_ios | fabs < 1" \
	'the depth map counts the flushes, as fio'"'"'s (so it passes 100%)'
# CPU: the job task's time, within the runtime
expect_json '[.jobs[] | .usr_cpu >= 0 and .sys_cpu > 0 and .usr_cpu + .sys_cpu <= 101 and .ctx > 0 and .majf == 0 and .minf == 0] | all' \
	'usr/sys CPU within the runtime, context switches, no page faults'
# disk_util: direct I/O, every bio either makes a request or merges into one
expect_json '.disk_util | length == 1 and .[0].name == "vda"' 'disk_util of vda'
expect_json '.disk_util[0].read_ios + .disk_util[0].read_merges == ([.jobs[].read.total_ios] | add)' 'reads: requests + merges = the jobs'"'"' reads'
expect_json '.disk_util[0].write_ios + .disk_util[0].write_merges == ([.jobs[].write.total_ios] | add)' 'writes: requests + merges = the jobs'"'"' writes'
expect_json '.disk_util[0] | .util > 50 and .util <= 100 and .in_queue >= .read_ticks + .write_ticks' 'util: the disk was busy; in_queue counts every request'"'"'s time'
end
