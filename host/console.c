/*
 * The guest console on the host terminal. On a terminal: raw mode, with
 * QEMU's escape keys (Ctrl-A x quits, Ctrl-A h lists keys, Ctrl-A Ctrl-A
 * sends Ctrl-A). Otherwise plain streams, so scripts can drive the guest.
 * Guest output goes to stdout and nothing else does. Input arrives
 * through the event loop; what the guest has no room for waits here.
 */
#include "console.h"

#include "emulator/machine.h"
#include "event_loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_KEY 0x01 /* Ctrl-A */

static void out_write(void *opaque, const uint8_t *buf, size_t n)
{
	(void)opaque;
	fwrite(buf, 1, n, stdout);
}

static void help(void)
{
	fputs("\r\nC-a h    print this help\r\n"
	      "C-a x    exit pvkit\r\n"
	      "C-a C-a  send C-a to the guest\r\n",
	      stderr);
}

/* Terminal input: escapes are pvkit's, the rest is the guest's. */
static void feed(struct console *c, const uint8_t *buf, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		uint8_t ch = buf[k];
		if (c->raw && c->escape) {
			c->escape = false;
			if (ch == 'x') {
				fputs("\r\npvkit: terminated by C-a x\r\n",
				      stderr);
				machine_request_exit(c->machine, 0);
				return;
			}
			if (ch == 'h') {
				help();
				continue;
			}
			if (ch != ESCAPE_KEY)
				continue;
		} else if (c->raw && ch == ESCAPE_KEY) {
			c->escape = true;
			continue;
		}
		if (c->pending_len < sizeof(c->pending))
			c->pending[c->pending_len++] = ch;
	}
}

static void push_pending(struct console *c)
{
	if (!c->pending_len)
		return;
	size_t took =
		machine_console_input(c->machine, c->pending, c->pending_len);
	memmove(c->pending, c->pending + took, c->pending_len - took);
	c->pending_len -= took;
}

/* Reading stops while the guest is behind, so input is never dropped. */
static void update_watch(struct console *c)
{
	bool want = c->in_open && c->pending_len < sizeof(c->pending) / 2;
	event_loop_set_events(c->loop, c->in_fd, want ? POLLIN : 0);
}

static void on_input(void *opaque, int fd, short revents)
{
	struct console *c = opaque;
	(void)revents;
	uint8_t buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			c->in_open = false; /* EOF: the guest keeps running */
	} else {
		feed(c, buf, (size_t)n);
		push_pending(c);
	}
	update_watch(c);
}

static int64_t on_tick(void *opaque, int64_t now_ns)
{
	struct console *c = opaque;
	(void)now_ns;
	fflush(stdout);
	push_pending(c);
	update_watch(c);
	return INT64_MAX;
}

int console_open(struct console *c, struct machine *m, struct event_loop *l)
{
	memset(c, 0, sizeof(*c));
	c->in_fd = STDIN_FILENO;
	c->in_open = true;
	c->machine = m;
	c->loop = l;
	m->console.write = out_write;
	m->console.opaque = c;
	if (isatty(c->in_fd) && tcgetattr(c->in_fd, &c->saved) == 0) {
		struct termios raw = c->saved;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR; /* keep \n -> \r\n on output */
		if (tcsetattr(c->in_fd, TCSANOW, &raw) == 0)
			c->raw = true;
	}
	if (event_loop_watch(l, c->in_fd, POLLIN, on_input, c) ||
	    event_loop_add_tick(l, on_tick, c))
		return -1;
	return 0;
}

void console_close(struct console *c)
{
	fflush(stdout);
	if (c->raw)
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
	c->raw = false;
}
