/*
 * hostfs_check_request: the shape check a raw FUSE request needs before
 * libfuse sees it. libfuse 3.14 trusts the kernel on /dev/fuse: it reads
 * each opcode's argument struct, strlen()s names and takes WRITE and
 * BATCH_FORGET sizes from the request without looking at how many bytes
 * arrived. A virtio-fs client is a guest, so the transport calls this for
 * every request it pulls out of a virtqueue.
 */
#define _GNU_SOURCE
#include "hostfs.h"

#include <errno.h>
#include <linux/fuse.h>
#include <string.h>

/* The argument bytes after the header and a cursor over them. */
struct args {
	const char *p, *end;
};

static bool take(struct args *a, size_t n)
{
	if ((size_t)(a->end - a->p) < n)
		return false;
	a->p += n;
	return true;
}

/* One NUL-terminated name inside the arguments. */
static bool take_string(struct args *a)
{
	const char *nul = memchr(a->p, '\0', a->end - a->p);
	if (!nul)
		return false;
	a->p = nul + 1;
	return true;
}

static bool check_init(struct args *a)
{
	const struct fuse_init_in *in = (const void *)a->p;
	if ((size_t)(a->end - a->p) < 8)
		return false;
	if (in->minor < 6)
		return true;
	if ((size_t)(a->end - a->p) < 16)
		return false;
	/* flags2 and beyond are read only with FUSE_INIT_EXT. */
	return !(in->flags & FUSE_INIT_EXT) || take(a, sizeof(*in));
}

static bool check_write(struct args *a)
{
	struct fuse_write_in w;
	if ((size_t)(a->end - a->p) < sizeof(w))
		return false;
	memcpy(&w, a->p, sizeof(w));
	return take(a, sizeof(w)) && take(a, w.size);
}

static bool check_batch_forget(struct args *a)
{
	struct fuse_batch_forget_in b;
	if ((size_t)(a->end - a->p) < sizeof(b))
		return false;
	memcpy(&b, a->p, sizeof(b));
	return take(a, sizeof(b)) &&
	       (size_t)(a->end - a->p) / sizeof(struct fuse_forget_one) >=
		       b.count;
}

static bool check_setxattr(struct args *a)
{
	/* libfuse 3.14 speaks protocol 7.31: the short fuse_setxattr_in. */
	uint32_t size;
	if ((size_t)(a->end - a->p) < FUSE_COMPAT_SETXATTR_IN_SIZE)
		return false;
	memcpy(&size, a->p, sizeof(size));
	return take(a, FUSE_COMPAT_SETXATTR_IN_SIZE) && take_string(a) &&
	       take(a, size);
}

static bool check_ioctl(struct args *a)
{
	struct fuse_ioctl_in io;
	if ((size_t)(a->end - a->p) < sizeof(io))
		return false;
	memcpy(&io, a->p, sizeof(io));
	return take(a, sizeof(io)) && take(a, io.in_size);
}

/* Arguments by opcode: a fixed struct and then 0, 1 or 2 names. */
static bool check_args(uint32_t opcode, struct args *a)
{
	switch (opcode) {
	case FUSE_LOOKUP:
	case FUSE_UNLINK:
	case FUSE_RMDIR:
	case FUSE_REMOVEXATTR: return take_string(a);
	case FUSE_SYMLINK: return take_string(a) && take_string(a);
	case FUSE_FORGET: return take(a, sizeof(struct fuse_forget_in));
	case FUSE_GETATTR: return take(a, sizeof(struct fuse_getattr_in));
	case FUSE_SETATTR: return take(a, sizeof(struct fuse_setattr_in));
	case FUSE_READLINK:
	case FUSE_STATFS:
	case FUSE_DESTROY: return true;
	case FUSE_MKNOD:
		return take(a, sizeof(struct fuse_mknod_in)) && take_string(a);
	case FUSE_MKDIR:
		return take(a, sizeof(struct fuse_mkdir_in)) && take_string(a);
	case FUSE_RENAME:
		return take(a, sizeof(struct fuse_rename_in)) &&
		       take_string(a) && take_string(a);
	case FUSE_RENAME2:
		return take(a, sizeof(struct fuse_rename2_in)) &&
		       take_string(a) && take_string(a);
	case FUSE_LINK:
		return take(a, sizeof(struct fuse_link_in)) && take_string(a);
	case FUSE_OPEN:
	case FUSE_OPENDIR: return take(a, sizeof(struct fuse_open_in));
	case FUSE_READ:
	case FUSE_READDIR:
	case FUSE_READDIRPLUS: return take(a, sizeof(struct fuse_read_in));
	case FUSE_WRITE: return check_write(a);
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR: return take(a, sizeof(struct fuse_release_in));
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR: return take(a, sizeof(struct fuse_fsync_in));
	case FUSE_SETXATTR: return check_setxattr(a);
	case FUSE_GETXATTR:
		return take(a, sizeof(struct fuse_getxattr_in)) &&
		       take_string(a);
	case FUSE_LISTXATTR: return take(a, sizeof(struct fuse_getxattr_in));
	case FUSE_FLUSH: return take(a, sizeof(struct fuse_flush_in));
	case FUSE_INIT: return check_init(a);
	case FUSE_GETLK:
	case FUSE_SETLK:
	case FUSE_SETLKW: return take(a, sizeof(struct fuse_lk_in));
	case FUSE_ACCESS: return take(a, sizeof(struct fuse_access_in));
	case FUSE_CREATE:
		return take(a, sizeof(struct fuse_create_in)) && take_string(a);
	case FUSE_INTERRUPT: return take(a, sizeof(struct fuse_interrupt_in));
	case FUSE_BMAP: return take(a, sizeof(struct fuse_bmap_in));
	case FUSE_IOCTL: return check_ioctl(a);
	case FUSE_POLL: return take(a, sizeof(struct fuse_poll_in));
	case FUSE_BATCH_FORGET: return check_batch_forget(a);
	case FUSE_FALLOCATE: return take(a, sizeof(struct fuse_fallocate_in));
	case FUSE_LSEEK: return take(a, sizeof(struct fuse_lseek_in));
	case FUSE_COPY_FILE_RANGE:
		return take(a, sizeof(struct fuse_copy_file_range_in));
	/* NOTIFY_REPLY answers a retrieve hostfs never sends; CUSE_INIT is
	   not FUSE. */
	case FUSE_NOTIFY_REPLY:
	case CUSE_INIT: return false;
	default:
		/* libfuse answers ENOSYS from the header alone. */
		return true;
	}
}

int hostfs_check_request(const void *buf, size_t len)
{
	struct fuse_in_header h;
	if (len < sizeof(h))
		return EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (h.len != len)
		return EINVAL;
	struct args a = {
		.p = (const char *)buf + sizeof(h),
		.end = (const char *)buf + len,
	};
	return check_args(h.opcode, &a) ? 0 : EINVAL;
}
