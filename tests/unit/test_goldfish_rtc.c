/*
 * Goldfish RTC unit tests: time from a fake clock plus the guest's
 * offset, the LOW/HIGH latching Linux's rtc-goldfish relies on, and the
 * alarm as the machine's main loop drives it (deadline, poll, IRQ).
 */
#include <check.h>

#include "emulator/devices/goldfish_rtc.h"
#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/memmap.h"

enum {
	TIME_LOW = 0x00,
	TIME_HIGH = 0x04,
	ALARM_LOW = 0x08,
	ALARM_HIGH = 0x0c,
	IRQ_ENABLED = 0x10,
	CLEAR_ALARM = 0x14,
	ALARM_STATUS = 0x18,
	CLEAR_INTERRUPT = 0x1c
};

#define START_NS 1700000000123456789ull

struct rig {
	struct bus bus;
	struct plic *plic;
	struct goldfish_rtc *rtc;
	uint64_t now;
};

static uint64_t fake_now(void *opaque)
{
	return ((struct rig *)opaque)->now;
}

static void no_ext_irq(void *opaque, int ctx, bool level)
{
	(void)opaque, (void)ctx, (void)level;
}

static void rig_init(struct rig *r)
{
	*r = (struct rig){.now = START_NS};
	ck_assert_int_eq(
		bus_init(&r->bus, virt_memmap[VIRT_DRAM].base, 1 << 20), 0);
	r->plic =
		plic_create(&r->bus, &virt_memmap[VIRT_PLIC], no_ext_irq, NULL);
	ck_assert_ptr_nonnull(r->plic);
	r->rtc = goldfish_rtc_create(&r->bus, &virt_memmap[VIRT_RTC], r->plic,
				     fake_now, r);
	ck_assert_ptr_nonnull(r->rtc);
}

static void rig_free(struct rig *r)
{
	goldfish_rtc_free(r->rtc);
	plic_free(r->plic);
	bus_free(&r->bus);
}

static uint32_t rd(struct rig *r, uint64_t off)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus, virt_memmap[VIRT_RTC].base + off, 4, &v));
	return (uint32_t)v;
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
	ck_assert(bus_write(&r->bus, virt_memmap[VIRT_RTC].base + off, 4, v));
}

/* As Linux reads it: LOW first. */
static uint64_t read_time(struct rig *r)
{
	uint64_t lo = rd(r, TIME_LOW);
	return lo | (uint64_t)rd(r, TIME_HIGH) << 32;
}

/* As Linux writes it: HIGH first. */
static void set_alarm(struct rig *r, uint64_t t)
{
	wr(r, ALARM_HIGH, (uint32_t)(t >> 32));
	wr(r, ALARM_LOW, (uint32_t)t);
}

static bool irq_line(struct rig *r)
{
	uint64_t pending = 0;
	ck_assert(bus_read(&r->bus,
			   virt_memmap[VIRT_PLIC].base + PLIC_PENDING_BASE, 4,
			   &pending));
	return pending >> virt_memmap[VIRT_RTC].irq & 1;
}

START_TEST(time_follows_clock)
{
	struct rig r;
	rig_init(&r);
	ck_assert_uint_eq(read_time(&r), START_NS);
	r.now += 5000;
	ck_assert_uint_eq(read_time(&r), START_NS + 5000);
	rig_free(&r);
}
END_TEST

START_TEST(low_read_latches_high)
{
	struct rig r;
	rig_init(&r);
	uint32_t lo = rd(&r, TIME_LOW);
	r.now += 1ull << 32; /* HIGH would change if it were not latched */
	ck_assert_uint_eq(rd(&r, TIME_HIGH), (uint32_t)(START_NS >> 32));
	ck_assert_uint_eq(lo, (uint32_t)START_NS);
	ck_assert_uint_eq(read_time(&r), START_NS + (1ull << 32));
	rig_free(&r);
}
END_TEST

START_TEST(guest_sets_time_high_then_low)
{
	struct rig r;
	rig_init(&r);
	const uint64_t want = 946684800000000000ull; /* 2000-01-01 */
	wr(&r, TIME_HIGH, (uint32_t)(want >> 32));
	ck_assert_uint_eq(read_time(&r), START_NS); /* staged, not committed */
	wr(&r, TIME_LOW, (uint32_t)want);
	ck_assert_uint_eq(read_time(&r), want);
	r.now += 42;
	ck_assert_uint_eq(read_time(&r), want + 42);
	rig_free(&r);
}
END_TEST

START_TEST(alarm_fires_at_deadline)
{
	struct rig r;
	rig_init(&r);
	ck_assert_uint_eq(goldfish_rtc_next_deadline_ns(r.rtc), UINT64_MAX);
	/* A guest offset must not leak into the deadline's clock. */
	const uint64_t guest = 2000000000000000000ull;
	wr(&r, TIME_HIGH, (uint32_t)(guest >> 32));
	wr(&r, TIME_LOW, (uint32_t)guest);

	wr(&r, IRQ_ENABLED, 1);
	set_alarm(&r, guest + 1000);
	ck_assert_uint_eq(rd(&r, ALARM_STATUS), 1);
	ck_assert_uint_eq(rd(&r, ALARM_LOW), (uint32_t)(guest + 1000));
	ck_assert_uint_eq(rd(&r, ALARM_HIGH), (uint32_t)((guest + 1000) >> 32));
	ck_assert_uint_eq(goldfish_rtc_next_deadline_ns(r.rtc),
			  START_NS + 1000);

	r.now += 999;
	goldfish_rtc_poll(r.rtc);
	ck_assert(!irq_line(&r));
	r.now += 1;
	goldfish_rtc_poll(r.rtc);
	ck_assert(irq_line(&r));
	ck_assert_uint_eq(rd(&r, ALARM_STATUS), 0);
	ck_assert_uint_eq(goldfish_rtc_next_deadline_ns(r.rtc), UINT64_MAX);

	wr(&r, CLEAR_INTERRUPT, 1);
	ck_assert(!irq_line(&r));
	rig_free(&r);
}
END_TEST

START_TEST(alarm_in_the_past_fires_at_once)
{
	struct rig r;
	rig_init(&r);
	wr(&r, IRQ_ENABLED, 1);
	set_alarm(&r, START_NS - 1);
	ck_assert(irq_line(&r));
	ck_assert_uint_eq(rd(&r, ALARM_STATUS), 0);
	rig_free(&r);
}
END_TEST

START_TEST(irq_enable_and_clear_alarm)
{
	struct rig r;
	rig_init(&r);
	set_alarm(&r, START_NS + 10);
	r.now += 10;
	goldfish_rtc_poll(r.rtc);
	ck_assert(!irq_line(&r)); /* fired, but masked */
	wr(&r, IRQ_ENABLED, 1);
	ck_assert_uint_eq(rd(&r, IRQ_ENABLED), 1);
	ck_assert(irq_line(&r));
	wr(&r, IRQ_ENABLED, 0);
	ck_assert(!irq_line(&r));
	wr(&r, CLEAR_INTERRUPT, 1);

	/* Linux disabling an alarm: IRQ_ENABLED 0, then CLEAR_ALARM. */
	set_alarm(&r, START_NS + 100);
	ck_assert_uint_eq(rd(&r, ALARM_STATUS), 1);
	wr(&r, CLEAR_ALARM, 1);
	ck_assert_uint_eq(rd(&r, ALARM_STATUS), 0);
	ck_assert_uint_eq(goldfish_rtc_next_deadline_ns(r.rtc), UINT64_MAX);
	r.now += 1000;
	wr(&r, IRQ_ENABLED, 1);
	goldfish_rtc_poll(r.rtc);
	ck_assert(!irq_line(&r));
	rig_free(&r);
}
END_TEST

Suite *goldfish_rtc_suite(void)
{
	Suite *s = suite_create("goldfish_rtc");
	TCase *tc = tcase_create("registers");
	tcase_add_test(tc, time_follows_clock);
	tcase_add_test(tc, low_read_latches_high);
	tcase_add_test(tc, guest_sets_time_high_then_low);
	tcase_add_test(tc, alarm_fires_at_deadline);
	tcase_add_test(tc, alarm_in_the_past_fires_at_once);
	tcase_add_test(tc, irq_enable_and_clear_alarm);
	suite_add_tcase(s, tc);
	return s;
}
