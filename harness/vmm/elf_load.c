/*
 * Loader for the guest kernel ELF. The file is hostile: every header is copied out
 * with memcpy (the buffer need not be aligned), and every offset, size and address is
 * checked with overflow-safe arithmetic before it is used.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "vmm/elf_load.h"

#define ELF_MAX_PHNUM 64
#define ELF_MAX_FILE (256ull << 20) /* kernels are a few MiB: refuse to slurp a disk image */
#define SYM_NEAR_LIMIT (64u << 10)
#define NR_EXC_STUBS 32

/* [off, off + len) lies inside [0, size). */
static bool range_inside(uint64_t off, uint64_t len, uint64_t size)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= size;
}

static void phdr_read(const uint8_t *file, const Elf64_Ehdr *eh, int i, Elf64_Phdr *ph)
{
	memcpy(ph, file + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static void shdr_read(const uint8_t *file, const Elf64_Ehdr *eh, unsigned i, Elf64_Shdr *sh)
{
	memcpy(sh, file + eh->e_shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
}

static int ehdr_check(const Elf64_Ehdr *eh, size_t size, char *err, size_t errlen)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return errorf(err, errlen, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return errorf(err, errlen, "not a 64-bit ELF file (class %u, need ELFCLASS64)",
			      eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return errorf(err, errlen, "not a little-endian ELF file (data encoding %u)",
			      eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return errorf(err, errlen, "unsupported ELF version %u/%u, need %u",
			      eh->e_ident[EI_VERSION], eh->e_version, EV_CURRENT);
	if (eh->e_machine != EM_X86_64)
		return errorf(err, errlen, "ELF machine %u is not x86-64 (EM_X86_64)", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return errorf(err, errlen, "ELF type %u is not an executable (ET_EXEC)%s", eh->e_type,
			      eh->e_type == ET_DYN ? ": link with -static -no-pie" : "");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return errorf(err, errlen, "program header size is %u bytes, expected %zu",
			      eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0)
		return errorf(err, errlen, "no program headers");
	if (eh->e_phnum > ELF_MAX_PHNUM)
		return errorf(err, errlen, "too many program headers (%u, at most %d)", eh->e_phnum,
			      ELF_MAX_PHNUM);
	if (!range_inside(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
		return errorf(err, errlen,
			      "program header table (offset 0x%" PRIx64 ", %u entries) lies outside the file (%zu bytes)",
			      eh->e_phoff, eh->e_phnum, size);
	return 0;
}

/* Checks one PT_LOAD and adds it to img. */
static int segment_add(const Elf64_Phdr *ph, int i, size_t size, uint64_t ram_size,
		       struct elf_image *img, char *err, size_t errlen)
{
	uint64_t end;
	struct elf_segment *s;

	if (ph->p_filesz > ph->p_memsz)
		return errorf(err, errlen,
			      "program header %d: file size 0x%" PRIx64 " is larger than its memory size 0x%" PRIx64,
			      i, ph->p_filesz, ph->p_memsz);
	if (!range_inside(ph->p_offset, ph->p_filesz, size))
		return errorf(err, errlen,
			      "program header %d: contents (offset 0x%" PRIx64 ", 0x%" PRIx64 " bytes) lie outside the file (%zu bytes)",
			      i, ph->p_offset, ph->p_filesz, size);
	if (ph->p_memsz == 0)
		return 0; /* loads nothing */
	if (ph->p_paddr < VMS_KERNEL_MIN)
		return errorf(err, errlen,
			      "program header %d: segment at 0x%" PRIx64 " is below 0x%x, where the VMM's tables live",
			      i, ph->p_paddr, VMS_KERNEL_MIN);
	if (!range_inside(ph->p_paddr, ph->p_memsz, ram_size))
		return errorf(err, errlen,
			      "program header %d: segment (0x%" PRIx64 " bytes at 0x%" PRIx64 ") extends beyond the %" PRIu64 " MiB of RAM; try a larger --memory",
			      i, ph->p_memsz, ph->p_paddr, ram_size >> 20);
	if (ph->p_vaddr != ph->p_paddr)
		return errorf(err, errlen,
			      "program header %d: virtual address 0x%" PRIx64 " differs from physical address 0x%" PRIx64 " (identity mapping required)",
			      i, ph->p_vaddr, ph->p_paddr);
	end = ph->p_paddr + ph->p_memsz;
	for (int j = 0; j < img->nr_segments; j++) {
		const struct elf_segment *o = &img->seg[j];

		if (ph->p_paddr < o->paddr + o->memsz && o->paddr < end)
			return errorf(err, errlen,
				      "program header %d: segment [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps segment %d [0x%" PRIx64 ", 0x%" PRIx64 ")",
				      i, ph->p_paddr, end, j, o->paddr, o->paddr + o->memsz);
	}
	if (img->nr_segments == ELF_MAX_SEGMENTS)
		return errorf(err, errlen, "more than %d PT_LOAD segments", ELF_MAX_SEGMENTS);
	s = &img->seg[img->nr_segments++];
	*s = (struct elf_segment){ ph->p_paddr, ph->p_memsz, ph->p_filesz, ph->p_offset, ph->p_flags };
	if (img->nr_segments == 1 || s->paddr < img->lowest)
		img->lowest = s->paddr;
	if (end > img->highest)
		img->highest = end;
	return 0;
}

static int segments_parse(const uint8_t *file, size_t size, const Elf64_Ehdr *eh, uint64_t ram_size,
			  struct elf_image *img, char *err, size_t errlen)
{
	Elf64_Phdr ph;

	for (int i = 0; i < eh->e_phnum; i++) {
		phdr_read(file, eh, i, &ph);
		if (ph.p_type == PT_LOAD && segment_add(&ph, i, size, ram_size, img, err, errlen))
			return -1;
	}
	if (img->nr_segments == 0)
		return errorf(err, errlen, "no PT_LOAD segment: nothing to load");
	return 0;
}

/* [addr, addr + len) lies inside one executable PT_LOAD (segment ends cannot overflow: checked against RAM). */
static bool exec_range(const struct elf_image *img, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		if ((s->flags & PF_X) && addr >= s->paddr && range_inside(addr - s->paddr, len, s->memsz))
			return true;
	}
	return false;
}

/* A note's name is exactly want, NUL included. */
static bool note_named(const Elf64_Nhdr *nh, const uint8_t *name, const char *want)
{
	size_t n = strlen(want) + 1;

	return nh->n_namesz == n && !memcmp(name, want, n);
}

static int note_take_vmsweep(const Elf64_Nhdr *nh, const uint8_t *desc, int i, bool *found,
			     struct elf_image *img, char *err, size_t errlen)
{
	if (*found)
		return errorf(err, errlen, "program header %d: a second vmsweep note", i);
	if (nh->n_descsz != sizeof(struct vms_note))
		return errorf(err, errlen, "vmsweep note descriptor is %u bytes, expected %zu (ABI mismatch)",
			      nh->n_descsz, sizeof(struct vms_note));
	memcpy(&img->note, desc, sizeof(img->note));
	*found = true;
	return 0;
}

static void note_take_build_id(const Elf64_Nhdr *nh, const uint8_t *desc, struct elf_image *img)
{
	/* Informational only: an odd-sized ID is dropped, not fatal. */
	if (nh->n_descsz == 0 || nh->n_descsz > (sizeof(img->build_id) - 1) / 2)
		return;
	for (uint32_t k = 0; k < nh->n_descsz; k++)
		snprintf(img->build_id + 2 * k, 3, "%02x", desc[k]);
}

/* Walks the notes of PT_NOTE program header i, seg[0, segsz) already inside the file. */
static int notes_walk(const uint8_t *seg, uint64_t segsz, uint64_t align, int i, bool *found,
		      struct elf_image *img, char *err, size_t errlen)
{
	uint64_t pos = 0;

	while (pos < segsz && segsz - pos >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off = pos + sizeof(nh), desc_off, next;

		memcpy(&nh, seg + pos, sizeof(nh));
		/* n_namesz, n_descsz are 32-bit: padded and added to a file offset, they cannot overflow 64 bits. */
		desc_off = name_off + ((nh.n_namesz + align - 1) & ~(align - 1));
		next = desc_off + ((nh.n_descsz + align - 1) & ~(align - 1));
		if (desc_off > segsz || nh.n_descsz > segsz - desc_off)
			return errorf(err, errlen,
				      "program header %d: note at offset 0x%" PRIx64 " (name %u bytes, descriptor %u bytes) runs past the end of the segment",
				      i, pos, nh.n_namesz, nh.n_descsz);
		if (nh.n_type == VMS_NOTE_TYPE && note_named(&nh, seg + name_off, VMS_NOTE_NAME)) {
			if (note_take_vmsweep(&nh, seg + desc_off, i, found, img, err, errlen))
				return -1;
		} else if (nh.n_type == NT_GNU_BUILD_ID && note_named(&nh, seg + name_off, "GNU")) {
			note_take_build_id(&nh, seg + desc_off, img);
		}
		pos = next;
	}
	return 0;
}

static int notes_parse(const uint8_t *file, size_t size, const Elf64_Ehdr *eh, struct elf_image *img,
		       char *err, size_t errlen)
{
	bool found = false;
	Elf64_Phdr ph;

	for (int i = 0; i < eh->e_phnum; i++) {
		phdr_read(file, eh, i, &ph);
		if (ph.p_type != PT_NOTE)
			continue;
		if (!range_inside(ph.p_offset, ph.p_filesz, size))
			return errorf(err, errlen,
				      "program header %d: notes (offset 0x%" PRIx64 ", 0x%" PRIx64 " bytes) lie outside the file (%zu bytes)",
				      i, ph.p_offset, ph.p_filesz, size);
		/* gABI says 4; 8-aligned note segments (.note.gnu.property) pad to 8, as readelf assumes. */
		if (notes_walk(file + ph.p_offset, ph.p_filesz, ph.p_align == 8 ? 8 : 4, i, &found, img,
			       err, errlen))
			return -1;
	}
	if (!found)
		return errorf(err, errlen, "no vmsweep note: not a vmsweep guest kernel");
	return 0;
}

static int note_check(const struct elf_image *img, char *err, size_t errlen)
{
	const struct vms_note *n = &img->note;
	const struct {
		const char *what;
		uint64_t addr, len;
	} ranges[] = {
		{ "exc_stubs", n->exc_stubs, NR_EXC_STUBS * VMS_STUB_STRIDE },
		{ "irq_stubs", n->irq_stubs, VMS_NR_IRQ_VECS * VMS_STUB_STRIDE },
		{ "hcall_entry", n->hcall_entry, 1 },
		{ "spurious_entry", n->spurious_entry, 1 },
		{ "upcall_entry", n->upcall_entry, 1 },
		{ "trap_entry", n->trap_entry, 1 },
	};

	if (n->abi_version != VMS_ABI_VERSION)
		return errorf(err, errlen, "guest speaks ABI version %u, this vmsweep speaks %d",
			      n->abi_version, VMS_ABI_VERSION);
	if (n->stub_stride != VMS_STUB_STRIDE)
		return errorf(err, errlen, "guest's stub stride is %u bytes, this vmsweep expects %d",
			      n->stub_stride, VMS_STUB_STRIDE);
	for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++)
		if (!exec_range(img, ranges[k].addr, ranges[k].len))
			return errorf(err, errlen,
				      "vmsweep note: %s (0x%" PRIx64 " bytes at 0x%" PRIx64 ") is not inside an executable segment",
				      ranges[k].what, ranges[k].len, ranges[k].addr);
	return 0;
}

static int symbol_cmp(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return strcmp(x->name, y->name); /* a total order: the same file symbolizes the same way */
}

/* Copies the names and keeps the defined, named functions and objects. */
static int symbols_take(const uint8_t *file, const Elf64_Shdr *symtab, const Elf64_Shdr *strsec,
			struct elf_image *img, char *err, size_t errlen)
{
	uint64_t strsz = strsec->sh_size, n = symtab->sh_size / sizeof(Elf64_Sym);

	img->strtab = malloc(strsz + 1);
	img->syms = calloc(n ? n : 1, sizeof(*img->syms));
	if (!img->strtab || !img->syms)
		return errorf(err, errlen, "out of memory for %" PRIu64 " symbols", n);
	memcpy(img->strtab, file + strsec->sh_offset, strsz);
	img->strtab[strsz] = 0;
	for (uint64_t k = 0; k < n; k++) {
		Elf64_Sym st;
		int type;

		memcpy(&st, file + symtab->sh_offset + k * sizeof(st), sizeof(st));
		type = ELF64_ST_TYPE(st.st_info);
		if ((type != STT_FUNC && type != STT_OBJECT) || st.st_shndx == SHN_UNDEF)
			continue;
		/* A name must end inside the string table; a bad one costs the symbol, not the boot. */
		if (st.st_name >= strsz || !memchr(img->strtab + st.st_name, 0, strsz - st.st_name) ||
		    !img->strtab[st.st_name])
			continue;
		img->syms[img->nr_syms++] = (struct elf_symbol){ st.st_value, st.st_size, img->strtab + st.st_name };
	}
	qsort(img->syms, img->nr_syms, sizeof(*img->syms), symbol_cmp);
	return 0;
}

static int symbols_parse(const uint8_t *file, size_t size, const Elf64_Ehdr *eh, struct elf_image *img,
			 char *err, size_t errlen)
{
	Elf64_Shdr symtab, strsec;
	unsigned i;

	if (eh->e_shoff == 0 || eh->e_shnum == 0)
		return 0; /* stripped: no names, still bootable */
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return errorf(err, errlen, "section header size is %u bytes, expected %zu", eh->e_shentsize,
			      sizeof(Elf64_Shdr));
	if (!range_inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), size))
		return errorf(err, errlen,
			      "section header table (offset 0x%" PRIx64 ", %u entries) lies outside the file (%zu bytes)",
			      eh->e_shoff, eh->e_shnum, size);
	for (i = 0; i < eh->e_shnum; i++) {
		shdr_read(file, eh, i, &symtab);
		if (symtab.sh_type == SHT_SYMTAB)
			break;
	}
	if (i == eh->e_shnum)
		return 0;
	if (symtab.sh_entsize != sizeof(Elf64_Sym) || symtab.sh_size % sizeof(Elf64_Sym))
		return errorf(err, errlen, "section %u: symbol table of %" PRIu64 "-byte entries, %" PRIu64 " bytes: expected %zu-byte entries",
			      i, symtab.sh_entsize, symtab.sh_size, sizeof(Elf64_Sym));
	if (!range_inside(symtab.sh_offset, symtab.sh_size, size))
		return errorf(err, errlen,
			      "section %u: symbol table (offset 0x%" PRIx64 ", 0x%" PRIx64 " bytes) lies outside the file (%zu bytes)",
			      i, symtab.sh_offset, symtab.sh_size, size);
	if (symtab.sh_link == SHN_UNDEF || symtab.sh_link >= eh->e_shnum)
		return errorf(err, errlen, "section %u: symbol table links to string table section %u, which does not exist",
			      i, symtab.sh_link);
	shdr_read(file, eh, symtab.sh_link, &strsec);
	if (strsec.sh_type != SHT_STRTAB)
		return errorf(err, errlen, "section %u: symbol table links to section %u, which is not a string table",
			      i, symtab.sh_link);
	if (!range_inside(strsec.sh_offset, strsec.sh_size, size))
		return errorf(err, errlen,
			      "section %u: string table (offset 0x%" PRIx64 ", 0x%" PRIx64 " bytes) lies outside the file (%zu bytes)",
			      symtab.sh_link, strsec.sh_offset, strsec.sh_size, size);
	return symbols_take(file, &symtab, &strsec, img, err, errlen);
}

int elf_parse(const uint8_t *file, size_t size, uint64_t ram_size, struct elf_image *img,
	      char *err, size_t errlen)
{
	Elf64_Ehdr eh;

	memset(img, 0, sizeof(*img));
	if (!file || size < sizeof(eh))
		return errorf(err, errlen, "file is %zu bytes, shorter than an ELF header (%zu bytes)", size,
			      sizeof(eh));
	memcpy(&eh, file, sizeof(eh));
	if (ehdr_check(&eh, size, err, errlen) || segments_parse(file, size, &eh, ram_size, img, err, errlen))
		goto out_fail;
	img->entry = eh.e_entry;
	if (!exec_range(img, img->entry, 1)) {
		errorf(err, errlen, "entry point 0x%" PRIx64 " is not inside an executable (PF_X) segment", img->entry);
		goto out_fail;
	}
	if (notes_parse(file, size, &eh, img, err, errlen) || note_check(img, err, errlen) ||
	    symbols_parse(file, size, &eh, img, err, errlen))
		goto out_fail;
	return 0;
out_fail:
	elf_image_free(img);
	return -1;
}

void elf_load(const struct elf_image *img, const uint8_t *file, uint8_t *ram, uint64_t ram_size)
{
	for (int i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		/* elf_parse checked this; a mismatched ram_size is a caller bug, not a guest's. */
		if (!range_inside(s->paddr, s->memsz, ram_size))
			abort();
		memcpy(ram + s->paddr, file + s->offset, s->filesz);
		memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
	}
}

const struct elf_symbol *elf_symbolize(const struct elf_image *img, uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = img->nr_syms;
	const struct elf_symbol *hit = NULL;

	/* lo = the number of symbols at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	/*
	 * Symbols can nest (a big object around small ones, aliases), so the one containing
	 * addr need not be the nearest below: look further back. Only a miss walks the whole
	 * table; this serves panic reports, not a hot path.
	 */
	for (size_t k = lo; k-- > 0;) {
		const struct elf_symbol *s = &img->syms[k];

		if (addr - s->addr < (s->size ? s->size : 1)) {
			hit = s;
			break;
		}
	}
	if (!hit) {
		hit = &img->syms[lo - 1];
		if (addr - hit->addr >= SYM_NEAR_LIMIT)
			return NULL;
	}
	if (offset)
		*offset = addr - hit->addr;
	return hit;
}

const char *elf_format_addr(const struct elf_image *img, uint64_t addr, char *buf, size_t len)
{
	uint64_t off;
	const struct elf_symbol *s = elf_symbolize(img, addr, &off);

	if (s)
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, off);
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
	return buf;
}

void elf_image_free(struct elf_image *img)
{
	if (!img)
		return;
	free(img->syms);
	free(img->strtab);
	memset(img, 0, sizeof(*img));
}

int elf_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, e;

	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		e = errno;
		goto out_errno;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return errorf(err, errlen, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > ELF_MAX_FILE) {
		close(fd);
		return errorf(err, errlen, "%s: %" PRIu64 " bytes, more than the %llu MiB a kernel may have",
			      path, (uint64_t)st.st_size, ELF_MAX_FILE >> 20);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		e = ENOMEM;
		goto out_errno;
	}
	/* Reads what fstat promised; a file that shrinks meanwhile just comes back shorter. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			goto out_errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = got;
	return 0;
out_errno:
	free(buf);
	close(fd);
	return errorf(err, errlen, "%s: %s", path, strerror(e));
}
