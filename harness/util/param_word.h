/* The word a stored parameter value stands for, for export and the report: the store
 * keeps numbers (watermark_model 1, fio.rw 2), people read words (2.6, randread). */
#ifndef VMSWEEP_UTIL_PARAM_WORD_H
#define VMSWEEP_UTIL_PARAM_WORD_H
#include <stdbool.h>
#include <stdint.h>

/* Whether param's values are words (a word knob, fio.rw). */
bool param_has_words(const char *param);
/* The word of value v of param, or NULL (a parameter of numbers, or v outside its words).
 * topology's ("2x2x1") lives in a per-thread buffer until the next call. */
const char *param_value_word(const char *param, int64_t v);
#endif
