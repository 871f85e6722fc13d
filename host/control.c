/*
 * The control socket (`--control SOCK`): a QMP-compatible server, so
 * tools that drive QEMU (and a plain `socat - UNIX-CONNECT:SOCK`) drive
 * pvkit. Greeting, capabilities negotiation, commands with optional "id"
 * echoed, error classes as QEMU names them, and events (STOP, RESUME,
 * SHUTDOWN, RESET, BALLOON_CHANGE) to every negotiated client.
 *
 * Talks to the machine (run state, reset, exit), to the balloon through
 * the machine's balloon hooks, and to the event loop for its sockets.
 * Owns the listening socket, the client connections and their buffers.
 */
#define _GNU_SOURCE /* accept4 */
#include "control.h"

#include "device_stats.h"
#include "emulator/machine.h"
#include "event_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define INPUT_MAX (1 << 20) /* a larger unfinished command is dropped */

static void send_json(struct control_client *c, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!s || c->fd < 0)
		goto out;
	size_t len = strlen(s);
	s[len] = '\n'; /* replaces the terminator: we send len + 1 bytes */
	const char *p = s;
	size_t left = len + 1;
	while (left) {
		ssize_t n = send(c->fd, p, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a client that stops reading loses its replies */
		p += n;
		left -= (size_t)n;
	}
out:
	free(s);
}

static json_t *error_reply(const char *class, const char *desc)
{
	return json_pack("{s:{s:s,s:s}}", "error", "class", class, "desc",
			 desc);
}

static void broadcast_event(struct control *ctl, const char *event,
			    json_t *data)
{
	int64_t now = host_realtime_ns();
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++) {
		struct control_client *c = &ctl->clients[k];
		if (c->fd < 0 || !c->negotiated)
			continue;
		json_t *ev = json_pack(
			"{s:s,s:{s:I,s:I}}", "event", event, "timestamp",
			"seconds", (json_int_t)(now / 1000000000),
			"microseconds", (json_int_t)(now % 1000000000 / 1000));
		if (data)
			json_object_set(ev, "data", data);
		send_json(c, ev);
	}
	json_decref(data);
}

void control_event(struct control *ctl, const char *event, json_t *data)
{
	broadcast_event(ctl, event, data);
}

static json_t *cmd_query_status(struct control *ctl)
{
	bool running = !ctl->machine->paused;
	return json_pack("{s:s,s:b,s:b}", "status",
			 running ? "running" : "paused", "singlestep", 0,
			 "running", running);
}

static json_t *cmd_query_version(void)
{
	return json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "major", 7, "minor",
			 2, "micro", 0, "package", "pvkit");
}

static json_t *cmd_balloon(struct control *ctl, json_t *args)
{
	struct machine *m = ctl->machine;
	json_t *v = json_object_get(args, "value");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return error_reply("GenericError",
				   "Parameter 'value' expects a positive size");
	if (!m->balloon.set_target)
		return error_reply("DeviceNotActive",
				   "No balloon device has been activated");
	m->balloon.set_target(m->balloon.opaque,
			      (uint64_t)json_integer_value(v));
	return json_object();
}

static json_t *cmd_query_balloon(struct control *ctl)
{
	struct machine *m = ctl->machine;
	if (!m->balloon.actual)
		return error_reply("DeviceNotActive",
				   "No balloon device has been activated");
	return json_pack("{s:I}", "actual",
			 (json_int_t)m->balloon.actual(m->balloon.opaque));
}

/* Returns the reply ("return" or "error" object), or NULL for none. */
static json_t *dispatch(struct control *ctl, struct control_client *c,
			const char *cmd, json_t *args)
{
	struct machine *m = ctl->machine;
	if (!c->negotiated) {
		if (!strcmp(cmd, "qmp_capabilities")) {
			c->negotiated = true;
			return json_object();
		}
		return error_reply("CommandNotFound",
				   "Expecting capabilities negotiation with "
				   "'qmp_capabilities'");
	}
	if (!strcmp(cmd, "qmp_capabilities"))
		return error_reply("CommandNotFound",
				   "Capabilities negotiation is already "
				   "complete, command ignored");
	if (!strcmp(cmd, "query-status"))
		return cmd_query_status(ctl);
	if (!strcmp(cmd, "query-version"))
		return cmd_query_version();
	if (!strcmp(cmd, "query-pvkit-stats"))
		return device_stats_json(ctl->machine, ctl->devices);
	if (!strcmp(cmd, "stop")) {
		if (!m->paused) {
			machine_pause(m);
			broadcast_event(ctl, "STOP", NULL);
		}
		return json_object();
	}
	if (!strcmp(cmd, "cont")) {
		if (m->paused) {
			machine_resume(m);
			broadcast_event(ctl, "RESUME", NULL);
		}
		return json_object();
	}
	if (!strcmp(cmd, "system_reset")) {
		machine_request_reboot(m);
		broadcast_event(ctl, "RESET",
				json_pack("{s:b,s:s}", "guest", 0, "reason",
					  "host-qmp-system-reset"));
		return json_object();
	}
	if (!strcmp(cmd, "system_powerdown")) {
		/* like a power button: the guest decides; this machine's
		   button is the guest agent's guest-shutdown */
		if (!m->powerdown.request ||
		    m->powerdown.request(m->powerdown.opaque))
			return error_reply("GenericError",
					   "this machine has no power button: "
					   "run the guest agent (--agent)");
		broadcast_event(ctl, "POWERDOWN", NULL);
		return json_object();
	}
	if (!strcmp(cmd, "quit")) {
		broadcast_event(ctl, "SHUTDOWN",
				json_pack("{s:b,s:s}", "guest", 0, "reason",
					  "host-qmp-quit"));
		machine_request_exit(m, 0);
		return json_object();
	}
	if (!strcmp(cmd, "balloon"))
		return cmd_balloon(ctl, args);
	if (!strcmp(cmd, "query-balloon"))
		return cmd_query_balloon(ctl);
	char desc[160];
	snprintf(desc, sizeof(desc), "The command %s has not been found", cmd);
	return error_reply("CommandNotFound", desc);
}

static void handle_message(struct control *ctl, struct control_client *c,
			   json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	json_t *exec = json_object_get(msg, "execute");
	json_t *args = json_object_get(msg, "arguments");
	json_t *reply;
	if (!json_is_object(msg))
		reply = error_reply("GenericError",
				    "QMP input must be a JSON object");
	else if (!json_is_string(exec))
		reply = error_reply("GenericError",
				    "QMP input lacks member 'execute'");
	else if (args && !json_is_object(args))
		reply = error_reply("GenericError",
				    "QMP input member 'arguments' must be an "
				    "object");
	else {
		reply = dispatch(ctl, c, json_string_value(exec), args);
		if (reply && !json_object_get(reply, "error")) {
			json_t *ret = reply;
			reply = json_pack("{s:o}", "return", ret);
		}
	}
	if (!reply)
		return;
	if (id)
		json_object_set(reply, "id", id);
	send_json(c, reply);
}

static void drop_client(struct control *ctl, struct control_client *c)
{
	event_loop_unwatch(ctl->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Parses every complete JSON value in the buffer. Garbage is answered
   with a parse error and skipped up to the next newline. */
static void parse_input(struct control *ctl, struct control_client *c)
{
	while (c->len) {
		size_t skip = 0;
		while (skip < c->len && strchr(" \t\r\n", c->buf[skip]))
			skip++;
		if (skip == c->len) {
			c->len = 0;
			return;
		}
		json_error_t err;
		json_t *msg = json_loadb(
			c->buf + skip, c->len - skip,
			JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &err);
		size_t used;
		if (msg) {
			used = skip + (size_t)err.position;
			handle_message(ctl, c, msg);
			json_decref(msg);
		} else if (err.position >= (int)(c->len - skip) &&
			   !memchr(c->buf + skip, '\n', c->len - skip)) {
			return; /* incomplete: wait for more bytes */
		} else {
			send_json(c, error_reply("GenericError",
						 "JSON parse error"));
			char *nl = memchr(c->buf + skip, '\n', c->len - skip);
			used = nl ? (size_t)(nl - c->buf) + 1 : c->len;
		}
		if (c->fd < 0)
			return;
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
}

static void on_client(void *opaque, int fd, short revents)
{
	struct control *ctl = opaque;
	struct control_client *c = NULL;
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (ctl->clients[k].fd == fd)
			c = &ctl->clients[k];
	if (!c)
		return;
	if (c->len == sizeof(c->buf)) { /* an endless value: resync */
		send_json(c, error_reply("GenericError", "JSON too long"));
		c->len = 0;
	}
	ssize_t n = read(fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN) ||
		    (revents & (POLLHUP | POLLERR)))
			drop_client(ctl, c);
		return;
	}
	c->len += (size_t)n;
	parse_input(ctl, c);
}

static void on_accept(void *opaque, int fd, short revents)
{
	struct control *ctl = opaque;
	(void)revents;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return;
	struct control_client *c = NULL;
	for (int k = 0; k < CONTROL_MAX_CLIENTS && !c; k++)
		if (ctl->clients[k].fd < 0)
			c = &ctl->clients[k];
	if (!c || event_loop_watch(ctl->loop, cfd, POLLIN, on_client, ctl)) {
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->len = 0;
	c->negotiated = false;
	send_json(c, json_pack("{s:{s:o,s:[]}}", "QMP", "version",
			       cmd_query_version(), "capabilities"));
}

int control_open(struct control *ctl, const char *path, struct machine *m,
		 struct event_loop *loop, char *err, size_t errlen)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->machine = m;
	ctl->loop = loop;
	ctl->listen_fd = -1;
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		ctl->clients[k].fd = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--control %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	unlink(path); /* a stale socket from an earlier run */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 4) ||
	    event_loop_watch(loop, fd, POLLIN, on_accept, ctl)) {
		snprintf(err, errlen, "--control %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ctl->listen_fd = fd;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	return 0;
}

void control_close(struct control *ctl)
{
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (ctl->clients[k].fd >= 0)
			drop_client(ctl, &ctl->clients[k]);
	if (ctl->listen_fd >= 0) {
		event_loop_unwatch(ctl->loop, ctl->listen_fd);
		close(ctl->listen_fd);
		unlink(ctl->path);
	}
	ctl->listen_fd = -1;
}
