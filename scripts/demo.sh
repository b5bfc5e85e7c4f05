#!/bin/sh
# make demo: the main job. For now: boot the built-in guest on 2 vCPUs, run its
# built-in workload (compute/sleep on every CPU, cross-CPU wake-ups) and summarise.
set -eu
cd "$(dirname "$0")/.."
mkdir -p results
echo "+ harness/vmsweep boot --vcpus 2 --verbose --set duration_ms=300,pingpong=200 --log results/demo-console.log"
exec ./harness/vmsweep boot --vcpus 2 --verbose --set duration_ms=300,pingpong=200 --log results/demo-console.log
