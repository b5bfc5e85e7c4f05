harness/vmsweep: harness/main.c harness/boot_job.h harness/boot_options.h \
 harness/vmm/vm.h include/vmsweep/abi.h include/vmsweep/knobs.h \
 include/vmsweep/hist.h harness/vmm/disk.h harness/boot_report.h
harness/boot_job.h:
harness/boot_options.h:
harness/vmm/vm.h:
include/vmsweep/abi.h:
include/vmsweep/knobs.h:
include/vmsweep/hist.h:
harness/vmm/disk.h:
harness/boot_report.h:
