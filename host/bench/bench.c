/*
 * `pvkit bench`: option parsing, the group dispatch and the report.
 *
 *   pvkit bench [cpu|boot|disk|net|fs|console|time|all]... [--quick]
 *               [--json FILE] [--plot FILE]
 *
 * Each group runs its guest workloads on pvkit (this binary, `run`) and on
 * QEMU (the reference) and adds rows to one report, printed at the end as
 * an aligned table on stdout, and optionally as JSON and a gnuplot PNG.
 * Progress and diagnostics go to stderr. Exit status: 0, or 1 if a run
 * failed or pvkit's output differed from QEMU's; 2 for bad usage.
 */
#include "host/bench/bench.h"
#include "host/bench/spawn.h"
#include "host/cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* DESIGN.md's groups, in report order; only the first four exist yet, the
 * others are accepted and reported as not available. */
enum { GROUP_CPU, GROUP_BOOT, GROUP_DISK, GROUP_NET, NGROUPS = 7 };
static const char *const group_names[NGROUPS] = {
	"cpu", "boot", "disk", "net", "fs", "console", "time",
};
#define ALL_GROUPS ((1u << NGROUPS) - 1)

struct bench_options {
	unsigned groups;
	bool quick;
	const char *json, *plot;
};

struct bench_row *bench_add_row(struct bench_report *rep, const char *group,
				const char *name, enum bench_row_kind kind)
{
	if (rep->n == rep->cap) {
		int cap = rep->cap ? rep->cap * 2 : 16;
		struct bench_row *rows =
			realloc(rep->rows, (size_t)cap * sizeof(*rows));
		if (!rows)
			return NULL;
		rep->rows = rows;
		rep->cap = cap;
	}
	struct bench_row *r = &rep->rows[rep->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->group, sizeof(r->group), "%s", group);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = kind;
	r->pv_s = r->qemu_s = r->pv_cpu_s = r->qemu_cpu_s = -1;
	r->vs_model = r->vs_qemu = -1;
	snprintf(r->status, sizeof(r->status), "ok");
	return r;
}

bool bench_find_file(const struct bench_env *env, const char *rel, char *buf,
		     size_t size)
{
	char alt[PATH_MAX];
	snprintf(alt, sizeof(alt), "build/%s", rel);
	snprintf(buf, size, "%s/%s", env->build_dir, rel);
	if (access(buf, R_OK) == 0)
		return true;
	if (access(alt, R_OK) != 0)
		return false;
	snprintf(buf, size, "%s", alt);
	return true;
}

void bench_show_output(const char *what, const char *out, const char *err)
{
	/* the end of a log says most about why it stopped */
	const size_t tail = 2000;
	size_t lo = strlen(out), le = strlen(err);
	fprintf(stderr, "---- %s: stdout%s ----\n%s\n", what,
		lo > tail ? " (tail)" : "", out + (lo > tail ? lo - tail : 0));
	fprintf(stderr, "---- %s: stderr%s ----\n%s\n", what,
		le > tail ? " (tail)" : "", err + (le > tail ? le - tail : 0));
}

static int parse(int argc, char **argv, struct bench_options *o)
{
	memset(o, 0, sizeof(*o));
	for (int k = 0; k < argc; k++) {
		const char *a = argv[k];
		const char **dest = NULL;
		size_t len = 0;
		if (!strncmp(a, "--json", 6))
			dest = &o->json, len = 6;
		else if (!strncmp(a, "--plot", 6))
			dest = &o->plot, len = 6;
		if (dest && (a[len] == '=' || a[len] == 0)) {
			if (a[len] == '=')
				*dest = a + len + 1;
			else if (k + 1 < argc)
				*dest = argv[++k];
			else
				return cli_error("bench: %s needs a FILE", a);
			if (!**dest)
				return cli_error("bench: %.6s needs a FILE", a);
			continue;
		}
		if (!strcmp(a, "--quick")) {
			o->quick = true;
			continue;
		}
		if (a[0] == '-')
			return cli_error("bench: unknown option '%s'", a);
		if (!strcmp(a, "all")) {
			o->groups |= ALL_GROUPS;
			continue;
		}
		int g = 0;
		while (g < NGROUPS && strcmp(a, group_names[g]))
			g++;
		if (g == NGROUPS)
			return cli_error(
				"bench: unknown group '%s' (cpu, boot, "
				"disk, net, fs, console, time or all)",
				a);
		o->groups |= 1u << g;
	}
	if (!o->groups)
		o->groups = ALL_GROUPS;
	return 0;
}

/* Wall times on a loaded host mostly measure the other load: say so. */
static void warn_if_busy(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double load;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (f && fscanf(f, "%lf", &load) == 1 && ncpu > 0 &&
	    load > (double)ncpu - 0.5)
		fprintf(stderr,
			"pvkit bench: host load average %.1f on %ld CPUs: wall "
			"times will be noisy (JSON has CPU times too)\n",
			load, ncpu);
	if (f)
		fclose(f);
}

static void setup_env(struct bench_env *env, bool quick)
{
	memset(env, 0, sizeof(*env));
	env->quick = quick;
	env->runs = quick ? 1 : 3;
	ssize_t n =
		readlink("/proc/self/exe", env->self, sizeof(env->self) - 1);
	if (n <= 0)
		n = snprintf(env->self, sizeof(env->self), "build/pvkit");
	env->self[n] = 0;
	/* guest programs live next to the binary: build/pvkit, build/guest-tests */
	snprintf(env->build_dir, sizeof(env->build_dir), "%s", env->self);
	char *slash = strrchr(env->build_dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(env->build_dir, sizeof(env->build_dir), ".");

	if (!spawn_find_in_path("qemu-system-riscv64", env->qemu,
				sizeof(env->qemu))) {
		env->qemu[0] = 0;
		fprintf(stderr, "pvkit bench: qemu-system-riscv64 not found; "
				"QEMU columns will be n/a\n");
		return;
	}
	char *argv[] = {env->qemu, "--version", NULL};
	struct spawn_req req = {.argv = argv, .timeout_s = 10};
	struct spawn_result res;
	spawn_run(&req, &res);
	if (res.status == 0 && res.out) {
		size_t len = strcspn(res.out, "\n");
		snprintf(env->qemu_version, sizeof(env->qemu_version), "%.*s",
			 (int)len, res.out);
	}
	spawn_result_free(&res);
}

static double mips(const struct bench_row *r, double s)
{
	return r->kind == BENCH_ROW_CPU && r->insns && s > 0
		       ? (double)r->insns / s / 1e6
		       : -1;
}

/* pvkit's speed relative to QEMU's: > 1 means pvkit is faster. */
static double speed_ratio(const struct bench_row *r)
{
	return r->pv_s > 0 && r->qemu_s > 0 ? r->qemu_s / r->pv_s : -1;
}

static void cell(char *buf, size_t size, const char *fmt, double v)
{
	if (v < 0)
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, fmt, v);
}

static void print_table(const struct bench_env *env,
			const struct bench_report *rep)
{
	printf("pvkit bench%s: best of %d, cpu start-up subtracted; QEMU: %s\n",
	       env->quick ? " --quick" : "", env->runs,
	       env->qemu[0]
		       ? (env->qemu_version[0] ? env->qemu_version : env->qemu)
		       : "not found");
	bool timed = false; /* rows for this table, not bench_io_print's */
	for (int k = 0; k < rep->n; k++)
		timed |= rep->rows[k].kind != BENCH_ROW_RATE;
	if (timed)
		printf("%-8s %-18s %13s %9s %10s %9s %10s %10s  %s\n", "group",
		       "benchmark", "instructions", "pvkit s", "pvkit MIPS",
		       "QEMU s", "QEMU MIPS", "pvkit/QEMU", "check");
	double log_sum = 0;
	int log_n = 0;
	for (int k = 0; k < rep->n; k++) {
		const struct bench_row *r = &rep->rows[k];
		if (r->kind == BENCH_ROW_NA) {
			printf("%-8s %s\n", r->group, r->status);
			continue;
		}
		if (r->kind == BENCH_ROW_RATE)
			continue; /* bench_io_print's table */
		char insns[24] = "-", pv[16], pvm[16] = "-", q[16],
		     qm[16] = "-", ratio[16];
		if (r->kind == BENCH_ROW_CPU) {
			if (r->insns)
				snprintf(insns, sizeof(insns), "%llu",
					 (unsigned long long)r->insns);
			else
				snprintf(insns, sizeof(insns), "n/a");
			cell(pvm, sizeof(pvm), "%.1f", mips(r, r->pv_s));
			cell(qm, sizeof(qm), "%.1f", mips(r, r->qemu_s));
		}
		cell(pv, sizeof(pv), "%.3f", r->pv_s);
		cell(q, sizeof(q), "%.3f", r->qemu_s);
		double rt = speed_ratio(r);
		cell(ratio, sizeof(ratio), "%.2fx", rt);
		printf("%-8s %-18s %13s %9s %10s %9s %10s %10s  %s\n", r->group,
		       r->name, insns, pv, pvm, q, qm, ratio, r->status);
		if (r->kind == BENCH_ROW_CPU && rt > 0 && !r->failed)
			log_sum += log(rt), log_n++;
		bool last_cpu = r->kind == BENCH_ROW_CPU &&
				(k + 1 == rep->n ||
				 rep->rows[k + 1].kind != BENCH_ROW_CPU);
		if (last_cpu && log_n > 1)
			printf("%-8s %-18s %13s %9s %10s %9s %10s %9.2fx\n",
			       "cpu", "geometric mean", "", "", "", "", "",
			       exp(log_sum / log_n));
	}
	if (timed)
		printf("pvkit/QEMU: pvkit's speed as a multiple of QEMU's (> "
		       "1: "
		       "pvkit faster)\n");
	bench_io_print(rep);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_number(FILE *f, const char *key, double v, const char *fmt)
{
	fprintf(f, ", \"%s\": ", key);
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, fmt, v);
}

static int write_json(const char *path, const struct bench_env *env,
		      const struct bench_report *rep)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "pvkit bench: cannot write %s\n", path);
		return -1;
	}
	fprintf(f, "{\n  \"quick\": %s,\n  \"runs\": %d,\n  \"qemu\": ",
		env->quick ? "true" : "false", env->runs);
	json_string(f, env->qemu[0] ? env->qemu_version : "");
	fputs(",\n  \"results\": [\n", f);
	for (int k = 0; k < rep->n; k++) {
		const struct bench_row *r = &rep->rows[k];
		fputs("    {\"group\": ", f);
		json_string(f, r->group);
		fputs(", \"name\": ", f);
		json_string(f, r->name);
		if (r->kind == BENCH_ROW_CPU && r->insns)
			fprintf(f, ", \"instructions\": %llu",
				(unsigned long long)r->insns);
		else
			fputs(", \"instructions\": null", f);
		json_number(f, "pvkit_s", r->pv_s, "%.6f");
		json_number(f, "pvkit_mips", mips(r, r->pv_s), "%.2f");
		json_number(f, "qemu_s", r->qemu_s, "%.6f");
		json_number(f, "qemu_mips", mips(r, r->qemu_s), "%.2f");
		json_number(f, "ratio", speed_ratio(r), "%.4f");
		json_number(f, "pvkit_cpu_s", r->pv_cpu_s, "%.6f");
		json_number(f, "qemu_cpu_s", r->qemu_cpu_s, "%.6f");
		if (r->kind == BENCH_ROW_RATE) {
			json_number(f, "mbps", r->mbps, "%.3f");
			json_number(f, "vs_model", r->vs_model, "%.4f");
			json_number(f, "vs_qemu", r->vs_qemu, "%.4f");
		}
		fprintf(f, ", \"ok\": %s, \"status\": ",
			r->failed ? "false" : "true");
		json_string(f, r->status);
		fprintf(f, "}%s\n", k + 1 < rep->n ? "," : "");
	}
	fputs("  ]\n}\n", f);
	if (fclose(f)) {
		fprintf(stderr, "pvkit bench: error writing %s\n", path);
		return -1;
	}
	return 0;
}

/* One gnuplot datablock of rows of a kind, values as 0 where missing. */
static int plot_data(FILE *f, const char *name, const struct bench_report *rep,
		     enum bench_row_kind kind)
{
	int n = 0;
	fprintf(f, "$%s << EOD\n", name);
	for (int k = 0; k < rep->n; k++) {
		const struct bench_row *r = &rep->rows[k];
		if (r->kind != kind)
			continue;
		if (kind == BENCH_ROW_RATE) {
			fprintf(f, "\"%s %s\" %g\n", r->group, r->name,
				r->mbps > 0 ? r->mbps : 0);
			n++;
			continue;
		}
		double a = kind == BENCH_ROW_CPU ? mips(r, r->pv_s) : r->pv_s;
		double b =
			kind == BENCH_ROW_CPU ? mips(r, r->qemu_s) : r->qemu_s;
		fprintf(f, "\"%s\" %g %g\n", r->name, a > 0 ? a : 0,
			b > 0 ? b : 0);
		n++;
	}
	fputs("EOD\n", f);
	return n;
}

static void write_plot(const char *path, const struct bench_report *rep)
{
	char gnuplot[PATH_MAX];
	if (!spawn_find_in_path("gnuplot", gnuplot, sizeof(gnuplot))) {
		fprintf(stderr,
			"pvkit bench: gnuplot not found (package gnuplot-nox); "
			"no plot written\n");
		return;
	}
	char script[] = "/tmp/pvkit-bench-XXXXXX";
	int fd = mkstemp(script);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr,
			"pvkit bench: cannot create a gnuplot script\n");
		return;
	}
	int ncpu = plot_data(f, "cpu", rep, BENCH_ROW_CPU);
	int nboot = plot_data(f, "boot", rep, BENCH_ROW_TIME);
	int nrate = plot_data(f, "rate", rep, BENCH_ROW_RATE);
	int panels = (ncpu > 0) + (nboot > 0) + (nrate > 0);
	fputs("set terminal pngcairo size 1000,", f);
	fprintf(f, "%d\nset output ", 450 * (panels > 1 ? panels : 1) + 50);
	json_string(f, path); /* gnuplot's double-quoted strings escape alike */
	fputs("\nset style data histogram\n"
	      "set style histogram clustered gap 1\n"
	      "set style fill solid 0.8 border -1\nset boxwidth 0.9\n"
	      "set grid ytics\nset key top right\nset xtics rotate by -30\n"
	      "set yrange [0:*]\n",
	      f);
	if (panels > 1)
		fprintf(f, "set multiplot layout %d,1\n", panels);
	if (ncpu)
		fputs("set title 'pvkit bench cpu: MIPS (higher is better)'\n"
		      "set ylabel 'MIPS'\n"
		      "plot $cpu using 2:xtic(1) title 'pvkit', '' using 3 "
		      "title 'QEMU TCG'\n",
		      f);
	if (nboot)
		fputs("set title 'pvkit bench boot: seconds (lower is "
		      "better)'\n"
		      "set ylabel 'seconds'\n"
		      "plot $boot using 2:xtic(1) title 'pvkit', '' using 3 "
		      "title 'QEMU TCG'\n",
		      f);
	if (nrate)
		fputs("set title 'pvkit bench disk/net: MB/s by the guest "
		      "clock (higher is better)'\n"
		      "set ylabel 'MB/s'\n"
		      "plot $rate using 2:xtic(1) title 'MB/s'\n",
		      f);
	if (panels > 1)
		fputs("unset multiplot\n", f);
	fclose(f);
	if (!panels) {
		fprintf(stderr, "pvkit bench: nothing to plot\n");
		unlink(script);
		return;
	}
	char *argv[] = {gnuplot, script, NULL};
	struct spawn_req req = {.argv = argv, .timeout_s = 60};
	struct spawn_result res;
	spawn_run(&req, &res);
	if (res.status != 0)
		fprintf(stderr, "pvkit bench: gnuplot failed:\n%s",
			res.err ? res.err : "");
	spawn_result_free(&res);
	unlink(script);
}

int cmd_bench(int argc, char **argv)
{
	struct bench_options o;
	if (parse(argc, argv, &o))
		return 2;
	struct bench_env *env = malloc(sizeof(*env));
	struct bench_report rep = {0};
	if (!env)
		return cli_error("bench: out of memory"), 1;
	setup_env(env, o.quick);
	warn_if_busy();

	int rc = 0;
	for (int g = 0; g < NGROUPS && !rc; g++) {
		if (!(o.groups & (1u << g)))
			continue;
		if (g == GROUP_CPU)
			rc = bench_cpu(env, &rep);
		else if (g == GROUP_BOOT)
			rc = bench_boot(env, &rep);
		else if (g == GROUP_DISK)
			rc = bench_disk(env, &rep);
		else if (g == GROUP_NET)
			rc = bench_net(env, &rep);
		else {
			struct bench_row *r =
				bench_add_row(&rep, group_names[g],
					      group_names[g], BENCH_ROW_NA);
			if (r)
				snprintf(r->status, sizeof(r->status),
					 "not available yet");
			else
				rc = -1;
		}
	}
	if (rc)
		fprintf(stderr, "pvkit bench: out of memory\n");
	print_table(env, &rep);
	fflush(stdout);
	if (o.json && write_json(o.json, env, &rep))
		rc = -1;
	if (o.plot)
		write_plot(o.plot, &rep);

	bool failed = rc != 0;
	for (int k = 0; k < rep.n; k++)
		failed |= rep.rows[k].failed;
	free(rep.rows);
	free(env);
	return failed ? 1 : 0;
}
