/*
 * hostfs operations on open files: OPEN, READ, WRITE, FLUSH, RELEASE,
 * FSYNC, FALLOCATE, LSEEK, COPY_FILE_RANGE. The fh is an index into the
 * handle table whose entry holds a real host fd, so the hot path is one
 * short table lookup and a pread/pwrite.
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

void hostfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct hostfs *fs = fuse_req_userdata(req);
	int acc = fi->flags & O_ACCMODE;
	if (fs->opt.read_only && (acc != O_RDONLY || (fi->flags & O_TRUNC))) {
		fuse_reply_err(req, EROFS);
		return;
	}
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in) {
		fuse_reply_err(req, ESTALE);
		return;
	}
	int err = 0;
	uint64_t fh = 0;
	int fd = in->type == S_IFDIR ? (errno = EISDIR, -1)
				     : hostfs_reopen(fs, in, fi->flags);
	struct stat st;
	if (fd < 0) {
		err = errno;
	} else if (fstat(fd, &st)) {
		err = errno;
		close(fd);
	} else {
		if ((fi->flags & O_TRUNC) && acc != O_RDONLY)
			hostfs_kill_priv_fd(fd);
		bool priv = st.st_mode & (S_ISUID | S_ISGID);
		err = hostfs_handle_new(fs, in, fd, NULL, priv, &fh);
		if (err)
			close(fd);
	}
	hostfs_inode_put(fs, in);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = fh;
	if (fuse_reply_open(req, fi))
		hostfs_handle_close(fs, fh, false);
}

static struct hostfs_handle *file_handle(fuse_req_t req,
					 const struct fuse_file_info *fi)
{
	struct hostfs_handle *h =
		fi ? hostfs_handle_get(fuse_req_userdata(req), fi->fh, false)
		   : NULL;
	if (!h)
		fuse_reply_err(req, EBADF);
	return h;
}

void hostfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)ino;
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_handle *h = file_handle(req, fi);
	if (!h)
		return;
	if (off < 0) {
		hostfs_handle_put(fs, h);
		fuse_reply_err(req, EINVAL);
		return;
	}
	struct fuse_bufvec buf =
		FUSE_BUFVEC_INIT(size < HOSTFS_MAX_IO ? size : HOSTFS_MAX_IO);
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = h->fd;
	buf.buf[0].pos = off;
	/* libfuse reads the fd before it returns (or splices it). */
	fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
	hostfs_handle_put(fs, h);
}

/* The first write through a handle on a set-ID file clears the bits. */
static int kill_priv_once(struct hostfs_handle *h)
{
	if (!atomic_load_explicit(&h->may_have_priv, memory_order_relaxed))
		return 0;
	int err = hostfs_kill_priv_fd(h->fd);
	if (!err)
		atomic_store_explicit(&h->may_have_priv, false,
				      memory_order_relaxed);
	return err;
}

/* WRITE as a buffer vector: libfuse checked that the payload it hands
   over is as long as the request says, and on /dev/fuse the data may
   still sit in a pipe, which fuse_buf_copy splices into the file. */
void hostfs_op_write_buf(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_bufvec *in_buf, off_t off,
			 struct fuse_file_info *fi)
{
	(void)ino;
	struct hostfs *fs = fuse_req_userdata(req);
	if (fs->opt.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	struct hostfs_handle *h = file_handle(req, fi);
	if (!h)
		return;
	int err = off < 0 ? EINVAL : kill_priv_once(h);
	ssize_t done = 0;
	if (!err) {
		struct fuse_bufvec out =
			FUSE_BUFVEC_INIT(fuse_buf_size(in_buf));
		out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		out.buf[0].fd = h->fd;
		out.buf[0].pos = off;
		done = fuse_buf_copy(&out, in_buf, 0);
		if (done < 0)
			err = (int)-done;
	}
	hostfs_handle_put(fs, h);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_write(req, (size_t)done);
}

void hostfs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_handle *h = file_handle(req, fi);
	if (!h)
		return;
	/* A close of a duplicate is what the host file system sees as the
	   client's close (NFS writes back here), without losing the fd. */
	int dup_fd = dup(h->fd);
	int err = dup_fd < 0 || close(dup_fd) ? errno : 0;
	hostfs_handle_put(fs, h);
	fuse_reply_err(req, err);
}

void hostfs_op_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	(void)ino;
	fuse_reply_err(req, hostfs_handle_close(fuse_req_userdata(req), fi->fh,
						false));
}

void hostfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	(void)ino;
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_handle *h = file_handle(req, fi);
	if (!h)
		return;
	int err = (datasync ? fdatasync(h->fd) : fsync(h->fd)) ? errno : 0;
	hostfs_handle_put(fs, h);
	fuse_reply_err(req, err);
}

void hostfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
			 off_t length, struct fuse_file_info *fi)
{
	(void)ino;
	struct hostfs *fs = fuse_req_userdata(req);
	if (fs->opt.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	struct hostfs_handle *h = file_handle(req, fi);
	if (!h)
		return;
	int err = kill_priv_once(h);
	if (!err && fallocate(h->fd, mode, offset, length))
		err = errno;
	hostfs_handle_put(fs, h);
	fuse_reply_err(req, err);
}

void hostfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	(void)ino;
	struct hostfs *fs = fuse_req_userdata(req);
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		/* The client keeps its own position; only holes need us. */
		fuse_reply_err(req, EINVAL);
		return;
	}
	struct hostfs_handle *h = file_handle(req, fi);
	if (!h)
		return;
	/* The fd's own position is never used for I/O (pread/pwrite), so
	   moving it from several threads is harmless. */
	off_t res = lseek(h->fd, off, whence);
	int err = res < 0 ? errno : 0;
	hostfs_handle_put(fs, h);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_lseek(req, res);
}

void hostfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			       struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			       off_t off_out, struct fuse_file_info *fi_out,
			       size_t len, int flags)
{
	(void)ino_in;
	(void)ino_out;
	struct hostfs *fs = fuse_req_userdata(req);
	if (fs->opt.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	struct hostfs_handle *in = file_handle(req, fi_in);
	if (!in)
		return;
	struct hostfs_handle *out = file_handle(req, fi_out);
	if (!out) {
		hostfs_handle_put(fs, in);
		return;
	}
	int err = kill_priv_once(out);
	ssize_t n = 0;
	if (!err) {
		n = copy_file_range(in->fd, &off_in, out->fd, &off_out,
				    len < HOSTFS_MAX_IO ? len : HOSTFS_MAX_IO,
				    (unsigned)flags);
		if (n < 0)
			err = errno;
	}
	hostfs_handle_put(fs, in);
	hostfs_handle_put(fs, out);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_write(req, n);
}
