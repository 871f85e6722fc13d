/*
 * virtio-fs (device ID 26): a shared host folder, FUSE over virtqueues.
 *
 * Talks to: the virtio core and one struct fs_backend (the host's libfuse
 * session over hostfs, host/fs/virtiofs_server.c). The device frames each
 * chain (a FUSE header whose len matches the readable part, room for a
 * reply header), hands it to the back end, and returns it to the driver
 * when the back end reports it answered, on the machine thread. Owns the
 * chains in flight (at most VIRTIO_FS_MAX_INFLIGHT; the rest wait on the
 * available ring), not the back end.
 *
 * Queue 0 is hiprio, queue 1 the one request queue; the tag and
 * num_request_queues = 1 are the configuration space.
 */
#ifndef PVKIT_VIRTIO_FS_H
#define PVKIT_VIRTIO_FS_H

#include <stdint.h>

struct fs_backend;
struct virtio_dev;
struct virtio_fs;

#define VIRTIO_FS_MAX_INFLIGHT 64

struct virtio_fs_stats {
	uint64_t submitted; /* requests handed to the back end */
	uint64_t completed; /* requests the back end answered */
	uint64_t refused;   /* chains answered by the device: bad framing */
	uint64_t dropped;   /* in flight at a reset */
	uint64_t max_inflight;
};

/* be must outlive the device; the device sets be->front. */
struct virtio_fs *virtio_fs_create(struct fs_backend *be);
void virtio_fs_free(struct virtio_fs *f);
struct virtio_dev *virtio_fs_dev(struct virtio_fs *f);
const struct virtio_fs_stats *virtio_fs_stats(const struct virtio_fs *f);

#endif
