/*
 * virtio-blk unit tests against a raw image in a temporary file: reads
 * and writes land in the file and in guest RAM (through indirect tables
 * too), flush, GET_ID, discard and write-zeroes, read-only disks, the
 * errors a request can earn (IOERR, UNSUPP) and the chains that break the
 * device instead. Also the raw back end's own checks.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emulator/backend/block.h"
#include "emulator/virtio/blk.h"
#include "host/block/raw.h"
#include "protocol/virtio_blk.h"
#include "tests/unit/virtio_rig.h"

#define DISK_SIZE (1u << 20)
#define HDR_PA (RIG_BUF)
#define STATUS_PA (RIG_BUF + 0x100)
#define DATA_PA (RIG_BUF + 0x1000)
#define TABLE_PA (RIG_BUF + 0x800)

struct rig {
	char path[64];
	struct bus bus;
	struct block_backend *be;
	struct virtio_blk *blk;
	struct virtio_dev *dev;
	struct vq_driver drv;
	uint32_t used_len;
};

static struct rig *rig_new(bool ro)
{
	struct rig *r = calloc(1, sizeof(*r));
	strcpy(r->path, "/tmp/pvkit-blk-XXXXXX");
	int fd = mkstemp(r->path);
	ck_assert_int_ge(fd, 0);
	uint8_t *pattern = malloc(DISK_SIZE);
	for (unsigned k = 0; k < DISK_SIZE; k++)
		pattern[k] = (uint8_t)(k * 7 + k / 512);
	ck_assert_int_eq(write(fd, pattern, DISK_SIZE), DISK_SIZE);
	free(pattern);
	close(fd);
	char err[256];
	r->be = raw_open(r->path, ro, err, sizeof(err));
	ck_assert_msg(r->be != NULL, "%s", err);
	rig_bus_init(&r->bus);
	r->blk = virtio_blk_create(r->be);
	r->dev = virtio_blk_dev(r->blk);
	r->dev->bus = &r->bus;
	drv_setup(r->dev, &r->drv, 0, 16, ~0ull);
	return r;
}

static void rig_del(struct rig *r)
{
	virtio_blk_free(r->blk);
	r->be->ops->close(r->be);
	unlink(r->path);
	rig_bus_free(&r->bus);
	free(r);
}

static uint8_t expected(uint64_t k)
{
	return (uint8_t)(k * 7 + k / 512);
}

static void header(struct rig *r, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = {type, 0, sector};
	memcpy(rig_ptr(&r->bus, HDR_PA), &h, sizeof(h));
	*(uint8_t *)rig_ptr(&r->bus, STATUS_PA) = 0xff;
}

/* Kicks the queue, returns the status byte of the request completed. */
static int run(struct rig *r, uint16_t head)
{
	drv_publish(&r->drv, head);
	virtio_dev_notify(r->dev, 0);
	uint32_t id;
	if (!drv_get_used(&r->drv, &id, &r->used_len))
		return -1;
	ck_assert_uint_eq(id, head);
	return *(uint8_t *)rig_ptr(&r->bus, STATUS_PA);
}

/* header, [data len bytes at DATA_PA], status */
static int request(struct rig *r, uint32_t type, uint64_t sector, uint32_t len,
		   bool data_writable)
{
	header(r, type, sector);
	drv_desc(&r->drv, 0, HDR_PA, 16, VIRTQ_DESC_F_NEXT, len ? 1 : 2);
	drv_desc(&r->drv, 1, DATA_PA, len,
		 VIRTQ_DESC_F_NEXT | (data_writable ? VIRTQ_DESC_F_WRITE : 0),
		 2);
	drv_desc(&r->drv, 2, STATUS_PA, 1, VIRTQ_DESC_F_WRITE, 0);
	return run(r, 0);
}

static void file_bytes(struct rig *r, uint64_t off, void *buf, size_t n)
{
	int fd = open(r->path, O_RDONLY);
	ck_assert_int_eq(pread(fd, buf, n, (off_t)off), (ssize_t)n);
	close(fd);
}

START_TEST(config_and_features)
{
	struct rig *r = rig_new(false);
	struct virtio_blk_config c;
	virtio_dev_config_read(r->dev, 0, &c, sizeof(c));
	ck_assert_uint_eq(c.capacity, DISK_SIZE / 512);
	ck_assert_uint_eq(c.blk_size, 512);
	ck_assert_uint_ge(c.seg_max, 126);
	uint64_t f = r->dev->host_features;
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX));
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE));
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	ck_assert(!(f & VIRTIO_BIT(VIRTIO_BLK_F_RO)));
	ck_assert(f & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	rig_del(r);
}
END_TEST

START_TEST(read_lands_in_guest_ram)
{
	struct rig *r = rig_new(false);
	ck_assert_int_eq(request(r, VIRTIO_BLK_T_IN, 3, 4096, true),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r->used_len, 4097);
	const uint8_t *p = rig_ptr(&r->bus, DATA_PA);
	for (unsigned k = 0; k < 4096; k++)
		ck_assert_uint_eq(p[k], expected(3 * 512 + k));
	ck_assert_uint_eq(virtio_blk_stats(r->blk)->bytes_read, 4096);
	rig_del(r);
}
END_TEST

START_TEST(write_reaches_the_file)
{
	struct rig *r = rig_new(false);
	memset(rig_ptr(&r->bus, DATA_PA), 0xab, 1024);
	ck_assert_int_eq(request(r, VIRTIO_BLK_T_OUT, 10, 1024, false),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r->used_len, 1);
	uint8_t buf[1024 + 2];
	file_bytes(r, 10 * 512 - 1, buf, sizeof(buf));
	ck_assert_uint_eq(buf[0], expected(10 * 512 - 1));
	for (int k = 1; k <= 1024; k++)
		ck_assert_uint_eq(buf[k], 0xab);
	ck_assert_uint_eq(buf[1025], expected(10 * 512 + 1024));
	ck_assert_int_eq(request(r, VIRTIO_BLK_T_FLUSH, 0, 0, false),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(virtio_blk_stats(r->blk)->flushes, 1);
	rig_del(r);
}
END_TEST

/* A read scattered over an indirect table of 4 data segments, with the
   last segment sharing its descriptor with nothing odd. */
START_TEST(scattered_read_through_indirect_table)
{
	struct rig *r = rig_new(false);
	header(r, VIRTIO_BLK_T_IN, 0);
	drv_table(&r->bus, TABLE_PA, 0, HDR_PA, 16, VIRTQ_DESC_F_NEXT, 1);
	for (int k = 0; k < 4; k++)
		drv_table(&r->bus, TABLE_PA, (uint16_t)(1 + k),
			  DATA_PA + 0x2000 * (uint64_t)k, 512,
			  VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
			  (uint16_t)(2 + k));
	drv_table(&r->bus, TABLE_PA, 5, STATUS_PA, 1, VIRTQ_DESC_F_WRITE, 0);
	drv_desc(&r->drv, 4, TABLE_PA, 6 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	ck_assert_int_eq(run(r, 4), VIRTIO_BLK_S_OK);
	for (int k = 0; k < 4; k++) {
		const uint8_t *p =
			rig_ptr(&r->bus, DATA_PA + 0x2000 * (uint64_t)k);
		ck_assert_uint_eq(p[0], expected(512 * (uint64_t)k));
		ck_assert_uint_eq(p[511], expected(512 * (uint64_t)k + 511));
	}
	rig_del(r);
}
END_TEST

START_TEST(get_id_returns_the_serial)
{
	struct rig *r = rig_new(false);
	memset(rig_ptr(&r->bus, DATA_PA), 0x55, 32);
	ck_assert_int_eq(request(r, VIRTIO_BLK_T_GET_ID, 0, 20, true),
			 VIRTIO_BLK_S_OK);
	const char *id = rig_ptr(&r->bus, DATA_PA);
	ck_assert_int_eq(strncmp(id, strrchr(r->path, '/') + 1, 20), 0);
	rig_del(r);
}
END_TEST

START_TEST(discard_and_write_zeroes)
{
	struct rig *r = rig_new(false);
	struct virtio_blk_discard_write_zeroes seg = {8, 16, 0};
	memcpy(rig_ptr(&r->bus, DATA_PA), &seg, sizeof(seg));
	ck_assert_int_eq(
		request(r, VIRTIO_BLK_T_WRITE_ZEROES, 0, sizeof(seg), false),
		VIRTIO_BLK_S_OK);
	uint8_t buf[16 * 512 + 1];
	file_bytes(r, 8 * 512, buf, sizeof(buf));
	for (int k = 0; k < 16 * 512; k++)
		ck_assert_uint_eq(buf[k], 0);
	ck_assert_uint_eq(buf[16 * 512], expected(24 * 512));
	seg = (struct virtio_blk_discard_write_zeroes){64, 8, 0};
	memcpy(rig_ptr(&r->bus, DATA_PA), &seg, sizeof(seg));
	ck_assert_int_eq(
		request(r, VIRTIO_BLK_T_DISCARD, 0, sizeof(seg), false),
		VIRTIO_BLK_S_OK);
	/* out of range, and the unmap flag discard does not take */
	seg = (struct virtio_blk_discard_write_zeroes){DISK_SIZE / 512 - 4, 8,
						       0};
	memcpy(rig_ptr(&r->bus, DATA_PA), &seg, sizeof(seg));
	ck_assert_int_eq(
		request(r, VIRTIO_BLK_T_DISCARD, 0, sizeof(seg), false),
		VIRTIO_BLK_S_IOERR);
	seg = (struct virtio_blk_discard_write_zeroes){0, 8, 1};
	memcpy(rig_ptr(&r->bus, DATA_PA), &seg, sizeof(seg));
	ck_assert_int_eq(
		request(r, VIRTIO_BLK_T_DISCARD, 0, sizeof(seg), false),
		VIRTIO_BLK_S_UNSUPP);
	rig_del(r);
}
END_TEST

START_TEST(requests_the_disk_refuses)
{
	struct rig *r = rig_new(false);
	/* past the end, straddling the end, not whole sectors */
	ck_assert_int_eq(
		request(r, VIRTIO_BLK_T_IN, DISK_SIZE / 512, 512, true),
		VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(
		request(r, VIRTIO_BLK_T_IN, DISK_SIZE / 512 - 1, 1024, true),
		VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(
		request(r, VIRTIO_BLK_T_OUT, UINT64_MAX / 256, 512, false),
		VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(request(r, VIRTIO_BLK_T_IN, 0, 100, true),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(request(r, 77, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
	ck_assert(!(r->dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	ck_assert_uint_eq(virtio_blk_stats(r->blk)->errors, 4);
	rig_del(r);
}
END_TEST

START_TEST(read_only_disk)
{
	struct rig *r = rig_new(true);
	ck_assert(r->dev->host_features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	ck_assert(!(r->dev->host_features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)));
	memset(rig_ptr(&r->bus, DATA_PA), 0xcd, 512);
	ck_assert_int_eq(request(r, VIRTIO_BLK_T_OUT, 0, 512, false),
			 VIRTIO_BLK_S_IOERR);
	uint8_t b;
	file_bytes(r, 0, &b, 1);
	ck_assert_uint_eq(b, expected(0));
	ck_assert_int_eq(request(r, VIRTIO_BLK_T_IN, 0, 512, true),
			 VIRTIO_BLK_S_OK);
	rig_del(r);
}
END_TEST

/* run() for a request that must break the device, with one log line. */
static void run_broken(struct rig *r, uint16_t head)
{
	struct rig_log log;
	rig_log_begin(&log);
	int st = run(r, head);
	int lines = rig_log_end(&log);
	ck_assert_int_eq(st, -1);
	ck_assert_int_eq(lines, 1);
	ck_assert(r->dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

START_TEST(malformed_requests_break_the_device)
{
	/* no status byte */
	struct rig *r = rig_new(false);
	header(r, VIRTIO_BLK_T_IN, 0);
	drv_desc(&r->drv, 0, HDR_PA, 16, 0, 0);
	run_broken(r, 0);
	rig_del(r);
	/* a read whose data buffer is device-readable */
	r = rig_new(false);
	header(r, VIRTIO_BLK_T_IN, 0);
	drv_desc(&r->drv, 0, HDR_PA, 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&r->drv, 1, DATA_PA, 512, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&r->drv, 2, STATUS_PA, 1, VIRTQ_DESC_F_WRITE, 0);
	run_broken(r, 0);
	rig_del(r);
	/* a write whose data is device-writable */
	r = rig_new(false);
	header(r, VIRTIO_BLK_T_OUT, 0);
	drv_desc(&r->drv, 0, HDR_PA, 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&r->drv, 1, DATA_PA, 512,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&r->drv, 2, STATUS_PA, 1, VIRTQ_DESC_F_WRITE, 0);
	run_broken(r, 0);
	rig_del(r);
	/* a header cut short */
	r = rig_new(false);
	header(r, VIRTIO_BLK_T_IN, 0);
	drv_desc(&r->drv, 0, HDR_PA, 8, VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&r->drv, 2, STATUS_PA, 1, VIRTQ_DESC_F_WRITE, 0);
	run_broken(r, 0);
	rig_del(r);
}
END_TEST

START_TEST(raw_refuses_odd_sizes_and_missing_files)
{
	char path[] = "/tmp/pvkit-blk-XXXXXX", err[256];
	int fd = mkstemp(path);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	close(fd);
	ck_assert_ptr_null(raw_open(path, false, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "multiple of 512"));
	unlink(path);
	ck_assert_ptr_null(raw_open(path, true, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

START_TEST(raw_short_read_is_an_error)
{
	struct rig *r = rig_new(false);
	uint8_t buf[1024];
	struct iovec iov = {buf, sizeof(buf)};
	ck_assert_int_lt(r->be->ops->preadv(r->be, &iov, 1, DISK_SIZE - 512),
			 0);
	ck_assert_int_eq(r->be->ops->preadv(r->be, &iov, 1, DISK_SIZE - 1024),
			 1024);
	rig_del(r);
}
END_TEST

Suite *virtio_blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("requests");
	tcase_add_test(tc, config_and_features);
	tcase_add_test(tc, read_lands_in_guest_ram);
	tcase_add_test(tc, write_reaches_the_file);
	tcase_add_test(tc, scattered_read_through_indirect_table);
	tcase_add_test(tc, get_id_returns_the_serial);
	tcase_add_test(tc, discard_and_write_zeroes);
	tcase_add_test(tc, requests_the_disk_refuses);
	tcase_add_test(tc, read_only_disk);
	tcase_add_test(tc, malformed_requests_break_the_device);
	tcase_add_test(tc, raw_refuses_odd_sizes_and_missing_files);
	tcase_add_test(tc, raw_short_read_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
