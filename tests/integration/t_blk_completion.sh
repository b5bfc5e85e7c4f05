#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# How completions are found (blk_completion=irq|poll|hybrid, fio's hipri): no
# completion is ever lost across the boundary between polling and interrupts (jobs of
# every depth and think time at once, each verifying what it wrote, on 1 and 2 vCPUs);
# a disk slower than blk_hybrid_poll_us is not polled but served by interrupts;
# hipri polls whatever the mode.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# Every request the host finished, the guest completed, and each was found once.
all_found()
{
	expect_json '.block[0] | .completions == .found.irq + .found.idle_poll + .found.submitter_poll' \
		"$1: each completion found once ($(jget '.block[0] | "\(.completions): \(.found)"'))"
	expect_json '.block[0].completions == .disks[0].reads + .disks[0].writes + .disks[0].flushes' \
		"$1: the guest completed every request the host did ($(jget '"\(.block[0].completions) of \(.disks[0].reads + .disks[0].writes + .disks[0].flushes)"'))"
}

begin "blk_completion/no lost completion: depths 1 to 32, think times, rate limits, hipri, buffered, verified, in every mode"
f=$T/mix.fio
cat >"$f" <<'EOF'
[global]
filename=/dev/vda
direct=1
verify=crc32c
bs=4k
size=1m
[qd1-think]
ioengine=psync
rw=randwrite
thinktime=2000
offset=0
[qd1-rate]
ioengine=psync
rw=randwrite
rate_iops=1500
offset=1m
[qd4-think]
ioengine=libaio
iodepth=4
rw=randwrite
thinktime=1000
offset=2m
[qd16]
ioengine=libaio
iodepth=16
rw=randwrite
bs=8k
size=2m
offset=4m
[qd32-seq]
ioengine=libaio
iodepth=32
rw=write
bs=64k
size=4m
offset=8m
[hipri]
ioengine=io_uring
hipri
iodepth=2
rw=randwrite
offset=12m
[buffered]
direct=0
ioengine=psync
rw=write
bs=16k
size=2m
fsync=8
offset=16m
EOF
for cpus in 1 2; do
	for m in irq poll hybrid; do
		vms --vcpus "$cpus" --disk "$T/d.img,size=32M" --job "$f" --json --set "blk_completion=$m"
		what="$m, $cpus vCPU"
		expect_rc 0 "$what: the run finishes"
		expect_json '[.fio.jobs[].error] | all(. == 0)' "$what: every job wrote and verified without error"
		expect_json '[.fio.jobs[] | .write.io_bytes == .read.io_bytes and .write.io_bytes > 0] | all' \
			"$what: every job read back all it wrote ($(jget '[.fio.jobs[] | "\(.jobname) \(.write.io_bytes)/\(.read.io_bytes)"] | join(", ")'))"
		all_found "$what"
	done
done
end

begin "blk_completion/a disk slower than blk_hybrid_poll_us: not polled, served by interrupts"
f=$T/slow.fio
printf '[slow]\nfilename=/dev/vda\ndirect=1\nioengine=psync\nrw=randwrite\nbs=4k\nsize=256k\nverify=crc32c\n' >"$f"
vms --vcpus 1 --disk "$T/d.img,size=8M,lat=2ms" --job "$f" --json --set "blk_completion=hybrid"
expect_rc 0 "the run finishes"
expect_json '.fio.jobs[0].error == 0 and .fio.jobs[0].read.io_bytes == 262144' "written and verified"
expect_json '.fio.jobs[0].write.clat_ns.percentile["50.000000"] >= 2000000' \
	"lat=2ms: no write completes sooner (p50 $(jget '.fio.jobs[0].write.clat_ns.percentile["50.000000"]') ns)"
all_found "lat=2ms"
w=$(jget '.block[0] | "\(.poll_windows) polls, \(.poll_windows_expired) ran out; \(.found.irq) of \(.completions) by interrupt; \(.poll_ns_per_io) ns polling per I/O"')
# polled only until the first completions say they take 2 ms, beyond the 500 us limit
expect_json '.block[0] | .poll_windows_expired <= 12 and .poll_windows_expired < 0.25 * .completions' \
	"a few polls at first, then none ($w)"
expect_json '.block[0] | .found.irq >= 0.75 * .completions' "the completions came by interrupt ($w)"
end

begin "blk_completion/hipri: the job's requests are found by its polling only (Linux's poll queue), whatever the mode"
f=$T/hipri.fio
printf '[h]\nfilename=/dev/vda\ndirect=1\nioengine=io_uring\nhipri\niodepth=4\nrw=randread\nbs=4k\nruntime=300ms\ntime_based\n' >"$f"
for m in irq hybrid; do
	vms --vcpus 2 --disk "$T/d.img,size=8M,prefill" --job "$f" --json --set "blk_completion=$m"
	expect_rc 0 "$m: the run finishes"
	found=$(jget '.block[0] | "\(.completions) completions: \(.found)"')
	# REQ_POLLED: the queue stays watched while any is in flight, also while the job
	# issues the next (before, on a busy host, up to 77 % came by interrupt in irq mode)
	expect_json '.block[0] | .completions > 200 and .found.submitter_poll == .completions' \
		"$m: the hipri job found every completion itself ($found)"
	expect_json '.disks[0].interrupts <= 0.01 * .disks[0].reads' \
		"$m: its completions did not interrupt ($(jget '.disks[0] | "\(.interrupts) for \(.reads) reads"'))"
done
f=$T/hipri-libaio.fio
printf '[h]\nfilename=/dev/vda\nioengine=libaio\nhipri\n' >"$f"
vms --disk "$T/d.img,size=8M" --job "$f"
expect_rc 2 "hipri on libaio is refused"
expect_fixed "$ERR" "option 'hipri': an option of ioengine=io_uring and pvsync2 in fio, not of libaio" "the error says why"
end

finish
