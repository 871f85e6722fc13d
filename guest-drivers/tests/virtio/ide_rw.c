/*
 * pvkit's IDE twin through the guest IDE PIO driver (guest-drivers/ide/):
 * IDENTIFY, LBA28 reads checked against the image's pattern, a write read
 * back, FLUSH CACHE. pvkit only (`--disk IMG,if=ide`): QEMU's virt machine
 * has no such device. Uses the image of blk_rw.c.
 */
#include "ide/ide_pio.h"
#include "runtime.h"

#include "pattern.h"

static struct ide_pio ide;
static uint8_t buf[8 * 512] __attribute__((aligned(512)));
static uint8_t wbuf[512] __attribute__((aligned(512)));

int main(void)
{
	if (ide_init(&ide, IDE_PIO_BASE)) {
		rt_fail("no IDE disk (status 0x%x)", ide_last_status(&ide));
		return rt_summary();
	}
	rt_check("sectors", ide.sectors, IMG_SECTORS);
	rt_check_true("model set", ide.model[0] != 0);

	rt_check("read 0..3", (uint64_t)ide_read(&ide, 0, buf, 4), 0);
	rt_check_true("sectors 0..3 match the image", img_matches(buf, 0, 4));
	rt_check("checksum 0..3", fnv1a(buf, 4 * 512), 0x368d6bc5);
	rt_check("read 1000..1007", (uint64_t)ide_read(&ide, 1000, buf, 8), 0);
	rt_check("checksum 1000..1007", fnv1a(buf, 8 * 512), 0x9731a5c5);
	rt_check("read last", (uint64_t)ide_read(&ide, IMG_SECTORS - 1, buf, 1),
		 0);
	rt_check_true("last sector matches",
		      img_matches(buf, IMG_SECTORS - 1, 1));

	for (int i = 0; i < 512; i++)
		wbuf[i] = (uint8_t)(0x5a ^ i ^ (i >> 8));
	rt_check("write 100", (uint64_t)ide_write(&ide, 100, wbuf, 1), 0);
	memset(buf, 0, sizeof(buf));
	rt_check("read 99..101", (uint64_t)ide_read(&ide, 99, buf, 3), 0);
	rt_check_true("99 unchanged", img_matches(buf, 99, 1));
	rt_check_true("100 as written", !memcmp(buf + 512, wbuf, 512));
	rt_check_true("101 unchanged", img_matches(buf + 1024, 101, 1));
	rt_check("flush", (uint64_t)ide_flush(&ide), 0);
	return rt_summary();
}
