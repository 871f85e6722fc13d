/*
 * Guest virtio-blk driver (see blk.h).
 */
#include "blk.h"

#include "runtime.h"

int vblk_init(struct vblk *b, int nth)
{
	memset(b, 0, sizeof(*b));
	if (vmmio_find(VIRTIO_ID_BLOCK, nth, &b->dev))
		return -1;
	uint64_t want = VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
			VIRTIO_BIT(VIRTIO_BLK_F_RO) |
			VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE);
	if (vmmio_init(&b->dev, want))
		return -1;
	b->capacity = vmmio_config_read64(
		&b->dev,
		__builtin_offsetof(struct virtio_blk_config, capacity));
	b->blk_size = 512;
	if (b->dev.features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE))
		b->blk_size = vmmio_config_read32(
			&b->dev,
			__builtin_offsetof(struct virtio_blk_config, blk_size));
	b->read_only = !!(b->dev.features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	if (vq_init(&b->vq, &b->dev, 0, 16))
		return -1;
	vmmio_driver_ok(&b->dev);
	return 0;
}

/* header, optional data, status */
static int request(struct vblk *b, uint32_t type, uint64_t sector,
		   const void *data, uint32_t len, int device_writes)
{
	b->hdr.type = type;
	b->hdr.ioprio = 0;
	b->hdr.sector = sector;
	b->status = 0xff;
	struct vq_buf bufs[3];
	unsigned n = 0;
	bufs[n++] = (struct vq_buf){&b->hdr, sizeof(b->hdr), 0};
	if (len)
		bufs[n++] = (struct vq_buf){data, len, device_writes};
	bufs[n++] = (struct vq_buf){(const void *)&b->status, 1, 1};
	uint32_t written;
	if (vq_submit_wait(&b->vq, bufs, n, &written))
		return -1;
	vmmio_ack_interrupt(&b->dev);
	return b->status;
}

int vblk_read(struct vblk *b, uint64_t sector, void *buf, uint32_t count)
{
	return request(b, VIRTIO_BLK_T_IN, sector, buf,
		       count * VIRTIO_BLK_SECTOR_SIZE, 1);
}

int vblk_write(struct vblk *b, uint64_t sector, const void *buf, uint32_t count)
{
	return request(b, VIRTIO_BLK_T_OUT, sector, buf,
		       count * VIRTIO_BLK_SECTOR_SIZE, 0);
}

int vblk_flush(struct vblk *b)
{
	if (!(b->dev.features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)))
		return VIRTIO_BLK_S_UNSUPP;
	return request(b, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
}

int vblk_get_id(struct vblk *b, char *id)
{
	memset(id, 0, VIRTIO_BLK_ID_BYTES + 1);
	return request(b, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, 1);
}
