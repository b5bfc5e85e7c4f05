/* The family table, and which family takes which record type (vmsweep/records.h). */
#include <stdlib.h>
#include <vmsweep/abi.h>

#include "records/family.h"
#include "vmm/ring.h"
#include "vmm/vm.h"

#define RECORD_FAMILY_DECLARE(f) extern const struct record_family_ops f##_records_ops;
RECORD_FAMILIES(RECORD_FAMILY_DECLARE)
#undef RECORD_FAMILY_DECLARE

const struct record_family_ops *const record_families[RECORD_NR_FAMILIES] = {
#define RECORD_FAMILY_ENTRY(f) [RECORD_FAMILY_##f] = &f##_records_ops,
	RECORD_FAMILIES(RECORD_FAMILY_ENTRY)
#undef RECORD_FAMILY_ENTRY
};

/* A family column that names no family is a compile error here. */
static const int8_t family_of_type[VMS_REC_TYPE_MAX] = {
#define RECORD_TYPE_FAMILY(name, nr, type, family, ring, shape, text) [VMS_REC_##name] = RECORD_FAMILY_##family,
	VMS_RECORD_TYPES(RECORD_TYPE_FAMILY)
#undef RECORD_TYPE_FAMILY
};

const struct record_family_ops *record_family_of(uint32_t type)
{
	/* Numbers the list does not use are 0 (fio's id): they are unknown types, not fio's. */
	if (type >= VMS_REC_TYPE_MAX || !record_type_known(type) || family_of_type[type] < 0)
		return NULL;
	return record_families[family_of_type[type]];
}

void *record_family_data(const struct vm_result *res, enum record_family_id id)
{
	return res->family_data[id];
}

void *record_family_data_get(struct vm_result *res, enum record_family_id id, size_t size)
{
	if (!res->family_data[id])
		res->family_data[id] = calloc(1, size);
	return res->family_data[id];
}

void record_families_free(struct vm_result *res)
{
	for (unsigned i = 0; i < RECORD_NR_FAMILIES; i++) {
		if (res->family_data[i] && record_families[i]->free)
			record_families[i]->free(res->family_data[i]);
		free(res->family_data[i]);
		res->family_data[i] = NULL;
	}
}
