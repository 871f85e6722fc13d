/*
 * Guest virtio-fs driver (see fs.h).
 */
#include "fs.h"

#include "runtime.h"

int vfs_init(struct vfs *f, int nth)
{
	memset(f, 0, sizeof(*f));
	if (vmmio_find(VIRTIO_ID_FS, nth, &f->dev))
		return -1;
	if (vmmio_init(&f->dev, 0))
		return -1;
	vmmio_config_read(&f->dev, 0, f->tag, VIRTIO_FS_TAG_BYTES);
	f->num_request_queues = vmmio_config_read32(
		&f->dev,
		__builtin_offsetof(struct virtio_fs_config, num_request_queues));
	if (vq_init(&f->hiprio, &f->dev, VIRTIO_FS_HIPRIO_QUEUE, 32) ||
	    vq_init(&f->req, &f->dev, VIRTIO_FS_FIRST_REQUEST_QUEUE, 32))
		return -1;
	vmmio_driver_ok(&f->dev);
	f->next_unique = 1;
	return 0;
}

int vfs_send(struct vfs *f, unsigned q, uint32_t out_len, uint32_t in_len)
{
	struct virtqueue *vq = q == VIRTIO_FS_HIPRIO_QUEUE ? &f->hiprio
							   : &f->req;
	struct vq_buf bufs[2];
	unsigned n = 0;
	if (out_len)
		bufs[n++] = (struct vq_buf){f->out, out_len, 0};
	if (in_len)
		bufs[n++] = (struct vq_buf){f->in, in_len, 1};
	memset(f->in, 0xa5, sizeof(f->in));
	f->in_written = 0;
	uint32_t written = 0;
	if (vq_submit_wait(vq, bufs, n, &written))
		return -1;
	vmmio_ack_interrupt(&f->dev);
	f->in_written = written;
	return 0;
}

uint32_t vfs_build(struct vfs *f, uint32_t opcode, uint64_t nodeid,
		   const void *arg, uint32_t arg_len, const char *name)
{
	struct vfs_in_header *h = (struct vfs_in_header *)f->out;
	uint32_t len = sizeof(*h);
	memset(h, 0, sizeof(*h));
	if (arg_len) {
		memcpy(f->out + len, arg, arg_len);
		len += arg_len;
	}
	if (name) {
		uint32_t n = (uint32_t)strlen(name) + 1;
		memcpy(f->out + len, name, n);
		len += n;
	}
	h->len = len;
	h->opcode = opcode;
	h->unique = f->next_unique++;
	h->nodeid = nodeid;
	return len;
}

int vfs_call(struct vfs *f, uint32_t opcode, uint64_t nodeid, const void *arg,
	     uint32_t arg_len, const char *name)
{
	uint32_t len = vfs_build(f, opcode, nodeid, arg, arg_len, name);
	if (vfs_send(f, VIRTIO_FS_FIRST_REQUEST_QUEUE, len, sizeof(f->in)))
		return 1;
	const struct vfs_out_header *o = vfs_reply(f);
	if (f->in_written < sizeof(*o) || o->len != f->in_written)
		return 1;
	return o->error;
}

int vfs_fuse_init(struct vfs *f)
{
	struct vfs_init_in in = {
		.major = VFS_KERNEL_VERSION,
		.minor = VFS_KERNEL_MINOR_VERSION,
		.max_readahead = 65536,
	};
	return vfs_call(f, VFS_OP_INIT, 0, &in, sizeof(in), 0);
}
