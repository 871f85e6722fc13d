/*
 * libFuzzer harness over virtio-blk's request parser (emulator/virtio/
 * blk.c) through its queue, on a fake in-memory block back end that
 * aborts if the front end ever asks for bytes off the disk. Chains,
 * request headers, discard / write-zeroes segments and data all come from
 * the input.
 *
 * Input: [num selector][flags][RAM image from offset 0 ...]
 *   num = 1 << (selector % 9) (queue 0 at RAM offset 0, guest address
 *   0x80000000, available ring right after the descriptor table);
 *   flags bit 0 = read-only disk, bit 1 = INDIRECT_DESC, bit 2 =
 *   EVENT_IDX, bit 3 = the back end fails every call (-EIO), bit 4 = no
 *   discard / write-zeroes in the back end, bit 5 = kick twice.
 */
#include <errno.h>
#include <stdint.h>

#include "emulator/backend/block.h"
#include "emulator/virtio/blk.h"
#include "protocol/virtio_blk.h"
#include "tests/fuzz/fuzz_rig.h"

#define DISK_SIZE (64u * 512u)

struct fake_disk {
	struct block_backend be; /* first: ops get &be */
	uint8_t *data;		 /* malloc'd DISK_SIZE bytes */
	bool fail;
};

static void check_range(uint64_t off, uint64_t len)
{
	FZ_CHECK(off <= DISK_SIZE && len <= DISK_SIZE - off);
}

static ssize_t fd_rw(struct block_backend *b, const struct iovec *iov,
		     int iovcnt, uint64_t off, bool write)
{
	struct fake_disk *f = (struct fake_disk *)b;
	FZ_CHECK(iovcnt > 0 && iovcnt <= VIRTQ_MAX_NUM);
	FZ_CHECK(!write || !b->read_only);
	uint64_t len = 0;
	for (int k = 0; k < iovcnt; k++)
		len += iov[k].iov_len;
	check_range(off, len);
	if (f->fail)
		return -EIO;
	for (int k = 0; k < iovcnt; k++) {
		if (write)
			memcpy(f->data + off, iov[k].iov_base, iov[k].iov_len);
		else
			memcpy(iov[k].iov_base, f->data + off, iov[k].iov_len);
		off += iov[k].iov_len;
	}
	return (ssize_t)len;
}

static ssize_t fd_preadv(struct block_backend *b, const struct iovec *iov,
			 int iovcnt, uint64_t off)
{
	return fd_rw(b, iov, iovcnt, off, false);
}

static ssize_t fd_pwritev(struct block_backend *b, const struct iovec *iov,
			  int iovcnt, uint64_t off)
{
	return fd_rw(b, iov, iovcnt, off, true);
}

static int fd_flush(struct block_backend *b)
{
	return ((struct fake_disk *)b)->fail ? -EIO : 0;
}

static int fd_discard(struct block_backend *b, uint64_t off, uint64_t len)
{
	FZ_CHECK(!b->read_only);
	check_range(off, len);
	return ((struct fake_disk *)b)->fail ? -EIO : 0;
}

static int fd_write_zeroes(struct block_backend *b, uint64_t off, uint64_t len)
{
	struct fake_disk *f = (struct fake_disk *)b;
	FZ_CHECK(!b->read_only);
	check_range(off, len);
	if (f->fail)
		return -EIO;
	memset(f->data + off, 0, len);
	return 0;
}

static void fd_close(struct block_backend *b)
{
	(void)b;
}

static const struct block_ops full_ops = {
	.preadv = fd_preadv,
	.pwritev = fd_pwritev,
	.flush = fd_flush,
	.discard = fd_discard,
	.write_zeroes = fd_write_zeroes,
	.close = fd_close,
};

static const struct block_ops min_ops = {
	.preadv = fd_preadv,
	.pwritev = fd_pwritev,
	.flush = fd_flush,
	.close = fd_close,
};

static void nop_irq(void *opaque, bool level)
{
	(void)opaque;
	(void)level;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	uint16_t num = (uint16_t)(1u << (fz_u8(&in) % 9));
	uint8_t flags = fz_u8(&in);
	uint64_t want = ~(VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			  VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	if (flags & 2)
		want |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (flags & 4)
		want |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);

	static uint8_t disk[DISK_SIZE];
	struct fake_disk f = {
		.be = {.ops = (flags & 16) ? &min_ops : &full_ops,
		       .size = DISK_SIZE,
		       .read_only = flags & 1,
		       .serial = "fuzz-serial-0123456"},
		.data = disk,
		.fail = flags & 8,
	};
	struct bus bus;
	fz_bus_init(&bus, &in);
	struct virtio_blk *b = virtio_blk_create(&f.be);
	FZ_CHECK(b);
	struct virtio_dev *d = virtio_blk_dev(b);
	d->bus = &bus;
	d->set_irq = nop_irq;
	fz_queues(d, 1, num, want);

	virtio_dev_notify(d, 0);
	if (flags & 32)
		virtio_dev_notify(d, 0);

	virtio_blk_free(b);
	fz_bus_free(&bus);
	return 0;
}
