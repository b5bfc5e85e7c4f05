/* See json_out.h: a JSON object streamed member by member, as jansson would indent it. */
#include <string.h>

#include "util/json_out.h"

#define JSON_OUT_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

struct indent_ctx {
	FILE *f;
	unsigned depth; /* of the value: its lines after the first start 2 * depth spaces in */
};

/* jansson writes a value as if at the top; each line break gets the value's own depth.
 * Strings hold no raw newline (JSON escapes it), so every '\n' is jansson's. */
static int indent_write(const char *buf, size_t size, void *data)
{
	struct indent_ctx *c = data;
	while (size) {
		const char *nl = memchr(buf, '\n', size);
		size_t n = nl ? (size_t)(nl - buf) + 1 : size;
		if (fwrite(buf, 1, n, c->f) != n)
			return -1;
		for (unsigned i = 0; nl && i < c->depth; i++)
			if (fputs("  ", c->f) == EOF)
				return -1;
		buf += n;
		size -= n;
	}
	return 0;
}

/* Writes value at depth and releases it. */
static void value_write(struct json_out *o, json_t *value, unsigned depth)
{
	struct indent_ctx c = { o->f, depth };
	if (json_dump_callback(value, indent_write, &c, JSON_OUT_FLAGS) != 0)
		o->failed = 1;
	json_decref(value);
}

/* The members written so far in the innermost open object. */
static size_t *members_of(struct json_out *o)
{
	return o->depth ? &o->nested_members[o->depth - 1] : &o->members;
}

/* A line break and the spaces of depth (jansson's JSON_INDENT(2)). */
static void indent(struct json_out *o, unsigned depth)
{
	fputc('\n', o->f);
	for (unsigned i = 0; i < depth; i++)
		fputs("  ", o->f);
}

static void key_write(struct json_out *o, const char *key)
{
	if ((*members_of(o))++)
		fputc(',', o->f);
	indent(o, o->depth + 1);
	value_write(o, json_string(key), o->depth + 1);
	fputs(": ", o->f);
}

void json_out_begin(struct json_out *o, FILE *f)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	fputc('{', f);
}

void json_out_member(struct json_out *o, const char *key, json_t *value)
{
	if (!value) { /* left out: the document fails, the rest is still written */
		o->failed = 1;
		return;
	}
	key_write(o, key);
	value_write(o, value, o->depth + 1);
}

void json_out_array_begin(struct json_out *o, const char *key)
{
	key_write(o, key);
	fputc('[', o->f);
	o->in_array = 1;
	o->elems = 0;
}

void json_out_array_add(struct json_out *o, json_t *elem)
{
	if (!elem || !o->in_array) {
		o->failed = 1;
		json_decref(elem);
		return;
	}
	if (o->elems++)
		fputc(',', o->f);
	indent(o, o->depth + 2);
	value_write(o, elem, o->depth + 2);
}

void json_out_array_end(struct json_out *o)
{
	if (o->elems)
		indent(o, o->depth + 1);
	fputc(']', o->f);
	o->in_array = 0;
}

void json_out_object_begin(struct json_out *o, const char *key)
{
	if (o->depth == JSON_OUT_DEPTH_MAX || o->in_array) {
		o->failed = 1;
		return;
	}
	key_write(o, key);
	fputc('{', o->f);
	o->nested_members[o->depth++] = 0;
}

void json_out_object_end(struct json_out *o)
{
	if (!o->depth || o->in_array) {
		o->failed = 1;
		return;
	}
	if (*members_of(o))
		indent(o, o->depth);
	o->depth--;
	fputc('}', o->f);
}

int json_out_end(struct json_out *o)
{
	if (o->in_array) {
		o->failed = 1;
		json_out_array_end(o);
	}
	while (o->depth) {
		o->failed = 1;
		json_out_object_end(o);
	}
	fputs(o->members ? "\n}\n" : "}\n", o->f);
	if (fflush(o->f) != 0 || ferror(o->f))
		o->failed = 1;
	return o->failed ? -1 : 0;
}

json_t *json_put(json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value || json_object_set_new(obj, key, value)) {
		if (!obj)
			json_decref(value);
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *json_push(json_t *arr, json_t *elem)
{
	if (!arr || !elem || json_array_append_new(arr, elem)) {
		if (!arr)
			json_decref(elem);
		json_decref(arr);
		return NULL;
	}
	return arr;
}
