/*
 * pvkit img create|info|convert: what a qemu-img user expects, for raw
 * and qcow2 images.
 *
 *   create [-f raw|qcow2] [-o cluster_size=N] [-b BACKING [-F fmt]] FILE [SIZE]
 *   info [-f fmt] FILE
 *   convert [-f fmt] [-O raw|qcow2] [-o cluster_size=N] IN OUT
 *
 * Sizes take K, M, G, T suffixes (powers of 1024), as qemu-img's do.
 * convert is sparse: chunks that read as zeros are not written, so they
 * stay holes (raw) or unallocated clusters (qcow2).
 *
 * Talks to: host/block (image_open, qcow2_create, qcow2_get_info).
 * Owns nothing beyond one call.
 */
#include "img.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "host/block/image.h"
#include "host/block/qcow2.h"

static const char usage[] =
	"usage: pvkit img create [-f raw|qcow2] [-o cluster_size=N] "
	"[-b BACKING [-F fmt]] FILE [SIZE]\n"
	"       pvkit img info [-f fmt] FILE\n"
	"       pvkit img convert [-f fmt] [-O raw|qcow2] "
	"[-o cluster_size=N] IN OUT\n";

/* qemu-img's way of printing sizes: three significant digits. */
static void size_str(char *buf, size_t n, uint64_t v)
{
	static const char *const unit[] = {"",	 "Ki", "Mi", "Gi",
					   "Ti", "Pi", "Ei"};
	if (v < 1024) {
		snprintf(buf, n, "%u B", (unsigned)v);
		return;
	}
	int e;
	frexp((double)v / (1000.0 / 1024.0), &e);
	int i = (e - 1) / 10;
	snprintf(buf, n, "%0.3g %sB", (double)v / (double)(1ull << (i * 10)),
		 unit[i]);
}

static int parse_fmt(const char *opt, const char *name, enum image_format *f)
{
	if (!name)
		return cli_error("img: %s needs a format", opt);
	if (image_format_parse(name, f) < 0)
		return cli_error("img: unknown format '%s' (raw or qcow2)",
				 name);
	return 0;
}

static int parse_o(const char *val, unsigned *cluster_bits)
{
	uint64_t cs;
	const char *key = "cluster_size=";
	if (!val)
		return cli_error("img: -o needs an option");
	if (strncmp(val, key, strlen(key)) ||
	    cli_parse_size(val + strlen(key), 0, &cs) || cs < 512 ||
	    cs > (2u << 20) || (cs & (cs - 1)))
		return cli_error("img: unsupported -o '%s' (only "
				 "cluster_size=512..2M, a power of two)",
				 val);
	*cluster_bits = (unsigned)__builtin_ctzll(cs);
	return 0;
}

/* Shared option scan: fills what the subcommand allows (NULL = not
   allowed) and collects positional arguments. */
struct img_opts {
	enum image_format in_fmt, out_fmt, backing_fmt;
	unsigned cluster_bits;
	const char *backing;
	const char *pos[3];
	int npos;
};

static int scan(int argc, char **argv, const char *allowed, struct img_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-' || !a[1]) {
			if (o->npos == 3)
				return cli_error("img %s: unexpected argument "
						 "'%s'",
						 argv[0], a);
			o->pos[o->npos++] = a;
			continue;
		}
		if (a[2] || !strchr(allowed, a[1]))
			return cli_error("img %s: unknown option '%s'", argv[0],
					 a);
		i++;
		int r = 0;
		switch (a[1]) {
		case 'f': r = parse_fmt(a, v, &o->in_fmt); break;
		case 'O': r = parse_fmt(a, v, &o->out_fmt); break;
		case 'F': r = parse_fmt(a, v, &o->backing_fmt); break;
		case 'o': r = parse_o(v, &o->cluster_bits); break;
		case 'b':
			if (!v)
				return cli_error("img: -b needs a file");
			o->backing = v;
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

/* A new raw file of the given size, all holes. */
static int create_raw(const char *path, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_error("%s: %s", path, strerror(errno));
	int r = ftruncate(fd, (off_t)size) < 0 ? errno : 0;
	close(fd);
	return r ? cli_error("%s: %s", path, strerror(r)) : 0;
}

/* The backing file as the new image will see it: relative names are
   relative to the new image's directory (qemu-img's rule). */
static int probe_backing(const char *image, struct img_opts *o, uint64_t *size)
{
	const char *slash = strrchr(image, '/');
	char path[4096];
	if (o->backing[0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", o->backing);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - image),
			 image, o->backing);
	struct stat a, c;
	if (!stat(path, &a) && !stat(image, &c) && a.st_dev == c.st_dev &&
	    a.st_ino == c.st_ino)
		return cli_error("img create: '%s' would be its own backing "
				 "file",
				 image);
	char err[512];
	struct block_backend *b = image_open(path, o->backing_fmt,
					     IMAGE_READ_ONLY, err, sizeof(err));
	if (!b)
		return cli_error("img create: backing file: %s", err);
	if (o->backing_fmt == IMAGE_PROBE)
		o->backing_fmt = qcow2_get_info(b, &(struct qcow2_info){0})
					 ? IMAGE_QCOW2
					 : IMAGE_RAW;
	*size = b->size;
	b->ops->close(b);
	return 0;
}

static int img_create(int argc, char **argv)
{
	struct img_opts o = {.in_fmt = IMAGE_RAW};
	int r = scan(argc, argv, "fobF", &o);
	if (r)
		return r;
	if (o.npos < 1 || o.npos > 2)
		return cli_error("img create: expected FILE [SIZE]");
	const char *file = o.pos[0];
	uint64_t size = 0, bsize = 0;
	if (o.npos == 2 && cli_parse_size(o.pos[1], 0, &size))
		return cli_error("img create: bad size '%s'", o.pos[1]);
	if (o.backing && o.in_fmt != IMAGE_QCOW2)
		return cli_error("img create: only qcow2 images have a backing "
				 "file");
	if (o.backing && (r = probe_backing(file, &o, &bsize)))
		return r;
	if (o.npos == 1) {
		if (!o.backing)
			return cli_error("img create: missing SIZE");
		size = bsize;
	}
	if (size % 512)
		return cli_error("img create: size %llu is not a multiple of "
				 "512",
				 (unsigned long long)size);
	if (o.cluster_bits && o.in_fmt != IMAGE_QCOW2)
		return cli_error("img create: cluster_size is for qcow2 only");
	printf("Formatting '%s', fmt=%s", file, image_format_name(o.in_fmt));
	if (o.in_fmt == IMAGE_QCOW2)
		printf(" cluster_size=%llu",
		       1ull << (o.cluster_bits ? o.cluster_bits : 16));
	printf(" size=%llu", (unsigned long long)size);
	if (o.backing)
		printf(" backing_file=%s backing_fmt=%s", o.backing,
		       image_format_name(o.backing_fmt));
	printf("\n");
	fflush(stdout);
	if (o.in_fmt == IMAGE_RAW)
		return create_raw(file, size);
	char err[512];
	struct qcow2_create_opts co = {
		.size = size,
		.cluster_bits = o.cluster_bits,
		.backing_file = o.backing,
		.backing_format =
			o.backing ? image_format_name(o.backing_fmt) : NULL,
	};
	if (qcow2_create(file, &co, err, sizeof(err)) < 0)
		return cli_error("img create: %s", err);
	return 0;
}

/* As qemu-img: a relative name is shown with the path it resolves to. */
static void print_backing(const char *image, const char *name)
{
	const char *slash = strrchr(image, '/');
	printf("backing file: %s", name);
	if (name[0] != '/' && slash)
		printf(" (actual path: %.*s/%s)", (int)(slash - image), image,
		       name);
	printf("\n");
}

static int img_info(int argc, char **argv)
{
	struct img_opts o = {0};
	int r = scan(argc, argv, "f", &o);
	if (r)
		return r;
	if (o.npos != 1)
		return cli_error("img info: expected FILE");
	const char *file = o.pos[0];
	char err[512], vs[32], ds[32];
	struct block_backend *b =
		image_open(file, o.in_fmt, IMAGE_READ_ONLY | IMAGE_NO_BACKING,
			   err, sizeof(err));
	if (!b)
		return cli_error("img info: %s", err);
	struct stat st;
	uint64_t disk = stat(file, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
	struct qcow2_info qi;
	bool qcow2 = qcow2_get_info(b, &qi);
	size_str(vs, sizeof(vs), b->size);
	size_str(ds, sizeof(ds), disk);
	printf("image: %s\nfile format: %s\n", file, qcow2 ? "qcow2" : "raw");
	printf("virtual size: %s (%llu bytes)\ndisk size: %s\n", vs,
	       (unsigned long long)b->size, ds);
	if (qcow2) {
		printf("cluster_size: %llu\n",
		       (unsigned long long)qi.cluster_size);
		if (qi.backing_file)
			print_backing(file, qi.backing_file);
		if (qi.backing_format)
			printf("backing file format: %s\n", qi.backing_format);
		if (qi.snapshots)
			printf("snapshots: %u (internal, not listed)\n",
			       qi.snapshots);
		printf("Format specific information:\n"
		       "    compat: %s\n    compression type: zlib\n",
		       qi.version >= 3 ? "1.1" : "0.10");
		if (qi.version >= 3)
			printf("    lazy refcounts: %s\n",
			       qi.lazy_refcounts ? "true" : "false");
		printf("    refcount bits: %u\n", qi.refcount_bits);
		if (qi.version >= 3)
			printf("    corrupt: %s\n    extended l2: false\n",
			       qi.corrupt ? "true" : "false");
	}
	b->ops->close(b);
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

static int copy_data(struct block_backend *in, struct block_backend *out,
		     size_t chunk)
{
	uint8_t *buf = malloc(chunk);
	if (!buf)
		return -ENOMEM;
	int r = 0;
	for (uint64_t pos = 0; !r && pos < in->size; pos += chunk) {
		size_t n = in->size - pos < chunk ? (size_t)(in->size - pos)
						  : chunk;
		struct iovec v = {buf, n};
		ssize_t k = in->ops->preadv(in, &v, 1, pos);
		if (k < 0)
			r = (int)k;
		else if (!all_zero(buf, n) &&
			 (k = out->ops->pwritev(out, &v, 1, pos)) < 0)
			r = (int)k;
	}
	free(buf);
	return r ? r : out->ops->flush(out);
}

static int img_convert(int argc, char **argv)
{
	struct img_opts o = {.out_fmt = IMAGE_RAW};
	int r = scan(argc, argv, "fOo", &o);
	if (r)
		return r;
	if (o.npos != 2)
		return cli_error("img convert: expected IN OUT");
	if (o.cluster_bits && o.out_fmt != IMAGE_QCOW2)
		return cli_error("img convert: cluster_size is for qcow2 only");
	struct stat a, b;
	if (!stat(o.pos[0], &a) && !stat(o.pos[1], &b) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return cli_error("img convert: '%s' and '%s' are the same file",
				 o.pos[0], o.pos[1]);
	char err[512];
	struct block_backend *in = image_open(
		o.pos[0], o.in_fmt, IMAGE_READ_ONLY, err, sizeof(err));
	if (!in)
		return cli_error("img convert: %s", err);
	struct qcow2_create_opts co = {.size = in->size,
				       .cluster_bits = o.cluster_bits};
	if (o.out_fmt == IMAGE_QCOW2
		    ? qcow2_create(o.pos[1], &co, err, sizeof(err)) < 0
		    : (r = create_raw(o.pos[1], in->size)) != 0) {
		in->ops->close(in);
		return r ? r : cli_error("img convert: %s", err);
	}
	struct block_backend *out =
		image_open(o.pos[1], o.out_fmt, 0, err, sizeof(err));
	if (!out) {
		in->ops->close(in);
		return cli_error("img convert: %s", err);
	}
	struct qcow2_info qi;
	size_t chunk = qcow2_get_info(out, &qi) && qi.cluster_size >= 4096
			       ? (size_t)qi.cluster_size
			       : 65536;
	r = copy_data(in, out, chunk);
	in->ops->close(in);
	out->ops->close(out);
	if (r)
		return cli_error("img convert: %s -> %s: %s", o.pos[0],
				 o.pos[1], strerror(-r));
	return 0;
}

int cmd_img(int argc, char **argv)
{
	if (argc < 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[0], "create"))
		return img_create(argc, argv);
	if (!strcmp(argv[0], "info"))
		return img_info(argc, argv);
	if (!strcmp(argv[0], "convert"))
		return img_convert(argc, argv);
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	return cli_error("img: unknown subcommand '%s' (create, info, "
			 "convert)",
			 argv[0]);
}
