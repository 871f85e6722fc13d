/*
 * `pvkit bench` framework unit tests: the statistics of a figure, what a
 * sample may be, results that stay put while the report grows, the JSON
 * file's schema (read back with jansson), and reading the guest's result
 * lines and counter snapshots of a run (bench_run.c) without an engine.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/bench/bench.h"

START_TEST(median_min_max_of_odd_and_even_counts)
{
	struct bench_samples s = {0};
	double m, lo, hi;
	ck_assert(!bench_stats(&s, &m, &lo, &hi));
	ck_assert(m < 0 && lo < 0 && hi < 0);
	s.n = 3;
	s.v[0] = 9, s.v[1] = 1, s.v[2] = 4;
	ck_assert(bench_stats(&s, &m, &lo, &hi));
	ck_assert_double_eq(m, 4);
	ck_assert_double_eq(lo, 1);
	ck_assert_double_eq(hi, 9);
	s.v[s.n++] = 6;
	ck_assert(bench_stats(&s, &m, &lo, &hi));
	ck_assert_double_eq(m, 5);	/* (4 + 6) / 2 */
	ck_assert_double_eq(s.v[0], 9); /* the samples keep their order */
}
END_TEST

START_TEST(unknown_values_are_not_samples)
{
	struct bench_report rep = {0};
	struct bench_result *r =
		bench_add(&rep, "disk", "ide", "seq-read-4K", "MB/s", true);
	ck_assert_ptr_nonnull(r);
	bench_record(r, BENCH_PVKIT, -1);
	bench_record(r, BENCH_PVKIT, NAN);
	bench_record(r, BENCH_PVKIT, INFINITY);
	ck_assert_int_eq(r->fig[BENCH_PVKIT].n, 0);
	bench_record(r, BENCH_PVKIT, 0);
	for (int k = 0; k < BENCH_MAX_SAMPLES + 5; k++)
		bench_record(r, BENCH_QEMU, k);
	ck_assert_int_eq(r->fig[BENCH_PVKIT].n, 1);
	ck_assert_int_eq(r->fig[BENCH_QEMU].n, BENCH_MAX_SAMPLES);
	ck_assert_str_eq(r->status, "ok");
	ck_assert(!r->failed);
	bench_fail(r, "exit %d", 3);
	ck_assert(r->failed);
	ck_assert_str_eq(r->status, "exit 3");
	bench_report_free(&rep);
}
END_TEST

START_TEST(results_stay_put_as_the_report_grows)
{
	struct bench_report rep = {0};
	struct bench_result *first =
		bench_add(&rep, "cpu", "cpu", "intalu", "MIPS", true);
	for (int k = 0; k < 200; k++)
		ck_assert_ptr_nonnull(
			bench_add(&rep, "cpu", "cpu", "x", "MIPS", true));
	bench_record(first, BENCH_PVKIT, 7);
	ck_assert_ptr_eq(rep.results[0], first);
	ck_assert_int_eq(rep.results[0]->fig[BENCH_PVKIT].n, 1);
	ck_assert_int_eq(rep.n, 201);
	bench_report_free(&rep);
	ck_assert_int_eq(rep.n, 0);
}
END_TEST

START_TEST(json_has_the_schema)
{
	struct bench_env env = {.runs = 3};
	struct bench_report rep = {0};
	struct bench_result *a = bench_add(&rep, "disk", "virtio-blk",
					   "seq-read-1M", "MB/s", true);
	struct bench_result *b =
		bench_add(&rep, "boot", "linux", "start-to-init", "s", false);
	struct bench_result *c =
		bench_add(&rep, "fs", "hostfs", "all", "-", true);
	for (int k = 1; k <= 3; k++) {
		bench_record(a, BENCH_PVKIT, 100 * k);
		bench_record(a, BENCH_EXITS_PER_REQUEST, 3);
		bench_record(b, BENCH_PVKIT, 1);
	}
	bench_record(a, BENCH_QEMU, 50);
	bench_record(b, BENCH_QEMU, 2);
	bench_status(c, "n/a: not implemented yet");
	char path[] = "/tmp/pvkit-test-bench-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(bench_write_json(path, &env, &rep), 0);
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	unlink(path);
	ck_assert_msg(doc, "JSON does not parse: %s", err.text);
	json_t *machine = json_object_get(doc, "machine");
	ck_assert(json_is_object(machine));
	static const char *const mkeys[] = {"cpu",    "cores",	      "memory",
					    "kernel", "pvkit_commit", "qemu",
					    "date",   "quick",	      "runs"};
	for (size_t k = 0; k < sizeof(mkeys) / sizeof(mkeys[0]); k++)
		ck_assert_msg(json_object_get(machine, mkeys[k]),
			      "machine has no %s", mkeys[k]);
	json_t *rs = json_object_get(doc, "results");
	ck_assert_int_eq(json_array_size(rs), 3);
	json_t *ra = json_array_get(rs, 0), *rb = json_array_get(rs, 1),
	       *rc = json_array_get(rs, 2);
	ck_assert_str_eq(json_string_value(json_object_get(ra, "device")),
			 "virtio-blk");
	ck_assert_double_eq(json_number_value(json_object_get(ra, "median")),
			    200);
	ck_assert_double_eq(json_number_value(json_object_get(ra, "min")), 100);
	ck_assert_double_eq(json_number_value(json_object_get(ra, "max")), 300);
	ck_assert_int_eq(json_array_size(json_object_get(ra, "samples")), 3);
	ck_assert_double_eq(json_number_value(json_object_get(ra, "qemu")), 50);
	/* higher is better: 200 / 50; lower is better: 2 / 1 */
	ck_assert_double_eq(json_number_value(json_object_get(ra, "vs_qemu")),
			    4);
	ck_assert_double_eq(json_number_value(json_object_get(rb, "vs_qemu")),
			    2);
	ck_assert_double_eq(
		json_number_value(json_object_get(ra, "exits_per_request")), 3);
	ck_assert(json_is_null(json_object_get(ra, "insns_per_byte")));
	ck_assert(json_is_null(json_object_get(rc, "median")));
	ck_assert(json_is_null(json_object_get(rc, "qemu")));
	ck_assert(json_is_false(json_object_get(rc, "failed")));
	ck_assert_str_eq(json_string_value(json_object_get(rc, "status")),
			 "n/a: not implemented yet");
	json_decref(doc);
	bench_report_free(&rep);
}
END_TEST

START_TEST(result_lines_and_counter_deltas_of_a_run)
{
	struct bench_run run;
	memset(&run, 0, sizeof(run));
	run.res.out = strdup(
		"boot noise\r\nPVKIT-BENCH: workload=seq-read-4K bytes=4096 "
		"seconds=0.5 requests=1 \r\nPVKIT-BENCH: workload=seq-read-4"
		"K2 bytes=1 \r\nPVKIT-BENCH: workload=seq-read-4K bytes=8192 "
		"seconds=0.25 requests=2 \r\n");
	double v;
	/* the last line of the workload wins; a prefix is another one */
	ck_assert(bench_run_value(&run, "seq-read-4K", "bytes", &v));
	ck_assert_double_eq(v, 8192);
	ck_assert(bench_run_value(&run, "seq-read-4K", "seconds", &v));
	ck_assert_double_eq(v, 0.25);
	ck_assert(!bench_run_value(&run, "seq-read-4K", "byte", &v));
	ck_assert(!bench_run_value(&run, "seq-read", "bytes", &v));

	run.nmarks = 2;
	snprintf(run.marks[0].label, sizeof(run.marks[0].label), "w-begin");
	snprintf(run.marks[1].label, sizeof(run.marks[1].label), "w-end");
	run.marks[0].stats = json_pack(
		"{s:{s:i},s:{s:f},s:[{s:s,s:i,s:i,s:i,s:i,s:i}],"
		"s:{s:i,s:i,s:i,s:i,s:i,s:i,s:i}}",
		"cpu", "instructions", 1000, "host", "cpu-seconds", 1.0,
		"virtio", "name", "virtio-blk", "mmio-exits", 10, "interrupts",
		2, "requests", 4, "bytes-in", 0, "bytes-out", 100, "ide",
		"commands", 1, "sectors", 8, "bytes", 4096, "pio-accesses", 0,
		"mmio-exits", 2048, "interrupts", 1, "errors", 0);
	run.marks[1].stats = json_pack(
		"{s:{s:i},s:{s:f},s:[{s:s,s:i,s:i,s:i,s:i,s:i}]}", "cpu",
		"instructions", 5000, "host", "cpu-seconds", 1.5, "virtio",
		"name", "virtio-blk", "mmio-exits", 16, "interrupts", 4,
		"requests", 6, "bytes-in", 8192, "bytes-out", 100);
	struct bench_counters c;
	ck_assert(
		bench_run_counters(&run, "virtio-blk", "w-begin", "w-end", &c));
	ck_assert_double_eq(c.instructions, 4000);
	ck_assert_double_eq(c.mmio_exits, 6);
	ck_assert_double_eq(c.interrupts, 2);
	ck_assert_double_eq(c.requests, 2);
	ck_assert_double_eq(c.bytes, 8192);
	ck_assert_double_eq(c.host_cpu_s, 0.5);
	ck_assert(bench_run_counters(&run, "cpu", "w-begin", "w-end", &c));
	ck_assert_double_eq(c.instructions, 4000);
	/* no IDE in the second snapshot, no such mark */
	ck_assert(!bench_run_counters(&run, "ide", "w-begin", "w-end", &c));
	ck_assert(!bench_run_counters(&run, "virtio-blk", "w-begin", "x", &c));
	bench_run_free(&run);
	ck_assert_int_eq(run.nmarks, 0);
}
END_TEST

Suite *bench_report_suite(void)
{
	Suite *s = suite_create("bench_report");
	TCase *tc = tcase_create("report");
	tcase_add_test(tc, median_min_max_of_odd_and_even_counts);
	tcase_add_test(tc, unknown_values_are_not_samples);
	tcase_add_test(tc, results_stay_put_as_the_report_grows);
	tcase_add_test(tc, json_has_the_schema);
	tcase_add_test(tc, result_lines_and_counter_deltas_of_a_run);
	suite_add_tcase(s, tc);
	return s;
}
