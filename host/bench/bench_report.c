/*
 * The `pvkit bench` report (bench.h): results and their samples, the
 * median/min/max of each figure, the table on stdout and the JSON file
 * with the machine it ran on. Owns the results.
 */
#define _GNU_SOURCE /* strchrnul */
#include "host/bench/bench.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

struct bench_result *bench_add(struct bench_report *rep, const char *group,
			       const char *device, const char *workload,
			       const char *metric, bool higher_is_better)
{
	if (rep->n == rep->cap) {
		int cap = rep->cap ? rep->cap * 2 : 32;
		struct bench_result **rs =
			realloc(rep->results, (size_t)cap * sizeof(*rs));
		if (!rs)
			return NULL;
		rep->results = rs;
		rep->cap = cap;
	}
	struct bench_result *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	snprintf(r->group, sizeof(r->group), "%s", group);
	snprintf(r->device, sizeof(r->device), "%s", device);
	snprintf(r->workload, sizeof(r->workload), "%s", workload);
	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	r->higher_is_better = higher_is_better;
	snprintf(r->status, sizeof(r->status), "ok");
	rep->results[rep->n++] = r;
	return r;
}

void bench_record(struct bench_result *r, enum bench_figure f, double v)
{
	struct bench_samples *s = &r->fig[f];
	if (f < 0 || f >= BENCH_NFIGURES || !isfinite(v) || v < 0 ||
	    s->n == BENCH_MAX_SAMPLES)
		return;
	s->v[s->n++] = v;
}

void bench_fail(struct bench_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->status, sizeof(r->status), fmt, ap);
	va_end(ap);
	r->failed = true;
}

void bench_status(struct bench_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->status, sizeof(r->status), fmt, ap);
	va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

bool bench_stats(const struct bench_samples *s, double *median, double *min,
		 double *max)
{
	*median = *min = *max = -1;
	if (s->n <= 0)
		return false;
	double v[BENCH_MAX_SAMPLES];
	memcpy(v, s->v, (size_t)s->n * sizeof(v[0]));
	qsort(v, (size_t)s->n, sizeof(v[0]), cmp_double);
	*min = v[0];
	*max = v[s->n - 1];
	*median = s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
	return true;
}

static double median_of(const struct bench_result *r, enum bench_figure f)
{
	double m, lo, hi;
	bench_stats(&r->fig[f], &m, &lo, &hi);
	return m;
}

/* pvkit's figure as a multiple of QEMU's, oriented so that > 1 means
 * pvkit is better; < 0 if either is missing. */
static double vs_qemu(const struct bench_result *r)
{
	double p = median_of(r, BENCH_PVKIT), q = median_of(r, BENCH_QEMU);
	if (p <= 0 || q <= 0)
		return -1;
	return r->higher_is_better ? p / q : q / p;
}

/* A number in at most width characters: 3 significant digits. */
static void cell(char *buf, size_t size, double v)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else if (v >= 1e6)
		snprintf(buf, size, "%.3g", v);
	else if (v >= 100)
		snprintf(buf, size, "%.0f", v);
	else if (v >= 10)
		snprintf(buf, size, "%.1f", v);
	else if (v >= 0.01)
		snprintf(buf, size, "%.3f", v);
	else
		snprintf(buf, size, "%.2g", v);
}

void bench_print_table(const struct bench_env *env,
		       const struct bench_report *rep)
{
	printf("pvkit bench%s: median of %d run%s (min..max); QEMU: %s\n",
	       env->quick ? " --quick" : "", env->runs,
	       env->runs == 1 ? "" : "s",
	       env->qemu[0]
		       ? (env->qemu_version[0] ? env->qemu_version : env->qemu)
		       : "not found");
	printf("%-7s %-14s %-17s %-5s %8s %17s %8s %6s %7s %7s %8s %7s  %s\n",
	       "group", "device", "workload", "unit", "median", "min..max",
	       "QEMU", "vsQEMU", "exit/rq", "irq/rq", "insn/B", "cpu s",
	       "status");
	for (int k = 0; k < rep->n; k++) {
		const struct bench_result *r = rep->results[k];
		double m, lo, hi;
		char med[16], range[40], q[16], vq[16], ex[16], irq[16],
			ipb[16], cpu[16], a[16], b[16];
		bench_stats(&r->fig[BENCH_PVKIT], &m, &lo, &hi);
		cell(med, sizeof(med), m);
		cell(a, sizeof(a), lo);
		cell(b, sizeof(b), hi);
		if (m < 0)
			snprintf(range, sizeof(range), "-");
		else
			snprintf(range, sizeof(range), "%s..%s", a, b);
		cell(q, sizeof(q), median_of(r, BENCH_QEMU));
		double v = vs_qemu(r);
		if (v < 0)
			snprintf(vq, sizeof(vq), "-");
		else
			snprintf(vq, sizeof(vq), "%.2fx", v);
		cell(ex, sizeof(ex), median_of(r, BENCH_EXITS_PER_REQUEST));
		cell(irq, sizeof(irq),
		     median_of(r, BENCH_INTERRUPTS_PER_REQUEST));
		cell(ipb, sizeof(ipb), median_of(r, BENCH_INSNS_PER_BYTE));
		cell(cpu, sizeof(cpu), median_of(r, BENCH_HOST_CPU_S));
		printf("%-7s %-14s %-17s %-5s %8s %17s %8s %6s %7s %7s %8s "
		       "%7s  %s%s%s\n",
		       r->group, r->device, r->workload, r->metric, med, range,
		       q, vq, ex, irq, ipb, cpu, r->status,
		       r->note[0] ? "; " : "", r->note);
	}
	printf("vsQEMU: pvkit's figure as a multiple of QEMU's, > 1 = pvkit "
	       "better; exit/rq, irq/rq: the device's MMIO exits and "
	       "interrupts per request; insn/B: guest instructions per byte; "
	       "cpu s: host CPU time of the whole pvkit run\n");
}

static void put_string(FILE *f, const char *s)
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

static void json_number(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	if (v < 0 || !isfinite(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

/* The first line of a command's output, "" if it fails. */
static void command_line(char *const *argv, char *buf, size_t size)
{
	struct spawn_req req = {.argv = argv, .timeout_s = 10};
	struct spawn_result res;
	buf[0] = 0;
	if (spawn_run(&req, &res) == 0 && res.status == 0 && res.out)
		snprintf(buf, size, "%.*s", (int)strcspn(res.out, "\n"),
			 res.out);
	spawn_result_free(&res);
}

/* The value of "key: value" in a /proc file, "" if none. */
static void proc_field(const char *path, const char *key, char *buf,
		       size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t klen = strlen(key);
	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) ||
		    (line[klen] != ':' && line[klen] != ' ' &&
		     line[klen] != '\t'))
			continue;
		char *v = strchr(line, ':');
		if (!v)
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		*strchrnul(v, '\n') = 0;
		snprintf(buf, size, "%s", v);
		break;
	}
	if (f)
		fclose(f);
}

static void write_machine(FILE *f, const struct bench_env *env)
{
	char cpu[256], mem[64], commit[64], date[32], kernel[300];
	struct utsname u;
	proc_field("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	proc_field("/proc/meminfo", "MemTotal", mem, sizeof(mem));
	if (uname(&u) == 0)
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname,
			 u.release, u.machine);
	else
		kernel[0] = 0;
	/* the source tree is the build directory's parent */
	char src[PATH_MAX + 4];
	snprintf(src, sizeof(src), "%s/..", env->build_dir);
	char *git[] = {"git",	   "-C",      src,	     "describe",
		       "--always", "--dirty", "--abbrev=12", NULL};
	command_line(git, commit, sizeof(commit));
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("  \"machine\": {\"cpu\": ", f);
	put_string(f, cpu);
	fprintf(f, ", \"cores\": %ld, \"memory\": ",
		sysconf(_SC_NPROCESSORS_ONLN));
	put_string(f, mem);
	fputs(", \"kernel\": ", f);
	put_string(f, kernel);
	fputs(", \"pvkit_commit\": ", f);
	put_string(f, commit);
	fputs(", \"qemu\": ", f);
	if (env->qemu[0])
		put_string(f, env->qemu_version);
	else
		fputs("null", f);
	fputs(", \"date\": ", f);
	put_string(f, date);
	fprintf(f, ", \"quick\": %s, \"runs\": %d},\n",
		env->quick ? "true" : "false", env->runs);
}

static void write_result(FILE *f, const struct bench_result *r)
{
	double m, lo, hi;
	fputs("    {\"group\": ", f);
	put_string(f, r->group);
	fputs(", \"device\": ", f);
	put_string(f, r->device);
	fputs(", \"workload\": ", f);
	put_string(f, r->workload);
	fputs(", \"metric\": ", f);
	put_string(f, r->metric);
	fprintf(f, ", \"higher_is_better\": %s",
		r->higher_is_better ? "true" : "false");
	bench_stats(&r->fig[BENCH_PVKIT], &m, &lo, &hi);
	json_number(f, "median", m);
	json_number(f, "min", lo);
	json_number(f, "max", hi);
	fputs(", \"samples\": [", f);
	for (int k = 0; k < r->fig[BENCH_PVKIT].n; k++)
		fprintf(f, "%s%.6g", k ? ", " : "", r->fig[BENCH_PVKIT].v[k]);
	fputc(']', f);
	bench_stats(&r->fig[BENCH_QEMU], &m, &lo, &hi);
	json_number(f, "qemu", m);
	json_number(f, "qemu_min", lo);
	json_number(f, "qemu_max", hi);
	json_number(f, "vs_qemu", vs_qemu(r));
	json_number(f, "exits_per_request",
		    median_of(r, BENCH_EXITS_PER_REQUEST));
	json_number(f, "interrupts_per_request",
		    median_of(r, BENCH_INTERRUPTS_PER_REQUEST));
	json_number(f, "insns_per_byte", median_of(r, BENCH_INSNS_PER_BYTE));
	json_number(f, "host_cpu_s", median_of(r, BENCH_HOST_CPU_S));
	fprintf(f,
		", \"failed\": %s, \"status\": ", r->failed ? "true" : "false");
	put_string(f, r->status);
	if (r->note[0]) {
		fputs(", \"note\": ", f);
		put_string(f, r->note);
	}
	fputc('}', f);
}

int bench_write_json(const char *path, const struct bench_env *env,
		     const struct bench_report *rep)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "pvkit bench: cannot write %s\n", path);
		return -1;
	}
	fputs("{\n", f);
	write_machine(f, env);
	fputs("  \"results\": [\n", f);
	for (int k = 0; k < rep->n; k++) {
		write_result(f, rep->results[k]);
		fputs(k + 1 < rep->n ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
	if (fclose(f)) {
		fprintf(stderr, "pvkit bench: error writing %s\n", path);
		return -1;
	}
	return 0;
}

void bench_report_free(struct bench_report *rep)
{
	for (int k = 0; k < rep->n; k++)
		free(rep->results[k]);
	free(rep->results);
	memset(rep, 0, sizeof(*rep));
}
