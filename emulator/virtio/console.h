/*
 * virtio-console (device ID 3) with MULTIPORT: port 0 is a console (hvc
 * in Linux), ports 1.. are named ports (/dev/vportNpM, and
 * /dev/virtio-ports/NAME with udev) such as org.qemu.guest_agent.0.
 *
 * Talks to: the virtio core, and one host back end per port through
 * struct vcon_port_ops (host/ connects the console port to the machine's
 * console and named ports to unix sockets). Owns the ports' state: the
 * MULTIPORT handshake, who has the port open, and a transmit buffer the
 * back end could not take yet (kept in the guest's ring, not copied).
 *
 * Host -> guest bytes go in with virtio_console_input(), which takes
 * nothing while the guest has the port closed, so the back end keeps its
 * data until the guest opens the port, as QEMU does.
 */
#ifndef PVKIT_VIRTIO_CONSOLE_H
#define PVKIT_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtio_console;
struct virtio_dev;

/* Ports a device can carry, console included (max_nr_ports). */
#define VCON_MAX_PORTS 4

struct vcon_port_ops {
	/* Guest -> host bytes: returns how many the back end took. Fewer
	   than len holds the rest in the ring until the back end calls
	   virtio_console_writable(). */
	size_t (*write)(void *opaque, const uint8_t *buf, size_t len);
	/* The guest opened or closed its end (optional). */
	void (*guest_open)(void *opaque, bool open);
	/* The guest has new room for input, or just opened the port: a good
	   time to call virtio_console_input() (optional). */
	void (*rx_ready)(void *opaque);
};

struct vcon_port_stats {
	uint64_t bytes_to_guest, bytes_from_guest;
	uint64_t discarded_from_guest; /* written while no one listened */
};

struct virtio_console *virtio_console_create(void);
void virtio_console_free(struct virtio_console *c);
struct virtio_dev *virtio_console_dev(struct virtio_console *c);

/* Port 0 is the console; name must be NULL for it and set for others.
   Ports are added before the guest starts. Returns the port number or
   -1 when all are taken. host_connected: whether something on the host
   listens from the start (the console does; a socket waits for a client). */
int virtio_console_add_port(struct virtio_console *c, unsigned port,
			    const char *name, const struct vcon_port_ops *ops,
			    void *opaque, bool host_connected);

/* Host -> guest bytes: returns how many the guest took (0 while it has
   the port closed or no buffers posted). */
size_t virtio_console_input(struct virtio_console *c, unsigned port,
			    const uint8_t *buf, size_t len);
/* The back end can take more guest output again. */
void virtio_console_writable(struct virtio_console *c, unsigned port);
/* A host client connected or left (PORT_OPEN to the guest). Output the
   guest holds for a client that left is dropped at the next
   virtio_console_writable(). */
void virtio_console_set_host_connected(struct virtio_console *c, unsigned port,
				       bool connected);
bool virtio_console_guest_open(const struct virtio_console *c, unsigned port);
const struct vcon_port_stats *
virtio_console_port_stats(const struct virtio_console *c, unsigned port);

#endif
