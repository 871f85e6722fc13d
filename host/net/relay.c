/*
 * `pvkit net-relay ADDR PORT` (internal): what `--net user,guestfwd=
 * tcp:GADDR:GPORT-tcp:ADDR:PORT` runs for each connection the guest opens
 * to GADDR:GPORT. libslirp starts it with that connection as its stdin,
 * stdout and stderr (as it does for cmd:); it connects to ADDR:PORT and
 * copies bytes both ways, passing each half-close on, until both
 * directions are done. One process per guest connection, so each gets a
 * host connection of its own.
 *
 * Talks to: the slirp socket on fds 0/1 and the host's TCP stack. Prints
 * nothing: anything written to stderr would reach the guest.
 */
#include "host/net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One read from `from` passed on to `to`: 1 = copied, 0 = end of input
   (passed on as a half-close), -1 = error. */
static int pump(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0) {
		shutdown(to, SHUT_WR);
		return n < 0 ? -1 : 0;
	}
	return write_all(to, buf, (size_t)n) ? -1 : 1;
}

int net_relay_main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	char *end;
	long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	if (argc != 2 || inet_pton(AF_INET, argv[0], &a.sin_addr) != 1 ||
	    !*argv[1] || *end || port < 1 || port > 65535)
		return 2;
	a.sin_port = htons((uint16_t)port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		return 1; /* the guest sees its connection closed */
	bool guest_open = true, host_open = true;
	while (guest_open || host_open) {
		struct pollfd p[2] = {{0, guest_open ? POLLIN : 0, 0},
				      {s, host_open ? POLLIN : 0, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (guest_open && p[0].revents) {
			int r = pump(0, s);
			if (r < 0)
				return 1;
			guest_open = r > 0;
		}
		if (host_open && p[1].revents) {
			int r = pump(s, 1);
			if (r < 0)
				return 1;
			host_open = r > 0;
		}
	}
	return 0;
}
