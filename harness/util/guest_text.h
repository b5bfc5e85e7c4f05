/*
 * Text the guest wrote (panic messages, task names, its console, symbol names from its
 * ELF), made safe for where it goes. The guest is hostile: its bytes may hold escape
 * sequences that clear an operator's screen or set the terminal's title, and bytes
 * that are not UTF-8, which jansson refuses (one such byte used to empty a whole
 * `--json` summary). Two forms:
 *
 * - terminal (guest_text_terminal, guest_text_print): for a terminal, and for anything
 *   read as plain text later (the store's cause and console, report.md). Valid UTF-8
 *   without control characters: every C0 control other than \n and \t, DEL, every C1
 *   control (U+0080..U+009F) and every byte that is not part of valid UTF-8 is written
 *   as \xNN, one per byte (ESC is the four characters \x1b, so no escape sequence is
 *   left). With GUEST_TEXT_ONE_LINE, \n and \t are written \x0a and \x09 too: for a
 *   name or a one-line message that a newline must not split. A backslash is kept as
 *   it is, so the form is idempotent (safe text passes unchanged); the price is that a
 *   guest's literal "\x1b" reads the same as an escaped ESC.
 * - UTF-8 (guest_text_json): for JSON. The guest's text as it is, except that each
 *   byte that is not part of valid UTF-8 becomes U+FFFD, as jq and Python's
 *   errors="replace" do; controls stay (JSON escapes them as \u001b).
 *
 * Valid UTF-8 is what jansson and RFC 3629 accept: no overlong forms, no surrogates,
 * nothing above U+10FFFF.
 */
#ifndef UTIL_GUEST_TEXT_H
#define UTIL_GUEST_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_t;

#define GUEST_TEXT_ONE_LINE 1u /* escape \n and \t too */

/* The terminal form of src[0, n) in dst[len], always NUL-terminated; when it does not
 * fit, cut before the first character or escape that does not fit whole. Returns dst. */
char *guest_text_terminal(char *dst, size_t len, const char *src, size_t n, unsigned flags);
/* The same, allocated (NULL when out of memory): for a console. */
char *guest_text_terminal_dup(const char *src, size_t n, unsigned flags);
/* Writes the terminal form of src[0, n) to f. */
void guest_text_print(FILE *f, const char *src, size_t n, unsigned flags);
/* The terminal form of the NUL-terminated s, in place: s has room for len bytes. */
void guest_text_terminal_inplace(char *s, size_t len, unsigned flags);

/* A JSON string of the UTF-8 form of src[0, n) (NUL bytes stay, as \u0000); NULL only
 * when out of memory. */
struct json_t *guest_text_json(const char *src, size_t n);
/* The same for a NUL-terminated string of at most max bytes (a fixed-size field). */
struct json_t *guest_text_json_str(const char *s, size_t max);

/* Whether src[0, n) is valid UTF-8. */
bool guest_text_utf8_valid(const char *src, size_t n);
/* How much of src[0, n) to hand on now when more may follow: all of it but a last
 * character that is cut short (at most 3 bytes), which the next chunk may complete. */
size_t guest_text_complete(const char *src, size_t n);
#endif
