/*
 * qcow2 open and close: reads the header, its extensions, the L1 table and
 * the refcount table, and checks every value before anything else trusts
 * it. The image is hostile until proven otherwise: offsets must be
 * aligned, inside the file and clear of the header; table sizes are
 * capped (as QEMU caps them) before anything is allocated; unknown
 * incompatible features are refused. Each refusal is one line naming the
 * file and the field.
 *
 * Talks to: the image file, image_open_chain() for the backing file.
 * Owns the struct qcow2 and everything hanging off it.
 */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include "qcow2.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "qcow2_int.h"

static void qcow2_close(struct block_backend *b);

const struct block_ops qcow2_ops = {
	.preadv = qcow2_preadv,
	.pwritev = qcow2_pwritev,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.write_zeroes = qcow2_write_zeroes,
	.close = qcow2_close,
};

int qcow2_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) { /* past the end of the file: a sparse tail */
			memset(p, 0, len);
			return 0;
		}
		p += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

int qcow2_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

int qcow2_corrupt(struct qcow2 *q, const char *fmt, ...)
{
	if (!q->broken) {
		va_list ap;
		va_start(ap, fmt);
		fprintf(stderr, "pvkit: %s: corrupt qcow2 image: ", q->path);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
		q->broken = true;
	}
	return -EIO;
}

static bool ranges_meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

bool qcow2_overlaps_fixed(const struct qcow2 *q, uint64_t off, uint64_t len)
{
	uint64_t cs = q->cluster_size;
	return ranges_meet(off, len, 0, cs) ||
	       ranges_meet(off, len, q->l1_offset,
			   round_up((uint64_t)q->l1_size * 8, cs)) ||
	       ranges_meet(off, len, q->rt_offset,
			   (uint64_t)q->rt_clusters * cs);
}

/* Open-time refusal: formats "PATH: MESSAGE" into err. Returns -EINVAL so
   callers can `return bad(...)`. */
static int bad(const struct qcow2 *q, char *err, size_t errlen, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
static int bad(const struct qcow2 *q, char *err, size_t errlen, const char *fmt,
	       ...)
{
	int n = snprintf(err, errlen, "%s: ", q->path);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The fixed header: everything that sizes a later allocation is capped
   here, before it is used. */
static int parse_header(struct qcow2 *q, const uint8_t *h, size_t hlen, bool rw,
			char *err, size_t errlen)
{
	if (hlen < QCOW2_HDR_V2_LEN || be32_get(h + HDR_MAGIC) != QCOW2_MAGIC)
		return bad(q, err, errlen, "not a qcow2 image (bad magic)");
	uint32_t version = be32_get(h + HDR_VERSION);
	if (version != 2 && version != 3)
		return bad(q, err, errlen, "unsupported qcow2 version %u",
			   version);
	q->version = (int)version;
	uint32_t cb = be32_get(h + HDR_CLUSTER_BITS);
	if (cb < 9 || cb > 21)
		return bad(q, err, errlen, "cluster_bits %u out of range 9..21",
			   cb);
	q->cluster_bits = cb;
	q->cluster_size = 1ull << cb;
	q->l2_entries = q->cluster_size / 8;

	if (version == 3) {
		if (hlen < QCOW2_HDR_V3_LEN)
			return bad(q, err, errlen, "truncated v3 header");
		q->incompat = be64_get(h + HDR_INCOMPAT);
		q->compat = be64_get(h + HDR_COMPAT);
		q->autoclear = be64_get(h + HDR_AUTOCLEAR);
		q->refcount_order = be32_get(h + HDR_REFCOUNT_ORDER);
		q->header_length = be32_get(h + HDR_HEADER_LENGTH);
		if (q->header_length < QCOW2_HDR_V3_LEN)
			return bad(q, err, errlen, "header_length %u too short",
				   q->header_length);
		if (q->header_length > q->cluster_size ||
		    q->header_length > hlen)
			return bad(q, err, errlen,
				   "header_length %u exceeds the first cluster",
				   q->header_length);
		if (q->header_length > HDR_COMPRESSION_TYPE)
			q->compression_type = h[HDR_COMPRESSION_TYPE];
	} else {
		q->refcount_order = 4;
		q->header_length = QCOW2_HDR_V2_LEN;
	}
	if (q->refcount_order > 6)
		return bad(q, err, errlen,
			   "refcount_order %u out of range 0..6",
			   q->refcount_order);
	q->rb_entries = q->cluster_size * 8 >> q->refcount_order;

	uint64_t known = QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT |
			 QCOW2_INCOMPAT_DATA_FILE | QCOW2_INCOMPAT_COMPRESSION |
			 QCOW2_INCOMPAT_EXTL2;
	if (q->incompat & ~known)
		return bad(q, err, errlen,
			   "unsupported incompatible features %#llx",
			   (unsigned long long)(q->incompat & ~known));
	if (q->incompat & QCOW2_INCOMPAT_DATA_FILE)
		return bad(q, err, errlen,
			   "external data files are not supported");
	if (q->incompat & QCOW2_INCOMPAT_EXTL2)
		return bad(
			q, err, errlen,
			"extended L2 entries (subclusters) are not supported");
	if (q->compression_type != 0)
		return bad(q, err, errlen,
			   "compression type %u is not supported (zlib only)",
			   q->compression_type);
	if (rw && (q->incompat & QCOW2_INCOMPAT_CORRUPT))
		return bad(q, err, errlen,
			   "image is marked corrupt; open it read-only or "
			   "repair it with qemu-img check -r all");
	if (rw && (q->incompat & QCOW2_INCOMPAT_DIRTY))
		return bad(q, err, errlen,
			   "image was not closed cleanly (dirty bit); repair "
			   "it with qemu-img check -r all");

	if (be32_get(h + HDR_CRYPT) != 0)
		return bad(q, err, errlen,
			   "encrypted images are not supported");

	uint64_t size = be64_get(h + HDR_SIZE);
	if (size % 512)
		return bad(q, err, errlen,
			   "virtual size %llu is not a multiple of 512",
			   (unsigned long long)size);
	q->be.size = size;

	q->nb_snapshots = be32_get(h + HDR_NB_SNAPSHOTS);
	if (q->nb_snapshots > 65536)
		return bad(q, err, errlen, "too many snapshots (%u)",
			   q->nb_snapshots);
	if (q->nb_snapshots && rw)
		return bad(q, err, errlen,
			   "images with internal snapshots can only be opened "
			   "read-only");
	return 0;
}

/* Table placement: aligned, after the header cluster, inside the file. */
static int check_table(struct qcow2 *q, uint64_t off, uint64_t len,
		       const char *what, char *err, size_t errlen)
{
	if (!len)
		return 0;
	if (qcow2_offset_in_cluster(q, off))
		return bad(q, err, errlen, "%s offset %#llx is not aligned",
			   what, (unsigned long long)off);
	if (off < q->cluster_size)
		return bad(q, err, errlen, "%s overlaps the header", what);
	if (off > q->file_end || len > q->file_end - off)
		return bad(q, err, errlen, "%s lies past the end of the file",
			   what);
	return 0;
}

static int parse_tables(struct qcow2 *q, const uint8_t *h, char *err,
			size_t errlen)
{
	uint64_t cs = q->cluster_size;
	q->l1_size = be32_get(h + HDR_L1_SIZE);
	q->l1_offset = be64_get(h + HDR_L1_OFFSET);
	if ((uint64_t)q->l1_size * 8 > QCOW2_MAX_L1_BYTES)
		return bad(q, err, errlen, "L1 table too large (%u entries)",
			   q->l1_size);
	/* Each L1 entry maps l2_entries clusters. */
	uint64_t span = cs * q->l2_entries;
	uint64_t need = q->be.size / span + (q->be.size % span != 0);
	if (need > q->l1_size)
		return bad(q, err, errlen,
			   "L1 table (%u entries) too small for the virtual "
			   "size",
			   q->l1_size);
	int r = check_table(q, q->l1_offset, (uint64_t)q->l1_size * 8,
			    "L1 table", err, errlen);
	if (r)
		return r;

	q->rt_offset = be64_get(h + HDR_RT_OFFSET);
	q->rt_clusters = be32_get(h + HDR_RT_CLUSTERS);
	if (q->rt_clusters == 0)
		return bad(q, err, errlen, "refcount table is empty");
	if ((uint64_t)q->rt_clusters * cs > QCOW2_MAX_RT_BYTES)
		return bad(q, err, errlen,
			   "refcount table too large (%u clusters)",
			   q->rt_clusters);
	r = check_table(q, q->rt_offset, (uint64_t)q->rt_clusters * cs,
			"refcount table", err, errlen);
	if (r)
		return r;
	if (q->l1_size &&
	    ranges_meet(q->l1_offset, round_up((uint64_t)q->l1_size * 8, cs),
			q->rt_offset, (uint64_t)q->rt_clusters * cs))
		return bad(q, err, errlen,
			   "L1 table overlaps the refcount table");

	if (q->nb_snapshots) {
		uint64_t so = be64_get(h + HDR_SNAPSHOTS_OFFSET);
		r = check_table(q, so, 1, "snapshot table", err, errlen);
		if (r)
			return r;
	}
	return 0;
}

static char *dup_bytes(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);
	if (s) {
		memcpy(s, p, len);
		s[len] = 0;
	}
	return s;
}

/* Header extensions and the backing file name, all inside the first
   cluster (h holds min(cluster, file) bytes, hlen of them). */
static int parse_extensions(struct qcow2 *q, const uint8_t *h, size_t hlen,
			    char *err, size_t errlen)
{
	uint64_t bo = be64_get(h + HDR_BACKING_OFFSET);
	uint32_t bs = be32_get(h + HDR_BACKING_SIZE);
	uint64_t end = hlen;
	if (bo) {
		if (bs == 0 || bs > QCOW2_MAX_BACKING_NAME)
			return bad(q, err, errlen,
				   "backing file name length %u out of range",
				   bs);
		if (bo < q->header_length || bo > hlen || bs > hlen - bo)
			return bad(q, err, errlen,
				   "backing file name lies outside the first "
				   "cluster");
		if (memchr(h + bo, 0, bs))
			return bad(q, err, errlen,
				   "backing file name contains a NUL byte");
		q->backing_name = dup_bytes(h + bo, bs);
		if (!q->backing_name)
			return -ENOMEM;
		end = bo;
	}

	uint64_t p = q->header_length;
	while (p + 8 <= end) {
		uint32_t type = be32_get(h + p), len = be32_get(h + p + 4);
		p += 8;
		if (type == QCOW2_EXT_END)
			break;
		if (len > end - p)
			return bad(q, err, errlen,
				   "header extension %#x overruns the header",
				   type);
		if (type == QCOW2_EXT_BACKING_FORMAT) {
			if (len == 0 || len > 16 || memchr(h + p, 0, len))
				return bad(q, err, errlen,
					   "bad backing format extension");
			free(q->backing_format);
			q->backing_format = dup_bytes(h + p, len);
			if (!q->backing_format)
				return -ENOMEM;
		}
		p += round_up(len, 8);
	}
	return 0;
}

static int load_l1(struct qcow2 *q, char *err, size_t errlen)
{
	q->l1 = calloc(q->l1_size ? q->l1_size : 1, sizeof(uint64_t));
	if (!q->l1)
		return -ENOMEM;
	if (!q->l1_size)
		return 0;
	uint8_t *raw = malloc((size_t)q->l1_size * 8);
	if (!raw)
		return -ENOMEM;
	int r = qcow2_pread_full(q->fd, raw, (size_t)q->l1_size * 8,
				 q->l1_offset);
	for (uint32_t i = 0; !r && i < q->l1_size; i++) {
		uint64_t e = be64_get(raw + 8 * i);
		uint64_t off = e & L1E_OFFSET_MASK;
		q->l1[i] = e;
		if (!off)
			continue;
		if (qcow2_offset_in_cluster(q, off))
			r = bad(q, err, errlen,
				"L1 entry %u: L2 table offset %#llx unaligned",
				i, (unsigned long long)off);
		else if (off >= q->file_end)
			r = bad(q, err, errlen,
				"L1 entry %u: L2 table past the end of the "
				"file",
				i);
		else if (qcow2_overlaps_fixed(q, off, q->cluster_size))
			r = bad(q, err, errlen,
				"L1 entry %u: L2 table overlaps the header or "
				"a table",
				i);
	}
	free(raw);
	return r;
}

static int load_rt(struct qcow2 *q, char *err, size_t errlen)
{
	size_t bytes = (size_t)q->rt_clusters * q->cluster_size;
	q->rt_entries = bytes / 8;
	q->rt = calloc(q->rt_entries, sizeof(uint64_t));
	uint8_t *raw = malloc(bytes);
	int r = q->rt && raw ? qcow2_pread_full(q->fd, raw, bytes, q->rt_offset)
			     : -ENOMEM;
	for (uint64_t i = 0; !r && i < q->rt_entries; i++) {
		uint64_t off = be64_get(raw + 8 * i);
		q->rt[i] = off;
		if (!off)
			continue;
		if (off & ~REFT_OFFSET_MASK || qcow2_offset_in_cluster(q, off))
			r = bad(q, err, errlen,
				"refcount block %llu: offset %#llx unaligned",
				(unsigned long long)i, (unsigned long long)off);
		else if (off >= q->file_end)
			r = bad(q, err, errlen,
				"refcount block %llu past the end of the file",
				(unsigned long long)i);
		else if (qcow2_overlaps_fixed(q, off, q->cluster_size))
			r = bad(q, err, errlen,
				"refcount block %llu overlaps the header or a "
				"table",
				(unsigned long long)i);
	}
	free(raw);
	return r;
}

/* A relative backing name is relative to the image's directory. */
static char *backing_path(const char *image, const char *name)
{
	const char *slash = strrchr(image, '/');
	if (name[0] == '/' || !slash)
		return strdup(name);
	size_t dir = (size_t)(slash - image) + 1, n = strlen(name);
	char *p = malloc(dir + n + 1);
	if (p) {
		memcpy(p, image, dir);
		memcpy(p + dir, name, n + 1);
	}
	return p;
}

static int open_backing(struct qcow2 *q, int depth, char *err, size_t errlen)
{
	enum image_format fmt = IMAGE_PROBE;
	if (q->backing_format &&
	    image_format_parse(q->backing_format, &fmt) < 0)
		return bad(q, err, errlen, "unsupported backing format '%s'",
			   q->backing_format);
	char *path = backing_path(q->path, q->backing_name);
	if (!path)
		return -ENOMEM;
	q->backing = image_open_chain(path, fmt, IMAGE_READ_ONLY, depth + 1,
				      err, errlen);
	free(path);
	return q->backing ? 0 : -EINVAL;
}

/* Cache sizes: enough tables for a few GiB of guest disk at the default
   cluster size, without more than ~8 MiB per cache for big clusters. */
static int cache_slots(uint64_t cluster_size, int max)
{
	uint64_t n = (8u << 20) / cluster_size;
	return n < 4 ? 4 : n > (uint64_t)max ? max : (int)n;
}

static int setup_buffers(struct qcow2 *q)
{
	uint64_t cs = q->cluster_size;
	if (qcow2_cache_init(&q->l2c, cache_slots(cs, 64), cs) ||
	    qcow2_cache_init(&q->rbc, cache_slots(cs, 16), cs))
		return -ENOMEM;
	q->bounce = malloc(cs);
	q->zin = malloc(2 * cs);
	q->zout = malloc(cs);
	q->zeros = calloc(1, cs);
	q->frees = malloc(QCOW2_MAX_PENDING_FREES * sizeof(*q->frees));
	return q->bounce && q->zin && q->zout && q->zeros && q->frees ? 0
								      : -ENOMEM;
}

/* A writer that does not know an autoclear feature must clear its bit
   (the spec's rule), so stale bitmaps are not trusted later. */
static int clear_autoclear(struct qcow2 *q)
{
	if (q->version < 3 || !q->autoclear)
		return 0;
	uint8_t v[8] = {0};
	int r = qcow2_pwrite_full(q->fd, v, 8, HDR_AUTOCLEAR);
	if (!r)
		q->autoclear = 0;
	return r;
}

struct block_backend *qcow2_open(const char *path, unsigned flags, int depth,
				 char *err, size_t errlen)
{
	bool rw = !(flags & IMAGE_READ_ONLY);
	struct qcow2 *q = calloc(1, sizeof(*q));
	uint8_t *h = NULL;
	int r = -ENOMEM;
	if (!q)
		goto fail;
	q->fd = -1;
	if (!(q->path = strdup(path)))
		goto fail;
	q->fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (q->fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	off_t end = lseek(q->fd, 0, SEEK_END);
	if (end < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	q->file_end = (uint64_t)end;
	/* Like raw.c: shared when read-only, exclusive otherwise, so two
	   writers (or a writer and QEMU) cannot meet on one image. */
	struct flock lk = {.l_type = rw ? F_WRLCK : F_RDLCK,
			   .l_whence = SEEK_SET};
	if (fcntl(q->fd, F_OFD_SETLK, &lk) &&
	    (errno == EAGAIN || errno == EACCES)) {
		r = -EBUSY;
		snprintf(err, errlen, "%s: in use by another process", path);
		goto out;
	}

	/* The largest possible first cluster; only what exists is used. */
	size_t hlen = q->file_end < (2u << 20) ? (size_t)q->file_end : 2u << 20;
	h = malloc(hlen ? hlen : 1);
	if (!h || (r = qcow2_pread_full(q->fd, h, hlen, 0)))
		goto fail;
	if ((r = parse_header(q, h, hlen, rw, err, errlen)))
		goto out;
	if (hlen > q->cluster_size)
		hlen = (size_t)q->cluster_size;
	if ((r = parse_tables(q, h, err, errlen)) ||
	    (r = parse_extensions(q, h, hlen, err, errlen)) ||
	    (r = load_l1(q, err, errlen)) || (r = load_rt(q, err, errlen)))
		goto out;
	if ((r = setup_buffers(q)))
		goto fail;
	q->be.ops = &qcow2_ops;
	q->be.read_only = !rw;
	q->l1_dirty_lo = UINT32_MAX;
	const char *base = strrchr(path, '/');
	snprintf(q->be.serial, sizeof(q->be.serial), "%s",
		 base ? base + 1 : path);
	if (q->backing_name && !(flags & IMAGE_NO_BACKING) &&
	    (r = open_backing(q, depth, err, errlen)))
		goto out;
	if (rw && (r = clear_autoclear(q)))
		goto fail;
	free(h);
	return &q->be;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(-r));
out:
	free(h);
	if (q) {
		q->be.read_only = true; /* nothing to write back */
		qcow2_close(&q->be);
	}
	return NULL;
}

static void qcow2_close(struct block_backend *b)
{
	struct qcow2 *q = to_qcow2(b);
	if (!b->read_only && !q->broken && qcow2_flush(b) < 0)
		fprintf(stderr, "pvkit: %s: flush on close failed\n", q->path);
	if (q->backing)
		q->backing->ops->close(q->backing);
	if (q->fd >= 0)
		close(q->fd);
	qcow2_cache_free(&q->l2c);
	qcow2_cache_free(&q->rbc);
	free(q->l1);
	free(q->rt);
	free(q->frees);
	free(q->bounce);
	free(q->zin);
	free(q->zout);
	free((void *)q->zeros);
	free(q->iov_tmp);
	free(q->backing_name);
	free(q->backing_format);
	free(q->path);
	free(q);
}

bool qcow2_get_info(struct block_backend *b, struct qcow2_info *out)
{
	if (!b || b->ops != &qcow2_ops)
		return false;
	struct qcow2 *q = to_qcow2(b);
	*out = (struct qcow2_info){
		.version = q->version,
		.cluster_size = q->cluster_size,
		.refcount_bits = 1u << q->refcount_order,
		.backing_file = q->backing_name,
		.backing_format = q->backing_format,
		.lazy_refcounts = q->compat & 1,
		.corrupt = q->incompat & QCOW2_INCOMPAT_CORRUPT,
		.dirty = q->incompat & QCOW2_INCOMPAT_DIRTY,
		.snapshots = q->nb_snapshots,
	};
	return true;
}
