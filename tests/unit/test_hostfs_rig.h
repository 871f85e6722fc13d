/*
 * A FUSE client made of raw bytes, for hostfs's unit tests: a libfuse
 * session on hostfs_ops() with a custom-io writev that captures each
 * reply, fed hand-built requests (fuse_in_header + <linux/fuse.h> args)
 * through fuse_session_process_buf. No /dev/fuse, no kernel in between,
 * so a test can send what no kernel would: forged node ids and handles,
 * names with '/', truncated requests.
 *
 * Each rig shares TMP/share; TMP/outside holds a file the client must
 * never reach.
 */
#ifndef PVKIT_TESTS_UNIT_TEST_HOSTFS_RIG_H
#define PVKIT_TESTS_UNIT_TEST_HOSTFS_RIG_H

#define _GNU_SOURCE
#include "host/fs/hostfs.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define RIG_REPLY_MAX (2u << 20)
#define RIG_NO_REPLY 1 /* rig_call's answer to FORGET and friends */

struct rig {
	char tmp[64], share[96], outside[96];
	struct hostfs *fs;
	struct fuse_session *se;
	char *reply; /* fuse_out_header + payload of the last reply */
	size_t reply_len;
	uint64_t unique;
	uint32_t uid, gid;
};

/* A thread of a multi-threaded test keeps its replies here: the rig's
   own buffer serves the test's main thread. */
struct rig_reply {
	char *buf;
	size_t len;
};
static __thread struct rig_reply *rig_thread_reply;

static inline ssize_t rig_writev(int fd, struct iovec *iov, int count,
				 void *userdata)
{
	(void)fd;
	struct rig *r = hostfs_transport(userdata);
	char *dst = rig_thread_reply ? rig_thread_reply->buf : r->reply;
	size_t len = 0;
	for (int i = 0; i < count; i++) {
		ck_assert_uint_le(len + iov[i].iov_len, RIG_REPLY_MAX);
		memcpy(dst + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	if (rig_thread_reply)
		rig_thread_reply->len = len;
	else
		r->reply_len = len;
	return (ssize_t)len;
}

static inline ssize_t rig_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)fd;
	(void)buf;
	(void)len;
	(void)userdata;
	errno = ENODEV; /* requests come through process_buf only */
	return -1;
}

static inline void rig_sh(const char *fmt, const char *arg)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg);
	ck_assert_int_eq(system(cmd), 0);
}

/* Sends one request: header and up to three argument pieces. Returns
   the reply's error (0 or -errno), RIG_NO_REPLY when there was none. */
static inline int rig_call3(struct rig *r, uint32_t opcode, uint64_t nodeid,
			    const void *a, size_t alen, const void *b,
			    size_t blen, const void *c, size_t clen)
{
	size_t len = sizeof(struct fuse_in_header) + alen + blen + clen;
	/* 8-aligned, as a transport's buffer would be. */
	uint64_t *buf = calloc(1, len + 8);
	struct fuse_in_header *h = (void *)buf;
	*h = (struct fuse_in_header){
		.len = (uint32_t)len,
		.opcode = opcode,
		.unique = ++r->unique,
		.nodeid = nodeid,
		.uid = r->uid,
		.gid = r->gid,
		.pid = (uint32_t)getpid(),
	};
	char *p = (char *)(h + 1);
	if (alen)
		memcpy(p, a, alen);
	if (blen)
		memcpy(p + alen, b, blen);
	if (clen)
		memcpy(p + alen + blen, c, clen);
	ck_assert_int_eq(hostfs_check_request(buf, len), 0);
	struct fuse_buf fb = {.size = len, .mem = buf};
	r->reply_len = 0;
	fuse_session_process_buf(r->se, &fb);
	free(buf);
	if (!r->reply_len)
		return RIG_NO_REPLY;
	const struct fuse_out_header *out = (const void *)r->reply;
	ck_assert_uint_eq(out->unique, r->unique);
	ck_assert_uint_eq(out->len, r->reply_len);
	return out->error;
}

static inline int rig_call(struct rig *r, uint32_t opcode, uint64_t nodeid,
			   const void *a, size_t alen)
{
	return rig_call3(r, opcode, nodeid, a, alen, NULL, 0, NULL, 0);
}

/* The reply's payload, after the fuse_out_header. */
static inline const void *rig_out(const struct rig *r)
{
	return r->reply + sizeof(struct fuse_out_header);
}

static inline size_t rig_out_len(const struct rig *r)
{
	return r->reply_len - sizeof(struct fuse_out_header);
}

static inline void rig_start_with(struct rig *r, struct hostfs_options *o)
{
	r->reply = malloc(RIG_REPLY_MAX);
	r->uid = getuid();
	r->gid = getgid();
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	fuse_opt_add_arg(&args, "hostfs-unit");
	char err[256];
	r->fs = hostfs_open(o, err, sizeof(err));
	ck_assert_msg(r->fs, "hostfs_open: %s", err);
	hostfs_set_transport(r->fs, r);
	r->se = fuse_session_new(&args, hostfs_ops(),
				 sizeof(struct fuse_lowlevel_ops), r->fs);
	fuse_opt_free_args(&args);
	ck_assert_ptr_nonnull(r->se);
	static const struct fuse_custom_io io = {
		.writev = rig_writev,
		.read = rig_read,
	};
	ck_assert_int_eq(
		fuse_session_custom_io(r->se, &io, open("/dev/null", O_RDWR)),
		0);
	struct fuse_init_in init = {
		.major = FUSE_KERNEL_VERSION,
		.minor = 31,
		.max_readahead = 128 << 10,
		.flags = FUSE_ASYNC_READ | FUSE_DO_READDIRPLUS |
			 FUSE_EXPORT_SUPPORT | FUSE_BIG_WRITES |
			 FUSE_MAX_PAGES | FUSE_PARALLEL_DIROPS,
	};
	ck_assert_int_eq(rig_call(r, FUSE_INIT, 0, &init, 16), 0);
}

/* A fresh share holding "file" ("hello"), "dir/" and an outside secret. */
static inline void rig_make_tree(struct rig *r)
{
	strcpy(r->tmp, "/tmp/hostfs-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(r->tmp));
	snprintf(r->share, sizeof(r->share), "%s/share", r->tmp);
	snprintf(r->outside, sizeof(r->outside), "%s/outside", r->tmp);
	rig_sh("mkdir %s/share %s/share/dir %s/outside", r->tmp);
	rig_sh("printf hello > %s/share/file; printf secret > "
	       "%s/outside/secret",
	       r->tmp);
}

static inline void rig_start(struct rig *r)
{
	rig_make_tree(r);
	struct hostfs_options o;
	hostfs_default_options(&o, r->share);
	rig_start_with(r, &o);
}

static inline void rig_stop(struct rig *r)
{
	fuse_session_destroy(r->se);
	hostfs_close(r->fs);
	free(r->reply);
	rig_sh("rm -rf --one-file-system %s", r->tmp);
}

/* A path under the rig's temporary folder. */
static inline const char *rig_path(const struct rig *r, const char *rel)
{
	static __thread char path[256];
	snprintf(path, sizeof(path), "%s/%s", r->tmp, rel);
	return path;
}

/* LOOKUP name in parent: the entry (node id 0 on error) and the error. */
static inline int rig_lookup(struct rig *r, uint64_t parent, const char *name,
			     struct fuse_entry_out *e)
{
	int err = rig_call(r, FUSE_LOOKUP, parent, name, strlen(name) + 1);
	*e = (struct fuse_entry_out){0};
	if (!err)
		memcpy(e, rig_out(r), sizeof(*e));
	return err;
}

static inline uint64_t rig_lookup_ok(struct rig *r, uint64_t parent,
				     const char *name)
{
	struct fuse_entry_out e;
	ck_assert_int_eq(rig_lookup(r, parent, name, &e), 0);
	return e.nodeid;
}

/* OPEN (or OPENDIR) and the fh. */
static inline int rig_open(struct rig *r, uint32_t opcode, uint64_t node,
			   uint32_t flags, uint64_t *fh)
{
	struct fuse_open_in in = {.flags = flags};
	int err = rig_call(r, opcode, node, &in, sizeof(in));
	*fh = 0;
	if (!err)
		*fh = ((const struct fuse_open_out *)rig_out(r))->fh;
	return err;
}

static inline int rig_read_fh(struct rig *r, uint64_t node, uint64_t fh,
			      uint64_t off, uint32_t size)
{
	struct fuse_read_in in = {.fh = fh, .offset = off, .size = size};
	return rig_call(r, FUSE_READ, node, &in, sizeof(in));
}

static inline int rig_write_fh(struct rig *r, uint64_t node, uint64_t fh,
			       uint64_t off, const char *data)
{
	struct fuse_write_in in = {
		.fh = fh, .offset = off, .size = (uint32_t)strlen(data)};
	return rig_call3(r, FUSE_WRITE, node, &in, sizeof(in), data,
			 strlen(data), NULL, 0);
}

static inline int rig_getattr(struct rig *r, uint64_t node,
			      struct fuse_attr *attr)
{
	struct fuse_getattr_in in = {0};
	int err = rig_call(r, FUSE_GETATTR, node, &in, sizeof(in));
	if (!err)
		*attr = ((const struct fuse_attr_out *)rig_out(r))->attr;
	return err;
}

/* CREATE name in parent with mode; entry and fh. */
static inline int rig_create(struct rig *r, uint64_t parent, const char *name,
			     uint32_t flags, uint32_t mode,
			     struct fuse_entry_out *e, uint64_t *fh)
{
	struct fuse_create_in in = {.flags = flags, .mode = mode};
	int err = rig_call3(r, FUSE_CREATE, parent, &in, sizeof(in), name,
			    strlen(name) + 1, NULL, 0);
	if (!err) {
		memcpy(e, rig_out(r), sizeof(*e));
		const struct fuse_open_out *o =
			(const void *)((const char *)rig_out(r) + sizeof(*e));
		*fh = o->fh;
	}
	return err;
}

static inline int rig_release(struct rig *r, uint32_t opcode, uint64_t node,
			      uint64_t fh)
{
	struct fuse_release_in in = {.fh = fh};
	return rig_call(r, opcode, node, &in, sizeof(in));
}

/* Two names back to back, as RENAME, SYMLINK and LINK carry them. */
static inline int rig_call_names(struct rig *r, uint32_t opcode, uint64_t node,
				 const void *fixed, size_t fixed_len,
				 const char *n1, const char *n2)
{
	return rig_call3(r, opcode, node, fixed, fixed_len, n1, strlen(n1) + 1,
			 n2, n2 ? strlen(n2) + 1 : 0);
}

static inline mode_t rig_host_mode(const char *path)
{
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_mode;
}

#endif
