/*
 * virtio core definitions (virtio 1.2): device status, the feature bits
 * that belong to the transport and the ring, device IDs and the split
 * virtqueue layout. Shared by pvkit's device models and the guest driver
 * library; definitions only.
 *
 * Everything in the rings is little-endian, as are RISC-V and the hosts
 * pvkit runs on, so the structures are used as they are.
 */
#ifndef PVKIT_PROTOCOL_VIRTIO_H
#define PVKIT_PROTOCOL_VIRTIO_H

#include <stdint.h>

/* Device status (the Status register). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Feature bits reserved for the transport and the rings (24..40). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35

#define VIRTIO_BIT(b) (1ull << (b))

/* Device IDs. */
enum virtio_device_id {
	VIRTIO_ID_NET = 1,
	VIRTIO_ID_BLOCK = 2,
	VIRTIO_ID_CONSOLE = 3,
	VIRTIO_ID_RNG = 4,
	VIRTIO_ID_BALLOON = 5,
	VIRTIO_ID_9P = 9,
	VIRTIO_ID_FS = 26,
};

/* --- split virtqueue (virtio 1.2, section 2.7) --------------------------- */

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2 /* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/* Followed by uint16_t ring[num] and, with EVENT_IDX, uint16_t used_event. */
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_used_elem {
	uint32_t id;  /* head of the chain */
	uint32_t len; /* bytes the device wrote into it */
};

/* Followed by struct virtq_used_elem ring[num] and, with EVENT_IDX,
   uint16_t avail_event. */
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* Sizes and alignments of the three areas for a queue of num entries. */
#define VIRTQ_DESC_SIZE(num) (16ull * (num))
#define VIRTQ_AVAIL_SIZE(num) (6ull + 2ull * (num))
#define VIRTQ_USED_SIZE(num) (6ull + 8ull * (num))
#define VIRTQ_DESC_ALIGN 16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4
#define VIRTQ_MAX_SIZE 32768

/* EVENT_IDX: true when moving the index from old to new_idx crosses the
   other side's event index (the spec's vring_need_event). */
static inline int virtq_need_event(uint16_t event_idx, uint16_t new_idx,
				   uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

#endif
