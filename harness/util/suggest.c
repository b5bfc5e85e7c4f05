/* See suggest.h. */
#include "util/suggest.h"

#include <ctype.h>
#include <string.h>

#define SUGGEST_MAX_DIST 3
#define NAME_MAX_LEN 127

unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned rows[3][NAME_MAX_LEN + 1], *pp = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return ~0u;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			unsigned d = prev[j - 1] + (ca != cb);
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && pp[j - 2] + 1 < d)
				d = pp[j - 2] + 1;
			cur[j] = d;
		}
		unsigned *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *name_suggest(const char *name, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	unsigned limit = SUGGEST_MAX_DIST, best_d;

	if (!name)
		return NULL;
	/* Short names are one or two edits from many others: ask for a closer match. */
	if (strlen(name) < 6)
		limit = strlen(name) < 3 ? 1 : 2;
	best_d = limit + 1;
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i])
			continue;
		unsigned d = edit_distance(name, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}
