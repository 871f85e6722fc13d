/*
 * The split virtqueue (virtio 1.2, section 2.7) as the device sees it:
 * taking chains off the available ring as iovecs into guest RAM, putting
 * them on the used ring, and deciding when the driver wants an interrupt
 * (VRING_AVAIL_F_NO_INTERRUPT or EVENT_IDX).
 *
 * Every descriptor is copied out of guest RAM before it is looked at, so
 * a driver changing it under us can change only what we see, never make
 * us walk outside what we checked. The walk is bounded by the queue size.
 */
#include "virtio.h"

#include <string.h>

#include "emulator/mem/bus.h"

/* Ring field accessors. The areas were checked to lie in RAM and to be
   aligned when the queue was enabled; the 16-bit indexes are read and
   written atomically so a second thread (a future SMP hart) sees them
   whole and ordered. */
static uint16_t avail_idx(const struct virtq *vq)
{
	return __atomic_load_n((uint16_t *)(vq->avail + 2), __ATOMIC_ACQUIRE);
}

static uint16_t avail_flags(const struct virtq *vq)
{
	return __atomic_load_n((uint16_t *)vq->avail, __ATOMIC_ACQUIRE);
}

static uint16_t avail_ring(const struct virtq *vq, uint16_t i)
{
	uint16_t v;
	memcpy(&v, vq->avail + 4 + 2 * (size_t)i, 2);
	return v;
}

static uint16_t used_event(const struct virtq *vq)
{
	return __atomic_load_n(
		(uint16_t *)(vq->avail + 4 + 2 * (size_t)vq->num),
		__ATOMIC_ACQUIRE);
}

static void set_avail_event(struct virtq *vq, uint16_t v)
{
	__atomic_store_n((uint16_t *)(vq->used + 4 + 8 * (size_t)vq->num), v,
			 __ATOMIC_RELEASE);
}

bool virtq_has_avail(struct virtio_dev *d, unsigned q)
{
	struct virtq *vq = &d->vq[q];
	return q < d->ops->num_queues && vq->ready && !virtio_dev_broken(d) &&
	       avail_idx(vq) != vq->last_avail;
}

/* The walk's state: where descriptors come from (the ring or one
   indirect table) and what has been collected. */
struct walk {
	struct virtio_dev *d;
	unsigned q;
	struct virtq_chain *c;
	unsigned seen; /* descriptors visited, table entries included */
	uint64_t out_total, in_total;
};

static int bad(struct walk *w, const char *what, unsigned idx)
{
	virtio_dev_fail(w->d, "queue %u: chain at head %u: %s (descriptor %u)",
			w->q, w->c->head, what, idx);
	return -1;
}

/* Adds one plain (non-indirect) descriptor's buffer to the chain. */
static int add_buffer(struct walk *w, const struct virtq_desc *desc,
		      unsigned idx)
{
	struct virtq_chain *c = w->c;
	bool writable = desc->flags & VIRTQ_DESC_F_WRITE;
	if (!writable && c->nin)
		return bad(w, "device-readable buffer after a writable one",
			   idx);
	if (desc->len == 0)
		return 0; /* nothing to transfer; legal, if odd */
	void *p = bus_ram_ptr(w->d->bus, desc->addr, desc->len);
	if (!p)
		return bad(w, "buffer outside guest RAM", idx);
	uint64_t *total = writable ? &w->in_total : &w->out_total;
	*total += desc->len;
	if (*total > UINT32_MAX)
		return bad(w, "chain larger than 4 GiB", idx);
	/* bounded by seen <= num <= VIRTQ_MAX_NUM, checked by the caller */
	c->iov[c->nout + c->nin] = (struct iovec){p, desc->len};
	if (writable)
		c->nin++;
	else
		c->nout++;
	return 0;
}

/* Walks an indirect table: no nesting, entries bounded by the table. */
static int walk_indirect(struct walk *w, const struct virtq_desc *ind,
			 unsigned idx)
{
	if (!virtio_has_feature(w->d, VIRTIO_F_INDIRECT_DESC))
		return bad(w, "indirect descriptor not negotiated", idx);
	if (ind->flags & VIRTQ_DESC_F_NEXT)
		return bad(w, "indirect descriptor with NEXT", idx);
	if (ind->len == 0 || ind->len % sizeof(struct virtq_desc))
		return bad(w, "indirect table of bad length", idx);
	const uint8_t *table = bus_ram_ptr(w->d->bus, ind->addr, ind->len);
	if (!table)
		return bad(w, "indirect table outside guest RAM", idx);
	unsigned n = ind->len / sizeof(struct virtq_desc);
	unsigned i = 0;
	for (;;) {
		struct virtq_desc desc;
		memcpy(&desc, table + (size_t)i * sizeof(desc), sizeof(desc));
		if (desc.flags & VIRTQ_DESC_F_INDIRECT)
			return bad(w, "nested indirect table", i);
		if (++w->seen > w->d->vq[w->q].num)
			return bad(w, "chain longer than the queue (or a loop)",
				   i);
		if (add_buffer(w, &desc, i))
			return -1;
		if (!(desc.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (desc.next >= n)
			return bad(w, "next index outside the indirect table",
				   i);
		i = desc.next;
	}
}

int virtq_pop(struct virtio_dev *d, unsigned q, struct virtq_chain *c)
{
	if (q >= d->ops->num_queues || virtio_dev_broken(d))
		return 0;
	struct virtq *vq = &d->vq[q];
	if (!vq->ready)
		return 0;
	uint16_t avail = avail_idx(vq);
	if (avail == vq->last_avail) {
		/* Empty: with EVENT_IDX, ask for a kick at the next entry.
		   Then look again, in case the driver added one in between
		   (it cannot while we run on its hart, but cheap to do). */
		if (!virtio_has_feature(d, VIRTIO_F_EVENT_IDX))
			return 0;
		set_avail_event(vq, vq->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail = avail_idx(vq);
		if (avail == vq->last_avail)
			return 0;
	}
	memset(c, 0, offsetof(struct virtq_chain, iov));
	struct walk w = {.d = d, .q = q, .c = c};
	if ((uint16_t)(avail - vq->last_avail) > vq->num) {
		virtio_dev_fail(d,
				"queue %u: available index moved from %u "
				"to %u, more than the queue size %u",
				q, vq->last_avail, avail, vq->num);
		return -1;
	}
	uint16_t head = avail_ring(vq, vq->last_avail & (vq->num - 1));
	c->head = head;
	if (head >= vq->num) {
		virtio_dev_fail(d,
				"queue %u: head index %u outside the queue "
				"of %u",
				q, head, vq->num);
		return -1;
	}
	unsigned i = head;
	for (;;) {
		struct virtq_desc desc;
		memcpy(&desc, vq->desc + (size_t)i * sizeof(desc),
		       sizeof(desc));
		/* The descriptor pointing at a table ends the ring walk, so
		   only buffers count against the queue size: that bounds the
		   walk and the chain's iovecs alike. */
		if (desc.flags & VIRTQ_DESC_F_INDIRECT) {
			if (walk_indirect(&w, &desc, i))
				return -1;
			break;
		}
		if (++w.seen > vq->num)
			return bad(&w,
				   "chain longer than the queue (or a loop)",
				   i);
		if (add_buffer(&w, &desc, i))
			return -1;
		if (!(desc.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (desc.next >= vq->num)
			return bad(&w, "next index outside the queue", i);
		i = desc.next;
	}
	c->out_len = w.out_total;
	c->in_len = w.in_total;
	vq->last_avail++;
	d->stats.bytes_out += w.out_total;
	return 1;
}

void virtq_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len)
{
	if (q >= d->ops->num_queues)
		return;
	struct virtq *vq = &d->vq[q];
	if (!vq->ready || virtio_dev_broken(d))
		return;
	struct virtq_used_elem e = {head, len};
	memcpy(vq->used + 4 + 8 * (size_t)(vq->used_idx & (vq->num - 1)), &e,
	       sizeof(e));
	vq->used_idx++;
	/* the element must be visible before the index that publishes it */
	__atomic_store_n((uint16_t *)(vq->used + 2), vq->used_idx,
			 __ATOMIC_RELEASE);
	d->stats.requests++;
	d->stats.bytes_in += len;
}

void virtq_notify_guest(struct virtio_dev *d, unsigned q)
{
	if (q >= d->ops->num_queues)
		return;
	struct virtq *vq = &d->vq[q];
	if (!vq->ready ||
	    (vq->signalled_valid && vq->signalled_used == vq->used_idx))
		return; /* nothing new on the used ring */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	bool need;
	if (virtio_has_feature(d, VIRTIO_F_EVENT_IDX))
		need = !vq->signalled_valid ||
		       virtq_need_event(used_event(vq), vq->used_idx,
					vq->signalled_used);
	else
		need = !(avail_flags(vq) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	if (need)
		virtio_raise_vring_irq(d);
}

/* --- iovec helpers ---------------------------------------------------------- */

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf,
		  size_t len)
{
	size_t done = 0;
	for (unsigned k = 0; k < n && done < len; k++) {
		if (off >= iov[k].iov_len) {
			off -= iov[k].iov_len;
			continue;
		}
		size_t take = iov[k].iov_len - off;
		if (take > len - done)
			take = len - done;
		memcpy((uint8_t *)buf + done, (uint8_t *)iov[k].iov_base + off,
		       take);
		done += take;
		off = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
		    const void *buf, size_t len)
{
	size_t done = 0;
	for (unsigned k = 0; k < n && done < len; k++) {
		if (off >= iov[k].iov_len) {
			off -= iov[k].iov_len;
			continue;
		}
		size_t take = iov[k].iov_len - off;
		if (take > len - done)
			take = len - done;
		memcpy((uint8_t *)iov[k].iov_base + off,
		       (const uint8_t *)buf + done, take);
		done += take;
		off = 0;
	}
	return done;
}

int iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len,
	      struct iovec *dst, unsigned max)
{
	unsigned out = 0;
	for (unsigned k = 0; k < n && len; k++) {
		if (off >= iov[k].iov_len) {
			off -= iov[k].iov_len;
			continue;
		}
		if (out == max)
			return -1;
		size_t take = iov[k].iov_len - off;
		if (take > len)
			take = len;
		dst[out++] =
			(struct iovec){(uint8_t *)iov[k].iov_base + off, take};
		len -= take;
		off = 0;
	}
	return len ? -1 : (int)out;
}
