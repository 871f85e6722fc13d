/* The QMP-compatible control socket (control.c). */
#ifndef PVKIT_HOST_CONTROL_H
#define PVKIT_HOST_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct machine;
struct event_loop;
struct virtio_devices;

#define CONTROL_MAX_CLIENTS 4

struct control_client {
	int fd;
	bool negotiated;
	size_t len;
	char buf[64 * 1024];
};

struct control {
	struct machine *machine;
	struct event_loop *loop;
	const struct virtio_devices *devices; /* for statistics; may be NULL */
	int listen_fd;
	char path[108];
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

int control_open(struct control *ctl, const char *path, struct machine *m,
		 struct event_loop *loop, char *err, size_t errlen);
void control_close(struct control *ctl);
/* Sends an event to every negotiated client; takes ownership of data. */
void control_event(struct control *ctl, const char *event, json_t *data);

#endif
