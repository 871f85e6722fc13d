/*
 * hostfs name resolution and attributes: every name the client sends is
 * one path component resolved with openat(O_PATH|O_NOFOLLOW) relative to
 * a held directory fd, so neither "../x", "a/b", a symlink nor a /proc
 * magic link can lead outside the share. Also the ownership mapping
 * between client and host ids, and reopening an O_PATH inode for I/O.
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Ids nobody owns, shown for a host id that collides with the mapped
   client id (the mapping is one-to-one: two host ids never show as one). */
#define OVERFLOW_ID 65534

/* strnlen bound: libfuse hands names without a length; never look
   further than one byte past the longest legal name. */
static int check_component(const char *name)
{
	size_t len = strnlen(name, NAME_MAX + 1);
	if (len == 0)
		return EINVAL;
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	if (memchr(name, '/', len))
		return EINVAL;
	return 0;
}

static bool is_dot_or_dotdot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

int hostfs_check_new_name(const char *name)
{
	int err = check_component(name);
	if (err)
		return err;
	return is_dot_or_dotdot(name) ? EINVAL : 0;
}

void hostfs_stat_to_client(const struct hostfs *fs, struct stat *st)
{
	const struct hostfs_options *o = &fs->opt;
	if (o->map_guest_uid != (uid_t)-1) {
		if (st->st_uid == o->map_host_uid)
			st->st_uid = o->map_guest_uid;
		else if (st->st_uid == o->map_guest_uid)
			st->st_uid = OVERFLOW_ID;
	}
	if (o->map_guest_gid != (gid_t)-1) {
		if (st->st_gid == o->map_host_gid)
			st->st_gid = o->map_guest_gid;
		else if (st->st_gid == o->map_guest_gid)
			st->st_gid = OVERFLOW_ID;
	}
}

uid_t hostfs_uid_to_host(const struct hostfs *fs, uid_t uid)
{
	const struct hostfs_options *o = &fs->opt;
	if (o->map_guest_uid == (uid_t)-1 || uid == (uid_t)-1)
		return uid;
	if (uid == o->map_guest_uid)
		return o->map_host_uid;
	if (uid == o->map_host_uid)
		return OVERFLOW_ID;
	return uid;
}

gid_t hostfs_gid_to_host(const struct hostfs *fs, gid_t gid)
{
	const struct hostfs_options *o = &fs->opt;
	if (o->map_guest_gid == (gid_t)-1 || gid == (gid_t)-1)
		return gid;
	if (gid == o->map_guest_gid)
		return o->map_host_gid;
	if (gid == o->map_host_gid)
		return OVERFLOW_ID;
	return gid;
}

int hostfs_stat_inode(struct hostfs *fs, const struct hostfs_inode *in,
		      struct stat *st)
{
	if (fstatat(in->fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return errno;
	hostfs_stat_to_client(fs, st);
	return 0;
}

/* Whether the directory dirfd is the shared root or below it, by
   climbing ".." to the root or to the top of the host's tree. */
static bool inside_share(struct hostfs *fs, int dirfd)
{
	int cur = openat(dirfd, ".", O_PATH | O_CLOEXEC);
	struct stat st;
	for (int depth = 0; cur >= 0 && depth < PATH_MAX / 2; depth++) {
		if (fstat(cur, &st))
			break;
		if (st.st_dev == fs->root_dev && st.st_ino == fs->root_ino) {
			close(cur);
			return true;
		}
		int up = openat(cur, "..", O_PATH | O_CLOEXEC);
		struct stat ust;
		bool top = up < 0 || fstat(up, &ust) ||
			   (ust.st_dev == st.st_dev && ust.st_ino == st.st_ino);
		close(cur);
		cur = up;
		if (top)
			break;
	}
	if (cur >= 0)
		close(cur);
	return false;
}

/* The O_PATH fd for one component of parent, "." and ".." included;
   ".." of the root is the root. */
static int open_component(struct hostfs *fs, struct hostfs_inode *parent,
			  const char *name)
{
	if (!strcmp(name, "."))
		return openat(parent->fd, ".", O_PATH | O_CLOEXEC);
	if (strcmp(name, ".."))
		return openat(parent->fd, name,
			      O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (hostfs_inode_id(parent) == FUSE_ROOT_ID)
		return openat(parent->fd, ".", O_PATH | O_CLOEXEC);
	int fd = openat(parent->fd, "..", O_PATH | O_CLOEXEC);
	/* A directory the host moved out of the share must not become a
	   ladder out of it. */
	if (fd >= 0 && !inside_share(fs, fd)) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	return fd;
}

int hostfs_lookup_entry(struct hostfs *fs, struct hostfs_inode *parent,
			const char *name, struct fuse_entry_param *e)
{
	if (parent->type != S_IFDIR)
		return ENOTDIR;
	int err = check_component(name);
	if (err)
		return err;
	*e = (struct fuse_entry_param){0};
	struct stat st;
	/* The client looks names up again every entry timeout: a file
	   hostfs holds already needs no new fd. One component, no symlink
	   followed, so this stat cannot leave the parent either. */
	if (is_dot_or_dotdot(name) ||
	    fstatat(parent->fd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !hostfs_inode_lookup_known(fs, &st, &e->ino, &e->generation)) {
		int fd = open_component(fs, parent, name);
		if (fd < 0)
			return errno;
		if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
			err = errno;
			close(fd);
			return err;
		}
		err = hostfs_inode_lookup_fd(fs, fd, &st, &e->ino,
					     &e->generation);
		if (err)
			return err;
	}
	hostfs_stat_to_client(fs, &st);
	e->attr = st;
	e->attr_timeout = fs->opt.attr_timeout;
	e->entry_timeout = fs->opt.entry_timeout;
	return 0;
}

int hostfs_reopen(struct hostfs *fs, const struct hostfs_inode *in, int flags)
{
	if (in->type == S_IFLNK) {
		errno = ELOOP;
		return -1;
	}
	if (in->type != S_IFREG && in->type != S_IFDIR) {
		/* CVE-2020-35517: a device node opened for I/O would be the
		   host's device. */
		errno = EACCES;
		return -1;
	}
	char name[16];
	snprintf(name, sizeof(name), "%d", in->fd);
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW | O_PATH |
		   O_TMPFILE | O_DIRECT);
	return openat(fs->proc_fd, name, flags | O_CLOEXEC);
}

int hostfs_kill_priv_fd(int fd)
{
	struct stat st;
	if (fstat(fd, &st))
		return errno;
	if (!(st.st_mode & (S_ISUID | S_ISGID)))
		return 0;
	if (fchmod(fd, st.st_mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID)))
		return errno;
	return 0;
}

void hostfs_adopt_new_file(struct hostfs *fs, fuse_req_t req, int fd,
			   mode_t mode, bool in_sgid_dir)
{
	struct stat st;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return;
	if (fs->privileged) {
		const struct fuse_ctx *ctx = fuse_req_ctx(req);
		uid_t uid = hostfs_uid_to_host(fs, ctx->uid);
		/* In a set-group-ID directory the host gave the directory's
		   group, as it should. */
		gid_t gid = in_sgid_dir ? st.st_gid
					: hostfs_gid_to_host(fs, ctx->gid);
		if (uid != st.st_uid || gid != st.st_gid)
			fchownat(fd, "", uid, gid,
				 AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	}
	/* The client applied its umask already; the host's must not apply
	   twice. Set-ID bits are never given (the sgid a directory inherits
	   from a set-group-ID parent stays). */
	mode &= 07777 & ~(mode_t)(S_ISUID | S_ISGID);
	mode_t keep = S_ISDIR(st.st_mode) ? st.st_mode & S_ISGID : 0;
	if (!S_ISLNK(st.st_mode) && (st.st_mode & 07777) != (mode | keep)) {
		char name[16];
		snprintf(name, sizeof(name), "%d", fd);
		fchmodat(fs->proc_fd, name, mode | keep, 0);
	}
}

void hostfs_reply_entry(fuse_req_t req, const struct fuse_entry_param *e)
{
	struct hostfs *fs = fuse_req_userdata(req); /* req dies replying */
	if (fuse_reply_entry(req, e) && e->ino)
		hostfs_inode_forget(fs, e->ino, 1);
}
