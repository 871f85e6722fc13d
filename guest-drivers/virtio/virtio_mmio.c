/*
 * Guest virtio-mmio v2 transport (see virtio_mmio.h).
 */
#include "virtio_mmio.h"

static inline void io_fence(void)
{
	__asm__ volatile("fence iorw, iorw" ::: "memory");
}

int vmmio_find(uint32_t device_id, int nth, struct vmmio_dev *d)
{
	for (int k = VMMIO_SLOTS - 1; k >= 0; k--) {
		struct vmmio_dev t = {VMMIO_BASE + (uintptr_t)k * VMMIO_STRIDE,
				      k, 0, 0};
		if (vmmio_read32(&t, VIRTIO_MMIO_MAGIC_VALUE) !=
			    VIRTIO_MMIO_MAGIC ||
		    vmmio_read32(&t, VIRTIO_MMIO_VERSION_REG) !=
			    VIRTIO_MMIO_VERSION)
			continue;
		t.device_id = vmmio_read32(&t, VIRTIO_MMIO_DEVICE_ID);
		if (t.device_id != device_id)
			continue;
		if (nth-- > 0)
			continue;
		*d = t;
		return 0;
	}
	return -1;
}

uint32_t vmmio_status(const struct vmmio_dev *d)
{
	return vmmio_read32(d, VIRTIO_MMIO_STATUS);
}

static void set_status(struct vmmio_dev *d, uint32_t bits)
{
	io_fence();
	vmmio_write32(d, VIRTIO_MMIO_STATUS, vmmio_status(d) | bits);
}

void vmmio_reset(struct vmmio_dev *d)
{
	io_fence();
	vmmio_write32(d, VIRTIO_MMIO_STATUS, 0);
	/* The reset is complete when Status reads back 0. */
	for (int i = 0; i < 1000000 && vmmio_status(d) != 0; i++)
		;
}

uint64_t vmmio_device_features(const struct vmmio_dev *d)
{
	vmmio_write32(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t lo = vmmio_read32(d, VIRTIO_MMIO_DEVICE_FEATURES);
	vmmio_write32(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = vmmio_read32(d, VIRTIO_MMIO_DEVICE_FEATURES);
	return hi << 32 | lo;
}

int vmmio_init(struct vmmio_dev *d, uint64_t wanted)
{
	vmmio_reset(d);
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);

	uint64_t offered = vmmio_device_features(d);
	if (!(offered & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		set_status(d, VIRTIO_STATUS_FAILED);
		return -1;
	}
	uint64_t accept = offered & (wanted | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	vmmio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)accept);
	vmmio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_write32(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(accept >> 32));
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(vmmio_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		set_status(d, VIRTIO_STATUS_FAILED);
		return -1;
	}
	d->features = accept;
	return 0;
}

uint32_t vmmio_queue_max(struct vmmio_dev *d, unsigned q)
{
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_SEL, q);
	return vmmio_read32(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

int vmmio_queue_setup(struct vmmio_dev *d, unsigned q, unsigned num,
		      uint64_t desc, uint64_t avail, uint64_t used)
{
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_SEL, q);
	if (vmmio_read32(d, VIRTIO_MMIO_QUEUE_READY))
		return -1;
	uint32_t max = vmmio_read32(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max == 0 || max < num)
		return -1;
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_NUM, num);
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	io_fence();
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

void vmmio_driver_ok(struct vmmio_dev *d)
{
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
}

void vmmio_notify(const struct vmmio_dev *d, unsigned q)
{
	io_fence();
	vmmio_write32(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

uint32_t vmmio_ack_interrupt(const struct vmmio_dev *d)
{
	uint32_t s = vmmio_read32(d, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (s)
		vmmio_write32(d, VIRTIO_MMIO_INTERRUPT_ACK, s);
	return s;
}

void vmmio_config_read(const struct vmmio_dev *d, uint32_t off, void *buf,
		       uint32_t len)
{
	uint8_t *p = buf;
	uint32_t gen;
	do {
		gen = vmmio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION);
		for (uint32_t i = 0; i < len; i++)
			p[i] = *(volatile uint8_t *)(d->base +
						     VIRTIO_MMIO_CONFIG + off +
						     i);
	} while (gen != vmmio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION));
}

uint32_t vmmio_config_read32(const struct vmmio_dev *d, uint32_t off)
{
	uint32_t v;
	uint32_t gen;
	do {
		gen = vmmio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION);
		v = vmmio_read32(d, VIRTIO_MMIO_CONFIG + off);
	} while (gen != vmmio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION));
	return v;
}

uint64_t vmmio_config_read64(const struct vmmio_dev *d, uint32_t off)
{
	uint64_t lo, hi;
	uint32_t gen;
	do {
		gen = vmmio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = vmmio_read32(d, VIRTIO_MMIO_CONFIG + off);
		hi = vmmio_read32(d, VIRTIO_MMIO_CONFIG + off + 4);
	} while (gen != vmmio_read32(d, VIRTIO_MMIO_CONFIG_GENERATION));
	return hi << 32 | lo;
}
