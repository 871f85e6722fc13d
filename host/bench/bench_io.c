/*
 * Booting the guest with one device configuration and reading the
 * throughput its bench script measured with the guest clock, for groups
 * whose script prints one "PVKIT-BENCH: bytes=N ..." line (net).
 */
#include "host/bench/bench.h"
#include "host/bench/spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_LINE "PVKIT-BENCH:"

/* MB/s from the guest's line, or < 0 with why set. */
static double parse_rate(const char *out, char *why, size_t size)
{
	const char *p = out ? strstr(out, BENCH_LINE) : NULL;
	unsigned long long bytes;
	double t0, t1;
	if (!p) {
		snprintf(why, size, "no %s line", BENCH_LINE);
		return -1;
	}
	/* "seconds=S" (dd's microseconds), else /proc/uptime's 10 ms ticks
	 * around the transfer: never divide by less than one tick */
	double s = -1;
	if (sscanf(p, BENCH_LINE " bytes=%llu seconds=%lf", &bytes, &s) == 2)
		s = s < 1e-6 ? 1e-6 : s;
	else if (sscanf(p, BENCH_LINE " bytes=%llu t0=%lf t1=%lf", &bytes, &t0,
			&t1) == 3)
		s = t1 - t0 < 0.01 ? 0.01 : t1 - t0;
	if (s < 0 || !bytes) {
		snprintf(why, size, "bad %s line", BENCH_LINE);
		return -1;
	}
	return (double)bytes / s / 1e6;
}

void bench_io_run(const struct bench_env *env, char *const *argv,
		  struct bench_result *r, enum bench_figure fig)
{
	struct spawn_req req = {.argv = argv, .timeout_s = BENCH_TIMEOUT_S};
	for (int i = 0; i < env->runs; i++) {
		char step[96];
		snprintf(step, sizeof(step), "%s: %s%s %s", r->group,
			 fig == BENCH_QEMU ? "QEMU " : "", r->device,
			 r->workload);
		bench_progress(env, step, i, env->runs);
		struct spawn_result res;
		char why[64] = "";
		double mbps = -1;
		spawn_run(&req, &res);
		if (res.status != 0 || res.timed_out)
			spawn_describe(&res, why, sizeof(why));
		else /* the script prints the line only if it all worked */
			mbps = parse_rate(res.out, why, sizeof(why));
		if (mbps < 0) {
			char what[128];
			snprintf(what, sizeof(what), "%s %s%s (%s)", r->group,
				 fig == BENCH_QEMU ? "QEMU " : "", r->device,
				 why);
			bench_progress_clear(env);
			bench_show_output(what, res.out ? res.out : "",
					  res.err ? res.err : "");
			bench_fail(r, "%s%s", fig == BENCH_QEMU ? "QEMU: " : "",
				   why);
			spawn_result_free(&res);
			return;
		}
		bench_record(r, fig, mbps);
		if (fig == BENCH_PVKIT)
			bench_record(r, BENCH_HOST_CPU_S, res.cpu_s);
		spawn_result_free(&res);
	}
}
