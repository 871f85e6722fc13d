/*
 * Image format dispatch: probes a file for the qcow2 magic and opens it
 * with the matching back end (raw.c or qcow2.c). qcow2 calls back in here
 * for its backing file, with the chain depth, so a backing chain that
 * loops ends with an error instead of running out of stack.
 *
 * Talks to: raw_open(), qcow2_open(). Owns nothing.
 */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qcow2.h"
#include "qcow2_int.h"
#include "raw.h"

int image_format_parse(const char *name, enum image_format *out)
{
	if (!strcmp(name, "raw"))
		*out = IMAGE_RAW;
	else if (!strcmp(name, "qcow2"))
		*out = IMAGE_QCOW2;
	else
		return -1;
	return 0;
}

const char *image_format_name(enum image_format f)
{
	return f == IMAGE_QCOW2 ? "qcow2" : f == IMAGE_RAW ? "raw" : "probe";
}

int image_probe(const char *path, enum image_format *out, char *err,
		size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	uint8_t magic[4] = {0};
	ssize_t n = pread(fd, magic, sizeof(magic), 0);
	int e = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	*out = n == 4 && be32_get(magic) == QCOW2_MAGIC ? IMAGE_QCOW2
							: IMAGE_RAW;
	return 0;
}

struct block_backend *image_open_chain(const char *path, enum image_format fmt,
				       unsigned flags, int depth, char *err,
				       size_t errlen)
{
	if (depth > QCOW2_MAX_CHAIN) {
		snprintf(err, errlen,
			 "%s: backing chain deeper than %d images (a loop?)",
			 path, QCOW2_MAX_CHAIN);
		return NULL;
	}
	if (fmt == IMAGE_PROBE && image_probe(path, &fmt, err, errlen) < 0)
		return NULL;
	if (fmt == IMAGE_QCOW2)
		return qcow2_open(path, flags, depth, err, errlen);
	return raw_open(path, flags & IMAGE_READ_ONLY, err, errlen);
}

struct block_backend *image_open(const char *path, enum image_format fmt,
				 unsigned flags, char *err, size_t errlen)
{
	return image_open_chain(path, fmt, flags, 0, err, errlen);
}
