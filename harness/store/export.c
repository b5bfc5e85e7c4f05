/* `vmsweep export`: one flat row per run, its point's parameters and every metric. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "util/error.h"

struct column {
	char *name;
	size_t idx;
};

struct table {
	size_t nr_params, nr_points, nr_metrics;
	char **params;
	int64_t *values; /* [point * nr_params + param] */
	struct column *metrics; /* sorted by name for lookup; idx = column order */
	char **metric_names; /* in column order */
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nr_params; i++)
		free(t->params[i]);
	for (size_t i = 0; i < t->nr_metrics; i++)
		free(t->metric_names[i]);
	free(t->params);
	free(t->values);
	free(t->metrics);
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

static int column_cmp(const void *a, const void *b)
{
	return strcmp(((const struct column *)a)->name, ((const struct column *)b)->name);
}

static int table_load(struct store *s, struct table *t, char *err, size_t errlen)
{
	int64_t n;
	sqlite3_stmt *st;
	int rc;

	memset(t, 0, sizeof(*t));
	if (read_names(s, "SELECT name FROM params ORDER BY idx", &t->params, &t->nr_params, err, errlen) ||
	    read_names(s, "SELECT name FROM metrics GROUP BY name ORDER BY min(rowid)", &t->metric_names,
		       &t->nr_metrics, err, errlen) ||
	    store_query_int(s, "SELECT count(*) FROM points", &n, err, errlen))
		return -1;
	t->nr_points = (size_t)n;
	t->values = calloc(t->nr_points * t->nr_params + 1, sizeof(*t->values));
	t->metrics = calloc(t->nr_metrics + 1, sizeof(*t->metrics));
	if (!t->values || !t->metrics)
		return errorf(err, errlen, "out of memory");
	for (size_t i = 0; i < t->nr_metrics; i++)
		t->metrics[i] = (struct column){ t->metric_names[i], i };
	qsort(t->metrics, t->nr_metrics, sizeof(*t->metrics), column_cmp);

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

static long metric_column(const struct table *t, const char *name)
{
	struct column key = { (char *)name, 0 };
	const struct column *c = bsearch(&key, t->metrics, t->nr_metrics, sizeof(key), column_cmp);
	return c ? (long)c->idx : -1;
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

/* The shortest decimal that reads back as the same double. */
static void format_double(double v, char *buf, size_t len)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

struct row {
	int64_t id, point, rep;
	char status[16];
	double *vals;
	bool *has;
};

static void write_csv_row(FILE *out, const struct table *t, const struct row *r)
{
	char num[40];
	fprintf(out, "%lld,%lld,%lld,%s", (long long)r->id, (long long)r->point, (long long)r->rep, r->status);
	for (size_t k = 0; k < t->nr_params; k++) {
		bool ok = r->point >= 0 && (size_t)r->point < t->nr_points;
		fprintf(out, ",");
		if (ok)
			fprintf(out, "%lld", (long long)t->values[(size_t)r->point * t->nr_params + k]);
	}
	for (size_t m = 0; m < t->nr_metrics; m++) {
		fputc(',', out);
		if (r->has[m] && isfinite(r->vals[m])) {
			format_double(r->vals[m], num, sizeof(num));
			fputs(num, out);
		}
	}
	fputc('\n', out);
}

/* Written by hand rather than through jansson, whose reals always carry 17 digits. */
static void json_key(FILE *out, const char *k)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)k; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputs("\":", out);
}

static void write_json_row(FILE *out, const struct table *t, const struct row *r, bool first)
{
	char num[40];
	fprintf(out, "%s{\"run\":%lld,\"point\":%lld,\"rep\":%lld,\"status\":\"%s\"", first ? "\n  " : ",\n  ",
		(long long)r->id, (long long)r->point, (long long)r->rep, r->status);
	for (size_t k = 0; k < t->nr_params && r->point >= 0 && (size_t)r->point < t->nr_points; k++) {
		fputc(',', out);
		json_key(out, t->params[k]);
		fprintf(out, "%lld", (long long)t->values[(size_t)r->point * t->nr_params + k]);
	}
	for (size_t m = 0; m < t->nr_metrics; m++) {
		if (!r->has[m] || !isfinite(r->vals[m]))
			continue;
		fputc(',', out);
		json_key(out, t->metric_names[m]);
		format_double(r->vals[m], num, sizeof(num));
		fputs(num, out);
	}
	fputc('}', out);
}

/* Walks runs in id order beside the metrics in run order: one pass over each. */
static int export_rows(struct store *s, const struct table *t, bool csv, FILE *out, char *err, size_t errlen)
{
	sqlite3_stmt *runs = NULL, *met = NULL;
	struct row r = { 0 };
	int ret = -1, rc, mrc;

	r.vals = calloc(t->nr_metrics + 1, sizeof(*r.vals));
	r.has = calloc(t->nr_metrics + 1, sizeof(*r.has));
	if (!r.vals || !r.has) {
		errorf(err, errlen, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT id, point, rep, status FROM runs ORDER BY id", -1, &runs, NULL) ||
	    sqlite3_prepare_v2(s->db, "SELECT run, name, value FROM metrics ORDER BY run", -1, &met, NULL)) {
		store_db_error(s, "prepare", err, errlen);
		goto out;
	}
	mrc = sqlite3_step(met);
	bool first = true;
	while ((rc = sqlite3_step(runs)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(runs, 0);
		r.point = sqlite3_column_int64(runs, 1);
		r.rep = sqlite3_column_int64(runs, 2);
		snprintf(r.status, sizeof(r.status), "%s", (const char *)sqlite3_column_text(runs, 3));
		memset(r.has, 0, t->nr_metrics * sizeof(*r.has));
		for (; mrc == SQLITE_ROW && sqlite3_column_int64(met, 0) <= r.id; mrc = sqlite3_step(met)) {
			long c = sqlite3_column_int64(met, 0) == r.id
					 ? metric_column(t, (const char *)sqlite3_column_text(met, 1))
					 : -1;
			if (c >= 0 && sqlite3_column_type(met, 2) != SQLITE_NULL) {
				r.vals[c] = sqlite3_column_double(met, 2);
				r.has[c] = true;
			}
		}
		if (csv)
			write_csv_row(out, t, &r);
		else
			write_json_row(out, t, &r, first);
		first = false;
	}
	if (rc != SQLITE_DONE || (mrc != SQLITE_ROW && mrc != SQLITE_DONE)) {
		store_db_error(s, "export", err, errlen);
		goto out;
	}
	if (!csv)
		fputs(first ? "]\n" : "\n]\n", out);
	ret = 0;
out:
	sqlite3_finalize(runs);
	sqlite3_finalize(met);
	free(r.vals);
	free(r.has);
	return ret;
}

int store_export(struct store *s, const char *format, FILE *out, char *err, size_t errlen)
{
	struct table t;
	bool csv = !strcmp(format, "csv");
	int ret = -1;

	if (!csv && strcmp(format, "json"))
		return errorf(err, errlen, "export: unknown format '%s' (csv or json)", format);
	pthread_mutex_lock(&s->lock);
	/* One read transaction: a sweep recording meanwhile does not tear the export. */
	if (store_exec(s, "BEGIN", err, errlen)) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	if (table_load(s, &t, err, errlen))
		goto out;
	if (csv) {
		fputs("run,point,rep,status", out);
		for (size_t k = 0; k < t.nr_params; k++) {
			fputc(',', out);
			csv_field(out, t.params[k]);
		}
		for (size_t m = 0; m < t.nr_metrics; m++) {
			fputc(',', out);
			csv_field(out, t.metric_names[m]);
		}
		fputc('\n', out);
	} else {
		fputc('[', out);
	}
	if (export_rows(s, &t, csv, out, err, errlen))
		goto out;
	if (fflush(out) || ferror(out)) {
		errorf(err, errlen, "export: write error");
		goto out;
	}
	ret = 0;
out:
	table_free(&t);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
	return ret;
}
