/*
 * hostfs internals shared by its source files: the filesystem state, the
 * inode table (node ids) and the handle table (file handles), and the
 * low-level operations each file implements. Not for transports: they use
 * hostfs.h only.
 */
#ifndef PVKIT_HOST_FS_HOSTFS_INTERNAL_H
#define PVKIT_HOST_FS_HOSTFS_INTERNAL_H

#include "hostfs.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>

/* The largest READ, READDIR or copy hostfs serves in one reply: a hostile
   client may ask for gigabytes; the Linux client never asks for more
   than FUSE_MAX_MAX_PAGES (256) pages. */
#define HOSTFS_MAX_IO (1u << 20)

/* One host file the client has been given a node id for. Its fd is an
   O_PATH|O_NOFOLLOW descriptor: the inode stays the same host object for
   its whole life, whatever is renamed on the host. */
struct hostfs_inode {
	int fd;
	dev_t dev;
	ino_t ino;
	mode_t type; /* S_IFMT bits; a host inode never changes type */
	uint32_t slot, gen;
	uint64_t nlookup;   /* the client's count (LOOKUP/FORGET) */
	uint64_t refs;	    /* hostfs's own: in-flight ops and open handles */
	uint32_t hash_next; /* next slot in the (dev, ino) bucket; 0 = end */
	bool live;
};

struct hostfs_inode_table {
	pthread_mutex_t lock;
	struct hostfs_inode **slots; /* slot 0 unused, slot 1 = root */
	uint32_t nslots, capacity;
	uint32_t *free_slots;
	uint32_t nfree;
	uint32_t *buckets; /* capacity entries, slot indexes, 0 = empty */
};

/* One open file or directory. Released handles leave the table at once
   but are freed by the last in-flight op. */
struct hostfs_handle {
	int fd;
	DIR *dir; /* directories only; owns fd */
	struct hostfs_inode *inode;
	uint32_t slot, gen;
	uint64_t refs;
	bool live, is_dir;
	atomic_bool may_have_priv; /* set-ID seen at open: a write clears it */
	pthread_mutex_t dir_lock;
	off_t dir_pos; /* where the DIR stream is; -1 = unknown */
};

struct hostfs_handle_table {
	pthread_mutex_t lock;
	struct hostfs_handle **slots; /* slot 0 unused */
	uint32_t nslots, capacity;
	uint32_t *free_slots;
	uint32_t nfree;
};

struct hostfs_fd_budget {
	atomic_uint held; /* fds pinned by every hostfs using it */
	unsigned max;
};

struct hostfs {
	struct hostfs_options opt;
	char *root_path;
	dev_t root_dev; /* the shared root's identity, for ".." checks */
	ino_t root_ino;
	int proc_fd;	 /* /proc/self/fd, to reopen O_PATH fds for I/O */
	bool privileged; /* euid 0: created files are chowned to the client */
	struct hostfs_inode_table inodes;
	struct hostfs_handle_table handles;
	/* Host fds the client's node ids and handles pin count against
	   budget (shared by all the process's shares, or own_budget): past
	   its limit LOOKUP and OPEN answer ENFILE rather than leave the rest
	   of pvkit without descriptors. */
	struct hostfs_fd_budget *budget;
	struct hostfs_fd_budget *own_budget; /* NULL when given one */
	void *transport;
};

/* hostfs_table.c */
int hostfs_inodes_init(struct hostfs_inode_table *t, int root_fd,
		       const struct stat *st);
void hostfs_inodes_destroy(struct hostfs_inode_table *t);
/* The inode for a client node id with a reference taken, or NULL for a
   node id hostfs never gave out (or has forgotten). */
struct hostfs_inode *hostfs_inode_get(struct hostfs *fs, fuse_ino_t id);
void hostfs_inode_put(struct hostfs *fs, struct hostfs_inode *in);
fuse_ino_t hostfs_inode_id(const struct hostfs_inode *in);
/* Registers one client lookup of the host file fd (O_PATH, taken over;
   closed when an inode for st's (dev, ino) exists already). Returns 0 and
   the node id, or a positive errno. */
int hostfs_inode_lookup_fd(struct hostfs *fs, int fd, const struct stat *st,
			   fuse_ino_t *id, uint64_t *generation);
/* The same for a host file hostfs has an inode for already (by st's
   dev and ino): false, and nothing counted, when it has none. */
bool hostfs_inode_lookup_known(struct hostfs *fs, const struct stat *st,
			       fuse_ino_t *id, uint64_t *generation);
void hostfs_inode_forget(struct hostfs *fs, fuse_ino_t id, uint64_t n);

int hostfs_handles_init(struct hostfs_handle_table *t);
void hostfs_handles_destroy(struct hostfs *fs);
/* Registers fd (taken over) or dir as a handle on in (a reference on in
   is taken). Returns 0 and the client's fh, or a positive errno. */
int hostfs_handle_new(struct hostfs *fs, struct hostfs_inode *in, int fd,
		      DIR *dir, bool may_have_priv, uint64_t *fh);
/* The open handle fh of the wanted kind with a reference taken, or
   NULL. */
struct hostfs_handle *hostfs_handle_get(struct hostfs *fs, uint64_t fh,
					bool is_dir);
void hostfs_handle_put(struct hostfs *fs, struct hostfs_handle *h);
/* RELEASE/RELEASEDIR: the fh stops being valid at once. */
int hostfs_handle_close(struct hostfs *fs, uint64_t fh, bool is_dir);
/* DESTROY (the client unmounted): every fh and every node id it held
   stops being valid; the root stays. */
void hostfs_forget_client(struct hostfs *fs);

/* hostfs_name.c: names, attributes, ids */
/* 0 when name is one path component hostfs may create or remove; EINVAL
   for "", ".", "..", a '/'; ENAMETOOLONG past NAME_MAX. */
int hostfs_check_new_name(const char *name);
/* Resolves name in parent and fills e (attr, node id, timeouts); one
   client lookup counted. Returns 0 or a positive errno. */
int hostfs_lookup_entry(struct hostfs *fs, struct hostfs_inode *parent,
			const char *name, struct fuse_entry_param *e);
/* Sends e as the entry reply; when it cannot be sent (it did not fit the
   client's buffer, or the request was interrupted) the client never
   learns the node id, so the lookup counted for it is taken back. */
void hostfs_reply_entry(fuse_req_t req, const struct fuse_entry_param *e);
int hostfs_stat_inode(struct hostfs *fs, const struct hostfs_inode *in,
		      struct stat *st);
/* Host ids as the client sees them and back. */
void hostfs_stat_to_client(const struct hostfs *fs, struct stat *st);
uid_t hostfs_uid_to_host(const struct hostfs *fs, uid_t uid);
gid_t hostfs_gid_to_host(const struct hostfs *fs, gid_t gid);
/* Opens the O_PATH inode for I/O through /proc/self/fd; only regular
   files and directories (never a device, fifo, socket or symlink). */
int hostfs_reopen(struct hostfs *fs, const struct hostfs_inode *in, int flags);
/* Clears set-user-ID and set-group-ID on fd (kill-priv on write and
   truncate; the host kernel does not when hostfs runs as root). */
int hostfs_kill_priv_fd(int fd);
/* After a creation by the server, give the file the client's owner and
   the mode it asked for (the host umask may have trimmed it). */
void hostfs_adopt_new_file(struct hostfs *fs, fuse_req_t req, int fd,
			   mode_t mode, bool in_sgid_dir);

/* The operations, one file per kind. */
void hostfs_op_init(void *userdata, struct fuse_conn_info *conn);
void hostfs_op_destroy(void *userdata);
void hostfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void hostfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void hostfs_op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets);
void hostfs_op_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);
void hostfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi);
void hostfs_op_readlink(fuse_req_t req, fuse_ino_t ino);
void hostfs_op_statfs(fuse_req_t req, fuse_ino_t ino);
void hostfs_op_access(fuse_req_t req, fuse_ino_t ino, int mask);

void hostfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev);
void hostfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode);
void hostfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name);
void hostfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname);
void hostfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void hostfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void hostfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags);
void hostfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi);

void hostfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void hostfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void hostfs_op_write_buf(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_bufvec *in_buf, off_t off,
			 struct fuse_file_info *fi);
void hostfs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void hostfs_op_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);
void hostfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi);
void hostfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
			 off_t length, struct fuse_file_info *fi);
void hostfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi);
void hostfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			       struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			       off_t off_out, struct fuse_file_info *fi_out,
			       size_t len, int flags);

void hostfs_op_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);
void hostfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi);
void hostfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi);
void hostfs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi);
void hostfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
			struct fuse_file_info *fi);

void hostfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags);
void hostfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size);
void hostfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void hostfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

#endif
