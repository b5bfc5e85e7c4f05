/*
 * Reading an fio job file into sections and options, each with the file and line it
 * came from, so that every later error can point at the line to fix. This is fio's
 * format and nothing more: what the options mean is job_compile.c's business.
 *
 * The format, as fio reads it (init.c, __parse_jobs_ini):
 *  - "[name]" starts a section; "[global]" holds defaults for the jobs below it.
 *  - "key=value" (blanks around '=' allowed) or a bare "key" (time_based, ...).
 *  - ';' or '#' starts a comment, at the start of a line or after text: fio cuts
 *    every line at the first ';' or '#', so a value cannot contain them.
 *  - "include FILE" inside a section reads FILE's options into that section; FILE
 *    may include further files but holds no [sections]. A relative FILE is taken
 *    from the including file's directory.
 *  - "${VAR}" in a value is replaced by the environment variable VAR.
 * Deliberate differences from fio: an unset ${VAR} is an error (fio substitutes an
 * empty string, which turns a forgotten export into a silently different job); an
 * include loop is an error (fio recurses until it runs out of file descriptors);
 * fio's $pagesize/$mb_memory/$ncpus keywords are refused; only "[global]" exactly
 * is global (fio also treats "[global-anything]" as global).
 */
#ifndef VMSWEEP_FIO_JOB_FILE_H
#define VMSWEEP_FIO_JOB_FILE_H
#include <stddef.h>

struct fio_option {
	char *key;
	char *value; /* with ${VAR} expanded; NULL for a bare key */
	const char *file; /* the file it was read from (one of fio_job_file.files) */
	unsigned line;
};

struct fio_section {
	char *name; /* between the brackets: "global" or the job's name */
	const char *file;
	unsigned line;
	struct fio_option *opts; /* in file order, included files in place */
	size_t nr_opts;
};

struct fio_job_file {
	struct fio_section *sections; /* in file order */
	size_t nr_sections;
	char **files; /* every file read, the top one first; owns the names */
	size_t nr_files;
	unsigned nr_lines; /* lines in the top file, for errors about the whole file */
};

/*
 * Reads path (and what it includes) into *jf. Returns 0, or -1 with *jf empty and err
 * naming file and line, e.g. "x.fio:4: option 'size': environment variable 'SIZE' is
 * not set". Free with fio_job_file_free either way.
 */
int fio_job_file_read(const char *path, struct fio_job_file *jf, char *err, size_t errlen);

void fio_job_file_free(struct fio_job_file *jf);

#endif
