/*
 * Unit tests for the guest kernel ELF loader: a valid minimal image built in memory,
 * then one mutation per check, each asserting the parse fails with its own message.
 */
#include <elf.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/elf_load.h"

#define RAM_SIZE (16ull << 20)
#define IMG_SIZE 0x3000
#define MAX_PHDRS 20 /* room in the image for tests that add program headers */

/* Guest-physical layout of the fixture: one RX segment at 0x100000 holding everything. */
#define SEG_OFF 0x1000
#define SEG_ADDR 0x100000
#define SEG_FILESZ 0x1000
#define SEG_MEMSZ 0x2000
#define EXC_STUBS 0x100000
#define IRQ_STUBS 0x100200
#define HCALL 0x100400
#define SPURIOUS 0x100410
#define UPCALL 0x100420
#define TRAP 0x100430
#define ENTRY 0x100440

/* The notes, inside the segment: GNU build-id first, then the vmsweep note. */
#define NOTE_OFF 0x1800
#define BUILD_ID_LEN 20
#define GNU_NOTE_SIZE (sizeof(Elf64_Nhdr) + 4 + BUILD_ID_LEN)
#define VMS_NOTE_OFF (NOTE_OFF + GNU_NOTE_SIZE)
#define VMS_NOTE_SIZE (sizeof(Elf64_Nhdr) + 8 + sizeof(struct vms_note))
#define NOTES_SIZE (GNU_NOTE_SIZE + VMS_NOTE_SIZE)

/* Sections: strtab, symtab, section headers. */
#define STRTAB_OFF 0x2000
#define SYMTAB_OFF 0x2100
#define SHDR_OFF 0x2400
#define SHNUM 4

struct timg {
	uint8_t *buf;
	size_t size;
};

static Elf64_Ehdr *ehdr(struct timg *t) { return (Elf64_Ehdr *)t->buf; }
static Elf64_Phdr *phdr(struct timg *t, int i) { return (Elf64_Phdr *)(t->buf + sizeof(Elf64_Ehdr)) + i; }
static Elf64_Phdr *load_ph(struct timg *t) { return phdr(t, 0); }
static Elf64_Phdr *note_ph(struct timg *t) { return phdr(t, 1); }
static Elf64_Nhdr *vms_nhdr(struct timg *t) { return (Elf64_Nhdr *)(t->buf + VMS_NOTE_OFF); }
static struct vms_note *vms_desc(struct timg *t) { return (struct vms_note *)(t->buf + VMS_NOTE_OFF + sizeof(Elf64_Nhdr) + 8); }
static Elf64_Shdr *shdr(struct timg *t, int i) { return (Elf64_Shdr *)(t->buf + SHDR_OFF) + i; }
static Elf64_Sym *sym(struct timg *t, int i) { return (Elf64_Sym *)(t->buf + SYMTAB_OFF) + i; }

static void note_put(uint8_t *p, const char *name, uint32_t namesz, uint32_t type, const void *desc, uint32_t descsz)
{
	Elf64_Nhdr nh = { .n_namesz = namesz, .n_descsz = descsz, .n_type = type };

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + sizeof(nh), name, namesz);
	memcpy(p + sizeof(nh) + ((namesz + 3) & ~3u), desc, descsz);
}

static uint32_t str_add(struct timg *t, uint32_t *len, const char *s)
{
	uint32_t at = *len;

	memcpy(t->buf + STRTAB_OFF + at, s, strlen(s) + 1);
	*len += strlen(s) + 1;
	return at;
}

static void sym_put(struct timg *t, int i, uint32_t name, int type, uint16_t shndx, uint64_t addr, uint64_t size)
{
	*sym(t, i) = (Elf64_Sym){ .st_name = name, .st_info = ELF64_ST_INFO(STB_GLOBAL, type),
				  .st_shndx = shndx, .st_value = addr, .st_size = size };
}

/* Symbols: start, exc_stubs, data (in bss), hcall (size 0) kept; the rest skipped. */
#define NSYMS 10
#define NSYMS_KEPT 4

static void symbols_make(struct timg *t)
{
	uint32_t len = 1, nm_start, nm_exc, nm_data, nm_notype, nm_hcall, nm_undef;

	nm_start = str_add(t, &len, "start");
	nm_exc = str_add(t, &len, "exc_stubs");
	nm_data = str_add(t, &len, "data");
	nm_notype = str_add(t, &len, "notype");
	nm_hcall = str_add(t, &len, "hcall");
	nm_undef = str_add(t, &len, "undefined");
	sym_put(t, 1, nm_start, STT_FUNC, 1, ENTRY, 0x20);
	sym_put(t, 2, nm_exc, STT_FUNC, 1, EXC_STUBS, 0x200);
	sym_put(t, 3, nm_data, STT_OBJECT, 1, SEG_ADDR + SEG_FILESZ, 0x100);
	sym_put(t, 4, 0, STT_SECTION, 1, SEG_ADDR, 0);
	sym_put(t, 5, nm_notype, STT_NOTYPE, 1, SEG_ADDR, 0);
	sym_put(t, 6, 0x10000, STT_FUNC, 1, SEG_ADDR, 0x10); /* name out of range: skipped */
	sym_put(t, 7, nm_undef, STT_FUNC, SHN_UNDEF, 0, 0);
	sym_put(t, 8, nm_hcall, STT_FUNC, 1, HCALL, 0);
	sym_put(t, 9, 0, STT_FUNC, 1, SEG_ADDR, 0x10); /* empty name: skipped */

	*shdr(t, 1) = (Elf64_Shdr){ .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
				    .sh_addr = SEG_ADDR, .sh_offset = SEG_OFF, .sh_size = SEG_FILESZ };
	*shdr(t, 2) = (Elf64_Shdr){ .sh_type = SHT_SYMTAB, .sh_offset = SYMTAB_OFF,
				    .sh_size = NSYMS * sizeof(Elf64_Sym), .sh_link = 3, .sh_info = 1,
				    .sh_entsize = sizeof(Elf64_Sym), .sh_addralign = 8 };
	*shdr(t, 3) = (Elf64_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = STRTAB_OFF, .sh_size = len,
				    .sh_addralign = 1 };
}

/* A valid minimal guest kernel: ehdr, PT_LOAD RX, PT_NOTE, the notes, symbols. */
static struct timg image_make(void)
{
	struct timg t = { calloc(1, IMG_SIZE), IMG_SIZE };
	struct vms_note n = {
		.abi_version = VMS_ABI_VERSION, .stub_stride = VMS_STUB_STRIDE,
		.exc_stubs = EXC_STUBS, .irq_stubs = IRQ_STUBS, .hcall_entry = HCALL,
		.spurious_entry = SPURIOUS, .upcall_entry = UPCALL, .trap_entry = TRAP,
	};
	uint8_t build_id[BUILD_ID_LEN];
	Elf64_Ehdr *eh;

	assert_non_null(t.buf);
	eh = ehdr(&t);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ENTRY;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_shoff = SHDR_OFF;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = SHNUM;

	*load_ph(&t) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = SEG_OFF,
				     .p_vaddr = SEG_ADDR, .p_paddr = SEG_ADDR, .p_filesz = SEG_FILESZ,
				     .p_memsz = SEG_MEMSZ, .p_align = 0x1000 };
	*note_ph(&t) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTE_OFF,
				     .p_vaddr = SEG_ADDR + NOTE_OFF - SEG_OFF,
				     .p_paddr = SEG_ADDR + NOTE_OFF - SEG_OFF, .p_filesz = NOTES_SIZE,
				     .p_memsz = NOTES_SIZE, .p_align = 4 };
	/* Recognisable code bytes, so elf_load can be checked byte for byte. */
	for (size_t i = 0; i < NOTE_OFF - SEG_OFF; i++)
		t.buf[SEG_OFF + i] = (uint8_t)(i * 7 + 1);
	for (int i = 0; i < BUILD_ID_LEN; i++)
		build_id[i] = (uint8_t)i;
	note_put(t.buf + NOTE_OFF, "GNU", 4, NT_GNU_BUILD_ID, build_id, BUILD_ID_LEN);
	note_put(t.buf + VMS_NOTE_OFF, VMS_NOTE_NAME, 8, VMS_NOTE_TYPE, &n, sizeof(n));
	symbols_make(&t);
	return t;
}

static int setup(void **state)
{
	struct timg *t = malloc(sizeof(*t));

	if (!t)
		return -1;
	*t = image_make();
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct timg *t = *state;

	free(t->buf);
	free(t);
	return 0;
}

static void image_is_zeroed(const struct elf_image *img)
{
	assert_null(img->syms);
	assert_null(img->strtab);
	assert_int_equal(img->nr_syms, 0);
	assert_int_equal(img->nr_segments, 0);
}

/* elf_parse must fail with a message containing phrase, and leave img freeable. */
#define assert_rejected(t, phrase) assert_rejected_at(t, phrase, __FILE__, __LINE__)
static void assert_rejected_at(struct timg *t, const char *phrase, const char *file, int line)
{
	struct elf_image img;
	char err[256] = "";
	int rc;

	memset(&img, 0x5a, sizeof(img)); /* garbage in: elf_parse must not trust it */
	rc = elf_parse(t->buf, t->size, RAM_SIZE, &img, err, sizeof(err));
	if (rc != -1 || !strstr(err, phrase)) {
		print_error("expected rejection containing \"%s\"; got %d, \"%s\"\n", phrase, rc, err);
		_fail(file, line);
	}
	image_is_zeroed(&img);
	elf_image_free(&img);
}

static void parse_ok(struct timg *t, struct elf_image *img)
{
	char err[256] = "";

	if (elf_parse(t->buf, t->size, RAM_SIZE, img, err, sizeof(err))) {
		print_error("unexpected rejection: %s\n", err);
		fail();
	}
}

/* ---- the valid image ---- */

static void test_valid_image_parses(void **state)
{
	struct elf_image img;

	parse_ok(*state, &img);
	assert_int_equal(img.entry, ENTRY);
	assert_int_equal(img.lowest, SEG_ADDR);
	assert_int_equal(img.highest, SEG_ADDR + SEG_MEMSZ);
	assert_int_equal(img.nr_segments, 1);
	assert_int_equal(img.seg[0].paddr, SEG_ADDR);
	assert_int_equal(img.seg[0].filesz, SEG_FILESZ);
	assert_int_equal(img.seg[0].memsz, SEG_MEMSZ);
	assert_int_equal(img.seg[0].offset, SEG_OFF);
	assert_int_equal(img.seg[0].flags, PF_R | PF_X);
	assert_int_equal(img.note.abi_version, VMS_ABI_VERSION);
	assert_int_equal(img.note.exc_stubs, EXC_STUBS);
	assert_int_equal(img.note.trap_entry, TRAP);
	assert_string_equal(img.build_id, "000102030405060708090a0b0c0d0e0f10111213");
	elf_image_free(&img);
}

static void test_symbols_sorted_and_filtered(void **state)
{
	struct elf_image img;

	parse_ok(*state, &img);
	assert_int_equal(img.nr_syms, NSYMS_KEPT);
	assert_string_equal(img.syms[0].name, "exc_stubs");
	assert_string_equal(img.syms[1].name, "hcall");
	assert_string_equal(img.syms[2].name, "start");
	assert_string_equal(img.syms[3].name, "data");
	for (size_t i = 1; i < img.nr_syms; i++)
		assert_true(img.syms[i - 1].addr <= img.syms[i].addr);
	elf_image_free(&img);
}

static void test_stripped_image_parses_without_symbols(void **state)
{
	struct timg *t = *state;
	struct elf_image img;

	ehdr(t)->e_shoff = 0;
	parse_ok(t, &img);
	assert_int_equal(img.nr_syms, 0);
	assert_null(elf_symbolize(&img, ENTRY, NULL));
	elf_image_free(&img);

	ehdr(t)->e_shoff = SHDR_OFF;
	ehdr(t)->e_shnum = 0;
	parse_ok(t, &img);
	assert_int_equal(img.nr_syms, 0);
	elf_image_free(&img);
}

static void test_missing_build_id_leaves_it_empty(void **state)
{
	struct timg *t = *state;
	struct elf_image img;

	((Elf64_Nhdr *)(t->buf + NOTE_OFF))->n_type = NT_GNU_BUILD_ID + 100;
	parse_ok(t, &img);
	assert_string_equal(img.build_id, "");
	elf_image_free(&img);
}

static void test_load_copies_bytes_and_zeroes_bss(void **state)
{
	struct timg *t = *state;
	struct elf_image img;
	uint8_t *ram = malloc(RAM_SIZE);

	assert_non_null(ram);
	memset(ram, 0xaa, RAM_SIZE);
	parse_ok(t, &img);
	elf_load(&img, t->buf, ram, RAM_SIZE);
	assert_memory_equal(ram + SEG_ADDR, t->buf + SEG_OFF, SEG_FILESZ);
	for (uint64_t a = SEG_ADDR + SEG_FILESZ; a < SEG_ADDR + SEG_MEMSZ; a++)
		assert_int_equal(ram[a], 0);
	assert_int_equal(ram[SEG_ADDR - 1], 0xaa); /* nothing outside the segment */
	assert_int_equal(ram[SEG_ADDR + SEG_MEMSZ], 0xaa);
	elf_image_free(&img);
	free(ram);
}

static void test_symbolize_finds_symbol_and_offset(void **state)
{
	struct elf_image img;
	const struct elf_symbol *s;
	uint64_t off = 0;
	char buf[64];

	parse_ok(*state, &img);
	s = elf_symbolize(&img, ENTRY + 4, &off);
	assert_non_null(s);
	assert_string_equal(s->name, "start");
	assert_int_equal(off, 4);
	s = elf_symbolize(&img, EXC_STUBS, &off);
	assert_string_equal(s->name, "exc_stubs");
	assert_int_equal(off, 0);
	s = elf_symbolize(&img, EXC_STUBS + 0x1ff, &off);
	assert_string_equal(s->name, "exc_stubs");
	assert_int_equal(off, 0x1ff);
	/* size 0: contains only its own address, then is the nearest below */
	s = elf_symbolize(&img, HCALL, &off);
	assert_string_equal(s->name, "hcall");
	assert_int_equal(off, 0);
	s = elf_symbolize(&img, HCALL + 8, &off);
	assert_string_equal(s->name, "hcall");
	assert_int_equal(off, 8);
	s = elf_symbolize(&img, SEG_ADDR + SEG_FILESZ + 0x10, &off);
	assert_string_equal(s->name, "data");
	assert_int_equal(off, 0x10);
	/* in a gap: nearest below within 64 KiB, nothing further */
	s = elf_symbolize(&img, ENTRY + 0x100, &off);
	assert_string_equal(s->name, "start");
	assert_int_equal(off, 0x100);
	assert_null(elf_symbolize(&img, SEG_ADDR + SEG_FILESZ + 0x10000, &off));
	assert_null(elf_symbolize(&img, EXC_STUBS - 1, &off));
	assert_string_equal(elf_format_addr(&img, ENTRY + 0x1c, buf, sizeof(buf)), "start+0x1c");
	assert_string_equal(elf_format_addr(&img, 0x1000, buf, sizeof(buf)), "0x1000");
	elf_image_free(&img);
}

static void test_symbolize_prefers_enclosing_symbol_over_nearest(void **state)
{
	struct timg *t = *state;
	struct elf_image img;
	uint64_t off;

	/* "data" (0x101000, 0x100) now sits inside a large object; past its end, the big one holds the address */
	sym_put(t, 9, 1, STT_OBJECT, 1, SEG_ADDR + 0xf00, 0x1000); /* name "start" */
	parse_ok(t, &img);
	assert_string_equal(elf_symbolize(&img, SEG_ADDR + SEG_FILESZ + 0x10, &off)->name, "data");
	assert_string_equal(elf_symbolize(&img, SEG_ADDR + SEG_FILESZ + 0x200, &off)->name, "start");
	assert_int_equal(off, 0x300);
	elf_image_free(&img);
}

/* ---- ELF header ---- */

static void test_rejects_file_shorter_than_header(void **state)
{
	struct timg *t = *state;

	t->size = sizeof(Elf64_Ehdr) - 1;
	assert_rejected(t, "shorter than an ELF header");
	t->size = 0;
	assert_rejected(t, "shorter than an ELF header");
}

static void test_rejects_bad_magic(void **state)
{
	ehdr(*state)->e_ident[EI_MAG1] = 'X';
	assert_rejected(*state, "not an ELF file");
}

static void test_rejects_32bit_class(void **state)
{
	ehdr(*state)->e_ident[EI_CLASS] = ELFCLASS32;
	assert_rejected(*state, "ELFCLASS64");
}

static void test_rejects_big_endian(void **state)
{
	ehdr(*state)->e_ident[EI_DATA] = ELFDATA2MSB;
	assert_rejected(*state, "little-endian");
}

static void test_rejects_bad_elf_version(void **state)
{
	struct timg *t = *state;

	ehdr(t)->e_version = 2;
	assert_rejected(t, "unsupported ELF version");
	ehdr(t)->e_version = EV_CURRENT;
	ehdr(t)->e_ident[EI_VERSION] = 0;
	assert_rejected(t, "unsupported ELF version");
}

static void test_rejects_wrong_machine(void **state)
{
	ehdr(*state)->e_machine = EM_AARCH64;
	assert_rejected(*state, "EM_X86_64");
}

static void test_rejects_non_executable_type(void **state)
{
	ehdr(*state)->e_type = ET_DYN;
	assert_rejected(*state, "ET_EXEC");
}

static void test_rejects_wrong_phentsize(void **state)
{
	ehdr(*state)->e_phentsize = sizeof(Elf64_Phdr) - 1;
	assert_rejected(*state, "program header size");
}

static void test_rejects_zero_phnum(void **state)
{
	ehdr(*state)->e_phnum = 0;
	assert_rejected(*state, "no program headers");
}

static void test_rejects_too_many_phdrs(void **state)
{
	ehdr(*state)->e_phnum = 65;
	assert_rejected(*state, "too many program headers");
}

static void test_rejects_phdr_table_outside_file(void **state)
{
	struct timg *t = *state;

	ehdr(t)->e_phoff = IMG_SIZE - sizeof(Elf64_Phdr);
	assert_rejected(t, "program header table");
	ehdr(t)->e_phoff = UINT64_MAX - 8; /* wraps */
	assert_rejected(t, "program header table");
}

/* ---- PT_LOAD ---- */

static void test_rejects_filesz_larger_than_memsz(void **state)
{
	load_ph(*state)->p_filesz = SEG_MEMSZ + 1;
	assert_rejected(*state, "larger than its memory size");
}

static void test_rejects_segment_contents_outside_file(void **state)
{
	struct timg *t = *state;

	load_ph(t)->p_offset = IMG_SIZE - 0x10;
	assert_rejected(t, "program header 0: contents");
	load_ph(t)->p_offset = UINT64_MAX - 0x10; /* wraps */
	assert_rejected(t, "program header 0: contents");
}

static void test_rejects_segment_below_kernel_min(void **state)
{
	struct timg *t = *state;

	load_ph(t)->p_paddr = load_ph(t)->p_vaddr = VMS_KERNEL_MIN - 0x1000;
	assert_rejected(t, "below 0x100000");
}

static void test_rejects_segment_beyond_ram(void **state)
{
	struct timg *t = *state;

	load_ph(t)->p_memsz = RAM_SIZE;
	assert_rejected(t, "16 MiB of RAM; try a larger --memory");
	load_ph(t)->p_memsz = UINT64_MAX - 0x1000; /* paddr + memsz wraps */
	assert_rejected(t, "try a larger --memory");
}

static void test_rejects_non_identity_mapping(void **state)
{
	load_ph(*state)->p_vaddr = 0xffffffff80100000ull;
	assert_rejected(*state, "identity mapping required");
}

static void test_rejects_overlapping_segments(void **state)
{
	struct timg *t = *state;

	ehdr(t)->e_phnum = 3;
	*phdr(t, 2) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = SEG_ADDR + SEG_MEMSZ - 1,
				    .p_paddr = SEG_ADDR + SEG_MEMSZ - 1, .p_memsz = 0x1000 };
	assert_rejected(t, "program header 2: segment [0x101fff, 0x102fff) overlaps segment 0");
}

static void test_rejects_more_than_max_segments(void **state)
{
	struct timg *t = *state;
	int i;

	for (i = 2; i < 2 + ELF_MAX_SEGMENTS; i++)
		*phdr(t, i) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R,
					    .p_vaddr = 0x200000 + i * 0x1000ull,
					    .p_paddr = 0x200000 + i * 0x1000ull, .p_memsz = 0x1000 };
	ehdr(t)->e_phnum = i;
	assert_rejected(t, "more than 16 PT_LOAD");
}

static void test_accepts_exactly_max_segments(void **state)
{
	struct timg *t = *state;
	struct elf_image img;
	int i;

	for (i = 2; i < 1 + ELF_MAX_SEGMENTS; i++)
		*phdr(t, i) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R,
					    .p_vaddr = 0x200000 + i * 0x1000ull,
					    .p_paddr = 0x200000 + i * 0x1000ull, .p_memsz = 0x1000 };
	ehdr(t)->e_phnum = i;
	parse_ok(t, &img);
	assert_int_equal(img.nr_segments, ELF_MAX_SEGMENTS);
	assert_int_equal(img.highest, 0x200000 + i * 0x1000ull);
	elf_image_free(&img);
}

static void test_rejects_no_load_segment(void **state)
{
	load_ph(*state)->p_type = PT_NULL;
	assert_rejected(*state, "no PT_LOAD segment");
}

static void test_rejects_entry_outside_segments(void **state)
{
	ehdr(*state)->e_entry = 0x300000;
	assert_rejected(*state, "entry point 0x300000");
}

static void test_rejects_entry_in_non_executable_segment(void **state)
{
	load_ph(*state)->p_flags = PF_R | PF_W;
	assert_rejected(*state, "entry point");
}

/* ---- notes ---- */

static void test_rejects_missing_vmsweep_note(void **state)
{
	struct timg *t = *state;

	memcpy(t->buf + VMS_NOTE_OFF + sizeof(Elf64_Nhdr), "vmswoop", 8);
	assert_rejected(t, "no vmsweep note: not a vmsweep guest kernel");
}

static void test_rejects_missing_note_segment(void **state)
{
	note_ph(*state)->p_type = PT_NULL;
	assert_rejected(*state, "no vmsweep note");
}

static void test_rejects_wrong_note_descriptor_size(void **state)
{
	vms_nhdr(*state)->n_descsz = sizeof(struct vms_note) - 8;
	assert_rejected(*state, "descriptor is 48 bytes");
}

static void test_rejects_abi_version_mismatch(void **state)
{
	char want[80];
	vms_desc(*state)->abi_version = VMS_ABI_VERSION + 1;
	snprintf(want, sizeof(want), "guest speaks ABI version %d, this vmsweep speaks %d", VMS_ABI_VERSION + 1,
		 VMS_ABI_VERSION);
	assert_rejected(*state, want);
}

static void test_rejects_wrong_stub_stride(void **state)
{
	vms_desc(*state)->stub_stride = 32;
	assert_rejected(*state, "stub stride");
}

static void test_rejects_exc_stubs_running_off_segment(void **state)
{
	/* the first stub is inside, the 32nd is not */
	vms_desc(*state)->exc_stubs = SEG_ADDR + SEG_MEMSZ - 31 * VMS_STUB_STRIDE;
	assert_rejected(*state, "exc_stubs");
}

static void test_rejects_irq_stubs_outside_segment(void **state)
{
	vms_desc(*state)->irq_stubs = UINT64_MAX - 0x10; /* + length wraps */
	assert_rejected(*state, "irq_stubs");
}

static void test_rejects_hcall_entry_outside_segment(void **state)
{
	vms_desc(*state)->hcall_entry = SEG_ADDR + SEG_MEMSZ;
	assert_rejected(*state, "hcall_entry");
}

static void test_rejects_spurious_entry_outside_segment(void **state)
{
	vms_desc(*state)->spurious_entry = 0;
	assert_rejected(*state, "spurious_entry");
}

static void test_rejects_upcall_entry_outside_segment(void **state)
{
	vms_desc(*state)->upcall_entry = SEG_ADDR - 1;
	assert_rejected(*state, "upcall_entry");
}

static void test_rejects_trap_entry_in_non_executable_segment(void **state)
{
	struct timg *t = *state;

	ehdr(t)->e_phnum = 3;
	*phdr(t, 2) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = 0x200000,
				    .p_paddr = 0x200000, .p_memsz = 0x1000 };
	vms_desc(t)->trap_entry = 0x200000;
	assert_rejected(t, "trap_entry (0x1 bytes at 0x200000) is not inside an executable segment");
}

static void test_rejects_note_name_past_segment(void **state)
{
	vms_nhdr(*state)->n_namesz = 0xffffffff;
	assert_rejected(*state, "runs past the end of the segment");
}

static void test_rejects_note_descriptor_past_segment(void **state)
{
	struct timg *t = *state;

	((Elf64_Nhdr *)(t->buf + NOTE_OFF))->n_descsz = NOTES_SIZE;
	assert_rejected(t, "runs past the end of the segment");
}

static void test_rejects_note_segment_outside_file(void **state)
{
	struct timg *t = *state;

	note_ph(t)->p_offset = IMG_SIZE - 8;
	assert_rejected(t, "notes (offset");
	note_ph(t)->p_offset = 8;
	note_ph(t)->p_filesz = UINT64_MAX; /* wraps */
	assert_rejected(t, "notes (offset");
}

static void test_rejects_duplicate_vmsweep_note(void **state)
{
	struct timg *t = *state;

	/* a second PT_NOTE covering the same note */
	ehdr(t)->e_phnum = 3;
	*phdr(t, 2) = *note_ph(t);
	assert_rejected(t, "second vmsweep note");
}

static void test_finds_note_in_segment_with_trailing_padding(void **state)
{
	struct timg *t = *state;
	struct elf_image img;

	note_ph(t)->p_filesz += 7; /* fewer bytes than a note header: padding, ignored */
	parse_ok(t, &img);
	elf_image_free(&img);
}

/* ---- sections ---- */

static void test_rejects_wrong_shentsize(void **state)
{
	ehdr(*state)->e_shentsize = sizeof(Elf64_Shdr) + 8;
	assert_rejected(*state, "section header size");
}

static void test_rejects_section_table_outside_file(void **state)
{
	struct timg *t = *state;

	ehdr(t)->e_shnum = 200;
	assert_rejected(t, "section header table");
	ehdr(t)->e_shnum = SHNUM;
	ehdr(t)->e_shoff = UINT64_MAX - 0x20;
	assert_rejected(t, "section header table");
}

static void test_rejects_bad_symtab_entsize(void **state)
{
	shdr(*state, 2)->sh_entsize = 16;
	assert_rejected(*state, "byte entries");
}

static void test_rejects_symtab_outside_file(void **state)
{
	shdr(*state, 2)->sh_offset = IMG_SIZE - sizeof(Elf64_Sym);
	assert_rejected(*state, "symbol table (offset");
}

static void test_rejects_symtab_link_to_missing_section(void **state)
{
	shdr(*state, 2)->sh_link = SHNUM;
	assert_rejected(*state, "does not exist");
}

static void test_rejects_symtab_link_to_non_strtab(void **state)
{
	shdr(*state, 2)->sh_link = 1;
	assert_rejected(*state, "not a string table");
}

static void test_rejects_strtab_outside_file(void **state)
{
	struct timg *t = *state;

	shdr(t, 3)->sh_size = UINT64_MAX;
	assert_rejected(t, "string table (offset");
}

static void test_skips_symbol_name_not_terminated_in_strtab(void **state)
{
	struct timg *t = *state;
	struct elf_image img;

	/* cut the table inside "hcall": that symbol (and "undefined") lose their NUL */
	shdr(t, 3)->sh_size = sym(t, 8)->st_name + 3;
	parse_ok(t, &img);
	assert_int_equal(img.nr_syms, NSYMS_KEPT - 1);
	for (size_t i = 0; i < img.nr_syms; i++)
		assert_string_not_equal(img.syms[i].name, "hca");
	elf_image_free(&img);
}

/* ---- hostile input in bulk ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const uint64_t interesting[] = { 0, 1, 0x7f, 0xff, 0x1000, 0x100000, SEG_ADDR + SEG_MEMSZ,
					 IMG_SIZE, IMG_SIZE - 1, RAM_SIZE, 0x7fffffff, 0xffffffff,
					 INT64_MAX, UINT64_MAX, UINT64_MAX - 0xfff };

static void mutate(struct timg *t)
{
	int n = 1 + rng() % 8;

	for (int k = 0; k < n && t->size >= 8; k++) {
		uint64_t r = rng(), off, v;

		switch (r % 4) {
		case 0: /* a byte in the headers */
			t->buf[rng() % (sizeof(Elf64_Ehdr) + 4 * sizeof(Elf64_Phdr))] = (uint8_t)rng();
			break;
		case 1: /* a byte in the notes or the section data */
			off = rng() % 2 ? NOTE_OFF + rng() % NOTES_SIZE : STRTAB_OFF + rng() % (IMG_SIZE - STRTAB_OFF);
			t->buf[off] = (uint8_t)rng();
			break;
		case 2: /* an aligned field, anywhere, set to an edge value */
			off = (rng() % (t->size / 4)) * 4;
			v = interesting[rng() % (sizeof(interesting) / sizeof(interesting[0]))];
			memcpy(t->buf + off, &v, off + 8 <= t->size ? 8 : 4);
			break;
		default: /* truncate */
			if (rng() % 4 == 0)
				t->size = rng() % t->size;
			else
				t->buf[rng() % t->size] = (uint8_t)rng();
			break;
		}
	}
}

static void test_random_mutations_never_crash(void **state)
{
	uint8_t *ram = malloc(RAM_SIZE);
	int accepted = 0;

	(void)state;
	assert_non_null(ram);
	for (int iter = 0; iter < 2000; iter++) {
		struct timg t = image_make();
		struct elf_image img;
		char err[256] = "", buf[128];

		mutate(&t);
		/* an exact-size copy, so ASan sees any read past the end */
		uint8_t *exact = malloc(t.size ? t.size : 1);
		assert_non_null(exact);
		memcpy(exact, t.buf, t.size);
		if (elf_parse(exact, t.size, RAM_SIZE, &img, err, sizeof(err)) == 0) {
			accepted++;
			for (int i = 0; i < img.nr_segments; i++) {
				assert_true(img.seg[i].paddr >= VMS_KERNEL_MIN);
				assert_true(img.seg[i].paddr + img.seg[i].memsz <= RAM_SIZE);
				assert_true(img.seg[i].offset + img.seg[i].filesz <= t.size);
			}
			elf_load(&img, exact, ram, RAM_SIZE);
			for (int k = 0; k < 16; k++)
				elf_format_addr(&img, k < 8 ? SEG_ADDR + rng() % 0x20000 : rng(), buf, sizeof(buf));
		} else {
			assert_true(err[0] != 0);
			image_is_zeroed(&img);
		}
		elf_image_free(&img);
		free(exact);
		free(t.buf);
	}
	print_message("    %d of 2000 mutated images accepted\n", accepted);
	free(ram);
}

/* ---- reading the file ---- */

static void test_read_file_reports_missing_path(void **state)
{
	char err[256] = "";
	uint8_t *data = (uint8_t *)state;
	size_t size = 1;

	assert_int_equal(elf_read_file("/nonexistent/guest.elf", &data, &size, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/guest.elf: No such file or directory");
	assert_null(data);
	assert_int_equal(size, 0);
	assert_int_equal(elf_read_file("/", &data, &size, err, sizeof(err)), -1);
	assert_string_equal(err, "/: not a regular file");
}

static void test_read_file_returns_contents(void **state)
{
	struct timg *t = *state;
	char path[] = "/tmp/test_elf.XXXXXX", err[256] = "";
	uint8_t *data;
	size_t size;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, t->buf, t->size), (ssize_t)t->size);
	close(fd);
	assert_int_equal(elf_read_file(path, &data, &size, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(size, t->size);
	assert_memory_equal(data, t->buf, size);
	free(data);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_image_parses),
		T(test_symbols_sorted_and_filtered),
		T(test_stripped_image_parses_without_symbols),
		T(test_missing_build_id_leaves_it_empty),
		T(test_load_copies_bytes_and_zeroes_bss),
		T(test_symbolize_finds_symbol_and_offset),
		T(test_symbolize_prefers_enclosing_symbol_over_nearest),
		T(test_rejects_file_shorter_than_header),
		T(test_rejects_bad_magic),
		T(test_rejects_32bit_class),
		T(test_rejects_big_endian),
		T(test_rejects_bad_elf_version),
		T(test_rejects_wrong_machine),
		T(test_rejects_non_executable_type),
		T(test_rejects_wrong_phentsize),
		T(test_rejects_zero_phnum),
		T(test_rejects_too_many_phdrs),
		T(test_rejects_phdr_table_outside_file),
		T(test_rejects_filesz_larger_than_memsz),
		T(test_rejects_segment_contents_outside_file),
		T(test_rejects_segment_below_kernel_min),
		T(test_rejects_segment_beyond_ram),
		T(test_rejects_non_identity_mapping),
		T(test_rejects_overlapping_segments),
		T(test_rejects_more_than_max_segments),
		T(test_accepts_exactly_max_segments),
		T(test_rejects_no_load_segment),
		T(test_rejects_entry_outside_segments),
		T(test_rejects_entry_in_non_executable_segment),
		T(test_rejects_missing_vmsweep_note),
		T(test_rejects_missing_note_segment),
		T(test_rejects_wrong_note_descriptor_size),
		T(test_rejects_abi_version_mismatch),
		T(test_rejects_wrong_stub_stride),
		T(test_rejects_exc_stubs_running_off_segment),
		T(test_rejects_irq_stubs_outside_segment),
		T(test_rejects_hcall_entry_outside_segment),
		T(test_rejects_spurious_entry_outside_segment),
		T(test_rejects_upcall_entry_outside_segment),
		T(test_rejects_trap_entry_in_non_executable_segment),
		T(test_rejects_note_name_past_segment),
		T(test_rejects_note_descriptor_past_segment),
		T(test_rejects_note_segment_outside_file),
		T(test_rejects_duplicate_vmsweep_note),
		T(test_finds_note_in_segment_with_trailing_padding),
		T(test_rejects_wrong_shentsize),
		T(test_rejects_section_table_outside_file),
		T(test_rejects_bad_symtab_entsize),
		T(test_rejects_symtab_outside_file),
		T(test_rejects_symtab_link_to_missing_section),
		T(test_rejects_symtab_link_to_non_strtab),
		T(test_rejects_strtab_outside_file),
		T(test_skips_symbol_name_not_terminated_in_strtab),
		T(test_random_mutations_never_crash),
		T(test_read_file_reports_missing_path),
		T(test_read_file_returns_contents),
	};

	return cmocka_run_group_tests_name("elf_load", tests, NULL, NULL);
}
