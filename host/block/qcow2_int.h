/*
 * qcow2 internals shared by the back end's files: the on-disk constants,
 * the open image's state and the functions one part calls in another.
 * Nothing outside host/block/qcow2*.c includes this.
 *
 *   qcow2.c        open: header, extensions, tables, validation; close
 *   qcow2_meta.c   metadata caches, refcounts, cluster allocation, the
 *                  ordered write-back that flush relies on
 *   qcow2_io.c     the block_ops: read, write, discard, write-zeroes
 *   qcow2_create.c new images (pvkit img create / convert)
 *
 * All multi-byte on-disk values are big-endian; tables cached here stay in
 * on-disk form and are converted on access. The L1 table and the refcount
 * table are held whole in host order.
 */
#ifndef PVKIT_HOST_BLOCK_QCOW2_INT_H
#define PVKIT_HOST_BLOCK_QCOW2_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "emulator/backend/block.h"

#define QCOW2_MAGIC 0x514649fbu /* "QFI\xfb" */
#define QCOW2_HDR_V2_LEN 72u
#define QCOW2_HDR_V3_LEN 104u
#define QCOW2_HDR_LEN 112u /* what pvkit writes: v3 plus compression type */

/* Header field offsets. */
enum {
	HDR_MAGIC = 0,
	HDR_VERSION = 4,
	HDR_BACKING_OFFSET = 8,
	HDR_BACKING_SIZE = 16,
	HDR_CLUSTER_BITS = 20,
	HDR_SIZE = 24,
	HDR_CRYPT = 32,
	HDR_L1_SIZE = 36,
	HDR_L1_OFFSET = 40,
	HDR_RT_OFFSET = 48,
	HDR_RT_CLUSTERS = 56,
	HDR_NB_SNAPSHOTS = 60,
	HDR_SNAPSHOTS_OFFSET = 64,
	HDR_INCOMPAT = 72,
	HDR_COMPAT = 80,
	HDR_AUTOCLEAR = 88,
	HDR_REFCOUNT_ORDER = 96,
	HDR_HEADER_LENGTH = 100,
	HDR_COMPRESSION_TYPE = 104,
};

/* Incompatible feature bits. */
#define QCOW2_INCOMPAT_DIRTY (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2 (1ull << 4)

/* Header extensions. */
#define QCOW2_EXT_END 0u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE 0x6803f857u

/* Table entries. */
#define QCOW_OFLAG_COPIED (1ull << 63)
#define QCOW_OFLAG_COMPRESSED (1ull << 62)
#define QCOW_OFLAG_ZERO 1ull
#define L1E_OFFSET_MASK 0x00fffffffffffe00ull
#define L2E_OFFSET_MASK 0x00fffffffffffe00ull
#define REFT_OFFSET_MASK 0xfffffffffffffe00ull

/* Limits, as QEMU's: bigger tables are refused as corrupt. */
#define QCOW2_MAX_L1_BYTES (32u << 20)
#define QCOW2_MAX_RT_BYTES (8u << 20)
#define QCOW2_MAX_BACKING_NAME 1023u
#define QCOW2_MAX_CHAIN 16 /* backing files below one image */
#define QCOW2_MAX_PENDING_FREES 4096

static inline uint16_t be16_get(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] << 8 | b[1]);
}
static inline uint32_t be32_get(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}
static inline uint64_t be64_get(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)be32_get(b) << 32 | be32_get(b + 4);
}
static inline void be16_put(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}
static inline void be32_put(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}
static inline void be64_put(void *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put((uint8_t *)p + 4, (uint32_t)v);
}

/* A small write-back cache of cluster-sized tables (L2 tables or refcount
   blocks), least recently used out first. */
struct qcache_slot {
	uint64_t off; /* host offset of the table; 0 = empty slot */
	uint64_t used;
	bool dirty;
	uint8_t *buf;
};

struct qcache {
	struct qcache_slot *slot;
	int n;
	uint64_t tick;
};

/* A host range whose refcount drops once the table that referenced it is
   on disk (see qcow2_writeback). */
struct qfree {
	uint64_t off, len;
};

struct qcow2 {
	struct block_backend be; /* first: what the front ends see */
	int fd;
	char *path;

	int version;
	unsigned cluster_bits;
	uint64_t cluster_size;
	uint64_t l2_entries; /* entries per L2 table */
	unsigned refcount_order;
	uint64_t rb_entries; /* refcounts per refcount block */
	uint64_t incompat, compat, autoclear;
	uint32_t nb_snapshots;
	uint32_t header_length;
	uint8_t compression_type;
	char *backing_name, *backing_format; /* as stored; may be NULL */

	uint64_t *l1; /* host order */
	uint32_t l1_size;
	uint64_t l1_offset;
	uint32_t l1_dirty_lo, l1_dirty_hi; /* dirty entries [lo, hi) */

	uint64_t *rt; /* refcount table, host order */
	uint64_t rt_entries;
	uint64_t rt_offset;
	uint32_t rt_clusters;
	bool rt_dirty;

	struct qcache l2c, rbc;
	struct qfree *frees;
	int nfrees;

	uint64_t file_end;  /* bytes: the file, or further if allocated */
	uint64_t free_hint; /* no free cluster below this index */

	struct block_backend *backing;

	uint8_t *bounce;      /* one cluster: copy-on-write assembly */
	uint8_t *zin, *zout;  /* compressed input (2 clusters), output */
	uint64_t zout_entry;  /* L2 entry zout holds, 0 = none */
	const uint8_t *zeros; /* one cluster of zeros, for write-zeroes */
	struct iovec *iov_tmp;
	int iov_tmp_cap;

	bool broken; /* corrupt metadata met at run time: I/O refused */
};

static inline struct qcow2 *to_qcow2(struct block_backend *b)
{
	return (struct qcow2 *)b;
}

static inline uint64_t qcow2_offset_in_cluster(const struct qcow2 *q,
					       uint64_t off)
{
	return off & (q->cluster_size - 1);
}

/* qcow2.c */
extern const struct block_ops qcow2_ops;
/* Marks the image broken and prints one line naming the problem (the
   first time only); returns -EIO for the caller to pass on. */
int qcow2_corrupt(struct qcow2 *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when [off, off+len) touches the header cluster, the L1 table or
   the refcount table: data and L2/refcount-block writes must not. */
bool qcow2_overlaps_fixed(const struct qcow2 *q, uint64_t off, uint64_t len);

/* qcow2_meta.c */
int qcow2_cache_init(struct qcache *c, int n, uint64_t cluster_size);
void qcow2_cache_free(struct qcache *c);
/* Pointer to the cached table at off (loaded unless fresh, in which case
   it starts zeroed). Valid until the next qcow2_table() on that cache. */
int qcow2_table(struct qcow2 *q, struct qcache *c, uint64_t off, bool fresh,
		uint8_t **out);
void qcow2_table_dirty(struct qcache *c, const uint8_t *buf);
int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *val);
/* Adds delta (+1 or -1) to a cluster's refcount. */
int qcow2_refcount_add(struct qcow2 *q, uint64_t cluster, int delta);
/* Allocates one cluster with refcount 1; returns its host offset. */
int qcow2_alloc_cluster(struct qcow2 *q, uint64_t *off);
/* Queues a host range for a refcount drop after the next write-back. */
int qcow2_free_later(struct qcow2 *q, uint64_t off, uint64_t len);
void qcow2_l1_dirty(struct qcow2 *q, uint32_t index);
/* Writes dirty metadata in crash-safe order (see qcow2_meta.c). */
int qcow2_writeback(struct qcow2 *q);
int qcow2_flush(struct block_backend *b);

/* qcow2_io.c */
ssize_t qcow2_preadv(struct block_backend *b, const struct iovec *iov,
		     int iovcnt, uint64_t offset);
ssize_t qcow2_pwritev(struct block_backend *b, const struct iovec *iov,
		      int iovcnt, uint64_t offset);
int qcow2_discard(struct block_backend *b, uint64_t offset, uint64_t len);
int qcow2_write_zeroes(struct block_backend *b, uint64_t offset, uint64_t len);

/* Whole-buffer file I/O: -errno on error. pread_full zero-fills what lies
   past the end of the file. */
int qcow2_pread_full(int fd, void *buf, size_t len, uint64_t off);
int qcow2_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

#endif
