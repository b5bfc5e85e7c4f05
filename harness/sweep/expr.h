/*
 * Constraint expressions of sweep configs ([constraints]): integers over the swept
 * parameters, with C's operators and precedence, lowest first:
 *   ||   &&   == !=   < <= > >=   + -   * /   unary ! - +
 * and parentheses. Literals are integers ("12", "0x10") or sizes with a unit ("64M",
 * "1G", binary as everywhere in vmsweep). Comparisons and ! give 0 or 1; && and ||
 * short-circuit. A chained comparison ("a < b < c") is refused: in C it means
 * (a < b) < c, never what was meant.
 */
#ifndef SWEEP_EXPR_H
#define SWEEP_EXPR_H
#include <stddef.h>
#include <stdint.h>

struct sweep_expr;

/*
 * Parses text; an identifier must be one of names (names[i] is parameter i, the index
 * into the values given to sweep_expr_eval). Returns 0 with *out, or -1 with *col the
 * 1-based column in text where it went wrong and cause saying why, e.g.
 *   unknown parameter 'dirty_raito' (did you mean 'dirty_ratio'?)
 *   expected ')' to close the '(' at column 3
 * An expression that names no parameter at all is refused too.
 */
int sweep_expr_parse(const char *text, const char *const *names, size_t nr_names, struct sweep_expr **out,
		     unsigned *col, char *cause, size_t causelen);

/*
 * The same, where a parameter's values have names (a knob's words: watermark_model
 * 2.6, blk_completion poll): on the right of == or != after such a parameter a word
 * is its value ("blk_completion != poll"). word(ctx, param, text, &v, cause, len)
 * returns 0 with v, 1 when param has no words, -1 with cause for a word it does not
 * know.
 */
typedef int (*sweep_expr_word_fn)(void *ctx, size_t param, const char *text, int64_t *v, char *cause, size_t len);
int sweep_expr_parse_words(const char *text, const char *const *names, size_t nr_names, sweep_expr_word_fn word,
			   void *ctx, struct sweep_expr **out, unsigned *col, char *cause, size_t causelen);

/* Evaluates e for the parameter values (indexed as names above). 0 and *out, or -1
 * on a division by zero or an overflow, with cause naming the column. */
int sweep_expr_eval(const struct sweep_expr *e, const int64_t *values, int64_t *out, char *cause, size_t causelen);

/* Whether e reads parameter i (for plan output and checks). */
int sweep_expr_uses(const struct sweep_expr *e, size_t param);

void sweep_expr_free(struct sweep_expr *e);

#endif
