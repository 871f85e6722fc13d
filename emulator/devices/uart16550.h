/*
 * 16550A UART, as Linux's 8250 driver ("ns16550a", reg-shift 0, byte
 * registers) drives it.
 *
 * Talks to: the bus (its MMIO region), the PLIC (one level IRQ line) and a
 * char_sink for transmitted bytes. Input is pushed in by the machine with
 * uart16550_receive(). Owns the RX FIFO and the register file.
 *
 * Transmission is instantaneous (no baud-rate timing): LSR always shows
 * THRE|TEMT, so the device needs no polling or deadlines of its own.
 */
#ifndef PVKIT_DEVICES_UART16550_H
#define PVKIT_DEVICES_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/devices/chardev.h"
#include "emulator/platform/memmap.h"

struct bus;
struct plic;
struct uart16550;

#define UART16550_FIFO_SIZE 16

/* plic may be NULL (no IRQ line), out may be NULL (output discarded);
   *out is copied. Returns NULL when out of memory or the bus refuses the
   region. */
struct uart16550 *uart16550_create(struct bus *bus,
				   const struct memmap_entry *e,
				   struct plic *plic,
				   const struct char_sink *out);
void uart16550_free(struct uart16550 *u);

/* Host -> guest bytes. Takes as many as the RX FIFO has room for and
   returns that count; the caller keeps the rest for later. */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len);
bool uart16550_can_receive(const struct uart16550 *u);

/* Counters for benchmarks (query-pvkit-stats). */
struct uart16550_stats {
	uint64_t mmio_exits; /* register reads and writes */
	uint64_t interrupts; /* rising edges of the IRQ line */
	uint64_t tx_bytes, rx_bytes;
};
void uart16550_get_stats(const struct uart16550 *u, struct uart16550_stats *s);

#endif
