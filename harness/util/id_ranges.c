/* Sets of run ids as "1-3,7,9-12"; see id_ranges.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/error.h"
#include "util/id_ranges.h"

char *id_ranges_format(const size_t *ids, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		if (j == i)
			fprintf(f, "%s%zu", i ? "," : "", ids[i]);
		else
			fprintf(f, "%s%zu-%zu", i ? "," : "", ids[i], ids[j]);
		i = j + 1;
	}
	if (fclose(f))
		return free(text), NULL;
	return text;
}

static int number(const char **p, size_t *v)
{
	char *end;
	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(*p, &end, 10);
	if (errno || x > (size_t)-1 / 2)
		return -1;
	*v = (size_t)x;
	*p = end;
	return 0;
}

int id_ranges_parse(const char *text, size_t **ids, size_t *n, char *err, size_t errlen)
{
	size_t cap = 0, *v = NULL;
	const char *p = text;

	*ids = NULL;
	*n = 0;
	while (*p) {
		const char *item = p;
		size_t a, b;
		if (number(&p, &a))
			goto bad;
		b = a;
		if (*p == '-') {
			p++;
			if (number(&p, &b) || b < a)
				goto bad;
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
		if (*n && a <= v[*n - 1]) {
			free(v);
			return errorf(err, errlen, "'%.*s': ids out of order or repeated", (int)strcspn(item, ","), item);
		}
		for (size_t x = a; x <= b; x++) {
			if (array_grow((void **)&v, &cap, *n + 1, sizeof(*v))) {
				free(v);
				return errorf(err, errlen, "out of memory");
			}
			v[(*n)++] = x;
		}
		continue;
bad:
		free(v);
		*n = 0;
		return errorf(err, errlen, "'%.*s': expected ids as A or A-B, separated by commas", (int)strcspn(item, ","),
			      item);
	}
	*ids = v;
	return 0;
}
