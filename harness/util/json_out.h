/*
 * A JSON object written member by member, byte for byte as json_dumpf(obj, f,
 * JSON_INDENT(2) | JSON_PRESERVE_ORDER) writes it whole. Each member's value is built
 * as a jansson value and freed once written, and an array too long to build whole (a
 * time series) is written element by element: a summary costs the memory of its
 * largest member rather than of all of it. (A vmstat sample as a jansson object takes
 * about 18 times its bytes in the guest's ring; 100000 samples would take ~550 MB.)
 *
 * A value that could not be built (NULL: out of memory, a string that is not UTF-8, a
 * NaN) fails the document: json_out_end returns -1, and the command must fail rather
 * than print a document with a hole in it, or nothing, and exit 0.
 */
#ifndef UTIL_JSON_OUT_H
#define UTIL_JSON_OUT_H
#include <jansson.h>
#include <stdio.h>

#define JSON_OUT_DEPTH_MAX 4 /* objects open inside the document's own */

struct json_out {
	FILE *f;
	size_t members; /* written in the document's object so far */
	size_t elems; /* in the open array */
	int in_array;
	int failed; /* something could not be built or written */
	unsigned depth; /* objects open inside the document's (json_out_object_begin) */
	size_t nested_members[JSON_OUT_DEPTH_MAX]; /* written in each of them so far */
};

/* Opens the object on f. */
void json_out_begin(struct json_out *o, FILE *f);
/* "key": value, then value is released (a reference stolen, as json_object_set_new
 * does); NULL fails the document. */
void json_out_member(struct json_out *o, const char *key, json_t *value);
/* "key": [ ... ], element by element; each element is stolen, NULL fails the document. */
void json_out_array_begin(struct json_out *o, const char *key);
void json_out_array_add(struct json_out *o, json_t *elem);
void json_out_array_end(struct json_out *o);
/* "key": { ... }, member by member: the members and arrays that follow go into it until
 * json_out_object_end (a family's object that holds a long series). Deeper than
 * JSON_OUT_DEPTH_MAX fails the document. */
void json_out_object_begin(struct json_out *o, const char *key);
void json_out_object_end(struct json_out *o);
/* Closes the object (and a newline); -1 when anything failed, the writes included. */
int json_out_end(struct json_out *o);

/* Building a member: obj[key] = value (stolen), returning obj. When anything fails (obj
 * or value NULL, out of memory) both are released and the result is NULL, so that the
 * failure reaches json_out_member instead of leaving a silent hole. */
json_t *json_put(json_t *obj, const char *key, json_t *value);
/* The same, appending elem to the array arr. */
json_t *json_push(json_t *arr, json_t *elem);
#endif
