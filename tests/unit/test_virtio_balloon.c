/*
 * virtio-balloon unit tests: inflated pages really go back to the host
 * (the mapping reads zeros after madvise), contiguous and bad PFNs, the
 * stats buffer parsed for every tag and held until the host asks again,
 * free page reporting discarding what the guest reports, queue numbers
 * that move with the features, the target and `actual` in config space,
 * and a buffer of the wrong direction breaking the device.
 */
#include <check.h>

#include "emulator/virtio/balloon.h"
#include "tests/unit/virtio_rig.h"

struct rig {
	struct bus bus; /* mmap'd, as in pvkit: madvise works on it */
	struct virtio_balloon *b;
	struct virtio_dev *dev;
	struct vq_driver q[4];
	uint32_t actual_seen;
	int actual_calls;
	bool irq;
};

static void on_actual(void *opaque, uint32_t pages)
{
	struct rig *r = opaque;
	r->actual_seen = pages;
	r->actual_calls++;
}

static void on_irq(void *opaque, bool level)
{
	((struct rig *)opaque)->irq = level;
}

static struct rig *rig_new(bool stats, bool reporting)
{
	struct rig *r = calloc(1, sizeof(*r));
	ck_assert_int_eq(bus_init(&r->bus, RIG_RAM_BASE, RIG_RAM_SIZE), 0);
	struct virtio_balloon_options o = {.actual_changed = on_actual,
					   .opaque = r};
	r->b = virtio_balloon_create(&o);
	r->dev = virtio_balloon_dev(r->b);
	r->dev->bus = &r->bus;
	r->dev->set_irq = on_irq;
	r->dev->irq_opaque = r;
	uint64_t want = ~0ull;
	if (!stats)
		want &= ~VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ);
	if (!reporting)
		want &= ~VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING);
	unsigned nq = 2 + stats + reporting;
	for (unsigned q = 0; q < nq; q++)
		drv_setup(r->dev, &r->q[q], q, 32, want);
	return r;
}

static void rig_del(struct rig *r)
{
	virtio_balloon_free(r->b);
	bus_free(&r->bus);
	free(r);
}

static uint8_t *page(struct rig *r, uint32_t pfn_index)
{
	return rig_ptr(&r->bus, RIG_RAM_BASE + 4096ull * pfn_index);
}

static uint32_t pfn(uint32_t index)
{
	return (uint32_t)((RIG_RAM_BASE >> 12) + index);
}

/* Sends a buffer of PFNs on queue q and checks it came back. */
static void send_pfns(struct rig *r, unsigned q, const uint32_t *pfns,
		      unsigned n)
{
	memcpy(rig_ptr(&r->bus, RIG_BUF), pfns, 4 * n);
	drv_desc(&r->q[q], 0, RIG_BUF, 4 * n, 0, 0);
	drv_publish(&r->q[q], 0);
	virtio_dev_notify(r->dev, q);
	uint32_t id, len;
	ck_assert(drv_get_used(&r->q[q], &id, &len));
}

START_TEST(inflate_returns_pages_to_the_host)
{
	struct rig *r = rig_new(true, true);
	for (uint32_t k = 100; k < 140; k++)
		memset(page(r, k), 0x5a, 4096);
	uint32_t pfns[13];
	for (int k = 0; k < 10; k++)
		pfns[k] = pfn(100 + (uint32_t)k); /* one run */
	pfns[10] = pfn(130);			  /* alone */
	pfns[11] = 7;				  /* not RAM */
	pfns[12] = pfn(RIG_RAM_SIZE / 4096);	  /* just past RAM */
	send_pfns(r, 0, pfns, 13);
	for (uint32_t k = 100; k < 110; k++)
		ck_assert_uint_eq(page(r, k)[4095], 0);
	ck_assert_uint_eq(page(r, 110)[0], 0x5a);
	ck_assert_uint_eq(page(r, 130)[17], 0);
	ck_assert_uint_eq(page(r, 131)[0], 0x5a);
	const struct virtio_balloon_stats *st = virtio_balloon_stats(r->b);
	ck_assert_uint_eq(st->inflated_pages, 11);
	ck_assert_uint_eq(st->bad_pfns, 2);
	ck_assert_uint_eq(st->discarded_bytes, 11 * 4096);
	send_pfns(r, 1, pfns, 10); /* deflate: just counted */
	ck_assert_uint_eq(st->deflated_pages, 10);
	ck_assert(!(r->dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	rig_del(r);
}
END_TEST

START_TEST(stats_parsed_and_held)
{
	struct rig *r = rig_new(true, true);
	struct virtio_balloon_stat s[11];
	for (int t = 0; t < 10; t++)
		s[t] = (struct virtio_balloon_stat){(uint16_t)t,
						    1000u + (uint64_t)t};
	s[10] = (struct virtio_balloon_stat){99, 5}; /* unknown: skipped */
	memcpy(rig_ptr(&r->bus, RIG_BUF), s, sizeof(s));
	drv_desc(&r->q[2], 0, RIG_BUF, sizeof(s), 0, 0);
	drv_publish(&r->q[2], 0);
	virtio_dev_notify(r->dev, 2);
	const struct virtio_balloon_guest_stats *gs =
		virtio_balloon_guest_stats(r->b);
	ck_assert_uint_eq(gs->valid, 0x3ff);
	ck_assert_uint_eq(gs->val[VIRTIO_BALLOON_S_MEMFREE], 1004);
	ck_assert_uint_eq(gs->val[VIRTIO_BALLOON_S_HTLB_PGFAIL], 1009);
	ck_assert_uint_eq(gs->updates, 1);
	/* held: the driver gets it back only when we want fresh numbers */
	uint32_t id, len;
	ck_assert(!drv_get_used(&r->q[2], &id, &len));
	ck_assert(virtio_balloon_request_stats(r->b));
	ck_assert(drv_get_used(&r->q[2], &id, &len));
	ck_assert(r->irq);
	ck_assert(!virtio_balloon_request_stats(r->b)); /* nothing held now */
	rig_del(r);
}
END_TEST

START_TEST(reported_pages_are_discarded)
{
	struct rig *r = rig_new(true, true);
	memset(page(r, 200), 1, 3 * 4096);
	drv_desc(&r->q[3], 0, RIG_RAM_BASE + 200 * 4096ull, 2 * 4096,
		 VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&r->q[3], 0);
	virtio_dev_notify(r->dev, 3);
	uint32_t id, len;
	ck_assert(drv_get_used(&r->q[3], &id, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(page(r, 200)[0], 0);
	ck_assert_uint_eq(page(r, 201)[4095], 0);
	ck_assert_uint_eq(page(r, 202)[0], 1);
	ck_assert_uint_eq(virtio_balloon_stats(r->b)->reported_bytes, 8192);
	rig_del(r);
}
END_TEST

START_TEST(reporting_queue_moves_without_stats)
{
	struct rig *r = rig_new(false, true);
	memset(page(r, 200), 1, 4096);
	drv_desc(&r->q[2], 0, RIG_RAM_BASE + 200 * 4096ull, 4096,
		 VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&r->q[2], 0);
	virtio_dev_notify(r->dev, 2); /* queue 2 is reporting here */
	ck_assert_uint_eq(page(r, 200)[0], 0);
	ck_assert(!(r->dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	rig_del(r);
}
END_TEST

START_TEST(target_and_actual_in_config)
{
	struct rig *r = rig_new(true, true);
	ck_assert(r->dev->host_features &
		  VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM));
	ck_assert(!(r->dev->host_features &
		    VIRTIO_BIT(VIRTIO_BALLOON_F_FREE_PAGE_HINT)));
	uint32_t gen = r->dev->config_generation;
	virtio_balloon_set_target(r->b, 1234);
	ck_assert(r->irq);
	ck_assert_uint_ne(r->dev->config_generation, gen);
	struct virtio_balloon_config c;
	virtio_dev_config_read(r->dev, 0, &c, sizeof(c));
	ck_assert_uint_eq(c.num_pages, 1234);
	uint32_t v = 1200;
	virtio_dev_config_write(r->dev, 4, &v, 4);
	ck_assert_uint_eq(virtio_balloon_actual(r->b), 1200);
	ck_assert_int_eq(r->actual_calls, 1);
	ck_assert_uint_eq(r->actual_seen, 1200);
	virtio_dev_config_write(r->dev, 0, &v, 4); /* num_pages is the host's */
	ck_assert_uint_eq(virtio_balloon_target(r->b), 1234);
	rig_del(r);
}
END_TEST

START_TEST(writable_inflate_buffer_breaks_the_device)
{
	struct rig *r = rig_new(true, true);
	drv_desc(&r->q[0], 0, RIG_BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&r->q[0], 0);
	struct rig_log log;
	rig_log_begin(&log);
	virtio_dev_notify(r->dev, 0);
	ck_assert_int_eq(rig_log_end(&log), 1);
	ck_assert(r->dev->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	rig_del(r);
}
END_TEST

Suite *virtio_balloon_suite(void)
{
	Suite *s = suite_create("virtio_balloon");
	TCase *tc = tcase_create("balloon");
	tcase_add_test(tc, inflate_returns_pages_to_the_host);
	tcase_add_test(tc, stats_parsed_and_held);
	tcase_add_test(tc, reported_pages_are_discarded);
	tcase_add_test(tc, reporting_queue_moves_without_stats);
	tcase_add_test(tc, target_and_actual_in_config);
	tcase_add_test(tc, writable_inflate_buffer_breaks_the_device);
	suite_add_tcase(s, tc);
	return s;
}
