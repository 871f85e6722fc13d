/*
 * Guest driver for the OpenCores Ethernet MAC (pvkit's emulated twin of
 * virtio-net) for bare-metal programs: the MAC's own buffer descriptors
 * (TX first, then RX, in its register window) pointing at static DMA
 * buffers in RAM, polled, no interrupts and no MDIO (the link is up as
 * far as the MAC is concerned).
 *
 * Talks to: the device registers at ETHOC_BASE (pvkit's memory map; QEMU's
 * virt machine has no such device). Owns struct ethoc_nic and its buffers.
 */
#ifndef PVKIT_GUEST_ETHOC_H
#define PVKIT_GUEST_ETHOC_H

#include <stdint.h>

#define ETHOC_BASE 0x10100000UL
#define ETHOC_TX_BUFS 4
#define ETHOC_RX_BUFS 16
#define ETHOC_BUF 1536 /* a frame, padding and FCS */

struct ethoc_nic {
	uintptr_t base;
	uint8_t mac[6];
	unsigned tx_next, rx_next;
	uint8_t tx[ETHOC_TX_BUFS][ETHOC_BUF] __attribute__((aligned(8)));
	uint8_t rx[ETHOC_RX_BUFS][ETHOC_BUF] __attribute__((aligned(8)));
};

/* Resets the MAC, sets up the descriptors and enables TX and RX. Keeps the
   MAC address the device holds. 0, or -1 when no MAC answers there. */
int ethoc_init(struct ethoc_nic *e);

/* Sends one frame (14..1514 bytes, the MAC pads and appends the FCS) and
   waits until the MAC has taken it. 0 or -1. */
int ethoc_send(struct ethoc_nic *e, const void *frame, uint32_t len);

/* Waits at most timeout_ticks of mtime for a frame; copies at most cap
   bytes (FCS removed) into buf and returns the frame length, or -1. */
int ethoc_recv(struct ethoc_nic *e, void *buf, uint32_t cap,
	       uint64_t timeout_ticks);

#endif
