/* The version the Makefile writes into build/gen/version.h, and the program's build id
 * read from its own ELF notes. */
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "util/build_info.h"
#include "version.h"

const char *build_version(void)
{
	return VMSWEEP_GIT_VERSION;
}

static int build_id_note(struct dl_phdr_info *info, size_t size, void *data)
{
	char *out = data;
	(void)size;
	if (info->dlpi_name && info->dlpi_name[0])
		return 0; /* the main program only */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const void *)p;
			const uint8_t *name = p + sizeof(*n), *desc = name + ((n->n_namesz + 3) & ~3u);
			if (desc + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
				for (unsigned k = 0; k < n->n_descsz && k < 20; k++)
					sprintf(out + 2 * k, "%02x", desc[k]);
				return 1;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

void build_id_self(char out[41])
{
	snprintf(out, 41, "unknown");
	dl_iterate_phdr(build_id_note, out);
}
