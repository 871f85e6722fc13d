/*
 * qcow2 guest I/O: the block_ops that front ends call. A request is split
 * at cluster boundaries; runs of clusters that are contiguous in the file
 * (or all unallocated, or all zero) go to one preadv/pwritev straight from
 * the caller's iovecs, so the common case copies nothing.
 *
 * Writes into a cluster that is not yet the image's own (unallocated,
 * zero, compressed, shared or backed) allocate a new cluster and, for a
 * partial write, first fill the rest of it from where the old contents
 * came from (backing file, zeros, the decompressed cluster).
 *
 * Talks to: the image file, the backing back end, zlib, qcow2_meta.c.
 */
#define _GNU_SOURCE /* IOV_MAX */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "qcow2_int.h"

enum ctype { C_UNALLOC, C_ZERO, C_NORMAL, C_COMPRESSED };

/* ---- iovec helpers ---------------------------------------------------- */

static int iov_total(const struct iovec *iov, int cnt, uint64_t *out)
{
	uint64_t t = 0;
	for (int i = 0; i < cnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - t)
			return -EINVAL;
		t += iov[i].iov_len;
	}
	*out = t;
	return 0;
}

/* out[] = the part of iov covering [skip, skip+len), at most max entries. */
static int iov_slice(const struct iovec *iov, int cnt, uint64_t skip,
		     uint64_t len, struct iovec *out, int max)
{
	int n = 0;
	for (int i = 0; i < cnt && len && n < max; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		uint64_t take = iov[i].iov_len - skip;
		if (take > len)
			take = len;
		out[n].iov_base = (uint8_t *)iov[i].iov_base + skip;
		out[n++].iov_len = take;
		len -= take;
		skip = 0;
	}
	return n;
}

/* Copies between iov (from byte skip) and buf; to_iov picks the way. */
static void iov_copy(const struct iovec *iov, int cnt, uint64_t skip, void *buf,
		     uint64_t len, bool to_iov)
{
	uint8_t *p = buf;
	for (int i = 0; i < cnt && len; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		uint64_t take = iov[i].iov_len - skip;
		if (take > len)
			take = len;
		uint8_t *b = (uint8_t *)iov[i].iov_base + skip;
		if (!to_iov)
			memcpy(p, b, take);
		else if (p)
			memcpy(b, p, take);
		else
			memset(b, 0, take);
		if (p)
			p += take;
		len -= take;
		skip = 0;
	}
}

static int tmp_reserve(struct qcow2 *q, int cnt)
{
	if (cnt <= q->iov_tmp_cap)
		return 0;
	struct iovec *t = realloc(q->iov_tmp, (size_t)cnt * sizeof(*t));
	if (!t)
		return -ENOMEM;
	q->iov_tmp = t;
	q->iov_tmp_cap = cnt;
	return 0;
}

/* preadv/pwritev of iov[skip, skip+len) at host offset off; a read past
   the end of the file yields zeros (a sparse tail). */
static int file_io(struct qcow2 *q, const struct iovec *iov, int cnt,
		   uint64_t skip, uint64_t len, uint64_t off, bool write)
{
	int max = q->iov_tmp_cap < IOV_MAX ? q->iov_tmp_cap : IOV_MAX;
	while (len) {
		int n = iov_slice(iov, cnt, skip, len, q->iov_tmp, max);
		ssize_t k = write ? pwritev(q->fd, q->iov_tmp, n, (off_t)off)
				  : preadv(q->fd, q->iov_tmp, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0) {
			if (write)
				return -EIO;
			iov_copy(iov, cnt, skip, NULL, len, true);
			return 0;
		}
		skip += (uint64_t)k, len -= (uint64_t)k, off += (uint64_t)k;
	}
	return 0;
}

/* ---- L2 entries -------------------------------------------------------- */

/* The L2 table and index for guest cluster gc. *tbl = NULL when there is
   no table and alloc is false. With alloc, a missing table is created. */
static int l2_lookup(struct qcow2 *q, uint64_t gc, bool alloc, uint8_t **tbl,
		     uint64_t *idx)
{
	uint64_t l1i = gc / q->l2_entries;
	*idx = gc % q->l2_entries;
	*tbl = NULL;
	if (l1i >= q->l1_size)
		return qcow2_corrupt(q, "guest cluster beyond the L1 table");
	uint64_t e = q->l1[l1i], off = e & L1E_OFFSET_MASK;
	int r;
	if (!off) {
		if (!alloc)
			return 0;
		if ((r = qcow2_alloc_cluster(q, &off)) ||
		    (r = qcow2_table(q, &q->l2c, off, true, tbl)))
			return r;
		qcow2_table_dirty(&q->l2c, *tbl);
		q->l1[l1i] = off | QCOW_OFLAG_COPIED;
		qcow2_l1_dirty(q, (uint32_t)l1i);
		return 0;
	}
	if (alloc && !(e & QCOW_OFLAG_COPIED)) {
		/* Without snapshots nothing else may share the table; a
		   missing flag on a table counted once is only repaired. */
		uint64_t rc;
		if ((r = qcow2_refcount_get(q, off >> q->cluster_bits, &rc)))
			return r;
		if (rc != 1)
			return qcow2_corrupt(q, "L2 table %#llx is shared",
					     (unsigned long long)off);
		q->l1[l1i] |= QCOW_OFLAG_COPIED;
		qcow2_l1_dirty(q, (uint32_t)l1i);
	}
	return qcow2_table(q, &q->l2c, off, false, tbl);
}

static int peek_entry(struct qcow2 *q, uint64_t gc, uint64_t *e)
{
	uint8_t *tbl;
	uint64_t idx;
	int r = l2_lookup(q, gc, false, &tbl, &idx);
	*e = !r && tbl ? be64_get(tbl + 8 * idx) : 0;
	return r;
}

/* Classifies an entry and checks where it points. */
static int classify(struct qcow2 *q, uint64_t e, enum ctype *t, uint64_t *host)
{
	if (e & QCOW_OFLAG_COMPRESSED) {
		*t = C_COMPRESSED;
		*host = 0;
		return 0;
	}
	uint64_t off = e & L2E_OFFSET_MASK;
	*host = off;
	*t = e & QCOW_OFLAG_ZERO ? C_ZERO : off ? C_NORMAL : C_UNALLOC;
	if (!off)
		return 0;
	if (qcow2_offset_in_cluster(q, off))
		return qcow2_corrupt(q, "data cluster offset %#llx unaligned",
				     (unsigned long long)off);
	if (off >= q->file_end)
		return qcow2_corrupt(q,
				     "data cluster %#llx past the end of "
				     "the file",
				     (unsigned long long)off);
	if (qcow2_overlaps_fixed(q, off, q->cluster_size))
		return qcow2_corrupt(q, "data cluster %#llx overlaps metadata",
				     (unsigned long long)off);
	return 0;
}

/* Host range of a compressed cluster, as QEMU counts it for refcounts:
   whole 512-byte sectors from the one holding the first byte. */
static void compressed_range(const struct qcow2 *q, uint64_t e, uint64_t *off,
			     uint64_t *len, uint64_t *start)
{
	unsigned x = 62 - (q->cluster_bits - 8);
	*start = e & ((1ull << x) - 1);
	uint64_t nsec = ((e >> x) & ((1ull << (q->cluster_bits - 8)) - 1)) + 1;
	*off = *start & ~511ull;
	*len = nsec * 512;
}

/* Inflates the compressed cluster e into q->zout (cached by entry). */
static int decompress(struct qcow2 *q, uint64_t e)
{
	if (q->zout_entry == e)
		return 0;
	uint64_t off, len, start;
	compressed_range(q, e, &off, &len, &start);
	if (off < q->cluster_size || start >= q->file_end)
		return qcow2_corrupt(q,
				     "compressed cluster at %#llx outside "
				     "the data area",
				     (unsigned long long)start);
	len -= start - off; /* bytes from the first one; <= 2 clusters */
	int r = qcow2_pread_full(q->fd, q->zin, len, start);
	if (r)
		return r;
	z_stream s = {0};
	/* Raw deflate; QEMU writes a 4 KiB window, 32 KiB reads it too. */
	if (inflateInit2(&s, -15) != Z_OK)
		return -ENOMEM;
	s.next_in = q->zin;
	s.avail_in = (uInt)len;
	s.next_out = q->zout;
	s.avail_out = (uInt)q->cluster_size;
	int z = inflate(&s, Z_FINISH);
	bool ok = (z == Z_STREAM_END || z == Z_BUF_ERROR) && s.avail_out == 0;
	inflateEnd(&s);
	if (!ok)
		return qcow2_corrupt(q,
				     "compressed cluster at %#llx does not "
				     "inflate to one cluster",
				     (unsigned long long)start);
	q->zout_entry = e;
	return 0;
}

/* Backing contents of [pos, pos+len) into iov (from skip); zeros past the
   backing file's end or when there is none. */
static int read_backing(struct qcow2 *q, const struct iovec *iov, int cnt,
			uint64_t skip, uint64_t pos, uint64_t len)
{
	struct block_backend *bk = q->backing;
	uint64_t have = 0;
	if (bk && pos < bk->size)
		have = bk->size - pos < len ? bk->size - pos : len;
	if (have) {
		int max = q->iov_tmp_cap < IOV_MAX ? q->iov_tmp_cap : IOV_MAX;
		int n = iov_slice(iov, cnt, skip, have, q->iov_tmp, max);
		uint64_t got = 0;
		for (int i = 0; i < n; i++)
			got += q->iov_tmp[i].iov_len;
		ssize_t k = bk->ops->preadv(bk, q->iov_tmp, n, pos);
		if (k < 0)
			return (int)k;
		/* More iovecs than one call takes: the rest piecewise. */
		if (got < have)
			return read_backing(q, iov, cnt, skip + got, pos + got,
					    len - got);
	}
	if (have < len)
		iov_copy(iov, cnt, skip + have, NULL, len - have, true);
	return 0;
}

/* ---- read -------------------------------------------------------------- */

/* How far a run of clusters like gc's (same type; for data, contiguous in
   the file, and owned when `owned`) extends, up to want bytes from
   in-cluster offset `in`. */
static int run_length(struct qcow2 *q, uint64_t gc, uint64_t in, uint64_t want,
		      enum ctype t, uint64_t host, bool owned, uint64_t *len)
{
	uint64_t cs = q->cluster_size, n = cs - in < want ? cs - in : want;
	while (n < want && t != C_COMPRESSED) {
		uint64_t e, h;
		enum ctype t2;
		int r = peek_entry(q, ++gc, &e);
		if (r || (r = classify(q, e, &t2, &h)))
			return r;
		if (t2 != t || (t == C_NORMAL && h != host + n + in) ||
		    (owned && !(e & QCOW_OFLAG_COPIED)))
			break;
		n += cs < want - n ? cs : want - n;
	}
	*len = n;
	return 0;
}

ssize_t qcow2_preadv(struct block_backend *b, const struct iovec *iov,
		     int iovcnt, uint64_t offset)
{
	struct qcow2 *q = to_qcow2(b);
	uint64_t total;
	int r = iov_total(iov, iovcnt, &total);
	if (r || offset > b->size || total > b->size - offset)
		return -EINVAL;
	if (q->broken)
		return -EIO;
	if ((r = tmp_reserve(q, iovcnt)))
		return r;
	for (uint64_t done = 0; done < total;) {
		uint64_t pos = offset + done, gc = pos >> q->cluster_bits;
		uint64_t in = qcow2_offset_in_cluster(q, pos), e, host, n;
		enum ctype t;
		if ((r = peek_entry(q, gc, &e)) ||
		    (r = classify(q, e, &t, &host)) ||
		    (r = run_length(q, gc, in, total - done, t, host, false,
				    &n)))
			return r;
		switch (t) {
		case C_NORMAL:
			r = file_io(q, iov, iovcnt, done, n, host + in, false);
			break;
		case C_ZERO: iov_copy(iov, iovcnt, done, NULL, n, true); break;
		case C_UNALLOC:
			r = read_backing(q, iov, iovcnt, done, pos, n);
			break;
		case C_COMPRESSED:
			if (!(r = decompress(q, e)))
				iov_copy(iov, iovcnt, done, q->zout + in, n,
					 true);
			break;
		}
		if (r)
			return r;
		done += n;
	}
	return (ssize_t)total;
}

/* ---- write ------------------------------------------------------------- */

/* The old contents of a cluster that is about to be replaced, whole, into
   q->bounce. */
static int fill_old(struct qcow2 *q, uint64_t gc, uint64_t e, enum ctype t,
		    uint64_t host)
{
	uint64_t cs = q->cluster_size;
	struct iovec v = {q->bounce, cs};
	switch (t) {
	case C_NORMAL: return qcow2_pread_full(q->fd, q->bounce, cs, host);
	case C_ZERO: memset(q->bounce, 0, cs); return 0;
	case C_UNALLOC: return read_backing(q, &v, 1, 0, gc * cs, cs);
	case C_COMPRESSED: {
		int r = decompress(q, e);
		if (!r)
			memcpy(q->bounce, q->zout, cs);
		return r;
	}
	}
	return 0;
}

/* Drops the host storage an entry held, once the new entry is on disk. */
static int release(struct qcow2 *q, uint64_t e, enum ctype t, uint64_t host)
{
	if (t == C_COMPRESSED) {
		uint64_t off, len, start;
		compressed_range(q, e, &off, &len, &start);
		if (q->zout_entry == e)
			q->zout_entry = 0;
		return qcow2_free_later(q, off, len);
	}
	return host ? qcow2_free_later(q, host, q->cluster_size) : 0;
}

/* Writes iov[skip, skip+n) at in-cluster offset `in` of guest cluster gc
   (n <= cluster - in) into a cluster the image owns. */
static int write_cluster(struct qcow2 *q, const struct iovec *iov, int cnt,
			 uint64_t skip, uint64_t gc, uint64_t in, uint64_t n)
{
	uint64_t cs = q->cluster_size, idx, e, host, target;
	uint8_t *tbl;
	enum ctype t;
	int r = l2_lookup(q, gc, true, &tbl, &idx);
	if (r || (r = classify(q, e = be64_get(tbl + 8 * idx), &t, &host)))
		return r;
	bool owned = (e & QCOW_OFLAG_COPIED) && host;
	if (t == C_NORMAL && owned)
		return file_io(q, iov, cnt, skip, n, host + in, true);
	/* A zero cluster the image owns keeps its place: just un-zero it. */
	bool reuse = t == C_ZERO && owned;
	if (reuse)
		target = host;
	else if ((r = qcow2_alloc_cluster(q, &target)))
		return r;
	if (n == cs) {
		r = file_io(q, iov, cnt, skip, n, target, true);
	} else if (!(r = fill_old(q, gc, e, t, host))) {
		iov_copy(iov, cnt, skip, q->bounce + in, n, false);
		r = qcow2_pwrite_full(q->fd, q->bounce, cs, target);
	}
	if (r)
		return r;
	/* tbl is still valid: nothing above touched the L2 cache. */
	be64_put(tbl + 8 * idx, target | QCOW_OFLAG_COPIED);
	qcow2_table_dirty(&q->l2c, tbl);
	return reuse ? 0 : release(q, e, t, host);
}

static int check_write(struct qcow2 *q, uint64_t offset, uint64_t len)
{
	if (q->be.read_only)
		return -EROFS;
	if (offset > q->be.size || len > q->be.size - offset)
		return -EINVAL;
	return q->broken ? -EIO : 0;
}

ssize_t qcow2_pwritev(struct block_backend *b, const struct iovec *iov,
		      int iovcnt, uint64_t offset)
{
	struct qcow2 *q = to_qcow2(b);
	uint64_t total;
	int r = iov_total(iov, iovcnt, &total);
	if (r || (r = check_write(q, offset, total)) ||
	    (r = tmp_reserve(q, iovcnt)))
		return r;
	for (uint64_t done = 0; done < total;) {
		uint64_t pos = offset + done, gc = pos >> q->cluster_bits;
		uint64_t in = qcow2_offset_in_cluster(q, pos), e, host, n;
		enum ctype t;
		if ((r = peek_entry(q, gc, &e)) ||
		    (r = classify(q, e, &t, &host)))
			return r;
		if (t == C_NORMAL && (e & QCOW_OFLAG_COPIED)) {
			/* A run of owned clusters: one pwritev. */
			if (!(r = run_length(q, gc, in, total - done, t, host,
					     true, &n)))
				r = file_io(q, iov, iovcnt, done, n, host + in,
					    true);
		} else {
			n = q->cluster_size - in;
			if (n > total - done)
				n = total - done;
			r = write_cluster(q, iov, iovcnt, done, gc, in, n);
		}
		if (r)
			return r;
		done += n;
	}
	return (ssize_t)total;
}

/* ---- discard and write-zeroes ------------------------------------------ */

/* Sets whole cluster gc's entry to `want` (0 or the zero flag), freeing
   what it held. */
static int set_entry(struct qcow2 *q, uint64_t gc, uint64_t want)
{
	uint8_t *tbl;
	uint64_t idx, e, host;
	enum ctype t;
	int r = l2_lookup(q, gc, false, &tbl, &idx);
	if (r)
		return r;
	if (!tbl && !want)
		return 0;
	if (!tbl && (r = l2_lookup(q, gc, true, &tbl, &idx)))
		return r;
	e = be64_get(tbl + 8 * idx);
	if (e == want)
		return 0;
	if ((r = classify(q, e, &t, &host)))
		return r;
	be64_put(tbl + 8 * idx, want);
	qcow2_table_dirty(&q->l2c, tbl);
	return release(q, e, t, host);
}

/* Whole clusters in [offset, offset+len): the image's partial last
   cluster counts as whole when the range reaches the end. */
static void whole_clusters(const struct qcow2 *q, uint64_t offset, uint64_t len,
			   uint64_t *first, uint64_t *end)
{
	uint64_t cs = q->cluster_size;
	uint64_t stop = offset + len;
	*first = (offset + cs - 1) / cs;
	*end = stop == q->be.size ? (stop + cs - 1) / cs : stop / cs;
	if (*end < *first)
		*end = *first;
}

int qcow2_discard(struct block_backend *b, uint64_t offset, uint64_t len)
{
	struct qcow2 *q = to_qcow2(b);
	int r = check_write(q, offset, len);
	uint64_t first, end;
	whole_clusters(q, offset, len, &first, &end);
	/* Discarded clusters read as zeros where the format can say so;
	   a v2 image with a backing file shows the backing data again. */
	uint64_t want = q->version >= 3 && q->backing ? QCOW_OFLAG_ZERO : 0;
	for (uint64_t gc = first; !r && gc < end; gc++)
		r = set_entry(q, gc, want);
	return r;
}

/* True when guest cluster gc already reads as zeros. */
static int reads_zero(struct qcow2 *q, uint64_t gc, bool *yes)
{
	uint64_t e, host;
	enum ctype t;
	int r = peek_entry(q, gc, &e);
	if (!r)
		r = classify(q, e, &t, &host);
	*yes = !r && (t == C_ZERO || (t == C_UNALLOC && !q->backing));
	return r;
}

int qcow2_write_zeroes(struct block_backend *b, uint64_t offset, uint64_t len)
{
	struct qcow2 *q = to_qcow2(b);
	int r = check_write(q, offset, len);
	uint64_t cs = q->cluster_size;
	struct iovec z = {(void *)q->zeros, cs};
	if (!r)
		r = tmp_reserve(q, 1);
	for (uint64_t done = 0; !r && done < len;) {
		uint64_t pos = offset + done, gc = pos / cs, in = pos % cs;
		uint64_t n = cs - in < len - done ? cs - in : len - done;
		bool whole = n == cs || (in == 0 && pos + n == b->size);
		bool zero;
		if ((r = reads_zero(q, gc, &zero)) || zero) {
			done += n;
			continue;
		}
		if (whole && q->version >= 3)
			r = set_entry(q, gc, QCOW_OFLAG_ZERO);
		else if (whole && !q->backing)
			r = set_entry(q, gc, 0);
		else
			r = write_cluster(q, &z, 1, 0, gc, in, n);
		done += n;
	}
	return r;
}
