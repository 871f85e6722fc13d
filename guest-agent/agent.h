/*
 * pvkit guest agent: declarations shared by its modules.
 *
 * The agent speaks qemu-ga's wire protocol (QMP-style JSON requests and
 * replies, guest-sync-delimited's 0xFF sentinel, qemu-ga's error classes
 * and wording) over one character device, so existing qemu-ga clients
 * work against it. All state lives in one struct agent owned by main();
 * command handlers get it by pointer.
 */
#ifndef PVKIT_AGENT_H
#define PVKIT_AGENT_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AGENT_VERSION "0.1.0-pvkit"

/* qemu-ga's resynchronisation byte: it is never valid in UTF-8 JSON, so
 * the agent drops any partial request when it sees one, and prefixes the
 * reply of guest-sync-delimited with it. */
#define AGENT_SENTINEL 0xFF

/* Default upper bound on one request; bigger ones are discarded whole
 * (with one error reply) so a broken client cannot exhaust guest RAM. */
#define AGENT_MAX_REQUEST_DEFAULT (16u << 20)

/* qemu-ga's limits: guest-exec keeps at most 16 MiB of each output
 * stream, guest-file-read reads at most 48 MiB at once. */
#define EXEC_MAX_OUTPUT (16u << 20)
#define FILE_READ_COUNT_DEFAULT 4096
#define FILE_READ_COUNT_MAX (48 << 20)
/* qemu-ga numbers file handles from 1000 */
#define FILE_HANDLE_FIRST 1000

/* Bounds on tables a client fills and might never empty. */
#define EXEC_MAX_PROCS 1024
#define FILE_MAX_HANDLES 1024

/* The host test build (build/pvkit-agent-host) runs as whoever runs the
 * tests, often root: there, commands that would change the machine
 * (shutdown, setting the clock, freezing filesystems) are checked and
 * logged but not carried out. */
#ifdef AGENT_DRY_RUN
#define AGENT_IS_DRY_RUN 1
#else
#define AGENT_IS_DRY_RUN 0
#endif

/* An error reply: qemu-ga's class name and description. */
struct agent_err {
	const char *cls; /* "GenericError" unless said otherwise */
	char desc[512];
};

/* One output stream of a guest-exec child. */
struct exec_buf {
	unsigned char *data;
	size_t len, cap;
	bool truncated;
};

/* A process started by guest-exec, kept until guest-exec-status has
 * reported it finished (qemu-ga semantics). */
struct exec_proc {
	pid_t pid;
	bool exited; /* reaped; status valid */
	int status;
	int fd_in, fd_out, fd_err; /* -1 once closed */
	unsigned char *in_data;
	size_t in_len, in_off;
	struct exec_buf out, err;
	struct exec_proc *next;
};

struct agent_file {
	int64_t id;
	int fd;
	struct agent_file *next;
};

struct agent {
	int verbose;
	bool frozen;	   /* guest-fsfreeze-freeze succeeded */
	bool delimit_next; /* next reply gets the 0xFF prefix */
	struct exec_proc *procs;
	unsigned nprocs;
	struct agent_file *files;
	unsigned nfiles;
	int64_t next_handle;
};

/* --- errors and logging (dispatch.c) --- */
void agent_error(struct agent_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* as agent_error, then ": strerror(errnum)" as qemu's error_setg_errno */
void agent_error_errno(struct agent_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void agent_log(const struct agent *ag, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A JSON string from bytes that may not be UTF-8 (file names, os-release
 * values): invalid bytes become '?', so the reply stays valid JSON. */
json_t *json_str_lossy(const char *s);

/* --- request handling (dispatch.c) --- */
/* Handles one framed request; returns the reply (without 0xFF or
 * newline) or NULL for commands that send none on success. */
json_t *agent_handle_request(struct agent *ag, const char *buf, size_t len);
/* The reply to a request that could not be framed (too large, cut). */
json_t *agent_error_reply(const char *desc);

/* Command handlers: args is the validated "arguments" object; return
 * the "return" value (a new reference), or NULL with *e filled, or NULL
 * with e->desc empty for "no reply". */
typedef json_t *agent_cmd_fn(struct agent *ag, json_t *args,
			     struct agent_err *e);

agent_cmd_fn cmd_get_osinfo, cmd_get_host_name, cmd_get_time, cmd_set_time,
	cmd_get_timezone, cmd_shutdown, cmd_get_load, cmd_memory_block_info;
agent_cmd_fn cmd_exec, cmd_exec_status;
agent_cmd_fn cmd_file_open, cmd_file_read, cmd_file_write, cmd_file_seek,
	cmd_file_flush, cmd_file_close;
agent_cmd_fn cmd_fsfreeze_status, cmd_fsfreeze_freeze, cmd_fsfreeze_thaw,
	cmd_get_fsinfo;
agent_cmd_fn cmd_network_get_interfaces;

/* --- guest-exec children (exec.c), driven by the main loop --- */
struct pollfd;
/* Appends the pipes of running children to fds; returns how many. */
size_t exec_poll_fds(struct agent *ag, struct pollfd *fds, size_t max);
/* Moves data for the pipes poll() reported on. */
void exec_poll_events(struct agent *ag, const struct pollfd *fds, size_t n);
/* Reaps exited children (after SIGCHLD). */
void exec_reap(struct agent *ag);
void exec_free_all(struct agent *ag);

/* --- files and filesystems --- */
void file_close_all(struct agent *ag);
/* Thaws everything guest-fsfreeze-freeze froze (on exit). */
void fs_thaw_all(struct agent *ag);

/* --- base64 (base64.c), the standard alphabet with padding --- */
char *base64_encode(const unsigned char *data, size_t len);
/* Returns malloc'd bytes (NUL-terminated for convenience), or NULL if s
 * is not valid base64. */
unsigned char *base64_decode(const char *s, size_t *out_len);

#endif
