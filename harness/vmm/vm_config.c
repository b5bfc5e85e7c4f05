/* The VM defaults every command starts from, kept beside the VM they configure. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/knob.h"
#include "vmm/vm.h"

void vm_config_init(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = VM_DEFAULT_MEMORY;
	cfg->nr_cpus = VM_DEFAULT_CPUS;
	cfg->hz = VM_DEFAULT_HZ;
	cfg->prefault = true;
	cfg->seed = 1;
	cfg->blk_poll_ns = VM_DEFAULT_BLK_POLL_US * 1000ull;
	knob_defaults(cfg->knobs);
}

const char *vm_default_kernel_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = 0;
		snprintf(buf, len, "%s/../guest/guest.elf", dirname(exe));
		if (access(buf, R_OK) == 0)
			return buf;
	}
	snprintf(buf, len, "guest/guest.elf");
	return buf;
}
