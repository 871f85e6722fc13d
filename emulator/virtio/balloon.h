/*
 * virtio-balloon (device ID 5): the host asks for guest memory back.
 *
 * Talks to: the virtio core, and guest RAM's host mapping, where pages
 * the guest puts in the balloon (inflate) or reports free (free page
 * reporting) are returned to the host with madvise(MADV_DONTNEED), so
 * pvkit's RSS really drops; a page the guest takes back just faults in
 * again as zeros. Owns the target, the guest's last statistics and the
 * counters.
 *
 * Offers STATS_VQ, DEFLATE_ON_OOM and REPORTING (each can be left out);
 * never FREE_PAGE_HINT (a live-migration aid pvkit has no use for) nor
 * MUST_TELL_HOST (discarded pages need no notice before reuse).
 */
#ifndef PVKIT_VIRTIO_BALLOON_H
#define PVKIT_VIRTIO_BALLOON_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/virtio_balloon.h"

struct virtio_balloon;
struct virtio_dev;

struct virtio_balloon_options {
	bool no_stats, no_deflate_on_oom, no_free_page_reporting;
	/* called when the driver changes `actual` (pages in the balloon) */
	void (*actual_changed)(void *opaque, uint32_t pages);
	void *opaque;
};

struct virtio_balloon_stats {
	uint64_t inflated_pages, deflated_pages; /* 4 KiB pages */
	uint64_t reported_bytes;		 /* free page reporting */
	uint64_t discarded_bytes; /* host memory given back with madvise */
	uint64_t bad_pfns;	  /* PFNs outside guest RAM, ignored */
	uint64_t stats_updates;	  /* statistics buffers received */
};

/* The guest's memory statistics as it last sent them. */
struct virtio_balloon_guest_stats {
	uint64_t val[VIRTIO_BALLOON_S_NR];
	uint32_t valid; /* bit t set: val[t] was sent */
	uint64_t updates;
};

struct virtio_balloon *
virtio_balloon_create(const struct virtio_balloon_options *o);
void virtio_balloon_free(struct virtio_balloon *b);
struct virtio_dev *virtio_balloon_dev(struct virtio_balloon *b);

/* The host's side, for the control socket: the number of 4 KiB pages
   the guest should give back (the driver follows when it can), and what
   it has given. Guest RAM size minus these is the guest's size. */
void virtio_balloon_set_target(struct virtio_balloon *b, uint32_t pages);
uint32_t virtio_balloon_target(const struct virtio_balloon *b);
uint32_t virtio_balloon_actual(const struct virtio_balloon *b);

/* Asks the driver for fresh statistics (it answers asynchronously);
   false when it has not given us a stats buffer to answer with. */
bool virtio_balloon_request_stats(struct virtio_balloon *b);
const struct virtio_balloon_guest_stats *
virtio_balloon_guest_stats(const struct virtio_balloon *b);
const struct virtio_balloon_stats *
virtio_balloon_stats(const struct virtio_balloon *b);

#endif
