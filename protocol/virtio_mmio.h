/*
 * virtio-mmio transport registers (virtio 1.2, section 4.2.2), version 2
 * ("modern") layout. Shared by pvkit's device side (emulator/virtio) and
 * the guest driver library; definitions only. All registers are 32-bit
 * little-endian; the device-specific configuration space starts at
 * VIRTIO_MMIO_CONFIG.
 */
#ifndef PVKIT_PROTOCOL_VIRTIO_MMIO_H
#define PVKIT_PROTOCOL_VIRTIO_MMIO_H

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION 2

enum virtio_mmio_reg {
	VIRTIO_MMIO_MAGIC_VALUE = 0x000,
	VIRTIO_MMIO_VERSION_REG = 0x004,
	VIRTIO_MMIO_DEVICE_ID = 0x008,
	VIRTIO_MMIO_VENDOR_ID = 0x00c,
	VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
	VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
	VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
	VIRTIO_MMIO_GUEST_PAGE_SIZE = 0x028, /* legacy (version 1) only */
	VIRTIO_MMIO_QUEUE_SEL = 0x030,
	VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
	VIRTIO_MMIO_QUEUE_NUM = 0x038,
	VIRTIO_MMIO_QUEUE_ALIGN = 0x03c, /* legacy only */
	VIRTIO_MMIO_QUEUE_PFN = 0x040,	 /* legacy only */
	VIRTIO_MMIO_QUEUE_READY = 0x044,
	VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
	VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
	VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
	VIRTIO_MMIO_STATUS = 0x070,
	VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080,
	VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
	VIRTIO_MMIO_QUEUE_AVAIL_LOW = 0x090, /* "QueueDriver" */
	VIRTIO_MMIO_QUEUE_AVAIL_HIGH = 0x094,
	VIRTIO_MMIO_QUEUE_USED_LOW = 0x0a0, /* "QueueDevice" */
	VIRTIO_MMIO_QUEUE_USED_HIGH = 0x0a4,
	VIRTIO_MMIO_SHM_SEL = 0x0ac,
	VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0,
	VIRTIO_MMIO_SHM_LEN_HIGH = 0x0b4,
	VIRTIO_MMIO_SHM_BASE_LOW = 0x0b8,
	VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc,
	VIRTIO_MMIO_QUEUE_RESET = 0x0c0,
	VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc,
	VIRTIO_MMIO_CONFIG = 0x100,
};

/* InterruptStatus / InterruptACK bits */
#define VIRTIO_MMIO_INT_VRING 0x1  /* a used buffer was returned */
#define VIRTIO_MMIO_INT_CONFIG 0x2 /* the configuration space changed */

#define PVKIT_VIRTIO_VENDOR 0x4b565056 /* "PVPK" little-endian */

#endif
