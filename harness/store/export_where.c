/*
 * --where EXPR: which runs `vmsweep export` writes. The grammar, loosest binding first:
 *
 *   expr     := and { '||' and }
 *   and      := unary { '&&' unary }
 *   unary    := '!' unary | '(' expr ')' | compare
 *   compare  := NAME op VALUE          op: == != < <= > >=
 *
 * NAME is a column: run, point, rep, status, a parameter, seed, wall_ms, started, ended,
 * exit_status, cause, or a metric. VALUE is a word (any characters but blanks, quotes,
 * parentheses, commas and ! & | < > =) or a quoted string ('...' or "..."), read as the
 * column reads its values:
 *   - a parameter as [params] writes it: a knob's value as --set takes it (a duration
 *     for ms knobs, a size for KiB knobs, a word for watermark_model), memory as a size
 *     (64M), vcpus and hz as integers;
 *   - status: planned, done or failed; cause: an fnmatch(3) pattern ('timeout*');
 *   - seed: an unsigned 64-bit integer, compared exactly;
 *   - wall_ms, started, ended and metrics: numbers.
 * Words (status, cause, word knobs) take only == and !=: their order means nothing.
 * A comparison with a value the run does not have (a planned run's wall_ms, a metric it
 * did not record) is false, whatever the operator.
 *
 * Why not the constraint expressions of sweep configs (sweep/expr.h): those are integer
 * arithmetic over parameters, while a filter compares words, reals and 64-bit unsigned
 * seeds; and the store does not reach up into sweep/.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/export_internal.h"
#include "store/store.h"
#include "util/array.h"
#include "util/error.h"
#include "util/knob.h"
#include "util/parse.h"
#include "util/suggest.h"

/* Deeper nesting than this is no filter anyone writes; it bounds the recursion. */
#define WHERE_DEPTH_MAX 64

enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
static const char *const cmp_text[] = { "==", "!=", "<", "<=", ">", ">=" };

/* What a name stands for, and so how its value is read and compared. */
enum where_kind {
	K_ID, /* run, point, rep (idx 0..2): integers */
	K_STATUS,
	K_PARAM, /* idx: the parameter; integers (a word knob's words are its numbers) */
	K_SEED, /* unsigned */
	K_REAL, /* wall_ms, started, ended (idx: enum export_run_col) */
	K_EXIT,
	K_CAUSE, /* a pattern */
	K_METRIC, /* idx: the metric */
};

enum node_op { N_CMP, N_NOT, N_AND, N_OR };

struct where_node {
	enum node_op op;
	int a, b; /* operands (node indexes) of N_NOT, N_AND, N_OR */
	enum where_kind kind;
	size_t idx;
	enum cmp_op cmp;
	int64_t i; /* K_ID, K_PARAM, K_EXIT */
	uint64_t u; /* K_SEED */
	double d; /* K_REAL, K_METRIC */
	char *s; /* K_STATUS, K_CAUSE */
};

struct export_where {
	struct where_node *nodes;
	size_t n, cap;
	int root;
};

enum tok_kind { T_END, T_WORD, T_STRING, T_LP, T_RP, T_NOT, T_AND, T_OR, T_CMP };

struct parser {
	const char *text;
	size_t pos; /* after the current token */
	enum tok_kind kind;
	size_t start, len; /* the current token; a string's without its quotes */
	enum cmp_op cmp;
	unsigned depth;
	const struct export_table *t;
	struct export_where *w;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	int off = snprintf(p->err, p->errlen, "column %zu: ", at + 1);
	if (off >= 0 && (size_t)off < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + off, p->errlen - (size_t)off, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool word_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr("()!&|<>=,'\"", c);
}

static int lex_next(struct parser *p)
{
	const char *t = p->text;
	size_t i = p->pos;
	while (isspace((unsigned char)t[i]))
		i++;
	p->start = i;
	p->len = 1;
	if (!t[i]) {
		p->kind = T_END;
		p->len = 0;
	} else if (t[i] == '\'' || t[i] == '"') {
		const char *close = strchr(t + i + 1, t[i]);
		if (!close)
			return fail(p, i, "the quote %c is not closed", t[i]);
		p->kind = T_STRING;
		p->start = i + 1;
		p->len = (size_t)(close - (t + i + 1));
		p->pos = (size_t)(close - t) + 1;
		return 0;
	} else if (word_char(t[i])) {
		p->kind = T_WORD;
		while (word_char(t[i + p->len]))
			p->len++;
	} else if (t[i] == '(' || t[i] == ')') {
		p->kind = t[i] == '(' ? T_LP : T_RP;
	} else if ((t[i] == '&' || t[i] == '|') && t[i + 1] == t[i]) {
		p->kind = t[i] == '&' ? T_AND : T_OR;
		p->len = 2;
	} else if (t[i] == '&' || t[i] == '|') {
		return fail(p, i, "'%c' alone is not an operator: write '%c%c'", t[i], t[i], t[i]);
	} else if (t[i] == ',') {
		return fail(p, i, "unexpected ',' (join comparisons with '&&' or '||')");
	} else {
		/* ! = < >, alone or followed by '=' */
		bool eq = t[i + 1] == '=';
		p->kind = T_CMP;
		p->len = eq ? 2 : 1;
		if (t[i] == '!' && !eq)
			p->kind = T_NOT;
		else if (t[i] == '=' && !eq)
			return fail(p, i, "'=' is not a comparison: write '=='");
		else
			p->cmp = t[i] == '=' ? OP_EQ : t[i] == '!' ? OP_NE : t[i] == '<' ? (eq ? OP_LE : OP_LT)
											: (eq ? OP_GE : OP_GT);
	}
	p->pos = p->start + p->len;
	return 0;
}

/* The current token, for messages. */
static const char *tok_desc(const struct parser *p, char *buf, size_t len)
{
	if (p->kind == T_END)
		return "the end";
	if (p->kind == T_STRING)
		snprintf(buf, len, "the string '%.*s'", (int)(p->len < 60 ? p->len : 60), p->text + p->start);
	else
		snprintf(buf, len, "'%.*s'", (int)(p->len < 60 ? p->len : 60), p->text + p->start);
	return buf;
}

static int node_add(struct parser *p, struct where_node n, size_t at)
{
	struct export_where *w = p->w;
	if (array_grow((void **)&w->nodes, &w->cap, w->n + 1, sizeof(*w->nodes))) {
		free(n.s);
		return fail(p, at, "out of memory");
	}
	w->nodes[w->n] = n;
	return (int)w->n++;
}

/* What name stands for: 0, or -1 when it is no column of the table. */
static int name_resolve(const struct export_table *t, const char *name, enum where_kind *kind, size_t *idx)
{
	long i;
	for (size_t k = 0; k < EXPORT_NR_ID_COLS; k++)
		if (!strcmp(name, export_id_col_names[k])) {
			*kind = k < 3 ? K_ID : K_STATUS;
			*idx = k;
			return 0;
		}
	if ((i = export_param_find(t, name)) >= 0) {
		*kind = K_PARAM;
		*idx = (size_t)i;
		return 0;
	}
	for (size_t k = 0; k < EXPORT_NR_RUN_COLS; k++)
		if (!strcmp(name, export_run_col_names[k])) {
			*kind = k == EXPORT_SEED	  ? K_SEED
				: k == EXPORT_EXIT_STATUS ? K_EXIT
				: k == EXPORT_CAUSE	  ? K_CAUSE
							  : K_REAL;
			*idx = k;
			return 0;
		}
	if ((i = export_metric_find(t, name)) >= 0) {
		*kind = K_METRIC;
		*idx = (size_t)i;
		return 0;
	}
	return -1;
}

static int name_unknown(struct parser *p, const char *name, size_t at)
{
	const struct export_table *t = p->t;
	size_t n = 0;
	const char **names = malloc((EXPORT_NR_ID_COLS + t->nr_params + EXPORT_NR_RUN_COLS + t->nr_metrics) *
				    sizeof(*names));
	if (!names)
		return fail(p, at, "out of memory");
	for (size_t k = 0; k < EXPORT_NR_ID_COLS; k++)
		names[n++] = export_id_col_names[k];
	for (size_t k = 0; k < t->nr_params; k++)
		names[n++] = t->params[k];
	for (size_t k = 0; k < EXPORT_NR_RUN_COLS; k++)
		names[n++] = export_run_col_names[k];
	for (size_t k = 0; k < t->nr_metrics; k++)
		names[n++] = t->metric_names[k];
	const char *hint = name_suggest(name, names, n);
	free(names);
	if (hint)
		return fail(p, at, "unknown name '%s' (did you mean '%s'?)", name, hint);
	if (isdigit((unsigned char)*name) || *name == '-' || *name == '.')
		return fail(p, at, "expected a name, found '%s': a comparison is NAME OP VALUE, the name first", name);
	if (metric_name_known(name))
		return fail(p, at, "metric '%s' is in no run of this sweep", name);
	char params[256] = "";
	size_t off = 0;
	for (size_t k = 0; k < t->nr_params && off < sizeof(params); k++)
		off += (size_t)snprintf(params + off, sizeof(params) - off, "%s%s", k ? ", " : "", t->params[k]);
	return fail(p, at,
		    "unknown name '%s': not a parameter of this sweep (%s), a run column (run, point, rep, status, "
		    "seed, wall_ms, started, ended, exit_status, cause) or a metric of its runs (the export's header)",
		    name, t->nr_params ? params : "it sweeps none");
}

/* A knob's value as --set and [params] read it; cause without the "--set k=v: " that
 * knob_set puts first, since the caller quotes the value. */
static int knob_value_read(int knob, const char *text, int64_t *v, char *cause, size_t len)
{
	int64_t tmp[VMS_KNOB_COUNT];
	char *kv = NULL, why[512];
	knob_defaults(tmp);
	if (asprintf(&kv, "%s=%s", knob_table[knob].name, text) < 0)
		return errorf(cause, len, "out of memory");
	int r = knob_set(tmp, kv, why, sizeof(why));
	if (r) {
		size_t pl = strlen("--set ") + strlen(kv) + 2;
		bool strip = strlen(why) >= pl && !strncmp(why, "--set ", 6);
		errorf(cause, len, "'%s': %s", text, strip ? why + pl : why);
	}
	free(kv);
	*v = tmp[knob];
	return r;
}

/* Parameter k's value: as [params] writes it. */
static int param_value_read(const struct export_table *t, size_t k, const char *text, int64_t *v, char *cause,
			    size_t len)
{
	int knob = knob_find(t->params[k]);
	uint64_t u;
	if (knob >= 0)
		return knob_value_read(knob, text, v, cause, len);
	if (!strcmp(t->params[k], "memory")) {
		if (parse_size(text, &u, cause, len))
			return -1;
		if (u > INT64_MAX)
			return errorf(cause, len, "'%s' is too large", text);
		*v = (int64_t)u;
		return 0;
	}
	return parse_int_range(text, INT64_MIN, INT64_MAX, v, cause, len);
}

/* An unsigned 64-bit integer, decimal or 0x hex (a leading 0 is still decimal). */
static int u64_read(const char *text, uint64_t *v, char *cause, size_t len)
{
	bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
	const char *digits = hex ? text + 2 : text;
	char *end;
	errno = 0;
	if (!isxdigit((unsigned char)*digits))
		return errorf(cause, len, "'%s': expected an unsigned integer", text);
	*v = strtoull(digits, &end, hex ? 16 : 10);
	if (*end)
		return errorf(cause, len, "'%s': expected an unsigned integer", text);
	if (errno == ERANGE)
		return errorf(cause, len, "'%s': larger than 2^64 - 1", text);
	return 0;
}

static int real_read(const char *text, double *v, char *cause, size_t len)
{
	char *end;
	*v = strtod(text, &end);
	if (end == text || *end || !isfinite(*v))
		return errorf(cause, len, "'%s': expected a number", text);
	return 0;
}

static int status_read(const char *text, char *cause, size_t len)
{
	static const char *const names[] = { "planned", "done", "failed", "skipped" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(text, names[i]))
			return 0;
	const char *hint = name_suggest(text, names, sizeof(names) / sizeof(names[0]));
	if (hint)
		return errorf(cause, len, "'%s' is not a status (did you mean '%s'?)", text, hint);
	return errorf(cause, len, "'%s' is not a status: planned, done, failed or skipped", text);
}

/* The value of a comparison on name (of kind, idx) into n. */
static int value_read(struct parser *p, const char *name, const char *text, struct where_node *n, size_t at)
{
	char cause[768];
	int r = 0;
	bool words = n->kind == K_STATUS || n->kind == K_CAUSE ||
		     (n->kind == K_PARAM && p->t->word_knob[n->idx] >= 0);
	if (words && n->cmp != OP_EQ && n->cmp != OP_NE)
		return fail(p, at, "'%s' orders numbers: %s takes == or !=", cmp_text[n->cmp], name);
	switch (n->kind) {
	case K_ID:
	case K_EXIT: r = parse_int_range(text, INT64_MIN, INT64_MAX, &n->i, cause, sizeof(cause)); break;
	case K_PARAM: r = param_value_read(p->t, n->idx, text, &n->i, cause, sizeof(cause)); break;
	case K_SEED: r = u64_read(text, &n->u, cause, sizeof(cause)); break;
	case K_REAL:
	case K_METRIC: r = real_read(text, &n->d, cause, sizeof(cause)); break;
	case K_STATUS: r = status_read(text, cause, sizeof(cause)); break;
	case K_CAUSE: break;
	}
	if (r)
		return fail(p, at, "%s: %s", name, cause);
	if ((n->kind == K_STATUS || n->kind == K_CAUSE) && !(n->s = strdup(text)))
		return fail(p, at, "out of memory");
	return 0;
}

static int parse_or(struct parser *p);

/* NAME op VALUE */
static int parse_compare(struct parser *p)
{
	char buf[96], *name = NULL, *value = NULL;
	struct where_node n = { .op = N_CMP, .a = -1, .b = -1 };
	size_t at = p->start, vat;
	int ret = -1;

	if (p->kind != T_WORD)
		return fail(p, at, "expected a name, '!' or '(', found %s", tok_desc(p, buf, sizeof(buf)));
	if (!(name = strndup(p->text + at, p->len)))
		return fail(p, at, "out of memory");
	if (name_resolve(p->t, name, &n.kind, &n.idx)) {
		name_unknown(p, name, at);
		goto out;
	}
	if (lex_next(p))
		goto out;
	if (p->kind != T_CMP) {
		fail(p, p->start, "expected a comparison (==, !=, <, <=, >, >=) after '%s', found %s", name,
		     tok_desc(p, buf, sizeof(buf)));
		goto out;
	}
	n.cmp = p->cmp;
	if (lex_next(p))
		goto out;
	vat = p->kind == T_STRING ? p->start - 1 : p->start;
	if (p->kind != T_WORD && p->kind != T_STRING) {
		fail(p, vat, "expected a value after '%s %s', found %s", name, cmp_text[n.cmp],
		     tok_desc(p, buf, sizeof(buf)));
		goto out;
	}
	if (!(value = strndup(p->text + p->start, p->len))) {
		fail(p, vat, "out of memory");
		goto out;
	}
	if (value_read(p, name, value, &n, vat) || lex_next(p)) {
		free(n.s);
		goto out;
	}
	ret = node_add(p, n, at);
out:
	free(name);
	free(value);
	return ret;
}

static int parse_unary(struct parser *p)
{
	char buf[96];
	size_t at = p->start;
	int n;
	if (++p->depth > WHERE_DEPTH_MAX)
		return fail(p, at, "nested more than %d deep", WHERE_DEPTH_MAX);
	if (p->kind == T_NOT) {
		n = lex_next(p) ? -1 : parse_unary(p);
		if (n >= 0)
			n = node_add(p, (struct where_node){ .op = N_NOT, .a = n, .b = -1 }, at);
	} else if (p->kind == T_LP) {
		n = lex_next(p) ? -1 : parse_or(p);
		if (n >= 0 && p->kind != T_RP)
			n = fail(p, p->start, "expected ')' to close the '(' at column %zu, found %s", at + 1,
				 tok_desc(p, buf, sizeof(buf)));
		else if (n >= 0 && lex_next(p))
			n = -1;
	} else {
		n = parse_compare(p);
	}
	p->depth--;
	return n;
}

static int parse_and(struct parser *p)
{
	int left = parse_unary(p);
	while (left >= 0 && p->kind == T_AND) {
		size_t at = p->start;
		int right = lex_next(p) ? -1 : parse_unary(p);
		left = right < 0 ? -1 : node_add(p, (struct where_node){ .op = N_AND, .a = left, .b = right }, at);
	}
	return left;
}

static int parse_or(struct parser *p)
{
	int left = parse_and(p);
	while (left >= 0 && p->kind == T_OR) {
		size_t at = p->start;
		int right = lex_next(p) ? -1 : parse_and(p);
		left = right < 0 ? -1 : node_add(p, (struct where_node){ .op = N_OR, .a = left, .b = right }, at);
	}
	return left;
}

int export_where_parse(const char *text, const struct export_table *t, struct export_where **out, char *err,
		       size_t errlen)
{
	char buf[96];
	struct parser p = { .text = text, .t = t, .err = err, .errlen = errlen };
	*out = NULL;
	if (!(p.w = calloc(1, sizeof(*p.w))))
		return errorf(err, errlen, "out of memory");
	if (lex_next(&p))
		goto bad;
	if (p.kind == T_END) {
		fail(&p, 0, "an empty expression (it would keep every run: leave --where out)");
		goto bad;
	}
	if ((p.w->root = parse_or(&p)) < 0)
		goto bad;
	if (p.kind != T_END) {
		fail(&p, p.start, "unexpected %s after a complete comparison (missing '&&' or '||'?)",
		     tok_desc(&p, buf, sizeof(buf)));
		goto bad;
	}
	*out = p.w;
	return 0;
bad:
	export_where_free(p.w);
	return -1;
}

#define CMP(a, op, b)                         \
	((op) == OP_EQ ? (a) == (b)           \
	 : (op) == OP_NE ? (a) != (b)         \
	 : (op) == OP_LT ? (a) < (b)          \
	 : (op) == OP_LE ? (a) <= (b)         \
	 : (op) == OP_GT ? (a) > (b) : (a) >= (b))

static bool compare(const struct where_node *n, const struct export_row *r)
{
	double d = NAN;
	switch (n->kind) {
	case K_ID: {
		int64_t v = n->idx == 0 ? r->id : n->idx == 1 ? r->point : r->rep;
		return CMP(v, n->cmp, n->i);
	}
	case K_STATUS: return (strcmp(r->status, n->s) == 0) == (n->cmp == OP_EQ);
	case K_PARAM: return r->values && CMP(r->values[n->idx], n->cmp, n->i);
	case K_SEED: return CMP(r->seed, n->cmp, n->u);
	case K_EXIT: return r->has_exit && CMP(r->exit_status, n->cmp, n->i);
	case K_CAUSE: return (fnmatch(n->s, r->cause, 0) == 0) == (n->cmp == OP_EQ);
	case K_REAL:
		d = n->idx == EXPORT_WALL_MS ? r->wall_ms : n->idx == EXPORT_STARTED ? r->started : r->ended;
		break;
	case K_METRIC:
		if (!r->has[n->idx])
			return false;
		d = r->vals[n->idx];
		break;
	}
	return !isnan(d) && CMP(d, n->cmp, n->d);
}

static bool eval(const struct export_where *w, int i, const struct export_row *r)
{
	const struct where_node *n = &w->nodes[i];
	switch (n->op) {
	case N_CMP: return compare(n, r);
	case N_NOT: return !eval(w, n->a, r);
	case N_AND: return eval(w, n->a, r) && eval(w, n->b, r);
	case N_OR: return eval(w, n->a, r) || eval(w, n->b, r);
	}
	return false;
}

bool export_where_match(const struct export_where *w, const struct export_row *r)
{
	return eval(w, w->root, r);
}

void export_where_free(struct export_where *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->nodes[i].s);
	free(w->nodes);
	free(w);
}
