/*
 * The host's loader for the guest kernel ELF. The file comes from the user
 * (--kernel PATH) and is hostile: elf_parse checks every offset, size and address
 * before anything is copied into guest RAM.
 */
#ifndef VMSWEEP_ELF_LOAD_H
#define VMSWEEP_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include <vmsweep/abi.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t paddr, memsz, filesz, offset;
	uint32_t flags; /* PF_* */
};

struct elf_symbol {
	uint64_t addr, size;
	const char *name;
};

struct elf_image {
	uint64_t entry;
	uint64_t lowest, highest; /* [lowest, highest) spanned by the PT_LOAD segments */
	int nr_segments;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	struct vms_note note; /* the nucleus note, validated */
	char build_id[41]; /* hex of NT_GNU_BUILD_ID, "" if none */
	struct elf_symbol *syms; /* STT_FUNC and STT_OBJECT symbols, sorted by addr; malloc'd */
	size_t nr_syms;
	char *strtab; /* malloc'd copy the names point into */
};

/*
 * Parses and checks the file; RAM is [0, ram_size). Returns 0, or -1 with a message in
 * err that says what is wrong, e.g. "program header 2: segment [0x100000, 0x180000)
 * overlaps segment 1". img is always safe to pass to elf_image_free afterwards.
 */
int elf_parse(const uint8_t *file, size_t size, uint64_t ram_size, struct elf_image *img,
	      char *err, size_t errlen);

/*
 * Copies the PT_LOAD segments into ram (a host mapping of guest RAM of ram_size bytes)
 * and zeroes the bss part. Only after elf_parse succeeded with the same ram_size.
 */
void elf_load(const struct elf_image *img, const uint8_t *file, uint8_t *ram, uint64_t ram_size);

/*
 * "name+0x1c" style lookup: returns the symbol containing addr (addr in
 * [sym.addr, sym.addr + max(size, 1))), or, failing that, the nearest symbol below
 * within 64 KiB; NULL if none. *offset = addr - sym.addr (offset may be NULL).
 */
const struct elf_symbol *elf_symbolize(const struct elf_image *img, uint64_t addr,
				       uint64_t *offset);

/* Convenience: writes "sym+0xoff" or "0x<addr>" into buf; returns buf. */
const char *elf_format_addr(const struct elf_image *img, uint64_t addr, char *buf, size_t len);

void elf_image_free(struct elf_image *img);

/* Reads a whole file into a malloc'd buffer; -1 with err ("PATH: No such file or directory") on failure. */
int elf_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen);

#endif
