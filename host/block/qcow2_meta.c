/*
 * qcow2 metadata: the L2-table and refcount-block caches, refcounts,
 * cluster allocation, refcount-table growth, and the write-back that
 * puts metadata on disk in an order a crash cannot corrupt.
 *
 * The order (QEMU's, and what `qemu-img check` assumes):
 *   - a cluster's refcount is raised before anything references it, so a
 *     crash can leak a cluster but never hand it out twice;
 *   - guest data and refcounts reach the disk before the L2 entry that
 *     points at them, L2 tables before the L1 entry that points at them,
 *     and a new refcount block before the refcount-table entry;
 *   - a reference is dropped on disk before the refcount: freed ranges
 *     wait in q->frees until the tables that dropped them are synced.
 * Refcount blocks therefore hold only changes that are safe to write at
 * any time, and are written whenever a slot is needed. Dirty L2 tables
 * and L1 entries wait for qcow2_writeback().
 *
 * Talks to: the image file. Owns the caches' contents.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qcow2_int.h"

int qcow2_cache_init(struct qcache *c, int n, uint64_t cluster_size)
{
	c->slot = calloc((size_t)n, sizeof(*c->slot));
	if (!c->slot)
		return -ENOMEM;
	c->n = n;
	for (int i = 0; i < n; i++)
		if (!(c->slot[i].buf = malloc(cluster_size)))
			return -ENOMEM;
	return 0;
}

void qcow2_cache_free(struct qcache *c)
{
	if (!c->slot)
		return;
	for (int i = 0; i < c->n; i++)
		free(c->slot[i].buf);
	free(c->slot);
	c->slot = NULL;
}

static void note_end(struct qcow2 *q, uint64_t end)
{
	if (end > q->file_end)
		q->file_end = end;
}

static int datasync(struct qcow2 *q)
{
	return fdatasync(q->fd) < 0 ? -errno : 0;
}

static int write_slot(struct qcow2 *q, struct qcache_slot *s)
{
	int r = qcow2_pwrite_full(q->fd, s->buf, q->cluster_size, s->off);
	if (!r)
		s->dirty = false;
	return r;
}

static int write_dirty(struct qcow2 *q, struct qcache *c)
{
	for (int i = 0; i < c->n; i++) {
		struct qcache_slot *s = &c->slot[i];
		if (s->dirty) {
			int r = write_slot(q, s);
			if (r)
				return r;
		}
	}
	return 0;
}

static bool any_dirty(const struct qcache *c)
{
	for (int i = 0; i < c->n; i++)
		if (c->slot[i].dirty)
			return true;
	return false;
}

void qcow2_table_dirty(struct qcache *c, const uint8_t *buf)
{
	for (int i = 0; i < c->n; i++)
		if (c->slot[i].buf == buf)
			c->slot[i].dirty = true;
}

static struct qcache_slot *pick_victim(struct qcache *c)
{
	struct qcache_slot *v = NULL;
	for (int i = 0; i < c->n; i++) {
		struct qcache_slot *s = &c->slot[i];
		if (!s->off)
			return s;
		if (!s->dirty && (!v || s->used < v->used))
			v = s;
	}
	return v;
}

static struct qcache_slot *lru(struct qcache *c)
{
	struct qcache_slot *v = &c->slot[0];
	for (int i = 1; i < c->n; i++)
		if (c->slot[i].used < v->used)
			v = &c->slot[i];
	return v;
}

int qcow2_table(struct qcow2 *q, struct qcache *c, uint64_t off, bool fresh,
		uint8_t **out)
{
	for (int i = 0; i < c->n; i++) {
		struct qcache_slot *s = &c->slot[i];
		if (s->off == off) {
			s->used = ++c->tick;
			if (fresh)
				memset(s->buf, 0, q->cluster_size);
			*out = s->buf;
			return 0;
		}
	}
	struct qcache_slot *v = pick_victim(c);
	int r = 0;
	if (!v && c == &q->l2c) {
		/* A dirty L2 table may point at new clusters: everything it
		   depends on goes first. */
		r = qcow2_writeback(q);
		v = lru(c);
	} else if (!v) {
		v = lru(c); /* refcount blocks are always safe to write */
	}
	if (!r && v->dirty)
		r = write_slot(q, v);
	if (r)
		return r;
	v->off = 0;
	if (fresh)
		memset(v->buf, 0, q->cluster_size);
	else if ((r = qcow2_pread_full(q->fd, v->buf, q->cluster_size, off)))
		return r;
	v->off = off;
	v->used = ++c->tick;
	v->dirty = false;
	*out = v->buf;
	return 0;
}

/* Refcount entries are 1 << order bits wide: sub-byte widths pack from
   the least significant bit (as QEMU does), wider ones are big-endian. */
static uint64_t rb_get(const uint8_t *b, unsigned order, uint64_t i)
{
	switch (order) {
	case 3: return b[i];
	case 4: return be16_get(b + 2 * i);
	case 5: return be32_get(b + 4 * i);
	case 6: return be64_get(b + 8 * i);
	}
	unsigned bits = 1u << order;
	uint64_t bit = i * bits;
	return (uint64_t)(b[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
}

static void rb_set(uint8_t *b, unsigned order, uint64_t i, uint64_t v)
{
	switch (order) {
	case 3: b[i] = (uint8_t)v; return;
	case 4: be16_put(b + 2 * i, (uint16_t)v); return;
	case 5: be32_put(b + 4 * i, (uint32_t)v); return;
	case 6: be64_put(b + 8 * i, v); return;
	}
	unsigned bits = 1u << order;
	uint64_t bit = i * bits;
	unsigned mask = ((1u << bits) - 1) << (bit % 8);
	b[bit / 8] = (uint8_t)((b[bit / 8] & ~mask) | (v << (bit % 8) & mask));
}

static uint64_t rb_max(unsigned order)
{
	return order == 6 ? UINT64_MAX : (1ull << (1u << order)) - 1;
}

static int rt_grow(struct qcow2 *q, uint64_t need, uint64_t avoid);

/* A new refcount block for table index rti, placed inside the range it
   covers (all of which is free, since no block counted it) so it can
   count itself. `avoid` is the cluster being allocated. */
static int rb_create(struct qcow2 *q, uint64_t rti, uint64_t avoid)
{
	uint64_t cs = q->cluster_size, c = rti * q->rb_entries;
	while (c == avoid || qcow2_overlaps_fixed(q, c * cs, cs))
		c++;
	uint8_t *blk;
	int r = qcow2_table(q, &q->rbc, c * cs, true, &blk);
	if (r)
		return r;
	rb_set(blk, q->refcount_order, c % q->rb_entries, 1);
	qcow2_table_dirty(&q->rbc, blk);
	q->rt[rti] = c * cs;
	q->rt_dirty = true;
	note_end(q, (c + 1) * cs);
	return 0;
}

/* The refcount block covering cluster, or *blk = NULL when none exists
   and create is false. */
static int rb_locate(struct qcow2 *q, uint64_t cluster, bool create,
		     uint8_t **blk)
{
	uint64_t rti = cluster / q->rb_entries;
	*blk = NULL;
	if (rti >= q->rt_entries) {
		if (!create)
			return 0;
		int r = rt_grow(q, rti, cluster);
		if (r)
			return r;
	}
	if (!(q->rt[rti] & REFT_OFFSET_MASK)) {
		if (!create)
			return 0;
		int r = rb_create(q, rti, cluster);
		if (r)
			return r;
	}
	return qcow2_table(q, &q->rbc, q->rt[rti] & REFT_OFFSET_MASK, false,
			   blk);
}

int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *val)
{
	uint8_t *blk;
	int r = rb_locate(q, cluster, false, &blk);
	*val = !r && blk
		       ? rb_get(blk, q->refcount_order, cluster % q->rb_entries)
		       : 0;
	return r;
}

int qcow2_refcount_add(struct qcow2 *q, uint64_t cluster, int delta)
{
	uint8_t *blk;
	int r = rb_locate(q, cluster, delta > 0, &blk);
	if (r)
		return r;
	if (!blk)
		return qcow2_corrupt(
			q, "cluster %#llx freed but not counted",
			(unsigned long long)(cluster << q->cluster_bits));
	uint64_t i = cluster % q->rb_entries;
	uint64_t v = rb_get(blk, q->refcount_order, i);
	if ((delta < 0 && v == 0) ||
	    (delta > 0 && v == rb_max(q->refcount_order)))
		return qcow2_corrupt(
			q, "refcount of cluster %#llx would %s",
			(unsigned long long)(cluster << q->cluster_bits),
			delta < 0 ? "drop below zero" : "overflow");
	v = delta < 0 ? v - 1 : v + 1;
	rb_set(blk, q->refcount_order, i, v);
	qcow2_table_dirty(&q->rbc, blk);
	if (!v && cluster < q->free_hint)
		q->free_hint = cluster;
	return 0;
}

int qcow2_alloc_cluster(struct qcow2 *q, uint64_t *off)
{
	uint64_t cs = q->cluster_size;
	uint64_t end = (q->file_end + cs - 1) / cs;
	/* Past the end of the file every cluster should be free; a bound
	   keeps a hostile refcount table from making this loop forever. */
	uint64_t limit = end + 4096;
	uint64_t c = q->free_hint;
	for (;; c++) {
		if (c >= limit)
			return qcow2_corrupt(q, "refcounts claim clusters past "
						"the end of the file");
		if (qcow2_overlaps_fixed(q, c * cs, cs))
			continue;
		uint64_t v;
		int r = qcow2_refcount_get(q, c, &v);
		if (r)
			return r;
		if (!v)
			break;
	}
	if ((c + 1) * cs > L2E_OFFSET_MASK)
		return -ENOSPC;
	int r = qcow2_refcount_add(q, c, +1);
	if (r)
		return r;
	q->free_hint = c + 1;
	note_end(q, (c + 1) * cs);
	*off = c * cs;
	return 0;
}

int qcow2_free_later(struct qcow2 *q, uint64_t off, uint64_t len)
{
	if (!len)
		return 0;
	uint64_t cs = q->cluster_size;
	struct qfree *last = q->nfrees ? &q->frees[q->nfrees - 1] : NULL;
	/* Only whole clusters merge: two compressed clusters sharing a host
	   cluster must drop its refcount twice. */
	if (last && last->off + last->len == off && !(off % cs) &&
	    !(len % cs) && !(last->len % cs)) {
		last->len += len;
		return 0;
	}
	if (q->nfrees == QCOW2_MAX_PENDING_FREES) {
		int r = qcow2_writeback(q);
		if (r)
			return r;
	}
	q->frees[q->nfrees++] = (struct qfree){off, len};
	return 0;
}

void qcow2_l1_dirty(struct qcow2 *q, uint32_t index)
{
	if (index < q->l1_dirty_lo)
		q->l1_dirty_lo = index;
	if (index + 1 > q->l1_dirty_hi)
		q->l1_dirty_hi = index + 1;
}

static int write_u64_table(struct qcow2 *q, const uint64_t *t, uint64_t n,
			   uint64_t off)
{
	uint8_t *raw = malloc(n * 8);
	if (!raw)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		be64_put(raw + 8 * i, t[i]);
	int r = qcow2_pwrite_full(q->fd, raw, n * 8, off);
	free(raw);
	return r;
}

static int apply_frees(struct qcow2 *q)
{
	int r = 0;
	for (int i = 0; !r && i < q->nfrees; i++) {
		uint64_t first = q->frees[i].off >> q->cluster_bits;
		uint64_t last = (q->frees[i].off + q->frees[i].len - 1) >>
				q->cluster_bits;
		for (uint64_t c = first; !r && c <= last; c++)
			r = qcow2_refcount_add(q, c, -1);
	}
	q->nfrees = 0;
	return r;
}

int qcow2_writeback(struct qcow2 *q)
{
	bool l1 = q->l1_dirty_lo < q->l1_dirty_hi;
	int r = write_dirty(q, &q->rbc);
	if (!r && q->rt_dirty && !(r = datasync(q))) {
		r = write_u64_table(q, q->rt, q->rt_entries, q->rt_offset);
		q->rt_dirty = r != 0;
	}
	if (!r && (l1 || any_dirty(&q->l2c)) && !(r = datasync(q)))
		r = write_dirty(q, &q->l2c);
	if (!r && l1 && !(r = datasync(q))) {
		uint32_t lo = q->l1_dirty_lo, hi = q->l1_dirty_hi;
		r = write_u64_table(q, q->l1 + lo, hi - lo,
				    q->l1_offset + 8ull * lo);
		if (!r) {
			q->l1_dirty_lo = UINT32_MAX;
			q->l1_dirty_hi = 0;
		}
	}
	if (!r && q->nfrees && !(r = datasync(q)))
		r = apply_frees(q);
	return r;
}

int qcow2_flush(struct block_backend *b)
{
	struct qcow2 *q = to_qcow2(b);
	if (b->read_only)
		return 0;
	if (q->broken)
		return -EIO;
	int r = qcow2_writeback(q);
	if (!r)
		r = write_dirty(q, &q->rbc); /* drops from applied frees */
	if (!r)
		r = datasync(q);
	return r;
}

/* Refcount-table growth: a bigger table, plus the refcount blocks that
   count it, goes after the end of the image; the header switches to it
   in one write once both are on disk, and the old table is freed. */
static int rt_layout(struct qcow2 *q, uint64_t e, uint64_t need,
		     uint64_t *t_out, uint64_t *b_out)
{
	uint64_t cs = q->cluster_size, rbe = q->rb_entries;
	uint64_t t = 0, b = 0;
	for (int iter = 0; iter < 64; iter++) {
		uint64_t top = (e + t + b) / rbe;
		if (top < need)
			top = need;
		uint64_t entries = (top + 1) * 3 / 2; /* room to grow */
		uint64_t nt = (entries * 8 + cs - 1) / cs;
		if (nt <= q->rt_clusters)
			nt = q->rt_clusters + 1;
		uint64_t nb = 0;
		for (uint64_t k = e / rbe; k <= (e + nt + b - 1) / rbe; k++)
			if (k >= q->rt_entries ||
			    !(q->rt[k] & REFT_OFFSET_MASK))
				nb++;
		if (nt == t && nb == b) {
			if (t * cs > QCOW2_MAX_RT_BYTES)
				return -ENOSPC;
			*t_out = t, *b_out = b;
			return 0;
		}
		t = nt, b = nb;
	}
	return -ENOSPC;
}

static int rt_grow(struct qcow2 *q, uint64_t need, uint64_t avoid)
{
	uint64_t cs = q->cluster_size, rbe = q->rb_entries;
	uint64_t e = (q->file_end + cs - 1) / cs, t, nb;
	if (e <= avoid) /* the cluster being allocated may lie at the end */
		e = avoid + 1;
	int r = rt_layout(q, e, need, &t, &nb);
	if (r)
		return r;
	uint64_t entries = t * cs / 8;
	uint64_t *nrt = calloc(entries, sizeof(uint64_t));
	uint8_t *blocks = calloc(nb ? nb : 1, cs);
	if (!nrt || !blocks) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(nrt, q->rt, q->rt_entries * sizeof(uint64_t));
	uint64_t j = 0;
	for (uint64_t k = e / rbe; k <= (e + t + nb - 1) / rbe; k++)
		if (k >= q->rt_entries || !(q->rt[k] & REFT_OFFSET_MASK))
			nrt[k] = (e + t + j++) * cs;
	for (uint64_t c = e; !r && c < e + t + nb; c++) {
		uint64_t k = c / rbe;
		if (k < q->rt_entries && (q->rt[k] & REFT_OFFSET_MASK)) {
			r = qcow2_refcount_add(q, c, +1);
		} else {
			uint64_t bi = nrt[k] / cs - (e + t);
			rb_set(blocks + bi * cs, q->refcount_order, c % rbe, 1);
		}
	}
	if (r || (r = write_dirty(q, &q->rbc)) ||
	    (r = qcow2_pwrite_full(q->fd, blocks, nb * cs, (e + t) * cs)) ||
	    (r = write_u64_table(q, nrt, entries, e * cs)) || (r = datasync(q)))
		goto out;
	uint8_t hdr[12];
	be64_put(hdr, e * cs);
	be32_put(hdr + 8, (uint32_t)t);
	if ((r = qcow2_pwrite_full(q->fd, hdr, sizeof(hdr), HDR_RT_OFFSET)) ||
	    (r = datasync(q)))
		goto out;
	uint64_t old_off = q->rt_offset, old_len = q->rt_clusters * cs;
	free(q->rt);
	q->rt = nrt;
	nrt = NULL;
	q->rt_entries = entries;
	q->rt_offset = e * cs;
	q->rt_clusters = (uint32_t)t;
	q->rt_dirty = false;
	note_end(q, (e + t + nb) * cs);
	r = qcow2_free_later(q, old_off, old_len);
out:
	free(nrt);
	free(blocks);
	return r;
}
