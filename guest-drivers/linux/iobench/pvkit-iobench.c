/*
 * pvkit-iobench: the guest side of `pvkit bench disk` and `pvkit bench
 * console` (static riscv64, /usr/bin/pvkit-iobench in the initramfs).
 *
 *   pvkit-iobench PATTERN BLOCK TOTAL FILE
 *
 * PATTERN is seq-read, seq-write, rand-read or rand-write (a block device,
 * opened O_DIRECT so the guest page cache does not hide the device; random
 * offsets are block-aligned, from a fixed-seed xorshift over the whole
 * device), stream (plain writes of BLOCK-byte chunks of printable text
 * to FILE, e.g. a tty, drained before the clock stops) or stream-ack (the
 * same to a virtio-console port, /dev/vportNpM: the clock starts once the
 * host end is connected and stops when the host, having read all TOTAL
 * bytes, sends one byte back; a port has no tcdrain, and its writes
 * return as soon as the buffer is queued). BLOCK and TOTAL take K and M
 * suffixes (KiB, MiB).
 * Times the I/O loop alone with CLOCK_MONOTONIC and prints
 *   bytes=N seconds=S requests=R
 * (requests: the read/write calls made). Exit 0, 1 on an I/O error, 2 on
 * bad usage.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int usage(const char *why)
{
	fprintf(stderr,
		"pvkit-iobench: %s\nusage: pvkit-iobench "
		"seq-read|seq-write|rand-read|rand-write|stream|stream-ack "
		"BLOCK TOTAL FILE\n",
		why);
	return 2;
}

/* "4K", "1M", "512": bytes, or 0 if malformed. */
static uint64_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return 0;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	return *end ? 0 : v;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Waits up to 30 s for events on fd; 0, or 1 with a message. A port
 * whose host end is closed reports POLLHUP at once: poll again a little
 * later rather than spin. */
static int wait_fd(int fd, short events, const char *path, const char *what)
{
	double end = now_s() + 30;
	while (now_s() < end) {
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, 100);
		if (n == 1 && (p.revents & events))
			return 0;
		if (n < 0 && errno != EINTR)
			break;
		if (n == 1)
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000},
				  NULL);
	}
	fprintf(stderr, "pvkit-iobench: %s: no %s in 30 s\n", path, what);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 5)
		return usage("wrong number of arguments");
	const char *pattern = argv[1], *path = argv[4];
	uint64_t block = parse_size(argv[2]), total = parse_size(argv[3]);
	bool ack = !strcmp(pattern, "stream-ack");
	bool stream = ack || !strcmp(pattern, "stream");
	bool write_ = stream || !strcmp(pattern, "seq-write") ||
		      !strcmp(pattern, "rand-write");
	bool random_ = !strncmp(pattern, "rand-", 5);
	if (!stream && strcmp(pattern, "seq-read") &&
	    strcmp(pattern, "seq-write") && strcmp(pattern, "rand-read") &&
	    strcmp(pattern, "rand-write"))
		return usage("unknown pattern");
	if (!block || !total || total < block)
		return usage("bad BLOCK or TOTAL");
	if (!stream && block % 512)
		return usage("BLOCK must be a multiple of 512 for O_DIRECT");

	int flags = ack ? O_RDWR : write_ ? O_WRONLY : O_RDONLY;
	if (!stream)
		flags |= O_DIRECT;
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pvkit-iobench: %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	uint64_t dev_size = 0;
	if (!stream && ioctl(fd, BLKGETSIZE64, &dev_size)) {
		fprintf(stderr, "pvkit-iobench: %s: not a block device\n",
			path);
		return 1;
	}
	if (!stream && dev_size < block) {
		fprintf(stderr, "pvkit-iobench: %s smaller than a block\n",
			path);
		return 1;
	}
	void *buf;
	if (posix_memalign(&buf, 4096, block))
		return fprintf(stderr, "pvkit-iobench: out of memory\n"), 1;
	/* written data: not all zeros (nothing a device could shortcut);
	 * for a tty printable lines, so the console shows text */
	for (uint64_t k = 0; k < block; k++)
		((char *)buf)[k] = stream ? (k % 64 == 63 ? '\n'
							   : (char)('a' + k % 26))
					  : (char)(k * 131 + 7);

	uint64_t blocks = stream ? 0 : dev_size / block, x = 0x9e3779b97f4a7c15ull;
	uint64_t count = total / block, off = 0, requests = 0;
	/* a port's first write would wait for the host end to connect:
	 * that wait is not the device's speed */
	if (ack && wait_fd(fd, POLLOUT, path, "host end to connect"))
		return 1;
	double t0 = now_s();
	for (uint64_t i = 0; i < count; i++) {
		if (random_) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			off = (x % blocks) * block;
		} else if (!stream) {
			off = (i % blocks) * block;
		}
		size_t done = 0;
		while (done < block) {
			ssize_t n =
				stream ? write(fd, (char *)buf + done,
					       block - done)
				: write_ ? pwrite(fd, (char *)buf + done,
						  block - done,
						  (off_t)(off + done))
					 : pread(fd, (char *)buf + done,
						 block - done,
						 (off_t)(off + done));
			requests++;
			if (n <= 0) {
				fprintf(stderr, "pvkit-iobench: %s: %s\n",
					path, n ? strerror(errno) : "short");
				return 1;
			}
			done += (size_t)n;
		}
	}
	if (write_ && !stream && fdatasync(fd)) {
		fprintf(stderr, "pvkit-iobench: fdatasync: %s\n",
			strerror(errno));
		return 1;
	}
	/* a tty's write returns once its buffer has the bytes: the time
	 * must include the device sending them */
	if (stream && isatty(fd) && tcdrain(fd)) {
		fprintf(stderr, "pvkit-iobench: tcdrain: %s\n",
			strerror(errno));
		return 1;
	}
	/* the host answers once it has every byte: the whole stream has
	 * left the guest */
	char answer;
	if (ack && (wait_fd(fd, POLLIN, path, "host's answer") ||
		    read(fd, &answer, 1) != 1)) {
		fprintf(stderr, "pvkit-iobench: %s: no answer from the host\n",
			path);
		return 1;
	}
	double t1 = now_s();
	printf("bytes=%llu seconds=%.6f requests=%llu\n",
	       (unsigned long long)(count * block), t1 - t0,
	       (unsigned long long)requests);
	return 0;
}
