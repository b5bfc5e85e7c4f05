/* Parameter values as words: the word knobs' and the fio options' (fio.rw). */
#include <string.h>

#include "backend/backend.h"
#include "fio/sweep_options.h"
#include "util/knob.h"
#include "util/param_word.h"
#include "vmm/cpu_topology.h"
#include "vmm/placement.h"

static int fio_option_of(const char *param)
{
	size_t n = strlen(FIO_PARAM_PREFIX);
	return strncmp(param, FIO_PARAM_PREFIX, n) ? -1 : fio_sweep_option_find(param + n);
}

bool param_has_words(const char *param)
{
	int knob = knob_find(param), opt = fio_option_of(param);
	if (!strcmp(param, "topology") || !strcmp(param, "pin") || !strcmp(param, "backend"))
		return true;
	return (knob >= 0 && knob_words(knob)) || (opt >= 0 && !fio_sweep_option_ranges(opt));
}

const char *param_value_word(const char *param, int64_t v)
{
	int knob = knob_find(param), opt = fio_option_of(param);
	if (!strcmp(param, "backend"))
		return v >= 0 && v < BACKEND_NR ? backend_name((enum backend_kind)v) : NULL;
	if (!strcmp(param, "pin"))
		return (v >= VM_PIN_NONE && v <= VM_PIN_SCATTER) || v == VM_PIN_IO ? vm_pin_mode_name((enum vm_pin_mode)v) : NULL;
	if (!strcmp(param, "topology")) { /* "2x2x1": the store keeps it packed (cpu_topology_pack) */
		static __thread char buf[32];
		struct cpu_topology t = cpu_topology_unpack(v);
		return cpu_topology_nr_cpus(&t) ? cpu_topology_format(&t, buf, sizeof(buf)) : NULL;
	}
	if (knob >= 0)
		return knob_value_word(knob, v);
	return opt >= 0 ? fio_sweep_value_word(opt, v) : NULL;
}
