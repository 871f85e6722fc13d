/*
 * `pvkit bench net` (issue 5): TCP over slirp, per NIC model, on pvkit's
 * virtio-net and ethoc (--net user) and QEMU's virtio-net (-netdev user)
 * in the same run. One boot per engine and repetition runs the guest's
 * tests/bench-net.sh, which does three workloads against a server this
 * process forks on 127.0.0.1 only:
 *
 *   tcp-rx  host -> guest: the guest fetches N bytes (32 MiB, 8 with
 *           --quick) of pseudo-random data over HTTP; MB/s, guest clock
 *   tcp-tx  guest -> host: the guest sends N bytes; MB/s, guest clock
 *   tcp-rr  request/response: the server does 64-byte rounds with an
 *           echo server in the guest (reached through hostfwd) and
 *           reports the median round trip; us, host clock
 *
 * pvkit runs take device counters between the guest's marks: guest
 * instructions per byte moved (rx, tx) and MMIO exits and interrupts per
 * request.
 *
 * Talks to: the bench API (bench.h), the engines through bench_run_engine.
 * Owns: the server child.
 */
#include "host/bench/bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RR_MSG 64
#define GUEST_ECHO_PORT 7777 /* bench-net.sh's echo server */

enum { W_RX, W_TX, W_RR, NWORK };
static const char *const workloads[NWORK] = {"tcp-rx", "tcp-tx", "tcp-rr"};
static const char *const devices[2] = {"virtio-net", "ethoc"};

struct server_cfg {
	size_t bytes;
	int rr_port; /* the hostfwd to the guest's echo server */
	int rr_rounds;
};

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k, n -= (size_t)k;
	}
	return 0;
}

/* Reads exactly n bytes within timeout_ms per read; 0 or -1. */
static int read_exact(int fd, void *p, size_t n, int timeout_ms)
{
	char *c = p;
	while (n) {
		struct pollfd pf = {fd, POLLIN, 0};
		if (poll(&pf, 1, timeout_ms) <= 0)
			return -1;
		ssize_t k = read(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k, n -= (size_t)k;
	}
	return 0;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* tcp-rr from the host side: rounds through the guest's echo server;
   the median round trip in us, or -1. */
static double rr_rounds(const struct server_cfg *cfg)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)cfg->rr_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		if (s >= 0)
			close(s);
		return -1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	double *t = malloc(sizeof(double) * (size_t)cfg->rr_rounds), med = -1;
	char msg[RR_MSG], back[RR_MSG];
	memset(msg, 'r', sizeof(msg));
	int warm = 20, k;
	for (k = 0; t && k < warm + cfg->rr_rounds; k++) {
		double t0 = now_us();
		if (write_all(s, msg, sizeof(msg)) ||
		    read_exact(s, back, sizeof(back), 10000) ||
		    memcmp(msg, back, sizeof(msg)))
			break;
		if (k >= warm)
			t[k - warm] = now_us() - t0;
	}
	if (t && k == warm + cfg->rr_rounds) {
		qsort(t, (size_t)cfg->rr_rounds, sizeof(double), cmp_double);
		med = t[cfg->rr_rounds / 2];
	}
	free(t);
	close(s);
	return med;
}

/* One connection: "GET ..." (HTTP) gets the body, "PUT\n" + N bytes gets
   "OK", "RR\n" gets "us=MEDIAN" after the rounds. */
static void serve_one(int c, const struct server_cfg *cfg, const char *body,
		      size_t body_len)
{
	char req[4096];
	ssize_t n = read(c, req, sizeof(req) - 1);
	if (n <= 0)
		return;
	req[n] = 0;
	if (!strncmp(req, "PUT\n", 4)) {
		/* what came with the command counts towards the N bytes */
		size_t left = cfg->bytes, have = (size_t)n - 4;
		left -= have < left ? have : left;
		char buf[65536];
		while (left) {
			size_t want = left < sizeof(buf) ? left : sizeof(buf);
			if (read_exact(c, buf, want, 30000))
				return;
			left -= want;
		}
		write_all(c, "OK\n", 3);
	} else if (!strncmp(req, "RR\n", 3)) {
		char line[32];
		int len = snprintf(line, sizeof(line), "us=%.1f\n",
				   rr_rounds(cfg));
		write_all(c, line, (size_t)len);
	} else if (!strncmp(req, "GET ", 4)) {
		char head[160];
		int len =
			snprintf(head, sizeof(head),
				 "HTTP/1.0 200 OK\r\nContent-Type: "
				 "application/octet-stream\r\nContent-Length: "
				 "%zu\r\nConnection: close\r\n\r\n",
				 cfg->bytes);
		if (write_all(c, head, (size_t)len))
			return;
		for (size_t left = cfg->bytes; left;) {
			size_t k = left < body_len ? left : body_len;
			if (write_all(c, body, k))
				return;
			left -= k;
		}
	}
	shutdown(c, SHUT_WR);
	while (read(c, req, sizeof(req)) > 0)
		;
}

/* The server child: one connection at a time, never outliving life_s. */
static void serve(int ls, const struct server_cfg *cfg, unsigned life_s)
{
	static uint64_t buf[(64u << 10) / sizeof(uint64_t)];
	uint64_t x = 0x2545f4914f6cdd1dull;
	for (size_t k = 0; k < sizeof(buf) / sizeof(buf[0]); k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[k] = x;
	}
	signal(SIGPIPE, SIG_IGN);
	alarm(life_s);
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c < 0)
			continue;
		serve_one(c, cfg, (const char *)buf, sizeof(buf));
		close(c);
	}
}

/* A free port on 127.0.0.1 (bound and released), or -1. */
static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && !bind(s, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(s, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

/* Starts the server on 127.0.0.1; returns its pid (port in *port), or -1. */
static pid_t start_server(const struct server_cfg *cfg, unsigned life_s,
			  int *port)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls >= 0)
		setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(ls, 4) || getsockname(ls, (struct sockaddr *)&a, &len)) {
		if (ls >= 0)
			close(ls);
		return -1;
	}
	*port = ntohs(a.sin_port);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		serve(ls, cfg, life_s);
		_exit(0);
	}
	close(ls);
	return pid;
}

/* The figures of one run into the three results of its device. */
static void take_run(struct bench_run *run, struct bench_result **r,
		     const char *device, bool qemu, const struct server_cfg *c)
{
	enum bench_figure fig = qemu ? BENCH_QEMU : BENCH_PVKIT;
	static const char *const key[NWORK] = {"mbps", "mbps", "us"};
	static const char *const from[NWORK] = {"rx-begin", "tx-begin",
						"rr-begin"};
	static const char *const to[NWORK] = {"rx-end", "tx-end", "rr-end"};
	for (int w = 0; w < NWORK; w++) {
		double v;
		if (!bench_run_value(run, workloads[w], key[w], &v) || v <= 0) {
			bench_fail(r[w], "%sno %s result", qemu ? "QEMU: " : "",
				   workloads[w]);
			continue;
		}
		bench_record(r[w], fig, v);
		if (qemu)
			continue;
		bench_record(r[w], BENCH_HOST_CPU_S, run->res.cpu_s);
		struct bench_counters dev, cpu;
		if (!bench_run_counters(run, device, from[w], to[w], &dev) ||
		    !bench_run_counters(run, "cpu", from[w], to[w], &cpu))
			continue;
		if (w != W_RR)
			bench_record(r[w], BENCH_INSNS_PER_BYTE,
				     cpu.instructions / (double)c->bytes);
		if (dev.requests > 0) {
			bench_record(r[w], BENCH_EXITS_PER_REQUEST,
				     dev.mmio_exits / dev.requests);
			bench_record(r[w], BENCH_INTERRUPTS_PER_REQUEST,
				     dev.interrupts / dev.requests);
		}
	}
}

int bench_net(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *rs[2][NWORK];
	for (int w = 0; w < NWORK; w++)
		for (int d = 0; d < 2; d++) {
			rs[d][w] =
				bench_add(rep, "net", devices[d], workloads[w],
					  w == W_RR ? "us" : "MB/s", w != W_RR);
			if (!rs[d][w])
				return -1;
		}
	char image[PATH_MAX], initrd[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		for (int d = 0; d < 2; d++)
			for (int w = 0; w < NWORK; w++)
				bench_status(rs[d][w], "n/a: run make guest");
		return 0;
	}
	struct server_cfg cfg = {
		.bytes = (size_t)(env->quick ? 8 : 32) << 20,
		.rr_port = free_port(),
		.rr_rounds = env->quick ? 200 : 500,
	};
	int port;
	unsigned life = (unsigned)(3 * env->runs * (BENCH_TIMEOUT_S + 10));
	pid_t server = cfg.rr_port > 0 ? start_server(&cfg, life, &port) : -1;
	if (server < 0) {
		for (int d = 0; d < 2; d++)
			for (int w = 0; w < NWORK; w++)
				bench_fail(rs[d][w], "cannot start the server");
		return 0;
	}
	char append[160], netdev[3][96];
	snprintf(append, sizeof(append),
		 "console=ttyS0 pvkit.test=bench-net pvkit.httpport=%d "
		 "pvkit.bytes=%zu",
		 port, cfg.bytes);
	for (int d = 0; d < 2; d++)
		snprintf(netdev[d], sizeof(netdev[d]),
			 "user,model=%s,hostfwd=tcp:127.0.0.1:%d-:%d",
			 d ? "ethoc" : "virtio", cfg.rr_port, GUEST_ECHO_PORT);
	snprintf(netdev[2], sizeof(netdev[2]),
		 "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d", cfg.rr_port,
		 GUEST_ECHO_PORT);
	for (int i = 0; i < env->runs; i++) {
		for (int e = 0; e < 3; e++) {
			bool qemu = e == 2;
			if (qemu && !env->qemu[0])
				break;
			char step[64];
			snprintf(step, sizeof(step), "net: %s%s",
				 qemu ? "QEMU " : "", devices[qemu ? 0 : e]);
			bench_progress(env, step, i, env->runs);
			/* clang-format off */
			char *pv[] = {(char *)env->self, "run", "--kernel",
				      image, "--initrd", initrd, "--mem", "512M",
				      "--net", netdev[e], "--append", append,
				      NULL};
			char *qv[] = {(char *)env->qemu, "-M", "virt", "-m",
				      "512M", "-nographic", "-bios", "default",
				      "-kernel", image, "-initrd", initrd,
				      "-append", append, "-netdev", netdev[2],
				      "-device", "virtio-net-device,netdev=n0",
				      NULL};
			/* clang-format on */
			struct bench_run run;
			bench_run_engine(env, qemu ? qv : pv, !qemu, &run);
			struct bench_result **r = rs[qemu ? 0 : e];
			if (bench_run_ok(env, &run, r[0], step))
				take_run(&run, r, devices[qemu ? 0 : e], qemu,
					 &cfg);
			bench_run_free(&run);
		}
	}
	if (!env->qemu[0])
		for (int w = 0; w < NWORK; w++)
			snprintf(rs[0][w]->note, sizeof(rs[0][w]->note),
				 "qemu-system-riscv64 not found");
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	return 0;
}
