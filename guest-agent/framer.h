/*
 * Splits the agent's input byte stream into JSON requests.
 *
 * qemu-ga frames requests by JSON structure, not by lines: a request ends
 * where its outermost object closes, so clients may send one per line,
 * several per line or one over several lines. The framer does the same
 * by counting brackets outside strings, and adds the recovery a byte
 * stream from an untrusted peer needs:
 *  - 0xFF (never valid in UTF-8 JSON) drops any partial request silently;
 *    clients send it before guest-sync-delimited;
 *  - a raw newline inside a string, or an object starting where no value
 *    may start (`{"execute":"x"` then `{"execute":...`), ends the broken
 *    request with an error and starts over at the new one;
 *  - a request longer than the bound is discarded as it streams in (its
 *    structure is still followed to find its end) and reported once;
 *  - bytes outside any object are collected up to the next whitespace
 *    and handed on as one (bad) request, so garbage gets error replies.
 */
#ifndef PVKIT_AGENT_FRAMER_H
#define PVKIT_AGENT_FRAMER_H

#include <stdbool.h>
#include <stddef.h>

enum frame_kind {
	FRAME_NONE,    /* need more input */
	FRAME_REQUEST, /* data/len hold one candidate request */
	FRAME_ERROR,   /* error holds why the bytes so far were dropped */
};

struct frame {
	enum frame_kind kind;
	const char *data;
	size_t len;
	const char *error;
};

struct framer {
	char *buf;
	size_t len, cap, max;
	int state; /* enum in framer.c */
	long depth;
	bool in_str, esc, discarding;
	char prev; /* last significant byte of the current request */
};

void framer_init(struct framer *f, size_t max);
void framer_free(struct framer *f);
/* Drops any partial request (client gone, or 0xFF). */
void framer_reset(struct framer *f);
/* Consumes bytes from p[0..n) until one frame is complete or the input is
 * used up; returns how many were consumed and fills *out. A returned
 * frame's data stays valid until the next call. */
size_t framer_feed(struct framer *f, const char *p, size_t n,
		   struct frame *out);

#endif
