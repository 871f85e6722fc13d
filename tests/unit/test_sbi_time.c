/*
 * pvkit's SBI HOST_TIME call (protocol/hypercall.h): the snapshot of host
 * time, time CSR and disruption counter it writes into guest RAM, its
 * refusal of addresses outside RAM, and which clock it reports with and
 * without --time-sync. Drives sbi_handle_ecall on a machine that has RAM
 * and a clock but no devices.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emulator/machine.h"
#include "emulator/platform/memmap.h"
#include "emulator/platform/sbi.h"
#include "protocol/hypercall.h"

enum { A0 = 10, A1 = 11, A6 = 16, A7 = 17 };

#define RAM_SIZE (1u << 20)
#define ICOUNT_EPOCH_NS (946684800ll * 1000000000)
#define SNAP_PA (virt_memmap[VIRT_DRAM].base + 0x1000)

static struct machine *rig(bool icount, bool time_sync)
{
	struct machine *m = calloc(1, sizeof(*m));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(
		bus_init(&m->bus, virt_memmap[VIRT_DRAM].base, RAM_SIZE), 0);
	m->cfg.icount = icount;
	m->cfg.time_sync = time_sync;
	m->cfg.cpu_hz = 1000000000;
	vclock_init(&m->clock, icount, m->cfg.cpu_hz, &m->hart.instret);
	return m;
}

static void rig_free(struct machine *m)
{
	bus_free(&m->bus);
	free(m);
}

static void host_time_call(struct machine *m, uint64_t pa_lo, uint64_t pa_hi)
{
	m->hart.x[A7] = PVKIT_SBI_EXT;
	m->hart.x[A6] = PVKIT_SBI_HOST_TIME;
	m->hart.x[A0] = pa_lo;
	m->hart.x[A1] = pa_hi;
	ck_assert(sbi_handle_ecall(m, &m->hart));
}

static uint64_t ram_u64(struct machine *m, uint64_t pa)
{
	uint8_t b[8];
	ck_assert(bus_copy_from_ram(&m->bus, pa, b, 8));
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

START_TEST(host_time_writes_one_snapshot)
{
	/* --icount without sync: everything follows the instruction count */
	struct machine *m = rig(true, false);
	m->hart.instret = 3000000; /* 3 ms at 1 GHz = 30000 ticks */
	machine_clock_stepped(m);
	machine_clock_stepped(m);
	host_time_call(m, SNAP_PA, 0);

	int64_t want_ns = ICOUNT_EPOCH_NS + 3000000;
	ck_assert_int_eq((int64_t)m->hart.x[A0], 0);
	ck_assert_uint_eq(m->hart.x[A1], (uint64_t)want_ns);
	ck_assert_uint_eq(ram_u64(m, SNAP_PA), (uint64_t)want_ns);
	ck_assert_uint_eq(ram_u64(m, SNAP_PA + 8), 30000);
	ck_assert_uint_eq(ram_u64(m, SNAP_PA + 16), 2);
	ck_assert_uint_eq(ram_u64(m, SNAP_PA + 24), TIMEBASE_HZ);
	rig_free(m);
}
END_TEST

START_TEST(host_time_sees_each_disruption)
{
	struct machine *m = rig(true, false);
	host_time_call(m, SNAP_PA, 0);
	ck_assert_uint_eq(ram_u64(m, SNAP_PA + 16), 0);
	machine_clock_stepped(m);
	host_time_call(m, SNAP_PA, 0);
	ck_assert_uint_eq(ram_u64(m, SNAP_PA + 16), 1);
	rig_free(m);
}
END_TEST

START_TEST(host_time_refuses_addresses_outside_ram)
{
	struct machine *m = rig(true, false);
	uint64_t base = virt_memmap[VIRT_DRAM].base;
	const uint64_t bad[][2] = {
		{0x10000000, 0},	   /* the UART, not RAM */
		{base - 8, 0},		   /* just below RAM */
		{base + RAM_SIZE - 24, 0}, /* straddles the end */
		{base + RAM_SIZE, 0},	   /* just past it */
		{SNAP_PA + 4, 0},	   /* misaligned */
		{SNAP_PA, 1},		   /* high bits on RV64 */
		{UINT64_MAX - 7, 0},	   /* wraps around */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		host_time_call(m, bad[i][0], bad[i][1]);
		ck_assert_int_eq((int64_t)m->hart.x[A0],
				 PVKIT_SBI_ERR_INVALID_ADDRESS);
	}
	/* nothing was written anywhere in RAM */
	for (uint64_t off = 0; off < RAM_SIZE; off++)
		if (m->bus.ram[off])
			ck_abort_msg("RAM written at +%#llx",
				     (unsigned long long)off);
	/* the last 32 bytes of RAM are fine */
	host_time_call(m, base + RAM_SIZE - 32, 0);
	ck_assert_int_eq((int64_t)m->hart.x[A0], 0);
	ck_assert_uint_eq(ram_u64(m, base + RAM_SIZE - 8), TIMEBASE_HZ);
	rig_free(m);
}
END_TEST

/* The snapshot may cross into the next page: decoded code there is
   dropped too, as after any store to a code page. */
START_TEST(host_time_over_a_code_page_drops_its_code)
{
	struct machine *m = rig(true, false);
	uint64_t pa = SNAP_PA + PAGE_SIZE - 8; /* 8 bytes here, 24 next */
	uint64_t next = (pa + 8 - m->bus.ram_base) >> PAGE_SHIFT;
	m->bus.page_flags[next] |= PAGE_CODE;
	uint64_t flushes = m->hart.stat_flushes;
	host_time_call(m, pa, 0);
	ck_assert_int_eq((int64_t)m->hart.x[A0], 0);
	ck_assert_uint_eq(m->hart.stat_flushes, flushes + 1);
	rig_free(m);
}
END_TEST

START_TEST(time_sync_reports_the_host_clock_under_icount)
{
	/* with sync on, an --icount guest is told the host's real time, far
	   from its virtual year 2000 */
	struct machine *m = rig(true, true);
	struct timespec t0, t1;
	clock_gettime(CLOCK_REALTIME, &t0);
	host_time_call(m, SNAP_PA, 0);
	clock_gettime(CLOCK_REALTIME, &t1);
	int64_t got = (int64_t)ram_u64(m, SNAP_PA);
	ck_assert_int_ge(got, t0.tv_sec * 1000000000ll + t0.tv_nsec);
	ck_assert_int_le(got, t1.tv_sec * 1000000000ll + t1.tv_nsec);
	rig_free(m);
}
END_TEST

START_TEST(real_time_ticks_advance)
{
	struct machine *m = rig(false, true);
	host_time_call(m, SNAP_PA, 0);
	uint64_t t0 = ram_u64(m, SNAP_PA + 8);
	struct timespec pause = {0, 2000000};
	nanosleep(&pause, NULL);
	host_time_call(m, SNAP_PA, 0);
	/* 2 ms of host time is at least 20000 ticks of the 10 MHz timebase */
	ck_assert_uint_ge(ram_u64(m, SNAP_PA + 8) - t0, 20000);
	rig_free(m);
}
END_TEST

START_TEST(other_vendor_functions_are_not_supported)
{
	struct machine *m = rig(true, false);
	m->hart.x[A7] = PVKIT_SBI_EXT;
	m->hart.x[A6] = 99;
	ck_assert(sbi_handle_ecall(m, &m->hart));
	ck_assert_int_eq((int64_t)m->hart.x[A0], -2);
	rig_free(m);
}
END_TEST

Suite *sbi_time_suite(void)
{
	Suite *s = suite_create("sbi_time");
	TCase *tc = tcase_create("host_time");
	tcase_add_test(tc, host_time_writes_one_snapshot);
	tcase_add_test(tc, host_time_sees_each_disruption);
	tcase_add_test(tc, host_time_refuses_addresses_outside_ram);
	tcase_add_test(tc, host_time_over_a_code_page_drops_its_code);
	tcase_add_test(tc, time_sync_reports_the_host_clock_under_icount);
	tcase_add_test(tc, real_time_ticks_advance);
	tcase_add_test(tc, other_vendor_functions_are_not_supported);
	suite_add_tcase(s, tc);
	return s;
}
