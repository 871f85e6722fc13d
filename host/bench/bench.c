/*
 * `pvkit bench`: option parsing, the run environment, the progress line
 * and the group dispatch.
 *
 *   pvkit bench [cpu|boot|disk|net|fs|console|time|all]... [--quick]
 *               [--json FILE] [--plot FILE]
 *
 * Each group (bench_<group>.c) runs its guest workloads on pvkit (this
 * binary, `run`) and on QEMU (the reference) and adds results to one
 * report (bench.h), printed at the end as a table on stdout, and
 * optionally as JSON and a gnuplot chart (bench_report.c, bench_plot.c).
 * Progress and diagnostics go to stderr. Exit status: 0, or 1 if a run
 * failed; 2 for bad usage.
 */
#include "host/bench/bench.h"
#include "host/bench/spawn.h"
#include "host/cli.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* DESIGN.md's groups, in report order. */
static const struct {
	const char *name;
	int (*run)(const struct bench_env *env, struct bench_report *rep);
} groups[] = {
	{"cpu", bench_cpu},   {"boot", bench_boot}, {"disk", bench_disk},
	{"net", bench_net},   {"fs", bench_fs},	    {"console", bench_console},
	{"time", bench_time},
};
#define NGROUPS (int)(sizeof(groups) / sizeof(groups[0]))
#define ALL_GROUPS ((1u << NGROUPS) - 1)

struct bench_options {
	unsigned groups;
	bool quick;
	const char *json, *plot;
};

struct bench_progress {
	bool tty;	    /* rewrite one line in place */
	bool dirty;	    /* that line is on the screen now */
	double t0;	    /* when the bench started */
	int group, ngroups; /* which group of how many */
};

void bench_progress(const struct bench_env *env, const char *step, int k, int n)
{
	struct bench_progress *p = env->progress;
	if (!p)
		return;
	char line[160];
	snprintf(line, sizeof(line), "[%3.0fs] group %d/%d: %s (%d/%d)",
		 spawn_now() - p->t0, p->group, p->ngroups, step, k + 1, n);
	if (p->tty) {
		/* cut to the terminal's usual width so \r rewrites one line */
		fprintf(stderr, "\r\033[K%.79s", line);
		p->dirty = true;
	} else {
		fprintf(stderr, "pvkit bench: %s\n", line);
	}
	fflush(stderr);
}

void bench_progress_clear(const struct bench_env *env)
{
	struct bench_progress *p = env ? env->progress : NULL;
	if (p && p->tty && p->dirty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->dirty = false;
	}
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

bool bench_find_guest(const struct bench_env *env, char *image, char *initrd)
{
	return bench_find_file(env, "guest/Image", image, PATH_MAX) &&
	       bench_find_file(env, "guest/initramfs.cpio.gz", initrd,
			       PATH_MAX);
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
		while (g < NGROUPS && strcmp(a, groups[g].name))
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

int cmd_bench(int argc, char **argv)
{
	struct bench_options o;
	if (parse(argc, argv, &o))
		return 2;
	struct bench_env *env = malloc(sizeof(*env));
	struct bench_progress progress = {
		.tty = isatty(STDERR_FILENO) == 1,
		.t0 = spawn_now(),
	};
	struct bench_report rep = {0};
	if (!env)
		return cli_error("bench: out of memory"), 1;
	/* a guest that exits while we answer its console must not kill us */
	signal(SIGPIPE, SIG_IGN);
	setup_env(env, o.quick);
	env->progress = &progress;
	warn_if_busy();
	for (int g = 0; g < NGROUPS; g++)
		progress.ngroups += (o.groups >> g) & 1;

	int rc = 0;
	for (int g = 0; g < NGROUPS && !rc; g++) {
		if (!(o.groups & (1u << g)))
			continue;
		progress.group++;
		rc = groups[g].run(env, &rep);
	}
	bench_progress_clear(env);
	if (rc)
		fprintf(stderr, "pvkit bench: out of memory\n");
	bench_print_table(env, &rep);
	fflush(stdout);
	if (o.json && bench_write_json(o.json, env, &rep))
		rc = -1;
	if (o.plot && bench_write_plot(o.plot, &rep))
		rc = -1;

	bool failed = rc != 0;
	for (int k = 0; k < rep.n; k++)
		failed |= rep.results[k]->failed;
	bench_report_free(&rep);
	free(env);
	return failed ? 1 : 0;
}
