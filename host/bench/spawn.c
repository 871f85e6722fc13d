/*
 * fork/exec with capture, timeout and timing for `pvkit bench` (see
 * spawn.h). Children stay in our process group so that a Ctrl-C on the
 * bench stops the engine too.
 */
#define _GNU_SOURCE /* memmem */
#include "host/bench/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A Linux boot log is well under this; beyond it we keep reading (so the
 * child never blocks on a full pipe) but drop the bytes. */
#define CAPTURE_MAX (8u << 20)

struct capture {
	char *buf;
	size_t len, cap;
};

double spawn_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void capture_add(struct capture *c, const char *data, size_t n)
{
	if (c->len + n > CAPTURE_MAX)
		n = CAPTURE_MAX - c->len;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *p = realloc(c->buf, cap);
		if (!p)
			return; /* keep what we have; the run itself is unaffected */
		c->buf = p;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, n);
	c->len += n;
	c->buf[c->len] = 0;
}

static void capture_printf(struct capture *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		capture_add(c, line,
			    (size_t)n < sizeof(line) ? (size_t)n
						     : sizeof(line) - 1);
}

/* Only exec-safe calls between fork and exec. */
static void child(char *const *argv, int in_fd, int out_fd, int err_fd)
{
	if (in_fd < 0)
		in_fd = open("/dev/null", O_RDONLY);
	if (in_fd < 0 || dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 ||
	    dup2(err_fd, 2) < 0)
		_exit(127);
	execvp(argv[0], argv);
	static const char msg[] = "exec failed\n";
	ssize_t ignored = write(2, msg, sizeof(msg) - 1);
	(void)ignored;
	_exit(127);
}

/* The partial last line of stdout, for spawn_req.on_line. Longer lines
 * are cut: the lines that matter (marks, results) are short. */
struct line_buf {
	char buf[4096];
	size_t len;
};

static void feed_lines(const struct spawn_req *req, struct line_buf *lb,
		       const char *data, size_t n, int stdin_fd)
{
	for (size_t k = 0; k < n; k++) {
		if (data[k] == '\n') {
			size_t len = lb->len;
			if (len && lb->buf[len - 1] == '\r')
				len--;
			lb->buf[len] = 0;
			req->on_line(req->opaque, lb->buf, len, stdin_fd);
			lb->len = 0;
		} else if (lb->len + 1 < sizeof(lb->buf)) {
			lb->buf[lb->len++] = data[k];
		}
	}
}

/* Reads what is available from *fd into c; closes it and sets -1 at EOF.
 * Complete lines go to lines' on_line if lines is not NULL. */
static void drain(int *fd, struct capture *c, const struct spawn_req *req,
		  struct line_buf *lines, int stdin_fd)
{
	char chunk[16384];
	ssize_t n = read(*fd, chunk, sizeof(chunk));
	if (n > 0) {
		capture_add(c, chunk, (size_t)n);
		if (lines)
			feed_lines(req, lines, chunk, (size_t)n, stdin_fd);
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

static void finish(struct spawn_result *res, int wstatus,
		   const struct rusage *ru)
{
	if (WIFEXITED(wstatus))
		res->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		res->signo = WTERMSIG(wstatus), res->status = 128 + res->signo;
	res->cpu_s = (double)ru->ru_utime.tv_sec +
		     (double)ru->ru_utime.tv_usec * 1e-6 +
		     (double)ru->ru_stime.tv_sec +
		     (double)ru->ru_stime.tv_usec * 1e-6;
}

int spawn_run(const struct spawn_req *req, struct spawn_result *res)
{
	struct capture out = {0}, err = {0};
	memset(res, 0, sizeof(*res));
	res->status = -1;
	res->marker_s = -1;

	int po[2], pe[2], pi[2] = {-1, -1}, saved_errno;
	if (pipe(po) < 0)
		goto fail_start;
	if (pipe(pe) < 0) {
		saved_errno = errno;
		close(po[0]), close(po[1]);
		errno = saved_errno;
		goto fail_start;
	}
	if (req->on_line && pipe(pi) < 0) {
		saved_errno = errno;
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		errno = saved_errno;
		goto fail_start;
	}
	fflush(NULL); /* the child must not inherit unwritten stdio buffers */
	double t0 = spawn_now();
	pid_t pid = fork();
	if (pid == 0) {
		close(po[0]), close(pe[0]);
		if (pi[1] >= 0)
			close(pi[1]);
		child(req->argv, pi[0], po[1], pe[1]);
	}
	close(po[1]), close(pe[1]);
	if (pi[0] >= 0)
		close(pi[0]);
	if (pid < 0) {
		saved_errno = errno;
		close(po[0]), close(pe[0]);
		if (pi[1] >= 0)
			close(pi[1]);
		errno = saved_errno;
		goto fail_start;
	}

	double deadline = t0 + req->timeout_s;
	struct line_buf *lines =
		req->on_line ? calloc(1, sizeof(*lines)) : NULL;
	int fds[2] = {po[0], pe[0]};
	size_t marker_len = req->marker ? strlen(req->marker) : 0;
	int wstatus = 0;
	struct rusage ru;
	bool reaped = false;
	while (!reaped) {
		double now = spawn_now();
		if (now >= deadline) {
			kill(pid, SIGKILL);
			res->timed_out = true;
			while (wait4(pid, &wstatus, 0, &ru) < 0 &&
			       errno == EINTR)
				;
			res->wall_s = spawn_now() - t0;
			reaped = true;
			break;
		}
		if (fds[0] < 0 && fds[1] < 0) {
			/* both streams closed: the child is exiting; poll for it
			 * finely so short runs (the baseline) stay accurate */
			pid_t r = wait4(pid, &wstatus, WNOHANG, &ru);
			if (r == pid) {
				res->wall_s = spawn_now() - t0;
				reaped = true;
			} else {
				struct timespec ts = {0, 100000};
				nanosleep(&ts, NULL);
			}
			continue;
		}
		struct pollfd p[2];
		int np = 0;
		for (int k = 0; k < 2; k++)
			if (fds[k] >= 0)
				p[np++] = (struct pollfd){.fd = fds[k],
							  .events = POLLIN};
		int ms = (int)((deadline - now) * 1000) + 1;
		if (poll(p, (nfds_t)np, ms) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < np; k++) {
			if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			bool is_out = p[k].fd == fds[0];
			size_t before = out.len;
			if (is_out)
				drain(&fds[0], &out, req, lines, pi[1]);
			else
				drain(&fds[1], &err, req, NULL, -1);
			if (is_out && marker_len && res->marker_s < 0 &&
			    out.len > before) {
				/* the marker may straddle two reads */
				size_t from = before > marker_len
						      ? before - marker_len
						      : 0;
				if (memmem(out.buf + from, out.len - from,
					   req->marker, marker_len))
					res->marker_s = spawn_now() - t0;
			}
		}
	}
	for (int k = 0; k < 2; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	if (pi[1] >= 0)
		close(pi[1]);
	free(lines);
	if (!reaped) { /* poll failed: do not leave the child behind */
		kill(pid, SIGKILL);
		while (wait4(pid, &wstatus, 0, &ru) < 0 && errno == EINTR)
			;
		res->wall_s = spawn_now() - t0;
	}
	finish(res, wstatus, &ru);
	capture_add(&out, "", 0);
	capture_add(&err, "", 0);
	res->out = out.buf, res->out_len = out.len;
	res->err = err.buf, res->err_len = err.len;
	return 0;

fail_start:
	capture_printf(&err, "cannot start %s: %s", req->argv[0],
		       strerror(errno));
	res->err = err.buf, res->err_len = err.len;
	capture_add(&out, "", 0);
	res->out = out.buf, res->out_len = out.len;
	return -1;
}

void spawn_result_free(struct spawn_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

bool spawn_find_in_path(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		int n = snprintf(buf, size, "%.*s/%s", (int)len,
				 len ? path : ".", name);
		struct stat st;
		if (n > 0 && (size_t)n < size && stat(buf, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return true;
		path += len + (end ? 1 : 0);
	}
	return false;
}

void spawn_describe(const struct spawn_result *res, char *buf, size_t size)
{
	if (res->timed_out)
		snprintf(buf, size, "timeout after %.0f s", res->wall_s);
	else if (res->status < 0)
		snprintf(buf, size, "could not start");
	else if (res->signo)
		snprintf(buf, size, "killed by signal %d", res->signo);
	else
		snprintf(buf, size, "exit %d", res->status);
}
