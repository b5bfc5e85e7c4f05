/*
 * bssplit=: block sizes by weight, as fio 3.33 reads them (options.c split_parse_ddir,
 * bssplit_ddir, str_split_parse) and the guest draws them (guest/workload/fio_offset.c,
 * after io_u.c get_next_buflen).
 *
 *   bssplit=4k/10:64k/50:32k/40          the same split for reads and writes
 *   bssplit=2k/50:4k/50,4k/90:8k/10      reads, then writes; an empty side keeps bs=
 *   bssplit=4k/50:1k/:32k/               blank shares take equal parts of the rest
 *
 * As fio: a direction's split overrides bs= for it (whatever their order), the sizes are
 * kept sorted by their share (a stable sort, as glibc's qsort is for these), blank shares
 * get (100 - given) / blanks each, and what integer division leaves goes to the last.
 * Refused where fio would read the text otherwise than it seems to say: shares that add
 * up to more than 100 (fio refuses only some), to less than 100 with no blank to take the
 * rest (fio gives the rest to the largest share), a share of 0 (fio reads it as blank), a
 * share above 100 (fio makes it 100), an empty entry (fio stops reading there), a share
 * that is not a whole number (fio's atoi stops at the first other character), and a
 * third (trim) split: vmsweep does not trim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio/job_compile_internal.h"

#define BS_MAX (16u << 20) /* as bs= (job_compile.c) */
#define BLANK UINT32_MAX

/* One direction's split from text s (what is between the commas) into out[*nr]. */
static int split_parse(struct compile *c, const struct fio_option *o, const char *what, char *s,
		       struct vms_bssplit *out, uint32_t *nr)
{
	uint32_t n = 0, given = 0, blanks = 0;

	for (char *item = s, *next; item; item = next) {
		next = strchr(item, ':');
		if (next)
			*next++ = '\0';
		if (!*item)
			return bad_value(c, o, "%san empty entry (fio stops reading at it): give size/percent entries "
					 "separated by ':'", what);
		if (n == VMS_WL_BSSPLIT_MAX)
			return bad_value(c, o, "%smore than %d block sizes (fio's limit)", what, VMS_WL_BSSPLIT_MAX);
		char *slash = strchr(item, '/');
		uint64_t bs;
		uint32_t perc = BLANK;
		if (slash) {
			*slash = '\0';
			if (slash[1]) {
				uint64_t p = 0;
				for (const char *d = slash + 1; *d; d++) {
					if (*d < '0' || *d > '9' || p > 1000)
						return bad_value(c, o, "%s'%s': not a whole percentage", what, slash + 1);
					p = p * 10 + (uint64_t)(*d - '0');
				}
				if (p == 0)
					return bad_value(c, o, "%s'%s/0': fio reads a share of 0 as a blank one (an equal "
							 "part of the rest): write '%s/' for that, or leave the size out",
							 what, item, item);
				if (p > 100)
					return bad_value(c, o, "%s'%s/%s': a share above 100%% (fio makes it 100)", what,
							 item, slash + 1);
				perc = (uint32_t)p;
			}
		}
		if (size_parse(c, o, what, item, &bs))
			return -1;
		if (!bs)
			return bad_value(c, o, "%s'%s': a block size must be at least 512", what, item);
		if (bs % SECTOR)
			return bad_value(c, o, "%s'%s': not a multiple of 512", what, item);
		if (bs > BS_MAX)
			return bad_value(c, o, "%s'%s': larger than vmsweep's limit of 16 MiB", what, item);
		out[n].bs = (uint32_t)bs;
		out[n].perc = perc;
		if (perc == BLANK)
			blanks++;
		else
			given += perc;
		n++;
	}
	if (given > 100)
		return bad_value(c, o, "%sthe shares add up to %u%%, more than 100%%", what, given);
	if (!blanks && given < 100)
		return bad_value(c, o, "%sthe shares add up to %u%%, not 100%% (fio would give the rest to the largest "
				 "share; leave one share blank, as '64k/', to take the rest)", what, given);
	if (blanks && given == 100 && !(blanks == 1 && n == 1))
		return bad_value(c, o, "%sthe shares add up to 100%% and leave nothing to the blank ones", what);
	/* fio's bssplit_ddir: a lone size without a share is all of it */
	if (blanks == 1 && n == 1)
		given = 0;
	if (blanks && (100 - given) / blanks == 0)
		return bad_value(c, o, "%sthe %u blank shares get 0%% each of the %u%% left (fio would never draw them)",
				 what, blanks, 100 - given);
	for (uint32_t i = 0; i < n; i++)
		if (out[i].perc == BLANK)
			out[i].perc = (100 - given) / blanks;
	/* fio's qsort by share; stable, so equal shares keep the order written */
	for (uint32_t i = 1; i < n; i++) {
		struct vms_bssplit v = out[i];
		uint32_t k = i;
		for (; k > 0 && out[k - 1].perc > v.perc; k--)
			out[k] = out[k - 1];
		out[k] = v;
	}
	*nr = n;
	return 0;
}

int opt_bssplit(struct compile *c, struct job_opts *jo, const struct fio_option *o)
{
	char *dup = strdup(o->value), *field[3] = { dup, NULL, NULL };
	struct vms_bssplit split[2][VMS_WL_BSSPLIT_MAX];
	uint32_t nr[2] = { 0, 0 };
	unsigned n = 1;
	int ret = -1;

	if (!dup)
		return compile_fail_at(c, o->file, o->line, "out of memory");
	for (char *p = dup; (p = strchr(p, ',')); ) {
		*p++ = '\0';
		if (n == 3) {
			bad_value(c, o, "too many values (at most read,write)");
			goto out;
		}
		field[n++] = p;
	}
	if (n == 3 && *field[2]) {
		bad_value(c, o, "a third (trim) split is not supported: vmsweep does not trim");
		goto out;
	}
	if (n == 1) {
		if (split_parse(c, o, "", field[0], split[0], &nr[0]))
			goto out;
		memcpy(split[1], split[0], sizeof(split[0]));
		nr[1] = nr[0];
	} else {
		for (int d = 0; d < 2; d++)
			if (*field[d] && split_parse(c, o, d ? "write split: " : "read split: ", field[d], split[d], &nr[d]))
				goto out;
		if (!nr[0] && !nr[1]) {
			bad_value(c, o, "no split given");
			goto out;
		}
	}
	for (int d = 0; d < 2; d++) {
		if (!nr[d])
			continue; /* an empty side keeps what it had, as in fio */
		memcpy(jo->j.bssplit[d], split[d], nr[d] * sizeof(split[d][0]));
		jo->j.bssplit_nr[d] = nr[d];
	}
	jo->bssplit_o = o;
	ret = 0;
out:
	free(dup);
	return ret;
}

uint64_t bssplit_min(const struct vms_job *j, int d)
{
	uint64_t m = UINT64_MAX;

	if (!j->bssplit_nr[d])
		return j->bs[d];
	for (uint32_t i = 0; i < j->bssplit_nr[d]; i++)
		if (j->bssplit[d][i].bs < m)
			m = j->bssplit[d][i].bs;
	return m;
}

/* bs[] becomes fio's max_bs of a split direction: the buffers are sized for it. */
void bssplit_resolve(struct vms_job *j)
{
	for (int d = 0; d < 2; d++) {
		if (!j->bssplit_nr[d])
			continue;
		uint64_t m = 0;
		for (uint32_t i = 0; i < j->bssplit_nr[d]; i++)
			if (j->bssplit[d][i].bs > m)
				m = j->bssplit[d][i].bs;
		j->bs[d] = m;
	}
}
