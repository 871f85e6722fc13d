/*
 * `pvkit ctl SOCK COMMAND [ARGS]`: a QMP client for pvkit's control
 * socket (and QEMU's). Negotiates capabilities, sends one command, skips
 * events, prints the reply: readable by default, raw JSON with --json.
 * Arguments are key=value pairs (numbers and booleans typed), and
 * `balloon SIZE` takes a size such as 128M for convenience.
 */
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct conn {
	int fd;
	char buf[64 * 1024];
	size_t len;
	int timeout_ms;
};

/* Reads one JSON value; NULL on timeout, EOF or garbage. */
static json_t *read_json(struct conn *c)
{
	for (;;) {
		json_error_t err;
		if (c->len) {
			json_t *v = json_loadb(c->buf, c->len,
					       JSON_DISABLE_EOF_CHECK, &err);
			if (v) {
				size_t used = (size_t)err.position;
				memmove(c->buf, c->buf + used, c->len - used);
				c->len -= used;
				return v;
			}
		}
		if (c->len == sizeof(c->buf))
			return NULL;
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		if (poll(&p, 1, c->timeout_ms) <= 0)
			return NULL;
		ssize_t n =
			read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

/* The reply to the command just sent, events skipped. */
static json_t *read_reply(struct conn *c)
{
	for (;;) {
		json_t *v = read_json(c);
		if (!v || !json_object_get(v, "event"))
			return v;
		json_decref(v);
	}
}

static int send_cmd(struct conn *c, const char *cmd, json_t *args)
{
	json_t *msg = json_pack("{s:s}", "execute", cmd);
	if (args)
		json_object_set_new(msg, "arguments", args);
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	int rc = 0;
	size_t len = strlen(s);
	if (write(c->fd, s, len) != (ssize_t)len || write(c->fd, "\n", 1) != 1)
		rc = -1;
	free(s);
	return rc;
}

static json_t *typed_value(const char *v)
{
	char *end;
	if (!strcmp(v, "true"))
		return json_true();
	if (!strcmp(v, "false"))
		return json_false();
	long long n = strtoll(v, &end, 0);
	if (*v && !*end)
		return json_integer(n);
	return json_string(v);
}

static int build_args(const char *cmd, int argc, char **argv, json_t **out)
{
	json_t *args = NULL;
	for (int k = 0; k < argc; k++) {
		const char *eq = strchr(argv[k], '=');
		if (!args)
			args = json_object();
		if (!eq && !strcmp(cmd, "balloon")) {
			uint64_t bytes;
			if (cli_parse_size(argv[k], 0, &bytes) || !bytes ||
			    bytes > (1ull << 50)) {
				json_decref(args);
				return cli_error(
					"ctl: balloon size '%s' is not "
					"like 128M",
					argv[k]);
			}
			json_object_set_new(args, "value",
					    json_integer((json_int_t)bytes));
			continue;
		}
		if (!eq || eq == argv[k]) {
			json_decref(args);
			return cli_error("ctl: argument '%s' is not key=value",
					 argv[k]);
		}
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - argv[k]),
			 argv[k]);
		json_object_set_new(args, key, typed_value(eq + 1));
	}
	*out = args;
	return 0;
}

static void print_human(json_t *ret)
{
	if (json_is_object(ret) && json_object_size(ret) == 0) {
		puts("ok");
		return;
	}
	char *s = json_dumps(ret, JSON_INDENT(2) | JSON_ENCODE_ANY);
	puts(s ? s : "?");
	free(s);
}

int cmd_ctl(int argc, char **argv)
{
	bool raw = false;
	int timeout_s = 10, k = 0;
	char *pos[64];
	int npos = 0;
	for (k = 0; k < argc; k++) {
		if (!strcmp(argv[k], "--json"))
			raw = true;
		else if (!strcmp(argv[k], "--timeout") && k + 1 < argc)
			timeout_s = atoi(argv[++k]);
		else if (npos < 64)
			pos[npos++] = argv[k];
	}
	if (npos < 2)
		return cli_error("ctl: usage: pvkit ctl SOCK COMMAND "
				 "[key=value ...] [--json]");
	const char *path = pos[0], *cmd = pos[1];
	json_t *args = NULL;
	if (build_args(cmd, npos - 2, pos + 2, &args))
		return 2;

	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	struct conn *c = calloc(1, sizeof(*c));
	c->timeout_ms = timeout_s * 1000;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		cli_error("ctl: cannot connect to %s: %s", path,
			  strerror(errno));
		json_decref(args);
		free(c);
		return 1;
	}
	int status = 1;
	json_t *greeting = read_json(c), *reply = NULL;
	if (!greeting || !json_object_get(greeting, "QMP")) {
		cli_error("ctl: %s does not speak QMP", path);
	} else if (send_cmd(c, "qmp_capabilities", NULL) ||
		   !(reply = read_reply(c)) ||
		   !json_object_get(reply, "return")) {
		cli_error("ctl: capabilities negotiation failed");
	} else {
		json_decref(reply);
		reply = NULL;
		if (send_cmd(c, cmd, args) || !(reply = read_reply(c))) {
			cli_error("ctl: no reply to %s within %d s", cmd,
				  timeout_s);
		} else if (raw) {
			char *s = json_dumps(reply, JSON_COMPACT);
			puts(s);
			free(s);
			status = json_object_get(reply, "error") ? 1 : 0;
		} else if (json_object_get(reply, "error")) {
			json_t *e = json_object_get(reply, "error");
			cli_error(
				"ctl: %s: %s",
				json_string_value(json_object_get(e, "class")),
				json_string_value(json_object_get(e, "desc")));
		} else {
			print_human(json_object_get(reply, "return"));
			status = 0;
		}
		args = NULL; /* send_cmd took it */
	}
	json_decref(args);
	json_decref(greeting);
	json_decref(reply);
	close(c->fd);
	free(c);
	return status;
}
