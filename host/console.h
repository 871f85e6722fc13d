/* The guest console on the host's stdin/stdout (console.c). */
#ifndef PVKIT_HOST_CONSOLE_H
#define PVKIT_HOST_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct machine;
struct event_loop;

struct console {
	struct machine *machine;
	struct event_loop *loop;
	int in_fd;
	bool in_open;
	bool raw;
	bool escape;
	struct termios saved;
	uint8_t pending[4096];
	size_t pending_len;
};

int console_open(struct console *c, struct machine *m, struct event_loop *l);
void console_close(struct console *c);

#endif
