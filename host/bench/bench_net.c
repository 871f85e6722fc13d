/*
 * `pvkit bench net`: TCP throughput guest <- host over slirp (issue 5,
 * item 6). A forked child of this process serves a 32 MiB (8 with
 * --quick) body of pseudo-random bytes over HTTP on 127.0.0.1 only; the
 * guest's tests/bench-net-fetch.sh takes a DHCP lease and times one wget
 * of http://10.0.2.2:PORT/blob to /dev/null. Results: "tcp-rx" MB/s of
 * virtio-net and ethoc (both --net user), with QEMU's virtio-net
 * (-netdev user) as the QEMU figure of the virtio-net result.
 */
#include "host/bench/bench.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(fd, c, n);
		if (k <= 0)
			return;
		c += k, n -= (size_t)k;
	}
}

/* The server child: one connection at a time, any request gets the body. */
static void serve(int ls, size_t bytes, unsigned life_s)
{
	static uint64_t buf[(64u << 10) / sizeof(uint64_t)];
	uint64_t x = 0x2545f4914f6cdd1dull;
	for (size_t k = 0; k < sizeof(buf) / sizeof(buf[0]); k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[k] = x;
	}
	signal(SIGPIPE, SIG_IGN);
	alarm(life_s); /* never outlives the bench, whatever happens to it */
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c < 0)
			continue;
		char req[4096];
		(void)!read(c, req, sizeof(req)); /* the request is not read */
		char head[160];
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.0 200 OK\r\nContent-Type: "
				 "application/octet-stream\r\nContent-Length: "
				 "%zu\r\nConnection: close\r\n\r\n",
				 bytes);
		write_all(c, head, (size_t)n);
		for (size_t left = bytes; left;) {
			size_t k = left < sizeof(buf) ? left : sizeof(buf);
			write_all(c, buf, k);
			left -= k;
		}
		shutdown(c, SHUT_WR);
		while (read(c, req, sizeof(req)) > 0)
			;
		close(c);
	}
}

/* Starts the server on 127.0.0.1; returns its pid (port in *port), or -1. */
static pid_t start_server(size_t bytes, unsigned life_s, int *port)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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
		serve(ls, bytes, life_s);
		_exit(0);
	}
	close(ls);
	return pid;
}

int bench_net(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *rs[2] = {
		bench_add(rep, "net", "virtio-net", "tcp-rx", "MB/s", true),
		bench_add(rep, "net", "ethoc", "tcp-rx", "MB/s", true),
	};
	if (!rs[0] || !rs[1])
		return -1;
	char image[PATH_MAX], initrd[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		for (int k = 0; k < 2; k++)
			bench_status(rs[k], "n/a: run make guest");
		return 0;
	}
	size_t bytes = (size_t)(env->quick ? 8 : 32) << 20;
	int port;
	unsigned life = (unsigned)(3 * env->runs * (BENCH_TIMEOUT_S + 10));
	pid_t server = start_server(bytes, life, &port);
	if (server < 0) {
		for (int k = 0; k < 2; k++)
			bench_fail(rs[k], "cannot start the HTTP server");
		return 0;
	}
	char append[160];
	snprintf(append, sizeof(append),
		 "console=ttyS0 pvkit.test=bench-net-fetch pvkit.httpport=%d "
		 "pvkit.bytes=%zu",
		 port, bytes);
	for (int k = 0; k < 2; k++) {
		/* clang-format off */
		char *argv[] = {(char *)env->self, "run", "--kernel", image,
				"--initrd", initrd, "--mem", "512M",
				"--net", k ? "user,model=ethoc" : "user,model=virtio",
				"--append", append, NULL};
		/* clang-format on */
		bench_io_run(env, argv, rs[k], BENCH_PVKIT);
	}
	if (env->qemu[0]) {
		/* clang-format off */
		char *argv[] = {(char *)env->qemu, "-M", "virt", "-m", "512M",
				"-nographic", "-bios", "default",
				"-kernel", image, "-initrd", initrd,
				"-append", append, "-netdev", "user,id=n0",
				"-device", "virtio-net-device,netdev=n0", NULL};
		/* clang-format on */
		bench_io_run(env, argv, rs[0], BENCH_QEMU);
	}
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	return 0;
}
