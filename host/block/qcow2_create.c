/*
 * New qcow2 images (version 3, 16-bit refcounts, zlib): header cluster,
 * L1 table, refcount table and the refcount blocks that count all of
 * them, every cluster counted once, so `qemu-img check` finds nothing to
 * say. Guest clusters are all unallocated: the image reads as zeros, or
 * as its backing file.
 *
 * Talks to: the new file only. Owns nothing after it returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qcow2.h"
#include "qcow2_int.h"

struct layout {
	uint64_t cs, l1_entries, l1_clusters, rt_clusters, rb_clusters;
};

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* Header, L1, refcount table, refcount blocks, in that order: the blocks
   must count themselves, hence the loop to a fixed point. */
static int plan(struct layout *l, uint64_t size, unsigned cb)
{
	l->cs = 1ull << cb;
	uint64_t l2_span = l->cs * (l->cs / 8);
	l->l1_entries = div_up(size, l2_span);
	if (l->l1_entries * 8 > QCOW2_MAX_L1_BYTES)
		return -EFBIG;
	l->l1_clusters = div_up(l->l1_entries * 8, l->cs);
	uint64_t rb_entries = l->cs * 8 / 16;
	l->rt_clusters = 1, l->rb_clusters = 1;
	for (;;) {
		uint64_t n =
			1 + l->l1_clusters + l->rt_clusters + l->rb_clusters;
		uint64_t rb = div_up(n, rb_entries);
		uint64_t rt = div_up(rb * 8, l->cs);
		if (rb == l->rb_clusters && rt == l->rt_clusters)
			break;
		l->rb_clusters = rb, l->rt_clusters = rt;
	}
	return 0;
}

/* Fixed header, backing-format extension, end marker, backing name. */
static int build_header(uint8_t *h, const struct layout *l,
			const struct qcow2_create_opts *o, unsigned cb)
{
	uint64_t rt_off = (1 + l->l1_clusters) * l->cs;
	be32_put(h + HDR_MAGIC, QCOW2_MAGIC);
	be32_put(h + HDR_VERSION, 3);
	be32_put(h + HDR_CLUSTER_BITS, cb);
	be64_put(h + HDR_SIZE, o->size);
	be32_put(h + HDR_L1_SIZE, (uint32_t)l->l1_entries);
	be64_put(h + HDR_L1_OFFSET, l->cs);
	be64_put(h + HDR_RT_OFFSET, rt_off);
	be32_put(h + HDR_RT_CLUSTERS, (uint32_t)l->rt_clusters);
	be32_put(h + HDR_REFCOUNT_ORDER, 4);
	be32_put(h + HDR_HEADER_LENGTH, QCOW2_HDR_LEN);

	size_t p = QCOW2_HDR_LEN;
	if (o->backing_format) {
		size_t n = strlen(o->backing_format);
		if (n == 0 || n > 16)
			return -EINVAL;
		be32_put(h + p, QCOW2_EXT_BACKING_FORMAT);
		be32_put(h + p + 4, (uint32_t)n);
		memcpy(h + p + 8, o->backing_format, n);
		p += 8 + (n + 7) / 8 * 8;
	}
	p += 8; /* end of extensions: type 0, length 0 */
	if (o->backing_file) {
		size_t n = strlen(o->backing_file);
		if (n == 0 || n > QCOW2_MAX_BACKING_NAME || p + n > l->cs)
			return -ENAMETOOLONG;
		memcpy(h + p, o->backing_file, n);
		be64_put(h + HDR_BACKING_OFFSET, p);
		be32_put(h + HDR_BACKING_SIZE, (uint32_t)n);
	}
	return 0;
}

static int write_image(int fd, const struct layout *l, const uint8_t *hdr)
{
	uint64_t cs = l->cs;
	uint64_t rt_first = 1 + l->l1_clusters;
	uint64_t rb_first = rt_first + l->rt_clusters;
	uint64_t total = rb_first + l->rb_clusters;
	if (ftruncate(fd, (off_t)(total * cs)) < 0)
		return -errno;
	int r = qcow2_pwrite_full(fd, hdr, cs, 0);
	if (r)
		return r;
	uint8_t *rt = calloc(l->rt_clusters, cs);
	uint8_t *rb = calloc(l->rb_clusters, cs);
	if (!rt || !rb) {
		r = -ENOMEM;
		goto out;
	}
	for (uint64_t i = 0; i < l->rb_clusters; i++)
		be64_put(rt + 8 * i, (rb_first + i) * cs);
	for (uint64_t c = 0; c < total; c++) /* 16-bit refcounts */
		be16_put(rb + 2 * c, 1);
	if (!(r = qcow2_pwrite_full(fd, rb, l->rb_clusters * cs,
				    rb_first * cs)) &&
	    !(r = qcow2_pwrite_full(fd, rt, l->rt_clusters * cs,
				    rt_first * cs)) &&
	    fsync(fd) < 0)
		r = -errno;
out:
	free(rt);
	free(rb);
	return r;
}

int qcow2_create(const char *path, const struct qcow2_create_opts *o, char *err,
		 size_t errlen)
{
	unsigned cb = o->cluster_bits ? o->cluster_bits : 16;
	struct layout l;
	if (cb < 9 || cb > 21) {
		snprintf(err, errlen,
			 "cluster size must be 512 bytes to 2 MiB "
			 "(a power of two)");
		return -EINVAL;
	}
	if (o->size % 512) {
		snprintf(err, errlen, "image size must be a multiple of 512");
		return -EINVAL;
	}
	if (plan(&l, o->size, cb)) {
		snprintf(err, errlen,
			 "image size too large for %llu-byte "
			 "clusters",
			 (unsigned long long)l.cs);
		return -EFBIG;
	}
	uint8_t *hdr = calloc(1, l.cs);
	if (!hdr) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int r = build_header(hdr, &l, o, cb);
	if (r) {
		snprintf(err, errlen,
			 "%s: backing file name or format does "
			 "not fit in the header cluster",
			 path);
		free(hdr);
		return r;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(hdr);
		return r;
	}
	r = write_image(fd, &l, hdr);
	if (close(fd) < 0 && !r)
		r = -errno;
	free(hdr);
	if (r)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	return r;
}
