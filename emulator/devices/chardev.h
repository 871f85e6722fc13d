/*
 * Character back-end interface: where an emulated serial device sends the
 * bytes the guest writes. The machine defines it; host/ implements it
 * (stdout, a pty, a socket) and hands it to the device at creation.
 * Input runs the other way by a device's own receive call, so the device
 * can refuse bytes when its FIFO is full.
 */
#ifndef PVKIT_DEVICES_CHARDEV_H
#define PVKIT_DEVICES_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

struct char_sink {
	void *opaque;
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
};

#endif
