/*
 * The memory map of pvkit's `virt` machine: the one table that device
 * creation and the device tree both read. Addresses and IRQs match QEMU's
 * `virt` machine so one kernel and one bare-metal binary run on both.
 */
#ifndef PVKIT_PLATFORM_MEMMAP_H
#define PVKIT_PLATFORM_MEMMAP_H

#include <stdint.h>

enum virt_dev {
	VIRT_TEST,   /* syscon finisher: poweroff, reboot, test exit codes */
	VIRT_RTC,    /* goldfish RTC */
	VIRT_ACLINT, /* mswi at +0, mtimer (mtimecmp +0x4000, mtime +0xbff8) */
	VIRT_PLIC,
	VIRT_UART0,  /* 16550 */
	VIRT_VIRTIO, /* first of VIRTIO_SLOTS slots, stride VIRTIO_STRIDE */
	VIRT_ETHOC,  /* OpenCores Ethernet MAC (emulated twin of virtio-net) */
	VIRT_IDE,    /* platform PATA (emulated twin of virtio-blk) */
	VIRT_DRAM,
	VIRT_DEV_COUNT
};

struct memmap_entry {
	const char *name;
	uint64_t base, size;
	int irq; /* PLIC source, 0 if none */
};

extern const struct memmap_entry virt_memmap[VIRT_DEV_COUNT];

#define VIRTIO_SLOTS 8
#define VIRTIO_STRIDE 0x1000
#define PLIC_NUM_SOURCES 31
#define TIMEBASE_HZ 10000000u

#endif
