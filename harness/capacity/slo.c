/* SLO conditions: parsing, the one-sided t test of a probe's runs, names; see slo.h. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "capacity/slo.h"
#include "report/stats.h"
#include "util/error.h"

#define FIO_JOB_PROBE "fio.job." /* a job name for asking the metric tables about a short name */

static bool name_known(const char *name)
{
	char full[STORE_NAME_MAX + 16];
	snprintf(full, sizeof(full), FIO_JOB_PROBE "%s", name);
	return metric_name_known(name) || (strncmp(name, "fio.", 4) && metric_name_known(full));
}

/* "write.clat_ns.p99" -> "write.clat_p99_ns", the per-run metric the histogram spelling
 * means; false when name is not of that form. */
static bool name_from_hist(const char *name, char *out, size_t len)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : 0;
	if (!dot || dot[1] != 'p' || !dot[2] || strspn(dot + 2, "0123456789") != strlen(dot + 2) || stem < 3 ||
	    strncmp(dot - 3, "_ns", 3))
		return false;
	return (size_t)snprintf(out, len, "%.*s_%s_ns", (int)(stem - 3), name, dot + 1) < len;
}

struct unit {
	const char *suffix;
	double factor;
	bool time;
};
static const struct unit units[] = {
	{ "ns", 1, true },	      { "us", 1e3, true },	  { "ms", 1e6, true },	     { "s", 1e9, true },
	{ "Ki", 1024.0, false },      { "Mi", 1048576.0, false }, { "Gi", 1073741824.0, false }, { "k", 1e3, false },
	{ "K", 1e3, false },	      { "M", 1e6, false },	  { "G", 1e9, false },	     { "%", 1, false },
};

static bool metric_is_time(const char *name)
{
	size_t n = strlen(name);
	return (n >= 3 && !strcmp(name + n - 3, "_ns")) || strstr(name, "_ns.");
}

static int value_parse(const struct slo_cond *c, const char *text, double *v, char *err, size_t errlen)
{
	char *end;
	*v = strtod(text, &end);
	if (end == text || !isfinite(*v))
		return errorf(err, errlen, "--slo '%s': '%s' is not a number (write e.g. 10ms, 2.5k, 90%%)", c->text,
			      text);
	if (!*end)
		return 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		if (units[i].time && !metric_is_time(c->metric))
			return errorf(err, errlen, "--slo '%s': %s is a time, and %s is not one (its name does not end"
				      " in _ns)", c->text, end, c->metric);
		*v *= units[i].factor;
		return 0;
	}
	return errorf(err, errlen, "--slo '%s': unknown unit '%s' (ns, us, ms, s; k, M, G; Ki, Mi, Gi; %%)", c->text,
		      end);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static int cond_parse(char *text, struct slo_cond *c, char *err, size_t errlen)
{
	text = trim(text);
	snprintf(c->text, sizeof(c->text), "%s", text);
	if (!*text)
		return errorf(err, errlen, "--slo: an empty condition (write METRIC < VALUE [and METRIC > VALUE ...])");
	char *op = strpbrk(text, "<>=!");
	if (!op)
		return errorf(err, errlen, "--slo '%s': no '<' or '>' (write METRIC < VALUE)", c->text);
	if (*op != '<' && *op != '>')
		return errorf(err, errlen, "--slo '%s': '%c': a condition is METRIC < VALUE or METRIC > VALUE", c->text,
			      *op);
	if (op[1] == '=')
		return errorf(err, errlen, "--slo '%s': '%.2s': use < or > (a mean is never exactly at a bound)",
			      c->text, op);
	c->op = *op == '<' ? SLO_BELOW : SLO_ABOVE;
	*op = 0;
	char *name = trim(text), *value = trim(op + 1);
	if (!*name)
		return errorf(err, errlen, "--slo '%s': no metric before '%c'", c->text, c->op == SLO_BELOW ? '<' : '>');
	if (strcspn(name, " \t") != strlen(name))
		return errorf(err, errlen, "--slo '%s': '%s' is not one metric name", c->text, name);
	if (strlen(name) >= sizeof(c->metric))
		return errorf(err, errlen, "--slo '%s': metric name too long", c->text);
	snprintf(c->metric, sizeof(c->metric), "%s", name);
	if (!name_known(c->metric)) {
		char alt[STORE_NAME_MAX];
		if (!name_from_hist(c->metric, alt, sizeof(alt)) || !name_known(alt))
			return errorf(err, errlen, "--slo '%s': %s: no run carries such a metric (`vmsweep export"
				      " --list-metrics` lists them; fio's are fio.<job>.<read|write>.<name>, and"
				      " the job may be left out: write.clat_p99_ns)", c->text, c->metric);
		snprintf(c->metric, sizeof(c->metric), "%s", alt);
	}
	if (!*value)
		return errorf(err, errlen, "--slo '%s': no value after the comparison", c->text);
	return value_parse(c, value, &c->value, err, errlen);
}

int slo_parse(const char *text, struct slo *s, char *err, size_t errlen)
{
	char *copy = strdup(text ? text : ""), *p;
	int r = 0;
	memset(s, 0, sizeof(*s));
	if (!copy)
		return errorf(err, errlen, "out of memory");
	if (!*trim(copy)) {
		free(copy);
		return errorf(err, errlen, "--slo: empty (write e.g. 'fio.w.write.clat_p99_ns < 10ms')");
	}
	p = copy;
	for (;;) {
		/* the next " and " or "&&" ends this condition */
		char *and = NULL, *amp = strstr(p, "&&");
		for (char *q = p; (q = strstr(q, "and")); q += 3)
			if ((q == p || isspace((unsigned char)q[-1])) && (!q[3] || isspace((unsigned char)q[3]))) {
				and = q;
				break;
			}
		char *cut = and && (!amp || and < amp) ? and : amp;
		size_t skip = cut == and ? 3 : 2;
		if (cut)
			*cut = 0;
		if (s->n == SLO_MAX_CONDS) {
			r = errorf(err, errlen, "--slo: more than %d conditions", SLO_MAX_CONDS);
			break;
		}
		if ((r = cond_parse(p, &s->conds[s->n], err, errlen)))
			break;
		s->n++;
		if (!cut)
			break;
		p = cut + skip;
	}
	free(copy);
	return r;
}

/* A time in the largest unit that keeps it short: 10ms, 250us, 1.5s. */
static void time_format(double ns, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		double ns;
	} t[] = { { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 } };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (fabs(ns) >= t[i].ns) {
			snprintf(buf, len, "%.6g%s", ns / t[i].ns, t[i].unit);
			return;
		}
	snprintf(buf, len, "%.6gns", ns);
}

void slo_value_format(const struct slo_cond *c, double v, char *buf, size_t len)
{
	if (metric_is_time(c->metric) && isfinite(v))
		time_format(v, buf, len);
	else
		snprintf(buf, len, "%.6g", v);
}

void slo_format(const struct slo *s, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < s->n && off < len; i++) {
		char v[64];
		slo_value_format(&s->conds[i], s->conds[i].value, v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "%s%s %c %s", i ? " and " : "", s->conds[i].metric,
					s->conds[i].op == SLO_BELOW ? '<' : '>', v);
	}
}

double slo_alpha(const struct slo *s, double confidence)
{
	return (1 - confidence) / (double)(s->n ? s->n : 1);
}

void slo_cond_check(const struct slo_cond *c, const double *values, size_t n, double alpha, struct slo_check *out)
{
	struct sample_stats st;
	stats_compute(values, n, &st);
	memset(out, 0, sizeof(*out));
	out->n = st.n;
	out->mean = st.mean;
	out->sd = st.stddev;
	out->verdict = SLO_UNSURE;
	out->bound = out->other = NAN;
	if (!st.n)
		return;
	double half;
	if (st.n >= 2)
		half = st.stddev == 0 ? 0 : gsl_cdf_tdist_Qinv(alpha, (double)(st.n - 1)) * st.stddev / sqrt((double)st.n);
	else
		return; /* one value: no spread known, however it lies */
	double hi = st.mean + half, lo = st.mean - half;
	if (c->op == SLO_BELOW) {
		out->bound = hi;
		out->other = lo;
		out->verdict = hi < c->value ? SLO_PASS : lo >= c->value ? SLO_FAIL : SLO_UNSURE;
	} else {
		out->bound = lo;
		out->other = hi;
		out->verdict = lo > c->value ? SLO_PASS : hi <= c->value ? SLO_FAIL : SLO_UNSURE;
	}
}

enum slo_verdict slo_combine(const struct slo_check *checks, size_t n)
{
	enum slo_verdict v = SLO_PASS;
	for (size_t i = 0; i < n; i++) {
		if (checks[i].verdict == SLO_FAIL)
			return SLO_FAIL;
		if (checks[i].verdict == SLO_UNSURE)
			v = SLO_UNSURE;
	}
	return v;
}

const char *slo_verdict_name(enum slo_verdict v)
{
	return v == SLO_PASS ? "pass" : v == SLO_FAIL ? "fail" : "inconclusive";
}

int slo_metric_resolve(const struct slo_cond *c, char *const *names, size_t n, char *out, size_t outlen, char *err,
		       size_t errlen)
{
	const char *found = NULL, *second = NULL;
	size_t ml = strlen(c->metric);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], c->metric)) {
			snprintf(out, outlen, "%s", names[i]);
			return 0;
		}
	if (strncmp(c->metric, "fio.", 4))
		for (size_t i = 0; i < n; i++) {
			size_t nl = strlen(names[i]);
			/* fio.<job>.<metric>: the job's name has no dot of its own in between */
			if (strncmp(names[i], "fio.", 4) || nl <= ml + 5 || strcmp(names[i] + nl - ml, c->metric) ||
			    names[i][nl - ml - 1] != '.' || memchr(names[i] + 4, '.', nl - ml - 5))
				continue;
			if (found && !second)
				second = names[i];
			else if (!found)
				found = names[i];
		}
	if (second)
		return errorf(err, errlen, "--slo '%s': %s is %s and %s (and perhaps more): name the job, e.g. %s",
			      c->text, c->metric, found, second, found);
	if (!found)
		return errorf(err, errlen, "--slo '%s': the runs recorded no %s%s", c->text, c->metric,
			      strncmp(c->metric, "fio.", 4) ? " under any fio job" : "");
	snprintf(out, outlen, "%s", found);
	return 0;
}
