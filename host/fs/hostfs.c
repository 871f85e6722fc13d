/*
 * hostfs: opening and closing one shared folder, the options, the FUSE
 * INIT negotiation and the table of low-level operations libfuse calls
 * (the operations themselves live in hostfs_entry.c, hostfs_create.c,
 * hostfs_file.c, hostfs_dir.c and hostfs_xattr.c).
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void hostfs_default_options(struct hostfs_options *o, const char *root)
{
	*o = (struct hostfs_options){
		.root = root,
		.read_only = false,
		.xattr = false,
		.map_guest_uid = (uid_t)-1,
		.map_host_uid = (uid_t)-1,
		.map_guest_gid = (gid_t)-1,
		.map_host_gid = (gid_t)-1,
		.attr_timeout = 1.0,
		.entry_timeout = 1.0,
	};
}

struct hostfs_fd_budget *hostfs_fd_budget_new(void)
{
	struct hostfs_fd_budget *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	/* Three quarters of the descriptors this process may open (the
	   rest is for images, sockets, the event loop), at least 64. */
	struct rlimit rl;
	rlim_t cur = getrlimit(RLIMIT_NOFILE, &rl) ? 1024 : rl.rlim_cur;
	if (cur == RLIM_INFINITY || cur > (1u << 30))
		cur = 1u << 30;
	b->max = cur / 4 * 3 > 64 ? cur / 4 * 3 : 64;
	atomic_init(&b->held, 0);
	return b;
}

void hostfs_fd_budget_free(struct hostfs_fd_budget *b)
{
	free(b);
}

struct hostfs *hostfs_open(const struct hostfs_options *o, char *err,
			   size_t errlen)
{
	if (!o->root || !*o->root) {
		snprintf(err, errlen, "no folder to share");
		return NULL;
	}
	if (!(o->attr_timeout >= 0 && o->entry_timeout >= 0)) {
		snprintf(err, errlen, "negative timeout");
		return NULL;
	}
	int root_fd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		snprintf(err, errlen, "cannot share %s: %s", o->root,
			 strerror(errno));
		return NULL;
	}
	int proc_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0) {
		snprintf(err, errlen, "cannot open /proc/self/fd: %s",
			 strerror(errno));
		close(root_fd);
		return NULL;
	}
	struct stat st;
	struct hostfs *fs = calloc(1, sizeof(*fs));
	char *path = strdup(o->root);
	struct hostfs_fd_budget *own =
		o->fd_budget ? NULL : hostfs_fd_budget_new();
	if (!fs || !path || (!o->fd_budget && !own) || fstat(root_fd, &st) ||
	    hostfs_inodes_init(&fs->inodes, root_fd, &st) ||
	    hostfs_handles_init(&fs->handles)) {
		snprintf(err, errlen, "cannot share %s: out of memory",
			 o->root);
		free(fs);
		free(path);
		free(own);
		close(root_fd);
		close(proc_fd);
		return NULL;
	}
	fs->opt = *o;
	fs->root_path = path;
	fs->opt.root = path;
	fs->proc_fd = proc_fd;
	fs->root_dev = st.st_dev;
	fs->root_ino = st.st_ino;
	fs->privileged = geteuid() == 0;
	fs->own_budget = own;
	fs->budget = o->fd_budget ? o->fd_budget : own;
	fs->opt.fd_budget = fs->budget;
	return fs;
}

void hostfs_close(struct hostfs *fs)
{
	if (!fs)
		return;
	hostfs_handles_destroy(fs);
	hostfs_inodes_destroy(&fs->inodes);
	close(fs->proc_fd);
	free(fs->root_path);
	hostfs_fd_budget_free(fs->own_budget);
	free(fs);
}

void hostfs_set_transport(struct hostfs *fs, void *transport)
{
	fs->transport = transport;
}

void *hostfs_transport(const struct hostfs *fs)
{
	return fs->transport;
}

void hostfs_op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* The client caches nothing it could not revalidate: no writeback
	   cache (host-side changes must show), and hostfs clears set-ID
	   bits itself on the client's SETATTR rather than relying on a
	   kill-priv flag. */
	conn->want &= ~(FUSE_CAP_WRITEBACK_CACHE | FUSE_CAP_HANDLE_KILLPRIV);
	if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
		conn->want |= FUSE_CAP_EXPORT_SUPPORT;
	/* READ replies move the host file's pages through a pipe instead of
	   a copy when the channel can splice (/dev/fuse; libfuse offers it
	   to a custom transport only if that has splice_send). */
	conn->want |=
		conn->capable & (FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
}

/* A transport may start a new session on the same hostfs after this
   (INIT after DESTROY, a device reset): nothing of the old client's must
   hold host fds or stay nameable. */
void hostfs_op_destroy(void *userdata)
{
	hostfs_forget_client(userdata);
}

static const struct fuse_lowlevel_ops ops = {
	.init = hostfs_op_init,
	.destroy = hostfs_op_destroy,
	.lookup = hostfs_op_lookup,
	.forget = hostfs_op_forget,
	.forget_multi = hostfs_op_forget_multi,
	.getattr = hostfs_op_getattr,
	.setattr = hostfs_op_setattr,
	.readlink = hostfs_op_readlink,
	.mknod = hostfs_op_mknod,
	.mkdir = hostfs_op_mkdir,
	.unlink = hostfs_op_unlink,
	.rmdir = hostfs_op_rmdir,
	.symlink = hostfs_op_symlink,
	.rename = hostfs_op_rename,
	.link = hostfs_op_link,
	.open = hostfs_op_open,
	.read = hostfs_op_read,
	.write_buf = hostfs_op_write_buf,
	.flush = hostfs_op_flush,
	.release = hostfs_op_release,
	.fsync = hostfs_op_fsync,
	.opendir = hostfs_op_opendir,
	.readdir = hostfs_op_readdir,
	.readdirplus = hostfs_op_readdirplus,
	.releasedir = hostfs_op_releasedir,
	.fsyncdir = hostfs_op_fsyncdir,
	.statfs = hostfs_op_statfs,
	.access = hostfs_op_access,
	.create = hostfs_op_create,
	.fallocate = hostfs_op_fallocate,
	.lseek = hostfs_op_lseek,
	.copy_file_range = hostfs_op_copy_file_range,
	.setxattr = hostfs_op_setxattr,
	.getxattr = hostfs_op_getxattr,
	.listxattr = hostfs_op_listxattr,
	.removexattr = hostfs_op_removexattr,
	/* No getlk/setlk/flock: libfuse answers ENOSYS and does not offer
	   POSIX or BSD locks, so the client locks locally. A blocking lock
	   served here would park a worker thread for as long as the client
	   likes. */
};

const struct fuse_lowlevel_ops *hostfs_ops(void)
{
	return &ops;
}
