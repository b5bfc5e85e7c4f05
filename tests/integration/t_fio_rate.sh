#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# fio's rate= and rate_iops= reach their target, with interrupt completions and polled:
# I/O n of a direction is due at start + n periods, so an I/O issued late (a busy host,
# a slow completion) is made up by the ones after it instead of being lost. With
# rate_process=poisson the gaps are drawn instead, and the I/Os arrive as a Poisson process.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# Four jobs one after the other: the same writes unpaced for 1 s (what the host allows
# right now), then rate_iops=2000 and 10000 for 2 s each, and rate=8m of 64k writes
# (128 IOPS on the bytes-per-second schedule) for 1 s. Queue depth 16: fio's rate
# limiter waits for the I/Os in flight before it sleeps, so catching up takes bursts;
# at queue depth 1 this host reaches only ~4-6k IOPS with interrupts, unpaced.
rates_job()
{
	cat >"$T/rates.fio" <<'EOF'
[global]
filename=/dev/vda
direct=1
ioengine=libaio
iodepth=16
rw=randwrite
bs=4k
size=32m
runtime=2s
time_based
[unpaced]
runtime=1s
[iops2000]
stonewall
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

# rate_run NAME VMS-ARGS...: boots the jobs until the median of the runs so far lies
# within 2% of each target (more of them within 2% than not, and at least two). The
# machine is shared: a run whose unpaced job did not reach 1.3 times the highest
# target had no room to catch up and is not counted; at most eight boots.
rate_run()
{
	local name=$1 boot all=""
	shift
	rates_job
	local -a iops2000=() iops10000=() bw8m=()
	for boot in 1 2 3 4 5 6 7 8; do
		vms "$@" --disk "$T/d.img,size=64M" --job "$T/rates.fio"
		# A boot the loaded host slowed past the timeout is not counted (a guest that
		# hangs every time still fails below, with no run counted).
		if [ "$RC" = 7 ]; then
			all="$all; boot $boot: timed out"
			continue
		fi
		expect_rc 0 "$name: boot $boot"
		local unpaced
		unpaced=$(jget '.jobs[0].write.iops')
		all="$all; boot $boot: unpaced $unpaced IOPS, then $(jget '.jobs[1].write.iops') IOPS, $(jget '.jobs[2].write.iops') IOPS, $(jget '.jobs[3].write.bw_bytes') B/s"
		awk -v u="$unpaced" 'BEGIN { exit !(u >= 13000) }' || continue
		iops2000+=("$(jget '.jobs[1].write.iops')")
		iops10000+=("$(jget '.jobs[2].write.iops')")
		bw8m+=("$(jget '.jobs[3].write.bw_bytes')")
		if median_within "${iops2000[*]}" 2000 && median_within "${iops10000[*]}" 10000 &&
			median_within "${bw8m[*]}" 8388608; then
			return 0
		fi
	done
	fail_because "$name: the median of the ${#iops2000[@]} counted runs is not within 2% of rate_iops=2000, rate_iops=10000, rate=8m$all (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
}

# median_within "V..." TARGET: more of the values lie within 2% of TARGET than not, and at least two.
median_within()
{
	# shellcheck disable=SC2086 # one value per word
	printf '%s\n' $1 | awk -v t="$2" '$1 >= t * 0.98 && $1 <= t * 1.02 { i++; next } { o++ } END { exit !(i >= 2 && i > o) }'
}

begin "fio_rate/rate_iops=2000, rate_iops=10000 and rate=8m reach their targets (hybrid, the default)"
rate_run hybrid --vcpus 2
end

begin "fio_rate/and with interrupts (blk_completion=irq)"
rate_run interrupts --vcpus 2 --set blk_completion=irq
end

begin "fio_rate/and polled (blk_completion=poll, one vCPU)"
rate_run polled --vcpus 1 --set blk_completion=poll
end

# rate_process=poisson at rate_iops=2000 for 1 s, then the linear schedule as a control.
# Their per-I/O iops logs give each I/O's completion, to the millisecond: Poisson
# arrivals at 2000 a second put exactly 2 I/Os in 27% of the milliseconds (e^-2 2^2 / 2!)
# and none in 13.5%; the linear schedule puts 2 in nearly all of them (90-97% here). A
# loaded host only spreads arrivals further, but completions that take most of a period
# queue the I/Os behind each other and even them out: the image is in the host's page
# cache (cache=unsafe, ~100 us a write, not the host disk's ~250), and a boot the host
# slowed that far gets up to two more. IOPS: within 10% of 2000, the count of a Poisson
# process over 2000 arrivals varying by 2.2%.
poisson_job()
{
	cat >"$T/poisson.fio" <<'EOF'
[global]
filename=/dev/vda
direct=1
ioengine=psync
rw=randwrite
bs=4k
size=32m
runtime=1s
time_based
rate_iops=2000
[poisson]
rate_process=poisson
write_iops_log=p
[linear]
stonewall
write_iops_log=l
EOF
}

# ms_share LOG K: the share of the milliseconds of a per-I/O log, up to its last, that hold K I/Os.
ms_share()
{
	awk -F', ' -v k="$2" '{ c[$1]++; if ($1 > m) m = $1 } END { for (t = 0; t <= m; t++) n += (c[t] + 0 == k); printf "%.3f\n", NR ? n / (m + 1) : 0 }' "$1"
}

begin "fio_rate/rate_process=poisson: 2000 IOPS in Poisson arrivals, not evenly spaced"
poisson_job
all="" ok=0
for boot in 1 2 3; do
	rm -f "$T"/*_iops.*.log
	vms --vcpus 2 --disk "$T/d.img,size=64M,cache=unsafe" --job "$T/poisson.fio"
	if [ "$RC" = 7 ]; then # the loaded host slowed the boot past its timeout
		all="$all; boot $boot: timed out"
		continue
	fi
	expect_rc 0 "boot $boot"
	iops=$(jget '.jobs[0].write.iops')
	p2=$(ms_share "$T/p_iops.1.log" 2)
	p0=$(ms_share "$T/p_iops.1.log" 0)
	l2=$(ms_share "$T/l_iops.2.log" 2)
	all="$all; boot $boot: poisson $iops IOPS, 2 I/Os in $p2 of its milliseconds, none in $p0; linear 2 in $l2"
	if awk -v i="$iops" -v p2="$p2" -v p0="$p0" -v l2="$l2" \
		'BEGIN { exit !(i >= 1800 && i <= 2200 && p2 <= 0.45 && p0 >= 0.06 && l2 >= 0.6) }'; then
		ok=1
		break
	fi
done
[ "$ok" = 1 ] || fail_because "want poisson within 10% of 2000 IOPS, 2 I/Os in at most 0.45 of its milliseconds and none in at least 0.06, linear 2 in at least 0.6$all (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
end

finish
