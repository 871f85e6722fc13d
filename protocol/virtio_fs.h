/*
 * virtio-fs (device ID 26, virtio 1.2 section 5.11): the configuration
 * space, the queue layout, and the parts of the FUSE wire format (the
 * Linux kernel ABI, protocol 7.x) that the device and the bare-metal
 * driver look at. Definitions only, shared by pvkit's device model, its
 * host server and the guest driver library.
 *
 * The names carry a vfs_ / VFS_ prefix so that host code may include
 * <linux/fuse.h> next to this header.
 */
#ifndef PVKIT_PROTOCOL_VIRTIO_FS_H
#define PVKIT_PROTOCOL_VIRTIO_FS_H

#include <stdint.h>

#define VIRTIO_FS_TAG_BYTES 36

/* Queue 0 carries FORGET/BATCH_FORGET/INTERRUPT ("hiprio"), queues 1..N
   the other requests. VIRTIO_FS_F_NOTIFICATION is never offered: Linux
   does not accept it and numbers request queues from 1 regardless. */
#define VIRTIO_FS_HIPRIO_QUEUE 0
#define VIRTIO_FS_FIRST_REQUEST_QUEUE 1

struct virtio_fs_config {
	uint8_t tag[VIRTIO_FS_TAG_BYTES]; /* NUL-padded, not terminated */
	uint32_t num_request_queues;
} __attribute__((packed));

/* --- FUSE messages -------------------------------------------------------- */

/* Every request starts with this (device-readable part of the chain);
   len counts the whole request, header included. */
struct vfs_in_header {
	uint32_t len;
	uint32_t opcode;
	uint64_t unique;
	uint64_t nodeid;
	uint32_t uid, gid, pid;
	uint16_t total_extlen;
	uint16_t padding;
};

/* Every reply starts with this (device-writable part); error is 0 or a
   negative errno, len counts the whole reply. */
struct vfs_out_header {
	uint32_t len;
	int32_t error;
	uint64_t unique;
};

enum vfs_opcode {
	VFS_OP_LOOKUP = 1,
	VFS_OP_FORGET = 2, /* no reply */
	VFS_OP_GETATTR = 3,
	VFS_OP_SETATTR = 4,
	VFS_OP_READLINK = 5,
	VFS_OP_SYMLINK = 6,
	VFS_OP_MKNOD = 8,
	VFS_OP_MKDIR = 9,
	VFS_OP_UNLINK = 10,
	VFS_OP_RMDIR = 11,
	VFS_OP_RENAME = 12,
	VFS_OP_LINK = 13,
	VFS_OP_OPEN = 14,
	VFS_OP_READ = 15,
	VFS_OP_WRITE = 16,
	VFS_OP_STATFS = 17,
	VFS_OP_RELEASE = 18,
	VFS_OP_FSYNC = 20,
	VFS_OP_SETXATTR = 21,
	VFS_OP_GETXATTR = 22,
	VFS_OP_LISTXATTR = 23,
	VFS_OP_REMOVEXATTR = 24,
	VFS_OP_FLUSH = 25,
	VFS_OP_INIT = 26,
	VFS_OP_OPENDIR = 27,
	VFS_OP_READDIR = 28,
	VFS_OP_RELEASEDIR = 29,
	VFS_OP_FSYNCDIR = 30,
	VFS_OP_GETLK = 31,
	VFS_OP_SETLK = 32,
	VFS_OP_SETLKW = 33,
	VFS_OP_ACCESS = 34,
	VFS_OP_CREATE = 35,
	VFS_OP_INTERRUPT = 36,
	VFS_OP_BMAP = 37,
	VFS_OP_DESTROY = 38,
	VFS_OP_IOCTL = 39,
	VFS_OP_POLL = 40,
	VFS_OP_NOTIFY_REPLY = 41,
	VFS_OP_BATCH_FORGET = 42, /* no reply */
	VFS_OP_FALLOCATE = 43,
	VFS_OP_READDIRPLUS = 44,
	VFS_OP_RENAME2 = 45,
	VFS_OP_LSEEK = 46,
	VFS_OP_COPY_FILE_RANGE = 47,
	VFS_OP_SETUPMAPPING = 48,
	VFS_OP_REMOVEMAPPING = 49,
};

#define VFS_KERNEL_VERSION 7
#define VFS_KERNEL_MINOR_VERSION 31
#define VFS_ROOT_ID 1

/* The request and reply bodies the bare-metal driver builds or reads. */
struct vfs_init_in {
	uint32_t major, minor, max_readahead, flags, flags2;
	uint32_t unused[11];
};

struct vfs_init_out {
	uint32_t major, minor, max_readahead, flags;
	uint16_t max_background, congestion_threshold;
	uint32_t max_write, time_gran;
	uint16_t max_pages, map_alignment;
	uint32_t flags2;
	uint32_t unused[7];
};

struct vfs_forget_in {
	uint64_t nlookup;
};

struct vfs_forget_one {
	uint64_t nodeid, nlookup;
};

struct vfs_batch_forget_in {
	uint32_t count, dummy; /* followed by count struct vfs_forget_one */
};

struct vfs_interrupt_in {
	uint64_t unique;
};

struct vfs_attr {
	uint64_t ino, size, blocks, atime, mtime, ctime;
	uint32_t atimensec, mtimensec, ctimensec;
	uint32_t mode, nlink, uid, gid, rdev, blksize, flags;
};

struct vfs_entry_out {
	uint64_t nodeid, generation, entry_valid, attr_valid;
	uint32_t entry_valid_nsec, attr_valid_nsec;
	struct vfs_attr attr;
};

struct vfs_getattr_in {
	uint32_t getattr_flags, dummy;
	uint64_t fh;
};

struct vfs_attr_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec, dummy;
	struct vfs_attr attr;
};

struct vfs_open_in {
	uint32_t flags, open_flags;
};

struct vfs_open_out {
	uint64_t fh;
	uint32_t open_flags, padding;
};

struct vfs_read_in {
	uint64_t fh, offset;
	uint32_t size, read_flags;
	uint64_t lock_owner;
	uint32_t flags, padding;
};

struct vfs_write_in {
	uint64_t fh, offset;
	uint32_t size, write_flags;
	uint64_t lock_owner;
	uint32_t flags, padding;
}; /* followed by size bytes of data */

struct vfs_release_in {
	uint64_t fh;
	uint32_t flags, release_flags;
	uint64_t lock_owner;
};

struct vfs_mknod_in {
	uint32_t mode, rdev, umask, padding;
}; /* followed by the name */

struct vfs_mkdir_in {
	uint32_t mode, umask;
}; /* followed by the name */

struct vfs_create_in {
	uint32_t flags, mode, umask, open_flags;
}; /* followed by the name */

struct vfs_rename_in {
	uint64_t newdir;
}; /* followed by the old and the new name */

struct vfs_link_in {
	uint64_t oldnodeid;
}; /* followed by the new name */

struct vfs_setattr_in {
	uint32_t valid, padding;
	uint64_t fh, size, lock_owner, atime, mtime, ctime;
	uint32_t atimensec, mtimensec, ctimensec, mode, unused4, uid, gid,
		unused5;
};

#define VFS_FATTR_MODE (1u << 0)

#endif
