/*
 * `pvkit bench --plot FILE`: one chart per group and metric (the pair of
 * devices, and QEMU where it has the device), as grouped bars of the
 * medians with min..max error bars, drawn by gnuplot (Debian's gnuplot or
 * gnuplot-nox) as SVG or PNG by the file's extension. Talks to gnuplot
 * through a temporary script; owns nothing.
 */
#include "host/bench/bench.h"
#include "host/bench/spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_PANELS 24
#define MAX_COLS 8
#define MAX_ROWS 32

/* One chart: the results of one group with one metric. */
struct panel {
	const char *group, *metric;
	bool higher_is_better;
	int ncols, nrows;
	/* a column is a device on pvkit (qemu false) or on QEMU */
	struct {
		const char *device;
		bool qemu;
	} col[MAX_COLS];
	const char *row[MAX_ROWS]; /* workloads */
};

static int find_or_add_col(struct panel *p, const char *device, bool qemu)
{
	for (int k = 0; k < p->ncols; k++)
		if (!strcmp(p->col[k].device, device) && p->col[k].qemu == qemu)
			return k;
	if (p->ncols == MAX_COLS)
		return -1;
	p->col[p->ncols].device = device;
	p->col[p->ncols].qemu = qemu;
	return p->ncols++;
}

static int find_or_add_row(struct panel *p, const char *workload)
{
	for (int k = 0; k < p->nrows; k++)
		if (!strcmp(p->row[k], workload))
			return k;
	if (p->nrows == MAX_ROWS)
		return -1;
	p->row[p->nrows] = workload;
	return p->nrows++;
}

static int build_panels(const struct bench_report *rep, struct panel *ps)
{
	int n = 0;
	for (int k = 0; k < rep->n; k++) {
		const struct bench_result *r = rep->results[k];
		if (!r->fig[BENCH_PVKIT].n && !r->fig[BENCH_QEMU].n)
			continue;
		int p = 0;
		while (p < n && (strcmp(ps[p].group, r->group) ||
				 strcmp(ps[p].metric, r->metric)))
			p++;
		if (p == n) {
			if (n == MAX_PANELS)
				continue;
			memset(&ps[n], 0, sizeof(ps[n]));
			ps[n].group = r->group;
			ps[n].metric = r->metric;
			ps[n].higher_is_better = r->higher_is_better;
			n++;
		}
		find_or_add_row(&ps[p], r->workload);
		find_or_add_col(&ps[p], r->device, false);
		if (r->fig[BENCH_QEMU].n)
			find_or_add_col(&ps[p], r->device, true);
	}
	return n;
}

/* The datablock of a panel: a row per workload, for each column the
 * median, min and max ("-" where missing). */
static void panel_data(FILE *f, int idx, const struct panel *p,
		       const struct bench_report *rep)
{
	fprintf(f, "$p%d << EOD\n", idx);
	for (int w = 0; w < p->nrows; w++) {
		fprintf(f, "\"%s\"", p->row[w]);
		for (int c = 0; c < p->ncols; c++) {
			const struct bench_result *r = NULL;
			for (int k = 0; k < rep->n && !r; k++) {
				const struct bench_result *x = rep->results[k];
				if (!strcmp(x->group, p->group) &&
				    !strcmp(x->metric, p->metric) &&
				    !strcmp(x->workload, p->row[w]) &&
				    !strcmp(x->device, p->col[c].device))
					r = x;
			}
			double m = -1, lo = -1, hi = -1;
			if (r)
				bench_stats(
					&r->fig[p->col[c].qemu ? BENCH_QEMU
							       : BENCH_PVKIT],
					&m, &lo, &hi);
			if (m < 0)
				fputs(" - - -", f);
			else
				fprintf(f, " %g %g %g", m, lo, hi);
		}
		fputc('\n', f);
	}
	fputs("EOD\n", f);
}

static void panel_plot(FILE *f, int idx, const struct panel *p)
{
	fprintf(f,
		"set title \"%s: %s (%s is better)\"\nset ylabel \"%s\"\n"
		"plot ",
		p->group, p->metric, p->higher_is_better ? "higher" : "lower",
		p->metric);
	for (int c = 0; c < p->ncols; c++) {
		int col = 2 + 3 * c;
		fprintf(f, "%s$p%d using %d:%d:%d%s title \"%s%s\"",
			c ? ", " : "", idx, col, col + 1, col + 2,
			c ? "" : ":xtic(1)",
			p->col[c].qemu ? "QEMU " : "pvkit ", p->col[c].device);
	}
	fputc('\n', f);
}

int bench_write_plot(const char *path, const struct bench_report *rep)
{
	char gnuplot[PATH_MAX];
	if (!spawn_find_in_path("gnuplot", gnuplot, sizeof(gnuplot))) {
		fprintf(stderr,
			"pvkit bench: gnuplot not found (package gnuplot-nox); "
			"no plot written\n");
		return -1;
	}
	struct panel *ps = calloc(MAX_PANELS, sizeof(*ps));
	if (!ps)
		return -1;
	int n = build_panels(rep, ps);
	if (!n) {
		fprintf(stderr, "pvkit bench: nothing to plot\n");
		free(ps);
		return -1;
	}
	char script[] = "/tmp/pvkit-bench-plot-XXXXXX";
	int fd = mkstemp(script);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr,
			"pvkit bench: cannot create a gnuplot script\n");
		if (fd >= 0)
			close(fd), unlink(script);
		free(ps);
		return -1;
	}
	for (int k = 0; k < n; k++)
		panel_data(f, k, &ps[k], rep);
	/* two charts a row; each 560x360 */
	int cols = n > 1 ? 2 : 1, rows = (n + 1) / 2;
	size_t len = strlen(path);
	bool svg = len >= 4 && !strcasecmp(path + len - 4, ".svg");
	fprintf(f, "set terminal %s size %d,%d%s\nset output \"",
		svg ? "svg" : "pngcairo", 560 * cols, 360 * rows,
		svg ? " dynamic" : "");
	for (const char *s = path; *s; s++)
		fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	fputs("\"\nset datafile missing \"-\"\nset style data histogram\n"
	      "set style histogram errorbars gap 1 lw 1\n"
	      "set style fill solid 0.8 border -1\nset boxwidth 0.9\n"
	      "set grid ytics\nset key top right font \",9\"\n"
	      "set xtics rotate by -30 font \",9\"\nset yrange [0:*]\n",
	      f);
	fprintf(f, "set multiplot layout %d,%d\n", rows, cols);
	for (int k = 0; k < n; k++)
		panel_plot(f, k, &ps[k]);
	fputs("unset multiplot\n", f);
	fclose(f);
	free(ps);
	char *argv[] = {gnuplot, script, NULL};
	struct spawn_req req = {.argv = argv, .timeout_s = 60};
	struct spawn_result res;
	spawn_run(&req, &res);
	int rc = 0;
	if (res.status != 0) {
		fprintf(stderr, "pvkit bench: gnuplot failed:\n%s",
			res.err ? res.err : "");
		rc = -1;
	}
	spawn_result_free(&res);
	unlink(script);
	return rc;
}
