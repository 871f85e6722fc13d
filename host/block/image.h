/*
 * Disk images: the one place that turns a file name (and an optional
 * format) into a block back end. Detects qcow2 by its magic; anything
 * else is raw. Used by --disk, by qcow2 for its backing files and by
 * pvkit img.
 *
 * Talks to: the raw and qcow2 back ends. Owns nothing: the caller closes
 * the back end it gets with b->ops->close(b).
 */
#ifndef PVKIT_HOST_BLOCK_IMAGE_H
#define PVKIT_HOST_BLOCK_IMAGE_H

#include <stddef.h>

#include "emulator/backend/block.h"

enum image_format { IMAGE_PROBE = 0, IMAGE_RAW, IMAGE_QCOW2 };

enum {
	IMAGE_READ_ONLY = 1u << 0,
	/* Do not open the backing file (pvkit img info): reads of
	   unallocated clusters then return zeros. */
	IMAGE_NO_BACKING = 1u << 1,
};

/* "raw" or "qcow2"; -1 for anything else. */
int image_format_parse(const char *name, enum image_format *out);
const char *image_format_name(enum image_format f);

/* Reads the file's first bytes: IMAGE_QCOW2 for the qcow2 magic, else
   IMAGE_RAW. -errno with a one-line message in err on failure. */
int image_probe(const char *path, enum image_format *out, char *err,
		size_t errlen);

/* NULL with a one-line message in err (naming the file) on failure. */
struct block_backend *image_open(const char *path, enum image_format fmt,
				 unsigned flags, char *err, size_t errlen);

/* The same for a backing file `depth` images below the one the user
   named, so a chain that loops or goes too deep is refused. */
struct block_backend *image_open_chain(const char *path, enum image_format fmt,
				       unsigned flags, int depth, char *err,
				       size_t errlen);

#endif
