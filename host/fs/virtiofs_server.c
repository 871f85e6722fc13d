/*
 * virtio-fs server (see virtiofs_server.h): the request queue, the worker
 * pool, the libfuse session and its custom io, and the eventfd that hands
 * completions back to the machine thread.
 *
 * Life of a request: the device submits it (machine thread) into the
 * queue; a worker copies it out of guest RAM into its own buffer (the
 * device's checked header on top, zeros after the end, so nothing libfuse
 * reads past a short request comes from anywhere else), checks its
 * arguments, and calls fuse_session_process_buf(); hostfs answers through
 * fuse_reply_*, which ends in capture_reply() on the same thread, which
 * copies the reply into the chain's writable part. The worker then queues
 * the completion and pokes the eventfd; the event loop delivers it.
 *
 * INIT and DESTROY run alone (the session's write lock): libfuse's INIT
 * is not safe against a concurrent second INIT, and after DESTROY (a guest
 * umount) the session is replaced so that a later mount can INIT again.
 * A device reset does the same after waiting for the workers.
 */
#include "virtiofs_server.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "emulator/backend/fs.h"
#include "emulator/virtio/virtio.h"
#include "host/event_loop.h"
#include "host/fs/hostfs.h"
#include "host/fs/virtiofs_args.h"

/* libfuse 3.14's receive buffer: FUSE_MAX_MAX_PAGES pages and a page for
   headers. Its INIT offers max_write = that less the header page, so no
   request a kernel sends is larger. */
#define MAX_REQUEST (256 * 4096 + 4096)
/* Zeros after each request: longer than any fixed argument struct, so a
   short request reads as zeros past its end, inside the buffer. */
#define ZERO_PAD 4096
#define QUEUE_CAP 256
#define WORKER_BITS 8

struct worker {
	struct virtiofs_server *srv;
	pthread_t thread;
	unsigned index;
	uint8_t *buf; /* MAX_REQUEST + ZERO_PAD */
	/* the request being served: unique is pvkit's, 0 when idle.
	   INTERRUPT reads both from the machine thread while this worker
	   rewrites them: the worker's stores and INTERRUPT's loads are
	   __atomic (the worker's own reads need not be). guest_unique is
	   relaxed: the pair may be seen mid-change only between two
	   requests, where answering an interrupt EAGAIN or not at all are
	   both right. */
	uint64_t unique;
	uint64_t guest_unique;
	struct fs_request cur;
	uint32_t written;
	bool replied;
};

struct completion {
	uint32_t id, written;
};

struct virtiofs_server {
	struct fs_backend be; /* first: the device's handle is &be */
	struct hostfs *fs;
	struct event_loop *loop;
	int efd; /* completions waiting */

	pthread_rwlock_t session_lock;
	struct fuse_session *se;

	pthread_mutex_t lock; /* everything below */
	pthread_cond_t work, idle;
	struct fs_request queue[QUEUE_CAP];
	unsigned qhead, qlen;
	struct completion done[QUEUE_CAP];
	unsigned ndone;
	unsigned busy;	/* workers serving a request */
	uint64_t epoch; /* bumped by a reset: older work is dropped */
	uint64_t seq;
	bool stopping;
	/* Not under lock: every field is updated and read with __atomic
	   builtins (workers count without taking the lock). */
	struct virtiofs_server_stats st;

	struct worker w[VIRTIOFS_WORKERS];
};

/* --- the libfuse session ---------------------------------------------------- */

/* The custom io's read: never used, the workers feed the session. */
static ssize_t no_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)fd, (void)buf, (void)len, (void)userdata;
	errno = ENODEV;
	return -1;
}

static ssize_t capture_reply(int fd, struct iovec *iov, int count,
			     void *userdata);

static const struct fuse_custom_io custom_io = {
	.writev = capture_reply,
	.read = no_read,
};

static struct fuse_session *session_new(struct virtiofs_server *s)
{
	char *argv[] = {"pvkit-virtiofs", NULL};
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse_session *se = fuse_session_new(
		&args, hostfs_ops(), sizeof(struct fuse_lowlevel_ops), s->fs);
	fuse_opt_free_args(&args);
	if (!se)
		return NULL;
	/* libfuse closes this fd with the session; it is never read */
	int fd = eventfd(0, EFD_CLOEXEC);
	if (fd < 0 || fuse_session_custom_io(se, &custom_io, fd)) {
		if (fd >= 0)
			close(fd);
		fuse_session_destroy(se);
		return NULL;
	}
	__atomic_fetch_add(&s->st.sessions, 1, __ATOMIC_RELAXED);
	return se;
}

/* Under the session's write lock: the guest will INIT afresh. */
static void session_restart(struct virtiofs_server *s)
{
	struct fuse_session *se = session_new(s);
	if (!se) {
		/* keep the old one: a later INIT is refused, nothing worse */
		fprintf(stderr,
			"pvkit: virtio-fs %s: cannot restart the "
			"FUSE session\n",
			s->be.tag);
		return;
	}
	fuse_session_destroy(s->se); /* hostfs's destroy if it had INIT */
	s->se = se;
}

/* --- replies ---------------------------------------------------------------- */

/* Writes a bare error reply into r's chain; returns the bytes written. */
static uint32_t error_reply(const struct fs_request *r, uint64_t unique,
			    int err)
{
	struct vfs_out_header out = {sizeof(out), -err, unique};
	if (r->in_len < sizeof(out))
		return 0;
	return (uint32_t)iov_from_buf(r->iov + r->nout, r->nin, 0, &out,
				      sizeof(out));
}

static size_t iov_total(const struct iovec *iov, int count)
{
	size_t n = 0;
	for (int k = 0; k < count; k++)
		n += iov[k].iov_len;
	return n;
}

/* libfuse's writev: a reply (or a notification, unique 0) for one of the
   requests being served. Copies it into that request's chain. */
static ssize_t capture_reply(int fd, struct iovec *iov, int count,
			     void *userdata)
{
	(void)fd;
	struct virtiofs_server *s = hostfs_transport(userdata);
	size_t total = iov_total(iov, count);
	struct vfs_out_header out;
	if (count < 1 || iov[0].iov_len < sizeof(out))
		return (ssize_t)total;
	memcpy(&out, iov[0].iov_base, sizeof(out));
	unsigned idx = (unsigned)(out.unique & ((1u << WORKER_BITS) - 1));
	if (!s || out.unique == 0 || idx >= VIRTIOFS_WORKERS)
		return (ssize_t)total; /* a notification: no channel for it */
	struct worker *w = &s->w[idx];
	if (__atomic_load_n(&w->unique, __ATOMIC_ACQUIRE) != out.unique ||
	    w->replied)
		return (ssize_t)total; /* stale, or a second reply */
	const struct fs_request *r = &w->cur;
	w->replied = true;
	if (total > r->in_len) {
		/* The guest asked for more than it left room for: it gets EIO
		   (its request must complete), and libfuse is told the reply
		   was not sent so that the fuse_reply_* call fails and hostfs
		   undoes what the guest never learned (an open handle, lookup
		   counts). ENOENT is the error libfuse takes quietly, as for
		   an interrupted request on /dev/fuse. */
		w->written = error_reply(r, w->guest_unique, EIO);
		errno = ENOENT;
		return -1;
	}
	const struct iovec *dst = r->iov + r->nout;
	out.unique = w->guest_unique;
	size_t off = iov_from_buf(dst, r->nin, 0, &out, sizeof(out));
	if (iov[0].iov_len > sizeof(out))
		off += iov_from_buf(dst, r->nin, off,
				    (uint8_t *)iov[0].iov_base + sizeof(out),
				    iov[0].iov_len - sizeof(out));
	for (int k = 1; k < count; k++)
		off += iov_from_buf(dst, r->nin, off, iov[k].iov_base,
				    iov[k].iov_len);
	w->written = (uint32_t)off;
	return (ssize_t)total;
}

/* --- workers ---------------------------------------------------------------- */

static bool expects_reply(uint32_t opcode)
{
	return opcode != VFS_OP_FORGET && opcode != VFS_OP_BATCH_FORGET;
}

/* Serves one request; returns the bytes written into its chain. */
static uint32_t serve(struct worker *w, const struct fs_request *r)
{
	struct virtiofs_server *s = w->srv;
	size_t len = r->hdr.len;
	iov_to_buf(r->iov, r->nout, 0, w->buf, len);
	memcpy(w->buf, &r->hdr, sizeof(r->hdr)); /* the copy that was checked */
	memset(w->buf + len, 0, ZERO_PAD);
	/* ours (every opcode, ENOSYS for what is not passed on), then
	   hostfs's own shape check: two readings of the same rules */
	int err = virtiofs_check_args(w->buf, len);
	if (!err)
		err = hostfs_check_request(w->buf, len);
	if (err) {
		__atomic_fetch_add(&s->st.refused_args, 1, __ATOMIC_RELAXED);
		return expects_reply(r->hdr.opcode)
			       ? error_reply(r, r->hdr.unique, err)
			       : 0;
	}
	uint64_t seq = __atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED);
	uint64_t unique = (seq << WORKER_BITS) | w->index;
	struct vfs_in_header *h = (struct vfs_in_header *)w->buf;
	h->unique = unique;
	w->cur = *r;
	__atomic_store_n(&w->guest_unique, r->hdr.unique, __ATOMIC_RELAXED);
	w->written = 0;
	w->replied = false;
	__atomic_store_n(&w->unique, unique, __ATOMIC_RELEASE);

	bool alone = h->opcode == VFS_OP_INIT || h->opcode == VFS_OP_DESTROY;
	if (alone)
		pthread_rwlock_wrlock(&s->session_lock);
	else
		pthread_rwlock_rdlock(&s->session_lock);
	struct fuse_buf fb = {.size = len, .mem = w->buf};
	fuse_session_process_buf(s->se, &fb);
	if (h->opcode == VFS_OP_DESTROY)
		session_restart(s);
	pthread_rwlock_unlock(&s->session_lock);

	__atomic_store_n(&w->unique, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&s->st.requests, 1, __ATOMIC_RELAXED);
	if (w->replied) {
		__atomic_fetch_add(&s->st.replies, 1, __ATOMIC_RELAXED);
		return w->written;
	}
	if (!expects_reply(r->hdr.opcode))
		return 0; /* FORGET: the chain goes back empty */
	/* libfuse answered nothing (it should have): do not leave the guest
	   waiting */
	__atomic_fetch_add(&s->st.no_reply, 1, __ATOMIC_RELAXED);
	return error_reply(r, r->hdr.unique, EIO);
}

/* Queues a completion (lock held) and wakes the event loop. */
static void complete_locked(struct virtiofs_server *s, uint32_t id,
			    uint32_t written)
{
	if (s->ndone == QUEUE_CAP)
		return; /* cannot happen: at most QUEUE_CAP are accepted */
	s->done[s->ndone++] = (struct completion){id, written};
	uint64_t one = 1;
	if (write(s->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("pvkit: virtio-fs eventfd");
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct virtiofs_server *s = w->srv;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->stopping && s->qlen == 0)
			pthread_cond_wait(&s->work, &s->lock);
		if (s->stopping)
			break;
		struct fs_request r = s->queue[s->qhead];
		s->qhead = (s->qhead + 1) % QUEUE_CAP;
		s->qlen--;
		uint64_t epoch = s->epoch;
		s->busy++;
		pthread_mutex_unlock(&s->lock);

		uint32_t written = serve(w, &r);

		pthread_mutex_lock(&s->lock);
		if (epoch == s->epoch)
			complete_locked(s, r.id, written);
		if (--s->busy == 0)
			pthread_cond_broadcast(&s->idle);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* --- the back-end interface ------------------------------------------------- */

/* INTERRUPT, answered here as libfuse would (it keeps unknown ones queued
   until some later request, without bound): a request still in flight
   carries on and the interrupt gets no reply; otherwise EAGAIN. */
static uint32_t interrupt(struct virtiofs_server *s, const struct fs_request *r)
{
	struct vfs_interrupt_in in;
	if (r->out_len < sizeof(r->hdr) + sizeof(in))
		return error_reply(r, r->hdr.unique, EINVAL);
	iov_to_buf(r->iov, r->nout, sizeof(r->hdr), &in, sizeof(in));
	for (unsigned k = 0; k < s->qlen; k++)
		if (s->queue[(s->qhead + k) % QUEUE_CAP].hdr.unique ==
		    in.unique)
			return 0;
	for (unsigned k = 0; k < VIRTIOFS_WORKERS; k++)
		if (__atomic_load_n(&s->w[k].unique, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&s->w[k].guest_unique, __ATOMIC_RELAXED) ==
			    in.unique)
			return 0;
	return error_reply(r, r->hdr.unique, EAGAIN);
}

static void srv_submit(struct fs_backend *b, const struct fs_request *r)
{
	struct virtiofs_server *s = (struct virtiofs_server *)b;
	pthread_mutex_lock(&s->lock);
	if (r->hdr.opcode == VFS_OP_INTERRUPT) {
		complete_locked(s, r->id, interrupt(s, r));
	} else if (s->qlen == QUEUE_CAP) {
		complete_locked(s, r->id, error_reply(r, r->hdr.unique, EBUSY));
	} else {
		s->queue[(s->qhead + s->qlen) % QUEUE_CAP] = *r;
		s->qlen++;
		pthread_cond_signal(&s->work);
	}
	pthread_mutex_unlock(&s->lock);
}

/* The eventfd is readable: hand the completions to the device. */
static void deliver(void *opaque, int fd, short revents)
{
	struct virtiofs_server *s = opaque;
	(void)revents;
	uint64_t n;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	struct completion batch[QUEUE_CAP];
	pthread_mutex_lock(&s->lock);
	unsigned count = s->ndone;
	memcpy(batch, s->done, count * sizeof(batch[0]));
	s->ndone = 0;
	pthread_mutex_unlock(&s->lock);
	for (unsigned k = 0; k < count; k++)
		if (s->be.front.complete)
			s->be.front.complete(s->be.front.opaque, batch[k].id,
					     batch[k].written);
}

static void srv_cancel_all(struct fs_backend *b)
{
	struct virtiofs_server *s = (struct virtiofs_server *)b;
	pthread_mutex_lock(&s->lock);
	s->epoch++;
	s->qlen = 0;
	while (s->busy)
		pthread_cond_wait(&s->idle, &s->lock);
	s->ndone = 0;
	pthread_mutex_unlock(&s->lock);
	uint64_t n;
	if (read(s->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		perror("pvkit: virtio-fs eventfd");
	pthread_rwlock_wrlock(&s->session_lock);
	session_restart(s);
	pthread_rwlock_unlock(&s->session_lock);
}

static void srv_close(struct fs_backend *b)
{
	struct virtiofs_server *s = (struct virtiofs_server *)b;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
	for (unsigned k = 0; k < VIRTIOFS_WORKERS; k++) {
		if (s->w[k].thread)
			pthread_join(s->w[k].thread, NULL);
		free(s->w[k].buf);
	}
	if (s->loop)
		event_loop_unwatch(s->loop, s->efd);
	if (s->se)
		fuse_session_destroy(s->se);
	if (s->fs)
		hostfs_close(s->fs);
	if (s->efd >= 0)
		close(s->efd);
	pthread_rwlock_destroy(&s->session_lock);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->idle);
	free(s);
}

static const struct fs_ops server_ops = {
	.submit = srv_submit,
	.cancel_all = srv_cancel_all,
	.close = srv_close,
};

struct fs_backend *virtiofs_server_open(const struct hostfs_options *o,
					const char *tag,
					struct event_loop *loop, char *err,
					size_t errlen)
{
	struct virtiofs_server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->be.ops = &server_ops;
	s->be.max_request = MAX_REQUEST;
	snprintf(s->be.tag, sizeof(s->be.tag), "%s", tag);
	s->efd = -1;
	pthread_rwlock_init(&s->session_lock, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->idle, NULL);
	s->fs = hostfs_open(o, err, errlen);
	if (!s->fs)
		goto fail;
	hostfs_set_transport(s->fs, s);
	s->se = session_new(s);
	s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!s->se || s->efd < 0) {
		snprintf(err, errlen, "cannot start a FUSE session for '%s'",
			 o->root);
		goto fail;
	}
	for (unsigned k = 0; k < VIRTIOFS_WORKERS; k++) {
		struct worker *w = &s->w[k];
		w->srv = s;
		w->index = k;
		w->buf = malloc(MAX_REQUEST + ZERO_PAD);
		if (!w->buf ||
		    pthread_create(&w->thread, NULL, worker_main, w)) {
			w->thread = 0;
			snprintf(err, errlen, "cannot start virtio-fs workers");
			goto fail;
		}
	}
	if (loop && event_loop_watch(loop, s->efd, POLLIN, deliver, s)) {
		snprintf(err, errlen, "too many host files to watch");
		goto fail;
	}
	s->loop = loop;
	return &s->be;
fail:
	srv_close(&s->be);
	return NULL;
}

void virtiofs_server_stats(struct fs_backend *b,
			   struct virtiofs_server_stats *out)
{
	struct virtiofs_server *s = (struct virtiofs_server *)b;
	/* Each counter on its own: a snapshot, not one consistent cut. */
	*out = (struct virtiofs_server_stats){
		.requests = __atomic_load_n(&s->st.requests, __ATOMIC_RELAXED),
		.replies = __atomic_load_n(&s->st.replies, __ATOMIC_RELAXED),
		.no_reply = __atomic_load_n(&s->st.no_reply, __ATOMIC_RELAXED),
		.refused_args =
			__atomic_load_n(&s->st.refused_args, __ATOMIC_RELAXED),
		.sessions = __atomic_load_n(&s->st.sessions, __ATOMIC_RELAXED),
	};
}
