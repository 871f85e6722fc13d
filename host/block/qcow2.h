/*
 * The qcow2 block back end: versions 2 and 3 read, version 3 (and 2)
 * written; L1/L2 tables, refcounts with on-demand growth, backing files
 * (raw or qcow2) with copy-on-write, zero clusters, zlib-compressed
 * clusters (read only), discard and write-zeroes. Every on-disk value is
 * checked before use; a corrupt or hostile image is refused with one line
 * naming the problem.
 *
 * Talks to: the image file (pread/pwrite/fdatasync), zlib, and the
 * backing file through image_open_chain(). Owns the file descriptor, its
 * metadata caches and the backing back end.
 */
#ifndef PVKIT_HOST_BLOCK_QCOW2_H
#define PVKIT_HOST_BLOCK_QCOW2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/backend/block.h"

/* flags: IMAGE_READ_ONLY, IMAGE_NO_BACKING (image.h). depth: how many
   images lie above this one in a backing chain (0 for the top). */
struct block_backend *qcow2_open(const char *path, unsigned flags, int depth,
				 char *err, size_t errlen);

struct qcow2_create_opts {
	uint64_t size;		    /* bytes, a multiple of 512 */
	unsigned cluster_bits;	    /* 9..21; 0 = 16 (64 KiB) */
	const char *backing_file;   /* stored as given; NULL = none */
	const char *backing_format; /* "raw", "qcow2" or NULL */
};

/* Creates (or truncates) path as an empty version 3 image that passes
   `qemu-img check`. 0, or -errno with a one-line message in err. */
int qcow2_create(const char *path, const struct qcow2_create_opts *o, char *err,
		 size_t errlen);

struct qcow2_info {
	int version;
	uint64_t cluster_size;
	unsigned refcount_bits;
	const char *backing_file;   /* NULL = none; valid while b is open */
	const char *backing_format; /* NULL = not recorded */
	bool lazy_refcounts, corrupt, dirty;
	uint32_t snapshots;
};

/* False when b is not a qcow2 back end. */
bool qcow2_get_info(struct block_backend *b, struct qcow2_info *out);

#endif
