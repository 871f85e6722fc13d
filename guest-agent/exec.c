/*
 * guest-exec and guest-exec-status, as qemu-ga has them.
 *
 * guest-exec forks and returns the child's pid at once; the main loop
 * then feeds input-data to the child's stdin and collects its stdout and
 * stderr through non-blocking pipes, so any number of long commands run
 * while the agent keeps answering. A child counts as finished (qemu-ga's
 * "exited") once it has been reaped and both output pipes are drained;
 * the status call that reports that also forgets it. Output beyond 16 MiB
 * per stream is dropped and flagged out-truncated/err-truncated.
 *
 * A failed exec is reported by the child through a close-on-exec pipe,
 * so a missing program is an error reply, not a pid that exits with 127.
 */
#define _GNU_SOURCE /* pipe2 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* qemu's GuestExecCaptureOutputMode; a boolean means none/separated */
enum capture { CAP_NONE, CAP_STDOUT, CAP_STDERR, CAP_SEPARATED, CAP_MERGED };

static bool parse_capture(json_t *v, enum capture *cap, struct agent_err *e)
{
	static const char *const names[] = {"none", "stdout", "stderr",
					    "separated", "merged"};
	*cap = CAP_NONE;
	if (!v)
		return true;
	if (json_is_boolean(v)) {
		*cap = json_is_true(v) ? CAP_SEPARATED : CAP_NONE;
		return true;
	}
	if (json_is_string(v)) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(json_string_value(v), names[i])) {
				*cap = (enum capture)i;
				return true;
			}
		agent_error(e,
			    "Parameter 'capture-output' does not accept value "
			    "'%s'",
			    json_string_value(v));
		return false;
	}
	agent_error(e, "Invalid parameter type for 'capture-output', "
		       "expected: GuestExecCaptureOutput");
	return false;
}

/* NULL-terminated copy of a validated JSON string array, first element
 * optionally given. Strings point into the JSON value. */
static char **strv(const char *first, json_t *arr)
{
	size_t n = arr ? json_array_size(arr) : 0, k = 0;
	char **v = calloc(n + 2, sizeof(*v));
	if (!v)
		return NULL;
	if (first)
		v[k++] = (char *)first;
	for (size_t i = 0; i < n; i++)
		v[k++] = (char *)json_string_value(json_array_get(arr, i));
	return v;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_pair(int p[2])
{
	close_fd(&p[0]);
	close_fd(&p[1]);
}

static void nonblock(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* In the child: stdio from the pipes or /dev/null, default signal
 * handling back (the agent blocks SIGCHLD and friends), then exec. */
static void __attribute__((noreturn))
child(const char *path, char **argv, char **envp, int in, int out, int err,
      int report)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	int null = open("/dev/null", O_RDWR);
	dup2(in >= 0 ? in : null, STDIN_FILENO);
	dup2(out >= 0 ? out : null, STDOUT_FILENO);
	dup2(err >= 0 ? err : null, STDERR_FILENO);
	if (envp)
		environ = envp; /* so execvp searches the given PATH */
	execvp(path, argv);
	int code = errno;
	if (write(report, &code, sizeof(code)) < 0)
		_exit(127);
	_exit(127);
}

json_t *cmd_exec(struct agent *ag, json_t *args, struct agent_err *e)
{
	const char *path = json_string_value(json_object_get(args, "path"));
	json_t *jin = json_object_get(args, "input-data");
	enum capture cap;
	if (!parse_capture(json_object_get(args, "capture-output"), &cap, e))
		return NULL;
	if (ag->nprocs >= EXEC_MAX_PROCS) {
		agent_error(e,
			    "too many processes (%u) waiting for "
			    "guest-exec-status",
			    ag->nprocs);
		return NULL;
	}
	unsigned char *in = NULL;
	size_t in_len = 0;
	if (jin && !(in = base64_decode(json_string_value(jin), &in_len))) {
		agent_error(e, "Base64 data is not valid");
		return NULL;
	}
	char **argv = strv(path, json_object_get(args, "arg"));
	json_t *jenv = json_object_get(args, "env");
	char **envp = jenv ? strv(NULL, jenv) : NULL;
	struct exec_proc *p = calloc(1, sizeof(*p));
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
	int rep[2] = {-1, -1};
	bool want_out =
		cap == CAP_STDOUT || cap == CAP_SEPARATED || cap == CAP_MERGED;
	bool want_err = cap == CAP_STDERR || cap == CAP_SEPARATED;
	if (!argv || (jenv && !envp) || !p ||
	    (in && pipe2(pin, O_CLOEXEC) < 0) ||
	    (want_out && pipe2(pout, O_CLOEXEC) < 0) ||
	    (want_err && pipe2(perr, O_CLOEXEC) < 0) ||
	    pipe2(rep, O_CLOEXEC) < 0) {
		agent_error_errno(e, errno, "guest-exec: cannot set up");
		goto fail;
	}
	pid_t pid = fork();
	if (pid < 0) {
		agent_error_errno(e, errno, "guest-exec: fork failed");
		goto fail;
	}
	if (pid == 0)
		child(path, argv, envp, pin[0], pout[1],
		      cap == CAP_MERGED ? pout[1] : perr[1], rep[1]);

	close_fd(&pin[0]);
	close_fd(&pout[1]);
	close_fd(&perr[1]);
	close_fd(&rep[1]);
	int code = 0;
	ssize_t r;
	do
		r = read(rep[0], &code, sizeof(code));
	while (r < 0 && errno == EINTR);
	close_fd(&rep[0]);
	if (r == (ssize_t)sizeof(code)) {
		/* glib's words, which qemu-ga passes on */
		agent_error(e,
			    "Guest agent command failed, error was 'Failed to "
			    "execute child process \u201c%s\u201d (%s)'",
			    path, strerror(code));
		waitpid(pid, NULL, 0);
		goto fail;
	}

	p->pid = pid;
	p->fd_in = pin[1];
	p->fd_out = pout[0];
	p->fd_err = perr[0];
	p->in_data = in;
	p->in_len = in_len;
	nonblock(p->fd_in);
	nonblock(p->fd_out);
	nonblock(p->fd_err);
	if (p->fd_in >= 0 && in_len == 0)
		close_fd(&p->fd_in);
	p->next = ag->procs;
	ag->procs = p;
	ag->nprocs++;
	free(argv);
	free(envp);
	agent_log(ag, 1, "guest-exec: %s, pid %d", path, (int)pid);
	return json_pack("{s:I}", "pid", (json_int_t)pid);

fail:
	close_pair(pin);
	close_pair(pout);
	close_pair(perr);
	close_pair(rep);
	free(in);
	free(argv);
	free(envp);
	free(p);
	return NULL;
}

static bool finished(const struct exec_proc *p)
{
	return p->exited && p->fd_out < 0 && p->fd_err < 0;
}

static void free_proc(struct exec_proc *p)
{
	close_fd(&p->fd_in);
	close_fd(&p->fd_out);
	close_fd(&p->fd_err);
	free(p->in_data);
	free(p->out.data);
	free(p->err.data);
	free(p);
}

static json_t *b64(const struct exec_buf *b)
{
	char *s = base64_encode(b->data, b->len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

json_t *cmd_exec_status(struct agent *ag, json_t *args, struct agent_err *e)
{
	json_int_t pid = json_integer_value(json_object_get(args, "pid"));
	struct exec_proc **pp = &ag->procs;
	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->next;
	if (!*pp) {
		agent_error(e, "Invalid parameter 'pid'");
		return NULL;
	}
	struct exec_proc *p = *pp;
	if (!finished(p))
		return json_pack("{s:b}", "exited", 0);

	json_t *r = json_pack("{s:b}", "exited", 1);
	if (WIFEXITED(p->status))
		json_object_set_new(r, "exitcode",
				    json_integer(WEXITSTATUS(p->status)));
	else if (WIFSIGNALED(p->status))
		json_object_set_new(r, "signal",
				    json_integer(WTERMSIG(p->status)));
	if (p->out.len) {
		json_object_set_new(r, "out-data", b64(&p->out));
		if (p->out.truncated)
			json_object_set_new(r, "out-truncated", json_true());
	}
	if (p->err.len) {
		json_object_set_new(r, "err-data", b64(&p->err));
		if (p->err.truncated)
			json_object_set_new(r, "err-truncated", json_true());
	}
	*pp = p->next;
	ag->nprocs--;
	free_proc(p);
	return r;
}

size_t exec_poll_fds(struct agent *ag, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	for (struct exec_proc *p = ag->procs; p; p = p->next) {
		if (n + 3 > max)
			break;
		if (p->fd_in >= 0)
			fds[n++] = (struct pollfd){p->fd_in, POLLOUT, 0};
		if (p->fd_out >= 0)
			fds[n++] = (struct pollfd){p->fd_out, POLLIN, 0};
		if (p->fd_err >= 0)
			fds[n++] = (struct pollfd){p->fd_err, POLLIN, 0};
	}
	return n;
}

/* Reads what a pipe has; closes it at end-of-file. Past the limit the
 * data is still read (so the child is not blocked) but dropped. */
static void drain(int *fd, struct exec_buf *b)
{
	unsigned char tmp[65536];
	for (;;) {
		ssize_t r = read(*fd, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			close_fd(fd);
			return;
		}
		size_t keep = (size_t)r;
		if (b->len + keep > EXEC_MAX_OUTPUT) {
			keep = EXEC_MAX_OUTPUT - b->len;
			b->truncated = true;
		}
		if (b->len + keep > b->cap) {
			size_t ncap = b->cap ? b->cap : 4096;
			while (ncap < b->len + keep)
				ncap *= 2;
			unsigned char *nd = realloc(b->data, ncap);
			if (!nd) {
				b->truncated = true;
				continue;
			}
			b->data = nd;
			b->cap = ncap;
		}
		memcpy(b->data + b->len, tmp, keep);
		b->len += keep;
	}
}

static void feed(struct exec_proc *p)
{
	while (p->in_off < p->in_len) {
		ssize_t w = write(p->fd_in, p->in_data + p->in_off,
				  p->in_len - p->in_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w < 0)
			break; /* the child closed its stdin: fine */
		p->in_off += (size_t)w;
	}
	close_fd(&p->fd_in);
	free(p->in_data);
	p->in_data = NULL;
}

void exec_poll_events(struct agent *ag, const struct pollfd *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		for (struct exec_proc *p = ag->procs; p; p = p->next) {
			if (fds[i].fd == p->fd_in)
				feed(p);
			else if (fds[i].fd == p->fd_out)
				drain(&p->fd_out, &p->out);
			else if (fds[i].fd == p->fd_err)
				drain(&p->fd_err, &p->err);
			else
				continue;
			break;
		}
	}
}

void exec_reap(struct agent *ag)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (struct exec_proc *p = ag->procs; p; p = p->next) {
			if (p->pid != pid)
				continue;
			p->exited = true;
			p->status = status;
			/* nobody is left to read the rest of its input */
			close_fd(&p->fd_in);
			agent_log(ag, 1, "guest-exec: pid %d ended (0x%x)",
				  (int)pid, status);
			break;
		}
	}
}

void exec_free_all(struct agent *ag)
{
	while (ag->procs) {
		struct exec_proc *p = ag->procs;
		ag->procs = p->next;
		free_proc(p);
	}
	ag->nprocs = 0;
}
