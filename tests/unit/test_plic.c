/*
 * PLIC unit tests: the register semantics Linux's irq-sifive-plic relies
 * on, driven through the bus as the hart would, with the context lines
 * recorded by a fake set_ext_irq.
 */
#include <check.h>

#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/memmap.h"

struct rig {
	struct bus bus;
	struct plic *plic;
	bool line[PLIC_NUM_CONTEXTS];
	int changes;
};

static void fake_ext_irq(void *opaque, int ctx, bool level)
{
	struct rig *r = opaque;
	ck_assert_int_ge(ctx, 0);
	ck_assert_int_lt(ctx, PLIC_NUM_CONTEXTS);
	r->line[ctx] = level;
	r->changes++;
}

static void rig_init(struct rig *r)
{
	*r = (struct rig){0};
	ck_assert_int_eq(
		bus_init(&r->bus, virt_memmap[VIRT_DRAM].base, 1 << 20), 0);
	r->plic =
		plic_create(&r->bus, &virt_memmap[VIRT_PLIC], fake_ext_irq, r);
	ck_assert_ptr_nonnull(r->plic);
}

static void rig_free(struct rig *r)
{
	plic_free(r->plic);
	bus_free(&r->bus);
}

static uint32_t rd(struct rig *r, uint64_t off)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus, virt_memmap[VIRT_PLIC].base + off, 4, &v));
	return (uint32_t)v;
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
	ck_assert(bus_write(&r->bus, virt_memmap[VIRT_PLIC].base + off, 4, v));
}

static uint64_t prio(int src)
{
	return PLIC_PRIORITY_BASE + 4 * (uint64_t)src;
}

static uint64_t enable(int ctx)
{
	return PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (uint64_t)ctx;
}

static uint64_t threshold(int ctx)
{
	return PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (uint64_t)ctx;
}

static uint64_t claim(int ctx)
{
	return threshold(ctx) + 4;
}

START_TEST(priority_zero_masks)
{
	struct rig r;
	rig_init(&r);
	wr(&r, enable(PLIC_CTX_S), 1u << 5);
	plic_set_irq(r.plic, 5, true);
	ck_assert(!r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 0);

	wr(&r, prio(5), 1); /* Linux's unmask */
	ck_assert(r.line[PLIC_CTX_S]);
	wr(&r, prio(5), 0); /* Linux's mask */
	ck_assert(!r.line[PLIC_CTX_S]);
	rig_free(&r);
}
END_TEST

START_TEST(threshold_gates_delivery_and_claim)
{
	struct rig r;
	rig_init(&r);
	wr(&r, prio(7), 2);
	wr(&r, enable(PLIC_CTX_S), 1u << 7);
	wr(&r, threshold(PLIC_CTX_S), 2);
	plic_set_irq(r.plic, 7, true);
	ck_assert(!r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 0);
	wr(&r, threshold(PLIC_CTX_S), 1);
	ck_assert(r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, threshold(PLIC_CTX_S)), 1);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 7);
	rig_free(&r);
}
END_TEST

START_TEST(claim_complete_level_semantics)
{
	struct rig r;
	rig_init(&r);
	wr(&r, prio(3), 1);
	wr(&r, enable(PLIC_CTX_S), 1u << 3);
	plic_set_irq(r.plic, 3, true);
	ck_assert_uint_eq(rd(&r, PLIC_PENDING_BASE), 1u << 3);
	ck_assert(r.line[PLIC_CTX_S]);

	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 3);
	/* Claimed: not re-pended although the line is still high. */
	ck_assert(!r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, PLIC_PENDING_BASE), 0);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 0);
	plic_set_irq(r.plic, 3, true);
	ck_assert(!r.line[PLIC_CTX_S]);

	/* Complete with the line still high: pending again at once. */
	wr(&r, claim(PLIC_CTX_S), 3);
	ck_assert(r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 3);

	/* The device drops its line while claimed: complete leaves it idle,
	   and the handler's claim loop ends with 0. */
	plic_set_irq(r.plic, 3, false);
	wr(&r, claim(PLIC_CTX_S), 3);
	ck_assert(!r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 0);

	/* A line that drops before the claim takes its pending bit along. */
	plic_set_irq(r.plic, 3, true);
	plic_set_irq(r.plic, 3, false);
	ck_assert(!r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 0);
	rig_free(&r);
}
END_TEST

START_TEST(complete_needs_enable)
{
	struct rig r;
	rig_init(&r);
	wr(&r, prio(4), 1);
	wr(&r, enable(PLIC_CTX_S), 1u << 4);
	plic_set_irq(r.plic, 4, true);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 4);
	wr(&r, enable(PLIC_CTX_S), 0);
	wr(&r, claim(PLIC_CTX_S), 4); /* ignored: not enabled */
	wr(&r, enable(PLIC_CTX_S), 1u << 4);
	ck_assert(!r.line[PLIC_CTX_S]);
	/* What Linux's EOI of a disabled source does. */
	wr(&r, claim(PLIC_CTX_S), 4);
	ck_assert(r.line[PLIC_CTX_S]);
	rig_free(&r);
}
END_TEST

START_TEST(enable_reads_back)
{
	struct rig r;
	rig_init(&r);
	wr(&r, enable(PLIC_CTX_M), 0xffffffffu);
	/* Source 0 does not exist. */
	ck_assert_uint_eq(rd(&r, enable(PLIC_CTX_M)), 0xfffffffeu);
	ck_assert_uint_eq(rd(&r, enable(PLIC_CTX_S)), 0);
	wr(&r, enable(PLIC_CTX_S), 0x00000402u);
	ck_assert_uint_eq(rd(&r, enable(PLIC_CTX_S)), 0x402u);
	ck_assert_uint_eq(rd(&r, enable(PLIC_CTX_S) + 4), 0);
	wr(&r, prio(9), 0xffffffffu);
	ck_assert_uint_eq(rd(&r, prio(9)), PLIC_PRIORITY_MASK);
	ck_assert_uint_eq(rd(&r, prio(0)), 0);
	rig_free(&r);
}
END_TEST

START_TEST(m_and_s_contexts_drive_their_own_lines)
{
	struct rig r;
	rig_init(&r);
	wr(&r, prio(10), 1);
	wr(&r, prio(11), 1);
	wr(&r, enable(PLIC_CTX_M), 1u << 10);
	wr(&r, enable(PLIC_CTX_S), 1u << 11);
	plic_set_irq(r.plic, 10, true);
	ck_assert(r.line[PLIC_CTX_M]);
	ck_assert(!r.line[PLIC_CTX_S]);
	plic_set_irq(r.plic, 11, true);
	ck_assert(r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 11);
	ck_assert(r.line[PLIC_CTX_M]);
	ck_assert(!r.line[PLIC_CTX_S]);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_M)), 10);
	ck_assert(!r.line[PLIC_CTX_M]);
	rig_free(&r);
}
END_TEST

START_TEST(highest_priority_then_lowest_id)
{
	struct rig r;
	rig_init(&r);
	wr(&r, enable(PLIC_CTX_S), (1u << 2) | (1u << 6) | (1u << 8));
	wr(&r, prio(2), 1);
	wr(&r, prio(6), 3);
	wr(&r, prio(8), 3);
	plic_set_irq(r.plic, 2, true);
	plic_set_irq(r.plic, 8, true);
	plic_set_irq(r.plic, 6, true);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 6);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 8);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 2);
	ck_assert_uint_eq(rd(&r, claim(PLIC_CTX_S)), 0);
	rig_free(&r);
}
END_TEST

START_TEST(lines_change_only_on_edges)
{
	struct rig r;
	rig_init(&r);
	wr(&r, prio(1), 1);
	wr(&r, enable(PLIC_CTX_S), 1u << 1);
	plic_set_irq(r.plic, 1, true);
	plic_set_irq(r.plic, 1, true);
	ck_assert_int_eq(r.changes, 1);
	plic_set_irq(r.plic, 0, true); /* no such source */
	plic_set_irq(r.plic, PLIC_NUM_SOURCES + 1, true);
	ck_assert_int_eq(r.changes, 1);
	rig_free(&r);
}
END_TEST

Suite *plic_suite(void)
{
	Suite *s = suite_create("plic");
	TCase *tc = tcase_create("registers");
	tcase_add_test(tc, priority_zero_masks);
	tcase_add_test(tc, threshold_gates_delivery_and_claim);
	tcase_add_test(tc, claim_complete_level_semantics);
	tcase_add_test(tc, complete_needs_enable);
	tcase_add_test(tc, enable_reads_back);
	tcase_add_test(tc, m_and_s_contexts_drive_their_own_lines);
	tcase_add_test(tc, highest_priority_then_lowest_id);
	tcase_add_test(tc, lines_change_only_on_edges);
	suite_add_tcase(s, tc);
	return s;
}
