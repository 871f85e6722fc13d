/*
 * libFuzzer harness over the qcow2 image parser (host/block/qcow2*.c):
 * the input is the image file. It goes into a memfd that image_open opens
 * read-only, without the backing file (a fuzzed backing name must not
 * make us open host files); then a few reads at the start, the middle
 * and the end of the disk walk the L1 / L2 tables, zero and compressed
 * clusters.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "host/block/image.h"
#include "host/block/qcow2.h"

#define CHUNK 4096u

static int memfd = -1;
static char path[64];
static uint8_t buf[4 * CHUNK];

static void read_at(struct block_backend *b, uint64_t off, size_t len)
{
	if (b->size < len || off > b->size - len)
		return;
	struct iovec iov[2] = {{buf, len / 2}, {buf + len / 2, len - len / 2}};
	ssize_t r = b->ops->preadv(b, iov, 2, off);
	if (r >= 0 && (size_t)r != len)
		abort(); /* whole transfers or -errno */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("fuzz-qcow2", 0);
		if (memfd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	char err[256];
	struct block_backend *b = image_open(path, IMAGE_QCOW2,
					     IMAGE_READ_ONLY | IMAGE_NO_BACKING,
					     err, sizeof(err));
	if (!b)
		return 0;
	if (!b->read_only || b->size % 512)
		abort();
	struct qcow2_info info;
	qcow2_get_info(b, &info);
	for (unsigned k = 0; k < 4; k++)
		read_at(b, (uint64_t)k * CHUNK, CHUNK);
	read_at(b, 512, sizeof(buf));
	read_at(b, b->size / 2 & ~511ull, CHUNK);
	if (b->size >= CHUNK)
		read_at(b, b->size - CHUNK, CHUNK);
	b->ops->close(b);
	return 0;
}
