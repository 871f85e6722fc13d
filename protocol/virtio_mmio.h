/* virtio-mmio transport registers (virtio 1.2, section 4.2.2). */
#ifndef PVKIT_PROTOCOL_VIRTIO_MMIO_H
#define PVKIT_PROTOCOL_VIRTIO_MMIO_H

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION 2

enum virtio_mmio_reg {
	VIRTIO_MMIO_MAGIC_VALUE = 0x000,
	VIRTIO_MMIO_VERSION_REG = 0x004,
	VIRTIO_MMIO_DEVICE_ID = 0x008,
	VIRTIO_MMIO_VENDOR_ID = 0x00c,
};

#define PVKIT_VIRTIO_VENDOR 0x4b565056 /* "PVPK" little-endian */

#endif
