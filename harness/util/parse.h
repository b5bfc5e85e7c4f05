/*
 * Parsing of command-line values with units (sizes, durations, bounded integers).
 * Each parser returns 0 on success and -1 on error; on error, err (if errlen > 0)
 * receives a message that quotes the value and says what is wrong with it, e.g.
 *   invalid size '12X': unknown unit 'X' (use K, M, G or T)
 */
#ifndef VMSWEEP_UTIL_PARSE_H
#define VMSWEEP_UTIL_PARSE_H
#include <stddef.h>
#include <stdint.h>

/*
 * Sizes in bytes: "4096", "512k", "16M", "16MiB", "16MB", "1G", "2T", "512B".
 * Suffixes k/m/g/t are case-insensitive and binary, with an optional "i", "b" or "ib"
 * ("16MB" is 16 MiB, as fio and qemu treat it). A fraction is accepted when the result
 * is a whole number of bytes ("1.5G", not "1.3k"). A space may separate number and unit.
 * Rejects empty, negative, junk after the unit and overflow of uint64.
 */
int parse_size(const char *s, uint64_t *out, char *err, size_t errlen);

/*
 * Durations in nanoseconds: "30s" (or "30sec"), "500ms", "250us" (or "250µs"), "100ns",
 * "2m" (or "2min"), "1h", "1.5s"; a plain number is seconds. Units are case-insensitive;
 * a space may separate number and unit. Fractions below a nanosecond are truncated.
 * Rejects empty, negative, junk after the unit and overflow of uint64.
 */
int parse_duration_ns(const char *s, uint64_t *out, char *err, size_t errlen);

/*
 * Integers: "12", "-3", "+7", "0x10" (hex with 0x; a leading 0 is still decimal, so
 * "010" is 10). Rejects empty, junk, and values outside [min, max].
 */
int parse_int_range(const char *s, int64_t min, int64_t max, int64_t *out, char *err, size_t errlen);

/* Strips leading and trailing blanks in place; returns the first kept character. */
char *str_trim(char *s);

/*
 * Formats bytes for people: "512 B", "128 MiB", "1.5 GiB" (at most two decimals,
 * trailing zeros dropped). Returns buf.
 */
const char *format_size(uint64_t bytes, char *buf, size_t len);

#endif
