/*
 * One engine run for `pvkit bench` (see bench.h, bench_run_engine): spawns
 * pvkit or QEMU, and for pvkit runs with counters answers the guest's
 * "PVKIT-BENCH-MARK: LABEL" lines by taking a query-pvkit-stats snapshot
 * over the engine's control socket (QMP) and then releasing the guest with
 * a line on its console. Also reads the guest's "PVKIT-BENCH:" result
 * lines and subtracts counter snapshots. Owns the run's snapshots.
 */
#define _GNU_SOURCE /* memmem */
#include "host/bench/bench.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MARK_LINE "PVKIT-BENCH-MARK: "
#define RESULT_LINE "PVKIT-BENCH: "
/* A snapshot answer is local and small: waiting longer means trouble. */
#define QMP_TIMEOUT_MS 10000

struct qmp {
	int fd;
	char buf[256 * 1024];
	size_t len;
};

/* The state on_line works with while the engine runs. */
struct marks_ctx {
	struct bench_run *run;
	char sock[108];
	struct qmp *qmp; /* connected on the first mark */
	bool broken;	 /* a mark could not be answered */
};

/* Reads one JSON value; NULL on timeout, EOF or garbage. */
static json_t *qmp_read(struct qmp *q)
{
	for (;;) {
		json_error_t jerr;
		if (q->len) {
			json_t *v = json_loadb(q->buf, q->len,
					       JSON_DISABLE_EOF_CHECK, &jerr);
			if (v) {
				size_t used = (size_t)jerr.position;
				memmove(q->buf, q->buf + used, q->len - used);
				q->len -= used;
				return v;
			}
		}
		if (q->len == sizeof(q->buf))
			return NULL;
		struct pollfd p = {.fd = q->fd, .events = POLLIN};
		if (poll(&p, 1, QMP_TIMEOUT_MS) <= 0)
			return NULL;
		ssize_t n =
			read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n <= 0)
			return NULL;
		q->len += (size_t)n;
	}
}

/* Sends a command and returns its "return" value (events skipped). */
static json_t *qmp_execute(struct qmp *q, const char *cmd)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "{\"execute\": \"%s\"}\n", cmd);
	if (write(q->fd, line, (size_t)n) != n)
		return NULL;
	for (;;) {
		json_t *v = qmp_read(q);
		if (!v)
			return NULL;
		json_t *ret = json_object_get(v, "return");
		if (ret) {
			json_incref(ret);
			json_decref(v);
			return ret;
		}
		bool error = json_object_get(v, "error") != NULL;
		json_decref(v);
		if (error)
			return NULL;
	}
}

static struct qmp *qmp_connect(const char *path)
{
	struct qmp *q = calloc(1, sizeof(*q));
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (!q)
		return NULL;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&a, sizeof(a))) {
		if (q->fd >= 0)
			close(q->fd);
		free(q);
		return NULL;
	}
	json_t *greeting = qmp_read(q), *ok = NULL;
	if (greeting)
		ok = qmp_execute(q, "qmp_capabilities");
	json_decref(greeting);
	if (!ok) {
		close(q->fd);
		free(q);
		return NULL;
	}
	json_decref(ok);
	return q;
}

static void on_line(void *opaque, const char *line, size_t len, int stdin_fd)
{
	struct marks_ctx *ctx = opaque;
	struct bench_run *run = ctx->run;
	const char *p = memmem(line, len, MARK_LINE, strlen(MARK_LINE));
	if (!p)
		return;
	p += strlen(MARK_LINE);
	if (!ctx->qmp && !ctx->broken) {
		ctx->qmp = qmp_connect(ctx->sock);
		if (!ctx->qmp) {
			snprintf(run->why, sizeof(run->why),
				 "cannot talk to the control socket");
			ctx->broken = true;
		}
	}
	json_t *stats =
		ctx->qmp ? qmp_execute(ctx->qmp, "query-pvkit-stats") : NULL;
	if (!stats && !ctx->broken) {
		snprintf(run->why, sizeof(run->why),
			 "query-pvkit-stats failed at mark %.40s", p);
		ctx->broken = true;
	}
	if (stats && run->nmarks < BENCH_MAX_MARKS) {
		int k = run->nmarks++;
		snprintf(run->marks[k].label, sizeof(run->marks[k].label),
			 "%.*s", (int)(line + len - p), p);
		run->marks[k].stats = stats;
	} else {
		json_decref(stats);
	}
	/* release the guest even if the snapshot failed: the run goes on */
	static const char ack[] = "go\n";
	if (stdin_fd >= 0)
		(void)!write(stdin_fd, ack, sizeof(ack) - 1);
}

/* argv with --control SOCK added after "run" and " pvkit.marks=1" added
 * to the value of --append; strings in store. NULL if out of memory. */
static char **with_counters(char *const *argv, const char *sock,
			    char **append_store)
{
	int n = 0;
	while (argv[n])
		n++;
	char **a = calloc((size_t)n + 3, sizeof(*a));
	if (!a)
		return NULL;
	int w = 0;
	for (int k = 0; k < n; k++) {
		a[w++] = argv[k];
		if (k == 1) {
			a[w++] = "--control";
			a[w++] = (char *)sock;
		}
		if (k > 0 && !strcmp(argv[k - 1], "--append") &&
		    !*append_store) {
			size_t len = strlen(argv[k]) + 32;
			*append_store = malloc(len);
			if (!*append_store) {
				free(a);
				return NULL;
			}
			snprintf(*append_store, len, "%s pvkit.marks=1",
				 argv[k]);
			a[w - 1] = *append_store;
		}
	}
	a[w] = NULL;
	return a;
}

int bench_run_engine(const struct bench_env *env, char *const *argv,
		     bool counters, struct bench_run *run)
{
	memset(run, 0, sizeof(*run));
	struct spawn_req req = {.argv = argv, .timeout_s = BENCH_TIMEOUT_S};
	struct marks_ctx ctx = {.run = run};
	char *append = NULL, **cargv = NULL;
	(void)env;
	if (counters) {
		snprintf(ctx.sock, sizeof(ctx.sock),
			 "/tmp/pvkit-bench-%ld-%p.sock", (long)getpid(),
			 (void *)run);
		unlink(ctx.sock);
		cargv = with_counters(argv, ctx.sock, &append);
		if (!cargv) {
			snprintf(run->why, sizeof(run->why), "out of memory");
			run->res.status = -1;
			return -1;
		}
		req.argv = cargv;
		req.on_line = on_line;
		req.opaque = &ctx;
	}
	spawn_run(&req, &run->res);
	if (ctx.qmp) {
		close(ctx.qmp->fd);
		free(ctx.qmp);
	}
	if (counters)
		unlink(ctx.sock);
	free(cargv);
	free(append);
	if (run->res.status != 0 || run->res.timed_out) {
		spawn_describe(&run->res, run->why, sizeof(run->why));
		return -1;
	}
	return ctx.broken ? -1 : 0;
}

void bench_run_free(struct bench_run *run)
{
	for (int k = 0; k < run->nmarks; k++)
		json_decref(run->marks[k].stats);
	run->nmarks = 0;
	spawn_result_free(&run->res);
}

bool bench_run_ok(const struct bench_env *env, struct bench_run *run,
		  struct bench_result *r, const char *what)
{
	if (!run->why[0])
		return true;
	char title[160];
	snprintf(title, sizeof(title), "%s (%s)", what, run->why);
	bench_progress_clear(env);
	bench_show_output(title, run->res.out ? run->res.out : "",
			  run->res.err ? run->res.err : "");
	bench_fail(r, "%s", run->why);
	return false;
}

bool bench_run_value(const struct bench_run *run, const char *workload,
		     const char *key, double *v)
{
	const char *out = run->res.out ? run->res.out : "";
	char want[96], kw[48];
	snprintf(want, sizeof(want), RESULT_LINE "workload=%s ", workload);
	snprintf(kw, sizeof(kw), " %s=", key);
	const char *found = NULL;
	for (const char *p = out; (p = strstr(p, want)); p++)
		found = p;
	if (!found)
		return false;
	size_t len = strcspn(found, "\r\n");
	const char *k = strstr(found, kw);
	if (!k || k >= found + len)
		return false;
	char *end;
	double x = strtod(k + strlen(kw), &end);
	if (end == k + strlen(kw))
		return false;
	*v = x;
	return true;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* The counters of one device in one snapshot; false if it has none. */
static bool device_counters(json_t *stats, const char *device,
			    struct bench_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->instructions = num(json_object_get(stats, "cpu"), "instructions");
	if (!strcmp(device, "cpu"))
		return true;
	json_t *d;
	if (!strcmp(device, "ide") && (d = json_object_get(stats, "ide"))) {
		c->mmio_exits = num(d, "mmio-exits") + num(d, "pio-accesses");
		c->interrupts = num(d, "interrupts");
		c->requests = num(d, "commands");
		c->bytes = num(d, "bytes");
		return true;
	}
	if (!strcmp(device, "ethoc") && (d = json_object_get(stats, "ethoc"))) {
		c->mmio_exits = num(d, "mmio-exits");
		c->interrupts = num(d, "interrupts");
		c->requests = num(d, "tx-frames") + num(d, "rx-frames");
		c->bytes = num(d, "tx-bytes") + num(d, "rx-bytes");
		return true;
	}
	if (!strcmp(device, "uart16550") &&
	    (d = json_object_get(stats, "uart16550"))) {
		c->mmio_exits = num(d, "mmio-exits");
		c->interrupts = num(d, "interrupts");
		c->requests = num(d, "tx-bytes") + num(d, "rx-bytes");
		c->bytes = c->requests;
		return true;
	}
	size_t k;
	json_array_foreach(json_object_get(stats, "virtio"), k, d)
	{
		json_t *name = json_object_get(d, "name");
		if (!json_is_string(name) ||
		    strcmp(json_string_value(name), device))
			continue;
		c->mmio_exits = num(d, "mmio-exits");
		c->interrupts = num(d, "interrupts");
		c->requests = num(d, "requests");
		c->bytes = num(d, "bytes-in") + num(d, "bytes-out");
		return true;
	}
	return false;
}

static json_t *mark_stats(const struct bench_run *run, const char *label)
{
	for (int k = run->nmarks - 1; k >= 0; k--)
		if (!strcmp(run->marks[k].label, label))
			return run->marks[k].stats;
	return NULL;
}

bool bench_run_counters(const struct bench_run *run, const char *device,
			const char *from, const char *to,
			struct bench_counters *delta)
{
	json_t *a = mark_stats(run, from), *b = mark_stats(run, to);
	struct bench_counters ca, cb;
	if (!a || !b || !device_counters(a, device, &ca) ||
	    !device_counters(b, device, &cb))
		return false;
	delta->instructions = cb.instructions - ca.instructions;
	delta->mmio_exits = cb.mmio_exits - ca.mmio_exits;
	delta->interrupts = cb.interrupts - ca.interrupts;
	delta->requests = cb.requests - ca.requests;
	delta->bytes = cb.bytes - ca.bytes;
	return true;
}
