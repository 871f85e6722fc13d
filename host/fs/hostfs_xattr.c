/*
 * hostfs extended attributes: off unless the share was opened with
 * `xattr` (ENOSYS, so the client stops asking). When on, they reach the
 * host file through its /proc/self/fd link; the client may never write
 * trusted.* (root-only host metadata) nor security.* (capabilities, LSM
 * labels: CVE-2021-20263 class).
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

/* The inode's /proc/self/fd path in path, or NULL after replying. */
static struct hostfs_inode *xattr_inode(fuse_req_t req, fuse_ino_t ino,
					bool change, char *path, size_t len)
{
	struct hostfs *fs = fuse_req_userdata(req);
	if (!fs->opt.xattr) {
		fuse_reply_err(req, ENOSYS);
		return NULL;
	}
	if (change && fs->opt.read_only) {
		fuse_reply_err(req, EROFS);
		return NULL;
	}
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in) {
		fuse_reply_err(req, ESTALE);
		return NULL;
	}
	/* Through the /proc link a symlink would be followed, and xattrs on
	   special files are not the client's business. */
	if (in->type != S_IFREG && in->type != S_IFDIR) {
		hostfs_inode_put(fs, in);
		fuse_reply_err(req, change ? EPERM : ENODATA);
		return NULL;
	}
	snprintf(path, len, "/proc/self/fd/%d", in->fd);
	return in;
}

static bool name_is_writable(const char *name)
{
	return strncmp(name, "trusted.", 8) && strncmp(name, "security.", 9);
}

void hostfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags)
{
	char path[64];
	struct hostfs_inode *in =
		xattr_inode(req, ino, true, path, sizeof(path));
	if (!in)
		return;
	struct hostfs *fs = fuse_req_userdata(req);
	int err = 0;
	if (!name_is_writable(name))
		err = EPERM;
	else if (setxattr(path, name, value, size, flags))
		err = errno;
	hostfs_inode_put(fs, in);
	fuse_reply_err(req, err);
}

void hostfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	char path[64];
	struct hostfs_inode *in =
		xattr_inode(req, ino, true, path, sizeof(path));
	if (!in)
		return;
	struct hostfs *fs = fuse_req_userdata(req);
	int err = 0;
	if (!name_is_writable(name))
		err = EPERM;
	else if (removexattr(path, name))
		err = errno;
	hostfs_inode_put(fs, in);
	fuse_reply_err(req, err);
}

/* GETXATTR and LISTXATTR answer the size for size 0, the data else. */
static void reply_sized(fuse_req_t req, ssize_t n, const char *buf, size_t size)
{
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size == 0)
		fuse_reply_xattr(req, n);
	else
		fuse_reply_buf(req, buf, n);
}

/* GETXATTR (name) and LISTXATTR (name NULL) read the same way. */
static void read_xattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       size_t size)
{
	char path[64];
	struct hostfs_inode *in =
		xattr_inode(req, ino, false, path, sizeof(path));
	if (!in)
		return;
	struct hostfs *fs = fuse_req_userdata(req);
	if (size > HOSTFS_MAX_IO)
		size = HOSTFS_MAX_IO;
	char *buf = size ? malloc(size) : NULL;
	ssize_t n = size && !buf ? (errno = ENOMEM, -1)
		    : name	 ? getxattr(path, name, buf, size)
				 : listxattr(path, buf, size);
	int saved = errno;
	hostfs_inode_put(fs, in);
	errno = saved;
	reply_sized(req, n, buf, size);
	free(buf);
}

void hostfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size)
{
	read_xattr(req, ino, name, size);
}

void hostfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	read_xattr(req, ino, NULL, size);
}
