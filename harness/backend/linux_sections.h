/*
 * What the Linux guest's init sends back on its data serial port, split into its
 * sections. The framing, line by line (a line may end in "\r\n"):
 *
 *   vmsweep-begin NAME
 *   ...the item's bytes, as lines...
 *   vmsweep-end NAME rc=N
 *   ...more sections...
 *   vmsweep-done rc=N
 *
 * NAME is [A-Za-z0-9._-], at most LINUX_SECTION_NAME_MAX - 1 characters ("fio.json",
 * "vmstat.before", "jbd2.vda-8"); N is the step's exit status. Every line, the markers'
 * too, ends in '\n': a last line without one is a line cut short, never a marker. The
 * stream is the
 * guest's word: it is bounded (LINUX_SECTIONS_MAX sections, LINUX_SECTIONS_MAX_BYTES
 * in all), and anything else is either tolerated and reported (text outside sections,
 * a stream that ends inside a section: the guest died mid-way) or refused.
 */
#ifndef VMSWEEP_BACKEND_LINUX_SECTIONS_H
#define VMSWEEP_BACKEND_LINUX_SECTIONS_H
#include <stdbool.h>
#include <stddef.h>

#define LINUX_SECTIONS_MAX 64
#define LINUX_SECTIONS_MAX_BYTES (32u << 20)
#define LINUX_SECTION_NAME_MAX 64

struct linux_section {
	char name[LINUX_SECTION_NAME_MAX];
	char *data; /* its lines, each ending in '\n' ("\r\n" made "\n"), NUL-terminated; malloc'd */
	size_t len; /* bytes in data before the NUL (a NUL the guest sent may come earlier) */
	int rc; /* from its vmsweep-end line */
};

struct linux_sections {
	struct linux_section *v; /* the complete sections, in the order they came */
	size_t n;
	bool done; /* vmsweep-done came */
	int done_rc;
	/* The section the stream ended in (no vmsweep-end: the guest died or the port was
	 * cut), and the bytes of it that came (its line ends made '\n', a last partial line
	 * as it came); "" when none was cut. It is not in v. */
	char cut[LINUX_SECTION_NAME_MAX];
	size_t cut_bytes;
	/* Lines outside any section (console noise, a stray vmsweep-end), ignored; the first
	 * one's line number (from 1). */
	size_t stray_lines, first_stray_line;
	size_t lines_after_done; /* anything after vmsweep-done, ignored */
};

/*
 * Splits data[len] into *out (zeroed first). 0 when the framing holds, even when the
 * stream was cut or had stray lines (those are in *out: linux_sections_complete says
 * so). -1 with err, and *out empty, when it is refused: more than LINUX_SECTIONS_MAX_BYTES
 * or LINUX_SECTIONS_MAX sections, a name not of [A-Za-z0-9._-] or too long, a
 * vmsweep-begin inside a section, a vmsweep-end of another section, a section twice,
 * an rc that is not a decimal int, out of memory. err says which, with the line number.
 */
int linux_sections_parse(const char *data, size_t len, struct linux_sections *out, char *err, size_t errlen);

/* The complete section called name, or NULL. */
const struct linux_section *linux_section_find(const struct linux_sections *s, const char *name);

/* 0 when the guest said vmsweep-done rc=0 and nothing was cut; else -1 and why, one
 * line: "the guest's output ends inside section 'fio.json' (1234 bytes came), with no
 * vmsweep-done", "vmsweep-done rc=3", ... */
int linux_sections_complete(const struct linux_sections *s, char *why, size_t len);

void linux_sections_free(struct linux_sections *s);
#endif
