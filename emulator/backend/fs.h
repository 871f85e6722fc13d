/*
 * The shared-folder back-end interface: what the virtio-fs front end
 * needs of the host side. host/fs/virtiofs_server.c implements it with a
 * libfuse3 session over hostfs served by worker threads; the emulator only
 * ever sees this table.
 *
 * A request is one descriptor chain, already framed by the device: a
 * checked copy of its FUSE header and its iovecs into guest RAM. The back
 * end answers it asynchronously (off the machine thread) and reports the
 * completion on the machine thread through front.complete. The iovecs stay
 * the device's to keep valid until then, or until cancel_all returns.
 */
#ifndef PVKIT_BACKEND_FS_H
#define PVKIT_BACKEND_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "protocol/virtio_fs.h"

struct fs_backend;

struct fs_request {
	uint32_t id;		  /* the front end's name for it */
	struct vfs_in_header hdr; /* copied once; len == out_len */
	const struct iovec *iov;  /* nout readable, then nin writable */
	unsigned nout, nin;
	size_t out_len, in_len;
};

struct fs_frontend {
	void *opaque;
	/* On the machine thread: request id is answered, written bytes of
	   its writable part filled. */
	void (*complete)(void *opaque, uint32_t id, uint32_t written);
};

struct fs_ops {
	/* Takes a request (copied; r may be reused on return). */
	void (*submit)(struct fs_backend *b, const struct fs_request *r);
	/* Device reset: returns once no request is being served, with every
	   unanswered or undelivered request dropped (no complete call for
	   them) and the filesystem session started afresh. */
	void (*cancel_all)(struct fs_backend *b);
	void (*close)(struct fs_backend *b);
};

struct fs_backend {
	const struct fs_ops *ops;
	struct fs_frontend front;
	char tag[VIRTIO_FS_TAG_BYTES + 1];
	/* the largest request the back end serves (header included) */
	uint32_t max_request;
};

#endif
