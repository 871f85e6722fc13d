/*
 * The agent's request framer: bracket counting over a byte stream, with
 * resynchronisation on 0xFF and on the two shapes a request cut short
 * takes. See framer.h for the rules.
 */
#include "framer.h"

#include <stdlib.h>
#include <string.h>

enum { ST_IDLE, ST_OBJECT, ST_SCALAR };

/* Buffers above this are given back once their request is done, so one
 * huge request does not pin memory for the agent's lifetime. */
#define FRAMER_KEEP (1u << 20)

void framer_init(struct framer *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max;
	f->state = ST_IDLE;
}

void framer_free(struct framer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = f->len = 0;
}

static void clear(struct framer *f)
{
	f->state = ST_IDLE;
	f->len = 0;
	f->depth = 0;
	f->in_str = f->esc = f->discarding = false;
	f->prev = 0;
	if (f->cap > FRAMER_KEEP)
		framer_free(f);
}

void framer_reset(struct framer *f)
{
	clear(f);
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Appends one byte, switching to discarding when the bound is passed or
 * memory runs out (both mean: this request will not be served). */
static void put(struct framer *f, char c)
{
	if (f->discarding)
		return;
	if (f->len >= f->max) {
		f->discarding = true;
		return;
	}
	if (f->len == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 4096;
		if (ncap > f->max)
			ncap = f->max;
		char *nb = realloc(f->buf, ncap);
		if (!nb) {
			f->discarding = true;
			return;
		}
		f->buf = nb;
		f->cap = ncap;
	}
	f->buf[f->len++] = c;
}

/* The current request is complete: hand it out (or its error). */
static size_t finish(struct framer *f, struct frame *out, size_t used)
{
	if (f->discarding) {
		out->kind = FRAME_ERROR;
		out->error = "JSON parse error, request exceeds the agent's "
			     "size limit";
	} else {
		out->kind = FRAME_REQUEST;
		out->data = f->buf;
		out->len = f->len;
	}
	f->state = ST_IDLE;
	return used;
}

/* The current request is broken: report it and start over. */
static size_t fail(struct framer *f, struct frame *out, size_t used,
		   const char *why)
{
	out->kind = FRAME_ERROR;
	out->error = why;
	clear(f);
	return used;
}

static void begin(struct framer *f, unsigned char c)
{
	clear(f);
	if (c == '{' || c == '[') {
		f->state = ST_OBJECT;
		f->depth = 1;
		f->prev = (char)c;
	} else {
		f->state = ST_SCALAR;
	}
	put(f, (char)c);
}

size_t framer_feed(struct framer *f, const char *p, size_t n, struct frame *out)
{
	out->kind = FRAME_NONE;
	/* the previous frame's bytes were handed out; drop them now */
	if (f->state == ST_IDLE && f->len)
		clear(f);

	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		if (c == 0xFF) {
			clear(f);
			i++;
			continue;
		}
		switch (f->state) {
		case ST_IDLE:
			i++;
			if (!is_ws(c))
				begin(f, c);
			break;
		case ST_SCALAR:
			/* a bare token ends at whitespace or where an object
			 * begins; the object is then framed on its own */
			if (is_ws(c))
				return finish(f, out, i + 1);
			if (c == '{' || c == '[')
				return finish(f, out, i);
			put(f, (char)c);
			i++;
			break;
		case ST_OBJECT:
			if (f->in_str) {
				/* JSON strings hold no raw line breaks: this
				 * one was cut short, and the line after it is
				 * a new request */
				if (c == '\n' || c == '\r')
					return fail(f, out, i + 1,
						    "JSON parse error, "
						    "unterminated string");
				put(f, (char)c);
				i++;
				if (f->esc)
					f->esc = false;
				else if (c == '\\')
					f->esc = true;
				else if (c == '"') {
					f->in_str = false;
					f->prev = '"';
				}
				break;
			}
			if (c == '{' || c == '[') {
				/* a value starts only after ':', ',' or '[';
				 * anywhere else this brace opens the next
				 * request and the current one was cut */
				if (f->prev != ':' && f->prev != ',' &&
				    f->prev != '[')
					return fail(f, out, i,
						    "JSON parse error, "
						    "incomplete request");
				f->depth++;
			} else if (c == '}' || c == ']') {
				f->depth--;
			} else if (c == '"') {
				f->in_str = true;
			}
			put(f, (char)c);
			i++;
			if (!is_ws(c))
				f->prev = (char)c;
			if (f->depth == 0)
				return finish(f, out, i);
			break;
		}
	}
	return i;
}
