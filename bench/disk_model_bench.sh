#!/usr/bin/env bash
# make bench, the disk models (docs/DISK_MODELS.md): what a guest measures on a modelled
# disk against what the model's parameters predict, and how repeatable it is against the
# raw host disk. Interleaved (every case once per round, RUNS rounds), medians and the
# range of the ratio:
#   - 1 MiB sequential direct writes at queue depth 4 on rate=100M, against 100 MiB/s;
#   - profile=hdd: random 4 KiB writes at depth 1 against the formula's IOPS, and 1 MiB
#     sequential writes against the media rate;
#   - the coefficient of variation (CV) of a job's write throughput over the rounds, on
#     the raw host disk and on the profile. The job is DM_BENCH_CV_JOB, by default a
#     writeback run (workloads/dd-buffered-512m.fio: 512 MiB of buffered 1 MiB writes and
#     an fsync, so that its time includes the writeback of every page), the profile
#     DM_BENCH_CV_PROFILE, by default profile=hdd,queues=1: a SATA disk's one queue (with
#     a virtqueue per vCPU the flusher's requests reach the model out of order and seek,
#     which the host's timing decides: a CV of 6 % rather than 2 % on 2026-12-07).
#     (Until the guest's writeback landed the job was log-8k-fdatasync.)
# A benchmark measures: it fails only when a run cannot be made.
set -eu
cd "$(dirname "$0")/.."
RUNS=${DM_BENCH_RUNS:-7}
RUNTIME=${DM_BENCH_RUNTIME:-3s}
CV_JOB=${DM_BENCH_CV_JOB:-workloads/dd-buffered-512m.fio}
CV_PROFILE=${DM_BENCH_CV_PROFILE:-profile=hdd,queues=1}
VMS=./harness/vmsweep
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/vmsweep-dmbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
img=$dir/disk.img
# Written through once: the host's steady state, not its file system allocating blocks.
dd if=/dev/zero of="$img" bs=1M count=1024 oflag=direct status=none

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { sort -g | awk -v f="${1:-%.3f}" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f "-" f, lo, hi }'; }
# mean and CV (sample standard deviation / mean) of a column of numbers
cv() { awk '{ s += $1; q += $1 * $1; n++ } END { m = s / n; sd = n > 1 ? sqrt((q - n * m * m) / (n - 1)) : 0; if (sd != sd) sd = 0; printf "%.1f %.2f\n", m, 100 * sd / m }'; }

job() { sed "s/^runtime=.*/runtime=$RUNTIME/" "$1" >"$dir/$(basename "$1")"; echo "$dir/$(basename "$1")"; }
seq1m=$(job workloads/seqwrite-1m-qd4.fio)
rand4k=$(job workloads/randwrite-4k-qd1.fio)
cvjob=$(job "$CV_JOB")

# guest NAME MODEL JOB [SEED]: one boot; its JSON in $dir/NAME.json
guest() {
	$VMS boot --vcpus 2 --seed "${4:-1}" --disk "$img,size=1G${2:+,$2}" --job "$3" --log "$dir/console.log" --json \
		>"$dir/$1.json" 2>/dev/null
}
# The formula of docs/DISK_MODELS.md for random requests of $2 bytes over the whole image.
hdd_predicted_iops() {
	jq -r --argjson bs "$2" '.disks[0].model as $m | $m.hdd as $h |
		1e9 / ($h.seek_min_ns + ($h.seek_max_ns - $h.seek_min_ns) * 8 / 15 * ((1073741824 / $h.capacity) | sqrt)
		       + 30e9 / $h.rpm + $bs * 1e9 / $m.rate)' "$1"
}

: >"$dir/rate" && : >"$dir/rand" && : >"$dir/hseq" && : >"$dir/cv_raw" && : >"$dir/cv_model"
for i in $(seq 1 "$RUNS"); do
	guest rate rate=100M "$seq1m"
	jq -r '.fio.jobs[0].write.bw * 1024 / 104857600' "$dir/rate.json" >>"$dir/rate" # of 100 MiB/s
	guest rand profile=hdd "$rand4k" "$i" # another sample of random offsets each round
	echo "$(jq -r '.fio.jobs[0].write.iops' "$dir/rand.json") $(hdd_predicted_iops "$dir/rand.json" 4096)" >>"$dir/rand"
	guest hseq profile=hdd "$seq1m"
	jq -r '(.fio.jobs[0].write.bw * 1024) as $b | "\($b) \(.disks[0].model.rate)"' "$dir/hseq.json" >>"$dir/hseq"
	guest cv_raw "" "$cvjob"
	jq -r '.fio.jobs[0].write | "\(.bw_bytes / 1048576) \(.iops)"' "$dir/cv_raw.json" >>"$dir/cv_raw"
	guest cv_model "$CV_PROFILE" "$cvjob"
	jq -r '.fio.jobs[0].write | "\(.bw_bytes / 1048576) \(.iops)"' "$dir/cv_model.json" >>"$dir/cv_model"
done

echo "## Disk models: measured against their parameters ($RUNS runs each, interleaved, $RUNTIME each; medians, the ratio's range)"
echo
echo "| job | disk model | predicted | measured | ratio (range) |"
echo "|---|---|---|---|---|"
r=$(median <"$dir/rate")
printf '| seqwrite-1m-qd4 (1 MiB direct, depth 4) | rate=100M | 100.0 MiB/s | %.1f MiB/s (%.1f MB/s) | %.3f (%s) |\n' \
	"$(awk -v r="$r" 'BEGIN { print r * 100 }')" "$(awk -v r="$r" 'BEGIN { print r * 104.8576 }')" "$r" "$(range <"$dir/rate")"
awk '{ print $1 / $2 }' "$dir/rand" >"$dir/rand.ratio"
printf '| randwrite-4k-qd1 (4 KiB random direct, depth 1, whole disk) | profile=hdd | %.1f IOPS | %.1f IOPS | %.3f (%s) |\n' \
	"$(cut -d' ' -f2 "$dir/rand" | median)" "$(cut -d' ' -f1 "$dir/rand" | median)" "$(median <"$dir/rand.ratio")" \
	"$(range <"$dir/rand.ratio")"
awk '{ print $1 / $2 }' "$dir/hseq" >"$dir/hseq.ratio"
printf '| seqwrite-1m-qd4 | profile=hdd | %.1f MiB/s | %.1f MiB/s | %.3f (%s) |\n' \
	"$(cut -d' ' -f2 "$dir/hseq" | median | awk '{ print $1 / 1048576 }')" \
	"$(cut -d' ' -f1 "$dir/hseq" | median | awk '{ print $1 / 1048576 }')" "$(median <"$dir/hseq.ratio")" \
	"$(range <"$dir/hseq.ratio")"
echo
echo "Repeatability of $(basename "$CV_JOB" .fio) ($RUNS runs each, interleaved, 2 vCPUs, 128 MiB, writeback_model ioless): its write throughput over the runs"
echo
echo "| disk | runs | median MiB/s | min-max | mean MiB/s (IOPS) | CV |"
echo "|---|---|---|---|---|---|"
for side in raw model; do
	label="raw host disk (no model)"
	[ "$side" = model ] && label=$CV_PROFILE
	read -r m c < <(cut -d' ' -f1 "$dir/cv_$side" | cv)
	printf '| %s | %s | %.2f | %s | %s (%.1f) | %s %% |\n' "$label" "$(wc -l <"$dir/cv_$side")" \
		"$(cut -d' ' -f1 "$dir/cv_$side" | median)" "$(cut -d' ' -f1 "$dir/cv_$side" | range %.2f)" "$m" \
		"$(cut -d' ' -f2 "$dir/cv_$side" | awk '{ s += $1 } END { print s / NR }')" "$c"
done
