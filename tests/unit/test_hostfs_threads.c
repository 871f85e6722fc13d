/*
 * hostfs under several libfuse workers at once, as a transport's worker
 * pool drives it: honest threads look up, open, read, list and release
 * while a hostile one forgets every node id with huge counts and releases
 * file handles it guesses. Nothing may crash or read freed memory (run it
 * under `make unit-tests-san`), and a read through an fh that is still
 * open always returns the file's bytes.
 */
#include "test_hostfs_rig.h"

#include <pthread.h>

#define ROUNDS 400

struct worker {
	struct rig *r;
	uint64_t unique;
	struct rig_reply reply;
	int reads_ok, unexpected;
};

/* One request from this thread; the reply's error or RIG_NO_REPLY. */
static int send_req(struct worker *w, uint32_t opcode, uint64_t node,
		    const void *a, size_t alen, const void *b, size_t blen)
{
	size_t len = sizeof(struct fuse_in_header) + alen + blen;
	uint64_t buf[64];
	ck_assert_uint_le(len, sizeof(buf));
	struct fuse_in_header *h = (void *)buf;
	*h = (struct fuse_in_header){.len = (uint32_t)len,
				     .opcode = opcode,
				     .unique = ++w->unique,
				     .nodeid = node,
				     .uid = w->r->uid,
				     .gid = w->r->gid};
	memcpy(h + 1, a, alen);
	if (blen)
		memcpy((char *)(h + 1) + alen, b, blen);
	ck_assert_int_eq(hostfs_check_request(buf, len), 0);
	struct fuse_buf fb = {.size = len, .mem = buf};
	w->reply.len = 0;
	fuse_session_process_buf(w->r->se, &fb);
	if (!w->reply.len)
		return RIG_NO_REPLY;
	const struct fuse_out_header *out = (const void *)w->reply.buf;
	ck_assert_uint_eq(out->unique, w->unique);
	return out->error;
}

static const void *payload(const struct worker *w)
{
	return w->reply.buf + sizeof(struct fuse_out_header);
}

static void honest_round(struct worker *w)
{
	int err = send_req(w, FUSE_LOOKUP, FUSE_ROOT_ID, "file", 5, NULL, 0);
	if (err) {
		w->unexpected++;
		return;
	}
	uint64_t node = ((const struct fuse_entry_out *)payload(w))->nodeid;
	struct fuse_open_in op = {.flags = O_RDONLY};
	err = send_req(w, FUSE_OPEN, node, &op, sizeof(op), NULL, 0);
	if (err == 0) {
		uint64_t fh = ((const struct fuse_open_out *)payload(w))->fh;
		struct fuse_read_in rd = {.fh = fh, .size = 64};
		err = send_req(w, FUSE_READ, node, &rd, sizeof(rd), NULL, 0);
		if (err == 0 &&
		    w->reply.len == sizeof(struct fuse_out_header) + 5 &&
		    !memcmp(payload(w), "hello", 5))
			w->reads_ok++;
		else if (err != -EBADF) /* the hostile thread released it */
			w->unexpected++;
		struct fuse_release_in rl = {.fh = fh};
		err = send_req(w, FUSE_RELEASE, node, &rl, sizeof(rl), NULL, 0);
		if (err && err != -EBADF)
			w->unexpected++;
	} else if (err != -ESTALE) { /* forgotten under us: fine */
		w->unexpected++;
	}
	struct fuse_forget_in fg = {.nlookup = 1};
	send_req(w, FUSE_FORGET, node, &fg, sizeof(fg), NULL, 0);

	/* A listing with lookups of every entry. */
	err = send_req(w, FUSE_OPENDIR, FUSE_ROOT_ID, &op, sizeof(op), NULL, 0);
	if (err) {
		w->unexpected++;
		return;
	}
	uint64_t dfh = ((const struct fuse_open_out *)payload(w))->fh;
	struct fuse_read_in rd = {.fh = dfh, .size = 4096};
	err = send_req(w, FUSE_READDIRPLUS, FUSE_ROOT_ID, &rd, sizeof(rd), NULL,
		       0);
	if (err && err != -EBADF)
		w->unexpected++;
	struct fuse_release_in rl = {.fh = dfh};
	send_req(w, FUSE_RELEASEDIR, FUSE_ROOT_ID, &rl, sizeof(rl), NULL, 0);
}

static void *honest(void *arg)
{
	struct worker *w = arg;
	rig_thread_reply = &w->reply;
	for (int i = 0; i < ROUNDS; i++)
		honest_round(w);
	return NULL;
}

static void *hostile(void *arg)
{
	struct worker *w = arg;
	rig_thread_reply = &w->reply;
	for (int i = 0; i < ROUNDS; i++) {
		for (uint64_t slot = 1; slot < 12; slot++) {
			for (uint64_t gen = 0; gen < 4; gen++) {
				uint64_t id = gen << 32 | slot;
				struct fuse_forget_in fg = {.nlookup =
								    UINT64_MAX};
				send_req(w, FUSE_FORGET, id, &fg, sizeof(fg),
					 NULL, 0);
				struct fuse_release_in rl = {.fh = id};
				send_req(w,
					 gen & 1 ? FUSE_RELEASE
						 : FUSE_RELEASEDIR,
					 FUSE_ROOT_ID, &rl, sizeof(rl), NULL,
					 0);
			}
		}
	}
	return NULL;
}

START_TEST(workers_and_a_hostile_forgetter_share_the_tables)
{
	struct rig r;
	rig_start(&r);
	rig_sh("cd %s/share && touch a b c d e f g", r.tmp);
	enum { HONEST = 3 };
	struct worker w[HONEST + 1];
	pthread_t t[HONEST + 1];
	for (int i = 0; i <= HONEST; i++) {
		w[i] = (struct worker){.r = &r,
				       .unique = (uint64_t)(i + 1) << 40,
				       .reply = {.buf = malloc(RIG_REPLY_MAX)}};
		ck_assert_int_eq(pthread_create(&t[i], NULL,
						i < HONEST ? honest : hostile,
						&w[i]),
				 0);
	}
	int reads_ok = 0;
	for (int i = 0; i <= HONEST; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].unexpected, 0);
		reads_ok += w[i].reads_ok;
		free(w[i].reply.buf);
	}
	/* Most reads got through; the rest met a released fh or node. */
	ck_assert_int_gt(reads_ok, 0);
	/* The tables are still whole: the root and the file answer. */
	struct fuse_attr a;
	ck_assert_int_eq(rig_getattr(&r, FUSE_ROOT_ID, &a), 0);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDONLY, &fh), 0);
	ck_assert_int_eq(rig_read_fh(&r, file, fh, 0, 16), 0);
	ck_assert_mem_eq(rig_out(&r), "hello", 5);
	rig_stop(&r);
}
END_TEST

Suite *hostfs_threads_suite(void)
{
	Suite *s = suite_create("hostfs_threads");
	TCase *tc = tcase_create("workers");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, workers_and_a_hostile_forgetter_share_the_tables);
	suite_add_tcase(s, tc);
	return s;
}
