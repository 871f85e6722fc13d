/*
 * The virtio device core: device status and feature negotiation, the
 * split virtqueue, interrupts and counters, shared by every pvkit virtio
 * device and independent of the transport.
 *
 * Talks to: guest RAM through struct bus (descriptor chains become iovecs
 * pointing straight into it, so back ends do preadv/pwritev/writev with no
 * copy), the transport (emulator/virtio/mmio.c) that maps registers onto
 * the calls below and turns the interrupt status into an IRQ line, and
 * the device model, which plugs in through struct virtio_dev_ops the way
 * kvmtool's virtio_ops does. Owns: the virtqueue state of each device.
 *
 * The guest is untrusted: every descriptor is copied out of guest RAM once
 * and checked (inside RAM, no loops, no chain longer than the queue, no
 * device-readable buffer after a device-writable one, no nested indirect
 * table, totals that fit the used ring's 32-bit length). A bad chain puts
 * the device in DEVICE_NEEDS_RESET with one line on stderr; it then
 * ignores its queues until the driver resets it.
 *
 * Single-threaded: notifications are handled synchronously in the MMIO
 * write that delivers them.
 */
#ifndef PVKIT_VIRTIO_VIRTIO_H
#define PVKIT_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "protocol/virtio.h"

struct bus;
struct virtio_dev;

/* The largest queue any pvkit device offers; also the longest chain a
   driver may build (the spec bounds a chain, indirect table included,
   by the queue size). */
#define VIRTQ_MAX_NUM 256
#define VIRTIO_MAX_QUEUES 16

/* What a device model provides. Static data first, then callbacks; only
   queue_notify is mandatory. */
struct virtio_dev_ops {
	const char *name;     /* "virtio-blk": log lines and statistics */
	uint32_t device_id;   /* VIRTIO_ID_* */
	unsigned num_queues;  /* queues the device has (<= VIRTIO_MAX_QUEUES) */
	uint16_t queue_size;  /* QueueNumMax, a power of two <= VIRTQ_MAX_NUM */
	uint32_t config_size; /* bytes of device configuration space */

	/* Device-specific feature bits offered; the core adds VERSION_1,
	   INDIRECT_DESC and EVENT_IDX. */
	uint64_t (*features)(struct virtio_dev *d);
	/* The driver sets FEATURES_OK with these features (already a subset
	   of the offer, VERSION_1 included): return false to refuse them.
	   NULL accepts anything. */
	bool (*features_ok)(struct virtio_dev *d, uint64_t features);
	/* Configuration space, [off, off+len) already bounds-checked. */
	void (*config_read)(struct virtio_dev *d, uint32_t off, void *buf,
			    uint32_t len);
	void (*config_write)(struct virtio_dev *d, uint32_t off,
			     const void *buf, uint32_t len);
	/* The driver kicked queue q (ready, device not broken). */
	void (*queue_notify)(struct virtio_dev *d, unsigned q);
	/* Status was written 0 or the machine reset: drop every chain held.
	   The core has already forgotten the queues. */
	void (*reset)(struct virtio_dev *d);
};

/* Counters every device keeps; device models add their own. */
struct virtio_stats {
	uint64_t mmio_exits;	/* register accesses (traps into the model) */
	uint64_t notifications; /* QueueNotify writes */
	uint64_t interrupts;	/* interrupts raised (status bit newly set) */
	uint64_t requests;	/* chains completed (used ring entries) */
	uint64_t bytes_in;	/* bytes the device wrote into guest buffers */
	uint64_t bytes_out;	/* bytes the device consumed from the guest */
	uint64_t bad_chains;	/* malformed chains (device needed reset) */
};

struct virtq {
	uint16_t num; /* QueueNum: the size the driver chose */
	bool ready;
	uint64_t desc_pa, avail_pa, used_pa;
	/* host pointers into guest RAM, valid while ready */
	uint8_t *desc, *avail, *used;
	uint16_t last_avail;	 /* next available-ring entry to take */
	uint16_t used_idx;	 /* the device's copy of used->idx */
	uint16_t signalled_used; /* used_idx when we last decided on an IRQ */
	bool signalled_valid;
};

/* A popped descriptor chain: iov[0..nout) device-readable, then
   iov[nout..nout+nin) device-writable, all inside guest RAM. */
struct virtq_chain {
	uint16_t head;
	unsigned nout, nin;
	size_t out_len, in_len;
	struct iovec iov[VIRTQ_MAX_NUM];
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	struct bus *bus;
	void *priv; /* the device model's own state */

	uint32_t status;
	uint64_t host_features;	 /* what we offer */
	uint64_t guest_features; /* what the driver wrote */
	uint32_t isr;		 /* VIRTIO_MMIO_INT_* bits pending */
	uint32_t config_generation;
	struct virtq vq[VIRTIO_MAX_QUEUES];

	/* set by the transport */
	void (*set_irq)(void *opaque, bool level);
	void *irq_opaque;
	char label[48]; /* "virtio-blk@10008000" */

	struct virtio_stats stats;
};

/* Fills in d for a device model; host_features come from ops->features. */
void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops,
		     void *priv);

/* --- transport side ------------------------------------------------------- */

void virtio_dev_reset(struct virtio_dev *d);
void virtio_dev_set_status(struct virtio_dev *d, uint32_t status);
/* Driver feature bank 0 (bits 0..31) or 1 (32..63). */
void virtio_dev_set_driver_features(struct virtio_dev *d, unsigned bank,
				    uint32_t bits);
/* QueueReady = 1: checks and maps the rings; false = refused (device now
   needs reset). */
bool virtio_queue_enable(struct virtio_dev *d, unsigned q);
void virtio_queue_disable(struct virtio_dev *d, unsigned q);
void virtio_dev_notify(struct virtio_dev *d, unsigned q);
void virtio_dev_ack_irq(struct virtio_dev *d, uint32_t bits);
void virtio_dev_config_read(struct virtio_dev *d, uint32_t off, void *buf,
			    uint32_t len);
void virtio_dev_config_write(struct virtio_dev *d, uint32_t off,
			     const void *buf, uint32_t len);

/* --- device side ------------------------------------------------------------ */

static inline bool virtio_has_feature(const struct virtio_dev *d, unsigned b)
{
	return (d->guest_features >> b) & 1;
}

static inline bool virtio_dev_broken(const struct virtio_dev *d)
{
	return d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

/* Marks the device DEVICE_NEEDS_RESET and logs why, once. printf-style. */
void virtio_dev_fail(struct virtio_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Takes the next available chain of queue q: 1 = a chain in *c, 0 = the
   queue is empty (or not ready, or the device is broken), -1 = the chain
   was malformed and the device now needs reset. */
int virtq_pop(struct virtio_dev *d, unsigned q, struct virtq_chain *c);
/* Returns a chain to the driver with len bytes written into it; counts a
   request. */
void virtq_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len);
/* After a batch of pushes: interrupts the driver unless it asked not to
   be (VRING_AVAIL_F_NO_INTERRUPT, or EVENT_IDX's used_event). */
void virtq_notify_guest(struct virtio_dev *d, unsigned q);
/* True when queue q is ready and has chains waiting. */
bool virtq_has_avail(struct virtio_dev *d, unsigned q);

/* Raises the configuration-change interrupt; call after changing config
   space (the generation counter moves with it). */
void virtio_config_changed(struct virtio_dev *d);
/* Raises the used-buffer interrupt unconditionally (virtqueue.c). */
void virtio_raise_vring_irq(struct virtio_dev *d);

/* --- iovec helpers ---------------------------------------------------------- */

/* Copy between an iovec array (from byte off) and a flat buffer; return
   the bytes copied, short when the iovecs end first. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf,
		  size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
		    const void *buf, size_t len);
/* dst = the bytes [off, off+len) of iov as at most max iovecs; returns
   how many, or -1 when the range is not all there. */
int iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len,
	      struct iovec *dst, unsigned max);

/* Copies [off, off+len) of a configuration structure src of size n into
   buf, zero-filling past its end: a config_read in one line. */
void virtio_config_copy(void *buf, uint32_t off, uint32_t len, const void *src,
			size_t n);

#endif
