/*
 * virtio-balloon (device ID 5, virtio 1.2 section 5.5): feature bits,
 * configuration space and the statistics format. Definitions only,
 * shared by pvkit's device model and the guest driver library.
 *
 * Queues in the order present; a queue whose feature was not negotiated
 * takes no index: inflate, deflate, [stats], [free page hint],
 * [free page reporting].
 */
#ifndef PVKIT_PROTOCOL_VIRTIO_BALLOON_H
#define PVKIT_PROTOCOL_VIRTIO_BALLOON_H

#include <stdint.h>

#define VIRTIO_BALLOON_F_MUST_TELL_HOST 0
#define VIRTIO_BALLOON_F_STATS_VQ 1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM 2
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT 3
#define VIRTIO_BALLOON_F_PAGE_POISON 4
#define VIRTIO_BALLOON_F_REPORTING 5

/* Inflate and deflate buffers are arrays of le32 page frame numbers of
   4 KiB pages, whatever the guest's page size. */
#define VIRTIO_BALLOON_PFN_SHIFT 12

struct virtio_balloon_config {
	uint32_t num_pages; /* the host's target, in 4 KiB pages */
	uint32_t actual;    /* written by the driver: pages in the balloon */
	uint32_t free_page_hint_cmd_id;
	uint32_t poison_val;
};

/* One statistic: the stats buffer is an array of these, packed. */
struct virtio_balloon_stat {
	uint16_t tag;
	uint64_t val;
} __attribute__((packed));

enum virtio_balloon_stat_tag {
	VIRTIO_BALLOON_S_SWAP_IN = 0,
	VIRTIO_BALLOON_S_SWAP_OUT = 1,
	VIRTIO_BALLOON_S_MAJFLT = 2,
	VIRTIO_BALLOON_S_MINFLT = 3,
	VIRTIO_BALLOON_S_MEMFREE = 4,
	VIRTIO_BALLOON_S_MEMTOT = 5,
	VIRTIO_BALLOON_S_AVAIL = 6,
	VIRTIO_BALLOON_S_CACHES = 7,
	VIRTIO_BALLOON_S_HTLB_PGALLOC = 8,
	VIRTIO_BALLOON_S_HTLB_PGFAIL = 9,
	/* newer kernels (6.12+) */
	VIRTIO_BALLOON_S_OOM_KILL = 10,
	VIRTIO_BALLOON_S_ALLOC_STALL = 11,
	VIRTIO_BALLOON_S_ASYNC_SCAN = 12,
	VIRTIO_BALLOON_S_DIRECT_SCAN = 13,
	VIRTIO_BALLOON_S_ASYNC_RECLAIM = 14,
	VIRTIO_BALLOON_S_DIRECT_RECLAIM = 15,
	VIRTIO_BALLOON_S_NR = 16,
};

#endif
