/*
 * The fio options a sweep may vary, as parameters named "fio.<option>" (fio.iodepth,
 * fio.bs, ...): each value is stored as an integer (sizes in bytes, rw as enum vms_rw)
 * and given back to the job compiler as the option's text, set in every job section
 * after the section's own options, as if the job file said so.
 */
#ifndef FIO_SWEEP_OPTIONS_H
#define FIO_SWEEP_OPTIONS_H
#include <stddef.h>
#include <stdint.h>

#define FIO_PARAM_PREFIX "fio."

/* Index of option name (without the prefix) in the table, or -1. */
int fio_sweep_option_find(const char *name);
/* The closest option name to a mistyped one, or NULL. */
const char *fio_sweep_option_suggest(const char *name);
/* "iodepth, bs, rw, ..." for messages. */
const char *fio_sweep_option_list(void);
const char *fio_sweep_option_name(int opt);
/* A value as written in a sweep ("4k", "randread", "16"): 0, or -1 with cause. */
int fio_sweep_value_parse(int opt, const char *text, int64_t *v, char *cause, size_t len);
/* Whether START..END step STEP ranges make sense for it (numbers and sizes, not words). */
int fio_sweep_option_ranges(int opt);
/* The value as fio's job file would say it, for the compiler ("4096", "randread"). */
const char *fio_sweep_value_text(int opt, int64_t v, char *buf, size_t len);
/* For people: "4k", "randread", "16". */
const char *fio_sweep_value_format(int opt, int64_t v, char *buf, size_t len);
/* The word of a word option's value (rw), NULL otherwise: what export and the report print. */
const char *fio_sweep_value_word(int opt, int64_t v);
#endif
