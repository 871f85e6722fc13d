/*
 * The virtio-fs device on its real host end: the libfuse3 server
 * (host/fs/virtiofs_server.c) over hostfs in a temporary folder, its worker
 * threads and the eventfd that brings completions back through the event
 * loop. Raw FUSE requests on the request queue: INIT, LOOKUP, OPEN, READ;
 * many requests in flight with the same guest unique; a reply too large
 * for its chain; INTERRUPT; DESTROY then a second INIT; a reset with
 * requests in flight, after which nothing more lands on the used ring and
 * the next INIT starts a fresh session.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "emulator/backend/fs.h"
#include "emulator/virtio/fs.h"
#include "host/event_loop.h"
#include "host/fs/hostfs.h"
#include "host/fs/virtiofs_server.h"
#include "protocol/virtio_fs.h"
#include "tests/unit/virtio_rig.h"

#define REQ_PA(k) (RIG_BUF + 0x200 * (uint64_t)(k))
#define REPLY_PA(k) (RIG_BUF + 0x20000 + 0x1000 * (uint64_t)(k))
#define REPLY_ROOM 0x1000

struct rig {
	char dir[64];
	struct bus bus;
	struct event_loop loop;
	struct fs_backend *be;
	struct virtio_fs *fs;
	struct virtio_dev *dev;
	struct vq_driver req;
};

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	strcpy(r->dir, "/tmp/pvkit-vfs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(r->dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/hello.txt", r->dir);
	FILE *f = fopen(path, "w");
	fputs("hello from the host\n", f);
	fclose(f);
	rig_bus_init(&r->bus);
	event_loop_init(&r->loop);
	struct hostfs_options o;
	hostfs_default_options(&o, r->dir);
	char err[256];
	r->be = virtiofs_server_open(&o, "t", &r->loop, err, sizeof(err));
	ck_assert_msg(r->be != NULL, "%s", err);
	r->fs = virtio_fs_create(r->be);
	r->dev = virtio_fs_dev(r->fs);
	r->dev->bus = &r->bus;
	drv_setup(r->dev, &r->req, 1, 256, ~0ull);
	return r;
}

static void rig_del(struct rig *r)
{
	r->be->ops->cancel_all(r->be);
	virtio_fs_free(r->fs);
	r->be->ops->close(r->be);
	rig_bus_free(&r->bus);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	ck_assert_int_eq(system(cmd), 0);
	free(r);
}

/* Request k: header + arg + name on descriptors 2k (readable) and 2k+1
   (reply_room writable bytes); published, not kicked. */
static void put(struct rig *r, unsigned k, uint32_t opcode, uint64_t unique,
		uint64_t nodeid, const void *arg, uint32_t arg_len,
		const char *name, uint32_t reply_room)
{
	uint8_t *p = rig_ptr(&r->bus, REQ_PA(k));
	uint32_t len = sizeof(struct vfs_in_header) + arg_len +
		       (name ? (uint32_t)strlen(name) + 1 : 0);
	struct vfs_in_header h = {.len = len,
				  .opcode = opcode,
				  .unique = unique,
				  .nodeid = nodeid};
	memcpy(p, &h, sizeof(h));
	if (arg_len)
		memcpy(p + sizeof(h), arg, arg_len);
	if (name)
		memcpy(p + sizeof(h) + arg_len, name, strlen(name) + 1);
	memset(rig_ptr(&r->bus, REPLY_PA(k)), 0xa5, REPLY_ROOM);
	uint16_t d = (uint16_t)(2 * k);
	drv_desc(&r->req, d, REQ_PA(k), len, VIRTQ_DESC_F_NEXT,
		 (uint16_t)(d + 1));
	drv_desc(&r->req, (uint16_t)(d + 1), REPLY_PA(k), reply_room,
		 VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&r->req, d);
}

/* Runs the event loop until n chains came back (5 s at most); their
   request numbers go to ks[] in completion order. */
static void wait_used(struct rig *r, unsigned n, unsigned *ks, uint32_t *lens)
{
	for (unsigned got = 0, spins = 0; got < n; spins++) {
		ck_assert_msg(spins < 500, "only %u of %u completed", got, n);
		uint32_t id, len;
		while (got < n && drv_get_used(&r->req, &id, &len)) {
			if (ks)
				ks[got] = id / 2;
			if (lens)
				lens[got] = len;
			got++;
		}
		if (got < n)
			event_loop_poll(&r->loop, NULL, 10 * 1000000);
	}
}

static struct vfs_out_header reply(struct rig *r, unsigned k)
{
	struct vfs_out_header o;
	memcpy(&o, rig_ptr(&r->bus, REPLY_PA(k)), sizeof(o));
	return o;
}

static const void *reply_body(struct rig *r, unsigned k)
{
	return (uint8_t *)rig_ptr(&r->bus, REPLY_PA(k)) +
	       sizeof(struct vfs_out_header);
}

/* One request, kicked and waited for; returns the reply's error. */
static int call(struct rig *r, uint32_t opcode, uint64_t nodeid,
		const void *arg, uint32_t arg_len, const char *name)
{
	put(r, 0, opcode, 77, nodeid, arg, arg_len, name, REPLY_ROOM);
	virtio_dev_notify(r->dev, 1);
	wait_used(r, 1, NULL, NULL);
	struct vfs_out_header o = reply(r, 0);
	ck_assert_uint_eq(o.unique, 77);
	return o.error;
}

static void fuse_init(struct rig *r)
{
	struct vfs_init_in in = {.major = 7, .minor = 31};
	ck_assert_int_eq(call(r, VFS_OP_INIT, 0, &in, sizeof(in), NULL), 0);
}

START_TEST(init_lookup_open_read)
{
	struct rig *r = rig_new();
	struct vfs_getattr_in ga = {0};
	ck_assert_int_eq(call(r, VFS_OP_GETATTR, 1, &ga, sizeof(ga), NULL),
			 -EIO); /* before INIT */
	fuse_init(r);
	ck_assert_int_eq(call(r, VFS_OP_LOOKUP, 1, NULL, 0, "hello.txt"), 0);
	const struct vfs_entry_out *e = reply_body(r, 0);
	uint64_t node = e->nodeid;
	ck_assert_uint_eq(e->attr.size, 20);
	struct vfs_open_in oi = {O_RDONLY, 0};
	ck_assert_int_eq(call(r, VFS_OP_OPEN, node, &oi, sizeof(oi), NULL), 0);
	uint64_t fh = ((const struct vfs_open_out *)reply_body(r, 0))->fh;
	struct vfs_read_in rd = {.fh = fh, .size = 100};
	ck_assert_int_eq(call(r, VFS_OP_READ, node, &rd, sizeof(rd), NULL), 0);
	ck_assert_uint_eq(reply(r, 0).len, 16 + 20);
	ck_assert_mem_eq(reply_body(r, 0), "hello from the host\n", 20);
	rig_del(r);
}
END_TEST

START_TEST(many_in_flight_with_one_guest_unique)
{
	struct rig *r = rig_new();
	fuse_init(r);
	enum { N = 48 };
	struct vfs_getattr_in ga = {0};
	for (unsigned k = 0; k < N; k++)
		put(r, k, VFS_OP_GETATTR, 5, 1, &ga, sizeof(ga), NULL,
		    REPLY_ROOM);
	virtio_dev_notify(r->dev, 1);
	/* the notify only queued them: the machine thread serves nothing
	   itself, completions come back through the event loop */
	ck_assert_uint_eq(drv_used_idx(&r->req), 1); /* the INIT */
	unsigned ks[N];
	uint32_t lens[N];
	wait_used(r, N, ks, lens);
	bool seen[N] = {0};
	for (unsigned k = 0; k < N; k++) {
		ck_assert_uint_lt(ks[k], N);
		ck_assert(!seen[ks[k]]);
		seen[ks[k]] = true;
		struct vfs_out_header o = reply(r, ks[k]);
		ck_assert_int_eq(o.error, 0);
		ck_assert_uint_eq(o.unique, 5);
		ck_assert_uint_eq(o.len, lens[k]);
		ck_assert_uint_eq(lens[k], 16 + sizeof(struct vfs_attr_out));
	}
	rig_del(r);
}
END_TEST

START_TEST(reply_larger_than_its_chain)
{
	struct rig *r = rig_new();
	fuse_init(r);
	struct vfs_getattr_in ga = {0};
	/* room for the header only: the attributes do not fit */
	put(r, 0, VFS_OP_GETATTR, 9, 1, &ga, sizeof(ga), NULL, 24);
	virtio_dev_notify(r->dev, 1);
	uint32_t len;
	wait_used(r, 1, NULL, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert_int_eq(reply(r, 0).error, -EIO);
	ck_assert_uint_eq(reply(r, 0).unique, 9);
	rig_del(r);
}
END_TEST

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A reply that does not fit its chain reaches the guest as EIO: what
   the reply would have given it (a file handle, a node id) must not stay
   behind, each pinning a host fd the guest can never release. */
START_TEST(reply_with_no_room_leaves_no_handle_or_lookup)
{
	struct rig *r = rig_new();
	fuse_init(r);
	ck_assert_int_eq(call(r, VFS_OP_LOOKUP, 1, NULL, 0, "hello.txt"), 0);
	uint64_t node =
		((const struct vfs_entry_out *)reply_body(r, 0))->nodeid;
	char cmd[160];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && for i in $(seq 100); do : > n$i; done", r->dir);
	ck_assert_int_eq(system(cmd), 0);
	int before = count_fds();
	struct vfs_open_in oi = {O_RDONLY, 0};
	for (int i = 0; i < 100; i++) {
		put(r, 0, VFS_OP_OPEN, 9, node, &oi, sizeof(oi), NULL, 16);
		virtio_dev_notify(r->dev, 1);
		wait_used(r, 1, NULL, NULL);
		ck_assert_int_eq(reply(r, 0).error, -EIO);
	}
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i + 1);
		put(r, 0, VFS_OP_LOOKUP, 9, 1, NULL, 0, name, 16);
		virtio_dev_notify(r->dev, 1);
		wait_used(r, 1, NULL, NULL);
		ck_assert_int_eq(reply(r, 0).error, -EIO);
	}
	ck_assert_int_le(count_fds() - before, 5);
	rig_del(r);
}
END_TEST

START_TEST(interrupt_races_workers)
{
	struct rig *r = rig_new();
	fuse_init(r);
	struct vfs_getattr_in ga = {0};
	for (int round = 0; round < 30; round++) {
		for (unsigned k = 0; k < 30; k++)
			put(r, k, VFS_OP_GETATTR, 100 + k, 1, &ga, sizeof(ga),
			    NULL, REPLY_ROOM);
		virtio_dev_notify(r->dev, 1);
		for (unsigned k = 30; k < 60; k++) {
			struct vfs_interrupt_in in = {100 + k - 30};
			put(r, k, VFS_OP_INTERRUPT, 500 + k, 0, &in, sizeof(in),
			    NULL, REPLY_ROOM);
			virtio_dev_notify(r->dev, 1);
			struct virtiofs_server_stats st;
			virtiofs_server_stats(r->be, &st);
		}
		wait_used(r, 60, NULL, NULL);
	}
	rig_del(r);
}
END_TEST

START_TEST(interrupt_of_nothing_is_eagain)
{
	struct rig *r = rig_new();
	fuse_init(r);
	struct vfs_interrupt_in in = {12345};
	ck_assert_int_eq(call(r, VFS_OP_INTERRUPT, 0, &in, sizeof(in), NULL),
			 -EAGAIN);
	rig_del(r);
}
END_TEST

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	unsigned n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(destroy_then_init_again)
{
	struct rig *r = rig_new();
	fuse_init(r);
	ck_assert_int_eq(call(r, VFS_OP_DESTROY, 0, NULL, 0, NULL), 0);
	fuse_init(r); /* a new session: a second mount */
	ck_assert_int_eq(call(r, VFS_OP_LOOKUP, 1, NULL, 0, "hello.txt"), 0);
	/* a guest that mounts and unmounts forever costs no host fds */
	unsigned fds = open_fds();
	for (int k = 0; k < 50; k++) {
		ck_assert_int_eq(call(r, VFS_OP_DESTROY, 0, NULL, 0, NULL), 0);
		fuse_init(r);
		ck_assert_int_eq(
			call(r, VFS_OP_LOOKUP, 1, NULL, 0, "hello.txt"), 0);
	}
	ck_assert_uint_eq(open_fds(), fds);
	rig_del(r);
}
END_TEST

START_TEST(reset_with_requests_in_flight)
{
	struct rig *r = rig_new();
	fuse_init(r);
	struct vfs_getattr_in ga = {0};
	for (unsigned k = 0; k < 32; k++)
		put(r, k, VFS_OP_GETATTR, 100 + k, 1, &ga, sizeof(ga), NULL,
		    REPLY_ROOM);
	virtio_dev_notify(r->dev, 1);
	uint16_t used_before = drv_used_idx(&r->req);
	virtio_dev_reset(r->dev);
	/* nothing the workers finished reaches the (old) used ring now */
	for (int k = 0; k < 20; k++)
		event_loop_poll(&r->loop, NULL, 5 * 1000000);
	ck_assert_uint_eq(drv_used_idx(&r->req), used_before);
	/* the driver sets the device up again, on fresh rings: a fresh
	   session wants INIT */
	memset(rig_ptr(&r->bus, RIG_DESC(1)), 0, 0x3000);
	drv_setup(r->dev, &r->req, 1, 256, ~0ull);
	ck_assert_int_eq(call(r, VFS_OP_GETATTR, 1, &ga, sizeof(ga), NULL),
			 -EIO);
	fuse_init(r);
	ck_assert_int_eq(call(r, VFS_OP_GETATTR, 1, &ga, sizeof(ga), NULL), 0);
	rig_del(r);
}
END_TEST

Suite *virtio_fs_server_suite(void)
{
	Suite *s = suite_create("virtio_fs_server");
	TCase *t = tcase_create("server");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, init_lookup_open_read);
	tcase_add_test(t, many_in_flight_with_one_guest_unique);
	tcase_add_test(t, reply_larger_than_its_chain);
	tcase_add_test(t, interrupt_of_nothing_is_eagain);
	tcase_add_test(t, interrupt_races_workers);
	tcase_add_test(t, reply_with_no_room_leaves_no_handle_or_lookup);
	tcase_add_test(t, destroy_then_init_again);
	tcase_add_test(t, reset_with_requests_in_flight);
	suite_add_tcase(s, t);
	return s;
}
