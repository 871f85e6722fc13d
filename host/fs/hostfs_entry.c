/*
 * hostfs operations on existing entries: LOOKUP, FORGET, GETATTR,
 * SETATTR, READLINK, STATFS, ACCESS. Each resolves the client's node id
 * through the inode table first; an id hostfs never gave out is ESTALE.
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include <unistd.h>

void hostfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *dir = hostfs_inode_get(fs, parent);
	if (!dir) {
		fuse_reply_err(req, ESTALE);
		return;
	}
	struct fuse_entry_param e;
	int err = hostfs_lookup_entry(fs, dir, name, &e);
	hostfs_inode_put(fs, dir);
	if (err)
		fuse_reply_err(req, err);
	else
		hostfs_reply_entry(req, &e);
}

void hostfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	hostfs_inode_forget(fuse_req_userdata(req), ino, nlookup);
	fuse_reply_none(req);
}

void hostfs_op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	struct hostfs *fs = fuse_req_userdata(req);
	for (size_t i = 0; i < count; i++)
		hostfs_inode_forget(fs, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

/* The attributes of node ino as the client sees them; ESTALE for a node
   id hostfs did not give out. */
static int stat_node(struct hostfs *fs, fuse_ino_t ino, struct stat *st)
{
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in)
		return ESTALE;
	int err = hostfs_stat_inode(fs, in, st);
	hostfs_inode_put(fs, in);
	return err;
}

void hostfs_op_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	(void)fi;
	struct hostfs *fs = fuse_req_userdata(req);
	struct stat st;
	int err = stat_node(fs, ino, &st);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_attr(req, &st, fs->opt.attr_timeout);
}

static int set_mode(struct hostfs *fs, struct hostfs_inode *in, int fd,
		    mode_t mode)
{
	/* Set-ID bits are silently dropped: the client may never make a
	   host file that runs with its owner's privileges. */
	mode &= 07777 & ~(mode_t)(S_ISUID | S_ISGID);
	if (in->type == S_IFLNK)
		return EOPNOTSUPP;
	if (fd >= 0)
		return fchmod(fd, mode) ? errno : 0;
	char name[16];
	snprintf(name, sizeof(name), "%d", in->fd);
	return fchmodat(fs->proc_fd, name, mode, 0) ? errno : 0;
}

static int set_size(struct hostfs *fs, struct hostfs_inode *in, int fd,
		    off_t size)
{
	if (in->type == S_IFDIR)
		return EISDIR;
	if (in->type != S_IFREG)
		return EINVAL;
	int own = -1;
	if (fd < 0) {
		own = hostfs_reopen(fs, in, O_WRONLY);
		if (own < 0)
			return errno;
		fd = own;
	}
	int err = ftruncate(fd, size) ? errno : 0;
	if (!err)
		err = hostfs_kill_priv_fd(fd);
	if (own >= 0)
		close(own);
	return err;
}

static void set_time(struct timespec *ts, int to_set, int set_bit, int now_bit,
		     const struct timespec *value)
{
	if (to_set & now_bit)
		*ts = (struct timespec){.tv_nsec = UTIME_NOW};
	else if (to_set & set_bit)
		*ts = *value;
	else
		*ts = (struct timespec){.tv_nsec = UTIME_OMIT};
}

static int apply_setattr(struct hostfs *fs, struct hostfs_inode *in,
			 const struct stat *attr, int to_set, int fd)
{
	int err = 0;
	if (to_set & FUSE_SET_ATTR_MODE)
		err = set_mode(fs, in, fd, attr->st_mode);
	if (!err && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		uid_t uid = to_set & FUSE_SET_ATTR_UID
				    ? hostfs_uid_to_host(fs, attr->st_uid)
				    : (uid_t)-1;
		gid_t gid = to_set & FUSE_SET_ATTR_GID
				    ? hostfs_gid_to_host(fs, attr->st_gid)
				    : (gid_t)-1;
		if (fchownat(in->fd, "", uid, gid,
			     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
			err = errno;
	}
	if (!err && (to_set & FUSE_SET_ATTR_SIZE)) {
		if (attr->st_size < 0)
			err = EINVAL;
		else
			err = set_size(fs, in, fd, attr->st_size);
	}
	if (!err &&
	    (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
		       FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW))) {
		struct timespec ts[2];
		set_time(&ts[0], to_set, FUSE_SET_ATTR_ATIME,
			 FUSE_SET_ATTR_ATIME_NOW, &attr->st_atim);
		set_time(&ts[1], to_set, FUSE_SET_ATTR_MTIME,
			 FUSE_SET_ATTR_MTIME_NOW, &attr->st_mtim);
		int r = fd >= 0 ? futimens(fd, ts)
				: utimensat(in->fd, "", ts,
					    AT_EMPTY_PATH |
						    AT_SYMLINK_NOFOLLOW);
		if (r)
			err = errno;
	}
	return err;
}

void hostfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct hostfs *fs = fuse_req_userdata(req);
	if (fs->opt.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in) {
		fuse_reply_err(req, ESTALE);
		return;
	}
	struct hostfs_handle *h = NULL;
	int err = 0;
	if (fi) {
		h = hostfs_handle_get(fs, fi->fh, false);
		if (!h)
			err = EBADF;
		else if (h->inode != in)
			err = EBADF;
	}
	struct stat st;
	if (!err)
		err = apply_setattr(fs, in, attr, to_set, h ? h->fd : -1);
	if (!err)
		err = hostfs_stat_inode(fs, in, &st);
	if (h)
		hostfs_handle_put(fs, h);
	hostfs_inode_put(fs, in);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_attr(req, &st, fs->opt.attr_timeout);
}

void hostfs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in) {
		fuse_reply_err(req, ESTALE);
		return;
	}
	char buf[PATH_MAX + 1];
	ssize_t n = in->type == S_IFLNK
			    ? readlinkat(in->fd, "", buf, sizeof(buf) - 1)
			    : (errno = EINVAL, -1);
	int err = n < 0 ? errno : 0;
	hostfs_inode_put(fs, in);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	buf[n] = '\0';
	fuse_reply_readlink(req, buf);
}

void hostfs_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in) {
		fuse_reply_err(req, ESTALE);
		return;
	}
	struct statvfs sv;
	int err = fstatvfs(in->fd, &sv) ? errno : 0;
	hostfs_inode_put(fs, in);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	if (fs->opt.read_only)
		sv.f_flag |= ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

/* The permission check the client's kernel makes with default_permissions,
   against the attributes it was shown: hostfs itself runs with other
   credentials, so asking the host would answer for the wrong user. */
void hostfs_op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct stat st;
	int err = stat_node(fs, ino, &st);
	if (!err && (mask & W_OK) && fs->opt.read_only)
		err = EROFS;
	if (!err && mask != F_OK) {
		const struct fuse_ctx *ctx = fuse_req_ctx(req);
		mode_t bits;
		if (ctx->uid == 0)
			bits = st.st_mode & 0111 || S_ISDIR(st.st_mode) ? 07
									: 06;
		else if (ctx->uid == st.st_uid)
			bits = st.st_mode >> 6 & 7;
		else if (ctx->gid == st.st_gid)
			bits = st.st_mode >> 3 & 7;
		else
			bits = st.st_mode & 7;
		if ((mask & (R_OK | W_OK | X_OK)) & ~bits)
			err = EACCES;
	}
	fuse_reply_err(req, err);
}
