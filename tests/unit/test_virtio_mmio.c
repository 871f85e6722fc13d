/*
 * virtio-mmio transport unit tests: the register protocol as Linux's
 * virtio_mmio driver uses it, through the bus: magic, version and IDs
 * (empty slots answer DeviceID 0), devices filling slots from the top,
 * the two feature banks, status and FEATURES_OK refusal without
 * VERSION_1, queue set-up with 64-bit ring addresses, notify, interrupt
 * status and ack on the PLIC line, config space and its generation, and
 * reset.
 */
#include <check.h>

#include "emulator/devices/plic.h"
#include "emulator/virtio/mmio.h"
#include "protocol/virtio_mmio.h"
#include "tests/unit/virtio_rig.h"

#define DEV_FEATURE_LO 0x5u /* device bits 0 and 2 */
#define QSIZE 64

struct cfg {
	uint32_t a;
	uint16_t b;
	uint8_t c, d;
} __attribute__((packed));

struct rig {
	struct bus bus;
	struct plic *plic;
	struct virtio_mmio_slots *slots;
	struct virtio_dev dev;
	struct cfg cfg;
	int slot;
	unsigned notified[4];
	int resets;
	bool refuse;
};

static void no_line(void *opaque, int ctx, bool level)
{
	(void)opaque, (void)ctx, (void)level;
}

static uint64_t t_features(struct virtio_dev *d)
{
	(void)d;
	return DEV_FEATURE_LO;
}

static bool t_features_ok(struct virtio_dev *d, uint64_t f)
{
	struct rig *r = d->priv;
	(void)f;
	return !r->refuse;
}

static void t_config_read(struct virtio_dev *d, uint32_t off, void *buf,
			  uint32_t len)
{
	struct rig *r = d->priv;
	virtio_config_copy(buf, off, len, &r->cfg, sizeof(r->cfg));
}

static void t_notify(struct virtio_dev *d, unsigned q)
{
	struct rig *r = d->priv;
	r->notified[q]++;
}

static void t_reset(struct virtio_dev *d)
{
	struct rig *r = d->priv;
	r->resets++;
}

static const struct virtio_dev_ops t_ops = {
	.name = "virtio-test",
	.device_id = 42,
	.num_queues = 3,
	.queue_size = QSIZE,
	.config_size = sizeof(struct cfg),
	.features = t_features,
	.features_ok = t_features_ok,
	.config_read = t_config_read,
	.queue_notify = t_notify,
	.reset = t_reset,
};

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	rig_bus_init(&r->bus);
	r->plic = plic_create(&r->bus, &virt_memmap[VIRT_PLIC], no_line, r);
	r->slots =
		virtio_mmio_create(&r->bus, &virt_memmap[VIRT_VIRTIO], r->plic);
	ck_assert_ptr_nonnull(r->slots);
	r->cfg = (struct cfg){0x11223344, 0x5566, 0x77, 0x88};
	virtio_dev_init(&r->dev, &t_ops, r);
	r->slot = virtio_mmio_attach(r->slots, &r->dev);
	r->resets = 0;
	return r;
}

static void rig_del(struct rig *r)
{
	virtio_mmio_free(r->slots);
	plic_free(r->plic);
	rig_bus_free(&r->bus);
	free(r);
}

static uint64_t slot_pa(int slot, uint64_t off)
{
	return virt_memmap[VIRT_VIRTIO].base + (uint64_t)slot * VIRTIO_STRIDE +
	       off;
}

static uint32_t rd(struct rig *r, uint64_t off)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus, slot_pa(r->slot, off), 4, &v));
	return (uint32_t)v;
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
	ck_assert(bus_write(&r->bus, slot_pa(r->slot, off), 4, v));
}

/* PLIC pending bit of the slot's IRQ: the level the device drives. */
static bool irq_pending(struct rig *r)
{
	int irq = virt_memmap[VIRT_VIRTIO].irq + r->slot;
	uint64_t v = 0;
	bus_read(&r->bus, virt_memmap[VIRT_PLIC].base + PLIC_PENDING_BASE, 4,
		 &v);
	return (v >> irq) & 1;
}

/* Linux's virtio_dev_probe up to FEATURES_OK. */
static void negotiate(struct rig *r, uint32_t lo, uint32_t hi)
{
	wr(r, VIRTIO_MMIO_STATUS, 0);
	wr(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(r, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, hi);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, lo);
	wr(r, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(struct rig *r, unsigned q)
{
	wr(r, VIRTIO_MMIO_QUEUE_SEL, q);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX), QSIZE);
	wr(r, VIRTIO_MMIO_QUEUE_NUM, 16);
	wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)RIG_DESC(q));
	wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(RIG_DESC(q) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)RIG_AVAIL(q));
	wr(r, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(RIG_AVAIL(q) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)RIG_USED(q));
	wr(r, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(RIG_USED(q) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
}

START_TEST(identity_and_empty_slots)
{
	struct rig *r = rig_new();
	/* the first device goes to the top slot: Linux's virtio0, /dev/vda */
	ck_assert_int_eq(r->slot, VIRTIO_SLOTS - 1);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_VERSION_REG), 2);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_DEVICE_ID), 42);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_VENDOR_ID), PVKIT_VIRTIO_VENDOR);
	for (int k = 0; k < VIRTIO_SLOTS - 1; k++) {
		uint64_t v = 1;
		ck_assert(bus_read(&r->bus, slot_pa(k, VIRTIO_MMIO_MAGIC_VALUE),
				   4, &v));
		ck_assert_uint_eq(v, 0x74726976);
		ck_assert(bus_read(&r->bus, slot_pa(k, VIRTIO_MMIO_DEVICE_ID),
				   4, &v));
		ck_assert_uint_eq(v, 0);
		/* writes to an empty slot go nowhere */
		ck_assert(bus_write(&r->bus, slot_pa(k, VIRTIO_MMIO_STATUS), 4,
				    1));
	}
	struct virtio_dev second;
	virtio_dev_init(&second, &t_ops, r);
	ck_assert_int_eq(virtio_mmio_attach(r->slots, &second),
			 VIRTIO_SLOTS - 2);
	ck_assert_uint_gt(r->dev.stats.mmio_exits, 3);
	rig_del(r);
}
END_TEST

START_TEST(feature_banks)
{
	struct rig *r = rig_new();
	wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = rd(r, VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert_uint_eq(lo & 0xffffff, DEV_FEATURE_LO);
	ck_assert(lo & (1u << VIRTIO_F_INDIRECT_DESC));
	ck_assert(lo & (1u << VIRTIO_F_EVENT_IDX));
	wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint32_t hi = rd(r, VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert_uint_eq(hi, 1); /* VERSION_1 only: never RING_PACKED */
	wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	negotiate(r, DEV_FEATURE_LO, 1);
	ck_assert(rd(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(r->dev.guest_features,
			  DEV_FEATURE_LO | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	/* frozen once accepted */
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert_uint_eq(r->dev.guest_features & 0xffffffff, DEV_FEATURE_LO);
	rig_del(r);
}
END_TEST

START_TEST(features_ok_refused)
{
	struct rig *r = rig_new();
	negotiate(r, DEV_FEATURE_LO, 0); /* no VERSION_1 */
	ck_assert(!(rd(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK));
	negotiate(r, 1u << 7, 1); /* a bit the device never offered */
	ck_assert(!(rd(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK));
	r->refuse = true; /* the device model says no */
	negotiate(r, DEV_FEATURE_LO, 1);
	ck_assert(!(rd(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK));
	r->refuse = false;
	negotiate(r, DEV_FEATURE_LO, 1);
	ck_assert(rd(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	rig_del(r);
}
END_TEST

START_TEST(queue_setup_notify_and_interrupt)
{
	struct rig *r = rig_new();
	negotiate(r, DEV_FEATURE_LO, 1);
	setup_queue(r, 1);
	struct virtq *vq = &r->dev.vq[1];
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(vq->desc_pa, RIG_DESC(1));
	ck_assert_uint_eq(vq->used_pa, RIG_USED(1));
	ck_assert_uint_eq(vq->num, 16);
	/* addresses are frozen while the queue is live */
	wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(r, VIRTIO_MMIO_QUEUE_NUM, 8);
	ck_assert_uint_eq(vq->desc_pa, RIG_DESC(1));
	ck_assert_uint_eq(vq->num, 16);
	/* a queue the device does not have */
	wr(r, VIRTIO_MMIO_QUEUE_SEL, 3);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(r, VIRTIO_MMIO_STATUS,
	   rd(r, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* not ready: ignored */
	wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	ck_assert_uint_eq(r->notified[1], 1);
	ck_assert_uint_eq(r->notified[0], 0);
	ck_assert_uint_eq(r->dev.stats.notifications, 3);
	/* a used buffer: interrupt status and the PLIC line, until acked */
	struct vq_driver drv;
	drv_init(&drv, &r->bus, 1, 16);
	drv_desc(&drv, 0, RIG_BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	drv_publish(&drv, 0);
	struct virtq_chain *c = malloc(sizeof(*c));
	ck_assert_int_eq(virtq_pop(&r->dev, 1, c), 1);
	virtq_push(&r->dev, 1, c->head, 8);
	virtq_notify_guest(&r->dev, 1);
	free(c);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	ck_assert(irq_pending(r));
	wr(r, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!irq_pending(r));
	/* QueueReady 0 takes the queue down */
	wr(r, VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(r, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_QUEUE_READY), 0);
	rig_del(r);
}
END_TEST

START_TEST(bad_queue_size_needs_reset)
{
	struct rig *r = rig_new();
	negotiate(r, DEV_FEATURE_LO, 1);
	wr(r, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(r, VIRTIO_MMIO_QUEUE_NUM, QSIZE * 2);
	wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)RIG_DESC(0));
	wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	struct rig_log log;
	rig_log_begin(&log);
	wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_int_eq(rig_log_end(&log), 1);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(rd(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	wr(r, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_STATUS), 0);
	rig_del(r);
}
END_TEST

START_TEST(config_space_and_generation)
{
	struct rig *r = rig_new();
	uint64_t v;
	uint64_t base = slot_pa(r->slot, VIRTIO_MMIO_CONFIG);
	ck_assert(bus_read(&r->bus, base, 4, &v));
	ck_assert_uint_eq(v, 0x11223344);
	ck_assert(bus_read(&r->bus, base + 4, 2, &v));
	ck_assert_uint_eq(v, 0x5566);
	ck_assert(bus_read(&r->bus, base + 7, 1, &v));
	ck_assert_uint_eq(v, 0x88);
	ck_assert(bus_read(&r->bus, base + 6, 4, &v)); /* runs past the end */
	ck_assert_uint_eq(v, 0);
	ck_assert(bus_read(&r->bus, base + 0x200, 4, &v));
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
	uint32_t gen = rd(r, VIRTIO_MMIO_CONFIG_GENERATION);
	negotiate(r, DEV_FEATURE_LO, 1);
	wr(r, VIRTIO_MMIO_STATUS,
	   rd(r, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
	virtio_config_changed(&r->dev);
	ck_assert_uint_ne(rd(r, VIRTIO_MMIO_CONFIG_GENERATION), gen);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
	/* registers are 32-bit: narrower accesses read 0, write nothing */
	ck_assert(bus_read(&r->bus, slot_pa(r->slot, VIRTIO_MMIO_MAGIC_VALUE),
			   2, &v));
	ck_assert_uint_eq(v, 0);
	ck_assert(
		bus_write(&r->bus, slot_pa(r->slot, VIRTIO_MMIO_STATUS), 1, 0));
	ck_assert_uint_ne(rd(r, VIRTIO_MMIO_STATUS), 0);
	rig_del(r);
}
END_TEST

START_TEST(reset_clears_everything)
{
	struct rig *r = rig_new();
	negotiate(r, DEV_FEATURE_LO, 1);
	setup_queue(r, 0);
	setup_queue(r, 2);
	wr(r, VIRTIO_MMIO_STATUS,
	   rd(r, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
	virtio_config_changed(&r->dev);
	ck_assert(irq_pending(r));
	int before = r->resets;
	wr(r, VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(r->resets, before + 1);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!irq_pending(r));
	ck_assert_uint_eq(r->dev.guest_features, 0);
	for (unsigned q = 0; q < 3; q++) {
		wr(r, VIRTIO_MMIO_QUEUE_SEL, q);
		ck_assert_uint_eq(rd(r, VIRTIO_MMIO_QUEUE_READY), 0);
		ck_assert_uint_eq(r->dev.vq[q].desc_pa, 0);
	}
	/* the machine's reset does the same */
	negotiate(r, DEV_FEATURE_LO, 1);
	virtio_mmio_reset_all(r->slots);
	ck_assert_int_eq(r->resets, before + 3); /* negotiate resets too */
	ck_assert_uint_eq(rd(r, VIRTIO_MMIO_STATUS), 0);
	rig_del(r);
}
END_TEST

Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("registers");
	tcase_add_test(tc, identity_and_empty_slots);
	tcase_add_test(tc, feature_banks);
	tcase_add_test(tc, features_ok_refused);
	tcase_add_test(tc, queue_setup_notify_and_interrupt);
	tcase_add_test(tc, bad_queue_size_needs_reset);
	tcase_add_test(tc, config_space_and_generation);
	tcase_add_test(tc, reset_clears_everything);
	suite_add_tcase(s, tc);
	return s;
}
