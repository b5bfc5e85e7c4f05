#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# fio's rate= and rate_iops= reach their target, with interrupt completions and polled:
# I/O n of a direction is due at start + n periods, so an I/O issued late (a busy host,
# a slow completion) is made up by the ones after it instead of being lost.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# Three jobs one after the other (2 s, 2 s, 1 s), at queue depth 8, which reaches about twice
# the highest target with interrupts on this host (fio's rate limiter waits for the
# I/Os in flight before it sleeps, so queue depth 1 reaches only ~4-6k IOPS with
# interrupts). rate=8m of 64k writes is 128 IOPS on the bytes-per-second schedule.
rates_job()
{
	cat >"$T/rates.fio" <<'EOF'
[global]
filename=/dev/vda
direct=1
ioengine=libaio
iodepth=8
rw=randwrite
bs=4k
size=32m
runtime=2s
time_based
[iops2000]
rate_iops=2000
[iops10000]
stonewall
rate_iops=10000
[bw8m]
stonewall
bs=64k
rate=8m
runtime=1s
EOF
}

# rate_run NAME VMS-ARGS...: boots the three jobs until the median of the runs' rates is
# known to be within 2% of each target (two runs within 2% make the median of three
# so), at most three runs; fails with every run's figures otherwise.
rate_run()
{
	local name=$1 run ok all=""
	shift
	rates_job
	local -a iops2000=() iops10000=() bw8m=()
	for run in 1 2 3; do
		vms "$@" --disk "$T/d.img,size=64M" --job "$T/rates.fio"
		expect_rc 0 "$name: run $run"
		iops2000+=("$(jget '.jobs[0].write.iops')")
		iops10000+=("$(jget '.jobs[1].write.iops')")
		bw8m+=("$(jget '.jobs[2].write.bw_bytes')")
		all="$all; run $run: ${iops2000[-1]} IOPS, ${iops10000[-1]} IOPS, ${bw8m[-1]} B/s"
		ok=$(within "${iops2000[*]}" 2000 && within "${iops10000[*]}" 10000 && within "${bw8m[*]}" 8388608 && echo y)
		[ "$run" -ge 2 ] && [ "$ok" = y ] && return 0
	done
	fail_because "$name: the median of the runs is not within 2% of rate_iops=2000, rate_iops=10000, rate=8m$all"
}

# within "V..." TARGET: at least two of the values lie within 2% of TARGET.
within()
{
	local n
	n=$(printf '%s\n' $1 | awk -v t="$2" '$1 >= t * 0.98 && $1 <= t * 1.02 { n++ } END { print n + 0 }')
	[ "$n" -ge 2 ]
}

begin "fio_rate/rate_iops=2000, rate_iops=10000 and rate=8m reach their targets with interrupts"
rate_run interrupts --vcpus 2
end

begin "fio_rate/and polled (blk_poll=1, one vCPU)"
rate_run polled --vcpus 1 --set blk_poll=1
end

finish
