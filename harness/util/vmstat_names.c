/* The memory manager's names, from the ABI's tables so that the host never spells them twice. */
#include <string.h>
#include <vmsweep/workload.h>

#include "util/vmstat_names.h"

static const char *const item_names[VMS_NR_VMSTAT] = {
#define VMSTAT_NAME(name, kind, help) #name,
	VMS_VMSTAT_ITEMS(VMSTAT_NAME)
#undef VMSTAT_NAME
};

const char *vmstat_item_name(unsigned item)
{
	return item < VMS_NR_VMSTAT ? item_names[item] : NULL;
}

int vmstat_item_find(const char *name)
{
	for (unsigned i = 0; i < VMS_NR_VMSTAT; i++)
		if (!strcmp(item_names[i], name))
			return (int)i;
	return -1;
}

static const struct {
	const char *name, *help;
} classes[VMS_MEM_LAT_NR] = {
	[VMS_MEM_ALLOC_FAST] = { "fast", "allocation, fast path" },
	[VMS_MEM_ALLOC_KSWAPD] = { "kswapd", "allocation that woke or waited on kswapd" },
	[VMS_MEM_ALLOC_DIRECT] = { "direct", "allocation in direct reclaim" },
	[VMS_MEM_ACCESS_HIT] = { "hit", "access to a resident page" },
	[VMS_MEM_ACCESS_SWAPIN] = { "swapin", "access that swapped the page in" },
};

const char *mem_lat_class_name(unsigned cls)
{
	return cls < VMS_MEM_LAT_NR ? classes[cls].name : NULL;
}

const char *mem_lat_class_help(unsigned cls)
{
	return cls < VMS_MEM_LAT_NR ? classes[cls].help : NULL;
}

const char *mem_access_name(uint32_t access)
{
	switch (access) {
	case VMS_MEM_SEQ: return "seq";
	case VMS_MEM_RANDOM: return "random";
	case VMS_MEM_CHURN: return "churn";
	default: return "?";
	}
}

const char *zone_name_format(const struct vms_zone_info *z, char buf[VMS_ZONE_NAME_LEN + 1])
{
	size_t len = strnlen(z->name, VMS_ZONE_NAME_LEN);
	memcpy(buf, z->name, len);
	buf[len] = 0;
	return buf;
}
