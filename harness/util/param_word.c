/* Parameter values as words: the word knobs' and the fio options' (fio.rw). */
#include <string.h>

#include "fio/sweep_options.h"
#include "util/knob.h"
#include "util/param_word.h"

static int fio_option_of(const char *param)
{
	size_t n = strlen(FIO_PARAM_PREFIX);
	return strncmp(param, FIO_PARAM_PREFIX, n) ? -1 : fio_sweep_option_find(param + n);
}

bool param_has_words(const char *param)
{
	int knob = knob_find(param), opt = fio_option_of(param);
	return (knob >= 0 && knob_words(knob)) || (opt >= 0 && !fio_sweep_option_ranges(opt));
}

const char *param_value_word(const char *param, int64_t v)
{
	int knob = knob_find(param), opt = fio_option_of(param);
	if (knob >= 0)
		return knob_value_word(knob, v);
	return opt >= 0 ? fio_sweep_value_word(opt, v) : NULL;
}
