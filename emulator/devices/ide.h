/*
 * Platform PATA disk: the emulated twin of virtio-blk, as Linux's
 * pata_of_platform ("ata-generic") drives it. One device (master) on the
 * channel, device 1 absent; PIO only, through the 16-bit DATA register.
 *
 * Register layout (fdt.h): command block at base + (reg << FDT_IDE_REG_SHIFT)
 * - 0 DATA, 1 ERROR/FEATURE, 2 NSECT, 3 LBAL, 4 LBAM, 5 LBAH, 6 DEVICE,
 * 7 STATUS/COMMAND - and control block at base + FDT_IDE_CTL_OFFSET:
 * ALTSTATUS (read) / DEVCTL (write: nIEN, SRST, HOB).
 *
 * Talks to: the bus (its MMIO region), the PLIC (INTRQ as a level line on
 * the memory map's IRQ) and a block back end. Owns the taskfile, the
 * transfer state and a sector buffer; it does not own the back end.
 */
#ifndef PVKIT_DEVICES_IDE_H
#define PVKIT_DEVICES_IDE_H

#include <stdint.h>

#include "emulator/platform/memmap.h"

struct bus;
struct plic;
struct block_backend;
struct ide;

struct ide_stats {
	uint64_t commands;   /* written to the COMMAND register */
	uint64_t sectors;    /* moved through the DATA register */
	uint64_t bytes;	     /* read from or written to the back end */
	uint64_t pio;	     /* DATA register accesses */
	uint64_t mmio;	     /* all register accesses (each an MMIO exit) */
	uint64_t interrupts; /* INTRQ rising edges seen by the PLIC */
	uint64_t flushes;    /* back-end flushes (FLUSH CACHE, write-through) */
	uint64_t errors;     /* commands that ended with ERR */
};

/* Registers the device at e (virt_memmap[VIRT_IDE]) on the bus. disk must
   stay open until ide_free(). Returns NULL when out of memory or when the
   bus refuses the region. */
struct ide *ide_create(struct bus *bus, const struct memmap_entry *e,
		       struct plic *plic, struct block_backend *disk);

/* The bus keeps routing to the region: free the bus first, or stop
   accessing it. Does not close the disk. */
void ide_free(struct ide *d);

void ide_get_stats(const struct ide *d, struct ide_stats *out);

#endif
