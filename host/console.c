/*
 * The guest console on the host terminal. On a terminal: raw mode, with
 * QEMU's escape keys (Ctrl-A x quits, Ctrl-A h lists keys, Ctrl-A Ctrl-A
 * sends Ctrl-A). Otherwise plain streams, so scripts can drive the guest.
 * Guest output goes to stdout and nothing else does.
 */
#include "console.h"

#include "emulator/machine.h"

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

int console_open(struct console *c, struct machine *m)
{
	memset(c, 0, sizeof(*c));
	c->in_fd = STDIN_FILENO;
	c->in_open = true;
	c->machine = m;
	m->console.write = out_write;
	m->console.opaque = c;
	if (isatty(c->in_fd) && tcgetattr(c->in_fd, &c->saved) == 0) {
		struct termios raw = c->saved;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR; /* keep \n -> \r\n on output */
		if (tcsetattr(c->in_fd, TCSANOW, &raw) == 0)
			c->raw = true;
	}
	return 0;
}

void console_close(struct console *c)
{
	fflush(stdout);
	if (c->raw)
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
	c->raw = false;
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

void console_poll(void *opaque, struct machine *m, int64_t timeout_ns)
{
	struct console *c = opaque;
	fflush(stdout);
	/* bytes the guest had no room for yet go first */
	if (c->pending_len) {
		size_t took = machine_console_input(m, c->pending,
						    c->pending_len);
		memmove(c->pending, c->pending + took, c->pending_len - took);
		c->pending_len -= took;
	}
	int timeout_ms = (int)((timeout_ns + 999999) / 1000000);
	if (!c->in_open || c->pending_len > sizeof(c->pending) / 2) {
		if (timeout_ns > 0) {
			struct pollfd none;
			poll(&none, 0, timeout_ms);
		}
		return;
	}
	struct pollfd p = {.fd = c->in_fd, .events = POLLIN};
	int r = poll(&p, 1, timeout_ms);
	if (r <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	uint8_t buf[256];
	ssize_t n = read(c->in_fd, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || errno != EINTR)
			c->in_open = false; /* EOF: the guest keeps running */
		return;
	}
	feed(c, buf, (size_t)n);
	size_t took = machine_console_input(m, c->pending, c->pending_len);
	memmove(c->pending, c->pending + took, c->pending_len - took);
	c->pending_len -= took;
}
