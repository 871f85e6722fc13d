/*
 * The agent's byte channel to the host: a virtio-console port by default,
 * or any character device, pty or fifo given with -p, or stdin/stdout
 * ("-p -") for tests.
 */
#ifndef PVKIT_AGENT_CHANNEL_H
#define PVKIT_AGENT_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

/* The port name qemu-ga clients and `pvkit run --agent` use. */
#define AGENT_PORT_NAME "org.qemu.guest_agent.0"
#define AGENT_PORT_PATH "/dev/virtio-ports/" AGENT_PORT_NAME

struct channel {
	const char *want;  /* -p argument, or NULL for the default port */
	int in_fd, out_fd; /* -1 when closed; equal unless stdio */
	bool stdio;
	char path[256]; /* what is open, for messages */
};

void channel_init(struct channel *ch, const char *want);
/* Opens the channel (non-blocking, close-on-exec, raw if a tty).
 * Returns 0, or -1 with a reason in why. */
int channel_open(struct channel *ch, char *why, size_t whylen);
void channel_close(struct channel *ch);
bool channel_is_open(const struct channel *ch);

#endif
