/*
 * Running one engine (pvkit or QEMU) for `pvkit bench`: fork/exec with
 * stdin on /dev/null, stdout and stderr captured, a hard timeout and
 * monotonic-clock timing, optionally of the first appearance of a marker
 * string on stdout, optionally answering lines of stdout on the child's
 * stdin. Owns nothing beyond the buffers it returns.
 */
#ifndef PVKIT_HOST_BENCH_SPAWN_H
#define PVKIT_HOST_BENCH_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

struct spawn_req {
	char *const *argv;  /* argv[0] is looked up in PATH if it has no '/' */
	double timeout_s;   /* the child is killed (SIGKILL) after this */
	const char *marker; /* NULL, or a string to time on stdout */
	/* NULL, or called for each complete line of stdout (without its
	 * '\n'); the child's stdin is then a pipe whose write end is
	 * stdin_fd (else it is /dev/null). */
	void (*on_line)(void *opaque, const char *line, size_t len,
			int stdin_fd);
	void *opaque;
};

struct spawn_result {
	int status; /* exit status; 128 + signal if killed; -1 if not run */
	int signo;  /* the signal that ended it, 0 if none */
	bool timed_out;
	double wall_s;	 /* from just before fork to the child's exit */
	double cpu_s;	 /* the child's user + system time */
	double marker_s; /* from fork to the marker; < 0 if never seen */
	char *out, *err; /* NUL-terminated, possibly truncated; free with
			     spawn_result_free */
	size_t out_len, err_len;
};

/* Returns 0 if the child ran (whatever its status), -1 if it could not be
 * started (res->err then says why). */
int spawn_run(const struct spawn_req *req, struct spawn_result *res);
void spawn_result_free(struct spawn_result *res);

/* Full path of an executable found in PATH, written to buf; false if none. */
bool spawn_find_in_path(const char *name, char *buf, size_t size);

/* One line describing how a run ended: "exit 3", "timeout after 120 s",
 * "killed by signal 11", "could not start". */
void spawn_describe(const struct spawn_result *res, char *buf, size_t size);

double spawn_now(void);

#endif
