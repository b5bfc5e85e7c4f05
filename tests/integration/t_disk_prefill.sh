#!/usr/bin/env bash
# New images are sparse: a read job on one is warned about (its reads would measure
# holes), and ,prefill writes the holes through once, keeping data already there.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "disk/a read job on a sparse image is warned about; prefill allocates it once and keeps its data"
printf '[r]\nfilename=/dev/vda\nrw=randread\nbs=4k\nsize=1m\ndirect=1\n' >"$T/r.fio"
vms --disk "$T/d.img,size=16M" --job "$T/r.fio"
expect_rc 0
expect_grep "$ERR" "warning: job 'r' reads /dev/vda \\($T/d.img\\), a sparse image" 'the warning names the job and image'
expect_grep "$ERR" 'add ,prefill' 'and the remedy'
check 'the image is still sparse' test "$(stat -c %b "$T/d.img")" -lt 1024
# Data written before the prefill survives it.
printf 'vmsweep-prefill' | dd of="$T/d.img" bs=1 seek=$((8 << 20)) conv=notrunc status=none
vms --disk "$T/d.img,prefill" --job "$T/r.fio"
expect_rc 0
expect_no_grep "$ERR" 'sparse image' 'no warning with prefill'
check 'the image is fully allocated' test "$(($(stat -c %b "$T/d.img") * 512))" -ge $((16 << 20))
check 'the data written before stays' test "$(dd if="$T/d.img" bs=1 skip=$((8 << 20)) count=15 status=none)" = vmsweep-prefill
vms --disk "$T/d.img" --job "$T/r.fio"
expect_rc 0
expect_no_grep "$ERR" 'sparse image' 'an allocated image needs no warning'
vms --disk "$T/e.img,size=1M,prefill,ro" --job "$T/r.fio"
expect_rc 2
expect_grep "$ERR" 'prefill and ro' 'prefill and ro are refused together'
end

finish
