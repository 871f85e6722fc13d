/*
 * virtio-balloon: inflate and deflate queues of 4 KiB PFNs, the stats
 * queue (the driver parks one buffer of {tag, value} pairs; we return it
 * to ask for fresh numbers) and the free page reporting queue (device-
 * writable lists of free blocks, discarded like inflated pages).
 *
 * Queue numbers depend on the features the driver took, because a queue
 * whose feature is off takes no index: inflate 0, deflate 1, then stats
 * and reporting if negotiated.
 */
#include "balloon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emulator/mem/bus.h"
#include "emulator/virtio/virtio.h"

#define PFN_SIZE (1ull << VIRTIO_BALLOON_PFN_SHIFT)

enum role { Q_INFLATE, Q_DEFLATE, Q_STATS, Q_REPORTING, Q_NONE };

struct virtio_balloon {
	struct virtio_dev dev;
	struct virtio_balloon_options opt;
	struct virtio_balloon_config cfg;
	uint64_t host_page; /* host page size: the unit madvise works in */
	struct virtio_balloon_stats st;
	struct virtio_balloon_guest_stats gs;
	bool stats_held; /* we hold the driver's stats buffer */
	uint16_t stats_head;
	struct virtq_chain chain;
};

static uint64_t balloon_features(struct virtio_dev *d)
{
	struct virtio_balloon *b = d->priv;
	uint64_t f = 0;
	if (!b->opt.no_stats)
		f |= VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ);
	if (!b->opt.no_deflate_on_oom)
		f |= VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
	if (!b->opt.no_free_page_reporting)
		f |= VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING);
	return f;
}

static enum role role_of(struct virtio_dev *d, unsigned q)
{
	if (q <= Q_DEFLATE)
		return (enum role)q;
	unsigned next = 2;
	if (virtio_has_feature(d, VIRTIO_BALLOON_F_STATS_VQ) && q == next++)
		return Q_STATS;
	if (virtio_has_feature(d, VIRTIO_BALLOON_F_REPORTING) && q == next)
		return Q_REPORTING;
	return Q_NONE;
}

/* Gives the host pages of [p, p+len) back; only whole host pages can go,
   which with 4 KiB host pages is all of them. */
static void discard(struct virtio_balloon *b, uint8_t *p, uint64_t len)
{
	uintptr_t start =
		((uintptr_t)p + b->host_page - 1) & ~(b->host_page - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(b->host_page - 1);
	if (end <= start)
		return;
	if (madvise((void *)start, end - start, MADV_DONTNEED) == 0)
		b->st.discarded_bytes += end - start;
}

/* One inflate or deflate buffer: le32 PFNs, contiguous runs discarded
   with one madvise each. */
static void do_pfns(struct virtio_balloon *b, const struct virtq_chain *c,
		    bool inflate)
{
	struct bus *bus = b->dev.bus;
	uint64_t run_start = 0, run_len = 0;
	size_t n = c->out_len / 4;
	for (size_t k = 0; k <= n; k++) {
		uint32_t pfn = 0;
		bool ok = false;
		uint64_t pa = 0;
		if (k < n) {
			iov_to_buf(c->iov, c->nout, k * 4, &pfn, 4);
			pa = (uint64_t)pfn << VIRTIO_BALLOON_PFN_SHIFT;
			ok = bus_is_ram(bus, pa, PFN_SIZE);
			if (!ok)
				b->st.bad_pfns++;
			else if (inflate)
				b->st.inflated_pages++;
			else
				b->st.deflated_pages++;
		}
		if (!inflate)
			continue; /* a deflated page just faults back in */
		if (ok && run_len && pa == run_start + run_len) {
			run_len += PFN_SIZE;
			continue;
		}
		if (run_len)
			discard(b, bus_ram_ptr(bus, run_start, run_len),
				run_len);
		run_start = pa;
		run_len = ok ? PFN_SIZE : 0;
	}
}

static void do_stats(struct virtio_balloon *b, const struct virtq_chain *c)
{
	struct virtio_balloon_stat s;
	for (size_t off = 0; off + sizeof(s) <= c->out_len; off += sizeof(s)) {
		iov_to_buf(c->iov, c->nout, off, &s, sizeof(s));
		if (s.tag < VIRTIO_BALLOON_S_NR) {
			b->gs.val[s.tag] = s.val;
			b->gs.valid |= 1u << s.tag;
		}
	}
	b->gs.updates++;
	b->st.stats_updates++;
}

static void balloon_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_balloon *b = d->priv;
	struct virtq_chain *c = &b->chain;
	enum role r = role_of(d, q);
	while (r != Q_NONE && virtq_pop(d, q, c) == 1) {
		bool writable = r == Q_REPORTING;
		if ((writable ? c->nout : c->nin) != 0) {
			virtio_dev_fail(d,
					"queue %u: buffer of the wrong "
					"direction",
					q);
			return;
		}
		switch (r) {
		case Q_INFLATE:
		case Q_DEFLATE: do_pfns(b, c, r == Q_INFLATE); break;
		case Q_STATS:
			do_stats(b, c);
			if (b->stats_held) /* a second buffer: return the old */
				virtq_push(d, q, b->stats_head, 0);
			b->stats_held = true;
			b->stats_head = c->head;
			continue; /* held until we want fresh numbers */
		case Q_REPORTING:
			/* iovecs are host pointers into guest RAM already */
			for (unsigned k = 0; k < c->nin; k++) {
				discard(b, c->iov[k].iov_base,
					c->iov[k].iov_len);
				b->st.reported_bytes += c->iov[k].iov_len;
			}
			break;
		case Q_NONE: break;
		}
		virtq_push(d, q, c->head, 0);
	}
	virtq_notify_guest(d, q);
}

static void balloon_config_read(struct virtio_dev *d, uint32_t off, void *buf,
				uint32_t len)
{
	struct virtio_balloon *b = d->priv;
	virtio_config_copy(buf, off, len, &b->cfg, sizeof(b->cfg));
}

static void balloon_config_write(struct virtio_dev *d, uint32_t off,
				 const void *buf, uint32_t len)
{
	struct virtio_balloon *b = d->priv;
	const uint32_t at = offsetof(struct virtio_balloon_config, actual);
	/* only `actual` is the driver's to write */
	if (off < at || off + len > at + 4)
		return;
	uint32_t old = b->cfg.actual;
	memcpy((uint8_t *)&b->cfg + off, buf, len);
	if (b->cfg.actual != old && b->opt.actual_changed)
		b->opt.actual_changed(b->opt.opaque, b->cfg.actual);
}

static void balloon_reset(struct virtio_dev *d)
{
	struct virtio_balloon *b = d->priv;
	/* the driver starts from an empty balloon; the target stays */
	b->cfg.actual = 0;
	b->stats_held = false;
}

static const struct virtio_dev_ops balloon_ops = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.num_queues = 4, /* inflate, deflate, stats, reporting */
	/* reporting needs 32 entries at least (PAGE_REPORTING_CAPACITY) */
	.queue_size = 128,
	.config_size = sizeof(struct virtio_balloon_config),
	.features = balloon_features,
	.config_read = balloon_config_read,
	.config_write = balloon_config_write,
	.queue_notify = balloon_notify,
	.reset = balloon_reset,
};

struct virtio_balloon *
virtio_balloon_create(const struct virtio_balloon_options *o)
{
	struct virtio_balloon *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (o)
		b->opt = *o;
	long ps = sysconf(_SC_PAGESIZE);
	b->host_page = ps > 0 ? (uint64_t)ps : 4096;
	virtio_dev_init(&b->dev, &balloon_ops, b);
	return b;
}

void virtio_balloon_free(struct virtio_balloon *b)
{
	free(b);
}

struct virtio_dev *virtio_balloon_dev(struct virtio_balloon *b)
{
	return &b->dev;
}

void virtio_balloon_set_target(struct virtio_balloon *b, uint32_t pages)
{
	if (b->cfg.num_pages == pages)
		return;
	b->cfg.num_pages = pages;
	virtio_config_changed(&b->dev);
}

uint32_t virtio_balloon_target(const struct virtio_balloon *b)
{
	return b->cfg.num_pages;
}

uint32_t virtio_balloon_actual(const struct virtio_balloon *b)
{
	return b->cfg.actual;
}

bool virtio_balloon_request_stats(struct virtio_balloon *b)
{
	struct virtio_dev *d = &b->dev;
	if (!b->stats_held || virtio_dev_broken(d))
		return false;
	unsigned q = 2; /* stats, when negotiated, is always queue 2 */
	b->stats_held = false;
	virtq_push(d, q, b->stats_head, 0);
	virtq_notify_guest(d, q);
	return true;
}

const struct virtio_balloon_guest_stats *
virtio_balloon_guest_stats(const struct virtio_balloon *b)
{
	return &b->gs;
}

const struct virtio_balloon_stats *
virtio_balloon_stats(const struct virtio_balloon *b)
{
	return &b->st;
}
