/* mkfs.ext3 and e2fsck for the disks with fs=ext3 (see disk_fs.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/tool_run.h"
#include "vmm/blk/disk_fs.h"
#include "vmm/blk/ext3_super.h"

/* mke2fs's getopt string (misc/mke2fs.c, e2fsprogs 1.47.0): a letter followed by ':' takes an argument. */
#define MKE2FS_OPTS "b:cd:e:g:i:jl:m:no:qr:s:t:vC:DE:FG:I:J:KL:M:N:O:R:ST:U:Vz:"
#define MKFS_MAX_WORDS 64

/* Splits s (modified) at spaces into words; how many, or -1 past max. */
static int words_split(char *s, char **words, int max)
{
	int n = 0;
	for (char *save = NULL, *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return n;
}

int disk_mkfs_options_check(const char *opts, char *err, size_t errlen)
{
	char buf[DISK_MKFS_MAX], *words[MKFS_MAX_WORDS];
	snprintf(buf, sizeof(buf), "%s", opts);
	int n = words_split(buf, words, MKFS_MAX_WORDS);
	if (n < 0)
		return errorf(err, errlen, "mkfs=%s: more than %d words", opts, MKFS_MAX_WORDS);
	if (n == 0)
		return errorf(err, errlen, "'mkfs=': mkfs= takes mkfs.ext3's options (mkfs=-J size=8; drop it for mkfs's "
			      "defaults)");
	/* As getopt reads them: a word of letters, of which one may take the rest of the word or the next word. */
	for (int i = 0; i < n; i++) {
		const char *w = words[i];
		if (w[0] != '-' || !w[1])
			return errorf(err, errlen, "mkfs=%s: '%s' is not an option (the image and its size come from the disk)",
				      opts, w);
		for (const char *p = w + 1; *p; p++) {
			const char *o = *p != ':' ? strchr(MKE2FS_OPTS, *p) : NULL;
			if (!o)
				return errorf(err, errlen, "mkfs=%s: '%s': mkfs.ext3 has no option -%c", opts, w, *p);
			if (*p == 'b')
				return errorf(err, errlen, "mkfs=%s: '%s': the block size is 4096, the guest's page size "
					      "(drop -b)", opts, w);
			if (*p == 'n' || *p == 'V')
				return errorf(err, errlen, "mkfs=%s: '%s': -%c makes no file system", opts, w, *p);
			if (o[1] != ':')
				continue;
			if (!p[1] && i + 1 == n)
				return errorf(err, errlen, "mkfs=%s: '%s': -%c takes a value", opts, w, *p);
			if (!p[1])
				i++; /* the next word is its value */
			break;
		}
	}
	return 0;
}

/* The first lines of what a tool said, on one line (an error message's tail). */
static const char *one_line(const char *out, char *buf, size_t len)
{
	size_t used = 0;
	int lines = 0;
	for (const char *p = out; *p && lines < 3 && used + 1 < len;) {
		size_t n = strcspn(p, "\n");
		while (n && isspace((unsigned char)*p))
			p++, n--;
		if (n) {
			int k = snprintf(buf + used, len - used, "%s%.*s", used ? " " : "", (int)n, p);
			used += k > 0 ? (size_t)k : 0;
			lines++;
		}
		p += n;
		if (*p)
			p++;
	}
	if (used >= len)
		used = len - 1;
	buf[used] = '\0';
	return buf;
}

int disk_mkfs(const struct disk_config *c, char *err, size_t errlen)
{
	char opts[DISK_MKFS_MAX], *argv[MKFS_MAX_WORDS + 10], out[2048], why[512];
	int argc = 0, status = 0;

	snprintf(opts, sizeof(opts), "%s", c->has_mkfs ? c->mkfs : "");
	argv[argc++] = "mkfs.ext3";
	argv[argc++] = "-F"; /* a regular file, not a device: no question asked */
	argv[argc++] = "-q";
	argv[argc++] = "-b";
	argv[argc++] = "4096";
	int n = words_split(opts, argv + argc, MKFS_MAX_WORDS);
	if (n < 0)
		return errorf(err, errlen, "--disk %s: mkfs=%s: more than %d words", c->path, c->mkfs, MKFS_MAX_WORDS);
	argc += n;
	argv[argc++] = "--"; /* a path that starts with '-' is still the image */
	argv[argc++] = (char *)c->path;
	argv[argc] = NULL;
	if (tool_run(argv, &status, out, sizeof(out), false, why, sizeof(why)))
		return errorf(err, errlen, "--disk %s,fs=ext3: %s", c->path, why);
	if (status != 0)
		return errorf(err, errlen, "--disk %s,fs=ext3: mkfs.ext3 -b 4096%s%s failed (exit %d): %s", c->path,
			      c->has_mkfs ? " " : "", c->has_mkfs ? c->mkfs : "", status,
			      out[0] ? one_line(out, why, sizeof(why)) : "it said nothing");
	return 0;
}

int disk_fs_check(const struct disk_config *c, uint64_t image_bytes, char *err, size_t errlen)
{
	struct ext3_super s;
	char why[600];

	if (ext3_super_read(c->path, &s, why, sizeof(why)) || ext3_super_check(&s, image_bytes, why, sizeof(why)))
		return errorf(err, errlen, "--disk %s,fs=ext3: %s", c->path, why);
	return 0;
}

/* The last max_lines lines of out, whole lines where they do not all fit in len. */
static void last_lines(const char *out, char *dst, size_t len, int max_lines)
{
	const char *p = out + strlen(out);
	int lines = 0;
	while (p > out && !(p[-1] == '\n' && ++lines == max_lines))
		p--;
	size_t n = strlen(p);
	if (n >= len) {
		p += n - (len - 1);
		const char *nl = strchr(p, '\n');
		if (nl && nl[1])
			p = nl + 1;
	}
	snprintf(dst, len, "%s", p);
}

void disk_fsck_run(const char *path, struct disk_fsck *r)
{
	char *argv[] = { "e2fsck", "-f", "-n", (char *)path, NULL };
	char out[4096], why[300];

	memset(r, 0, sizeof(*r));
	r->ran = true;
	if (tool_run(argv, &r->exit, out, sizeof(out), true, why, sizeof(why))) {
		r->exit = -1;
		snprintf(r->output, sizeof(r->output), "%s", why);
		return;
	}
	r->clean = r->exit == 0;
	last_lines(out, r->output, sizeof(r->output), 8);
}
