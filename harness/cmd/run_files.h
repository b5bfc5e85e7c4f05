/* Each run's own files next to the store: DIR/runs/<id>.fio.json.gz (fio's JSON, for
 * fio's tools), DIR/runs/<id>.console.log.gz (the guest's console) and, for jobs with
 * write_lat_log= and the like, DIR/runs/<id>.NAME_lat.N.log.gz (fio's log files). */
#ifndef CMD_RUN_FILES_H
#define CMD_RUN_FILES_H
#include <stddef.h>

struct vm_result;
struct vms_workload;

#define RUN_FILES_DIR "runs"

/* Writes run run_id's files (the fio JSON only when the run ran fio jobs). -1 with err. */
int run_files_write(const char *dir, size_t run_id, const struct vm_result *res, const struct vms_workload *wl,
		    char *err, size_t errlen);
/* Writes len bytes to path, gzip'd, through path.tmp and a rename: never half a file. */
int run_file_gz_write(const char *path, const void *data, size_t len, char *err, size_t errlen);
#endif
