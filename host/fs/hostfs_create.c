/*
 * hostfs operations that add or remove names: MKNOD, MKDIR, SYMLINK,
 * LINK, UNLINK, RMDIR, RENAME, CREATE. Names are single components made
 * relative to the parent's held fd; no device node and no set-ID bit is
 * ever created; a hard link can only be made to an inode the client was
 * given a node id for, i.e. one inside the share.
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* The parent directory for a change, or NULL after replying. */
static struct hostfs_inode *change_parent(fuse_req_t req, fuse_ino_t parent,
					  const char *name)
{
	struct hostfs *fs = fuse_req_userdata(req);
	if (fs->opt.read_only) {
		fuse_reply_err(req, EROFS);
		return NULL;
	}
	int err = hostfs_check_new_name(name);
	if (err) {
		fuse_reply_err(req, err);
		return NULL;
	}
	struct hostfs_inode *dir = hostfs_inode_get(fs, parent);
	if (!dir) {
		fuse_reply_err(req, ESTALE);
		return NULL;
	}
	if (dir->type != S_IFDIR) {
		hostfs_inode_put(fs, dir);
		fuse_reply_err(req, ENOTDIR);
		return NULL;
	}
	return dir;
}

static bool is_sgid_dir(const struct hostfs_inode *dir)
{
	struct stat st;
	return !fstat(dir->fd, &st) && (st.st_mode & S_ISGID);
}

/* Ownership and mode of the new name, then the entry reply. */
static void finish_new_entry(fuse_req_t req, struct hostfs_inode *dir,
			     const char *name, mode_t mode, bool sgid_dir)
{
	struct hostfs *fs = fuse_req_userdata(req);
	int fd = openat(dir->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		hostfs_adopt_new_file(fs, req, fd, mode, sgid_dir);
		close(fd);
	}
	struct fuse_entry_param e;
	int err = hostfs_lookup_entry(fs, dir, name, &e);
	hostfs_inode_put(fs, dir);
	if (err)
		fuse_reply_err(req, err);
	else
		hostfs_reply_entry(req, &e);
}

void hostfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	struct hostfs *fs = fuse_req_userdata(req);
	/* Regular files and fifos only: a device node in the share would be
	   the host's device to anyone who opens it there. */
	if (!S_ISREG(mode) && !S_ISFIFO(mode)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	struct hostfs_inode *dir = change_parent(req, parent, name);
	if (!dir)
		return;
	bool sgid = is_sgid_dir(dir);
	mode_t perm = mode & 0777 & ~(mode_t)(S_ISUID | S_ISGID);
	(void)rdev;
	if (mknodat(dir->fd, name, (mode & S_IFMT) | perm, 0)) {
		int err = errno;
		hostfs_inode_put(fs, dir);
		fuse_reply_err(req, err);
		return;
	}
	finish_new_entry(req, dir, name, mode & 01777, sgid);
}

void hostfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *dir = change_parent(req, parent, name);
	if (!dir)
		return;
	bool sgid = is_sgid_dir(dir);
	if (mkdirat(dir->fd, name, mode & 01777)) {
		int err = errno;
		hostfs_inode_put(fs, dir);
		fuse_reply_err(req, err);
		return;
	}
	finish_new_entry(req, dir, name, mode & 01777, sgid);
}

void hostfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *dir = change_parent(req, parent, name);
	if (!dir)
		return;
	/* The target is only text: hostfs never follows it. */
	if (symlinkat(link, dir->fd, name)) {
		int err = errno;
		hostfs_inode_put(fs, dir);
		fuse_reply_err(req, err);
		return;
	}
	finish_new_entry(req, dir, name, 0777, is_sgid_dir(dir));
}

void hostfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *in = hostfs_inode_get(fs, ino);
	if (!in) {
		fuse_reply_err(req, fs->opt.read_only ? EROFS : ESTALE);
		return;
	}
	struct hostfs_inode *dir = change_parent(req, newparent, newname);
	if (!dir) {
		hostfs_inode_put(fs, in);
		return;
	}
	int err = 0;
	if (in->type == S_IFDIR) {
		err = EPERM;
	} else if (linkat(in->fd, "", dir->fd, newname, AT_EMPTY_PATH)) {
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link of
		   the held fd names the same inode without it. */
		char name[16];
		snprintf(name, sizeof(name), "%d", in->fd);
		if (linkat(fs->proc_fd, name, dir->fd, newname,
			   AT_SYMLINK_FOLLOW))
			err = errno;
	}
	hostfs_inode_put(fs, in);
	if (err) {
		hostfs_inode_put(fs, dir);
		fuse_reply_err(req, err);
		return;
	}
	struct fuse_entry_param e;
	err = hostfs_lookup_entry(fs, dir, newname, &e);
	hostfs_inode_put(fs, dir);
	if (err)
		fuse_reply_err(req, err);
	else
		hostfs_reply_entry(req, &e);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name,
			int flags)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *dir = change_parent(req, parent, name);
	if (!dir)
		return;
	int err = unlinkat(dir->fd, name, flags) ? errno : 0;
	hostfs_inode_put(fs, dir);
	fuse_reply_err(req, err);
}

void hostfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, 0);
}

void hostfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, AT_REMOVEDIR);
}

void hostfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	struct hostfs *fs = fuse_req_userdata(req);
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	int err = hostfs_check_new_name(newname);
	if (err) {
		fuse_reply_err(req, fs->opt.read_only ? EROFS : err);
		return;
	}
	struct hostfs_inode *to = hostfs_inode_get(fs, newparent);
	if (!to) {
		fuse_reply_err(req, fs->opt.read_only ? EROFS : ESTALE);
		return;
	}
	struct hostfs_inode *from = change_parent(req, parent, name);
	if (!from) {
		hostfs_inode_put(fs, to);
		return;
	}
	if (to->type != S_IFDIR)
		err = ENOTDIR;
	else if (renameat2(from->fd, name, to->fd, newname, flags))
		err = errno;
	hostfs_inode_put(fs, from);
	hostfs_inode_put(fs, to);
	fuse_reply_err(req, err);
}

/* CREATE of a name that exists already (no O_EXCL from the client): the
   same checks as OPEN, never a device or a symlink. */
static int open_existing(struct hostfs *fs, struct hostfs_inode *dir,
			 const char *name, int flags,
			 struct fuse_entry_param *e, int *fd)
{
	int err = hostfs_lookup_entry(fs, dir, name, e);
	if (err)
		return err;
	struct hostfs_inode *in = hostfs_inode_get(fs, e->ino);
	if (!in)
		return ESTALE;
	if (in->type == S_IFDIR)
		err = EISDIR;
	else if ((*fd = hostfs_reopen(fs, in, flags)) < 0)
		err = errno;
	else if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY)
		hostfs_kill_priv_fd(*fd);
	hostfs_inode_put(fs, in);
	if (err)
		hostfs_inode_forget(fs, e->ino, 1);
	return err;
}

void hostfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct hostfs *fs = fuse_req_userdata(req);
	struct hostfs_inode *dir = change_parent(req, parent, name);
	if (!dir)
		return;
	bool sgid = is_sgid_dir(dir);
	int flags = (fi->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_PATH |
				   O_TMPFILE | O_DIRECTORY | O_DIRECT)) |
		    O_CLOEXEC | O_NOFOLLOW;
	mode_t perm = mode & 0777;
	struct fuse_entry_param e;
	int err = 0;
	int fd = openat(dir->fd, name, flags | O_CREAT | O_EXCL, perm);
	if (fd >= 0) {
		hostfs_adopt_new_file(fs, req, fd, perm, sgid);
		err = hostfs_lookup_entry(fs, dir, name, &e);
		if (err)
			close(fd);
	} else if (errno == EEXIST && !(fi->flags & O_EXCL)) {
		err = open_existing(fs, dir, name, flags, &e, &fd);
	} else {
		err = errno;
	}
	if (!err) {
		struct hostfs_inode *in = hostfs_inode_get(fs, e.ino);
		err = in ? hostfs_handle_new(fs, in, fd, NULL, true, &fi->fh)
			 : ESTALE;
		if (in)
			hostfs_inode_put(fs, in);
		if (err) {
			close(fd);
			hostfs_inode_forget(fs, e.ino, 1);
		}
	}
	hostfs_inode_put(fs, dir);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	if (fuse_reply_create(req, &e, fi)) {
		/* The client never saw it (interrupted, or no room for the
		   reply): no one will release the handle nor forget the node
		   id. */
		hostfs_handle_close(fs, fi->fh, false);
		hostfs_inode_forget(fs, e.ino, 1);
	}
}
