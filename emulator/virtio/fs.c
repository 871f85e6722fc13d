/*
 * virtio-fs request framing (see fs.h): a chain is {fuse_in_header and
 * arguments (readable), fuse_out_header and reply (writable)}; FORGET and
 * BATCH_FORGET have no writable part. The header is copied out of guest
 * RAM once; the back end gets that copy, so the guest cannot change the
 * length or opcode it was checked with.
 *
 * A chain whose framing is wrong (no whole header, a header len that
 * disagrees with the readable bytes, a request larger than the back end
 * serves, no room for a reply header) is answered here with an error
 * reply when it has room for one, and returned empty otherwise. Requests
 * complete out of order, whenever the back end's workers are done.
 */
#include "fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/backend/fs.h"
#include "emulator/virtio/virtio.h"
#include "protocol/virtio_fs.h"

#define FS_QUEUE_SIZE VIRTQ_MAX_NUM
#define FS_REQUEST_QUEUES 1
#define FS_NUM_QUEUES (VIRTIO_FS_FIRST_REQUEST_QUEUE + FS_REQUEST_QUEUES)

struct fs_slot {
	bool busy;
	unsigned q;
	struct virtq_chain chain;
};

struct virtio_fs {
	struct virtio_dev dev;
	struct fs_backend *be;
	struct virtio_fs_config cfg;
	struct virtio_fs_stats st;
	unsigned inflight;
	struct fs_slot slot[VIRTIO_FS_MAX_INFLIGHT];
};

static void fs_config_read(struct virtio_dev *d, uint32_t off, void *buf,
			   uint32_t len)
{
	struct virtio_fs *f = d->priv;
	virtio_config_copy(buf, off, len, &f->cfg, sizeof(f->cfg));
}

static bool expects_reply(uint32_t opcode)
{
	return opcode != VFS_OP_FORGET && opcode != VFS_OP_BATCH_FORGET;
}

/* Answers c here: an error reply if it has room for one, else nothing. */
static void refuse(struct virtio_fs *f, unsigned q, struct virtq_chain *c,
		   uint64_t unique, int err)
{
	uint32_t written = 0;
	struct vfs_out_header out = {sizeof(out), -err, unique};
	if (c->in_len >= sizeof(out))
		written = (uint32_t)iov_from_buf(c->iov + c->nout, c->nin, 0,
						 &out, sizeof(out));
	f->st.refused++;
	virtq_push(&f->dev, q, c->head, written);
}

/* Checks the framing of c; true when it goes to the back end. */
static bool frame_ok(struct virtio_fs *f, unsigned q, struct virtq_chain *c,
		     struct vfs_in_header *h)
{
	if (c->out_len < sizeof(*h)) {
		refuse(f, q, c, 0, EINVAL);
		return false;
	}
	iov_to_buf(c->iov, c->nout, 0, h, sizeof(*h)); /* copy: no TOCTOU */
	if (h->len != c->out_len) {
		refuse(f, q, c, h->unique, EINVAL);
		return false;
	}
	if (h->len > f->be->max_request) {
		refuse(f, q, c, h->unique, E2BIG);
		return false;
	}
	if (expects_reply(h->opcode) &&
	    c->in_len < sizeof(struct vfs_out_header)) {
		refuse(f, q, c, h->unique, EINVAL); /* returned empty */
		return false;
	}
	return true;
}

static int free_slot(struct virtio_fs *f)
{
	for (int k = 0; k < VIRTIO_FS_MAX_INFLIGHT; k++)
		if (!f->slot[k].busy)
			return k;
	return -1;
}

/* Takes chains off queue q while there are free slots. */
static void pump(struct virtio_fs *f, unsigned q)
{
	struct virtio_dev *d = &f->dev;
	for (;;) {
		int s = free_slot(f);
		struct virtq_chain *c = s < 0 ? NULL : &f->slot[s].chain;
		if (!c || virtq_pop(d, q, c) != 1)
			break;
		struct fs_request r = {.id = (uint32_t)s};
		if (!frame_ok(f, q, c, &r.hdr))
			continue;
		f->slot[s].busy = true;
		f->slot[s].q = q;
		f->inflight++;
		if (f->inflight > f->st.max_inflight)
			f->st.max_inflight = f->inflight;
		r.iov = c->iov;
		r.nout = c->nout;
		r.nin = c->nin;
		r.out_len = c->out_len;
		r.in_len = c->in_len;
		f->st.submitted++;
		f->be->ops->submit(f->be, &r);
	}
	virtq_notify_guest(d, q);
}

static void fs_notify(struct virtio_dev *d, unsigned q)
{
	pump(d->priv, q);
}

/* The back end answered request id (machine thread). */
static void fs_complete(void *opaque, uint32_t id, uint32_t written)
{
	struct virtio_fs *f = opaque;
	if (id >= VIRTIO_FS_MAX_INFLIGHT || !f->slot[id].busy)
		return;
	struct fs_slot *s = &f->slot[id];
	if (written > s->chain.in_len)
		written = (uint32_t)s->chain.in_len;
	s->busy = false;
	f->inflight--;
	f->st.completed++;
	virtq_push(&f->dev, s->q, s->chain.head, written);
	virtq_notify_guest(&f->dev, s->q);
	/* a slot is free again: chains may be waiting for one */
	for (unsigned q = 0; q < FS_NUM_QUEUES; q++)
		if (virtq_has_avail(&f->dev, q))
			pump(f, q);
}

static void fs_reset(struct virtio_dev *d)
{
	struct virtio_fs *f = d->priv;
	/* no worker may write into a chain once the driver owns it again */
	f->be->ops->cancel_all(f->be);
	for (int k = 0; k < VIRTIO_FS_MAX_INFLIGHT; k++) {
		if (f->slot[k].busy)
			f->st.dropped++;
		f->slot[k].busy = false;
	}
	f->inflight = 0;
}

static const struct virtio_dev_ops fs_ops = {
	.name = "virtio-fs",
	.device_id = VIRTIO_ID_FS,
	.num_queues = FS_NUM_QUEUES,
	.queue_size = FS_QUEUE_SIZE,
	.config_size = sizeof(struct virtio_fs_config),
	.config_read = fs_config_read,
	.queue_notify = fs_notify,
	.reset = fs_reset,
};

struct virtio_fs *virtio_fs_create(struct fs_backend *be)
{
	struct virtio_fs *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->be = be;
	be->front.opaque = f;
	be->front.complete = fs_complete;
	size_t n = strnlen(be->tag, sizeof(be->tag));
	memcpy(f->cfg.tag, be->tag,
	       n < VIRTIO_FS_TAG_BYTES ? n : VIRTIO_FS_TAG_BYTES);
	f->cfg.num_request_queues = FS_REQUEST_QUEUES;
	virtio_dev_init(&f->dev, &fs_ops, f);
	return f;
}

void virtio_fs_free(struct virtio_fs *f)
{
	if (!f)
		return;
	f->be->front.complete = NULL;
	free(f);
}

struct virtio_dev *virtio_fs_dev(struct virtio_fs *f)
{
	return &f->dev;
}

const struct virtio_fs_stats *virtio_fs_stats(const struct virtio_fs *f)
{
	return &f->st;
}
