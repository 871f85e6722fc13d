/*
 * Malformed descriptor chains from a bare-metal guest (issue 4 item 10):
 * a virtio-blk request whose header lies outside guest RAM, and a chain
 * that loops back on itself, must each put the device in
 * DEVICE_NEEDS_RESET (status bit 0x40) without completing; after a reset
 * the device works again. pvkit only (QEMU reacts differently: it marks
 * the device broken and logs, without NEEDS_RESET). Needs a virtio-blk
 * disk with the image of blk_rw.c.
 */
#include "runtime.h"
#include "virtio/blk.h"

#include "pattern.h"

static struct vblk blk;
static uint8_t buf[512] __attribute__((aligned(512)));

/* Polls Status for NEEDS_RESET for up to ~2 s of mtime. */
static int needs_reset(void)
{
	uint64_t start = rt_mtime();
	while (rt_mtime() - start < 20000000UL)
		if (vmmio_status(&blk.dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
			return 1;
	return 0;
}

static void fresh_device(const char *what)
{
	if (vblk_init(&blk, 0))
		rt_fail("%s: virtio-blk did not come up", what);
}

static void good_read(const char *name)
{
	int s = vblk_read(&blk, 7, buf, 1);
	rt_check(name, (uint64_t)s, VIRTIO_BLK_S_OK);
	rt_check_true("  and the data is right", img_matches(buf, 7, 1));
}

int main(void)
{
	struct virtqueue *vq = &blk.vq;

	fresh_device("start");
	good_read("read before");

	/* 1: header outside guest RAM (below the RAM base, no device there). */
	blk.status = 0xff;
	vq->desc[0] = (struct virtq_desc){0x1000, 16, VIRTQ_DESC_F_NEXT, 1};
	vq->desc[1] = (struct virtq_desc){
		(uintptr_t)buf, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2};
	vq->desc[2] = (struct virtq_desc){(uintptr_t)&blk.status, 1,
					  VIRTQ_DESC_F_WRITE, 0};
	vq_publish(vq, 0);
	vq_kick(vq);
	rt_check_true("address outside RAM: NEEDS_RESET", needs_reset());
	rt_check_true("  and no completion", vq_poll(vq, 0) < 0);

	fresh_device("after the bad address");
	good_read("read after reset");

	/* 2: a loop 0 -> 1 -> 0 -> ... of device-writable buffers (all one
	   direction, so only the loop itself is wrong). */
	vq->desc[0] = (struct virtq_desc){
		(uintptr_t)buf, 256, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1};
	vq->desc[1] =
		(struct virtq_desc){(uintptr_t)buf + 256, 256,
				    VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0};
	vq_publish(vq, 0);
	vq_kick(vq);
	rt_check_true("looping chain: NEEDS_RESET", needs_reset());
	rt_check_true("  and no completion", vq_poll(vq, 0) < 0);

	fresh_device("after the loop");
	good_read("read after second reset");

	/* 3: a device-readable header after a device-writable buffer. */
	vq->desc[0] = (struct virtq_desc){
		(uintptr_t)buf, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1};
	vq->desc[1] = (struct virtq_desc){(uintptr_t)&blk.hdr, 16, 0, 0};
	vq_publish(vq, 0);
	vq_kick(vq);
	rt_check_true("readable after writable: NEEDS_RESET", needs_reset());

	fresh_device("after the wrong order");
	good_read("read after third reset");
	return rt_summary();
}
