#include "memmap.h"

const struct memmap_entry virt_memmap[VIRT_DEV_COUNT] = {
	[VIRT_TEST] = {"test", 0x100000, 0x1000, 0},
	[VIRT_RTC] = {"rtc", 0x101000, 0x1000, 11},
	[VIRT_ACLINT] = {"clint", 0x2000000, 0x10000, 0},
	[VIRT_PLIC] = {"plic", 0xc000000, 0x600000, 0},
	[VIRT_UART0] = {"serial", 0x10000000, 0x100, 10},
	/* slot k: base + k * VIRTIO_STRIDE, irq 1 + k */
	[VIRT_VIRTIO] = {"virtio_mmio", 0x10001000, VIRTIO_STRIDE, 1},
	[VIRT_ETHOC] = {"ethernet", 0x10100000, 0x4000, 12},
	[VIRT_IDE] = {"ata", 0x10200000, 0x200, 13},
	[VIRT_DRAM] = {"memory", 0x80000000, 0, 0},
};
