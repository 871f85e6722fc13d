/*
 * pvkit-clock: guest-side look at pvkit's paravirtual clock (static
 * riscv64, packed into the initramfs as /usr/bin/pvkit-clock).
 *
 *   pvkit-clock offset SECONDS [PERIOD_MS] [--series]
 *       reads host time (magic instruction PVKIT_MAGIC_HOST_TIME) and the
 *       guest's CLOCK_REALTIME back to back (the tightest of 5 tries)
 *       every PERIOD_MS (default 10)
 *       for SECONDS and prints the guest-minus-host offset: mean, p99 and
 *       max of its magnitude (and every sample with --series)
 *   pvkit-clock ptp DEVICE [MAX_US]
 *       reads the PTP clock DEVICE (pvkit_ptp.ko's /dev/ptpN) and host
 *       time through the magic instruction back to back; fails unless
 *       they agree within MAX_US (default 1000)
 *   pvkit-clock rate SECONDS
 *       spins for SECONDS and prints the instructions retired per second
 *       of host time (magic BENCH_MARK's instret against host time) over
 *       each 1 s window: mean, min and max in MIPS (--cpu-mhz accuracy)
 *   pvkit-clock now
 *       prints host time, the disruption counter and the guest's
 *       CLOCK_REALTIME, read together
 *   pvkit-clock cost [N]
 *       ns per read of: the magic instruction, CLOCK_REALTIME, the PTP
 *       clock /dev/ptp0, and the RTC (/dev/rtc0, RTC_RD_TIME)
 *
 * Talks to pvkit through the magic instruction (protocol/hypercall.h) and
 * to the kernel's PTP and RTC character devices.
 */
#include "pvkit_magic.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* as in the kernel's posix-timers: a dynamic clock id from an fd */
#define FD_TO_CLOCKID(fd) ((~(clockid_t)(fd) << 3) | 3)

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec t;
	if (clock_gettime(id, &t) < 0)
		return INT64_MIN;
	return ts_ns(&t);
}

static int64_t host_ns(uint64_t *disruptions)
{
	struct pvkit_host_time t = pvkit_magic_host_time();
	if (disruptions)
		*disruptions = t.disruptions;
	return t.host_ns;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool parse_num(const char *s, long long min, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min)
		return false;
	*out = v;
	return true;
}

static int offset_cmd(int argc, char **argv)
{
	long long secs, period_ms = 10;
	bool series = false;
	int pos = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--series"))
			series = true;
		else if (pos == 0 && parse_num(argv[i], 1, &secs))
			pos++;
		else if (pos == 1 && parse_num(argv[i], 1, &period_ms))
			pos++;
		else {
			fprintf(stderr, "pvkit-clock: offset: bad argument "
					"'%s'\n",
				argv[i]);
			return 2;
		}
	}
	if (pos == 0) {
		fputs("pvkit-clock: offset SECONDS [PERIOD_MS] [--series]\n",
		      stderr);
		return 2;
	}
	size_t cap = (size_t)(secs * 1000 / period_ms) + 1, n = 0;
	int64_t *mag = malloc(cap * sizeof(*mag));
	if (!mag) {
		fputs("pvkit-clock: out of memory\n", stderr);
		return 1;
	}
	int64_t start = clock_ns(CLOCK_MONOTONIC);
	int64_t end = start + secs * 1000000000;
	double sum = 0, sum_signed = 0;
	uint64_t d0 = 0;
	host_ns(&d0);
	uint64_t d = d0;
	struct timespec period = {period_ms / 1000,
				  (period_ms % 1000) * 1000000};
	while (n < cap && clock_ns(CLOCK_MONOTONIC) < end) {
		/* the tightest of a few back-to-back reads, so a host
		   preemption between them is not taken for an offset */
		int64_t off = 0, best = INT64_MAX;
		for (int k = 0; k < 5; k++) {
			int64_t g0 = clock_ns(CLOCK_REALTIME);
			int64_t h = host_ns(&d);
			int64_t g1 = clock_ns(CLOCK_REALTIME);
			if (g1 - g0 < best) {
				best = g1 - g0;
				off = g0 + (g1 - g0) / 2 - h; /* > 0: ahead */
			}
		}
		if (series)
			printf("sample %.3f %lld\n",
			       (clock_ns(CLOCK_MONOTONIC) - start) / 1e9,
			       (long long)off);
		mag[n++] = off < 0 ? -off : off;
		sum += (double)mag[n - 1];
		sum_signed += (double)off;
		nanosleep(&period, NULL);
	}
	if (n == 0) {
		fputs("pvkit-clock: no samples\n", stderr);
		free(mag);
		return 1;
	}
	qsort(mag, n, sizeof(*mag), cmp_i64);
	size_t p99 = (n * 99 + 99) / 100;
	p99 = p99 ? p99 - 1 : 0;
	printf("offset samples=%zu mean_us=%.1f signed_mean_us=%.1f "
	       "p99_us=%.1f max_us=%.1f disruptions=%llu\n",
	       n, sum / (double)n / 1e3, sum_signed / (double)n / 1e3,
	       (double)mag[p99] / 1e3, (double)mag[n - 1] / 1e3,
	       (unsigned long long)(d - d0));
	free(mag);
	return 0;
}

static int ptp_cmd(int argc, char **argv)
{
	long long max_us = 1000;
	if (argc < 1 || argc > 2 || (argc == 2 && !parse_num(argv[1], 1, &max_us))) {
		fputs("pvkit-clock: ptp DEVICE [MAX_US]\n", stderr);
		return 2;
	}
	int fd = open(argv[0], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "pvkit-clock: %s: %s\n", argv[0],
			strerror(errno));
		return 1;
	}
	int64_t worst = 0;
	for (int i = 0; i < 100; i++) {
		int64_t h0 = host_ns(NULL);
		int64_t p = clock_ns(FD_TO_CLOCKID(fd));
		int64_t h1 = host_ns(NULL);
		if (p == INT64_MIN) {
			fprintf(stderr, "pvkit-clock: reading %s: %s\n",
				argv[0], strerror(errno));
			return 1;
		}
		/* the PTP read must fall between the two host reads */
		int64_t off = p < h0 ? h0 - p : p > h1 ? p - h1 : 0;
		if (off > worst)
			worst = off;
	}
	close(fd);
	printf("ptp %s: outside the bracketing host reads by at most %lld ns\n",
	       argv[0], (long long)worst);
	if (worst > max_us * 1000) {
		printf("FAIL: more than %lld us\n", max_us);
		return 1;
	}
	return 0;
}

/* ns per call of read_one over n calls, timed by CLOCK_MONOTONIC */
static double per_read(int n, int (*read_one)(int), int fd)
{
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++)
		if (read_one(fd) < 0)
			return -1;
	return (double)(clock_ns(CLOCK_MONOTONIC) - t0) / n;
}

static int read_magic(int fd)
{
	(void)fd;
	return host_ns(NULL) == INT64_MIN ? -1 : 0;
}

static int read_realtime(int fd)
{
	(void)fd;
	return clock_ns(CLOCK_REALTIME) == INT64_MIN ? -1 : 0;
}

static int read_ptp(int fd)
{
	return clock_ns(FD_TO_CLOCKID(fd)) == INT64_MIN ? -1 : 0;
}

static int read_rtc(int fd)
{
	struct rtc_time t;
	return ioctl(fd, RTC_RD_TIME, &t);
}

static int cost_cmd(int argc, char **argv)
{
	long long n = 20000;
	if (argc > 1 || (argc == 1 && !parse_num(argv[0], 1, &n))) {
		fputs("pvkit-clock: cost [N]\n", stderr);
		return 2;
	}
	/* one line, key=value, for bench-time.sh */
	printf("cost magic_ns=%.0f", per_read((int)n, read_magic, -1));
	printf(" realtime_ns=%.0f", per_read((int)n, read_realtime, -1));
	int fd = open("/dev/ptp0", O_RDONLY);
	if (fd >= 0) {
		printf(" ptp_ns=%.0f", per_read((int)n, read_ptp, fd));
		close(fd);
	}
	fd = open("/dev/rtc0", O_RDONLY);
	if (fd >= 0) {
		/* an MMIO exit per register read: fewer rounds */
		printf(" rtc_ns=%.0f", per_read((int)(n / 10 + 1), read_rtc, fd));
		close(fd);
	}
	printf("\n");
	return 0;
}

static uint64_t instret(void)
{
#ifdef __riscv
	register unsigned long a0 __asm__("a0") = 0;
	__asm__ volatile("srai x0, x0, %1"
			 : "+r"(a0)
			 : "i"(PVKIT_MAGIC_BENCH_MARK)
			 : "memory");
	return a0;
#else
	return 0;
#endif
}

static int rate_cmd(int argc, char **argv)
{
	long long secs;
	if (argc != 1 || !parse_num(argv[0], 1, &secs)) {
		fputs("pvkit-clock: rate SECONDS\n", stderr);
		return 2;
	}
	double sum = 0, lo = 0, hi = 0;
	int n = 0;
	int64_t t0 = host_ns(NULL);
	uint64_t i0 = instret();
	while (n < secs) {
		/* spin: host time is read rarely, so the loop is the load */
		for (volatile int k = 0; k < 100000; k++)
			;
		int64_t t = host_ns(NULL);
		if (t - t0 < 1000000000)
			continue;
		uint64_t i = instret();
		double mips = (double)(i - i0) / ((double)(t - t0) / 1e9) / 1e6;
		printf("window %d %.2f\n", n, mips);
		sum += mips;
		lo = n == 0 || mips < lo ? mips : lo;
		hi = n == 0 || mips > hi ? mips : hi;
		n++;
		t0 = t;
		i0 = i;
	}
	printf("rate windows=%d mean_mips=%.2f min_mips=%.2f max_mips=%.2f\n",
	       n, sum / n, lo, hi);
	return 0;
}

static int now_cmd(void)
{
	uint64_t disruptions;
	int64_t g0 = clock_ns(CLOCK_REALTIME);
	int64_t h = host_ns(&disruptions);
	int64_t g1 = clock_ns(CLOCK_REALTIME);
	printf("now host_ns=%lld guest_ns=%lld disruptions=%llu\n",
	       (long long)h, (long long)(g0 + (g1 - g0) / 2),
	       (unsigned long long)disruptions);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: pvkit-clock offset|ptp|rate|now|cost ...\n", stderr);
		return 2;
	}
	if (!pvkit_magic_ping()) {
		fputs("pvkit-clock: not running on pvkit\n", stderr);
		return 1;
	}
	if (!strcmp(argv[1], "offset"))
		return offset_cmd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "ptp"))
		return ptp_cmd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "rate"))
		return rate_cmd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "now") && argc == 2)
		return now_cmd();
	if (!strcmp(argv[1], "cost"))
		return cost_cmd(argc - 2, argv + 2);
	fprintf(stderr, "pvkit-clock: unknown command '%s'\n", argv[1]);
	return 2;
}
