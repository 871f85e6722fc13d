/*
 * The raw image back end: the guest's sectors are the file's bytes.
 * Reads and writes are one preadv/pwritev each on the iovecs the front
 * end built over guest RAM (looping only on short transfers); flush is
 * fdatasync; discard punches a hole; write-zeroes uses ZERO_RANGE, falls
 * back to punching a hole, and then to writing zeros.
 */
#define _GNU_SOURCE
#include "raw.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emulator/backend/block.h"

struct raw {
	struct block_backend be;
	int fd;
};

static struct raw *raw_of(struct block_backend *b)
{
	return (struct raw *)b;
}

/* Whole transfer or -errno: a short transfer is retried from where it
   stopped, and end of file is -EIO (block.h's contract). */
static ssize_t transfer(struct raw *r, const struct iovec *iov, int iovcnt,
			uint64_t offset, bool write)
{
	struct iovec local[IOV_MAX];
	size_t total = 0;
	if (iovcnt <= 0 || iovcnt > IOV_MAX)
		return iovcnt == 0 ? 0 : -EINVAL;
	for (int k = 0; k < iovcnt; k++)
		total += iov[k].iov_len;
	if (offset > r->be.size || total > r->be.size - offset)
		return -EIO;
	const struct iovec *cur = iov;
	size_t done = 0;
	while (done < total) {
		ssize_t n = write ? pwritev(r->fd, cur, iovcnt,
					    (off_t)(offset + done))
				  : preadv(r->fd, cur, iovcnt,
					   (off_t)(offset + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		done += (size_t)n;
		if (done == total)
			break;
		/* rebuild the rest of the vector past what went through */
		size_t skip = (size_t)n;
		int j = 0;
		while (skip >= cur[j].iov_len)
			skip -= cur[j++].iov_len;
		int left = iovcnt - j;
		memmove(local, cur + j, (size_t)left * sizeof(*local));
		local[0].iov_base = (char *)local[0].iov_base + skip;
		local[0].iov_len -= skip;
		cur = local;
		iovcnt = left;
	}
	return (ssize_t)total;
}

static ssize_t raw_preadv(struct block_backend *b, const struct iovec *iov,
			  int iovcnt, uint64_t offset)
{
	return transfer(raw_of(b), iov, iovcnt, offset, false);
}

static ssize_t raw_pwritev(struct block_backend *b, const struct iovec *iov,
			   int iovcnt, uint64_t offset)
{
	if (b->read_only)
		return -EROFS;
	return transfer(raw_of(b), iov, iovcnt, offset, true);
}

static int raw_flush(struct block_backend *b)
{
	if (b->read_only)
		return 0;
	while (fdatasync(raw_of(b)->fd))
		if (errno != EINTR)
			return -errno;
	return 0;
}

static bool range_ok(struct block_backend *b, uint64_t off, uint64_t len)
{
	return !b->read_only && off <= b->size && len <= b->size - off;
}

static int raw_discard(struct block_backend *b, uint64_t off, uint64_t len)
{
	if (!range_ok(b, off, len))
		return -EINVAL;
	if (fallocate(raw_of(b)->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len))
		return -errno;
	return 0;
}

static int write_zeros_slowly(struct raw *r, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[65536];
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		struct iovec iov = {(void *)zeros, n};
		ssize_t w = transfer(r, &iov, 1, off, true);
		if (w < 0)
			return (int)w;
		off += n;
		len -= n;
	}
	return 0;
}

static int raw_write_zeroes(struct block_backend *b, uint64_t off, uint64_t len)
{
	struct raw *r = raw_of(b);
	if (!range_ok(b, off, len))
		return -EINVAL;
	if (!fallocate(r->fd, FALLOC_FL_ZERO_RANGE, (off_t)off, (off_t)len))
		return 0;
	/* file systems without ZERO_RANGE (tmpfs, some NFS): a hole reads
	   back as zeros too */
	if (!fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       (off_t)off, (off_t)len))
		return 0;
	return write_zeros_slowly(r, off, len);
}

static void raw_close(struct block_backend *b)
{
	struct raw *r = raw_of(b);
	close(r->fd);
	free(r);
}

static const struct block_ops raw_ops = {
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.discard = raw_discard,
	.write_zeroes = raw_write_zeroes,
	.close = raw_close,
};

/* The serial GET_ID reports: the image's base name, cut to 20 bytes. */
static void set_serial(char *serial, size_t n, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(serial, n, "%s", base);
}

struct block_backend *raw_open(const char *path, bool read_only, char *err,
			       size_t errlen)
{
	int fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open disk image '%s': %s", path,
			 strerror(errno));
		return NULL;
	}
	struct stat st;
	uint64_t size = 0;
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode))
		ioctl(fd, BLKGETSIZE64, &size);
	else if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		size = (uint64_t)st.st_size;
	else {
		snprintf(err, errlen,
			 "disk image '%s' is not a file or a "
			 "block device",
			 path);
		close(fd);
		return NULL;
	}
	if (size % 512) {
		snprintf(err, errlen,
			 "disk image '%s' is %llu bytes, not a "
			 "multiple of 512",
			 path, (unsigned long long)size);
		close(fd);
		return NULL;
	}
	struct flock lk = {.l_type = read_only ? F_RDLCK : F_WRLCK,
			   .l_whence = SEEK_SET};
	if (fcntl(fd, F_OFD_SETLK, &lk) &&
	    (errno == EAGAIN || errno == EACCES)) {
		snprintf(err, errlen,
			 "disk image '%s' is in use by another "
			 "process",
			 path);
		close(fd);
		return NULL;
	}
	struct raw *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	r->fd = fd;
	r->be.ops = &raw_ops;
	r->be.size = size;
	r->be.read_only = read_only;
	set_serial(r->be.serial, sizeof(r->be.serial), path);
	return &r->be;
}
