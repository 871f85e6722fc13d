/*
 * virtio-blk request handling: a chain is {header (readable), data,
 * status byte (writable, last)}; the data part is handed to the back end
 * as a slice of the chain's iovecs, so a read lands in guest RAM with one
 * preadv and no copy.
 *
 * A chain too short for a header and a status byte, or with the data on
 * the wrong side for its type, is a driver bug and breaks the device; a
 * request the disk cannot serve (out of range, misaligned, read-only) is
 * answered IOERR, an unknown type UNSUPP.
 */
#include "blk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/backend/block.h"
#include "emulator/virtio/virtio.h"
#include "protocol/virtio_blk.h"

#define BLK_QUEUE_SIZE 256
/* Data segments per request: the queue size less header and status, so
   a whole request fits in one indirect table (and the spec's chain limit). */
#define BLK_SEG_MAX (BLK_QUEUE_SIZE - 2)
/* Segments of one DISCARD / WRITE_ZEROES request, and sectors per
   segment: bounded so a request cannot stall the emulator for long. */
#define BLK_DWZ_SEG_MAX 32
#define BLK_DWZ_SECTORS_MAX (1u << 22) /* 2 GiB */

struct virtio_blk {
	struct virtio_dev dev;
	struct block_backend *be;
	struct virtio_blk_config cfg;
	struct virtio_blk_stats st;
	struct virtq_chain chain;
	struct iovec data[VIRTQ_MAX_NUM];
};

static uint64_t blk_features(struct virtio_dev *d)
{
	struct virtio_blk *b = d->priv;
	uint64_t f = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		     VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		     VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (b->be->read_only)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	else {
		if (b->be->ops->discard)
			f |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
		if (b->be->ops->write_zeroes)
			f |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	}
	return f;
}

static void blk_config_read(struct virtio_dev *d, uint32_t off, void *buf,
			    uint32_t len)
{
	struct virtio_blk *b = d->priv;
	virtio_config_copy(buf, off, len, &b->cfg, sizeof(b->cfg));
}

/* True when [sector, sector + bytes/512) lies on the disk. */
static bool in_range(const struct virtio_blk *b, uint64_t sector,
		     uint64_t bytes)
{
	uint64_t cap = b->cfg.capacity;
	uint64_t n = bytes / VIRTIO_BLK_SECTOR_SIZE;
	return sector <= cap && n <= cap - sector;
}

static uint8_t do_rw(struct virtio_blk *b, const struct virtq_chain *c,
		     const struct virtio_blk_outhdr *h, bool write,
		     uint32_t *written)
{
	/* read: data = the writable part but its last byte;
	   write: data = the readable part after the header */
	size_t off = write ? sizeof(*h) : 0;
	size_t len = write ? c->out_len - sizeof(*h) : c->in_len - 1;
	const struct iovec *iov = write ? c->iov : c->iov + c->nout;
	unsigned n = write ? c->nout : c->nin;
	if (write && b->be->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (len % VIRTIO_BLK_SECTOR_SIZE || !in_range(b, h->sector, len))
		return VIRTIO_BLK_S_IOERR;
	if (len == 0)
		return VIRTIO_BLK_S_OK;
	int cnt = iov_slice(iov, n, off, len, b->data, VIRTQ_MAX_NUM);
	if (cnt < 0)
		return VIRTIO_BLK_S_IOERR;
	uint64_t pos = h->sector * VIRTIO_BLK_SECTOR_SIZE;
	ssize_t r = write ? b->be->ops->pwritev(b->be, b->data, cnt, pos)
			  : b->be->ops->preadv(b->be, b->data, cnt, pos);
	if (r != (ssize_t)len)
		return VIRTIO_BLK_S_IOERR;
	if (write) {
		b->st.writes++;
		b->st.bytes_written += len;
	} else {
		b->st.reads++;
		b->st.bytes_read += len;
		*written = (uint32_t)len;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_discard_wz(struct virtio_blk *b, const struct virtq_chain *c,
			     uint32_t type)
{
	bool wz = type == VIRTIO_BLK_T_WRITE_ZEROES;
	int (*op)(struct block_backend *, uint64_t, uint64_t) =
		wz ? b->be->ops->write_zeroes : b->be->ops->discard;
	if (!op || !virtio_has_feature(&b->dev, wz ? VIRTIO_BLK_F_WRITE_ZEROES
						   : VIRTIO_BLK_F_DISCARD))
		return VIRTIO_BLK_S_UNSUPP;
	if (b->be->read_only)
		return VIRTIO_BLK_S_IOERR;
	struct virtio_blk_discard_write_zeroes seg;
	size_t bytes = c->out_len - sizeof(struct virtio_blk_outhdr);
	if (bytes == 0 || bytes % sizeof(seg) ||
	    bytes / sizeof(seg) > BLK_DWZ_SEG_MAX)
		return VIRTIO_BLK_S_UNSUPP;
	for (size_t k = 0; k < bytes / sizeof(seg); k++) {
		iov_to_buf(c->iov, c->nout,
			   sizeof(struct virtio_blk_outhdr) + k * sizeof(seg),
			   &seg, sizeof(seg));
		/* discard takes no flags; write-zeroes only UNMAP, which a
		   back end is free to honour or not */
		if (seg.flags & ~(wz ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0))
			return VIRTIO_BLK_S_UNSUPP;
		if (seg.num_sectors > BLK_DWZ_SECTORS_MAX ||
		    !in_range(b, seg.sector,
			      (uint64_t)seg.num_sectors *
				      VIRTIO_BLK_SECTOR_SIZE))
			return VIRTIO_BLK_S_IOERR;
		if (op(b->be, seg.sector * VIRTIO_BLK_SECTOR_SIZE,
		       (uint64_t)seg.num_sectors * VIRTIO_BLK_SECTOR_SIZE) &&
		    wz)
			return VIRTIO_BLK_S_IOERR; /* a failed discard is harmless */
	}
	if (wz)
		b->st.write_zeroes++;
	else
		b->st.discards++;
	return VIRTIO_BLK_S_OK;
}

/* One request; false when the chain is malformed (device broken). */
static bool handle(struct virtio_blk *b, unsigned q, struct virtq_chain *c)
{
	struct virtio_blk_outhdr h;
	if (c->out_len < sizeof(h) || c->in_len < 1) {
		virtio_dev_fail(&b->dev, "request without a header or a "
					 "status byte");
		return false;
	}
	iov_to_buf(c->iov, c->nout, 0, &h, sizeof(h)); /* copy: no TOCTOU */
	uint32_t written = 0; /* data bytes returned to the guest */
	uint8_t status;
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		/* a read's data must be device-writable, a write's readable */
		if (h.type == VIRTIO_BLK_T_IN ? c->out_len != sizeof(h)
					      : c->in_len != 1) {
			virtio_dev_fail(&b->dev,
					"%s request with its data on "
					"the wrong side",
					h.type ? "write" : "read");
			return false;
		}
		status = do_rw(b, c, &h, h.type == VIRTIO_BLK_T_OUT, &written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		b->st.flushes++;
		status = b->be->ops->flush(b->be) ? VIRTIO_BLK_S_IOERR
						  : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		char id[VIRTIO_BLK_ID_BYTES] = {0};
		size_t n = strnlen(b->be->serial, sizeof(b->be->serial));
		memcpy(id, b->be->serial, n < sizeof(id) ? n : sizeof(id));
		size_t room = c->in_len - 1;
		written = (uint32_t)iov_from_buf(
			c->iov + c->nout, c->nin, 0, id,
			room < sizeof(id) ? room : sizeof(id));
		b->st.get_ids++;
		status = VIRTIO_BLK_S_OK;
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = do_discard_wz(b, c, h.type);
		break;
	default: status = VIRTIO_BLK_S_UNSUPP;
	}
	if (status == VIRTIO_BLK_S_IOERR)
		b->st.errors++;
	else if (status == VIRTIO_BLK_S_UNSUPP)
		b->st.unsupported++;
	iov_from_buf(c->iov + c->nout, c->nin, c->in_len - 1, &status, 1);
	virtq_push(&b->dev, q, c->head, written + 1);
	return true;
}

static void blk_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_blk *b = d->priv;
	while (virtq_pop(d, q, &b->chain) == 1)
		if (!handle(b, q, &b->chain))
			return;
	virtq_notify_guest(d, q);
}

static const struct virtio_dev_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.queue_size = BLK_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_blk_config),
	.features = blk_features,
	.config_read = blk_config_read,
	.queue_notify = blk_notify,
};

struct virtio_blk *virtio_blk_create(struct block_backend *be)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->be = be;
	struct virtio_blk_config *c = &b->cfg;
	c->capacity = be->size / VIRTIO_BLK_SECTOR_SIZE;
	c->seg_max = BLK_SEG_MAX;
	c->blk_size = VIRTIO_BLK_SECTOR_SIZE;
	c->num_queues = 1;
	c->max_discard_sectors = BLK_DWZ_SECTORS_MAX;
	c->max_discard_seg = BLK_DWZ_SEG_MAX;
	c->discard_sector_alignment = 1;
	c->max_write_zeroes_sectors = BLK_DWZ_SECTORS_MAX;
	c->max_write_zeroes_seg = BLK_DWZ_SEG_MAX;
	c->write_zeroes_may_unmap = 1;
	virtio_dev_init(&b->dev, &blk_ops, b);
	return b;
}

void virtio_blk_free(struct virtio_blk *b)
{
	free(b);
}

struct virtio_dev *virtio_blk_dev(struct virtio_blk *b)
{
	return &b->dev;
}

const struct virtio_blk_stats *virtio_blk_stats(const struct virtio_blk *b)
{
	return &b->st;
}
