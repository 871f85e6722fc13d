/*
 * Virtqueue core unit tests: chains from a fake guest RAM become the
 * right iovecs (plain, indirect, mixed), every kind of malformed chain
 * puts the device in DEVICE_NEEDS_RESET without touching memory outside
 * guest RAM (the RAM is malloc'd so AddressSanitizer would see it), the
 * used ring and interrupt suppression (NO_INTERRUPT, EVENT_IDX) behave,
 * and random descriptor soup never escapes RAM.
 */
#include <check.h>

#include "tests/unit/virtio_rig.h"

#define QNUM 16

struct tdev {
	struct virtio_dev dev;
	struct bus bus;
	struct vq_driver drv;
	struct virtq_chain c;
	int irq_level, irq_raises, notified;
};

static void t_irq(void *opaque, bool level)
{
	struct tdev *t = opaque;
	if (level && !t->irq_level)
		t->irq_raises++;
	t->irq_level = level;
}

static void t_notify(struct virtio_dev *d, unsigned q)
{
	struct tdev *t = d->priv;
	(void)q;
	t->notified++;
}

static const struct virtio_dev_ops t_ops = {
	.name = "virtio-test",
	.device_id = 42,
	.num_queues = 2,
	.queue_size = QNUM,
	.queue_notify = t_notify,
};

static struct tdev *tdev_new(uint64_t want)
{
	struct tdev *t = calloc(1, sizeof(*t));
	rig_bus_init(&t->bus);
	virtio_dev_init(&t->dev, &t_ops, t);
	t->dev.bus = &t->bus;
	t->dev.set_irq = t_irq;
	t->dev.irq_opaque = t;
	drv_setup(&t->dev, &t->drv, 0, QNUM, want);
	return t;
}

static void tdev_free(struct tdev *t)
{
	rig_bus_free(&t->bus);
	free(t);
}

#define ALL (~0ull)
#define NO_EVENT_IDX (~VIRTIO_BIT(VIRTIO_F_EVENT_IDX))
#define BUF(n) (RIG_BUF + 0x1000 * (uint64_t)(n))

static bool in_ram(const struct bus *b, const struct iovec *iov)
{
	const uint8_t *p = iov->iov_base;
	return p >= b->ram && iov->iov_len <= b->ram_size &&
	       (size_t)(p - b->ram) <= b->ram_size - iov->iov_len;
}

static bool broken(struct tdev *t)
{
	return t->dev.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

START_TEST(plain_chain_splits_readable_and_writable)
{
	struct tdev *t = tdev_new(ALL);
	drv_desc(&t->drv, 3, BUF(0), 16, VIRTQ_DESC_F_NEXT, 7);
	drv_desc(&t->drv, 7, BUF(1), 100, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&t->drv, 1, BUF(2), 512,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	drv_desc(&t->drv, 2, BUF(3), 1, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&t->drv, 3);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 1);
	ck_assert_uint_eq(t->c.head, 3);
	ck_assert_uint_eq(t->c.nout, 2);
	ck_assert_uint_eq(t->c.nin, 2);
	ck_assert_uint_eq(t->c.out_len, 116);
	ck_assert_uint_eq(t->c.in_len, 513);
	ck_assert_ptr_eq(t->c.iov[0].iov_base, rig_ptr(&t->bus, BUF(0)));
	ck_assert_ptr_eq(t->c.iov[2].iov_base, rig_ptr(&t->bus, BUF(2)));
	ck_assert_uint_eq(t->c.iov[2].iov_len, 512);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 0); /* drained */
	ck_assert(!broken(t));
	tdev_free(t);
}
END_TEST

START_TEST(indirect_table_after_plain_descriptors)
{
	struct tdev *t = tdev_new(ALL);
	uint64_t table = BUF(10);
	drv_table(&t->bus, table, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 2);
	drv_table(&t->bus, table, 2, BUF(1), 4096,
		  VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	drv_table(&t->bus, table, 1, BUF(2), 1, VIRTQ_DESC_F_WRITE, 0);
	/* the WRITE flag on the table's own descriptor must be ignored */
	drv_desc(&t->drv, 0, BUF(5), 8, VIRTQ_DESC_F_NEXT, 4);
	drv_desc(&t->drv, 4, table, 3 * 16,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&t->drv, 0);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 1);
	ck_assert_uint_eq(t->c.nout, 2);
	ck_assert_uint_eq(t->c.nin, 2);
	ck_assert_uint_eq(t->c.out_len, 24);
	ck_assert_uint_eq(t->c.in_len, 4097);
	ck_assert_ptr_eq(t->c.iov[1].iov_base, rig_ptr(&t->bus, BUF(0)));
	tdev_free(t);
}
END_TEST

START_TEST(indirect_table_of_queue_size_is_fine)
{
	struct tdev *t = tdev_new(ALL);
	uint64_t table = BUF(10);
	for (int k = 0; k < QNUM; k++)
		drv_table(&t->bus, table, (uint16_t)k, BUF(k), 8,
			  k < QNUM - 1 ? VIRTQ_DESC_F_NEXT : 0,
			  (uint16_t)(k + 1));
	drv_desc(&t->drv, 0, table, QNUM * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 1);
	ck_assert_uint_eq(t->c.nout, QNUM);
	tdev_free(t);
}
END_TEST

/* One malformed chain per case: set up by the function, then popped. */
typedef void (*build_fn)(struct tdev *t);

static void outside_ram(struct tdev *t)
{
	drv_desc(&t->drv, 0, RIG_RAM_BASE + RIG_RAM_SIZE, 16, 0, 0);
	drv_publish(&t->drv, 0);
}

static void straddles_end_of_ram(struct tdev *t)
{
	drv_desc(&t->drv, 0, RIG_RAM_BASE + RIG_RAM_SIZE - 8, 16, 0, 0);
	drv_publish(&t->drv, 0);
}

static void below_ram(struct tdev *t)
{
	drv_desc(&t->drv, 0, RIG_RAM_BASE - 4096, 16, 0, 0);
	drv_publish(&t->drv, 0);
}

static void address_wraps(struct tdev *t)
{
	drv_desc(&t->drv, 0, UINT64_MAX - 7, 16, 0, 0);
	drv_publish(&t->drv, 0);
}

static void loop_of_two(struct tdev *t)
{
	drv_desc(&t->drv, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&t->drv, 1, BUF(1), 16, VIRTQ_DESC_F_NEXT, 0);
	drv_publish(&t->drv, 0);
}

static void self_loop(struct tdev *t)
{
	drv_desc(&t->drv, 5, BUF(0), 16, VIRTQ_DESC_F_NEXT, 5);
	drv_publish(&t->drv, 5);
}

static void loop_in_indirect_table(struct tdev *t)
{
	uint64_t table = BUF(10);
	drv_table(&t->bus, table, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_table(&t->bus, table, 1, BUF(1), 16, VIRTQ_DESC_F_NEXT, 0);
	drv_desc(&t->drv, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void table_longer_than_queue(struct tdev *t)
{
	uint64_t table = BUF(10);
	for (int k = 0; k <= QNUM; k++)
		drv_table(&t->bus, table, (uint16_t)k, BUF(k), 8,
			  k < QNUM ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(k + 1));
	drv_desc(&t->drv, 0, table, (QNUM + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void plain_then_table_too_long(struct tdev *t)
{
	uint64_t table = BUF(10);
	for (int k = 0; k < QNUM; k++)
		drv_table(&t->bus, table, (uint16_t)k, BUF(k), 8,
			  k < QNUM - 1 ? VIRTQ_DESC_F_NEXT : 0,
			  (uint16_t)(k + 1));
	drv_desc(&t->drv, 0, BUF(0), 8, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&t->drv, 1, table, QNUM * 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void readable_after_writable(struct tdev *t)
{
	drv_desc(&t->drv, 0, BUF(0), 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 1);
	drv_desc(&t->drv, 1, BUF(1), 16, 0, 0);
	drv_publish(&t->drv, 0);
}

static void readable_after_writable_in_table(struct tdev *t)
{
	uint64_t table = BUF(10);
	drv_table(&t->bus, table, 0, BUF(0), 16,
		  VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	drv_table(&t->bus, table, 1, BUF(1), 16, 0, 0);
	drv_desc(&t->drv, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void nested_indirect(struct tdev *t)
{
	uint64_t table = BUF(10), inner = BUF(11);
	drv_table(&t->bus, inner, 0, BUF(0), 16, 0, 0);
	drv_table(&t->bus, table, 0, inner, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_desc(&t->drv, 0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void indirect_with_next(struct tdev *t)
{
	drv_table(&t->bus, BUF(10), 0, BUF(0), 16, 0, 0);
	drv_desc(&t->drv, 0, BUF(10), 16,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&t->drv, 1, BUF(1), 16, 0, 0);
	drv_publish(&t->drv, 0);
}

static void indirect_bad_length(struct tdev *t)
{
	drv_desc(&t->drv, 0, BUF(10), 24, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void indirect_empty(struct tdev *t)
{
	drv_desc(&t->drv, 0, BUF(10), 0, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

/* The table's last entry is the last 16 bytes of RAM: reading one more
   would be caught by ASan; the table as given runs one entry past. */
static void indirect_table_past_ram(struct tdev *t)
{
	uint64_t table = RIG_RAM_BASE + RIG_RAM_SIZE - 16;
	drv_table(&t->bus, table, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 1);
	drv_desc(&t->drv, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void table_next_outside_table(struct tdev *t)
{
	uint64_t table = RIG_RAM_BASE + RIG_RAM_SIZE - 32;
	drv_table(&t->bus, table, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, 2);
	drv_table(&t->bus, table, 1, BUF(0), 16, 0, 0);
	drv_desc(&t->drv, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	drv_publish(&t->drv, 0);
}

static void next_outside_queue(struct tdev *t)
{
	drv_desc(&t->drv, 0, BUF(0), 16, VIRTQ_DESC_F_NEXT, QNUM);
	drv_publish(&t->drv, 0);
}

static void head_outside_queue(struct tdev *t)
{
	drv_publish(&t->drv, QNUM + 3);
}

static void avail_index_jumps(struct tdev *t)
{
	drv_desc(&t->drv, 0, BUF(0), 16, 0, 0);
	drv_publish(&t->drv, 0);
	uint16_t idx = QNUM + 5;
	memcpy((uint8_t *)rig_ptr(&t->bus, t->drv.avail) + 2, &idx, 2);
}

static const struct {
	const char *name;
	build_fn build;
	uint64_t features;
} malformed[] = {
	{"outside RAM", outside_ram, ALL},
	{"straddles the end of RAM", straddles_end_of_ram, ALL},
	{"below RAM", below_ram, ALL},
	{"address wraps", address_wraps, ALL},
	{"loop of two", loop_of_two, ALL},
	{"self loop", self_loop, ALL},
	{"loop in an indirect table", loop_in_indirect_table, ALL},
	{"indirect table longer than the queue", table_longer_than_queue, ALL},
	{"plain + table longer than the queue", plain_then_table_too_long, ALL},
	{"readable after writable", readable_after_writable, ALL},
	{"readable after writable, indirect", readable_after_writable_in_table,
	 ALL},
	{"nested indirect", nested_indirect, ALL},
	{"indirect with NEXT", indirect_with_next, ALL},
	{"indirect of bad length", indirect_bad_length, ALL},
	{"indirect of no length", indirect_empty, ALL},
	{"indirect table past RAM", indirect_table_past_ram, ALL},
	{"indirect next outside the table", table_next_outside_table, ALL},
	{"indirect not negotiated", loop_in_indirect_table,
	 ~VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC)},
	{"next outside the queue", next_outside_queue, ALL},
	{"head outside the queue", head_outside_queue, ALL},
	{"available index jumps", avail_index_jumps, ALL},
};

START_TEST(malformed_chain_needs_reset)
{
	struct tdev *t = tdev_new(malformed[_i].features);
	malformed[_i].build(t);
	struct rig_log log;
	rig_log_begin(&log);
	int r = virtq_pop(&t->dev, 0, &t->c);
	virtq_pop(&t->dev, 0, &t->c); /* a second look: no second line */
	int lines = rig_log_end(&log);
	if (r != -1 || !broken(t))
		ck_abort_msg("%s: pop gave %d, status %#x", malformed[_i].name,
			     r, t->dev.status);
	ck_assert_int_eq(lines, 1);
	ck_assert_uint_eq(t->dev.stats.bad_chains, 1);
	/* the config-change interrupt tells the driver */
	ck_assert_int_eq(t->irq_level, 1);
	/* a broken device ignores its queues until reset */
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 0);
	virtio_dev_notify(&t->dev, 0);
	ck_assert_int_eq(t->notified, 0);
	virtio_dev_reset(&t->dev);
	ck_assert_uint_eq(t->dev.status, 0);
	ck_assert_int_eq(t->irq_level, 0);
	tdev_free(t);
}
END_TEST

START_TEST(chain_over_4gib_needs_reset)
{
	/* RAM big enough for two 2.5 GiB buffers; never touched */
	struct bus big;
	ck_assert_int_eq(bus_init(&big, RIG_RAM_BASE, 3ull << 30), 0);
	struct tdev *t = calloc(1, sizeof(*t));
	virtio_dev_init(&t->dev, &t_ops, t);
	t->dev.bus = &big;
	drv_setup(&t->dev, &t->drv, 0, QNUM, ALL);
	uint32_t len = (uint32_t)(2560u << 20);
	drv_desc(&t->drv, 0, RIG_RAM_BASE + (1 << 20), len, VIRTQ_DESC_F_NEXT,
		 1);
	drv_desc(&t->drv, 1, RIG_RAM_BASE + (1 << 20), len, 0, 0);
	drv_publish(&t->drv, 0);
	struct rig_log log;
	rig_log_begin(&log);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), -1);
	ck_assert_int_eq(rig_log_end(&log), 1);
	ck_assert(broken(t));
	free(t);
	bus_free(&big);
}
END_TEST

START_TEST(rings_outside_ram_or_misaligned_refused)
{
	struct tdev *t = tdev_new(ALL);
	struct virtq *vq = &t->dev.vq[1];
	struct rig_log log;
	rig_log_begin(&log);
	vq->num = QNUM;
	vq->desc_pa = RIG_DESC(1) + 8; /* descriptors need 16-byte alignment */
	vq->avail_pa = RIG_AVAIL(1);
	vq->used_pa = RIG_USED(1);
	ck_assert(!virtio_queue_enable(&t->dev, 1));
	ck_assert(broken(t));
	virtio_dev_reset(&t->dev);
	vq->num = QNUM;
	vq->desc_pa = RIG_DESC(1);
	vq->avail_pa = RIG_AVAIL(1);
	vq->used_pa = RIG_RAM_BASE + RIG_RAM_SIZE - 8; /* runs past RAM */
	ck_assert(!virtio_queue_enable(&t->dev, 1));
	ck_assert(!vq->ready);
	virtio_dev_reset(&t->dev);
	vq->num = 12; /* not a power of two */
	vq->used_pa = RIG_USED(1);
	ck_assert(!virtio_queue_enable(&t->dev, 1));
	ck_assert_int_eq(rig_log_end(&log), 3);
	tdev_free(t);
}
END_TEST

START_TEST(used_ring_and_no_interrupt_flag)
{
	struct tdev *t = tdev_new(NO_EVENT_IDX);
	drv_desc(&t->drv, 0, BUF(0), 64, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&t->drv, 0);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 1);
	virtq_push(&t->dev, 0, t->c.head, 40);
	virtq_notify_guest(&t->dev, 0);
	uint32_t id, len;
	ck_assert(drv_get_used(&t->drv, &id, &len));
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 40);
	ck_assert_int_eq(t->irq_raises, 1);
	ck_assert_uint_eq(t->dev.isr, 1);
	virtio_dev_ack_irq(&t->dev, 1);
	ck_assert_int_eq(t->irq_level, 0);
	/* the driver asks for no interrupts */
	drv_set_avail_flags(&t->drv, VIRTQ_AVAIL_F_NO_INTERRUPT);
	drv_publish(&t->drv, 0);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 1);
	virtq_push(&t->dev, 0, t->c.head, 1);
	virtq_notify_guest(&t->dev, 0);
	ck_assert_int_eq(t->irq_raises, 1);
	ck_assert_uint_eq(t->dev.stats.requests, 2);
	ck_assert_uint_eq(t->dev.stats.bytes_in, 41);
	tdev_free(t);
}
END_TEST

START_TEST(event_idx_suppresses_and_requests)
{
	struct tdev *t = tdev_new(ALL);
	uint32_t id, len;
	drv_desc(&t->drv, 0, BUF(0), 64, VIRTQ_DESC_F_WRITE, 0);
	drv_set_used_event(&t->drv, 0);
	for (int k = 0; k < 3; k++)
		drv_publish(&t->drv, 0);
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 1);
		virtq_push(&t->dev, 0, 0, 1);
		virtq_notify_guest(&t->dev, 0);
		virtio_dev_ack_irq(&t->dev, 1);
	}
	/* used_event 0: only the move past entry 0 interrupts */
	ck_assert_int_eq(t->irq_raises, 1);
	/* drained: the device asks for a kick at the next entry */
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 0);
	ck_assert_uint_eq(drv_avail_event(&t->drv), 3);
	drv_set_used_event(&t->drv, 3);
	drv_publish(&t->drv, 0);
	ck_assert_int_eq(virtq_pop(&t->dev, 0, &t->c), 1);
	virtq_push(&t->dev, 0, 0, 1);
	virtq_notify_guest(&t->dev, 0);
	ck_assert_int_eq(t->irq_raises, 2);
	while (drv_get_used(&t->drv, &id, &len))
		;
	ck_assert_uint_eq(t->drv.used_seen, 4);
	tdev_free(t);
}
END_TEST

START_TEST(iov_helpers)
{
	uint8_t a[10], b[5], c[20];
	struct iovec iov[3] = {{a, sizeof(a)}, {b, sizeof(b)}, {c, sizeof(c)}};
	uint8_t src[35], dst[35];
	for (int k = 0; k < 35; k++)
		src[k] = (uint8_t)k;
	ck_assert_uint_eq(iov_from_buf(iov, 3, 0, src, 35), 35);
	ck_assert_uint_eq(iov_to_buf(iov, 3, 8, dst, 100), 27);
	ck_assert_int_eq(dst[0], 8);
	ck_assert_int_eq(dst[26], 34);
	struct iovec out[3];
	ck_assert_int_eq(iov_slice(iov, 3, 8, 10, out, 3), 3);
	ck_assert_ptr_eq(out[0].iov_base, a + 8);
	ck_assert_uint_eq(out[0].iov_len, 2);
	ck_assert_uint_eq(out[1].iov_len, 5);
	ck_assert_uint_eq(out[2].iov_len, 3);
	ck_assert_int_eq(iov_slice(iov, 3, 30, 6, out, 3), -1); /* past end */
	ck_assert_int_eq(iov_slice(iov, 3, 0, 35, out, 2), -1); /* too many */
}
END_TEST

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random descriptors, some pointing near or past the ends of RAM: every
   chain popped lies inside RAM, and nothing reads outside it (ASan). */
START_TEST(random_descriptors_stay_in_ram)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int good = 0, bad = 0;
	/* one "needs reset" line per broken round */
	struct rig_log log;
	rig_log_begin(&log);
	struct tdev *t = tdev_new(ALL);
	for (int round = 0; round < 2000; round++) {
		/* a fresh device and rings each round, same RAM */
		virtio_dev_reset(&t->dev);
		memset(rig_ptr(&t->bus, RIG_DESC(0)), 0, 0x3000);
		drv_setup(&t->dev, &t->drv, 0, QNUM,
			  xorshift(&seed) & 1 ? ALL : NO_EVENT_IDX);
		uint64_t table = RIG_RAM_BASE + RIG_RAM_SIZE - 16 * 8;
		for (int k = 0; k < QNUM + 8; k++) {
			uint64_t r = xorshift(&seed);
			uint64_t addr =
				(r & 1) ? RIG_RAM_BASE +
						  (r >> 8) % (RIG_RAM_SIZE + 64)
					: RIG_RAM_BASE + RIG_RAM_SIZE -
						  (r >> 8) % 64;
			uint32_t len = (uint32_t)(xorshift(&seed) % 300);
			uint64_t f = xorshift(&seed);
			uint16_t flags = (uint16_t)(f & 3); /* NEXT, WRITE */
			uint16_t next =
				(uint16_t)(xorshift(&seed) % (QNUM + 2));
			if ((r >> 3) % 4 == 0) {
				addr = table;
				len = 16 * (uint32_t)(1 + (r >> 20) % 9);
				/* mostly well-formed table pointers */
				flags = VIRTQ_DESC_F_INDIRECT |
					((f >> 8) % 8 ? 0 : (uint16_t)(f & 3));
			}
			if (k < QNUM)
				drv_desc(&t->drv, (uint16_t)k, addr, len, flags,
					 next);
			else
				drv_table(&t->bus, table, (uint16_t)(k - QNUM),
					  addr, len, flags, next);
		}
		for (int k = 0; k < 4; k++)
			drv_publish(&t->drv,
				    (uint16_t)(xorshift(&seed) % (QNUM + 1)));
		int r;
		while ((r = virtq_pop(&t->dev, 0, &t->c)) == 1) {
			good++;
			for (unsigned k = 0; k < t->c.nout + t->c.nin; k++)
				ck_assert(in_ram(&t->bus, &t->c.iov[k]));
			ck_assert_uint_le(t->c.nout + t->c.nin, QNUM);
		}
		bad += r == -1;
	}
	tdev_free(t);
	ck_assert_int_eq(rig_log_end(&log), bad);
	ck_assert_int_gt(good, 500);
	ck_assert_int_gt(bad, 500);
}
END_TEST

Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *tc = tcase_create("chains");
	tcase_add_test(tc, plain_chain_splits_readable_and_writable);
	tcase_add_test(tc, indirect_table_after_plain_descriptors);
	tcase_add_test(tc, indirect_table_of_queue_size_is_fine);
	tcase_add_loop_test(tc, malformed_chain_needs_reset, 0,
			    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, chain_over_4gib_needs_reset);
	tcase_add_test(tc, rings_outside_ram_or_misaligned_refused);
	tcase_add_test(tc, used_ring_and_no_interrupt_flag);
	tcase_add_test(tc, event_idx_suppresses_and_requests);
	tcase_add_test(tc, iov_helpers);
	tcase_add_test(tc, random_descriptors_stay_in_ram);
	suite_add_tcase(s, tc);
	return s;
}
