#!/bin/sh
# make bench: every benchmark, each against the physical floor measured in the same run.
set -eu
cd "$(dirname "$0")/.."
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "*** bench: /dev/kvm is not usable here: nothing measured ***" >&2
	exit 1
fi
echo "# vmsweep bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(uname -r)"
echo
./build/bench/boot_bench "$@"
echo
bash ./bench/blk_bench.sh

echo
bash ./bench/disk_model_bench.sh

echo
bash ./bench/writeback_bench.sh

echo
bash ./bench/journal_bench.sh

echo
sh ./bench/sweep_bench.sh

echo
bash ./bench/merge_bench.sh

echo
bash ./bench/slurm_bench.sh

echo
sh ./bench/mm_bench.sh

echo
bash ./bench/sched_bench.sh
