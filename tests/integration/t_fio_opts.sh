#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# The fio options of issue 13, each shown by its effect, with bands derived from the
# job (and the I/Os it did), never "> 0": bssplit's mix of sizes; random_distribution's
# skew over the blocks (zipf, pareto; host fio on the same job alike); offset_increment's
# disjoint regions on the image; sync=1 and end_fsync=1 in the disk's flush count;
# --section; and fio's log files (names, columns, lines per I/O or per window, what
# fio2gnuplot reads), against host fio's own logs of the same job.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# job NAME OPTION...: a one-job file $T/NAME.fio on /dev/vda; prints its path.
job()
{
	local f=$T/$1.fio
	shift
	printf '[%s]\nfilename=/dev/vda\n' "$(basename "$f" .fio)" >"$f"
	printf '%s\n' "$@" >>"$f"
	echo "$f"
}

# within WHAT VALUE WANT BAND: |VALUE - WANT| <= BAND.
within()
{
	awk -v v="$2" -v w="$3" -v b="$4" 'BEGIN { d = v - w; if (d < 0) d = -d; exit !(d <= b) }' ||
		fail_because "$1: $2, expected $3 +- $4"
}

# lines FILE: its line count.
lines()
{
	wc -l <"$1" 2>/dev/null | tr -d ' '
}

# top_share LOG BS K: the share of a per-I/O log's lines (log_offset=1) that hit the K
# blocks of BS bytes hit most.
top_share()
{
	awk -F', ' -v bs="$2" '{ print int($5 / bs) }' "$1" | sort -n | uniq -c | sort -rn |
		awk -v k="$3" '{ all += $1; if (NR <= k) top += $1 } END { printf "%.4f\n", all ? top / all : 0 }'
}

have_fio=0
command -v fio >/dev/null 2>&1 && have_fio=1

begin "fio_opts/bssplit: the sizes drawn in their shares, per direction, and as host fio cuts them at the random map"
# 50% 4k and 50% 64k writes without a random map: the mean write is 34 KiB; reads of a
# randrw job with a write-only split keep bs=8k, its writes 25% 4k / 75% 16k (13 KiB).
f=$(job s direct=1 ioengine=libaio iodepth=8 rw=randwrite bssplit=4k/50:64k/50 size=32m norandommap \
	write_iops_log=s log_offset=1)
printf '[m]\nfilename=/dev/vda\ndirect=1\nioengine=libaio\niodepth=8\nrw=randrw\nbs=8k\nbssplit=,4k/25:16k/75\nsize=8m\nnorandommap\nstonewall\n' >>"$f"
vms --disk "$T/d.img,size=64M" --job "$f"
expect_rc 0
n=$(jget '.jobs[0].write.total_ios')
mean=$(jget '.jobs[0].write.io_bytes / .jobs[0].write.total_ios')
# four standard errors of a mean of n sizes of 4k or 64k (sd 30k)
within "50% 4k, 50% 64k: bytes per write" "$mean" 34816 "$(awk -v n="$n" 'BEGIN { print 4 * 30720 / sqrt(n) }')"
k4=$(awk -F', ' '$4 == 4096' "$T/s_iops.1.log" | wc -l)
within "50% 4k, 50% 64k: share of 4k writes in the iops log" "$(awk -v a="$k4" -v n="$n" 'BEGIN { print a / n }')" 0.5 \
	"$(awk -v n="$n" 'BEGIN { print 4 * 0.5 / sqrt(n) }')"
expect_json '.jobs[1].read.io_bytes == .jobs[1].read.total_ios * 8192' 'a write-only split leaves reads at bs=8k'
n=$(jget '.jobs[1].write.total_ios')
within "25% 4k, 75% 16k: bytes per write" "$(jget '.jobs[1].write.io_bytes / .jobs[1].write.total_ios')" 13312 \
	"$(awk -v n="$n" 'BEGIN { print 4 * 5321 / sqrt(n) }')"
if [ "$have_fio" = 1 ]; then
	# with the random map (fio's default), a 64k write over blocks already written is cut
	# there (fio's mark_random_map): far below 34 KiB a write, and host fio alike
	f=$(job r direct=1 ioengine=libaio iodepth=8 rw=randwrite bssplit=4k/50:64k/50 size=32m)
	vms --disk "$T/d.img,size=64M" --job "$f"
	guest=$(jget '.jobs[0].write.io_bytes / .jobs[0].write.total_ios')
	expect_json '.jobs[0].write.io_bytes == 33554432' 'the random map covers the region once'
	vmsweep_cmd baseline --job "$f" --disk "$T/d.img,size=64M"
	expect_rc 0 'baseline'
	host=$(jget '.jobs[0].write.io_bytes / .jobs[0].write.total_ios')
	within "bytes per write with the random map, guest against host fio" "$guest" "$host" \
		"$(awk -v h="$host" 'BEGIN { print h * 0.08 }')"
	awk -v g="$guest" 'BEGIN { exit !(g < 34816 * 0.8) }' || fail_because "random map: $guest bytes per write, not cut"
fi
end

begin "fio_opts/random_distribution: zipf:1.2 and pareto:0.2 skew the blocks hit as they say, as host fio's do"
# 1024 blocks of 4k. zipf:1.2 gives the hottest tenth (102 blocks) sum(i^-1.2, i <= 102) /
# sum(i^-1.2, i <= 1024) of the draws (0.832; fio's generator, an approximation, gives
# 0.84); pareto:0.2 the hottest fifth 80% (fio's 80/20); random (the random map)
# about a tenth. rate_iops=20000: 20000 and 10000 draws at most, plenty for these shares
# and within the host's budget for log samples (a quiet host's guest read 1.05 million
# blocks of the 8 MiB image a second, and the logs stopped at the budget).
f=$(job z direct=1 ioengine=libaio iodepth=8 rw=randread bs=4k size=4m random_distribution=zipf:1.2 runtime=1s \
	time_based rate_iops=20000 write_iops_log=z log_offset=1)
for d in "p pareto:0.2" "u random"; do
	set -- $d
	printf '[%s]\nfilename=/dev/vda\ndirect=1\nioengine=libaio\niodepth=8\nrw=randread\nbs=4k\nsize=4m\nrandom_distribution=%s\nruntime=500ms\ntime_based\nrate_iops=20000\nwrite_iops_log=%s\nlog_offset=1\nstonewall\n' \
		"$1" "$2" "$1" >>"$f"
done
zipf=$(awk 'BEGIN { for (i = 1; i <= 1024; i++) { a += i ^ -1.2; if (i <= 102) t += i ^ -1.2 } printf "%.4f\n", t / a }')
vms --disk "$T/z.img,size=8M" --job "$f"
expect_rc 0
n=$(lines "$T/z_iops.1.log")
expect_json '.jobs[0].read.total_ios == $n' 'one iops line per read' --argjson n "${n:-0}"
gz=$(top_share "$T/z_iops.1.log" 4096 102)
within "zipf:1.2: share of the hottest tenth of the blocks ($n reads)" "$gz" "$zipf" 0.035
within "pareto:0.2: share of the hottest fifth of the blocks" "$(top_share "$T/p_iops.2.log" 4096 205)" 0.8 0.04
# the random map hits each block once a pass: k or k + 1 times in n = k * 1024 + r reads
n=$(lines "$T/u_iops.3.log")
bound=$(awk -v n="${n:-0}" 'BEGIN { k = int(n / 1024); print k ? 102 * (k + 1) / (k * 1024) : 1 }')
share=$(top_share "$T/u_iops.3.log" 4096 102)
awk -v s="$share" -v b="$bound" 'BEGIN { exit !(s <= b + 0.001) }' ||
	fail_because "random: the hottest tenth took $share of $n reads, more than a pass-by-pass map allows ($bound)"
if [ "$have_fio" = 1 ]; then
	mv "$T"/z_iops.1.log "$T/guest_z.log"
	vmsweep_cmd baseline --job "$f" --disk "$T/z.img"
	expect_rc 0 'baseline'
	within "zipf:1.2: guest's share against host fio's" "$gz" "$(top_share "$T/z_iops.1.log" 4096 102)" 0.035
fi
end

begin "fio_opts/offset_increment: clone k writes [offset + k * increment, + size) and nothing between"
# four clones of 1 MiB at 1 MiB + k * 4 MiB on a zero image: those bytes are the
# pattern's (no zero byte in it), the 3 MiB after each are still zero, and each clone's
# log (log_offset=1) has offsets inside its own region only
f=$(job c direct=1 ioengine=libaio iodepth=4 rw=write bs=64k offset=1m size=1m offset_increment=4m numjobs=4 \
	buffer_pattern=0xdeadbeef write_iops_log=c log_offset=1)
vms --disk "$T/c.img,size=20M" --job "$f"
expect_rc 0
for k in 0 1 2 3; do
	start=$((1 + 4 * k))
	written=$(dd if="$T/c.img" bs=1M skip="$start" count=1 status=none | tr -d '\000' | wc -c)
	gap=$(dd if="$T/c.img" bs=1M skip=$((start + 1)) count=3 status=none | tr -d '\000' | wc -c)
	[ "$written" = 1048576 ] || fail_because "clone $k: $written of its 1 MiB at ${start} MiB written"
	[ "$gap" = 0 ] || fail_because "clone $k: $gap bytes written in the 3 MiB after its region"
	awk -F', ' -v lo=$((start << 20)) -v hi=$(((start + 1) << 20)) '$5 < lo || $5 >= hi { bad++ } END { exit bad > 0 || NR != 16 }' \
		"$T/c_iops.$((k + 1)).log" || fail_because "clone $k: its log has offsets outside [$start MiB, $((start + 1)) MiB) or not 16 writes"
done
[ "$(dd if="$T/c.img" bs=1M count=1 status=none | tr -d '\000' | wc -c)" = 0 ] || fail_because "the first MiB (before offset=1m) was written"
end

begin "fio_opts/sync=1 and end_fsync=1: the disk counts a flush per write, and one at the end of a write phase"
f=$(job s direct=1 ioengine=libaio iodepth=4 rw=randwrite bs=4k size=256k sync=1)
vms --json --disk "$T/s.img,size=16M" --job "$f"
expect_rc 0
expect_json '.disks[0].flushes == .fio.jobs[0].write.total_ios and .fio.jobs[0].write.total_ios == 64' \
	'sync=1: 64 writes, 64 flushes'
expect_json '.fio.jobs[0].sync.total_ios == 0' 'sync=1: no fsync of fio (the kernel flushes), as fio counts it'
# plain writes flush nothing; end_fsync=1 once per job, direct or buffered (its dirty pages written first)
f=$(job p direct=1 rw=write bs=64k size=1m)
printf '[e]\nfilename=/dev/vda\ndirect=1\nrw=write\nbs=64k\nsize=1m\noffset=2m\nend_fsync=1\nstonewall\n' >>"$f"
printf '[b]\nfilename=/dev/vda\ndirect=0\nrw=write\nbs=64k\nsize=1m\noffset=4m\nend_fsync=1\nstonewall\n' >>"$f"
vms --json --disk "$T/s.img,size=16M" --job "$f"
expect_rc 0
expect_json '.disks[0].flushes == 2' 'end_fsync=1 in two jobs: 2 flushes'
expect_json '.disks[0].bytes_written == 3 * 1048576' 'the buffered job'"'"'s pages were written before its flush'
f=$(job p direct=1 rw=write bs=64k size=1m)
vms --json --disk "$T/s.img,size=16M" --job "$f"
expect_json '.disks[0].flushes == 0' 'without them, no flush'
end

begin "fio_opts/cpus_allowed: split gives each job its own vCPU (so its own queue), shared one set; a CPU the guest lacks ends the run"
# blk-mq maps a queue per vCPU: where a job ran shows in which queue took its 128
# writes (fewer requests when neighbours merge)
printf '[global]\nfilename=/dev/vda\ndirect=1\nioengine=libaio\niodepth=4\nrw=randwrite\nbs=4k\nsize=512k\n%s\n[a]\n[b]\noffset=1m\n' \
	'cpus_allowed=0-1' >"$T/cpus.fio"
for policy in split shared; do
	f=$T/cpus-$policy.fio
	sed "s/^cpus_allowed=.*/&\ncpus_allowed_policy=$policy/" "$T/cpus.fio" >"$f"
	[ $policy = shared ] && sed -i 's/^cpus_allowed=0-1/cpus_allowed=1/' "$f"
	for _ in 1 2 3; do
		vms --json --vcpus 2 --disk "$T/c.img,size=8M,queues=2" --job "$f"
		expect_rc 0 "$policy"
		case $policy in
		split) expect_json '.disks[0].queue_requests | length == 2 and all(. >= 64)' "split: one job a queue ($(jget '.disks[0].queue_requests | tojson'))" ;;
		shared) expect_json '.disks[0].queue_requests | .[0] == 0 and .[1] >= 128' "cpus_allowed=1: both jobs on vCPU 1's queue ($(jget '.disks[0].queue_requests | tojson'))" ;;
		esac
	done
done
expect_json '.fio["global options"] | .cpus_allowed == "1" and .cpus_allowed_policy == "shared"' 'both options in fio'"'"'s JSON, as fio lists them'
sed -i 's/^cpus_allowed=1/cpus_allowed=1-2/' "$f"
vms --vcpus 2 --disk "$T/c.img,size=8M" --job "$f"
expect_rc 3 'a CPU the guest lacks'
expect_fixed "$ERR" "fio: job 'a': cpus_allowed: CPU 2 too large (max=1): the guest has 2 vCPUs" 'fio'"'"'s message, the job named'
end

begin "fio_opts/--section: only the sections named (and [global]), in boot and baseline"
printf '[global]\nfilename=/dev/vda\nrw=write\nbs=8k\nsize=64k\n[a]\n[b]\nbs=16k\n[c]\nbogus_option=1\n' >"$T/three.fio"
vms --disk "$T/x.img,size=8M" --job "$T/three.fio" --section b
expect_rc 0 '--section b'
expect_json '[.jobs[].jobname] == ["b"] and .jobs[0].write.io_bytes == 65536 and .jobs[0].write.total_ios == 4' \
	'--section b: only b, with [global] options and its own bs'
vms --disk "$T/x.img,size=8M" --job "$T/three.fio" --section b --section a
expect_json '[.jobs[].jobname] == ["a", "b"] and .jobs[0].write.total_ios == 8' 'two --section: both, in file order'
vms --disk "$T/x.img,size=8M" --job "$T/three.fio" --section d
expect_rc 2 'an unknown section'
expect_fixed "$ERR" 'section d: ' 'names the section'
expect_fixed "$ERR" 'has no job section [d]' 'says it is not in the file'
vms --disk "$T/x.img,size=8M" --job "$T/three.fio"
expect_rc 2 'without --section, [c]'"'"'s bad option counts'
vmsweep_cmd baseline --job "$T/three.fio" --disk "$T/x.img,size=8M" --section a --keep-job "$T/kept.fio" --fio /bin/true
[ "$(grep -c '^\[' "$T/kept.fio")" = 1 ] && grep -q '^\[a\]$' "$T/kept.fio" ||
	fail_because "baseline --section a: the job file host fio gets has other sections: $(grep '^\[' "$T/kept.fio" | tr '\n' ' ')"
end

# log_check DIR NAME N ASYNC OFFSETS: NAME's five logs of job N in DIR hold fio's lines: one per
# I/O each (slat: none for a sync engine), "time, value, ddir, bs[, offset], 0", lat >= clat.
log_check()
{
	local d=$1 name=$2 n=$3 async=$4 cols=5 ios l
	[ "$5" = 1 ] && cols=6
	ios=$(jget '[.jobs[0].read.total_ios, .jobs[0].write.total_ios] | add')
	for l in lat clat bw iops slat; do
		[ -f "$d/${name}_$l.$n.log" ] || { fail_because "$d: no ${name}_$l.$n.log"; continue; }
		local want=$ios
		[ "$l" = slat ] && [ "$async" = 0 ] && want=0
		[ "$(lines "$d/${name}_$l.$n.log")" = "$want" ] ||
			fail_because "$d/${name}_$l.$n.log: $(lines "$d/${name}_$l.$n.log") lines for $ios I/Os (want $want)"
		awk -F', ' -v c="$cols" 'NF != c || $NF != 0 || ($3 != 0 && $3 != 1) || $1 !~ /^[0-9]+$/ { bad++ } END { exit bad > 0 }' \
			"$d/${name}_$l.$n.log" || fail_because "$d/${name}_$l.$n.log: a line not as fio writes them"
	done
	paste -d, "$d/${name}_lat.$n.log" "$d/${name}_clat.$n.log" | awk -F', *' -v c="$cols" '$2 < $(c + 2) { bad++ } END { exit bad > 0 }' ||
		fail_because "$d: a lat below its clat"
	awk -F', ' '$2 != 1 { bad++ } END { exit bad > 0 }' "$d/${name}_iops.$n.log" || fail_because "$d: iops lines not 1"
	reads=$(awk -F', ' '$3 == 0' "$d/${name}_clat.$n.log" | wc -l)
	expect_json '.jobs[0].read.total_ios == $r' "$d: the reads' lines are the reads" --argjson r "$reads"
}

begin "fio_opts/write_*_log: fio's files, a line per I/O as host fio writes them, or a line per window"
f=$(job w direct=1 ioengine=libaio iodepth=4 rw=randrw bs=4k size=1m write_lat_log write_bw_log=w write_iops_log \
	log_offset=1)
printf '[q]\nfilename=/dev/vda\ndirect=1\nrw=read\nbs=4k\nsize=256k\nwrite_lat_log=q\nstonewall\n' >>"$f"
mkdir -p "$T/g" "$T/h"
(cd "$T/g" && timeout "$HOST_TIMEOUT" "$VMSWEEP" boot --timeout 20s --log console.log --disk "$T/l.img,size=8M" --job "$f" >"$T/g.json" 2>"$T/g.err") ||
	fail_because "the boot failed: $(tail -3 "$T/g.err")"
OUT=$T/g.json
log_check "$T/g" w 1 1 1
# the psync job: no slat lines; numbered 2 as fio numbers the second job
[ -f "$T/g/q_slat.2.log" ] && [ ! -s "$T/g/q_slat.2.log" ] || fail_because "q_slat.2.log: missing or not empty for a psync job"
[ "$(lines "$T/g/q_clat.2.log")" = 64 ] || fail_because "q_clat.2.log: $(lines "$T/g/q_clat.2.log") lines for 64 reads"
# bw is the I/O's bytes over its clat: 4096 * 10^6 / clat
paste -d, "$T/g/w_bw.1.log" "$T/g/w_clat.1.log" | awk -F', *' '$2 != int($4 * 1000000 / $8) { bad++ } END { exit bad > 0 }' ||
	fail_because "w_bw.1.log: a value other than bytes * 10^6 / clat"
if [ "$have_fio" = 1 ]; then
	# host fio's logs of the same job: the same files, columns and lines per I/O
	(cd "$T/h" && timeout "$HOST_TIMEOUT" "$VMSWEEP" baseline --disk "$T/l.img,size=8M" --job "$f" >"$T/h.json" 2>"$T/h.err") ||
		fail_because "baseline failed: $(tail -3 "$T/h.err")"
	OUT=$T/h.json
	log_check "$T/h" w 1 1 1
	[ "$(cd "$T/g" && ls ./*_*.*.log | sort)" = "$(cd "$T/h" && ls ./*_*.*.log | sort)" ] ||
		fail_because "other file names than host fio's: $(cd "$T/g" && ls ./*_*.*.log | tr '\n' ' ') / $(cd "$T/h" && ls ./*_*.*.log | tr '\n' ' ')"
fi
# log_avg_msec=100 over 1 s: ~10 windows; bw and iops every 100 ms, their mean the job's rate
f=$(job a direct=1 ioengine=libaio iodepth=4 rw=randwrite bs=4k size=16m runtime=1s time_based log_avg_msec=100 \
	write_lat_log=a write_bw_log=a write_iops_log=a)
mkdir -p "$T/avg"
(cd "$T/avg" && timeout "$HOST_TIMEOUT" "$VMSWEEP" boot --timeout 20s --log console.log --disk "$T/a.img,size=32M" --job "$f" >"$T/a.json" 2>"$T/a.err") ||
	fail_because "the log_avg_msec boot failed: $(tail -3 "$T/a.err")"
OUT=$T/a.json
# a bw or iops line per 100 ms tick that had I/O (ticks 100 .. 1000); a latency line per
# window a sample closed, and the open ones at the end
for l in bw iops lat clat slat; do
	n=$(lines "$T/avg/a_$l.1.log")
	max=10
	[ "$l" = bw ] || [ "$l" = iops ] || max=12
	[ "${n:-0}" -ge 1 ] && [ "${n:-0}" -le "$max" ] || fail_because "a_$l.1.log: $n lines for 1 s at 100 ms windows"
done
awk -F', ' '$1 % 100 != 0 || $1 > 1000 || $4 != 0 || NF != 5 { bad++ } END { exit bad > 0 }' "$T/avg/a_iops.1.log" ||
	fail_because "a_iops.1.log: a time off the 100 ms ticks, or a bs other than 0"
# each tick's iops is its writes * 1000 / 100 and its bw their KiB * 1000 / 100 (4 KiB
# each): the lines add up to the writes done, but for those completing after the last
# tick, at most the iodepth (4) in flight when the runtime ended
ios=$(jget '.jobs[0].write.total_ios')
logged=$(awk -F', ' '{ s += $2 } END { print s / 10 }' "$T/avg/a_iops.1.log")
awk -v a="$ios" -v l="$logged" 'BEGIN { exit !(a - l >= 0 && a - l <= 4) }' ||
	fail_because "the iops log accounts for $logged writes of $ios"
logged=$(awk -F', ' '{ s += $2 } END { print s / 40 }' "$T/avg/a_bw.1.log")
awk -v a="$ios" -v l="$logged" 'BEGIN { exit !(a - l >= 0 && a - l <= 4) }' ||
	fail_because "the bw log accounts for $logged writes of $ios"
if command -v fio2gnuplot >/dev/null 2>&1; then
	(cd "$T/avg" && timeout 60 fio2gnuplot -b -d plot >"$T/plot.out" 2>&1) || fail_because "fio2gnuplot -b failed: $(tail -3 "$T/plot.out")"
	grep -q 'a_bw.1.log' "$T/plot.out" || fail_because "fio2gnuplot did not pick a_bw.1.log"
	mean=$(awk -F', ' '$1 > 0 { s += $2; n++ } END { printf "%.2f\n", s / n }' "$T/avg/a_bw.1.log")
	grep -q "^avg=$mean$" "$T/avg/plot/result.global" 2>/dev/null ||
		fail_because "fio2gnuplot's average is not the bw log's ($mean): $(cat "$T/avg/plot/result.global" 2>/dev/null)"
fi
end

begin "fio_opts/a sweep keeps each run's logs, gzip'd, beside its fio JSON"
f=$(job w direct=1 rw=write bs=64k size=256k write_iops_log=w/x)
sweep_config "disk = $T/sw.img,size=8M
[workload]
job = $f
[params]
fio.bs = 64k, 128k"
vmsweep_cmd run "$T/c.ini" --out "$T/r"
expect_rc 0
for id in 0 1 2 3; do
	[ -f "$T/r/runs/$id.w_x_iops.1.log.gz" ] || fail_because "no runs/$id.w_x_iops.1.log.gz"
done
n=$(gzip -dc "$T"/r/runs/*.w_x_iops.1.log.gz | wc -l)
[ "$n" = $((2 * (4 + 2))) ] || fail_because "$n lines in the runs' iops logs, want 2 * (4 + 2)"
end

finish
