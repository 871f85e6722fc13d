/*
 * virtio-console (device ID 3, virtio 1.2 section 5.3): feature bits,
 * configuration space and the MULTIPORT control messages. Definitions
 * only, shared by pvkit's device model and the guest driver library.
 *
 * Queues with MULTIPORT: 0/1 = port 0 receive/transmit, 2/3 = control
 * receive (device -> driver) / transmit (driver -> device), then
 * 2 + 2n / 3 + 2n for port n >= 1.
 */
#ifndef PVKIT_PROTOCOL_VIRTIO_CONSOLE_H
#define PVKIT_PROTOCOL_VIRTIO_CONSOLE_H

#include <stdint.h>

#define VIRTIO_CONSOLE_F_SIZE 0
#define VIRTIO_CONSOLE_F_MULTIPORT 1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2

struct virtio_console_config {
	uint16_t cols;
	uint16_t rows;
	uint32_t max_nr_ports;
	uint32_t emerg_wr;
} __attribute__((packed));

/* A control message; PORT_NAME is followed by the name's bytes. */
struct virtio_console_control {
	uint32_t id; /* port number */
	uint16_t event;
	uint16_t value;
};

enum virtio_console_event {
	VIRTIO_CONSOLE_DEVICE_READY = 0,
	VIRTIO_CONSOLE_PORT_ADD = 1,
	VIRTIO_CONSOLE_PORT_REMOVE = 2,
	VIRTIO_CONSOLE_PORT_READY = 3,
	VIRTIO_CONSOLE_CONSOLE_PORT = 4,
	VIRTIO_CONSOLE_RESIZE = 5,
	VIRTIO_CONSOLE_PORT_OPEN = 6,
	VIRTIO_CONSOLE_PORT_NAME = 7,
};

#define VIRTIO_CONSOLE_BAD_ID 0xffffffffu

/* The port name qemu-ga and pvkit's agent look for. */
#define VIRTIO_CONSOLE_AGENT_PORT_NAME "org.qemu.guest_agent.0"

#endif
