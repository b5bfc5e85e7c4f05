/* `vmsweep export`: one flat row per run, its point's parameters, the run's own columns
 * and its metrics (store/export.h); --metrics in export_columns.c, --where in
 * export_where.c. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/export.h"
#include "store/export_internal.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/param_word.h"

const char *const export_id_col_names[EXPORT_NR_ID_COLS] = { "run", "point", "rep", "status" };
const char *const export_run_col_names[EXPORT_NR_RUN_COLS] = {
	[EXPORT_SEED] = "seed",		  [EXPORT_WALL_MS] = "wall_ms",		[EXPORT_STARTED] = "started",
	[EXPORT_ENDED] = "ended",	  [EXPORT_EXIT_STATUS] = "exit_status", [EXPORT_CAUSE] = "cause",
};

static void table_free(struct export_table *t)
{
	for (size_t i = 0; i < t->nr_params; i++)
		free(t->params[i]);
	for (size_t i = 0; i < t->nr_metrics; i++)
		free(t->metric_names[i]);
	for (size_t i = 0; i < t->nr_job_files; i++)
		free(t->job_files[i]);
	free(t->job_files);
	free(t->params);
	free(t->word_knob);
	free(t->values);
	free(t->by_name);
	free(t->metric_names);
}

/* Appends the text of column 0 of each row of sql to *list. */
static int read_names(struct store *s, const char *sql, char ***list, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_db_error(s, "prepare", err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (*n == cap) {
			char **more = realloc(*list, (cap = cap ? 2 * cap : 64) * sizeof(**list));
			if (!more)
				break;
			*list = more;
		}
		if (!((*list)[*n] = strdup(v ? v : "")))
			break;
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return errorf(err, errlen, "out of memory");
	return rc == SQLITE_DONE ? 0 : store_db_error(s, "export", err, errlen);
}

static int metric_cmp(const void *a, const void *b)
{
	return strcmp(((const struct export_metric *)a)->name, ((const struct export_metric *)b)->name);
}

static int table_load(struct store *s, struct export_table *t, char *err, size_t errlen)
{
	int64_t n;
	sqlite3_stmt *st;
	int rc;

	memset(t, 0, sizeof(*t));
	if (read_names(s, "SELECT name FROM params ORDER BY idx", &t->params, &t->nr_params, err, errlen) ||
	    read_names(s, "SELECT name FROM metrics GROUP BY name ORDER BY min(rowid)", &t->metric_names,
		       &t->nr_metrics, err, errlen) ||
	    read_names(s, "SELECT value FROM manifest WHERE key GLOB 'job_file.[0-9]*'"
			  " ORDER BY CAST(substr(key, 10) AS INTEGER)",
		       &t->job_files, &t->nr_job_files, err, errlen) ||
	    store_query_int(s, "SELECT count(*) FROM points", &n, err, errlen))
		return -1;
	t->nr_points = (size_t)n;
	t->values = calloc(t->nr_points * t->nr_params + 1, sizeof(*t->values));
	t->word_knob = calloc(t->nr_params + 1, sizeof(*t->word_knob));
	t->by_name = calloc(t->nr_metrics + 1, sizeof(*t->by_name));
	if (!t->values || !t->word_knob || !t->by_name)
		return errorf(err, errlen, "out of memory");
	/* The store keeps a knob's number; people know watermark_model=2.6, not 1. */
	for (size_t k = 0; k < t->nr_params; k++)
		t->word_knob[k] = param_has_words(t->params[k]) || !strcmp(t->params[k], "job") ? 1 : -1;
	for (size_t i = 0; i < t->nr_metrics; i++)
		t->by_name[i] = (struct export_metric){ t->metric_names[i], i };
	qsort(t->by_name, t->nr_metrics, sizeof(*t->by_name), metric_cmp);

	if (sqlite3_prepare_v2(s->db,
			       "SELECT v.point, p.idx, v.value FROM point_values v JOIN params p ON p.name = v.param", -1,
			       &st, NULL) != SQLITE_OK)
		return store_db_error(s, "prepare", err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t pt = (uint64_t)sqlite3_column_int64(st, 0), k = (uint64_t)sqlite3_column_int64(st, 1);
		if (pt < t->nr_points && k < t->nr_params)
			t->values[pt * t->nr_params + k] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_db_error(s, "export", err, errlen);
}

long export_metric_find(const struct export_table *t, const char *name)
{
	struct export_metric key = { name, 0 };
	const struct export_metric *m = bsearch(&key, t->by_name, t->nr_metrics, sizeof(key), metric_cmp);
	return m ? (long)m->idx : -1;
}

long export_param_find(const struct export_table *t, const char *name)
{
	for (size_t k = 0; k < t->nr_params; k++)
		if (!strcmp(t->params[k], name))
			return (long)k;
	return -1;
}

/* RFC 4180: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *out, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

/* Written by hand rather than through jansson, whose reals always carry 17 digits. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* The shortest decimal that reads back as the same double. */
static void format_double(double v, char *buf, size_t len)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* A value as text; false when the row has none. *quote: JSON wants it as a string. */
static bool value_format(const struct export_row *r, struct export_col c, char *buf, size_t len, const char **text,
			 bool *quote)
{
	double v = NAN;
	*text = buf;
	*quote = false;
	if (c.metric) {
		if (!r->has[c.idx] || !isfinite(r->vals[c.idx]))
			return false;
		format_double(r->vals[c.idx], buf, len);
		return true;
	}
	switch ((enum export_run_col)c.idx) {
	case EXPORT_SEED:
		*quote = true; /* see export.h: a JSON number would lose bits */
		snprintf(buf, len, "%" PRIu64, r->seed);
		return true;
	case EXPORT_EXIT_STATUS:
		snprintf(buf, len, "%" PRId64, r->exit_status);
		return r->has_exit;
	case EXPORT_CAUSE:
		*text = r->cause;
		*quote = true;
		return *r->cause != '\0';
	case EXPORT_WALL_MS: v = r->wall_ms; break;
	case EXPORT_STARTED: v = r->started; break;
	case EXPORT_ENDED: v = r->ended; break;
	case EXPORT_NR_RUN_COLS: break;
	}
	if (!isfinite(v))
		return false;
	format_double(v, buf, len);
	return true;
}

/* Parameter k of row r: the word of a word knob or fio.rw, a job parameter's file name,
 * the number otherwise. */
static const char *param_format(const struct export_table *t, const struct export_row *r, size_t k, char *buf,
				size_t len, bool *quote)
{
	int64_t v = r->values[k];
	const char *w = t->word_knob[k] >= 0 ? param_value_word(t->params[k], v) : NULL;
	if (!w && t->word_knob[k] >= 0 && !strcmp(t->params[k], "job") && v >= 0 && (size_t)v < t->nr_job_files)
		w = strrchr(t->job_files[v], '/') ? strrchr(t->job_files[v], '/') + 1 : t->job_files[v];
	*quote = w != NULL;
	if (w)
		return w;
	snprintf(buf, len, "%" PRId64, v);
	return buf;
}

struct sink {
	FILE *out;
	bool csv, first;
	const struct export_table *t;
	struct export_col *cols;
	size_t nr_cols;
};

static const char *col_name(const struct sink *k, struct export_col c)
{
	return c.metric ? k->t->metric_names[c.idx] : export_run_col_names[c.idx];
}

static void csv_head_write(const struct sink *k)
{
	fputs("run,point,rep,status", k->out);
	for (size_t i = 0; i < k->t->nr_params; i++) {
		fputc(',', k->out);
		csv_field(k->out, k->t->params[i]);
	}
	for (size_t i = 0; i < k->nr_cols; i++) {
		fputc(',', k->out);
		csv_field(k->out, col_name(k, k->cols[i]));
	}
	fputc('\n', k->out);
}

static void csv_row_write(const struct sink *k, const struct export_row *r)
{
	char buf[64];
	const char *text;
	bool quote;
	fprintf(k->out, "%" PRId64 ",%" PRId64 ",%" PRId64 ",%s", r->id, r->point, r->rep, r->status);
	for (size_t i = 0; i < k->t->nr_params; i++) {
		fputc(',', k->out);
		if (r->values)
			csv_field(k->out, param_format(k->t, r, i, buf, sizeof(buf), &quote));
	}
	for (size_t i = 0; i < k->nr_cols; i++) {
		fputc(',', k->out);
		if (value_format(r, k->cols[i], buf, sizeof(buf), &text, &quote))
			csv_field(k->out, text);
	}
	fputc('\n', k->out);
}

static void json_member_write(FILE *out, const char *key, const char *text, bool quote)
{
	fputc(',', out);
	json_string(out, key);
	fputc(':', out);
	if (quote)
		json_string(out, text);
	else
		fputs(text, out);
}

static void json_row_write(struct sink *k, const struct export_row *r)
{
	char buf[64];
	const char *text;
	bool quote;
	fprintf(k->out, "%s{\"run\":%" PRId64 ",\"point\":%" PRId64 ",\"rep\":%" PRId64 ",\"status\":\"%s\"",
		k->first ? "\n  " : ",\n  ", r->id, r->point, r->rep, r->status);
	for (size_t i = 0; i < k->t->nr_params && r->values; i++) {
		text = param_format(k->t, r, i, buf, sizeof(buf), &quote);
		json_member_write(k->out, k->t->params[i], text, quote);
	}
	for (size_t i = 0; i < k->nr_cols; i++)
		if (value_format(r, k->cols[i], buf, sizeof(buf), &text, &quote))
			json_member_write(k->out, col_name(k, k->cols[i]), text, quote);
	fputc('}', k->out);
	k->first = false;
}

static double column_double(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Run columns 0..9 of the runs query into r. */
static void row_read(const struct export_table *t, sqlite3_stmt *runs, struct export_row *r)
{
	const char *status = (const char *)sqlite3_column_text(runs, 3);
	const char *cause = (const char *)sqlite3_column_text(runs, 9);
	r->id = sqlite3_column_int64(runs, 0);
	r->point = sqlite3_column_int64(runs, 1);
	r->rep = sqlite3_column_int64(runs, 2);
	snprintf(r->status, sizeof(r->status), "%s", status ? status : "");
	r->values = r->point >= 0 && (uint64_t)r->point < t->nr_points ? &t->values[(size_t)r->point * t->nr_params]
								       : NULL;
	r->seed = (uint64_t)sqlite3_column_int64(runs, 4); /* bit for bit, see store.h */
	r->wall_ms = column_double(runs, 5);
	r->started = column_double(runs, 6);
	r->ended = column_double(runs, 7);
	r->has_exit = sqlite3_column_type(runs, 8) != SQLITE_NULL;
	r->exit_status = sqlite3_column_int64(runs, 8);
	r->cause = cause ? cause : "";
}

/* Walks runs in id order beside the metrics in run order: one pass over each. */
static int export_rows(struct store *s, struct sink *k, const struct export_where *where, char *err, size_t errlen)
{
	const struct export_table *t = k->t;
	sqlite3_stmt *runs = NULL, *met = NULL;
	struct export_row r = { 0 };
	int ret = -1, rc, mrc;

	r.vals = calloc(t->nr_metrics + 1, sizeof(*r.vals));
	r.has = calloc(t->nr_metrics + 1, sizeof(*r.has));
	if (!r.vals || !r.has) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, point, rep, status, seed, wall_ms, started, ended, exit_status, cause"
			       " FROM runs ORDER BY id",
			       -1, &runs, NULL) ||
	    sqlite3_prepare_v2(s->db, "SELECT run, name, value FROM metrics ORDER BY run", -1, &met, NULL)) {
		store_db_error(s, "prepare", err, errlen);
		goto out;
	}
	mrc = sqlite3_step(met);
	while ((rc = sqlite3_step(runs)) == SQLITE_ROW) {
		row_read(t, runs, &r);
		memset(r.has, 0, t->nr_metrics * sizeof(*r.has));
		for (; mrc == SQLITE_ROW && sqlite3_column_int64(met, 0) <= r.id; mrc = sqlite3_step(met)) {
			long c = sqlite3_column_int64(met, 0) == r.id
					 ? export_metric_find(t, (const char *)sqlite3_column_text(met, 1))
					 : -1;
			if (c >= 0 && sqlite3_column_type(met, 2) != SQLITE_NULL) {
				r.vals[c] = sqlite3_column_double(met, 2);
				r.has[c] = true;
			}
		}
		if (where && !export_where_match(where, &r))
			continue;
		if (k->csv)
			csv_row_write(k, &r);
		else
			json_row_write(k, &r);
	}
	if (rc != SQLITE_DONE || (mrc != SQLITE_ROW && mrc != SQLITE_DONE)) {
		store_db_error(s, "export", err, errlen);
		goto out;
	}
	if (!k->csv)
		fputs(k->first ? "]\n" : "\n]\n", k->out);
	ret = 0;
out:
	sqlite3_finalize(runs);
	sqlite3_finalize(met);
	free(r.vals);
	free(r.has);
	return ret;
}

/* The options against the store's names: EXPORT_BAD_OPTION (err says which) or 0. */
static int options_check(const struct export_table *t, const struct export_options *o, struct sink *k,
			 struct export_where **where, char *err, size_t errlen)
{
	char why[1024];
	if (export_cols_choose(t, o->metrics, &k->cols, &k->nr_cols, why, sizeof(why))) {
		errorf(err, errlen, "--metrics %s: %s", o->metrics ? o->metrics : "", why);
		return EXPORT_BAD_OPTION;
	}
	if (o->where && export_where_parse(o->where, t, where, why, sizeof(why))) {
		errorf(err, errlen, "--where '%s': %s", o->where, why);
		return EXPORT_BAD_OPTION;
	}
	return 0;
}

int store_export_select(struct store *s, const struct export_options *o, FILE *out, char *err, size_t errlen)
{
	struct export_table t;
	struct export_where *where = NULL;
	struct sink k = { .out = out, .first = true, .t = &t };
	int ret = -1;

	k.csv = !strcmp(o->format, "csv");
	if (!k.csv && strcmp(o->format, "json")) {
		errorf(err, errlen, "--format %s: unknown format (csv or json)", o->format);
		return EXPORT_BAD_OPTION;
	}
	pthread_mutex_lock(&s->lock);
	/* One read transaction: a sweep recording meanwhile does not tear the export. */
	if (store_exec(s, "BEGIN", err, errlen)) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	if (table_load(s, &t, err, errlen))
		goto out;
	if ((ret = options_check(&t, o, &k, &where, err, errlen)))
		goto out;
	ret = -1;
	if (k.csv)
		csv_head_write(&k);
	else
		fputc('[', out);
	if (export_rows(s, &k, where, err, errlen))
		goto out;
	if (fflush(out) || ferror(out)) {
		errorf(err, errlen, "write error");
		goto out;
	}
	ret = 0;
out:
	export_where_free(where);
	free(k.cols);
	table_free(&t);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int store_export(struct store *s, const char *format, FILE *out, char *err, size_t errlen)
{
	struct export_options o = { .format = format };
	return store_export_select(s, &o, out, err, errlen) ? -1 : 0;
}
