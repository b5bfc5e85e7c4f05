/*
 * Names of the memory manager's numbers as the host prints and stores them: the
 * vmstat counters (Linux's /proc/vmstat names, from vmsweep/vmstat.h), the latency
 * classes of a memory job, the watermark eras.
 */
#ifndef VMSWEEP_UTIL_VMSTAT_NAMES_H
#define VMSWEEP_UTIL_VMSTAT_NAMES_H
#include <stddef.h>
#include <stdint.h>
#include <vmsweep/vmstat.h>

/* "pgscan_kswapd" for VMS_VM_pgscan_kswapd; NULL past VMS_NR_VMSTAT. */
const char *vmstat_item_name(unsigned item);
/* The item of a name, or -1. */
int vmstat_item_find(const char *name);

/* "fast", "kswapd", "direct", "hit", "swapin" for enum vms_mem_lat; NULL past the last. */
const char *mem_lat_class_name(unsigned cls);
/* What a class measures, for people: "allocation, fast path". */
const char *mem_lat_class_help(unsigned cls);


/* "seq", "random", "churn" for enum vms_mem_access; "?" for another value. */
const char *mem_access_name(uint32_t access);

/* A zone's name as the host uses it: the guest's fixed-length field, at most
 * VMS_ZONE_NAME_LEN characters, into buf (VMS_ZONE_NAME_LEN + 1 bytes). */
const char *zone_name_format(const struct vms_zone_info *z, char buf[VMS_ZONE_NAME_LEN + 1]);
#endif
