/*
 * virtio-fs device unit tests against a recording back end: the
 * configuration space, how chains are framed and handed over (a checked
 * copy of the header, the iovecs), completions in any order, the chains the
 * device answers itself (a header len that disagrees with the chain, half
 * a header, no room for a reply, a request too large), the cap on requests
 * in flight, and a reset that drops what is in flight.
 */
#include <check.h>
#include <errno.h>

#include "emulator/backend/fs.h"
#include "emulator/virtio/fs.h"
#include "protocol/virtio_fs.h"
#include "tests/unit/virtio_rig.h"

#define REQ_PA(k) (RIG_BUF + 0x200 * (uint64_t)(k))
#define REPLY_PA(k) (RIG_BUF + 0x40000 + 0x200 * (uint64_t)(k))
#define MAX_SEEN 128

struct fake_backend {
	struct fs_backend be;
	struct fs_request seen[MAX_SEEN];
	unsigned nseen;
	unsigned cancels;
};

static void fake_submit(struct fs_backend *b, const struct fs_request *r)
{
	struct fake_backend *f = (struct fake_backend *)b;
	ck_assert_uint_lt(f->nseen, MAX_SEEN);
	f->seen[f->nseen++] = *r;
}

static void fake_cancel_all(struct fs_backend *b)
{
	((struct fake_backend *)b)->cancels++;
}

static void fake_close(struct fs_backend *b)
{
	(void)b;
}

static const struct fs_ops fake_ops = {fake_submit, fake_cancel_all,
				       fake_close};

struct rig {
	struct bus bus;
	struct fake_backend fb;
	struct virtio_fs *fs;
	struct virtio_dev *dev;
	struct vq_driver hiprio, req;
};

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	rig_bus_init(&r->bus);
	r->fb.be.ops = &fake_ops;
	r->fb.be.max_request = 4096;
	strcpy(r->fb.be.tag, "share-tag");
	r->fs = virtio_fs_create(&r->fb.be);
	r->dev = virtio_fs_dev(r->fs);
	r->dev->bus = &r->bus;
	drv_setup(r->dev, &r->hiprio, 0, 128, ~0ull);
	drv_init(&r->req, &r->bus, 1, 256);
	r->dev->vq[1].num = 256;
	r->dev->vq[1].desc_pa = r->req.desc;
	r->dev->vq[1].avail_pa = r->req.avail;
	r->dev->vq[1].used_pa = r->req.used;
	ck_assert(virtio_queue_enable(r->dev, 1));
	return r;
}

static void rig_del(struct rig *r)
{
	virtio_fs_free(r->fs);
	rig_bus_free(&r->bus);
	free(r);
}

/* Writes a request header at REQ_PA(k) and a chain {readable out_len,
   writable in_len} using descriptors 2k, 2k+1; publishes it. */
static void put_request(struct rig *r, struct vq_driver *v, unsigned k,
			uint32_t opcode, uint32_t hdr_len, uint32_t out_len,
			uint32_t in_len)
{
	struct vfs_in_header h = {.len = hdr_len,
				  .opcode = opcode,
				  .unique = 1000 + k,
				  .nodeid = 1};
	memcpy(rig_ptr(&r->bus, REQ_PA(k)), &h,
	       out_len < sizeof(h) ? out_len : sizeof(h));
	uint16_t d = (uint16_t)(2 * k);
	drv_desc(v, d, REQ_PA(k), out_len, in_len ? VIRTQ_DESC_F_NEXT : 0,
		 (uint16_t)(d + 1));
	if (in_len)
		drv_desc(v, (uint16_t)(d + 1), REPLY_PA(k), in_len,
			 VIRTQ_DESC_F_WRITE, 0);
	drv_publish(v, d);
}

static struct vfs_out_header reply_of(struct rig *r, unsigned k)
{
	struct vfs_out_header o;
	memcpy(&o, rig_ptr(&r->bus, REPLY_PA(k)), sizeof(o));
	return o;
}

START_TEST(config_space)
{
	struct rig *r = rig_new();
	struct virtio_fs_config c;
	virtio_dev_config_read(r->dev, 0, &c, sizeof(c));
	ck_assert_mem_eq(c.tag, "share-tag\0", 10);
	ck_assert_uint_eq(c.num_request_queues, 1);
	ck_assert_uint_eq(r->dev->ops->device_id, 26);
	ck_assert_uint_eq(r->dev->ops->num_queues, 2);
	/* VIRTIO_FS_F_NOTIFICATION (bit 0) is never offered */
	ck_assert_uint_eq(r->dev->host_features & 1, 0);
	rig_del(r);
}
END_TEST

START_TEST(good_request_goes_to_the_back_end)
{
	struct rig *r = rig_new();
	put_request(r, &r->req, 0, VFS_OP_GETATTR, 56, 56, 128);
	virtio_dev_notify(r->dev, 1);
	ck_assert_uint_eq(r->fb.nseen, 1);
	const struct fs_request *s = &r->fb.seen[0];
	ck_assert_uint_eq(s->hdr.opcode, VFS_OP_GETATTR);
	ck_assert_uint_eq(s->hdr.unique, 1000);
	ck_assert_uint_eq(s->out_len, 56);
	ck_assert_uint_eq(s->in_len, 128);
	ck_assert_uint_eq(s->nout, 1);
	ck_assert_uint_eq(s->nin, 1);
	/* nothing on the used ring until the back end answers */
	uint32_t id, len;
	ck_assert(!drv_get_used(&r->req, &id, &len));
	r->fb.be.front.complete(r->fb.be.front.opaque, s->id, 120);
	ck_assert(drv_get_used(&r->req, &id, &len));
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 120);
	rig_del(r);
}
END_TEST

START_TEST(completions_in_any_order)
{
	struct rig *r = rig_new();
	for (unsigned k = 0; k < 3; k++)
		put_request(r, &r->req, k, VFS_OP_GETATTR, 56, 56, 64);
	virtio_dev_notify(r->dev, 1);
	ck_assert_uint_eq(r->fb.nseen, 3);
	void (*done)(void *, uint32_t, uint32_t) = r->fb.be.front.complete;
	void *o = r->fb.be.front.opaque;
	done(o, r->fb.seen[2].id, 16);
	done(o, r->fb.seen[0].id, 16);
	done(o, r->fb.seen[0].id, 16);	  /* twice: ignored */
	done(o, 9999, 16);		  /* never submitted: ignored */
	done(o, r->fb.seen[1].id, 99999); /* clamped to the chain */
	uint32_t id, len;
	ck_assert(drv_get_used(&r->req, &id, &len));
	ck_assert_uint_eq(id, 4);
	ck_assert(drv_get_used(&r->req, &id, &len));
	ck_assert_uint_eq(id, 0);
	ck_assert(drv_get_used(&r->req, &id, &len));
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(len, 64);
	ck_assert(!drv_get_used(&r->req, &id, &len));
	rig_del(r);
}
END_TEST

START_TEST(bad_framing_is_answered_by_the_device)
{
	struct rig *r = rig_new();
	put_request(r, &r->req, 0, VFS_OP_GETATTR, 100, 56, 64);  /* len > */
	put_request(r, &r->req, 1, VFS_OP_GETATTR, 40, 56, 64);	  /* len < */
	put_request(r, &r->req, 2, VFS_OP_GETATTR, 56, 20, 64);	  /* half */
	put_request(r, &r->req, 3, VFS_OP_GETATTR, 56, 56, 8);	  /* no room */
	put_request(r, &r->req, 4, VFS_OP_GETATTR, 56, 56, 0);	  /* no reply */
	put_request(r, &r->req, 5, VFS_OP_WRITE, 5000, 5000, 64); /* big */
	virtio_dev_notify(r->dev, 1);
	ck_assert_uint_eq(r->fb.nseen, 0);
	ck_assert(!virtio_dev_broken(r->dev));
	static const int err[] = {EINVAL, EINVAL, EINVAL, 0, 0, E2BIG};
	for (unsigned k = 0; k < 6; k++) {
		uint32_t id, len;
		ck_assert(drv_get_used(&r->req, &id, &len));
		ck_assert_uint_eq(id, 2 * k);
		if (!err[k]) {
			ck_assert_uint_eq(len, 0);
			continue;
		}
		ck_assert_uint_eq(len, 16);
		struct vfs_out_header o = reply_of(r, k);
		ck_assert_int_eq(o.error, -err[k]);
		ck_assert_uint_eq(o.len, 16);
		ck_assert_uint_eq(o.unique, k == 2 ? 0 : 1000 + k);
	}
	ck_assert_uint_eq(virtio_fs_stats(r->fs)->refused, 6);
	rig_del(r);
}
END_TEST

START_TEST(forget_needs_no_reply_room)
{
	struct rig *r = rig_new();
	put_request(r, &r->hiprio, 0, VFS_OP_FORGET, 48, 48, 0);
	put_request(r, &r->hiprio, 1, VFS_OP_BATCH_FORGET, 48, 48, 0);
	virtio_dev_notify(r->dev, 0);
	ck_assert_uint_eq(r->fb.nseen, 2);
	ck_assert_uint_eq(r->fb.seen[0].nin, 0);
	r->fb.be.front.complete(r->fb.be.front.opaque, r->fb.seen[0].id, 0);
	uint32_t id, len;
	ck_assert(drv_get_used(&r->hiprio, &id, &len));
	ck_assert_uint_eq(len, 0);
	rig_del(r);
}
END_TEST

START_TEST(inflight_is_capped)
{
	struct rig *r = rig_new();
	unsigned n = VIRTIO_FS_MAX_INFLIGHT + 5;
	for (unsigned k = 0; k < n; k++)
		put_request(r, &r->req, k, VFS_OP_GETATTR, 56, 56, 64);
	virtio_dev_notify(r->dev, 1);
	ck_assert_uint_eq(r->fb.nseen, VIRTIO_FS_MAX_INFLIGHT);
	/* each completion lets one more waiting chain in */
	r->fb.be.front.complete(r->fb.be.front.opaque, r->fb.seen[3].id, 16);
	ck_assert_uint_eq(r->fb.nseen, VIRTIO_FS_MAX_INFLIGHT + 1);
	ck_assert_uint_eq(r->fb.seen[VIRTIO_FS_MAX_INFLIGHT].hdr.unique,
			  1000 + VIRTIO_FS_MAX_INFLIGHT);
	rig_del(r);
}
END_TEST

START_TEST(reset_drops_what_is_in_flight)
{
	struct rig *r = rig_new();
	put_request(r, &r->req, 0, VFS_OP_GETATTR, 56, 56, 64);
	virtio_dev_notify(r->dev, 1);
	ck_assert_uint_eq(r->fb.nseen, 1);
	virtio_dev_reset(r->dev);
	ck_assert_uint_eq(r->fb.cancels, 1);
	ck_assert_uint_eq(virtio_fs_stats(r->fs)->dropped, 1);
	/* a completion that raced the reset changes nothing */
	r->fb.be.front.complete(r->fb.be.front.opaque, r->fb.seen[0].id, 16);
	ck_assert_uint_eq(virtio_fs_stats(r->fs)->completed, 0);
	rig_del(r);
}
END_TEST

Suite *virtio_fs_suite(void)
{
	Suite *s = suite_create("virtio_fs");
	TCase *t = tcase_create("device");
	tcase_add_test(t, config_space);
	tcase_add_test(t, good_request_goes_to_the_back_end);
	tcase_add_test(t, completions_in_any_order);
	tcase_add_test(t, bad_framing_is_answered_by_the_device);
	tcase_add_test(t, forget_needs_no_reply_room);
	tcase_add_test(t, inflight_is_capped);
	tcase_add_test(t, reset_drops_what_is_in_flight);
	suite_add_tcase(s, t);
	return s;
}
