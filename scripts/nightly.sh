#!/bin/sh
# A nightly regression run, for cron or CI:
#
#   scripts/nightly.sh [CONFIG] [--results DIR] [--threshold 5%]
#
# 1. runs the sweep CONFIG (default configs/nightly.ini) into DIR/NAME-DATE-TIME
#    (DIR default results/nightly);
# 2. compares it with the last good sweep, DIR/last-good (a symbolic link), with
#    `vmsweep compare`, and keeps the comparison beside the sweep: compare.txt, .md,
#    .html and .json (the first night has nothing to compare with, and is good);
# 3. writes the sweep's report (report.html, report.md);
# 4. when no run failed and nothing got worse, points DIR/last-good at the new sweep.
#
# Exit status: 0 good (nothing worse), 1 something got worse (compare.txt says what),
# 2 an error or failed runs (the sweep is kept, last-good is not moved).
# A crontab line:  0 2 * * *  cd /path/to/vmsweep && scripts/nightly.sh >>results/nightly.log 2>&1
set -u
cd "$(dirname "$0")/.."
vmsweep=${VMSWEEP:-./harness/vmsweep}
config=configs/nightly.ini
results=results/nightly
threshold=5%
while [ $# -gt 0 ]; do
	case $1 in
	--results) results=$2; shift 2 ;;
	--threshold) threshold=$2; shift 2 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "nightly: unknown option $1" >&2; exit 2 ;;
	*) config=$1; shift ;;
	esac
done
[ -f "$config" ] || { echo "nightly: $config: no such config" >&2; exit 2; }
mkdir -p "$results" || exit 2
name=$(basename "$config" .ini)
dir=$results/$name-$(date +%Y%m%d-%H%M%S)
echo "nightly: $vmsweep run $config --out $dir"
"$vmsweep" run "$config" --out "$dir" >"$dir.run.log" 2>&1
rc=$?
mv "$dir.run.log" "$dir/run.log" 2>/dev/null
if [ $rc -ne 0 ]; then
	echo "nightly: the sweep did not finish cleanly (vmsweep run exit $rc; $dir/run.log): last-good stays" >&2
	exit 2
fi
"$vmsweep" report "$dir" >/dev/null || echo "nightly: warning: no report for $dir" >&2
verdict=0
if [ -e "$results/last-good" ]; then
	base=$(cd "$results/last-good" && pwd -P)
	echo "nightly: $vmsweep compare $base $dir --threshold $threshold"
	for f in md html json; do
		"$vmsweep" compare "$base" "$dir" --threshold "$threshold" --format $f --out "$dir/compare.$f"
	done
	"$vmsweep" compare "$base" "$dir" --threshold "$threshold" --out "$dir/compare.txt"
	verdict=$?
	grep "^Summary" "$dir/compare.txt"
	if [ $verdict -gt 1 ]; then
		echo "nightly: compare failed (exit $verdict)" >&2
		exit 2
	fi
else
	echo "nightly: no last good sweep in $results: this one is the first"
fi
if [ $verdict -eq 0 ]; then
	ln -sfn "$(cd "$dir" && pwd -P)" "$results/last-good"
	echo "nightly: good; $results/last-good -> $dir"
else
	echo "nightly: WORSE than $results/last-good: see $dir/compare.txt (last-good stays)"
fi
exit $verdict
