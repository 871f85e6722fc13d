/*
 * guest-file-open/read/write/seek/flush/close, as qemu-ga has them:
 * integer handles numbered from 1000, fopen()-style modes, base64
 * payloads, reads of at most 48 MiB, and qemu-ga's error wording.
 *
 * Files are plain non-blocking descriptors rather than stdio streams
 * (qemu-ga uses FILE * and has to fseek between reads and writes); a
 * read of a pipe or device that has nothing returns what there is
 * instead of blocking the agent.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *mode;
	int flags;
} modes[] = {
	{"r", O_RDONLY},
	{"rb", O_RDONLY},
	{"w", O_WRONLY | O_CREAT | O_TRUNC},
	{"wb", O_WRONLY | O_CREAT | O_TRUNC},
	{"a", O_WRONLY | O_CREAT | O_APPEND},
	{"ab", O_WRONLY | O_CREAT | O_APPEND},
	{"r+", O_RDWR},
	{"rb+", O_RDWR},
	{"r+b", O_RDWR},
	{"w+", O_RDWR | O_CREAT | O_TRUNC},
	{"wb+", O_RDWR | O_CREAT | O_TRUNC},
	{"w+b", O_RDWR | O_CREAT | O_TRUNC},
	{"a+", O_RDWR | O_CREAT | O_APPEND},
	{"ab+", O_RDWR | O_CREAT | O_APPEND},
	{"a+b", O_RDWR | O_CREAT | O_APPEND},
};

static struct agent_file *find(struct agent *ag, json_t *args,
			       struct agent_err *e)
{
	json_int_t id = json_integer_value(json_object_get(args, "handle"));
	for (struct agent_file *h = ag->files; h; h = h->next)
		if (h->id == id)
			return h;
	agent_error(e, "handle '%" PRId64 "' has not been found", (int64_t)id);
	return NULL;
}

json_t *cmd_file_open(struct agent *ag, json_t *args, struct agent_err *e)
{
	const char *path = json_string_value(json_object_get(args, "path"));
	json_t *jmode = json_object_get(args, "mode");
	const char *mode = jmode ? json_string_value(jmode) : "r";
	int flags = -1;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].mode))
			flags = modes[i].flags;
	if (flags < 0) {
		agent_error(e, "invalid file open mode '%s'", mode);
		return NULL;
	}
	if (ag->nfiles >= FILE_MAX_HANDLES) {
		agent_error(e, "too many open files (%u)", ag->nfiles);
		return NULL;
	}
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
	if (fd < 0) {
		agent_error_errno(e, errno,
				  "failed to open file '%s' (mode: '%s')", path,
				  mode);
		return NULL;
	}
	struct agent_file *h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		agent_error(e, "out of memory");
		return NULL;
	}
	h->id = ag->next_handle++;
	h->fd = fd;
	h->next = ag->files;
	ag->files = h;
	ag->nfiles++;
	agent_log(ag, 1, "guest-file-open: %s (%s) = %" PRId64, path, mode,
		  h->id);
	return json_integer(h->id);
}

/* A count argument: absent gives dflt; out of [0, max] is qemu-ga's
 * "invalid for argument count". */
static bool get_count(json_t *args, int64_t dflt, int64_t max, int64_t *out,
		      struct agent_err *e)
{
	json_t *j = json_object_get(args, "count");
	if (!j) {
		*out = dflt;
		return true;
	}
	int64_t c = json_integer_value(j);
	if (c < 0 || c > max) {
		agent_error(e,
			    "value '%" PRId64 "' is invalid for argument "
			    "count",
			    c);
		return false;
	}
	*out = c;
	return true;
}

json_t *cmd_file_read(struct agent *ag, json_t *args, struct agent_err *e)
{
	struct agent_file *h = find(ag, args, e);
	int64_t count;
	if (!h || !get_count(args, FILE_READ_COUNT_DEFAULT, FILE_READ_COUNT_MAX,
			     &count, e))
		return NULL;
	unsigned char *buf = malloc((size_t)count + 1);
	if (!buf) {
		agent_error(e, "out of memory");
		return NULL;
	}
	size_t got = 0;
	bool eof = false;
	while (got < (size_t)count) {
		ssize_t r = read(h->fd, buf + got, (size_t)count - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0) {
			agent_error_errno(e, errno, "failed to read file");
			free(buf);
			return NULL;
		}
		if (r == 0) {
			eof = true;
			break;
		}
		got += (size_t)r;
	}
	char *b64 = base64_encode(buf, got);
	free(buf);
	if (!b64) {
		agent_error(e, "out of memory");
		return NULL;
	}
	json_t *r = json_pack("{s:I, s:s, s:b}", "count", (json_int_t)got,
			      "buf-b64", b64, "eof", eof);
	free(b64);
	return r;
}

json_t *cmd_file_write(struct agent *ag, json_t *args, struct agent_err *e)
{
	struct agent_file *h = find(ag, args, e);
	if (!h)
		return NULL;
	size_t len;
	unsigned char *buf = base64_decode(
		json_string_value(json_object_get(args, "buf-b64")), &len);
	if (!buf) {
		agent_error(e, "Base64 data is not valid");
		return NULL;
	}
	int64_t count;
	if (!get_count(args, (int64_t)len, (int64_t)len, &count, e)) {
		free(buf);
		return NULL;
	}
	size_t done = 0;
	while (done < (size_t)count) {
		ssize_t w = write(h->fd, buf + done, (size_t)count - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN && done)
			break; /* a full pipe: report what went */
		if (w < 0) {
			agent_error_errno(e, errno, "failed to write to file");
			free(buf);
			return NULL;
		}
		done += (size_t)w;
	}
	free(buf);
	return json_pack("{s:I, s:b}", "count", (json_int_t)done, "eof", 0);
}

json_t *cmd_file_seek(struct agent *ag, json_t *args, struct agent_err *e)
{
	struct agent_file *h = find(ag, args, e);
	if (!h)
		return NULL;
	json_int_t offset = json_integer_value(json_object_get(args, "offset"));
	json_t *jw = json_object_get(args, "whence");
	int whence;
	/* qemu's GuestFileWhence: a QGASeek name or a raw integer */
	if (json_is_integer(jw)) {
		json_int_t w = json_integer_value(jw);
		if (w < 0 || w > 2) {
			agent_error(e, "invalid whence code %" PRId64,
				    (int64_t)w);
			return NULL;
		}
		whence = w == 0 ? SEEK_SET : w == 1 ? SEEK_CUR : SEEK_END;
	} else if (json_is_string(jw)) {
		const char *s = json_string_value(jw);
		if (!strcmp(s, "set"))
			whence = SEEK_SET;
		else if (!strcmp(s, "cur"))
			whence = SEEK_CUR;
		else if (!strcmp(s, "end"))
			whence = SEEK_END;
		else {
			agent_error(e,
				    "Parameter 'whence' does not accept value "
				    "'%s'",
				    s);
			return NULL;
		}
	} else {
		agent_error(e, "Invalid parameter type for 'whence', "
			       "expected: GuestFileWhence");
		return NULL;
	}
	off_t pos = lseek(h->fd, (off_t)offset, whence);
	if (pos < 0) {
		agent_error_errno(e, errno, "failed to seek file");
		return NULL;
	}
	return json_pack("{s:I, s:b}", "position", (json_int_t)pos, "eof", 0);
}

json_t *cmd_file_flush(struct agent *ag, json_t *args, struct agent_err *e)
{
	struct agent_file *h = find(ag, args, e);
	if (!h)
		return NULL;
	/* nothing is buffered in the agent; make it durable instead, which
	 * is what a flush before guest-shutdown is for. Pipes and ttys
	 * cannot be synced and need not be. */
	if (fsync(h->fd) < 0 && errno != EINVAL && errno != EROFS) {
		agent_error_errno(e, errno, "failed to flush file");
		return NULL;
	}
	return json_object();
}

json_t *cmd_file_close(struct agent *ag, json_t *args, struct agent_err *e)
{
	struct agent_file *h = find(ag, args, e);
	if (!h)
		return NULL;
	struct agent_file **pp = &ag->files;
	while (*pp != h)
		pp = &(*pp)->next;
	*pp = h->next;
	ag->nfiles--;
	int rc = close(h->fd);
	int err = errno;
	free(h);
	if (rc < 0 && err != EINTR) {
		agent_error_errno(e, err, "failed to close handle");
		return NULL;
	}
	return json_object();
}

void file_close_all(struct agent *ag)
{
	while (ag->files) {
		struct agent_file *h = ag->files;
		ag->files = h->next;
		close(h->fd);
		free(h);
	}
	ag->nfiles = 0;
}
