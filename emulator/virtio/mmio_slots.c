/*
 * virtio-mmio slots. A slot with no device behind it answers with the
 * magic value, version 2 and DeviceID 0, which Linux skips silently (as
 * on QEMU's virt machine, where all eight transports always exist).
 */
#include "mmio_slots.h"

#include "emulator/mem/bus.h"
#include "emulator/platform/memmap.h"
#include "protocol/virtio_mmio.h"

static uint64_t empty_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	if (size != 4)
		return 0;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG: return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_VENDOR_ID: return PVKIT_VIRTIO_VENDOR;
	}
	return 0;
}

int virtio_mmio_add_empty_slots(struct bus *bus)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_VIRTIO];
	for (unsigned k = 0; k < VIRTIO_SLOTS; k++) {
		if (bus_find_mmio(bus, e->base + k * VIRTIO_STRIDE))
			continue; /* a device took this slot */
		struct mmio_region r = {.name = "virtio-mmio (empty)",
					.base = e->base + k * VIRTIO_STRIDE,
					.size = VIRTIO_STRIDE,
					.read = empty_read};
		if (bus_add_mmio(bus, &r))
			return -1;
	}
	return 0;
}
