/*
 * Guest virtio-fs driver for pvkit's bare-metal programs: raw FUSE
 * requests over the hiprio queue (0) and the first request queue (1), one
 * at a time, synchronous (polled). It builds whatever the caller asks,
 * well-formed or not: the test programs use it to send forged requests.
 *
 * Talks to: the transport (virtio_mmio.h) and two virtqueues
 * (virtqueue.h). Owns: struct vfs (queues, one request and one reply
 * buffer); FUSE structures come from protocol/virtio_fs.h.
 */
#ifndef PVKIT_GUEST_VIRTIO_FS_H
#define PVKIT_GUEST_VIRTIO_FS_H

#include <stdint.h>

#include "protocol/virtio_fs.h"
#include "virtio_mmio.h"
#include "virtqueue.h"

#define VFS_BUF_BYTES 8192

struct vfs {
	struct vmmio_dev dev;
	struct virtqueue hiprio, req;
	char tag[VIRTIO_FS_TAG_BYTES + 1];
	uint32_t num_request_queues;
	uint64_t next_unique;
	uint8_t out[VFS_BUF_BYTES] __attribute__((aligned(8))); /* request */
	uint8_t in[VFS_BUF_BYTES] __attribute__((aligned(8)));	/* reply */
	uint32_t in_written; /* bytes the device wrote into in */
};

/* Finds the nth virtio-fs device, brings it up, reads the tag. 0 or -1. */
int vfs_init(struct vfs *f, int nth);

/* Sends one chain {out[0..out_len) readable, in[0..in_len) writable} on
   queue q (in_len 0: no writable part) and waits for it. Returns 0 and
   sets f->in_written, or -1 when it did not complete. */
int vfs_send(struct vfs *f, unsigned q, uint32_t out_len, uint32_t in_len);

/* Builds {header, arg, name (with its NUL, when name is not NULL)} in
   f->out for opcode on nodeid, with header len set right. Returns the
   request's length. */
uint32_t vfs_build(struct vfs *f, uint32_t opcode, uint64_t nodeid,
		   const void *arg, uint32_t arg_len, const char *name);

/* vfs_build + vfs_send on the request queue with the whole reply buffer:
   returns the reply's error (0 or -errno), or 1 when no reply came (the
   chain never completed or came back without a reply header). The reply
   body is at f->in + sizeof(struct vfs_out_header). */
int vfs_call(struct vfs *f, uint32_t opcode, uint64_t nodeid, const void *arg,
	     uint32_t arg_len, const char *name);

/* The reply header of the last request. */
static inline const struct vfs_out_header *vfs_reply(const struct vfs *f)
{
	return (const struct vfs_out_header *)f->in;
}

static inline const void *vfs_reply_body(const struct vfs *f)
{
	return f->in + sizeof(struct vfs_out_header);
}

/* FUSE_INIT (7.31): returns the reply's error. */
int vfs_fuse_init(struct vfs *f);

#endif
