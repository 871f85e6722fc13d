/*
 * Per-opcode argument checks of FUSE requests from a guest (see
 * virtiofs_args.h). The fixed argument sizes are the current kernel ABI's
 * (<linux/fuse.h>), the layout libfuse 3.14 reads once INIT has agreed on
 * a minor version >= 12; the names follow them.
 */
#include "virtiofs_args.h"

#include <errno.h>
#include <linux/fuse.h>
#include <string.h>

struct arg_rule {
	uint16_t fixed; /* bytes of fixed arguments after the header */
	uint8_t names;	/* NUL-terminated names after them */
	uint8_t known;	/* 0: answered ENOSYS without asking libfuse */
};

#define RULE(op, f, n) [op] = {(f), (n), 1}

static const struct arg_rule rules[] = {
	RULE(FUSE_LOOKUP, 0, 1),
	RULE(FUSE_FORGET, sizeof(struct fuse_forget_in), 0),
	RULE(FUSE_GETATTR, sizeof(struct fuse_getattr_in), 0),
	RULE(FUSE_SETATTR, sizeof(struct fuse_setattr_in), 0),
	RULE(FUSE_READLINK, 0, 0),
	RULE(FUSE_SYMLINK, 0, 2),
	RULE(FUSE_MKNOD, sizeof(struct fuse_mknod_in), 1),
	RULE(FUSE_MKDIR, sizeof(struct fuse_mkdir_in), 1),
	RULE(FUSE_UNLINK, 0, 1),
	RULE(FUSE_RMDIR, 0, 1),
	RULE(FUSE_RENAME, sizeof(struct fuse_rename_in), 2),
	RULE(FUSE_LINK, sizeof(struct fuse_link_in), 1),
	RULE(FUSE_OPEN, sizeof(struct fuse_open_in), 0),
	RULE(FUSE_READ, sizeof(struct fuse_read_in), 0),
	RULE(FUSE_WRITE, sizeof(struct fuse_write_in), 0), /* + size */
	RULE(FUSE_STATFS, 0, 0),
	RULE(FUSE_RELEASE, sizeof(struct fuse_release_in), 0),
	RULE(FUSE_FSYNC, sizeof(struct fuse_fsync_in), 0),
	RULE(FUSE_SETXATTR, sizeof(struct fuse_setxattr_in), 1), /* + size */
	RULE(FUSE_GETXATTR, sizeof(struct fuse_getxattr_in), 1),
	RULE(FUSE_LISTXATTR, sizeof(struct fuse_getxattr_in), 0),
	RULE(FUSE_REMOVEXATTR, 0, 1),
	RULE(FUSE_FLUSH, sizeof(struct fuse_flush_in), 0),
	RULE(FUSE_INIT, 8, 0), /* major and minor; the rest reads as 0 */
	RULE(FUSE_OPENDIR, sizeof(struct fuse_open_in), 0),
	RULE(FUSE_READDIR, sizeof(struct fuse_read_in), 0),
	RULE(FUSE_RELEASEDIR, sizeof(struct fuse_release_in), 0),
	RULE(FUSE_FSYNCDIR, sizeof(struct fuse_fsync_in), 0),
	RULE(FUSE_GETLK, sizeof(struct fuse_lk_in), 0),
	RULE(FUSE_SETLK, sizeof(struct fuse_lk_in), 0),
	RULE(FUSE_SETLKW, sizeof(struct fuse_lk_in), 0),
	RULE(FUSE_ACCESS, sizeof(struct fuse_access_in), 0),
	RULE(FUSE_CREATE, sizeof(struct fuse_create_in), 1),
	RULE(FUSE_INTERRUPT, sizeof(struct fuse_interrupt_in), 0),
	RULE(FUSE_BMAP, sizeof(struct fuse_bmap_in), 0),
	RULE(FUSE_DESTROY, 0, 0),
	RULE(FUSE_IOCTL, sizeof(struct fuse_ioctl_in), 0), /* + in_size */
	RULE(FUSE_POLL, sizeof(struct fuse_poll_in), 0),
	/* NOTIFY_REPLY answers a retrieve notification; virtio-fs has no
	   channel for those, so a reply is always unsolicited */
	RULE(FUSE_BATCH_FORGET, sizeof(struct fuse_batch_forget_in), 0),
	RULE(FUSE_FALLOCATE, sizeof(struct fuse_fallocate_in), 0),
	RULE(FUSE_READDIRPLUS, sizeof(struct fuse_read_in), 0),
	RULE(FUSE_RENAME2, sizeof(struct fuse_rename2_in), 2),
	RULE(FUSE_LSEEK, sizeof(struct fuse_lseek_in), 0),
	RULE(FUSE_COPY_FILE_RANGE, sizeof(struct fuse_copy_file_range_in), 0),
};

/* The byte count a request carries past its fixed part and names, which
   libfuse would take on trust. */
static uint64_t counted_payload(uint32_t opcode, const uint8_t *args)
{
	switch (opcode) {
	case FUSE_WRITE: return ((const struct fuse_write_in *)args)->size;
	case FUSE_SETXATTR:
		return ((const struct fuse_setxattr_in *)args)->size;
	case FUSE_IOCTL: return ((const struct fuse_ioctl_in *)args)->in_size;
	case FUSE_BATCH_FORGET:
		return (uint64_t)((const struct fuse_batch_forget_in *)args)
			       ->count *
		       sizeof(struct fuse_forget_one);
	default: return 0;
	}
}

int virtiofs_check_args(const uint8_t *req, size_t len)
{
	struct fuse_in_header h;
	if (len < sizeof(h))
		return EINVAL;
	memcpy(&h, req, sizeof(h));
	if (h.opcode >= sizeof(rules) / sizeof(rules[0]) ||
	    !rules[h.opcode].known)
		return ENOSYS;
	/* libfuse 3.14 knows no request extensions */
	if (h.total_extlen)
		return EINVAL;
	const struct arg_rule *r = &rules[h.opcode];
	size_t body = len - sizeof(h);
	if (body < r->fixed)
		return EINVAL;
	const uint8_t *args = req + sizeof(h);
	size_t off = r->fixed;
	for (unsigned k = 0; k < r->names; k++) {
		const uint8_t *nul = memchr(args + off, 0, body - off);
		if (!nul)
			return EINVAL;
		off = (size_t)(nul - args) + 1;
	}
	uint64_t payload = counted_payload(h.opcode, args);
	/* WRITE's data follows its fixed part, SETXATTR's value its name */
	if (payload > body - off)
		return EINVAL;
	return 0;
}
