/*
 * The guest's /proc/vmstat names against the host's own /proc/vmstat, key by key:
 * every item is spelt as Linux spells it, or is in the list below with the reason it
 * differs. A host without /proc/vmstat skips the comparison (and says so).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/vmstat_names.h"
#include "vmsweep/vmstat.h"

static const struct {
	const char *name, *why;
} ours_only[] = {
	{ "nr_slab", "Linux splits it into nr_slab_reclaimable and nr_slab_unreclaimable" },
	{ "nr_kernel_pages", "the guest's large kmallocs and rings; Linux has no one counter for them" },
	{ "nr_swap_free", "Linux shows free swap in /proc/meminfo (SwapFree), not vmstat" },
	{ "pgalloc", "Linux counts per zone: pgalloc_dma, pgalloc_normal, ..." },
	{ "allocstall", "Linux counts per zone since 4.8: allocstall_normal, ..." },
	{ "wakeup_kswapd_woke", "wakeup_kswapd calls that woke kswapd: a tracepoint's count in Linux, not a vmstat item" },
};

static int host_has(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = text; (p = strstr(p, name)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return 1;
	return 0;
}

static void test_names_are_linux_names(void **state)
{
	(void)state;
	FILE *f = fopen("/proc/vmstat", "r");
	if (!f) {
		printf("no /proc/vmstat on this host: nothing to compare\n");
		return;
	}
	static char text[1 << 16];
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	fclose(f);
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++) {
		const char *name = vmstat_item_name(i);
		int listed = 0;
		for (size_t k = 0; k < sizeof(ours_only) / sizeof(ours_only[0]); k++)
			listed |= !strcmp(name, ours_only[k].name);
		if (!listed && !host_has(text, name))
			fail_msg("vmstat item %s is not in the host's /proc/vmstat: spell it as Linux does, or list it with the reason", name);
		if (listed && host_has(text, name))
			fail_msg("vmstat item %s is listed as ours only, but the host's /proc/vmstat has it", name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_linux_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
