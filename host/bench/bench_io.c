/*
 * The part `pvkit bench disk` and `pvkit bench net` share: booting the
 * guest with one device configuration and reading the throughput its
 * bench script measured with the guest clock, the ratios between the
 * configurations, and their table.
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

void bench_io_run(const struct bench_env *env, char **argv,
		  struct bench_row *row)
{
	struct spawn_req req = {.argv = argv, .timeout_s = BENCH_TIMEOUT_S};
	for (int i = 0; i < env->runs; i++) {
		fprintf(stderr, "pvkit bench %s: %s, run %d of %d\n",
			row->group, row->name, i + 1, env->runs);
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
			snprintf(what, sizeof(what), "%s %s (%s)", row->group,
				 row->name, why);
			bench_show_output(what, res.out ? res.out : "",
					  res.err ? res.err : "");
			snprintf(row->status, sizeof(row->status), "%s", why);
			row->failed = true;
			row->mbps = -1;
			spawn_result_free(&res);
			return;
		}
		if (mbps > row->mbps)
			row->mbps = mbps;
		if (i == 0 || res.cpu_s < row->pv_cpu_s)
			row->pv_cpu_s = res.cpu_s;
		if (i == 0 || res.wall_s < row->pv_s)
			row->pv_s = res.wall_s;
		spawn_result_free(&res);
	}
}

void bench_io_ratios(struct bench_row *virtio, const struct bench_row *base,
		     struct bench_row *qemu)
{
	if (virtio->mbps > 0 && base->mbps > 0)
		virtio->vs_model = virtio->mbps / base->mbps;
	if (qemu && virtio->mbps > 0 && qemu->mbps > 0)
		virtio->vs_qemu = virtio->mbps / qemu->mbps;
}

static void ratio_cell(char *buf, size_t size, double v)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.2fx", v);
}

void bench_io_print(const struct bench_report *rep)
{
	bool any = false;
	for (int k = 0; k < rep->n && !any; k++)
		any = rep->rows[k].kind == BENCH_ROW_RATE;
	if (!any)
		return;
	printf("\nthroughput timed with the guest's clock: for comparing the "
	       "rows, not absolute; best of the runs\n");
	printf("%-8s %-26s %9s %9s %13s %11s  %s\n", "group", "configuration",
	       "MB/s", "run s", "virtio/other", "pvkit/QEMU", "status");
	for (int k = 0; k < rep->n; k++) {
		const struct bench_row *r = &rep->rows[k];
		if (r->kind != BENCH_ROW_RATE)
			continue;
		char mb[16], s[16], vm[16], vq[16];
		if (r->mbps < 0)
			snprintf(mb, sizeof(mb), "n/a");
		else
			snprintf(mb, sizeof(mb), "%.1f", r->mbps);
		if (r->pv_s < 0)
			snprintf(s, sizeof(s), "n/a");
		else
			snprintf(s, sizeof(s), "%.2f", r->pv_s);
		ratio_cell(vm, sizeof(vm), r->vs_model);
		ratio_cell(vq, sizeof(vq), r->vs_qemu);
		printf("%-8s %-26s %9s %9s %13s %11s  %s\n", r->group, r->name,
		       mb, s, vm, vq, r->status);
	}
	printf("MB/s: 10^6 bytes per guest second; run s: the whole boot "
	       "(host wall clock); virtio/other: virtio over IDE (disk) or "
	       "ethoc (net) on pvkit\n");
}
