/* The backends by name. */
#include <string.h>

#include "backend/backend.h"

static const struct backend_ops *const backends[BACKEND_NR] = {
	[BACKEND_KVM] = &backend_kvm_ops,
	[BACKEND_LIBVIRT] = &backend_libvirt_ops,
};

const struct backend_ops *backend_get(enum backend_kind k)
{
	return (unsigned)k < BACKEND_NR ? backends[k] : NULL;
}

const char *backend_name(enum backend_kind k)
{
	return (unsigned)k < BACKEND_NR ? backends[k]->name : "?";
}

int backend_parse(const char *name)
{
	for (int k = 0; k < BACKEND_NR; k++)
		if (!strcmp(backends[k]->name, name))
			return k;
	return -1;
}

const struct backend_ops *backend_find(const char *name)
{
	int k = backend_parse(name);
	return k >= 0 ? backends[k] : NULL;
}
