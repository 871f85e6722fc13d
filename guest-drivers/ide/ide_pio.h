/*
 * Guest IDE (PATA) PIO driver for pvkit's bare-metal programs: pvkit's
 * emulated IDE twin at 0x10200000 (`--disk FILE,if=ide`), device 0 only,
 * LBA28, polled (nIEN set). Command block registers at base + (reg << 2),
 * control block (ALTSTATUS/DEVCTL) at base + 0x100, 16-bit DATA register.
 * QEMU's virt machine has no such device.
 *
 * Talks to: the device registers. Owns struct ide_pio.
 */
#ifndef PVKIT_GUEST_IDE_PIO_H
#define PVKIT_GUEST_IDE_PIO_H

#include <stdint.h>

#define IDE_PIO_BASE 0x10200000UL

struct ide_pio {
	uintptr_t base;
	uint64_t sectors; /* LBA28 user-addressable sectors (IDENTIFY 60-61) */
	char model[41];	  /* IDENTIFY words 27-46, trailing blanks cut */
	uint16_t ident[256];
};

/* Probes base (a floating bus reads 0xff), soft-resets, IDENTIFY. 0 or -1. */
int ide_init(struct ide_pio *d, uintptr_t base);

/* count (1..256) sectors at lba. 0, or -1 on an error/timeout (status in
   the low byte of the value of ide_last_status). */
int ide_read(struct ide_pio *d, uint32_t lba, void *buf, unsigned count);
int ide_write(struct ide_pio *d, uint32_t lba, const void *buf, unsigned count);
/* FLUSH CACHE. 0 or -1. */
int ide_flush(struct ide_pio *d);

uint8_t ide_last_status(const struct ide_pio *d);

#endif
