/*
 * Raw disk images: the block back end (emulator/backend/block.h) for a
 * plain file or block device.
 *
 * Talks to: the kernel only (preadv/pwritev on the guest-RAM iovecs,
 * fdatasync, fallocate). Owns the file descriptor.
 */
#ifndef PVKIT_HOST_BLOCK_RAW_H
#define PVKIT_HOST_BLOCK_RAW_H

#include <stdbool.h>
#include <stddef.h>

struct block_backend;

/* Opens path read-write, or read-only when read_only. The size must be a
   multiple of 512. The image is locked (an OFD lock: shared when
   read-only, exclusive otherwise) so two pvkits cannot write one disk.
   Returns NULL with a one-line message in err on failure; close with
   be->ops->close(be). */
struct block_backend *raw_open(const char *path, bool read_only, char *err,
			       size_t errlen);

#endif
