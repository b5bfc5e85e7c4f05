#!/bin/sh
# make asan: the unit tests and the integration tests again, with the host built with
# AddressSanitizer (and LeakSanitizer) and UndefinedBehaviorSanitizer, float-cast-overflow
# included, every finding fatal.
#   usage: tests/asan-run.sh HARNESS_ASAN_BINARY UNIT_TEST_BINARY...
# ASan's and LSan's reports go to build-asan/logs/ (log_path), so that even a run whose
# stderr a test throws away leaves one. UBSan's go to stderr whatever log_path says (GCC
# 12's runtime); tests/integration/lib.sh fails a test whose commands' stderr has one and
# copies it to build-asan/logs/ too, and run-unit.sh prints a failing binary's output.
# Either exits 86, no exit status the harness itself uses. Any report fails the run, and
# is printed at the end.
set -u

if [ "$#" -lt 1 ]; then
	echo "usage: $0 HARNESS_ASAN_BINARY UNIT_TEST_BINARY..." >&2
	exit 2
fi
bin=$1
shift
logs=$PWD/build-asan/logs
rm -rf "$logs"
mkdir -p "$logs" || exit 1
ASAN_OPTIONS="log_path=$logs/asan:exitcode=86:detect_leaks=1:halt_on_error=1:strict_string_checks=1:check_initialization_order=1"
UBSAN_OPTIONS="exitcode=86:print_stacktrace=1:halt_on_error=1"
VMSWEEP_SANITIZER_LOGS=$logs
export ASAN_OPTIONS UBSAN_OPTIONS VMSWEEP_SANITIZER_LOGS

start=$(date +%s)
unit=0
if [ "$#" -gt 0 ]; then
	sh ./tests/run-unit.sh "$@" || unit=1
fi
it=0
VMSWEEP=$PWD/$bin bash ./tests/integration/run.sh || it=1
secs=$(($(date +%s) - start))

reports=0
for f in "$logs"/*; do
	[ -e "$f" ] || continue
	reports=$((reports + 1))
	echo "==== sanitizer report $f"
	cat "$f"
done
echo "make asan: $reports sanitizer reports; unit tests $([ $unit = 0 ] && echo passed || echo FAILED)," \
	"integration tests $([ $it = 0 ] && echo passed || echo FAILED); ${secs} s"
[ "$reports" -eq 0 ] && [ "$unit" -eq 0 ] && [ "$it" -eq 0 ]
