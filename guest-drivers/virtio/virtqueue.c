/*
 * Guest split virtqueue (see virtqueue.h).
 */
#include "virtqueue.h"

#include "runtime.h"

static inline void mb(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

int vq_init(struct virtqueue *vq, struct vmmio_dev *dev, unsigned index,
	    unsigned num)
{
	memset(vq, 0, sizeof(*vq));
	uint32_t max = vmmio_queue_max(dev, index);
	if (num > VQ_MAX)
		num = VQ_MAX;
	if (num > max)
		num = max;
	while (num & (num - 1))
		num &= num - 1;
	if (num == 0)
		return -1;
	vq->dev = dev;
	vq->index = index;
	vq->num = (uint16_t)num;
	for (unsigned i = 0; i < num; i++)
		vq->desc[i].next = (uint16_t)(i + 1 < num ? i + 1 : 0);
	vq->free_head = 0;
	vq->num_free = (uint16_t)num;
	vq->avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	mb();
	return vmmio_queue_setup(dev, index, num, (uintptr_t)vq->desc,
				 (uintptr_t)&vq->avail, (uintptr_t)&vq->used);
}

void vq_publish(struct virtqueue *vq, uint16_t head)
{
	volatile uint16_t *idx = &vq->avail.idx;
	uint16_t i = *idx;
	vq->avail.ring[i & (vq->num - 1)] = head;
	mb(); /* descriptors and ring entry before the index */
	*idx = (uint16_t)(i + 1);
	mb();
}

int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n)
{
	if (n == 0 || n > vq->num_free)
		return -1;
	uint16_t head = vq->free_head, d = head, last = head;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *e = &vq->desc[d];
		e->addr = (uintptr_t)bufs[k].addr;
		e->len = bufs[k].len;
		e->flags =
			(uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE
							  : 0) |
				   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		last = d;
		d = e->next;
	}
	/* The free list continues at what followed the chain's last entry. */
	vq->free_head = d;
	vq->num_free = (uint16_t)(vq->num_free - n);
	(void)last;
	vq_publish(vq, head);
	return head;
}

void vq_kick(struct virtqueue *vq)
{
	mb();
	if (!(*(volatile uint16_t *)&vq->used.flags & VIRTQ_USED_F_NO_NOTIFY))
		vmmio_notify(vq->dev, vq->index);
}

int vq_poll(struct virtqueue *vq, uint32_t *len)
{
	uint16_t used_idx = *(volatile uint16_t *)&vq->used.idx;
	if (used_idx == vq->last_used)
		return -1;
	mb(); /* used.idx before the entry and the data it covers */
	struct virtq_used_elem e = vq->used.ring[vq->last_used & (vq->num - 1)];
	vq->last_used++;
	if (len)
		*len = e.len;
	uint16_t head = (uint16_t)e.id;
	if (head >= vq->num)
		return -1;
	/* Return the chain to the free list. */
	uint16_t d = head, n = 1;
	while ((vq->desc[d].flags & VIRTQ_DESC_F_NEXT) && n < vq->num) {
		d = vq->desc[d].next;
		n++;
	}
	vq->desc[d].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + n);
	return head;
}

int vq_wait(struct virtqueue *vq, uint32_t *len, uint64_t timeout_ticks)
{
	uint64_t start = rt_mtime();
	for (;;) {
		int h = vq_poll(vq, len);
		if (h >= 0)
			return h;
		if (rt_mtime() - start > timeout_ticks)
			return -1;
	}
}

int vq_submit_wait(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n,
		   uint32_t *len)
{
	int head = vq_add(vq, bufs, n);
	if (head < 0)
		return -1;
	vq_kick(vq);
	int got = vq_wait(vq, len, VQ_TIMEOUT);
	return got == head ? 0 : -1;
}
