/*
 * See expr.h. A recursive-descent parser (one function per precedence level) into a
 * flat array of nodes; evaluation walks the tree with checked arithmetic, since a
 * constraint that overflows silently would filter the grid at random.
 */
#include "sweep/expr.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/parse.h"
#include "util/suggest.h"

/* Deeper nesting than this is not a constraint anyone writes; it bounds the recursion. */
#define EXPR_DEPTH_MAX 64

enum expr_op {
	E_NUM, E_PARAM, E_NOT, E_NEG, E_MUL, E_DIV, E_ADD, E_SUB,
	E_LT, E_LE, E_GT, E_GE, E_EQ, E_NE, E_AND, E_OR,
};

struct expr_node {
	enum expr_op op;
	int64_t v; /* E_NUM: the value; E_PARAM: the parameter's index */
	int a, b; /* operands (node indexes), -1 when unused */
	unsigned col; /* of the operator or operand, for evaluation errors */
};

struct sweep_expr {
	struct expr_node *nodes;
	size_t n, cap;
	int root;
};

enum tok_kind { T_END, T_NUM, T_IDENT, T_LP, T_RP, T_OP };

struct parser {
	const char *text;
	size_t pos; /* after the current token */
	enum tok_kind kind;
	size_t start, len; /* the current token */
	enum expr_op op; /* T_OP */
	int64_t num; /* T_NUM */
	unsigned depth;
	const char *const *names;
	size_t nr_names;
	bool refs;
	sweep_expr_word_fn word;
	void *word_ctx;
	long word_param; /* the parameter on the left of the == or != being parsed, or -1 */
	struct sweep_expr *e;
	unsigned *col;
	char *cause;
	size_t causelen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	*p->col = (unsigned)at + 1;
	if (p->cause && p->causelen) {
		va_start(ap, fmt);
		vsnprintf(p->cause, p->causelen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const struct {
	const char *text;
	enum expr_op op;
} operators[] = {
	/* two-character operators first, so "<=" is not read as "<" */
	{ "<=", E_LE }, { ">=", E_GE }, { "==", E_EQ }, { "!=", E_NE }, { "&&", E_AND }, { "||", E_OR },
	{ "<", E_LT },	{ ">", E_GT },  { "+", E_ADD },  { "-", E_SUB },  { "*", E_MUL },	 { "/", E_DIV },
	{ "!", E_NOT },
};

static int lex_number(struct parser *p)
{
	const char *s = p->text + p->start;
	size_t n = 0;
	char tok[64], why[256];
	int64_t v;
	uint64_t u;

	while (isalnum((unsigned char)s[n]) || s[n] == '.' || s[n] == '_')
		n++;
	p->len = n;
	if (n >= sizeof(tok))
		return fail(p, p->start, "number '%.*s' is too long", (int)n, s);
	memcpy(tok, s, n);
	tok[n] = '\0';
	if (parse_int_range(tok, 0, INT64_MAX, &v, NULL, 0) == 0) {
		p->num = v;
		return 0;
	}
	if (parse_size(tok, &u, why, sizeof(why)))
		return fail(p, p->start, "%s", why);
	if (u > INT64_MAX)
		return fail(p, p->start, "number '%s' is too large", tok);
	p->num = (int64_t)u;
	return 0;
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
	} else if (isdigit((unsigned char)t[i])) {
		p->kind = T_NUM;
		if (lex_number(p))
			return -1;
	} else if (isalpha((unsigned char)t[i]) || t[i] == '_') {
		p->kind = T_IDENT;
		while (isalnum((unsigned char)t[i + p->len]) || t[i + p->len] == '_')
			p->len++;
	} else if (t[i] == '(' || t[i] == ')') {
		p->kind = t[i] == '(' ? T_LP : T_RP;
	} else {
		size_t k;
		for (k = 0; k < sizeof(operators) / sizeof(operators[0]); k++)
			if (!strncmp(t + i, operators[k].text, strlen(operators[k].text)))
				break;
		if (k == sizeof(operators) / sizeof(operators[0])) {
			if (t[i] == '=')
				return fail(p, i, "'=' is not a comparison: write '=='");
			if (t[i] == '&' || t[i] == '|')
				return fail(p, i, "'%c' alone is not an operator: write '%c%c'", t[i], t[i], t[i]);
			return fail(p, i, "unexpected character '%c'", t[i]);
		}
		p->kind = T_OP;
		p->op = operators[k].op;
		p->len = strlen(operators[k].text);
	}
	p->pos = p->start + p->len;
	return 0;
}

static int node_add(struct parser *p, enum expr_op op, int64_t v, int a, int b, size_t col)
{
	struct sweep_expr *e = p->e;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct expr_node *nn = realloc(e->nodes, cap * sizeof(*nn));
		if (!nn)
			return fail(p, col, "out of memory");
		e->nodes = nn;
		e->cap = cap;
	}
	e->nodes[e->n] = (struct expr_node){ op, v, a, b, (unsigned)col + 1 };
	return (int)e->n++;
}

/* The text of the current token, for messages. */
static const char *tok_desc(struct parser *p, char *buf, size_t len)
{
	if (p->kind == T_END)
		return "the end of the line";
	snprintf(buf, len, "'%.*s'", (int)p->len, p->text + p->start);
	return buf;
}

static int parse_level(struct parser *p, int level);

static int parse_primary(struct parser *p)
{
	char buf[80];
	size_t at = p->start;
	int n;

	switch (p->kind) {
	case T_NUM:
		n = node_add(p, E_NUM, p->num, -1, -1, at);
		return n < 0 || lex_next(p) ? -1 : n;
	case T_IDENT:
		for (size_t i = 0; i < p->nr_names; i++) {
			if (strlen(p->names[i]) == p->len && !strncmp(p->names[i], p->text + at, p->len)) {
				p->refs = true;
				n = node_add(p, E_PARAM, (int64_t)i, -1, -1, at);
				return n < 0 || lex_next(p) ? -1 : n;
			}
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)(p->len < 64 ? p->len : 64), p->text + at);
		if (p->word && p->word_param >= 0) {
			char why[256];
			int64_t v;
			int r = p->word(p->word_ctx, (size_t)p->word_param, buf, &v, why, sizeof(why));
			if (r == 0) {
				n = node_add(p, E_NUM, v, -1, -1, at);
				return n < 0 || lex_next(p) ? -1 : n;
			}
			if (r < 0)
				return fail(p, at, "%s: '%s': %s", p->names[p->word_param], buf, why);
		}
		const char *hint = name_suggest(buf, p->names, p->nr_names);
		if (hint)
			return fail(p, at, "unknown parameter '%s' (did you mean '%s'?)", buf, hint);
		return fail(p, at, "unknown parameter '%s' (a constraint compares parameters of [params])", buf);
	case T_LP:
		if (lex_next(p))
			return -1;
		n = parse_level(p, 0);
		if (n < 0)
			return -1;
		if (p->kind != T_RP)
			return fail(p, p->start, "expected ')' to close the '(' at column %zu, found %s", at + 1,
				    tok_desc(p, buf, sizeof(buf)));
		return lex_next(p) ? -1 : n;
	default:
		return fail(p, at, "expected a number, a parameter or '(', found %s", tok_desc(p, buf, sizeof(buf)));
	}
}

static int parse_unary(struct parser *p)
{
	size_t at = p->start;
	int n;

	if (++p->depth > EXPR_DEPTH_MAX)
		return fail(p, at, "nested more than %d deep", EXPR_DEPTH_MAX);
	if (p->kind == T_OP && (p->op == E_NOT || p->op == E_SUB || p->op == E_ADD)) {
		enum expr_op op = p->op;
		if (lex_next(p))
			return -1;
		n = parse_unary(p);
		if (n >= 0 && op != E_ADD)
			n = node_add(p, op == E_NOT ? E_NOT : E_NEG, 0, n, -1, at);
	} else {
		n = parse_primary(p);
	}
	p->depth--;
	return n;
}

/* Binary operators by level, lowest precedence first. */
static bool op_at_level(enum expr_op op, int level)
{
	switch (level) {
	case 0: return op == E_OR;
	case 1: return op == E_AND;
	case 2: return op == E_EQ || op == E_NE;
	case 3: return op == E_LT || op == E_LE || op == E_GT || op == E_GE;
	case 4: return op == E_ADD || op == E_SUB;
	case 5: return op == E_MUL || op == E_DIV;
	}
	return false;
}

static int parse_level(struct parser *p, int level)
{
	if (level > 5)
		return parse_unary(p);
	int left = parse_level(p, level + 1);
	bool compared = false;

	while (left >= 0 && p->kind == T_OP && op_at_level(p->op, level)) {
		enum expr_op op = p->op;
		size_t at = p->start;
		if ((level == 2 || level == 3) && compared)
			return fail(p, at, "chained comparison '%.*s': join two comparisons with '&&'", (int)p->len,
				    p->text + at);
		compared = true;
		if (lex_next(p))
			return -1;
		long outer = p->word_param;
		p->word_param = level == 2 && p->e->nodes[left].op == E_PARAM ? (long)p->e->nodes[left].v : -1;
		int right = parse_level(p, level + 1);
		p->word_param = outer;
		if (right < 0)
			return -1;
		left = node_add(p, op, 0, left, right, at);
	}
	return left;
}

int sweep_expr_parse(const char *text, const char *const *names, size_t nr_names, struct sweep_expr **out,
		     unsigned *col, char *cause, size_t causelen)
{
	return sweep_expr_parse_words(text, names, nr_names, NULL, NULL, out, col, cause, causelen);
}

int sweep_expr_parse_words(const char *text, const char *const *names, size_t nr_names, sweep_expr_word_fn word,
			   void *ctx, struct sweep_expr **out, unsigned *col, char *cause, size_t causelen)
{
	char buf[80];
	unsigned dummy;
	struct parser p = { .text = text, .names = names, .nr_names = nr_names, .word = word, .word_ctx = ctx,
			    .word_param = -1, .col = col ? col : &dummy, .cause = cause, .causelen = causelen };

	*out = NULL;
	p.e = calloc(1, sizeof(*p.e));
	if (!p.e)
		return fail(&p, 0, "out of memory");
	if (lex_next(&p))
		goto bad;
	if (p.kind == T_END) {
		fail(&p, 0, "empty constraint");
		goto bad;
	}
	p.e->root = parse_level(&p, 0);
	if (p.e->root < 0)
		goto bad;
	if (p.kind != T_END) {
		fail(&p, p.start, "unexpected %s after a complete expression (missing an operator?)",
		     tok_desc(&p, buf, sizeof(buf)));
		goto bad;
	}
	if (!p.refs) {
		fail(&p, 0, "'%s' refers to no parameter (it is the same for every point)", text);
		goto bad;
	}
	*out = p.e;
	return 0;
bad:
	sweep_expr_free(p.e);
	return -1;
}

static int eval_node(const struct sweep_expr *e, int i, const int64_t *values, int64_t *out, char *cause,
		     size_t len)
{
	const struct expr_node *n = &e->nodes[i];
	int64_t a, b = 0;

	if (n->op == E_NUM) {
		*out = n->v;
		return 0;
	}
	if (n->op == E_PARAM) {
		*out = values[n->v];
		return 0;
	}
	if (eval_node(e, n->a, values, &a, cause, len))
		return -1;
	/* && and || do not evaluate their right side when the left decides. */
	if ((n->op == E_AND && !a) || (n->op == E_OR && a)) {
		*out = n->op == E_OR;
		return 0;
	}
	if (n->b >= 0 && eval_node(e, n->b, values, &b, cause, len))
		return -1;
	bool ovf = false;
	switch (n->op) {
	case E_NOT: *out = !a; break;
	case E_NEG: ovf = __builtin_sub_overflow((int64_t)0, a, out); break;
	case E_ADD: ovf = __builtin_add_overflow(a, b, out); break;
	case E_SUB: ovf = __builtin_sub_overflow(a, b, out); break;
	case E_MUL: ovf = __builtin_mul_overflow(a, b, out); break;
	case E_DIV:
		if (b == 0)
			return errorf(cause, len, "division by zero at column %u", n->col);
		ovf = a == INT64_MIN && b == -1;
		if (!ovf)
			*out = a / b;
		break;
	case E_LT: *out = a < b; break;
	case E_LE: *out = a <= b; break;
	case E_GT: *out = a > b; break;
	case E_GE: *out = a >= b; break;
	case E_EQ: *out = a == b; break;
	case E_NE: *out = a != b; break;
	case E_AND:
	case E_OR: *out = b != 0; break;
	default: return errorf(cause, len, "internal: bad node");
	}
	if (ovf)
		return errorf(cause, len, "arithmetic overflow at column %u", n->col);
	return 0;
}

int sweep_expr_eval(const struct sweep_expr *e, const int64_t *values, int64_t *out, char *cause, size_t causelen)
{
	return eval_node(e, e->root, values, out, cause, causelen);
}

int sweep_expr_uses(const struct sweep_expr *e, size_t param)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->nodes[i].op == E_PARAM && (size_t)e->nodes[i].v == param)
			return 1;
	return 0;
}

void sweep_expr_free(struct sweep_expr *e)
{
	if (!e)
		return;
	free(e->nodes);
	free(e);
}
