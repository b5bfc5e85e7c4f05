#!/usr/bin/env bash
# make bench, the journal modes (#16) on a disk of a known speed (rate=40M, fs=ext3):
#  1. the same buffered write under data=journal, ordered and writeback: 64 MiB in
#     1 MiB writes and an fsync at the end (end_fsync), its throughput and its write
#     amplification (bytes that reached the disk over the bytes written into the file:
#     data=journal writes the data twice, into the log and home);
#  2. the ordered-mode fsync stall (workloads/fsync-stall.fio): a log-like writer's
#     fsyncs beside a 192 MiB buffered writer, at dirty_ratio 40: how many fsyncs the
#     6 s window completed, how long they took, and the longest commit; in two eras:
#     ioless (blk-mq, blk-wbt) and bdi (2.6.32-3.1, CFQ), the setting of the reports
#     that made the stall known.
# Interleaved (each mode once per round, RUNS rounds, a fresh file system each run);
# medians and ranges. The floor is the disk model's 40 MiB/s (its rate): buffered writes
# beyond it are the page cache's. A benchmark measures: it fails only when a run cannot
# be made.
set -eu
cd "$(dirname "$0")/.."
RUNS=${JOURNAL_BENCH_RUNS:-3}
VMS=./harness/vmsweep
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/vmsweep-jbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
MODES="journal ordered writeback"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { sort -g | awk -v f="${1:-%.2f}" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f "-" f, lo, hi }'; }
col() { awk -v c="$1" '{ print $c }' "$2"; }

printf '[w]\nfilename=/mnt/vda/w\nrw=write\nbs=1m\nsize=64m\nend_fsync=1\nunlink=0\n' >"$dir/w.fio"

# guest NAME MODE JOB KNOBS: one boot on a fresh 1 GiB file system; JSON in $dir/NAME.json
guest() {
	rm -f "$dir/disk.img"
	$VMS boot --memory 512M --vcpus 2 --disk "$dir/disk.img,size=1G,fs=ext3,rate=40M" --job "$3" \
		--set "journal_mode=$2${4:+,$4}" --timeout 2m --log "$dir/console.log" --json >"$dir/$1.json" 2>/dev/null
}

ERAS="ioless bdi"
for m in $MODES; do
	: >"$dir/w.$m"
	for e in $ERAS; do : >"$dir/s.$e.$m"; done
done
for i in $(seq 1 "$RUNS"); do
	for m in $MODES; do
		guest w "$m" "$dir/w.fio"
		# MB/s, amplification
		jq -r '(.fio.jobs[0].write.io_bytes) as $b | "\(.fio.jobs[0].write.bw_bytes / 1e6) \(.disks[0].bytes_written / $b)"' \
			"$dir/w.json" >>"$dir/w.$m"
		for e in $ERAS; do
			guest s "$m" workloads/fsync-stall.fio "dirty_ratio=40,dirty_background_ratio=20,writeback_model=$e"
			# fsyncs done, their mean and max ms, the big writer's MB/s, the longest commit ms
			jq -r '(.fio.jobs[] | select(.jobname == "log")) as $l | (.fio.jobs[] | select(.jobname == "big")) as $b |
				"\($l.sync.total_ios) \(($l.sync.lat_ns.mean // 0) / 1e6) \(($l.sync.lat_ns.max // 0) / 1e6) \($b.write.bw_bytes / 1e6) \((.journal[0].commit_ns.max // 0) / 1e6)"' \
				"$dir/s.json" >>"$dir/s.$e.$m"
		done
	done
done

echo "## Journal modes: ext3 on a 40 MiB/s disk (rate=40M), $RUNS interleaved runs each, medians (ranges)"
echo
echo "64 MiB of buffered 1 MiB writes and an fsync (end_fsync), on a fresh file system:"
echo
echo "| data= | MB/s | write amplification (disk bytes / file bytes) |"
echo "|---|---|---|"
for m in $MODES; do
	printf '| %s | %.1f (%s) | %.2f (%s) |\n' "$m" "$(col 1 "$dir/w.$m" | median)" "$(col 1 "$dir/w.$m" | range %.1f)" \
		"$(col 2 "$dir/w.$m" | median)" "$(col 2 "$dir/w.$m" | range)"
done
echo
for e in $ERAS; do
	echo
	echo "The ordered-mode fsync stall (workloads/fsync-stall.fio at dirty_ratio 40), writeback_model=$e"
	echo "(iosched $([ "$e" = ioless ] && echo "none, wbt on" || echo "cfq")): a writer that fsyncs each 4 KiB write, 20 a second for 6 s,"
	echo "beside a 192 MiB buffered writer:"
	echo
	echo "| data= | fsyncs done in 6 s | fsync mean ms | fsync max ms | longest commit ms | the large writer's MB/s |"
	echo "|---|---|---|---|---|---|"
	for m in $MODES; do
		f=$dir/s.$e.$m
		printf '| %s | %s (%s) | %.1f (%s) | %.0f (%s) | %.0f (%s) | %.1f (%s) |\n' "$m" \
			"$(col 1 "$f" | median)" "$(col 1 "$f" | range %.0f)" \
			"$(col 2 "$f" | median)" "$(col 2 "$f" | range %.1f)" \
			"$(col 3 "$f" | median)" "$(col 3 "$f" | range %.0f)" \
			"$(col 5 "$f" | median)" "$(col 5 "$f" | range %.0f)" \
			"$(col 4 "$f" | median)" "$(col 4 "$f" | range %.1f)"
	done
done
