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
./harness/vmsweep export "$dir" --format csv | cut -d, -f1-6 | head -5
echo "..."
echo
echo "report: $html"
echo "the store: sqlite3 $dir/results.sqlite (tables runs, metrics, histograms, ...)"
