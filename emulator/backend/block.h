/*
 * The block back-end interface: what a disk front end (virtio-blk, the
 * IDE twin) needs of an image. host/ implements it for raw and qcow2
 * files; the emulator only ever sees this table. I/O goes through iovecs
 * that point straight into guest RAM, so a raw image is read with one
 * preadv and no copy.
 */
#ifndef PVKIT_BACKEND_BLOCK_H
#define PVKIT_BACKEND_BLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct block_backend;

struct block_ops {
	/* Whole transfers or -errno: a short read past the end of the
	   image is an error, never a partial success. */
	ssize_t (*preadv)(struct block_backend *b, const struct iovec *iov,
			  int iovcnt, uint64_t offset);
	ssize_t (*pwritev)(struct block_backend *b, const struct iovec *iov,
			   int iovcnt, uint64_t offset);
	/* Returns only when the data written so far is on stable storage. */
	int (*flush)(struct block_backend *b);
	/* Optional (NULL = unsupported): deallocate, or read back as zeros. */
	int (*discard)(struct block_backend *b, uint64_t offset, uint64_t len);
	int (*write_zeroes)(struct block_backend *b, uint64_t offset,
			    uint64_t len);
	void (*close)(struct block_backend *b);
};

struct block_backend {
	const struct block_ops *ops;
	uint64_t size; /* bytes, a multiple of 512 */
	bool read_only;
	char serial[21]; /* for virtio-blk GET_ID and IDENTIFY */
};

#endif
