/*
 * The machine's clock (emulator/platform/vclock.c) under --icount: time
 * follows instructions and skips idle time, unless aligned to host time
 * (--icount --time-sync on), when it catches up with the host and tells
 * the caller how far ahead it runs.
 */
#include <check.h>
#include <time.h>

#include "emulator/platform/memmap.h"
#include "emulator/platform/vclock.h"

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&t, NULL);
}

START_TEST(icount_follows_instructions_and_skips_idle)
{
	struct vclock c;
	uint64_t instret = 0;
	vclock_init(&c, true, 1000000000, &instret);
	instret = 5000000; /* 5 ms at 1 GHz */
	ck_assert_uint_eq(vclock_ticks(&c), 50000);
	sleep_ms(20); /* host time does not count */
	ck_assert_uint_eq(vclock_ticks(&c), 50000);
	ck_assert_int_eq(vclock_align(&c), 0); /* not aligned: nothing */
	/* an idle wait for 1 s of guest time is skipped at once */
	ck_assert_int_eq(vclock_wait_ns(&c, 50000 + TIMEBASE_HZ), 0);
	ck_assert_uint_eq(vclock_ticks(&c), 50000 + TIMEBASE_HZ);
}
END_TEST

START_TEST(aligned_icount_catches_up_with_the_host)
{
	struct vclock c;
	uint64_t instret = 0;
	vclock_init(&c, true, 1000000000, &instret);
	c.aligned = true;
	/* idle waits take host time instead of skipping */
	ck_assert_int_gt(vclock_wait_ns(&c, TIMEBASE_HZ), 0);
	sleep_ms(30);
	ck_assert_int_eq(vclock_align(&c), 0); /* behind: catches up */
	/* at least the 30 ms slept (300000 ticks) have passed */
	ck_assert_uint_ge(vclock_ticks(&c), 300000);
	/* far more instructions than host time allows: ahead, by about
	   10 s less the time since the start */
	instret += 10ull * 1000000000;
	int64_t ahead = vclock_align(&c);
	ck_assert_int_gt(ahead, 9000000000ll);
	ck_assert_int_le(ahead, 10000000000ll);
}
END_TEST

START_TEST(resume_restarts_the_alignment)
{
	struct vclock c;
	uint64_t instret = 0;
	vclock_init(&c, true, 1000000000, &instret);
	c.aligned = true;
	vclock_pause(&c);
	uint64_t frozen = vclock_ticks(&c);
	sleep_ms(100);
	ck_assert_int_eq(vclock_align(&c), 0); /* paused: left alone */
	ck_assert_uint_eq(vclock_ticks(&c), frozen);
	vclock_resume(&c);
	/* the stop is not caught up: guest time lags by it, as without
	   --icount, until the agent steps the guest clock */
	vclock_align(&c);
	ck_assert_uint_lt(vclock_ticks(&c), frozen + 500000);
}
END_TEST

Suite *vclock_suite(void)
{
	Suite *s = suite_create("vclock");
	TCase *tc = tcase_create("icount");
	tcase_add_test(tc, icount_follows_instructions_and_skips_idle);
	tcase_add_test(tc, aligned_icount_catches_up_with_the_host);
	tcase_add_test(tc, resume_restarts_the_alignment);
	suite_add_tcase(s, tc);
	return s;
}
