/*
 * virtio-blk (device ID 2): a disk front end on a block back end.
 *
 * Talks to: the virtio core and one struct block_backend (raw, qcow2),
 * whose preadv/pwritev get the request's iovecs straight into guest RAM.
 * Owns the front-end state and counters, not the back end.
 *
 * Offers SEG_MAX, BLK_SIZE (512), FLUSH (the back end's flush before the
 * ack), GET_ID (the back end's serial), RO for a read-only back end, and
 * DISCARD / WRITE_ZEROES when the back end implements them and is
 * writable. Requests complete synchronously in the notify.
 */
#ifndef PVKIT_VIRTIO_BLK_H
#define PVKIT_VIRTIO_BLK_H

#include <stdint.h>

struct block_backend;
struct virtio_blk;
struct virtio_dev;

struct virtio_blk_stats {
	uint64_t reads, writes, flushes, discards, write_zeroes, get_ids;
	uint64_t bytes_read, bytes_written;
	uint64_t errors;      /* requests answered IOERR */
	uint64_t unsupported; /* requests answered UNSUPP */
};

/* be must outlive the device. */
struct virtio_blk *virtio_blk_create(struct block_backend *be);
void virtio_blk_free(struct virtio_blk *b);
struct virtio_dev *virtio_blk_dev(struct virtio_blk *b);
const struct virtio_blk_stats *virtio_blk_stats(const struct virtio_blk *b);

#endif
