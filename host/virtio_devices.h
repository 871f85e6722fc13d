/*
 * The virtio devices `pvkit run` was asked for (--disk, --share, --net
 * with model=virtio, --rng, --balloon, --agent), created and connected to
 * their host back ends (virtio_devices.c).
 *
 * Talks to: the machine (its virtio-mmio slots, console, balloon hooks),
 * the event loop, the block back ends (image.h: raw, qcow2), the
 * shared-folder servers (host/fs/virtiofs_server.h), the net back end the
 * caller opened, getrandom, and the agent's unix socket. Owns the
 * devices and back ends it creates; not the net back end, which the caller
 * closes after virtio_devices_free.
 */
#ifndef PVKIT_HOST_VIRTIO_DEVICES_H
#define PVKIT_HOST_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/platform/memmap.h"
#include "host/block/image.h"
#include "port_socket.h"

struct block_backend;
struct event_loop;
struct hostfs_fd_budget;
struct machine;
struct net_backend;
struct virtio_balloon;
struct virtio_blk;
struct virtio_net;
struct virtio_rng;
struct virtio_fs;
struct fs_backend;
struct ide;

struct share_option {
	char path[4096];
	char tag[37]; /* at most 36 bytes, the config space's tag */
	bool read_only;
};

/* NICs a VM may have (virtio-net ones; at most one more is ethoc). */
#define VIRTIO_NET_MAX 4

struct disk_option {
	char path[4096];
	enum image_format format; /* IMAGE_PROBE when not given */
	bool read_only;
	bool ide; /* the emulated twin (if=ide) instead of virtio-blk */
};

struct virtio_options {
	struct disk_option disk[VIRTIO_SLOTS];
	int ndisks;
	struct share_option share[VIRTIO_SLOTS]; /* --share, one device each */
	int nshares;
	bool rng;
	bool balloon;
	/* --balloon=free-page-reporting=off,deflate-on-oom=off,stats=off */
	bool balloon_no_reporting, balloon_no_oom, balloon_no_stats;
	const char *agent; /* socket path, or NULL */
	/* each --net ...,model=virtio: the back end of a virtio-net device,
	   in command-line order; borrowed, they must outlive the devices */
	struct net_backend *net[VIRTIO_NET_MAX];
	int nnets;
};

struct virtio_devices {
	struct machine *machine;
	struct block_backend *disk_be[VIRTIO_SLOTS];
	struct virtio_blk *blk[VIRTIO_SLOTS];
	int ndisks;
	struct fs_backend *share_be[VIRTIO_SLOTS];
	struct virtio_fs *fs[VIRTIO_SLOTS];
	int nshares;
	/* The host fds all the shares may pin together (hostfs.h): one
	   budget, or each --share could take 3/4 of the process's fds. */
	struct hostfs_fd_budget *share_fds;
	struct ide *ide; /* at most one, on ide_be */
	struct block_backend *ide_be;
	struct virtio_net *net[VIRTIO_NET_MAX];
	struct net_backend *net_be[VIRTIO_NET_MAX]; /* borrowed: o->net */
	int nnets;
	struct virtio_rng *rng;
	uint64_t rng_state; /* --icount: the seeded stream's state */
	struct virtio_balloon *balloon;
	struct virtio_console *con;
	struct port_socket agent;
	bool agent_open;
	/* told when the guest changes the balloon's size (BALLOON_CHANGE) */
	void (*balloon_changed)(void *opaque, uint64_t guest_bytes);
	void *balloon_opaque;
};

/* Creates every device o asks for, disks first (the first disk is
   /dev/vda). Returns 0, or -1 with a one-line message in err. */
int virtio_devices_create(struct virtio_devices *v,
			  const struct virtio_options *o, struct machine *m,
			  struct event_loop *loop, char *err, size_t errlen);
/* Before machine_free: waits for the shared-folder workers to finish
   what they are writing into guest RAM, and stops them taking more. */
void virtio_devices_quiesce(struct virtio_devices *v);
/* After machine_free (the slots point at the devices until then). */
void virtio_devices_free(struct virtio_devices *v);

#endif
