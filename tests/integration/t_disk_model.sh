#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq and SQL use quotes of their own
# Disks of a known speed (--disk rate=, iops=, lat=, profile=hdd|ssd; docs/DISK_MODELS.md):
# what the guest measures follows the model, on both engines and across a disk's queues;
# the hdd's IOPS are what its formula predicts; flushes cost what the profile says; the
# model is reported with its defaults, kept in the manifest and the run inputs (a resume
# with another model is refused); bad parts are named. Bounds are generous (the host is
# shared) but fail when the model is not applied: the host's disk is 10-100x faster.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# job NAME OPTIONS...: a one-section job on /dev/vda, direct, into $T/NAME.fio
job()
{
	local f=$T/$1.fio
	shift
	printf '[%s]\nfilename=/dev/vda\ndirect=1\n' "$(basename "$f" .fio)" >"$f"
	printf '%s\n' "$@" >>"$f"
	echo "$f"
}

# within GOT WANT FRACTION: |GOT / WANT - 1| <= FRACTION
within() { [ -n "${DM_VERBOSE:-}" ] && echo "  got $1 want $2" >&2; awk -v g="$1" -v w="$2" -v f="$3" 'BEGIN { exit !(w > 0 && g / w - 1 <= f && 1 - g / w <= f) }'; }

begin "disk_model/rate=20M: 1M sequential direct writes at 20 MiB/s, io_uring and sync engines"
f=$(job seq ioengine=libaio rw=write bs=1m iodepth=4 runtime=2s time_based)
for engine in io_uring sync; do
	vms --vcpus 1 --disk "$T/d.img,size=256M,rate=20M,engine=$engine" --job "$f" --json
	expect_rc 0
	bw=$(jget '.fio.jobs[0].write.bw') # KiB/s
	within "$bw" 20480 0.10 || fail_because "engine=$engine: $bw KiB/s, not within 10 % of 20480"
	expect_json '.disks[0].model | .profile == "none" and .rate == 20971520 and .text == "rate=20M,flush=0"' \
		"engine=$engine: the model reported"
	expect_json '.disks[0] | .model_held > 0.9 * .writes' "engine=$engine: the model held the completions"
done
end

begin "disk_model/queues=2: the model is the disk's, shared by its queues"
cat >"$T/two.fio" <<'EOF'
[global]
filename=/dev/vda
cpus_allowed=0-1
cpus_allowed_policy=split
direct=1
ioengine=libaio
rw=write
bs=1m
iodepth=2
runtime=2s
time_based
[a]
offset=0
[b]
offset=128m
EOF
vms --vcpus 2 --disk "$T/d.img,size=256M,queues=2,rate=20M" --job "$T/two.fio" --json
expect_rc 0
expect_json '.disks[0].queue_requests | length == 2 and all(. > 5)' "both queues took requests ($(jget '.disks[0].queue_requests | tojson'))"
bw=$(jget '[.fio.jobs[].write.bw] | add')
within "$bw" 20480 0.10 || fail_because "two writers on two queues: $bw KiB/s in all, not within 10 % of 20480 (40960: a model per queue)"
end

# The hdd's prediction for random requests of bs bytes over region bytes (docs/DISK_MODELS.md).
hdd_iops()
{
	jq -r --argjson bs "$1" --argjson region "$2" '.disks[0].model as $m | $m.hdd as $h |
		1e9 / ($h.seek_min_ns + ($h.seek_max_ns - $h.seek_min_ns) * 8 / 15 * (($region / $h.capacity) | sqrt)
		       + 30e9 / $h.rpm + $bs * 1e9 / $m.rate)' "$OUT"
}

begin "disk_model/profile=hdd: random 4k IOPS as predicted, sequential far faster, media rate"
f=$(job rand ioengine=psync rw=randwrite bs=4k runtime=2s time_based)
vms --vcpus 1 --disk "$T/h.img,size=1G,profile=hdd" --job "$f" --json
expect_rc 0
expect_json '.disks[0].model.text == "profile=hdd,rpm=7200,seek_min=1ms,seek=8.5ms,seek_max=15.0625ms,rate=120M,capacity=1G,flush=8.333333ms"' \
	'the defaults, the capacity the image'
want=$(hdd_iops 4096 1073741824)
rand=$(jget '.fio.jobs[0].write.iops')
within "$rand" "$want" 0.10 || fail_because "random 4k: $rand IOPS, predicted $want"
f=$(job seq4k ioengine=psync rw=write bs=4k runtime=1s time_based)
vms --vcpus 1 --disk "$T/h.img,profile=hdd" --job "$f" --json
expect_rc 0
seq=$(jget '.fio.jobs[0].write.iops')
awk -v s="$seq" -v r="$rand" 'BEGIN { exit !(s > 20 * r) }' || fail_because "sequential 4k $seq IOPS, not 20x random's $rand"
f=$(job seq1m ioengine=libaio rw=write bs=1m iodepth=4 runtime=2s time_based)
vms --vcpus 1 --disk "$T/h.img,profile=hdd" --job "$f" --json
expect_rc 0
bw=$(jget '.fio.jobs[0].write.bw')
within "$bw" $((120 * 1024)) 0.10 || fail_because "sequential 1M: $bw KiB/s, not within 10 % of the media rate 120 MiB/s"
end

begin "disk_model/profile=hdd: an 8k append and fdatasync cost a transfer and a revolution (flush=)"
f=$T/log.fio
printf '[log]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=8k\nfdatasync=1\nruntime=2s\ntime_based\n' >"$f"
vms --vcpus 1 --disk "$T/h.img,size=1G,profile=hdd" --job "$f" --json
expect_rc 0
iops=$(jget '.fio.jobs[0].write.iops')
want=$(awk 'BEGIN { print 1e9 / (8333333 + 8192 * 1e9 / 125829120) }')
# within 25 %: a loaded host finishes some writes later than the model (model_late),
# which slows the log down by up to a fifth; a missing or doubled revolution is 2x off
within "$iops" "$want" 0.25 || fail_because "8k+fdatasync: $iops a second, predicted $want (one revolution each; $(jget '.disks[0].model_late') completions late)"
end

begin "disk_model/profile=ssd: latency per request, channels in parallel, the data verified"
f=$(job qd1 ioengine=psync rw=randwrite bs=4k runtime=1s time_based)
vms --vcpus 1 --disk "$T/s.img,size=256M,profile=ssd,lat=1ms,channels=4" --job "$f" --json
expect_rc 0
p50=$(jget '.fio.jobs[0].write.clat_ns.percentile["50.000000"]')
awk -v p="$p50" 'BEGIN { exit !(p >= 1000000 && p < 1300000) }' || fail_because "QD1 p50 $p50 ns, not 1 ms + a transfer"
f=$(job qd16 ioengine=libaio rw=randwrite bs=4k iodepth=16 runtime=1s time_based)
vms --vcpus 1 --disk "$T/s.img,profile=ssd,lat=1ms,channels=4" --job "$f" --json
expect_rc 0
iops=$(jget '.fio.jobs[0].write.iops')
# the model caps it at 4000; below, a loaded host delays the guest's resubmissions (3557
# seen in CI's neighbourhood), but more than 3 channels' worth shows the 4 in parallel
awk -v i="$iops" 'BEGIN { exit !(i >= 3200 && i <= 4200) }' ||
	fail_because "QD16: $iops IOPS, not 4 channels / 1 ms = 4000 (3200..4200)"
# the data are right: the real I/O is done at once, only its completion waits
f=$(job ver ioengine=libaio rw=randwrite bs=16k iodepth=16 size=4m verify=crc32c)
vms --vcpus 2 --disk "$T/s.img,queues=2,profile=ssd,lat=300us,channels=3" --job "$f" --json
expect_rc 0
expect_json '.fio.jobs[0] | .error == 0 and .read.total_ios == 256' 'what was written verifies'
end

begin "disk_model/bad parts are named, with the cause"
vms --disk "$T/b.img,size=1M,profile=tape"
expect_rc 2
expect_fixed "$ERR" "--disk $T/b.img,size=1M,profile=tape: profile=tape: expected hdd or ssd" 'unknown profile'
vms --disk "$T/b.img,size=1M,rate=0"
expect_rc 2
expect_fixed "$ERR" 'rate=0: must be more than 0 (leave rate= out for no limit)' 'rate=0'
vms --disk "$T/b.img,size=1M,profile=hdd,iops=100"
expect_rc 2
expect_fixed "$ERR" 'iops=100: not with profile=hdd' 'a contradiction'
vms --disk "$T/b.img,size=1M,profile=hdd,capacity=512K"
expect_rc 2
expect_fixed "$ERR" 'capacity=512K: smaller than the image (1M)' 'a capacity smaller than the image'
end

begin "disk_model/the manifest keeps the model; a resume with another model is refused"
printf '[w]\nfilename=/dev/vda\ndirect=1\nrw=write\nbs=64k\nsize=256k\n' >"$T/j.fio"
model_sweep()
{
	cat >"$T/c.ini" <<EOF
[sweep]
name = t
repeat = 1
timeout = 20s
[guest]
memory = 64M
vcpus = 1
disk = $T/m.img,size=16M,$1
[workload]
job = j.fio
EOF
}
model_sweep profile=hdd
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
got=$(sqlite3 "$T/s/results.sqlite" "select value from manifest where key = 'disk.0.model'")
check "the manifest's disk.0.model ($got)" test "$got" = \
	"profile=hdd,rpm=7200,seek_min=1ms,seek=8.5ms,seek_max=15.0625ms,rate=120M,capacity=16M,flush=8.333333ms"
model_sweep profile=hdd,rpm=5400
vmsweep_cmd run "$T/c.ini" --resume "$T/s"
expect_rc 2 'refused'
expect_grep "$ERR" 'disk\.0\.model: profile=hdd,rpm=7200,.* there, profile=hdd,rpm=5400,.* here' 'names the model that changed'
end

finish
