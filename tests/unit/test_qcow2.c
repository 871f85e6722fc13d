/*
 * qcow2 back-end tests: images pvkit creates and writes (across cluster
 * boundaries, with small clusters that force L2 and refcount-table
 * growth), backing files with copy-on-write, zero clusters, discard,
 * reopen, refusal of corrupt headers, and - when qemu-img is installed -
 * images qemu-img made (v2, v3, compressed, odd refcount widths) plus
 * `qemu-img check` and `qemu-img compare` on everything pvkit wrote.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/block/image.h"
#include "host/block/qcow2.h"

#define MiB (1ull << 20)

struct tmp {
	char dir[64];
	char path[256];
};

static void tmp_init(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/pvkit-qcow2-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
}

static const char *tmp_file(struct tmp *t, const char *name)
{
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
	return t->path;
}

static void tmp_free(struct tmp *t)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	ck_assert_int_eq(system(cmd), 0);
}

static bool have_qemu_img(void)
{
	static const char probe[] = "qemu-img --version >/dev/null 2>&1";
	bool ok = system(probe) == 0;
	if (!ok)
		printf("note: qemu-img not installed, skipping its checks\n");
	return ok;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* `qemu-img check` must find no errors and no leaks. */
static void qemu_check(const char *path)
{
	ck_assert_msg(sh("qemu-img check -q '%s'", path) == 0,
		      "qemu-img check %s failed", path);
}

static struct block_backend *open_img(const char *path, unsigned flags)
{
	char err[256];
	struct block_backend *b =
		image_open(path, IMAGE_PROBE, flags, err, sizeof(err));
	ck_assert_msg(b != NULL, "open %s: %s", path, err);
	return b;
}

static void create(const char *path, uint64_t size, unsigned cb,
		   const char *backing, const char *bfmt)
{
	char err[256];
	struct qcow2_create_opts o = {size, cb, backing, bfmt};
	ck_assert_msg(qcow2_create(path, &o, err, sizeof(err)) == 0, "%s", err);
}

static void wr(struct block_backend *b, uint64_t off, const void *p, size_t n)
{
	struct iovec v = {(void *)p, n};
	ck_assert_int_eq(b->ops->pwritev(b, &v, 1, off), (ssize_t)n);
}

/* Reads through three iovecs, to cover the slicing. */
static void rd(struct block_backend *b, uint64_t off, void *p, size_t n)
{
	size_t a = n / 3, c = n / 5;
	struct iovec v[3] = {{p, a},
			     {(uint8_t *)p + a, n - a - c},
			     {(uint8_t *)p + n - c, c}};
	ck_assert_int_eq(b->ops->preadv(b, v, 3, off), (ssize_t)n);
}

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static void fill(struct rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(next(r) >> 24) | 1;
}

static void expect_same(struct block_backend *b, const uint8_t *model,
			uint64_t size)
{
	uint8_t *buf = malloc(size);
	rd(b, 0, buf, size);
	/* One assertion, not one per byte: Check's are slow. */
	uint64_t i = 0;
	while (i < size && buf[i] == model[i])
		i++;
	ck_assert_msg(i == size, "byte %llu: %02x != %02x",
		      (unsigned long long)i, i < size ? buf[i] : 0,
		      i < size ? model[i] : 0);
	free(buf);
}

static void save_model(const char *path, const uint8_t *model, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(model, 1, n, f), n);
	fclose(f);
}

/* Random writes, discards and zeroings against a byte model, with a
   reopen in the middle. */
static void random_ops(const char *path, uint8_t *model, uint64_t size,
		       uint64_t cs, int rounds, uint64_t seed)
{
	struct rng r = {seed};
	uint8_t *buf = malloc(256 * 1024);
	struct block_backend *b = open_img(path, 0);
	for (int i = 0; i < rounds; i++) {
		if (i == rounds / 2) {
			ck_assert_int_eq(b->ops->flush(b), 0);
			b->ops->close(b);
			b = open_img(path, 0);
		}
		uint64_t len = 1 + next(&r) % (200 * 1024);
		uint64_t off = next(&r) % (size - len);
		int op = (int)(next(&r) % 8);
		if (op == 0) {
			ck_assert_int_eq(b->ops->discard(b, off, len), 0);
			/* Whole clusters inside the range read as zeros;
			   partial ones keep their data. */
			uint64_t first = (off + cs - 1) / cs * cs;
			uint64_t end = (off + len) / cs * cs;
			if (end > first)
				memset(model + first, 0, end - first);
		} else if (op == 1) {
			ck_assert_int_eq(b->ops->write_zeroes(b, off, len), 0);
			memset(model + off, 0, len);
		} else {
			fill(&r, buf, len);
			wr(b, off, buf, len);
			memcpy(model + off, buf, len);
		}
	}
	expect_same(b, model, size);
	b->ops->close(b);
	free(buf);
}

START_TEST(create_write_read_across_clusters)
{
	static const unsigned bits[] = {9, 12, 16};
	struct tmp t;
	tmp_init(&t);
	bool q = have_qemu_img();
	for (int k = 0; k < 3; k++) {
		uint64_t size = 8 * MiB;
		char name[32];
		snprintf(name, sizeof(name), "c%u.qcow2", bits[k]);
		const char *path = tmp_file(&t, name);
		create(path, size, bits[k], NULL, NULL);
		uint8_t *model = calloc(1, size);
		struct block_backend *b = open_img(path, 0);
		ck_assert_uint_eq(b->size, size);
		expect_same(b, model, size);
		b->ops->close(b);
		random_ops(path, model, size, 1ull << bits[k], 300,
			   0x1234567 + k);
		b = open_img(path, IMAGE_READ_ONLY);
		expect_same(b, model, size);
		b->ops->close(b);
		if (q) {
			qemu_check(path);
			char raw[256];
			snprintf(raw, sizeof(raw), "%s/model.raw", t.dir);
			save_model(raw, model, size);
			ck_assert_int_eq(
				sh("qemu-img compare -q '%s' '%s'", path, raw),
				0);
		}
		free(model);
	}
	tmp_free(&t);
}
END_TEST

/* 512-byte clusters: one refcount-table cluster covers 8 MiB, so 24 MiB
   of data makes the table grow. */
START_TEST(refcount_table_grows)
{
	struct tmp t;
	tmp_init(&t);
	const char *path = tmp_file(&t, "grow.qcow2");
	uint64_t size = 32 * MiB;
	create(path, size, 9, NULL, NULL);
	uint8_t *model = calloc(1, size);
	struct rng r = {99};
	fill(&r, model, 24 * MiB);
	struct block_backend *b = open_img(path, 0);
	for (uint64_t off = 0; off < 24 * MiB; off += 192 * 1024)
		wr(b, off, model + off, 192 * 1024);
	b->ops->close(b);
	uint8_t rt_clusters[4];
	int fd = open(path, O_RDONLY);
	ck_assert_int_eq(pread(fd, rt_clusters, 4, 56), 4);
	close(fd);
	ck_assert_int_gt(rt_clusters[3], 1); /* grew from one cluster */
	b = open_img(path, IMAGE_READ_ONLY);
	expect_same(b, model, size);
	b->ops->close(b);
	if (have_qemu_img())
		qemu_check(path);
	free(model);
	tmp_free(&t);
}
END_TEST

static void backing_case(struct tmp *t, bool qcow2_base)
{
	uint64_t size = 4 * MiB;
	uint8_t *base = malloc(size), *model = malloc(size);
	struct rng r = {7};
	fill(&r, base, size);
	char bp[256], op[256];
	/* Stored relative: resolved against the overlay's directory. */
	const char *rel = qcow2_base ? "base.qcow2" : "base.raw";
	snprintf(bp, sizeof(bp), "%s/%s", t->dir, rel);
	snprintf(op, sizeof(op), "%s/overlay.qcow2", t->dir);
	if (qcow2_base) {
		create(bp, size, 0, NULL, NULL);
		struct block_backend *b = open_img(bp, 0);
		wr(b, 0, base, size);
		b->ops->close(b);
	} else {
		save_model(bp, base, size);
	}
	create(op, size, 0, rel, qcow2_base ? "qcow2" : "raw");
	struct block_backend *o = open_img(op, 0);
	expect_same(o, base, size); /* everything falls through */

	memcpy(model, base, size);
	/* Partial write inside a cluster: the rest is copied from base. */
	uint8_t patch[1000];
	fill(&r, patch, sizeof(patch));
	wr(o, 70000, patch, sizeof(patch));
	memcpy(model + 70000, patch, sizeof(patch));
	/* Zeroes over whole clusters hide the backing data. */
	ck_assert_int_eq(o->ops->write_zeroes(o, 128 * 1024, 192 * 1024), 0);
	memset(model + 128 * 1024, 0, 192 * 1024);
	/* Discard: v3 overlays read zeros afterwards too. */
	ck_assert_int_eq(o->ops->discard(o, MiB, MiB), 0);
	memset(model + MiB, 0, MiB);
	/* A partial zeroing copies the rest from base. */
	ck_assert_int_eq(o->ops->write_zeroes(o, 3 * MiB + 100, 5000), 0);
	memset(model + 3 * MiB + 100, 0, 5000);
	expect_same(o, model, size);
	o->ops->close(o);

	o = open_img(op, IMAGE_READ_ONLY);
	expect_same(o, model, size);
	o->ops->close(o);
	/* The base is untouched. */
	struct block_backend *b = open_img(bp, IMAGE_READ_ONLY);
	expect_same(b, base, size);
	b->ops->close(b);
	if (have_qemu_img()) {
		qemu_check(op);
		char raw[256];
		snprintf(raw, sizeof(raw), "%s/model.raw", t->dir);
		save_model(raw, model, size);
		ck_assert_int_eq(sh("qemu-img compare -q '%s' '%s'", op, raw),
				 0);
	}
	free(base);
	free(model);
}

START_TEST(backing_raw_fall_through_and_cow)
{
	struct tmp t;
	tmp_init(&t);
	backing_case(&t, false);
	tmp_free(&t);
}
END_TEST

START_TEST(backing_qcow2_fall_through_and_cow)
{
	struct tmp t;
	tmp_init(&t);
	backing_case(&t, true);
	tmp_free(&t);
}
END_TEST

static uint64_t file_size(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

START_TEST(discard_frees_clusters_for_reuse)
{
	struct tmp t;
	tmp_init(&t);
	const char *path = tmp_file(&t, "d.qcow2");
	create(path, 16 * MiB, 0, NULL, NULL);
	uint8_t *buf = malloc(4 * MiB), *back = malloc(4 * MiB);
	struct rng r = {5};
	fill(&r, buf, 4 * MiB);
	struct block_backend *b = open_img(path, 0);
	wr(b, 0, buf, 4 * MiB);
	ck_assert_int_eq(b->ops->flush(b), 0);
	uint64_t grown = file_size(path);
	ck_assert_int_eq(b->ops->discard(b, 0, 4 * MiB), 0);
	rd(b, 0, back, 4 * MiB);
	ck_assert(back[0] == 0 && !memcmp(back, back + 1, 4 * MiB - 1));
	ck_assert_int_eq(b->ops->flush(b), 0); /* frees take effect */
	wr(b, 8 * MiB, buf, 4 * MiB);
	b->ops->close(b);
	ck_assert_uint_le(file_size(path), grown); /* clusters reused */
	b = open_img(path, IMAGE_READ_ONLY);
	rd(b, 8 * MiB, back, 4 * MiB);
	ck_assert(!memcmp(buf, back, 4 * MiB));
	b->ops->close(b);
	if (have_qemu_img())
		qemu_check(path);
	free(buf);
	free(back);
	tmp_free(&t);
}
END_TEST

START_TEST(read_only_refuses_writes)
{
	struct tmp t;
	tmp_init(&t);
	const char *path = tmp_file(&t, "ro.qcow2");
	create(path, MiB, 0, NULL, NULL);
	struct block_backend *b = open_img(path, IMAGE_READ_ONLY);
	uint8_t x[512] = {1};
	struct iovec v = {x, sizeof(x)};
	ck_assert(b->read_only);
	ck_assert_int_eq(b->ops->pwritev(b, &v, 1, 0), -EROFS);
	ck_assert_int_eq(b->ops->preadv(b, &v, 1, MiB), -EINVAL);
	b->ops->close(b);
	tmp_free(&t);
}
END_TEST

/* A write followed by a flush survives the process being killed (no
   close, no write-back): data and metadata are on disk in order. Later
   unflushed writes may be lost but must not corrupt the image. */
START_TEST(flushed_writes_survive_kill)
{
	struct tmp t;
	tmp_init(&t);
	const char *path = tmp_file(&t, "kill.qcow2");
	create(path, 64 * MiB, 12, NULL, NULL);
	uint8_t *buf = malloc(8 * MiB), *back = malloc(8 * MiB);
	struct rng r = {11};
	fill(&r, buf, 8 * MiB);
	pid_t pid = fork();
	if (pid == 0) {
		struct block_backend *b = open_img(path, 0);
		wr(b, 0, buf, 4 * MiB);
		wr(b, 40 * MiB, buf + 4 * MiB, 4 * MiB);
		if (b->ops->flush(b))
			_exit(1);
		wr(b, 20 * MiB, buf, 4 * MiB); /* not flushed */
		ck_assert_int_eq(b->ops->discard(b, 0, MiB), 0);
		raise(SIGKILL);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	struct block_backend *b = open_img(path, IMAGE_READ_ONLY);
	rd(b, MiB, back + MiB, 3 * MiB);
	rd(b, 40 * MiB, back + 4 * MiB, 4 * MiB);
	ck_assert(!memcmp(buf + MiB, back + MiB, 7 * MiB));
	b->ops->close(b);
	/* 0: clean; 3: leaked clusters only (lost unflushed allocations). */
	if (have_qemu_img()) {
		int rc = sh("qemu-img check -q '%s' >/dev/null 2>&1", path);
		ck_assert_msg(WIFEXITED(rc) && (WEXITSTATUS(rc) == 0 ||
						WEXITSTATUS(rc) == 3),
			      "qemu-img check: %d", rc);
	}
	free(buf);
	free(back);
	tmp_free(&t);
}
END_TEST

/* ---- corrupt images ----------------------------------------------------- */

static void patch(const char *path, uint64_t off, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, p, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static void patch_be32(const char *path, uint64_t off, uint32_t v)
{
	uint8_t b[4] = {v >> 24, v >> 16, v >> 8, v};
	patch(path, off, b, 4);
}

static void patch_be64(const char *path, uint64_t off, uint64_t v)
{
	patch_be32(path, off, (uint32_t)(v >> 32));
	patch_be32(path, off + 4, (uint32_t)v);
}

static void expect_refused(const char *path, const char *word)
{
	char err[256] = "";
	struct block_backend *b = qcow2_open(path, 0, 0, err, sizeof(err));
	if (b)
		b->ops->close(b);
	ck_assert_msg(!b, "corrupt image opened (wanted '%s')", word);
	ck_assert_msg(strstr(err, word), "error '%s' lacks '%s'", err, word);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(corrupt_headers_are_refused)
{
	struct tmp t;
	tmp_init(&t);
	char path[256];
	snprintf(path, sizeof(path), "%s", tmp_file(&t, "bad.qcow2"));
	/* Layout of a pvkit image with 64 KiB clusters: header, L1 at
	   0x10000, refcount table at 0x20000, refcount block at 0x30000. */
	static const struct {
		uint64_t off;
		int width; /* 4 or 8 */
		uint64_t val;
		const char *word;
	} cases[] = {
		{0, 4, 0x12345678, "magic"},
		{4, 4, 4, "version 4"},
		{20, 4, 8, "cluster_bits 8"},
		{20, 4, 22, "cluster_bits 22"},
		{24, 8, 1000, "multiple of 512"},
		{24, 8, 1ull << 50, "too small"},
		{32, 4, 1, "encrypted"},
		{36, 4, 0x7fffffff, "L1 table too large"},
		{40, 8, 0x10200, "not aligned"},
		{40, 8, 0, "overlaps the header"},
		{40, 8, 1ull << 40, "past the end"},
		{48, 8, 0x10000, "overlaps the refcount table"},
		{56, 4, 0, "refcount table is empty"},
		{56, 4, 1000000, "refcount table too large"},
		{72, 8, 1ull << 40, "incompatible features"},
		{72, 8, 4, "external data"},
		{96, 4, 7, "refcount_order 7"},
		{100, 4, 8, "header_length 8"},
		{8, 8, 60000, "backing file name"},
		{0x10000, 8, 0x8000000000000200ull, "unaligned"},
		{0x10000, 8, 0x8000000000000000ull | (1ull << 40), "L1 entry"},
		{0x20000, 8, 0x12345, "unaligned"},
		{0x20000, 8, 0x100000000ull, "past the end"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		create(path, 64 * MiB, 0, NULL, NULL);
		if (cases[i].off == 8) /* give it a name length first */
			patch_be32(path, 16, 10);
		if (cases[i].width == 4)
			patch_be32(path, cases[i].off, (uint32_t)cases[i].val);
		else
			patch_be64(path, cases[i].off, cases[i].val);
		expect_refused(path, cases[i].word);
	}
	/* Dirty or corrupt images open read-only only. */
	create(path, MiB, 0, NULL, NULL);
	patch_be64(path, 72, 1);
	expect_refused(path, "dirty");
	char err[256];
	struct block_backend *b =
		qcow2_open(path, IMAGE_READ_ONLY, 0, err, sizeof(err));
	ck_assert_ptr_nonnull(b);
	b->ops->close(b);
	/* A backing file that is the image itself is a loop. */
	create(path, MiB, 0, "bad.qcow2", "qcow2");
	b = qcow2_open(path, IMAGE_READ_ONLY, 0, err, sizeof(err));
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(err, "chain"), "%s", err);
	tmp_free(&t);
}
END_TEST

/* Metadata that points at the header must give I/O errors, not let the
   guest overwrite the header (and with it the backing file name). */
START_TEST(hostile_l2_entries_fail_io)
{
	struct tmp t;
	tmp_init(&t);
	char path[256];
	snprintf(path, sizeof(path), "%s", tmp_file(&t, "evil.qcow2"));
	create(path, 64 * MiB, 0, NULL, NULL);
	struct block_backend *b = open_img(path, 0);
	uint8_t x[4096];
	memset(x, 0xab, sizeof(x));
	wr(b, 0, x, sizeof(x)); /* allocates L2 at 0x40000, data 0x50000 */
	b->ops->close(b);
	static const uint64_t evil[] = {
		0x8000000000010000ull,		      /* the L1 table */
		0x8000000000020000ull,		      /* the refcount table */
		0x8000000000050200ull,		      /* unaligned */
		0x8000000000000000ull | (1ull << 44), /* past the end */
		0x4000000000000000ull | 3, /* compressed into the header */
		0x4000000000000000ull | 0x50000 | (5ull << 54), /* garbage */
	};
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		patch_be64(path, 0x40000, evil[i]);
		b = open_img(path, 0);
		struct iovec v = {x, sizeof(x)};
		ck_assert_int_eq(b->ops->preadv(b, &v, 1, 0), -EIO);
		ck_assert_int_eq(b->ops->pwritev(b, &v, 1, 0), -EIO);
		b->ops->close(b);
	}
	uint8_t magic[4];
	int fd = open(path, O_RDONLY);
	ck_assert_int_eq(pread(fd, magic, 4, 0), 4);
	close(fd);
	ck_assert(!memcmp(magic, "QFI\xfb", 4));
	tmp_free(&t);
}
END_TEST

/* ---- images qemu-img made ---------------------------------------------- */

static void qemu_made(struct tmp *t, const char *opts, bool with_backing,
		      bool compressed)
{
	uint64_t size = 8 * MiB;
	uint8_t *model = calloc(1, size);
	char img[256], base[256], raw[256];
	snprintf(img, sizeof(img), "%s/q.qcow2", t->dir);
	snprintf(base, sizeof(base), "%s/qbase.raw", t->dir);
	snprintf(raw, sizeof(raw), "%s/model.raw", t->dir);
	struct rng r = {31};
	if (with_backing || compressed) {
		fill(&r, model, size);
		memset(model + 2 * MiB, 0, MiB);
		save_model(base, model, size);
	}
	if (compressed) {
		ck_assert_int_eq(sh("qemu-img convert -c -O qcow2 %s '%s' "
				    "'%s'",
				    opts, base, img),
				 0);
	} else if (with_backing) {
		ck_assert_int_eq(sh("qemu-img create -q -f qcow2 %s -b "
				    "qbase.raw -F raw '%s' 8M",
				    opts, img),
				 0);
	} else {
		ck_assert_int_eq(
			sh("qemu-img create -q -f qcow2 %s '%s' 8M", opts, img),
			0);
	}
	struct block_backend *b = open_img(img, IMAGE_READ_ONLY);
	struct qcow2_info qi;
	ck_assert(qcow2_get_info(b, &qi));
	expect_same(b, model, size);
	b->ops->close(b);
	random_ops(img, model, size, qi.cluster_size, 120, 77);
	qemu_check(img);
	save_model(raw, model, size);
	ck_assert_int_eq(sh("qemu-img compare -q '%s' '%s'", img, raw), 0);
	free(model);
}

START_TEST(images_made_by_qemu_img)
{
	if (!have_qemu_img())
		return;
	static const struct {
		const char *opts;
		bool backing, compressed;
	} cases[] = {
		{"", false, false},
		{"", true, false},
		{"-o compat=0.10", false, false},
		{"-o cluster_size=4096,refcount_bits=1", false, false},
		{"-o cluster_size=2M,refcount_bits=64", false, false},
		{"-o lazy_refcounts=on", true, false},
		{"-o cluster_size=4096", false, true},
		{"", false, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmp t;
		tmp_init(&t);
		qemu_made(&t, cases[i].opts, cases[i].backing,
			  cases[i].compressed);
		tmp_free(&t);
	}
}
END_TEST

Suite *qcow2_suite(void)
{
	Suite *s = suite_create("qcow2");
	TCase *tc = tcase_create("qcow2");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, create_write_read_across_clusters);
	tcase_add_test(tc, refcount_table_grows);
	tcase_add_test(tc, backing_raw_fall_through_and_cow);
	tcase_add_test(tc, backing_qcow2_fall_through_and_cow);
	tcase_add_test(tc, discard_frees_clusters_for_reuse);
	tcase_add_test(tc, read_only_refuses_writes);
	tcase_add_test(tc, flushed_writes_survive_kill);
	tcase_add_test(tc, corrupt_headers_are_refused);
	tcase_add_test(tc, hostile_l2_entries_fail_io);
	tcase_add_test(tc, images_made_by_qemu_img);
	suite_add_tcase(s, tc);
	return s;
}
