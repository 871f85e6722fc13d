/*
 * Syscon (SiFive test finisher) unit tests: each value QEMU's virt
 * understands maps to the right action and exit code, reads return 0 so
 * Linux's regmap_update_bits always writes, and stray writes do nothing.
 */
#include <check.h>

#include "emulator/devices/syscon.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/memmap.h"

struct rig {
	struct bus bus;
	struct syscon *syscon;
	int calls;
	enum syscon_action action;
	int code;
};

static void record_finish(void *opaque, enum syscon_action action, int code)
{
	struct rig *r = opaque;
	r->calls++;
	r->action = action;
	r->code = code;
}

static void rig_init(struct rig *r)
{
	*r = (struct rig){0};
	ck_assert_int_eq(
		bus_init(&r->bus, virt_memmap[VIRT_DRAM].base, 1 << 20), 0);
	r->syscon = syscon_create(&r->bus, &virt_memmap[VIRT_TEST],
				  record_finish, r);
	ck_assert_ptr_nonnull(r->syscon);
}

static void rig_free(struct rig *r)
{
	syscon_free(r->syscon);
	bus_free(&r->bus);
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
	ck_assert(bus_write(&r->bus, virt_memmap[VIRT_TEST].base + off, 4, v));
}

START_TEST(pass_is_poweroff_with_status_0)
{
	struct rig r;
	rig_init(&r);
	wr(&r, 0, 0x5555);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.action, SYSCON_POWEROFF);
	ck_assert_int_eq(r.code, 0);
	rig_free(&r);
}
END_TEST

START_TEST(fail_carries_the_code)
{
	struct rig r;
	rig_init(&r);
	wr(&r, 0, (42u << 16) | 0x3333);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.action, SYSCON_FAIL);
	ck_assert_int_eq(r.code, 42);
	wr(&r, 0, (0xffffu << 16) | 0x3333);
	ck_assert_int_eq(r.code, 0xffff);
	rig_free(&r);
}
END_TEST

START_TEST(reset_is_reboot)
{
	struct rig r;
	rig_init(&r);
	wr(&r, 0, 0x7777);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.action, SYSCON_REBOOT);
	rig_free(&r);
}
END_TEST

START_TEST(reads_zero_and_ignores_others)
{
	struct rig r;
	rig_init(&r);
	uint64_t v = 1;
	ck_assert(bus_read(&r.bus, virt_memmap[VIRT_TEST].base, 4, &v));
	ck_assert_uint_eq(v, 0);
	wr(&r, 0, 0x1234);
	wr(&r, 0, 0);
	wr(&r, 4, 0x5555); /* not the finisher register */
	ck_assert_int_eq(r.calls, 0);
	rig_free(&r);
}
END_TEST

Suite *syscon_suite(void)
{
	Suite *s = suite_create("syscon");
	TCase *tc = tcase_create("finisher");
	tcase_add_test(tc, pass_is_poweroff_with_status_0);
	tcase_add_test(tc, fail_carries_the_code);
	tcase_add_test(tc, reset_is_reboot);
	tcase_add_test(tc, reads_zero_and_ignores_others);
	suite_add_tcase(s, tc);
	return s;
}
