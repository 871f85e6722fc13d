/*
 * hostfs directory operations: OPENDIR, READDIR, READDIRPLUS, RELEASEDIR,
 * FSYNCDIR. A directory handle owns one host DIR stream; its position is
 * the host's d_off cookie, which the client hands back as the offset.
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void hostfs_op_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in) {
		fuse_reply_err(req, ESTALE);
		return;
	}
	int err = 0;
	uint64_t fh = 0;
	int fd = in->type == S_IFDIR
			 ? openat(in->fd, ".",
				  O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			 : (errno = ENOTDIR, -1);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		err = errno;
		if (fd >= 0)
			close(fd);
	} else {
		err = hostfs_handle_new(fs, in, -1, dir, false, &fh);
		if (err)
			closedir(dir);
	}
	hostfs_inode_put(fs, in);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = fh;
	if (fuse_reply_open(req, fi))
		hostfs_handle_close(fs, fh, true);
}

static bool is_dot_or_dotdot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* The node ids one READDIRPLUS reply counted lookups for: if the reply
   cannot be sent, the client never learns them and they are forgotten. */
struct counted {
	fuse_ino_t *ids;
	size_t n, cap;
};

/* Appends one entry at buf; returns its size, which is larger than room
   when it did not fit (and then nothing was counted for the client). 0
   with *err set when the entry could not be looked up for a reason other
   than its having vanished (ENFILE, ENOMEM...): the batch stops before
   it, so that the next READDIRPLUS tries it again. */
static size_t add_entry(fuse_req_t req, struct hostfs_handle *h, char *buf,
			size_t room, const struct dirent *de, bool plus,
			struct counted *c, int *err)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct stat st = {
		.st_ino = de->d_ino,
		.st_mode = DTTOIF(de->d_type),
	};
	/* The share's parent is not part of the share, not even its inode
	   number. */
	if (!strcmp(de->d_name, "..") &&
	    hostfs_inode_id(h->inode) == FUSE_ROOT_ID)
		st.st_ino = h->inode->ino;
	if (!plus)
		return fuse_add_direntry(req, buf, room, de->d_name, &st,
					 de->d_off);

	/* Node id 0 for "." and "..": the client takes no reference. */
	struct fuse_entry_param e = {.attr = st};
	if (!is_dot_or_dotdot(de->d_name)) {
		int lerr = hostfs_lookup_entry(fs, h->inode, de->d_name, &e);
		if (lerr == ENOENT)
			return 0; /* gone since the host listed it: skip */
		if (lerr) {
			*err = lerr;
			return 0;
		}
	}
	if (e.ino && c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		fuse_ino_t *ids = realloc(c->ids, cap * sizeof(*ids));
		if (!ids) {
			hostfs_inode_forget(fs, e.ino, 1);
			*err = ENOMEM;
			return 0;
		}
		c->ids = ids;
		c->cap = cap;
	}
	size_t n = fuse_add_direntry_plus(req, buf, room, de->d_name, &e,
					  de->d_off);
	if (n > room && e.ino)
		hostfs_inode_forget(fs, e.ino, 1);
	else if (e.ino)
		c->ids[c->n++] = e.ino;
	return n;
}

static void read_dir(fuse_req_t req, size_t size, off_t off,
		     struct fuse_file_info *fi, bool plus)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_handle *h = hostfs_handle_get(fs, fi->fh, true);
	if (!h) {
		fuse_reply_err(req, EBADF);
		return;
	}
	if (size > HOSTFS_MAX_IO)
		size = HOSTFS_MAX_IO;
	char *buf = malloc(size ? size : 1);
	if (!buf) {
		hostfs_handle_put(fs, h);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	size_t used = 0;
	int err = 0;
	struct counted c = {0};
	pthread_mutex_lock(&h->dir_lock);
	if (off != h->dir_pos) {
		seekdir(h->dir, off);
		h->dir_pos = off;
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(h->dir);
		if (!de) {
			err = errno;
			break;
		}
		size_t n = add_entry(req, h, buf + used, size - used, de, plus,
				     &c, &err);
		if (n > size - used || err) {
			/* Back to just before this entry: the next call
			   reads it again. */
			seekdir(h->dir, h->dir_pos);
			break;
		}
		used += n;
		h->dir_pos = de->d_off;
	}
	pthread_mutex_unlock(&h->dir_lock);
	hostfs_handle_put(fs, h);
	if (err && !used)
		fuse_reply_err(req, err);
	else if (fuse_reply_buf(req, buf, used))
		for (size_t k = 0; k < c.n; k++)
			hostfs_inode_forget(fs, c.ids[k], 1);
	free(c.ids);
	free(buf);
}

void hostfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	(void)ino;
	read_dir(req, size, off, fi, false);
}

void hostfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	(void)ino;
	read_dir(req, size, off, fi, true);
}

void hostfs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	(void)ino;
	fuse_reply_err(
		req, hostfs_handle_close(fuse_req_userdata(req), fi->fh, true));
}

void hostfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
			struct fuse_file_info *fi)
{
	(void)ino;
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_handle *h = hostfs_handle_get(fs, fi->fh, true);
	if (!h) {
		fuse_reply_err(req, EBADF);
		return;
	}
	int err = (datasync ? fdatasync(h->fd) : fsync(h->fd)) ? errno : 0;
	hostfs_handle_put(fs, h);
	fuse_reply_err(req, err);
}
