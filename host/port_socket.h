/*
 * A virtio-console named port served on a unix socket (port_socket.c):
 * what `--agent SOCK` builds for org.qemu.guest_agent.0, as QEMU's
 * `-chardev socket,server=on,wait=off` + virtserialport does.
 *
 * Talks to: the event loop (its sockets), and the virtio-console device
 * (virtio_console_input / _writable / _set_host_connected; the device
 * calls back through port_socket_ops). Owns the listening socket, the one
 * client connection and the bytes the client sent that the guest has not
 * taken yet: they wait, and the socket is read no further, until the
 * guest opens the port and has room.
 */
#ifndef PVKIT_HOST_PORT_SOCKET_H
#define PVKIT_HOST_PORT_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/virtio/console.h"

struct event_loop;

struct port_socket {
	struct virtio_console *con;
	unsigned port;
	struct event_loop *loop;
	int listen_fd, fd; /* fd: the client, -1 when none */
	bool watching;	   /* fd is in the loop (perhaps for hang-up only) */
	short watched;	   /* events asked of the loop for fd */
	bool out_blocked;  /* the client is not reading: guest held */
	/* The client shut down its sending side (`echo REQ | socat ...`):
	   its requests are all in, the guest's replies still go to it until
	   it hangs up. */
	bool input_ended;
	char path[108];
	size_t in_len;
	uint8_t in[16384]; /* client -> guest, waiting for the guest */
};

extern const struct vcon_port_ops port_socket_ops;

/* Listens on path (a stale socket there is replaced) and adds the port
   to con. Returns 0, or -1 with a one-line message in err. */
int port_socket_open(struct port_socket *s, const char *path,
		     struct virtio_console *con, unsigned port,
		     const char *name, struct event_loop *loop, char *err,
		     size_t errlen);
/* Closes the sockets and removes the socket file. */
void port_socket_close(struct port_socket *s);

#endif
