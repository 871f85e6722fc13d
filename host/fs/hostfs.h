/*
 * hostfs: one shared host folder as a FUSE filesystem on libfuse3's
 * low-level API. The same filesystem is served to a guest over virtio-fs
 * (host/fs/virtiofs_server.c feeds it requests from the virtqueues) and
 * can be mounted on the host through /dev/fuse (`pvkit hostfs-mount`),
 * which is how its own tests exercise it.
 *
 * The client is untrusted (a guest kernel, or anything that speaks FUSE
 * to the virtqueue): every lookup is relative to the shared root through
 * held directory file descriptors, never a path string; node ids and file
 * handles are indexes into hostfs's own tables, never host pointers; no
 * device nodes, no setuid/setgid bits are created; `..` at the root stays
 * at the root. chmod and create silently drop set-ID bits; a write or
 * truncate clears them. Locks are not served (ENOSYS): the client locks
 * locally. Node ids and handles pin host fds, at most 3/4 of
 * RLIMIT_NOFILE for all the hostfs instances sharing one fd budget
 * (ENFILE past that); DESTROY drops all of them.
 *
 * Thread-safe: several libfuse workers may call into one hostfs at once.
 */
#ifndef PVKIT_HOST_FS_HOSTFS_H
#define PVKIT_HOST_FS_HOSTFS_H

#define FUSE_USE_VERSION 34

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hostfs;

/* The host fds every hostfs of a process may pin together: one budget,
   so that two or more shares cannot, between them, take every fd of the
   process. Created by whoever creates the shares; it must outlive them.
   The limit is 3/4 of RLIMIT_NOFILE at creation (the rest is for images,
   sockets, the event loop), at least 64. */
struct hostfs_fd_budget;
struct hostfs_fd_budget *hostfs_fd_budget_new(void);
void hostfs_fd_budget_free(struct hostfs_fd_budget *b);

struct hostfs_options {
	const char *root; /* the shared host folder */
	bool read_only;	  /* refuse every change with EROFS */
	bool xattr;	  /* serve extended attributes (off by default) */
	/* Ownership mapping: a guest id equal to guest_* is stored as host_*
	   on the host and shown back as guest_*; -1 = identity. One to one:
	   the other id of the pair (host_* from the guest, guest_* on the
	   host) becomes 65534 (nobody) rather than alias the mapped one. */
	uid_t map_guest_uid, map_host_uid;
	gid_t map_guest_gid, map_host_gid;
	/* Attribute and entry timeouts handed to the client, in seconds. */
	double attr_timeout, entry_timeout;
	/* Shared with the process's other shares (borrowed); NULL: this
	   hostfs makes its own. */
	struct hostfs_fd_budget *fd_budget;
};

/* Fills o with the defaults (read-write, no xattrs, identity mapping,
   1 s timeouts) for root. */
void hostfs_default_options(struct hostfs_options *o, const char *root);

/* Opens the shared root. NULL with a one-line reason in err when the
   folder cannot be shared (missing, not a directory, no permission). */
struct hostfs *hostfs_open(const struct hostfs_options *o, char *err,
			   size_t errlen);
void hostfs_close(struct hostfs *fs);

/* The low-level operations; pass fs as the session's userdata:
   fuse_session_new(&args, hostfs_ops(), sizeof(struct fuse_lowlevel_ops), fs). */
const struct fuse_lowlevel_ops *hostfs_ops(void);

/* A transport that drives a session through fuse_session_custom_io gets
   only the session's userdata (fs) in its callbacks: it parks its own
   state here. */
void hostfs_set_transport(struct hostfs *fs, void *transport);
void *hostfs_transport(const struct hostfs *fs);

/* The shape check for one raw FUSE request (fuse_in_header and its
   arguments, len bytes) before it goes to fuse_session_process_buf:
   libfuse 3.14 trusts /dev/fuse and reads argument structs, strlen()s
   names and takes WRITE and BATCH_FORGET sizes without looking at how
   many bytes arrived. 0 when the header's len is len and the opcode's
   arguments (structs of protocol 7.12+, NUL-terminated names, the WRITE
   payload, the BATCH_FORGET entries) fit; else EINVAL: answer it with
   that error when len covers a header, drop it when not. */
int hostfs_check_request(const void *buf, size_t len);

/* `pvkit hostfs-mount DIR MOUNTPOINT [ro]`: serves DIR on the host at
   MOUNTPOINT through /dev/fuse until unmounted or signalled. */
int hostfs_mount_main(int argc, char **argv);

#endif
