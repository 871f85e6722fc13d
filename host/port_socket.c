/*
 * A virtio-console port on a unix socket server: one client at a time
 * (others wait in the listen backlog, as with QEMU's socket chardev).
 * Client connected = host end open (PORT_OPEN to the guest). Bytes flow
 * without copies beyond one buffer per direction: client -> guest through
 * `in`, guest -> client straight from the guest's ring with send(), and
 * when the client stops reading the guest's output stays in its ring.
 */
#define _GNU_SOURCE /* accept4 */
#include "port_socket.h"

#include "event_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void on_client(void *opaque, int fd, short revents);

/* Asks the loop for what the client connection needs now: input while
   there is room for it, output while the guest waits on the client. With
   neither, fd stays in the loop with no events so that its hang-up is
   still seen (poll reports POLLHUP regardless), except while input waits
   for room: a client that hung up then would be reported over and over,
   and the read after deliver() notices it anyway. */
static void update_watch(struct port_socket *s)
{
	short want = 0;
	bool watch = s->fd >= 0;
	if (watch) {
		if (s->in_len < sizeof(s->in) && !s->input_ended)
			want |= POLLIN;
		if (s->out_blocked)
			want |= POLLOUT;
		if (!want && s->in_len == sizeof(s->in))
			watch = false;
	}
	if (watch == s->watching && (!watch || want == s->watched))
		return;
	if (!watch)
		event_loop_unwatch(s->loop, s->fd);
	else if (!s->watching)
		event_loop_watch(s->loop, s->fd, want, on_client, s);
	else
		event_loop_set_events(s->loop, s->fd, want);
	s->watching = watch;
	s->watched = want;
}

/* Hands the guest what it has room for. */
static void deliver(struct port_socket *s)
{
	if (!s->in_len)
		return;
	size_t took = virtio_console_input(s->con, s->port, s->in, s->in_len);
	memmove(s->in, s->in + took, s->in_len - took);
	s->in_len -= took;
	update_watch(s);
}

static void on_listen(void *opaque, int fd, short revents);

/* flush: also drop the guest output held for this client; not when the
   device is the caller (it is in the middle of that output). */
static void disconnect(struct port_socket *s, bool flush)
{
	if (s->watching)
		event_loop_unwatch(s->loop, s->fd);
	s->watching = false;
	s->watched = 0;
	close(s->fd);
	s->fd = -1;
	s->in_len = 0; /* a new client starts afresh, as with QEMU */
	s->out_blocked = false;
	s->input_ended = false;
	virtio_console_set_host_connected(s->con, s->port, false);
	event_loop_watch(s->loop, s->listen_fd, POLLIN, on_listen, s);
	if (flush)
		virtio_console_writable(s->con, s->port);
}

static void on_client(void *opaque, int fd, short revents)
{
	struct port_socket *s = opaque;
	(void)fd;
	if (revents & POLLOUT) {
		s->out_blocked = false;
		update_watch(s);
		virtio_console_writable(s->con, s->port);
		if (s->fd < 0)
			return;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (s->input_ended) { /* only a hang-up is asked for now */
		disconnect(s, true);
		return;
	}
	size_t room = sizeof(s->in) - s->in_len;
	if (!room)
		return;
	ssize_t n = read(s->fd, s->in + s->in_len, room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0 || (n == 0 && (revents & (POLLHUP | POLLERR)))) {
		disconnect(s, true);
		return;
	}
	if (n == 0) { /* half-closed: wait for the replies to go out */
		s->input_ended = true;
		update_watch(s);
		return;
	}
	s->in_len += (size_t)n;
	deliver(s);
	update_watch(s);
}

static void on_listen(void *opaque, int fd, short revents)
{
	struct port_socket *s = opaque;
	(void)revents;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	/* one client at a time: the next waits in the backlog */
	event_loop_unwatch(s->loop, s->listen_fd);
	s->fd = c;
	s->watching = false;
	s->watched = 0;
	s->input_ended = false;
	update_watch(s);
	virtio_console_set_host_connected(s->con, s->port, true);
}

/* --- the device's calls -------------------------------------------------- */

static size_t ps_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct port_socket *s = opaque;
	if (s->fd < 0)
		return len; /* no one listens: dropped, as QEMU does */
	ssize_t n = send(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n >= 0 && (size_t)n == len)
		return len;
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		disconnect(s, false);
		return len;
	}
	s->out_blocked = true; /* the rest waits in the guest's ring */
	update_watch(s);
	return n > 0 ? (size_t)n : 0;
}

static void ps_rx_ready(void *opaque)
{
	deliver(opaque);
}

const struct vcon_port_ops port_socket_ops = {
	.write = ps_write,
	.rx_ready = ps_rx_ready,
};

int port_socket_open(struct port_socket *s, const char *path,
		     struct virtio_console *con, unsigned port,
		     const char *name, struct event_loop *loop, char *err,
		     size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->listen_fd = -1;
	s->con = con;
	s->port = port;
	s->loop = loop;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "socket path '%s' is too long", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	strcpy(s->path, path);
	/* a socket left by an earlier run is replaced; anything else is not
	   ours to remove */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 4)) {
		snprintf(err, errlen, "cannot listen on '%s': %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->listen_fd = fd;
	if (virtio_console_add_port(con, port, name, &port_socket_ops, s,
				    false) < 0 ||
	    event_loop_watch(loop, fd, POLLIN, on_listen, s)) {
		snprintf(err, errlen, "cannot add port '%s'", name);
		port_socket_close(s);
		return -1;
	}
	return 0;
}

void port_socket_close(struct port_socket *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	s->fd = s->listen_fd = -1;
}
