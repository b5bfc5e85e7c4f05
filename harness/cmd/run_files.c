/* A run's fio JSON and console log, gzip-compressed, written before the run is stored:
 * a run killed in between is still planned, and its rerun writes them again. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cmd/run_files.h"
#include "fio/fio_json.h"
#include "records/fio.h"
#include "records/iolog.h"
#include "util/error.h"
#include "vmm/vm.h"

/* Writes len bytes to path.tmp, gzip'd, then renames it to path: never half a file. */
int run_file_gz_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	gzFile gz = gzopen(tmp, "wb6");
	if (!gz)
		return errorf(err, errlen, "%s: %s", tmp, strerror(errno ? errno : ENOMEM));
	const char *p = data;
	while (len) {
		unsigned n = len > (1u << 30) ? 1u << 30 : (unsigned)len;
		if (gzwrite(gz, p, n) != (int)n) {
			int e;
			const char *why = gzerror(gz, &e);
			errorf(err, errlen, "%s: %s", tmp, e == Z_ERRNO ? strerror(errno) : why);
			gzclose(gz);
			unlink(tmp);
			return -1;
		}
		p += n;
		len -= n;
	}
	if (gzclose(gz) != Z_OK) {
		errorf(err, errlen, "%s: %s", tmp, strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		errorf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* fio's log files (write_lat_log and the like) as DIR/runs/<id>.NAME_lat.N.log.gz, a '/'
 * of NAME made '_': every run of a sweep writes the same names. */
static int iolog_gz_write(const char *dir, size_t run_id, const struct vm_result *res, const struct vms_workload *wl,
			  char *err, size_t errlen)
{
	struct iolog_file *files;
	size_t n = iolog_files_list(wl, &files);
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		char path[4400], *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (!f) {
			ret = errorf(err, errlen, "run %zu: fio log %s: %s", run_id, files[i].name, strerror(errno));
			break;
		}
		int w = iolog_file_write(f, res, wl, &files[i]);
		if (fclose(f) || w) {
			ret = errorf(err, errlen, "run %zu: fio log %s: out of memory", run_id, files[i].name);
			free(text);
			break;
		}
		for (char *c = files[i].name; *c; c++)
			if (*c == '/')
				*c = '_';
		snprintf(path, sizeof(path), "%s/%s/%zu.%s.gz", dir, RUN_FILES_DIR, run_id, files[i].name);
		ret = run_file_gz_write(path, text, len, err, errlen);
		free(text);
	}
	free(files);
	return ret;
}

int run_files_write(const char *dir, size_t run_id, const struct vm_result *res, const struct vms_workload *wl,
		    char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, RUN_FILES_DIR);
	if (mkdir(path, 0755) && errno != EEXIST)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	const struct fio_records *fr = fio_records(res);
	if (wl && fr && fr->nr_jobs) {
		json_t *doc = fio_records_json(res, wl);
		char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		json_decref(doc);
		if (!text)
			return errorf(err, errlen, "run %zu: its fio JSON could not be made (out of memory)", run_id);
		snprintf(path, sizeof(path), "%s/%s/%zu.fio.json.gz", dir, RUN_FILES_DIR, run_id);
		int r = run_file_gz_write(path, text, strlen(text), err, errlen);
		free(text);
		if (r)
			return -1;
	}
	if (wl && res->status == VM_DONE && iolog_gz_write(dir, run_id, res, wl, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/%zu.console.log.gz", dir, RUN_FILES_DIR, run_id);
	return run_file_gz_write(path, res->console ? res->console : "", res->console ? res->console_len : 0, err, errlen);
}
