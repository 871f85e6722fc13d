/*
 * `pvkit agent SOCK COMMAND [key=value ...]`: one qemu-ga command to the
 * guest agent behind a unix socket, its reply printed for people (or raw
 * with --json).
 *
 * The socket is a byte stream that may hold leftovers of an earlier
 * client (a reply it gave up on, half a request), so every session
 * starts as qemu-ga's protocol prescribes: 0xFF (the agent drops any
 * partial request), then guest-sync-delimited with a random id; the
 * client skips everything up to a 0xFF followed by the reply carrying its
 * id. Only then is the command sent.
 *
 * Arguments: key=value gives numbers and booleans as JSON numbers and
 * booleans, anything else as a string, except for keys that qemu-ga
 * defines as strings (path, mode...) or string lists (arg, env: repeated
 * keys build the list). key:=JSON passes any JSON value unchanged.
 * guest-exec captures output and waits for the command by polling
 * guest-exec-status, prints its output and exits with its status.
 * guest-set-time without time= sends the host's current real time, taken
 * just before the request goes out (qemu-ga itself would read the
 * guest's RTC instead: send the JSON yourself for that).
 */
#include "agent_client.h"
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 10.0
/* a reply bigger than this is not from a sane agent (48 MiB reads are
 * qemu-ga's limit, 64 MiB of base64) */
#define MAX_REPLY (80u << 20)

static const char usage[] =
	"usage: pvkit agent SOCK COMMAND [key=value | key:=JSON ...] "
	"[--json] [--timeout S] [--no-wait]\n"
	"  e.g. pvkit agent vm.sock guest-exec path=/bin/uname arg=-a\n"
	"       pvkit agent vm.sock guest-file-open path=/tmp/f mode=w\n";

struct conn {
	int fd;
	const char *sock;
	double timeout;
	bool quiet; /* no messages: silence is the expected answer */
	char *buf;
	size_t len, cap;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pvkit: agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static int no_answer(const struct conn *c)
{
	if (c->quiet)
		return 1;
	return fail("no answer from the guest agent on %s within %g s (not "
		    "started yet, or not running in the guest?)",
		    c->sock, c->timeout);
}

/* Waits for fd to be ready for events until the deadline: 1 ready,
 * 0 timed out. */
static int wait_fd(int fd, short events, double deadline)
{
	for (;;) {
		double left = deadline - now_s();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1; /* let the read or write report it */
	}
}

/* 0 sent, 1 timed out, -1 error (message printed). */
static int send_all(struct conn *c, const char *p, size_t n, double deadline)
{
	while (n) {
		if (!wait_fd(c->fd, POLLOUT, deadline))
			return 1;
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			fail("writing to %s: %s", c->sock, strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads more into the buffer: 0 got some, 1 timed out, -1 closed or
 * error (message printed). */
static int fill(struct conn *c, double deadline)
{
	if (c->cap - c->len < 65536) {
		size_t ncap = c->cap ? c->cap * 2 : 131072;
		char *nb = ncap <= MAX_REPLY ? realloc(c->buf, ncap) : NULL;
		if (!nb) {
			fail("reply from %s is too large", c->sock);
			return -1;
		}
		c->buf = nb;
		c->cap = ncap;
	}
	for (;;) {
		if (!wait_fd(c->fd, POLLIN, deadline))
			return 1;
		ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r > 0) {
			c->len += (size_t)r;
			return 0;
		}
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (!c->quiet && r == 0)
			fail("%s closed the connection (has the VM exited?)",
			     c->sock);
		else if (!c->quiet)
			fail("reading from %s: %s", c->sock, strerror(errno));
		return -1;
	}
}

static void consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* Next reply line as parsed JSON, or NULL with *st = 1 (timeout) or -1
 * (error, printed). Lines that are not JSON are skipped. If raw, the
 * line's text is returned there (malloc'd). */
static json_t *read_reply(struct conn *c, double deadline, int *st, char **raw)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		if (!nl) {
			int r = fill(c, deadline);
			if (r) {
				*st = r;
				return NULL;
			}
			continue;
		}
		size_t n = (size_t)(nl - c->buf);
		json_t *j = json_loadb(c->buf, n, 0, NULL);
		if (j && raw)
			*raw = strndup(c->buf, n);
		consume(c, n + 1);
		if (j)
			return j;
	}
}

/* qemu-ga's resynchronisation; 0 synced, else pvkit's exit status. */
static int sync_agent(struct conn *c)
{
	uint32_t rnd;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	json_int_t id = rnd & 0x7fffffff;
	char req[128];
	int n = snprintf(req, sizeof(req),
			 "\xff{\"execute\": \"guest-sync-delimited\", "
			 "\"arguments\": {\"id\": %lld}}\n",
			 (long long)id);
	double deadline = now_s() + c->timeout;
	int r = send_all(c, req, (size_t)n, deadline);
	if (r)
		return r > 0 ? no_answer(c) : 1;
	for (;;) {
		char *ff = c->len ? memchr(c->buf, 0xff, c->len) : NULL;
		if (!ff) {
			c->len = 0; /* stale bytes before the sentinel */
			r = fill(c, deadline);
			if (r)
				return r > 0 ? no_answer(c) : 1;
			continue;
		}
		consume(c, (size_t)(ff - c->buf) + 1);
		json_t *j = read_reply(c, deadline, &r, NULL);
		if (!j)
			return r > 0 ? no_answer(c) : 1;
		json_t *ret = json_object_get(j, "return");
		bool ok = json_is_integer(ret) && json_integer_value(ret) == id;
		json_decref(j);
		if (ok)
			return 0;
	}
}

/* Sends {"execute": cmd, "arguments": args} and reads its reply. */
static json_t *call(struct conn *c, const char *cmd, json_t *args, int *st,
		    char **raw)
{
	json_t *req = json_pack("{s:s}", "execute", cmd);
	if (args && json_object_size(args))
		json_object_set(req, "arguments", args);
	char *text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text) {
		*st = fail("cannot encode the request");
		return NULL;
	}
	double deadline = now_s() + c->timeout;
	int r = send_all(c, text, strlen(text), deadline);
	if (!r)
		r = send_all(c, "\n", 1, deadline);
	free(text);
	json_t *j = r ? NULL : read_reply(c, deadline, &r, raw);
	if (!j)
		*st = r > 0 ? no_answer(c) : 1;
	return j;
}

/* An error reply becomes a one-line message and exit status 1. */
static bool is_error(json_t *reply, const char *cmd)
{
	json_t *err = json_object_get(reply, "error");
	if (!err)
		return false;
	fail("%s: %s (%s)", cmd,
	     json_string_value(json_object_get(err, "desc")) ?: "?",
	     json_string_value(json_object_get(err, "class")) ?: "?");
	return true;
}

/* ---- arguments ---- */

static bool key_in(const char *key, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(key, *set))
			return true;
	return false;
}

static json_t *typed(const char *v)
{
	char *end;
	errno = 0;
	long long i = strtoll(v, &end, 10);
	if (*v && !*end && !errno)
		return json_integer(i);
	if (!strcmp(v, "true"))
		return json_true();
	if (!strcmp(v, "false"))
		return json_false();
	return json_string(v);
}

/* Adds one key=value or key:=JSON; returns false with a message. */
static bool add_arg(json_t *args, const char *kv)
{
	static const char *const lists[] = {"arg", "env", NULL};
	static const char *const strings[] = {"path",	    "mode",   "buf-b64",
					      "input-data", "whence", NULL};
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		cli_error("agent: expected key=value or key:=JSON, got '%s'",
			  kv);
		return false;
	}
	bool raw = eq[-1] == ':';
	char *key = strndup(kv, (size_t)(eq - kv) - raw);
	const char *v = eq + 1;
	json_t *val;
	if (raw) {
		json_error_t jerr;
		val = json_loads(v, JSON_DECODE_ANY, &jerr);
		if (!val) {
			cli_error("agent: bad JSON for '%s': %s", key,
				  jerr.text);
			free(key);
			return false;
		}
	} else if (key_in(key, strings) || key_in(key, lists)) {
		val = json_string(v);
	} else {
		val = typed(v);
	}
	json_t *old = json_object_get(args, key);
	if (key_in(key, lists) && !raw) {
		if (!old)
			json_object_set_new(args, key, old = json_array());
		json_array_append_new(old, val);
	} else if (old) {
		/* a repeated key makes a list */
		if (!json_is_array(old)) {
			json_t *arr = json_array();
			json_array_append(arr, old);
			json_object_set_new(args, key, arr);
			old = arr;
		}
		json_array_append_new(old, val);
	} else {
		json_object_set_new(args, key, val);
	}
	free(key);
	return true;
}

/* ---- output ---- */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Writes base64 text decoded to f; false if it was not base64. */
static bool write_b64(FILE *f, json_t *text)
{
	const char *s = json_string_value(text);
	unsigned char *out = malloc(strlen(s) / 4 * 3 + 4);
	size_t len = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (; out && *s && *s != '='; s++) {
		const char *p = strchr(b64_alphabet, *s);
		if (!p) {
			free(out);
			return false;
		}
		acc = acc << 6 | (uint32_t)(p - b64_alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (unsigned char)(acc >> bits);
		}
	}
	if (out)
		fwrite(out, 1, len, f);
	free(out);
	return out != NULL;
}

static void print_scalar(FILE *f, json_t *v)
{
	if (json_is_string(v)) {
		fputs(json_string_value(v), f);
	} else {
		char *s =
			json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
		fputs(s ? s : "?", f);
		free(s);
	}
	fputc('\n', f);
}

/* YAML-like: "key: value", nested values indented, list items "- ". */
static void print_value(json_t *v, int indent, bool in_list)
{
	const char *k;
	size_t i;
	json_t *x;
	bool first = true;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
		{
			if (!(first && in_list))
				printf("%*s", indent, "");
			first = false;
			printf("%s:", k);
			if ((json_is_object(x) && json_object_size(x)) ||
			    (json_is_array(x) && json_array_size(x))) {
				fputc('\n', stdout);
				print_value(x, indent + 2, false);
			} else {
				fputc(' ', stdout);
				print_value(x, 0, false);
			}
		}
		if (first)
			puts(in_list ? "{}" : "ok");
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			printf("%*s- ", indent, "");
			print_value(x, indent + 2, true);
		}
		if (!json_array_size(v))
			puts("[]");
	} else {
		print_scalar(stdout, v);
	}
}

/* guest-exec-status and guest-file-read, readably: the payload decoded
 * to stdout (stderr for err-data), the other fields to stderr, so that
 * stdout is exactly the guest's bytes. */
static void print_payload(json_t *ret, const char *out_key, const char *err_key)
{
	json_t *out = json_object_get(ret, out_key);
	json_t *err = err_key ? json_object_get(ret, err_key) : NULL;
	if (out && !write_b64(stdout, out))
		printf("%s: %s\n", out_key, json_string_value(out));
	fflush(stdout);
	if (err && !write_b64(stderr, err))
		fprintf(stderr, "%s: %s\n", err_key, json_string_value(err));
	const char *k;
	json_t *x;
	json_object_foreach(ret, k, x)
	{
		if (strcmp(k, out_key) && (!err_key || strcmp(k, err_key))) {
			fprintf(stderr, "%s: ", k);
			print_scalar(stderr, x);
		}
	}
}

/* guest-exec: start, poll guest-exec-status until it ends, print its
 * output, return its exit status (128 + N for signal N, as shells do). */
static int run_exec(struct conn *c, json_t *args, bool as_json)
{
	if (!json_object_get(args, "capture-output"))
		json_object_set_new(args, "capture-output", json_true());
	int st = 1;
	json_t *rep = call(c, "guest-exec", args, &st, NULL);
	if (!rep || is_error(rep, "guest-exec")) {
		json_decref(rep);
		return st;
	}
	json_int_t pid = json_integer_value(
		json_object_get(json_object_get(rep, "return"), "pid"));
	json_decref(rep);
	json_t *pargs = json_pack("{s:I}", "pid", pid);
	double deadline = now_s() + c->timeout, pause = 0.02;
	char *raw = NULL;
	while ((rep = call(c, "guest-exec-status", pargs, &st, &raw))) {
		json_t *ret = json_object_get(rep, "return");
		bool done = true;
		if (is_error(rep, "guest-exec-status")) {
			st = 1;
		} else if (json_is_true(json_object_get(ret, "exited"))) {
			json_t *code = json_object_get(ret, "exitcode");
			json_t *sig = json_object_get(ret, "signal");
			st = code  ? (int)json_integer_value(code)
			     : sig ? 128 + (int)json_integer_value(sig)
				   : 1;
			if (as_json)
				puts(raw);
			else
				print_payload(ret, "out-data", "err-data");
		} else if (now_s() > deadline) {
			st = fail("guest-exec: pid %lld still running after "
				  "%g s (see --timeout)",
				  (long long)pid, c->timeout);
		} else {
			done = false;
			struct timespec ts = {0, (long)(pause * 1e9)};
			nanosleep(&ts, NULL);
			pause = pause < 0.2 ? pause * 2 : 0.2;
		}
		free(raw);
		raw = NULL;
		json_decref(rep);
		if (done)
			break;
	}
	json_decref(pargs);
	return st;
}

struct opts {
	const char *sock, *cmd;
	bool as_json, no_wait;
	double timeout;
	json_t *args;
};

/* 0 to go on, else pvkit's exit status (2 bad usage, 0 after --help). */
static int parse(int argc, char **argv, struct opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return -1;
		} else if (!strcmp(a, "--json")) {
			o->as_json = true;
		} else if (!strcmp(a, "--no-wait")) {
			o->no_wait = true;
		} else if (!strcmp(a, "--timeout") ||
			   !strncmp(a, "--timeout=", 10)) {
			const char *v = a[9] == '='    ? a + 10
					: i + 1 < argc ? argv[++i]
						       : "";
			char *end;
			o->timeout = strtod(v, &end);
			if (!*v || *end || !(o->timeout > 0))
				return cli_error("agent: bad --timeout '%s' "
						 "(seconds)",
						 v);
		} else if (a[0] == '-' && a[1] == '-') {
			return cli_error("agent: unknown option '%s'", a);
		} else if (!o->sock) {
			o->sock = a;
		} else if (!o->cmd) {
			o->cmd = a;
		} else if (!add_arg(o->args, a)) {
			return 2;
		}
	}
	if (!o->cmd)
		return cli_error("agent: usage: pvkit agent SOCK COMMAND "
				 "[key=value ...] [--json] [--timeout S]");
	return 0;
}

/* One command that is not a waited-for guest-exec. */
static int run_one(struct conn *c, const struct opts *o)
{
	/* qemu-ga answers these only to refuse; wait just long enough to
	 * hear a refusal, and take silence (or the VM going) as success */
	bool silent = !strcmp(o->cmd, "guest-shutdown") ||
		      !strncmp(o->cmd, "guest-suspend-", 14);
	if (silent) {
		c->quiet = true;
		c->timeout = c->timeout < 1 ? c->timeout : 1;
	}
	if (!strcmp(o->cmd, "guest-set-time") &&
	    !json_object_get(o->args, "time")) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		json_object_set_new(
			o->args, "time",
			json_integer((json_int_t)now.tv_sec * 1000000000 +
				     now.tv_nsec));
	}
	int st = 1;
	char *raw = NULL;
	json_t *rep = call(c, o->cmd, o->args, &st, &raw);
	if (!rep) {
		if (silent && !o->as_json)
			puts("ok");
		return silent ? 0 : st;
	}
	json_t *ret = json_object_get(rep, "return");
	st = 0;
	if (o->as_json) {
		puts(raw);
		st = ret ? 0 : 1;
	} else if (is_error(rep, o->cmd)) {
		st = 1;
	} else if (!strcmp(o->cmd, "guest-exec-status")) {
		print_payload(ret, "out-data", "err-data");
	} else if (!strcmp(o->cmd, "guest-file-read")) {
		print_payload(ret, "buf-b64", NULL);
	} else {
		print_value(ret, 0, false);
	}
	free(raw);
	json_decref(rep);
	return st;
}

int cmd_agent(int argc, char **argv)
{
	struct opts o = {.timeout = DEFAULT_TIMEOUT_S, .args = json_object()};
	struct conn c = {.fd = -1};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int st = parse(argc, argv, &o);
	if (st) {
		st = st < 0 ? 0 : st;
		goto out;
	}
	if (strlen(o.sock) >= sizeof(sa.sun_path)) {
		st = cli_error("agent: socket path '%s' is too long", o.sock);
		goto out;
	}
	strcpy(sa.sun_path, o.sock);
	c.sock = o.sock;
	c.timeout = o.timeout;
	c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		st = fail("cannot connect to %s: %s (is pvkit running with "
			  "--agent %s?)",
			  o.sock, strerror(errno), o.sock);
	else if (!(st = sync_agent(&c)))
		st = !strcmp(o.cmd, "guest-exec") && !o.no_wait
			     ? run_exec(&c, o.args, o.as_json)
			     : run_one(&c, &o);
out:
	if (c.fd >= 0)
		close(c.fd);
	free(c.buf);
	json_decref(o.args);
	return st;
}
