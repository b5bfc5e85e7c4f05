#!/bin/sh
# Runs every libFuzzer target for SECONDS each (default 600) over a scratch copy of
# its corpus (tests/fuzz/corpus/NAME/ stays as committed). A crash fails the run and
# leaves its input in build/fuzz/artifacts/.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-600}
mkdir -p build/fuzz/artifacts
for bin in build/fuzz/fuzz_*; do
	name=${bin#build/fuzz/fuzz_}
	scratch=build/fuzz/scratch/$name
	mkdir -p "$scratch"
	echo "fuzz: $name for ${secs}s"
	"$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/ \
		"$scratch" "tests/fuzz/corpus/$name" 2>build/fuzz/$name.log || {
		echo "fuzz: $name FAILED (see build/fuzz/$name.log and build/fuzz/artifacts/)" >&2
		tail -40 "build/fuzz/$name.log" >&2
		exit 1
	}
	grep -E '^stat::number_of_executed_units|^stat::peak_rss' "build/fuzz/$name.log" | sed 's/^/  /'
done
