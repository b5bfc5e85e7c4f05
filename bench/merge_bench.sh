#!/usr/bin/env bash
# make bench, merge: what `vmsweep merge` costs at scale (issue #21), on a simulated sweep
# of 100 shards x 100 runs = 10000 runs, made without booting 10000 guests. One real run
# (a short fio randwrite on a raw disk, vmstat sampled every sample_ms) is the template;
# `vmsweep submit --slurm --dry-run` writes the plan of a 10000-run sweep of the same
# workload; each shard store is that plan with its own runs (the plan's shard.<I>.runs)
# marked done and given the template's metrics, histograms, time series and files, as
# `vmsweep run --shard I/100` would leave it. Then `vmsweep merge` is timed: the first
# merge (everything new), and the second (idempotent: adds nothing), each time into a
# fresh copy of the planned store. The stores are in the page cache (just written).
# It needs about 2.5 GB in $TMPDIR (/tmp): 1.1 GB of shard stores, 1 GB merged.
#   MERGE_BENCH_REPS       merges timed (3)
#   MERGE_BENCH_SAMPLE_MS  the template's sample_ms (10: ~25 samples of 34 series in its
#                          0.3 s, as configs/writeback.ini's 100 ms over 2-7 s runs)
#   MERGE_BENCH_REPORT     seconds `vmsweep report` may take on the merged sweep (120; 0: skip)
#   MERGE_BENCH_KEEP       set: keep the temporary directory
# A benchmark measures: it fails only when a store cannot be made or is wrong.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${MERGE_BENCH_REPS:-3}
SAMPLE_MS=${MERGE_BENCH_SAMPLE_MS:-10}
REPORT_S=${MERGE_BENCH_REPORT:-120}
SHARDS=100 POINTS=100 REPEAT=100
VMS=$PWD/harness/vmsweep
dir=$(mktemp -d "${TMPDIR:-/tmp}/vmsweep-merge-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
[ -z "${MERGE_BENCH_KEEP:-}" ] || trap - EXIT
D=$dir/sweep
die() { echo "merge_bench: $*" >&2; exit 1; }
q() { sqlite3 -batch "$@"; }

# 1. The template: one real run of the workload, at the sweep's first point.
cat >"$dir/w.fio" <<'EOF2'
[w]
filename=/dev/vda
direct=1
ioengine=libaio
rw=randwrite
iodepth=4
bs=4k
size=8m
runtime=300ms
time_based
EOF2
config() { # $1 repeat, $2 fio.iodepth values
	printf '[sweep]\nname = merge-bench\nrepeat = %s\n' "$1"
	printf '[guest]\nmemory = 64M\nvcpus = 1\ndisk = %s/d.img,size=16M\nsample_ms = %s\n' "$dir" "$SAMPLE_MS"
	printf '[workload]\njob = w.fio\n[params]\nfio.iodepth = %s\n' "$2"
}
config 1 1 >"$dir/template.ini"
"$VMS" run "$dir/template.ini" --out "$dir/tmpl" >/dev/null 2>"$dir/tmpl.err" || die "template run: $(tail -3 "$dir/tmpl.err")"
T=$dir/tmpl/results.sqlite
[ "$(q "$T" "select status from runs where id = 0")" = "done" ] || die "the template run failed"
read -r t_met t_hist t_ts < <(q -separator ' ' "$T" \
	"select (select count(*) from metrics), (select count(*) from histograms), (select count(*) from timeseries)")
t_files=$(cd "$dir/tmpl/runs" && ls 0.*)

# 2. The plan of 10000 runs, cut into 100 shards, as `vmsweep submit` writes it.
config "$REPEAT" "1..$POINTS step 1" >"$dir/sweep.ini"
"$VMS" submit "$dir/sweep.ini" --slurm --shards "$SHARDS" --dry-run --out "$D" >/dev/null 2>"$dir/submit.err" ||
	die "submit: $(tail -3 "$dir/submit.err")"
cp "$D/results.sqlite" "$dir/planned.sqlite" # pristine: every merge starts from it

# 3. The shard stores. The runs' inputs text is the template's with the point's iodepth,
# so the merged store holds one text per point as a real sweep's would; started/ended
# are spread so that no two runs look the same.
ranges_to_values() { # "0,3,6-9" -> "(0),(3),(6),(7),(8),(9)"
	local p k out=() parts
	IFS=, read -ra parts <<<"$1"
	for p in "${parts[@]}"; do
		if [[ $p == *-* ]]; then for ((k = ${p%-*}; k <= ${p#*-}; k++)); do out+=("($k)"); done; else out+=("($p)"); fi
	done
	local IFS=,
	echo "${out[*]}"
}
g0=$(date +%s%N)
for ((i = 0; i < SHARDS; i++)); do
	S=$D/shards/$i
	mkdir -p "$S/runs"
	cp "$dir/planned.sqlite" "$S/results.sqlite"
	runs=$(q "$S/results.sqlite" "select value from manifest where key = 'shard.$i.runs'")
	[ -n "$runs" ] || die "the plan has no shard.$i.runs"
	files_sql=""
	for f in $t_files; do
		files_sql+="SELECT writefile('$S/runs/' || id || '.${f#0.}', readfile('$dir/tmpl/runs/$f')) FROM temp.mine;"
	done
	q "$S/results.sqlite" >/dev/null <<EOF2
ATTACH '$T' AS t;
BEGIN;
-- a shard store made by vmsweep run --shard has its own keys, not the submit's
DELETE FROM manifest WHERE key = 'shards' OR key GLOB 'shard.*';
INSERT OR REPLACE INTO manifest VALUES ('shard', '$i/$SHARDS'), ('shard.runs', '$runs'), ('hostname', 'node$i');
CREATE TEMP TABLE mine(id INTEGER PRIMARY KEY);
INSERT INTO temp.mine VALUES $(ranges_to_values "$runs");
CREATE TEMP TABLE pin AS SELECT pv.point, replace(ti.text, 'fio.iodepth=1' || char(10),
	'fio.iodepth=' || pv.value || char(10)) AS text FROM point_values pv, t.run_inputs ti
	WHERE pv.point IN (SELECT point FROM runs WHERE id IN (SELECT id FROM temp.mine));
INSERT INTO run_inputs(text) SELECT text FROM temp.pin;
UPDATE runs AS r SET status = 'done', started = tr.started + r.id * 0.5, ended = tr.ended + r.id * 0.5,
	wall_ms = tr.wall_ms, exit_status = tr.exit_status,
	inputs = (SELECT i.id FROM temp.pin p JOIN run_inputs i ON i.text = p.text WHERE p.point = r.point)
	FROM t.runs tr WHERE tr.id = 0 AND r.id IN (SELECT id FROM temp.mine);
-- each run's rows in the order a recording writes them: run by run, the template's order
INSERT INTO metrics(run, name, value) SELECT m.id, x.name, x.value FROM temp.mine m, t.metrics x ORDER BY m.id, x.rowid;
INSERT INTO histograms SELECT m.id, x.name, x.nr_buckets, x.counts FROM temp.mine m, t.histograms x ORDER BY m.id, x.rowid;
INSERT INTO timeseries(run, series, t_ns, value) SELECT m.id, x.series, x.t_ns, x.value
	FROM temp.mine m, t.timeseries x ORDER BY m.id, x.rowid;
COMMIT;
$files_sql
EOF2
done
gen_s=$(awk -v ns=$(($(date +%s%N) - g0)) 'BEGIN { printf "%.1f", ns / 1e9 }')

# 4. The merges: each into a fresh copy of the planned store, with no run files yet.
merge_timed() { # $1 label: appends "seconds max_rss_kB" to $dir/$1
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$dir/rss" "$VMS" merge "$D" >/dev/null 2>"$dir/merge.err" || die "merge: $(tail -3 "$dir/merge.err")"
	t1=$(date +%s%N)
	echo "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }') $(tail -1 "$dir/rss")" >>"$dir/$1"
}
: >"$dir/first" && : >"$dir/again"
load=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < REPS; r++)); do
	rm -rf "$D/runs" "$D/results.sqlite" "$D/results.sqlite-wal" "$D/results.sqlite-shm" "$D/report."* "$D/plots"
	cp "$dir/planned.sqlite" "$D/results.sqlite"
	sync # the shard stores' (or the last merge's) writes are not the merge's to flush
	merge_timed first
	merge_timed again
done
load="$load, after: $(cut -d' ' -f1-3 /proc/loadavg)"

# What the last merge left, checked: every run once, done, with all of its rows and files.
M=$D/results.sqlite
read -r n_runs n_done n_inputs n_met n_hist n_ts < <(q -separator ' ' "$M" "select (select count(*) from runs),
	(select count(*) from runs where status = 'done'), (select count(*) from run_inputs), (select count(*) from metrics),
	(select count(*) from histograms), (select count(*) from timeseries)")
runs_total=$((SHARDS * 100))
if [ "$n_runs" != "$runs_total" ] || [ "$n_done" != "$runs_total" ]; then die "merged: $n_done of $n_runs runs done"; fi
if [ "$n_met" != $((runs_total * t_met)) ] || [ "$n_hist" != $((runs_total * t_hist)) ] || [ "$n_ts" != $((runs_total * t_ts)) ]; then
	die "merged: $n_met metrics, $n_hist histograms, $n_ts samples; expected $runs_total x $t_met, $t_hist, $t_ts"
fi
[ "$(q "$M" "pragma integrity_check")" = ok ] || die "merged store: integrity_check fails"
n_files=$(find "$D/runs" -type f | wc -l)
[ "$n_files" = $((runs_total * $(wc -w <<<"$t_files"))) ] || die "merged: $n_files run files"
size_mb() { du -cb "$@" | awk 'END { printf "%.1f", $1 / 1048576 }'; }
merged_mb=$(size_mb "$M")
shards_mb=$(size_mb "$D"/shards/*/results.sqlite)
planned_mb=$(size_mb "$dir/planned.sqlite")

# The report on 10000 runs, once, if it finishes in time.
report="skipped"
if [ "$REPORT_S" -gt 0 ]; then
	t0=$(date +%s%N)
	if timeout "$REPORT_S" "$VMS" report "$D" >/dev/null 2>"$dir/report.err"; then
		report="$(awk -v ns=$(($(date +%s%N) - t0)) 'BEGIN { printf "%.1f s", ns / 1e9 }')"
	else
		report="not done in $REPORT_S s (or failed: $(tail -1 "$dir/report.err"))"
	fi
fi

# median (min-max) of column $2 of file $1, scaled by $3
figure() { sort -g -k"$2,$2" "$1" | awk -v c="$2" -v f="$3" '{ v[NR] = $c * f }
	END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'; }
echo "## Merging shard stores: $SHARDS shards x 100 runs = $runs_total runs (median (range) of $REPS merges)"
echo
echo "| merge | wall s | max RSS MiB |"
echo "|---|---|---|"
echo "| first (all $runs_total runs new) | $(figure "$dir/first" 1 1) | $(figure "$dir/first" 2 0.0009765625) |"
echo "| again (idempotent: nothing new) | $(figure "$dir/again" 1 1) | $(figure "$dir/again" 2 0.0009765625) |"
echo
echo "| per run (the template, one real run: fio 4k randwrite 0.3 s, sample_ms = $SAMPLE_MS) | metrics | histograms | time-series rows | files |"
echo "|---|---|---|---|---|"
echo "| | $t_met | $t_hist | $t_ts | $(wc -w <<<"$t_files") |"
echo
echo "| merged store | runs done | run_inputs | metrics | histograms | time-series rows | run files | size MiB |"
echo "|---|---|---|---|---|---|---|---|"
echo "| | $n_done | $n_inputs | $n_met | $n_hist | $n_ts | $n_files | $merged_mb |"
echo
echo "Shard stores: $shards_mb MiB in all (each a copy of the $planned_mb MiB plan with its own runs' results);" \
	"made in $gen_s s. vmsweep report on the merged sweep: $report. Load average: $load."
