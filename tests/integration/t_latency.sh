#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 11. The wake-up latency histogram is reported and self-consistent.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "latency/wakeup_latency_ns has samples and ordered percentiles"
vms --vcpus 2 --json
expect_rc 0
expect_json '.wakeup_latency_ns.samples > 0' 'wakeup_latency_ns.samples > 0'
expect_json '.wakeup_latency_ns.percentiles["50"] <= .wakeup_latency_ns.percentiles["99"]' 'p50 <= p99'
expect_json '.wakeup_latency_ns | .percentiles as $p | $p["50"] <= $p["90"] and $p["90"] <= $p["99"] and $p["99"] <= $p["99.9"]' \
	'p50 <= p90 <= p99 <= p99.9'
expect_json '.wakeup_latency_ns | .min <= .percentiles["50"] and .min <= .mean and .mean <= .max' 'min <= p50, min <= mean <= max'
# Percentiles are fio-style bucket midpoints: they may pass max by half a bucket (< 1%).
expect_json '.wakeup_latency_ns | .percentiles["99.9"] <= .max * 1.02 + 1' 'p99.9 <= max (to the histogram bucket)'
# a wake-up is sampled when its task runs: one woken as the results are taken is not yet
expect_json '([.cpus[].wakeups] | add) as $w | .wakeup_latency_ns.samples <= $w and $w - .wakeup_latency_ns.samples <= 4' \
	'samples == the sum of the CPUs'"'"' wakeups, less the tasks still waiting to run at the end'
end

begin "latency/text summary reports the wake-up latency"
vms --vcpus 2
expect_rc 0
expect_grep "$OUT" 'wake-up latency \(.*[0-9]+ wake-ups\): p50 [0-9.]+ us p90 [0-9.]+ us p99 [0-9.]+ us' 'the wake-up latency line'
end

finish
