/*
 * virtio-blk through the guest driver library (guest-drivers/virtio/):
 * finds the disk, reads sectors 0..3 and a multi-sector run further on,
 * checks them against the image's pattern and prints their checksums,
 * writes a sector, reads it back, flushes, asks for the ID, and reads past
 * the end. Needs the 1 MiB pattern image that
 * tests/integration/baremetal_virtio_drivers.sh creates, on pvkit and QEMU.
 */
#include "runtime.h"
#include "virtio/blk.h"

#include "pattern.h"

static struct vblk blk;
static uint8_t buf[8 * 512] __attribute__((aligned(512)));
static uint8_t wbuf[512] __attribute__((aligned(512)));
static char id[VIRTIO_BLK_ID_BYTES + 1];

int main(void)
{
	if (vblk_init(&blk, 0)) {
		rt_fail("no virtio-blk device");
		return rt_summary();
	}
	rt_check("capacity", blk.capacity, IMG_SECTORS);
	rt_check("read-only", blk.read_only, 0);
	rt_check_true("flush offered",
		      !!(blk.dev.features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)));

	rt_check("read 0..3", vblk_read(&blk, 0, buf, 4), VIRTIO_BLK_S_OK);
	rt_check_true("sectors 0..3 match the image", img_matches(buf, 0, 4));
	rt_check("checksum 0..3", fnv1a(buf, 4 * 512), 0x368d6bc5);

	rt_check("read 1000..1007", vblk_read(&blk, 1000, buf, 8),
		 VIRTIO_BLK_S_OK);
	rt_check_true("sectors 1000..1007 match", img_matches(buf, 1000, 8));
	rt_check("checksum 1000..1007", fnv1a(buf, 8 * 512), 0x9731a5c5);

	rt_check("read last", vblk_read(&blk, IMG_SECTORS - 1, buf, 1),
		 VIRTIO_BLK_S_OK);
	rt_check_true("last sector matches",
		      img_matches(buf, IMG_SECTORS - 1, 1));

	for (int i = 0; i < 512; i++)
		wbuf[i] = (uint8_t)(0xa5 ^ i ^ (i >> 8));
	rt_check("write 100", vblk_write(&blk, 100, wbuf, 1), VIRTIO_BLK_S_OK);
	memset(buf, 0, sizeof(buf));
	rt_check("read 99..101", vblk_read(&blk, 99, buf, 3), VIRTIO_BLK_S_OK);
	rt_check_true("99 unchanged", img_matches(buf, 99, 1));
	rt_check_true("100 as written", !memcmp(buf + 512, wbuf, 512));
	rt_check_true("101 unchanged", img_matches(buf + 1024, 101, 1));
	rt_check("flush", vblk_flush(&blk), VIRTIO_BLK_S_OK);

	int s = vblk_get_id(&blk, id);
	rt_check("get-id", s, VIRTIO_BLK_S_OK);

	rt_check("read past the end", vblk_read(&blk, IMG_SECTORS, buf, 1),
		 VIRTIO_BLK_S_IOERR);
	rt_check_true("device healthy", !(vmmio_status(&blk.dev) &
					  (VIRTIO_STATUS_DEVICE_NEEDS_RESET |
					   VIRTIO_STATUS_FAILED)));
	return rt_summary();
}
