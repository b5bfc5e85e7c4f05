/* The stored config and job texts written back as files: see rerun_inputs.h. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/query.h"
#include "sweep/rerun_inputs.h"
#include "util/error.h"

#define PATH_LEN 4096
#define JOBS_MAX 256

static const char *kv_get(const struct store_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

/* mkdir -p of path's directory. */
static int parents_make(const char *path, char *err, size_t errlen)
{
	char buf[PATH_LEN];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) && errno != EEXIST)
				return errorf(err, errlen, "%s: %s", buf, strerror(errno));
			*p = '/';
		}
	return 0;
}

static int text_write(const char *path, const char *text, char *err, size_t errlen)
{
	FILE *f;
	if (parents_make(path, err, errlen))
		return -1;
	if (!(f = fopen(path, "w")))
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	fputs(text, f);
	if (ferror(f) | fclose(f))
		return errorf(err, errlen, "%s: write error", path);
	return 0;
}

/* The path of file relative to dir (both absolute and normalised): "../w/x.fio". */
static void relative_path(const char *dir, const char *file, char *out, size_t len)
{
	size_t common = 0, i = 0, off = 0;
	for (; dir[i] && dir[i] == file[i]; i++)
		if (dir[i] == '/')
			common = i;
	if (!dir[i] && file[i] == '/')
		common = i; /* dir is a prefix of file */
	for (const char *p = dir + common; *p; p++)
		if (*p == '/' && off < len)
			off += (size_t)snprintf(out + off, len - off, "../");
	snprintf(out + off, len - off, "%s", file + common + 1);
}

static size_t ups(const char *rel)
{
	size_t n = 0;
	while (!strncmp(rel, "../", 3))
		rel += 3, n++;
	return n;
}

int rerun_inputs_write(struct store *s, const char *dir, char *cfg_path, size_t len, char *err, size_t errlen)
{
	struct store_kv *kv;
	size_t n, depth = 0;
	char (*rel)[PATH_LEN] = calloc(JOBS_MAX, sizeof(*rel)), key[32], orig_dir[PATH_LEN];
	const char *job_text[JOBS_MAX];
	size_t nr_jobs = 0;
	int rc = -1;

	if (!rel)
		return errorf(err, errlen, "out of memory");
	if (store_manifest_list(s, &kv, &n, err, errlen)) {
		free(rel);
		return -1;
	}
	const char *config = kv_get(kv, n, "config"), *config_path = kv_get(kv, n, "config_path");
	if (!config || !config_path) {
		errorf(err, errlen, "the manifest keeps no config text (a sweep made before vmsweep kept it)");
		goto out;
	}
	snprintf(orig_dir, sizeof(orig_dir), "%s", config_path);
	dirname(orig_dir);
	for (nr_jobs = 0; nr_jobs < JOBS_MAX; nr_jobs++) {
		snprintf(key, sizeof(key), "job_file.%zu", nr_jobs);
		const char *path = kv_get(kv, n, key);
		snprintf(key, sizeof(key), "job.%zu", nr_jobs);
		job_text[nr_jobs] = kv_get(kv, n, key);
		if (!path)
			break;
		if (!job_text[nr_jobs]) {
			errorf(err, errlen, "the manifest names the job file %s but keeps no text of it", path);
			goto out;
		}
		relative_path(orig_dir, path, rel[nr_jobs], sizeof(rel[nr_jobs]));
		if (ups(rel[nr_jobs]) > depth)
			depth = ups(rel[nr_jobs]);
	}
	/* The config as deep under dir as its job paths climb: ../../w.fio stays inside dir. */
	char cfg_dir[PATH_LEN], *base = strrchr(config_path, '/');
	size_t off = (size_t)snprintf(cfg_dir, sizeof(cfg_dir), "%s/inputs", dir);
	for (size_t d = 0; d < depth && off < sizeof(cfg_dir); d++)
		off += (size_t)snprintf(cfg_dir + off, sizeof(cfg_dir) - off, "/d%zu", d);
	if ((size_t)snprintf(cfg_path, len, "%s/%s", cfg_dir, base ? base + 1 : config_path) >= len) {
		errorf(err, errlen, "%s: path too long", dir);
		goto out;
	}
	if (text_write(cfg_path, config, err, errlen))
		goto out;
	for (size_t j = 0; j < nr_jobs; j++) {
		char path[2 * PATH_LEN + 2];
		snprintf(path, sizeof(path), "%s/%s", cfg_dir, rel[j]);
		if (text_write(path, job_text[j], err, errlen))
			goto out;
	}
	rc = 0;
out:
	store_manifest_free(kv, n);
	free(rel);
	return rc;
}
