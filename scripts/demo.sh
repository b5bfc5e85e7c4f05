#!/bin/sh
# make demo: the main job: the quick sweep (configs/quick.ini), then its report.
set -eu
cd "$(dirname "$0")/.."
mkdir -p results
dir=results/quick-$(date +%Y%m%d-%H%M%S)
echo "+ harness/vmsweep run configs/quick.ini --out $dir"
./harness/vmsweep run configs/quick.ini --out "$dir" >/dev/null
echo "+ harness/vmsweep report $dir"
html=$(./harness/vmsweep report "$dir")
echo
# the report's table of points: each point's mean and 95 % interval of the metrics
sed -n '/^## Points/,/^n: /p' "$dir/report.md" | sed '1,2d;$d'
echo
echo "report: $html (the first figure: the journal's write amplification against dirty_ratio, a line per journal mode)"
echo "the store: sqlite3 $dir/results.sqlite (tables runs, metrics, histograms, ...)"
