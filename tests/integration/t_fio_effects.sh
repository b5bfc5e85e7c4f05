#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# Every supported fio option shows its effect: on fio's JSON, on what the host's disk
# served (.disks[]) and on the disk images themselves, by amounts derived from the
# options' values. tests/knob-effects.tsv says which test shows which option; the guest
# knobs' effects are in t_knob_effects.sh.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# disks N: --disk options for /dev/vda.. (N of them, 4 MiB each, new, in the host's page cache)
disks()
{
	local i args=()
	for ((i = 0; i < $1; i++)); do
		rm -f "$T/d$i.img"
		args+=(--disk "$T/d$i.img,size=4M,cache=unsafe")
	done
	printf '%s\n' "${args[@]}"
}

# blocks IMG WORD: how many 4 KiB blocks of IMG hold the 32-bit little-endian WORD
# (8 hex digits, as od prints it) everywhere; "first-last" block numbers with -r.
blocks()
{
	local range=0
	[ "$1" = -r ] && range=1 && shift
	od -A d -v -t x4 -w4096 "$1" | awk -v w="$2" -v r="$range" '
		NF > 1 { for (i = 2; i <= NF; i++) if ($i != w) next; n++; b = $1 / 4096; if (!n0++) lo = b; hi = b }
		END { if (r) print (n ? lo "-" hi : "none"); else print n + 0 }'
}

# job NAME OPTIONS...: a job section (options one per argument)
job()
{
	printf '[%s]\n' "$1"
	shift
	printf '%s\n' "$@"
}

# differ A B: the files differ (for check, which cannot take a "!")
# shellcheck disable=SC2317 # called through check
differ()
{
	! cmp -s "$1" "$2"
}

# fio_all WHAT FILTER: every job of fio's JSON satisfies FILTER (. is the job)
fio_all()
{
	expect_json "all(.fio.jobs[]; $2)" "$1"
}

begin "fio_effects/rw, rwmixread, bs, size, rate, thinktime, norandommap, name: each moves what the disk saw"
mapfile -t D < <(disks 8)
f=$T/a.fio
{
	job global direct=1
	# mixed random I/O: the read share is rwmixread; each direction has its own bs
	job mix30 filename=/dev/vda rw=randrw rwmixread=30 bs=4k,16k ioengine=libaio iodepth=4 runtime=300ms time_based
	job mix80 filename=/dev/vdb readwrite=randrw rwmixwrite=20 blocksize=8k ioengine=libaio iodepth=4 \
		timeout=300ms time_based name=eighty description='reads four times in five' buffered=0
	# 1 MiB written sequentially (merged into large requests) and at random (not)
	job seq stonewall filename=/dev/vdc rw=write ioengine=libaio iodepth=16 size=1m buffer_pattern=0x5eb1a5ed
	job rand filename=/dev/vdd rw=randwrite ioengine=libaio iodepth=16 size=1m buffer_pattern=0x7a4d0000
	# the limits
	job rate stonewall filename=/dev/vde rw=write rate=1m runtime=400ms time_based
	job rateiops filename=/dev/vdf rw=randread rate_iops=500 runtime=400ms time_based
	job think filename=/dev/vdg rw=randread thinktime=5000 runtime=400ms time_based
	# random offsets with replacement
	job norand stonewall filename=/dev/vdh rw=randwrite size=1m norandommap buffer_pattern=0x7a4d0001
} >"$f"
vms --vcpus 2 "${D[@]}" --job "$f" --json
expect_rc 0
expect_json '[.fio.jobs[].jobname] == ["mix30", "eighty", "seq", "rand", "rate", "rateiops", "think", "norand"]' \
	'one report per job, mix80 under its name= "eighty"'
expect_json '[.fio.jobs[].error] | all(. == 0)' 'every job ran clean'
# filename: each job's bytes are on its own disk, and only there
expect_json '[range(8) as $i | .fio.jobs[$i] as $j | .disks[$i] | .bytes_read == $j.read.io_bytes and .bytes_written == $j.write.io_bytes] | all' \
	'filename: every disk served exactly its job'"'"'s bytes'
expect_json '.vmstat.counters.nr_file_pages == 0' 'direct=1, buffered=0: nothing went through the page cache'
# pgpgin/pgpgout count every bio's KiB, direct I/O included, as 6.1's submit_bio does
expect_json '.vmstat.counters.pgpgin == ([.disks[].bytes_read] | add / 1024 | floor) and .vmstat.counters.pgpgout == ([.disks[].bytes_written] | add / 1024 | floor)' \
	"pgpgin/pgpgout: the direct I/O's KiB ($(jget '"pgpgin \(.vmstat.counters.pgpgin), read \([.disks[].bytes_read] | add) bytes"'))"
# rwmixread=30, rwmixwrite=20 (= rwmixread 80): each I/O a read with probability r, so
# the share is r within 3.5 standard deviations (sqrt(r (1 - r) / n)), or 0.05
for jr in mix30:0.3 eighty:0.8; do
	j=${jr%:*} r=${jr#*:}
	expect_json '.fio.jobs[] | select(.jobname == $j) | (.read.total_ios + .write.total_ios) as $n | $n >= 200 and (.read.total_ios / $n - $r | fabs) <= ([0.05, 3.5 * ($r * (1 - $r) / $n | sqrt)] | max)' \
		"$j: the read share is $r within 3.5 sd ($(jget ".fio.jobs[] | select(.jobname == \"$j\") | \"\\(.read.total_ios) reads, \\(.write.total_ios) writes\""))" \
		--arg j "$j" --argjson r "$r"
done
# bs=4k,16k and blocksize=8k: the JSON's bytes per I/O and the disk's bytes per request
expect_json '.fio.jobs[0] | .read.io_bytes == 4096 * .read.total_ios and .write.io_bytes == 16384 * .write.total_ios' 'bs=4k,16k: reads of 4 KiB, writes of 16 KiB'
expect_json '.fio.jobs[1] | .read.io_bytes == 8192 * .read.total_ios and .write.io_bytes == 8192 * .write.total_ios' 'blocksize=8k: both directions 8 KiB'
expect_json '.disks[0] | .bytes_read / .reads < 8192 and .bytes_written / .writes >= 16384 and .bytes_written / .writes < 32768' \
	"the disk's requests follow bs=4k,16k ($(jget '.disks[0] | "\(.bytes_read / .reads | floor) B per read, \(.bytes_written / .writes | floor) B per write"'))"
# runtime=300ms, timeout=300ms: measured for 300 ms (and not much more: the last I/O's latency);
# the JSON gives each direction's runtime in whole ms, truncated (fio_json.c), and 299 was
# seen once in a CI run
expect_json '.fio.jobs[0:2] | all(.read.runtime >= 298 and .read.runtime <= 600)' \
	"runtime/timeout=300ms: both ran 300..600 ms, to a ms ($(jget '[.fio.jobs[0:2][].read.runtime] | join(", ")'))"
# fio's JSON: iops is total_ios over the direction's runtime (which the JSON gives in
# whole ms, so the true one is in [runtime, runtime + 1) ms), bw is bw_bytes in KiB
fio_all 'fio JSON: iops == total_ios / runtime, bw == bw_bytes / 1024' \
	'[.read, .write] | all(.total_ios == 0 or (.runtime > 0 and .iops <= .total_ios * 1000 / .runtime * 1.0001 and .iops >= .total_ios * 1000 / (.runtime + 1) * 0.9999 and .bw == (.bw_bytes / 1024 | floor)))'
# size=1m: exactly 1 MiB; rw=write merges neighbours (plugged, iodepth 16), randwrite does not
expect_json '.fio.jobs[2:4] | all(.write.io_bytes == 1048576 and .write.total_ios == 256)' 'size=1m: 256 writes of 4 KiB, then the job ends'
expect_json '.disks[2] | .bytes_written / .writes >= 16384' "rw=write: sequential writes merged into >= 16 KiB requests ($(jget '.disks[2] | .bytes_written / .writes | floor') B)"
expect_json '.disks[3] | .bytes_written / .writes < 8192' "rw=randwrite: random writes stay small ($(jget '.disks[3] | .bytes_written / .writes | floor') B)"
check "size=1m, buffer_pattern: the first 256 blocks of vdc hold the pattern, the rest is zero ($(blocks -r "$T/d2.img" eda5b15e))" \
	test "$(blocks -r "$T/d2.img" eda5b15e)" = 0-255 -a "$(blocks "$T/d2.img" 00000000)" = 768
check "randwrite with its random map writes every block of the region once ($(blocks "$T/d3.img" 00004d7a) of 256)" \
	test "$(blocks "$T/d3.img" 00004d7a)" = 256
# norandommap: 256 random picks of 256 blocks with replacement cover 256 (1 - 1/e) = 162 +- 30
n=$(blocks "$T/d7.img" 01004d7a)
check "norandommap: 256 random writes cover 132..192 of the 256 blocks ($n)" test "$n" -ge 132 -a "$n" -le 192
# rate=1m (256 I/Os of 4 KiB a second), rate_iops=500, thinktime=5000 (us: at most 200
# a second): never over the cap; under it by at most what the guest adds to each gap:
# its sleeps end at a tick, and each I/O takes its latency. So at least
# 0.6 / (gap + tick + mean latency) a second.
for jc in 4:256 5:500 6:200; do
	i=${jc%:*} cap=${jc#*:}
	expect_json '.fio.jobs[$i] | [.read, .write] | map(select(.total_ios > 0))[0] | .iops <= $cap * 1.05 and .iops >= 0.6 / (1 / $cap + 0.004 + .clat_ns.mean / 1e9)' \
		"$(jget ".fio.jobs[$i].jobname"): at most $cap I/Os a second, at least 0.6/(1/$cap s + a tick + the latency) ($(jget ".fio.jobs[$i] | [.read, .write] | map(select(.total_ios > 0))[0] | \"\\(.iops | floor) IOPS, mean latency \\(.clat_ns.mean / 1000 | floor) us\""))" \
		--argjson i "$i" --argjson cap "$cap"
done
end

begin "fio_effects/iodepth, ioengine and blk_queue_depth: Little's law, iops x mean latency = requests in flight"
# Little's law: the I/Os in flight on average = IOPS x mean completion latency. A job
# keeps iodepth in flight (an async ioengine), unless the block layer's queue holds
# fewer: then blk_queue_depth hold tags and one more waits for a tag, inside clat.
little='[.read, .write] | map(.iops * .clat_ns.mean / 1e9) | add'
f=$T/qd.fio
{
	job global direct=1 rw=randread bs=4k runtime=300ms time_based
	job qd1 filename=/dev/vda ioengine=psync
	job qd16 filename=/dev/vdb ioengine=libaio iodepth=16
} >"$f"
mapfile -t D < <(disks 2)
vms --vcpus 2 "${D[@]}" --job "$f" --json --set blk_queue_depth=128
expect_rc 0
expect_json ".fio.jobs[0] | $little | . >= 0.85 and . <= 1.05" "ioengine=psync: 1 in flight ($(jget ".fio.jobs[0] | $little"))"
expect_json ".fio.jobs[1] | $little | . >= 16 * 0.75 and . <= 16 * 1.05" "iodepth=16, libaio: 16 in flight ($(jget ".fio.jobs[1] | $little"))"
mapfile -t D < <(disks 2)
vms --vcpus 2 "${D[@]}" --job "$f" --json --set blk_queue_depth=4
expect_rc 0
expect_json ".fio.jobs[1] | $little | . >= 4 * 0.75 and . <= 5 * 1.05" "blk_queue_depth=4 caps iodepth=16 at 4..5 in flight ($(jget ".fio.jobs[1] | $little"))"
end

begin "fio_effects/numjobs, group_reporting, ramp_time, time_based, fsync, fdatasync, fileoffset"
mapfile -t D < <(disks 7)
f=$T/b.fio
{
	job global direct=1 bs=4k
	# numjobs=3: three reports; numjobs=2 with group_reporting: one
	job clones filename=/dev/vda rw=randread numjobs=3 runtime=200ms time_based
	job grouped filename=/dev/vdb rw=randread numjobs=2 group_reporting runtime=200ms time_based
	# ramp_time: 200 ms of I/O at 1000 IOPS that the report leaves out
	job ramp stonewall filename=/dev/vdc rw=randread rate_iops=1000 ramp_time=200ms runtime=300ms time_based
	# time_based: 64 KiB over and over for 200 ms
	job looped filename=/dev/vdd rw=write size=64k runtime=200ms time_based
	# 16 writes with a flush after every 4 (fsync=4), every 8 (fdatasync=8)
	job synced stonewall filename=/dev/vde rw=write size=64k fsync=4
	job dsynced filename=/dev/vdf rw=write size=64k fdatasync=8
	# 64 KiB at 1 MiB into the disk
	job placed filename=/dev/vdg rw=write fileoffset=1m size=64k buffer_pattern=0x0ff5e700
} >"$f"
vms --vcpus 2 "${D[@]}" --job "$f" --json
expect_rc 0
expect_json '[.fio.jobs[].jobname] == ["clones", "clones", "clones", "grouped", "ramp", "looped", "synced", "dsynced", "placed"]' \
	"numjobs=3: three reports; numjobs=2 with group_reporting: one ($(jget '[.fio.jobs[].jobname] | join(" ")'))"
expect_json '([.fio.jobs[0:3][].read.io_bytes] | add) == .disks[0].bytes_read and all(.fio.jobs[0:3][]; .read.total_ios > 0)' 'the three clones all read, and their bytes add up to the disk'"'"'s'
expect_json '.fio.jobs[3].read.io_bytes == .disks[1].bytes_read' 'group_reporting: the one report holds both clones'"'"' bytes'
# ramp_time=200ms at rate_iops=1000: the disk served up to 200 more reads than reported,
# and at least 0.6 x 200 ms / (1 ms + a tick + the latency), as the rate checks above
expect_json '.fio.jobs[4].read.runtime >= 270 and .fio.jobs[4].read.runtime <= 600' "ramp_time: the report covers the 300 ms after the ramp ($(jget '.fio.jobs[4].read.runtime') ms)"
expect_json '.fio.jobs[4].read.clat_ns.mean as $l | (.disks[2].reads - .fio.jobs[4].read.total_ios) as $r | $r >= 0.6 * 0.2 / (0.001 + 0.004 + $l / 1e9) and $r <= 200 * 1.05' \
	"ramp_time=200ms: 0.6 x 0.2 s / (1 ms + tick + latency) .. 210 reads left out of the report ($(jget '.disks[2].reads - .fio.jobs[4].read.total_ios'))"
expect_json '.fio.jobs[5].write.io_bytes > 65536' "time_based: size=64k written and written again ($(jget '.fio.jobs[5].write.io_bytes') bytes)"
check "time_based: only the 64 KiB region was written ($(od -A n -v -t x1 -j 65536 "$T/d3.img" | tr -d ' \n0' | wc -c) non-zero bytes past it)" \
	test "$(od -A n -v -t x1 -j 65536 "$T/d3.img" | tr -d ' \n0' | wc -c)" = 0
# fio syncs when it is about to write the N+1st: 16 writes, fsync=4 -> 3, fdatasync=8 -> 1
expect_json '.fio.jobs[6].sync.total_ios == 3 and .disks[4].flushes == 3' "fsync=4: 3 flushes for 16 writes ($(jget '.fio.jobs[6].sync.total_ios'), disk $(jget '.disks[4].flushes'))"
expect_json '.fio.jobs[7].sync.total_ios == 1 and .disks[5].flushes == 1' "fdatasync=8: 1 flush for 16 writes ($(jget '.fio.jobs[7].sync.total_ios'), disk $(jget '.disks[5].flushes'))"
check "fileoffset=1m size=64k: blocks 256-271 hold the pattern, nothing else ($(blocks -r "$T/d6.img" 00e7f50f))" \
	test "$(blocks -r "$T/d6.img" 00e7f50f)" = 256-271 -a "$(blocks "$T/d6.img" 00000000)" = 1008
end

begin "fio_effects/randseed and randrepeat: which blocks a random job writes"
# norandommap random writes of 256 KiB (64 picks of 64 blocks): the set of blocks hit
# is the random sequence's fingerprint. randseed picks the sequence; randrepeat=1
# (fio's default) repeats it whatever the VM's --seed, randrepeat=0 mixes that in.
f=$T/r.fio
{
	job global direct=1 rw=randwrite bs=4k size=256k norandommap buffer_pattern=0xa5a5a5a5
	job s11 filename=/dev/vda randseed=11
	job s12 filename=/dev/vdb randseed=12
	job s11r0 filename=/dev/vdc randseed=11 randrepeat=0
	# and, beside them, a buffered reader: through the page cache
	job cached filename=/dev/vdd rw=read size=256k buffered=1 direct=0
} >"$f"
for seed in 1 2; do
	mapfile -t D < <(disks 4)
	vms "${D[@]}" --job "$f" --json --seed "$seed"
	expect_rc 0 "--seed $seed"
	expect_json '.vmstat.counters.nr_file_pages >= 64 and .vmstat.counters.pgpgin >= 256' \
		"buffered=1: the 256 KiB read went through the page cache ($(jget '.vmstat.counters | "\(.nr_file_pages) pages, pgpgin \(.pgpgin) KiB"'))"
	for i in 0 1 2; do
		od -A d -v -t x4 -w4096 "$T/d$i.img" | awk '$2 == "a5a5a5a5" { print $1 / 4096 }' >"$T/set.$seed.$i"
	done
done
check "the writes hit some but not all blocks ($(wc -l <"$T/set.1.0") of 64)" test "$(wc -l <"$T/set.1.0")" -ge 20 -a "$(wc -l <"$T/set.1.0")" -le 60
check 'randseed=11 and randseed=12 write different blocks' differ "$T/set.1.0" "$T/set.1.1"
check 'randrepeat=1: the same blocks under --seed 1 and --seed 2' cmp -s "$T/set.1.0" "$T/set.2.0"
check 'randrepeat=1: the same for randseed=12' cmp -s "$T/set.1.1" "$T/set.2.1"
check 'randrepeat=0: other blocks under --seed 1 and --seed 2' differ "$T/set.1.2" "$T/set.2.2"
end

begin "fio_effects/memory jobs: mem_access, size, runtime, thinktime, ramp_time, numjobs; stonewall and wait_for_previous"
# (stonewalls keep the timed jobs off CPUs the others keep busy)
f=$T/m.fio
{
	job global ioengine=mem
	# size=4m once through: 1024 pages allocated and touched
	job once size=4m
	# random: every page once, then as many random accesses
	job rnd size=4m mem_access=random
	job twins size=1m numjobs=2
	# churn for 200 ms: 1024 pages allocated and freed, again and again
	job churn stonewall size=4m mem_access=churn runtime=200ms
	# a 1 ms pause after each access (ends at the next tick): 200/(1 + 4) .. 200 accesses
	# in 200 ms (half that allowed for a loaded host)
	job think stonewall size=1m runtime=200ms thinktime=1000
	# 100 ms ramp, 100 ms measured, 1 ms apart: about half the accesses are timed
	job ramped size=1m ramp_time=100ms runtime=100ms thinktime=1000
	# after all of the above, then the next after it
	job after stonewall size=1m runtime=50ms
	job last wait_for_previous size=1m runtime=50ms
} >"$f"
vms --vcpus 2 --memory 64M --job "$f" --json
expect_rc 0
js='.mem_jobs as $m | def j($n): [$m[] | select(.jobname == $n)];'
expect_json "$js [\$m[].error] | all(. == 0)" 'every memory job finished'
expect_json "$js j(\"once\")[0] | .pages_allocated == 1024 and .accesses == 1024 and .pages_freed == 1024" 'size=4m: 1024 pages allocated, touched once, freed'
expect_json "$js j(\"churn\")[0] | .pages_allocated >= 2 * 1024 and .pages_freed == .pages_allocated" \
	"mem_access=churn: freed and allocated again ($(jget '.mem_jobs[] | select(.jobname == "churn") | .pages_allocated') pages)"
expect_json "$js j(\"churn\")[0] | (.end_ns - .start_ns) / 1e6 | . >= 200 and . <= 600" 'runtime=200ms: the churn ran 200..600 ms'
expect_json "$js j(\"rnd\")[0] | .accesses == 2048 and .pages_allocated == 1024" 'mem_access=random: every page once, then as many random accesses'
expect_json "$js j(\"think\")[0] | .accesses <= 201 and .accesses >= 200 / (1 + 4) * 0.5" \
	"thinktime=1000 (us): 20..201 accesses in 200 ms ($(jget '.mem_jobs[] | select(.jobname == "think") | .accesses'))"
expect_json "$js j(\"ramped\")[0] | ([.lat_ns[].N] | add) as \$timed | \$timed < .accesses * 0.75 and \$timed > .accesses * 0.25" \
	"ramp_time=100ms of 200: about half the accesses timed ($(jget '.mem_jobs[] | select(.jobname == "ramped") | "\([.lat_ns[].N] | add) of \(.accesses)"'))"
expect_json "$js j(\"twins\") | length == 2 and ([.[].clone] | sort) == [0, 1]" 'numjobs=2: two clones of the memory job'
expect_json "$js (j(\"once\") + j(\"rnd\") + j(\"twins\") | map(.end_ns) | max) as \$e | j(\"churn\")[0].start_ns >= \$e" \
	'stonewall: churn started after every earlier job ended'
expect_json "$js (j(\"think\") + j(\"ramped\") | map(.end_ns) | max) as \$e | j(\"after\")[0].start_ns >= \$e" \
	'stonewall: after started after think and ramped ended'
expect_json "$js j(\"last\")[0].start_ns >= j(\"after\")[0].end_ns" 'wait_for_previous: the job started after the one before it ended'
end

begin "fio_effects/mem_working_set: random accesses within the working set stay in memory"
# 48 MiB in a 32 MiB guest with swap, committed, then as many (12288) random accesses:
# within the first 2 MiB (512 pages: once swapped back in they stay), then, after it
# (stonewall), within all 48 MiB, of which at most 32 MiB fit: at least a third of
# those accesses must miss, half of that allowed for the kernel's share of the memory.
f=$T/ws.fio
{
	job global ioengine=mem mem_access=random size=48m
	job small mem_working_set=2m
	job large stonewall
} >"$f"
vms --vcpus 2 --memory 32M --disk "$T/swap.img,size=256M,swap" --job "$f" --json
expect_rc 0
expect_json '.mem_jobs[0] | .accesses == 2 * 12288 and .swapins <= 2 * 512' \
	"mem_working_set=2m: at most twice its 512 pages swapped in ($(jget '.mem_jobs[0] | "\(.swapins) in \(.accesses - .pages_allocated) random accesses"'))"
expect_json '.mem_jobs[1] | .accesses == 2 * 12288 and .swapins >= 0.5 / 3 * 12288' \
	"the whole 48 MiB: at least 1/6 of the random accesses swap in ($(jget '.mem_jobs[1] | "\(.swapins) in \(.accesses - .pages_allocated) random accesses"'))"
end

begin "fio_effects/new_group: a new reporting group"
# new_group opens a reporting group: with group_reporting the jobs before and after it
# are reported apart (fio's groupid), where they would otherwise be one report.
mapfile -t D < <(disks 2)
f=$T/g.fio
{
	job global direct=1 rw=randread size=64k group_reporting
	job a filename=/dev/vda
	job b filename=/dev/vdb new_group
} >"$f"
vms "${D[@]}" --job "$f" --json
expect_rc 0
expect_json '[.fio.jobs[] | [.jobname, .groupid]] == [["a", 0], ["b", 1]]' "new_group: two reports, groups 0 and 1 ($(jget '[.fio.jobs[] | "\(.jobname):\(.groupid)"] | join(" ")'))"
sed -i '/^new_group$/d' "$f"
mapfile -t D < <(disks 2)
vms "${D[@]}" --job "$f" --json
expect_rc 0
expect_json '[.fio.jobs[] | .groupid] == [0] and .fio.jobs[0].read.io_bytes == 131072' 'without it: one report of both jobs'
end

finish
