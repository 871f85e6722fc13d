/*
 * `pvkit bench cpu`: the guest programs of guest-drivers/bench/cpu/ (built
 * as build/guest-tests/bench/<name>[-quick].elf) on pvkit and on QEMU TCG.
 *
 * Results: device "cpu", one workload per program, MIPS (one sample per
 * run). Timing is each run's host wall time (monotonic) minus the best time
 * of an empty program on the same engine, so start-up cost is left out: a
 * guest-side timer would be host-tick based on QEMU without -icount. The
 * instruction count is the guest's own minstret delta as printed by the
 * pvkit run (exact there; the binary is deterministic, so QEMU executes
 * the same count). Everything else the guest prints (its checksum) must be
 * identical on both engines.
 */
#include "host/bench/bench.h"
#include "host/bench/spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In report order. See each program's header comment for its workload. */
/* clang-format off */
static const char *const programs[] = {
	"intalu", "branch", "memcpy", "mix", "fpmatmul", "fpdot", "mmu",
	"mmu-tlb",
};
/* clang-format on */
#define NPROGRAMS (int)(sizeof(programs) / sizeof(programs[0]))

/* More baseline runs than program runs: they are cheap and the minimum
 * of a short run is the noisiest number here. */
#define BASELINE_RUNS 5

enum engine { PVKIT, QEMU };
static const char *const engine_names[] = {"pvkit", "QEMU"};

struct engine_run {
	bool ok;
	double best_s, best_cpu_s; /* wall and CPU time, each the minimum */
	int n;			   /* runs that went well */
	double wall_s[BENCH_MAX_SAMPLES], cpu_s[BENCH_MAX_SAMPLES];
	char *out;    /* stdout of the first run, NULL if none */
	char why[64]; /* how it failed, if !ok */
};

static void run_engine(const struct bench_env *env, enum engine e, char *elf,
		       int runs, struct engine_run *er)
{
	/* clang-format off */
	char *pv_argv[] = {(char *)env->self, "run", "--kernel", elf, NULL};
	char *q_argv[] = {(char *)env->qemu, "-machine", "virt", "-bios", "none",
			  "-nographic", "-m", "256M", "-kernel", elf, NULL};
	/* clang-format on */
	struct spawn_req req = {
		.argv = e == PVKIT ? pv_argv : q_argv,
		.timeout_s = BENCH_TIMEOUT_S,
	};
	memset(er, 0, sizeof(*er));
	er->ok = true;
	for (int i = 0; i < runs && er->ok; i++) {
		struct spawn_result res;
		spawn_run(&req, &res);
		if (res.status != 0 || res.timed_out) {
			char what[PATH_MAX + 32];
			spawn_describe(&res, er->why, sizeof(er->why));
			snprintf(what, sizeof(what), "%s %s (%s)",
				 engine_names[e], elf, er->why);
			bench_show_output(what, res.out ? res.out : "",
					  res.err ? res.err : "");
			er->ok = false;
		} else {
			if (er->n < BENCH_MAX_SAMPLES) {
				er->wall_s[er->n] = res.wall_s;
				er->cpu_s[er->n++] = res.cpu_s;
			}
			if (i == 0 || res.wall_s < er->best_s)
				er->best_s = res.wall_s;
			if (i == 0 || res.cpu_s < er->best_cpu_s)
				er->best_cpu_s = res.cpu_s;
		}
		if (!er->out && res.out) {
			er->out = res.out;
			res.out = NULL;
		}
		spawn_result_free(&res);
	}
}

/* The output without instret lines and carriage returns: what must match. */
static char *checked_part(const char *out)
{
	char *r = malloc(strlen(out) + 1), *w = r;
	if (!r)
		return NULL;
	for (const char *line = out; *line;) {
		size_t len = strcspn(line, "\n");
		if (strncmp(line, "instret:", 8) != 0)
			for (size_t k = 0; k < len; k++)
				if (line[k] != '\r')
					*w++ = line[k];
		if (strncmp(line, "instret:", 8) != 0)
			*w++ = '\n';
		line += len + (line[len] == '\n');
	}
	*w = 0;
	return r;
}

static uint64_t parse_instret(const char *out)
{
	for (const char *p = out; (p = strstr(p, "instret: ")); p++)
		if (p == out || p[-1] == '\n')
			return strtoull(p + 9, NULL, 10);
	return 0;
}

/* Best wall and CPU time of the empty program, {0, 0} if unknown. */
static struct engine_run baseline(const struct bench_env *env, enum engine e)
{
	struct engine_run er = {0};
	char elf[PATH_MAX];
	if (!bench_find_file(env,
			     env->quick ? "guest-tests/bench/empty-quick.elf"
					: "guest-tests/bench/empty.elf",
			     elf, sizeof(elf))) {
		bench_progress_clear(env);
		fprintf(stderr,
			"pvkit bench cpu: no %s (make guest-bench); start-up "
			"not subtracted\n",
			elf);
		return er;
	}
	run_engine(env, e, elf, BASELINE_RUNS, &er);
	free(er.out);
	er.out = NULL;
	if (!er.ok) {
		fprintf(stderr,
			"pvkit bench cpu: empty program failed on %s (%s); "
			"start-up "
			"not subtracted\n",
			engine_names[e], er.why);
		er.best_s = er.best_cpu_s = 0;
	}
	return er;
}

/* Start-up varies by a few ms from run to run (QEMU's by more), so work
 * shorter than this is noise, not a measurement. */
#define MIN_WORK_S 0.010

/* Work time: the best run minus start-up; < 0 if too short to tell. */
static double work_time(double best, double base)
{
	double t = best - base;
	return t < MIN_WORK_S ? -1 : t;
}

static void judge(struct bench_result *r, const char *name,
		  const struct engine_run *pv, const struct engine_run *q,
		  bool have_qemu)
{
	char want[64];
	snprintf(want, sizeof(want), "%s: checksum ", name);
	if (!pv->ok) {
		bench_fail(r, "pvkit: %s", pv->why);
	} else if (!strstr(pv->out ? pv->out : "", want)) {
		bench_fail(r, "pvkit: no checksum line");
	} else if (!have_qemu) {
		bench_status(r, "unchecked: no QEMU");
	} else if (!q->ok) {
		bench_fail(r, "QEMU: %s", q->why);
	} else {
		char *a = checked_part(pv->out),
		     *b = checked_part(q->out ? q->out : "");
		if (!r->fig[BENCH_PVKIT].n || !r->fig[BENCH_QEMU].n)
			bench_status(r, "ok; %s too short to time",
				     !r->fig[BENCH_PVKIT].n ? "pvkit run"
							    : "QEMU run");
		if (!a || !b || strcmp(a, b)) {
			bench_fail(r, "CHECKSUM MISMATCH");
			fprintf(stderr,
				"pvkit bench cpu: %s: pvkit printed:\n%sQEMU "
				"printed:\n%s",
				name, a ? a : "?", b ? b : "?");
		}
		free(a);
		free(b);
	}
}

/* MIPS of each run: the instructions over the work time (the run minus
 * the best start-up); runs too short to tell are left out. */
static void record_mips(struct bench_result *r, enum bench_figure f,
			const struct engine_run *er,
			const struct engine_run *base, uint64_t insns)
{
	for (int k = 0; k < er->n && insns; k++) {
		double t = work_time(er->wall_s[k], base->best_s);
		if (t > 0)
			bench_record(r, f, (double)insns / t / 1e6);
		if (f == BENCH_PVKIT)
			bench_record(r, BENCH_HOST_CPU_S,
				     work_time(er->cpu_s[k], base->best_cpu_s));
	}
}

int bench_cpu(const struct bench_env *env, struct bench_report *rep)
{
	bool have_qemu = env->qemu[0] != 0;
	bench_progress(env, "cpu: start-up baselines", 0, NPROGRAMS + 1);
	struct engine_run base_pv = baseline(env, PVKIT), base_q = {0};
	if (have_qemu)
		base_q = baseline(env, QEMU);

	for (int p = 0; p < NPROGRAMS; p++) {
		const char *name = programs[p];
		struct bench_result *r =
			bench_add(rep, "cpu", "cpu", name, "MIPS", true);
		if (!r)
			return -1;
		char rel[96], elf[PATH_MAX];
		snprintf(rel, sizeof(rel), "guest-tests/bench/%s%s.elf", name,
			 env->quick ? "-quick" : "");
		if (!bench_find_file(env, rel, elf, sizeof(elf))) {
			bench_status(r, "n/a: run make guest-bench");
			continue;
		}
		char step[64];
		snprintf(step, sizeof(step), "cpu: %s", name);
		bench_progress(env, step, p + 1, NPROGRAMS + 1);
		struct engine_run pv, q = {0};
		run_engine(env, PVKIT, elf, env->runs, &pv);
		if (have_qemu)
			run_engine(env, QEMU, elf, env->runs, &q);
		/* the binary is deterministic: QEMU retires the same count */
		uint64_t insns =
			pv.ok ? parse_instret(pv.out ? pv.out : "") : 0;
		if (insns)
			snprintf(r->note, sizeof(r->note), "%llu instructions",
				 (unsigned long long)insns);
		if (pv.ok)
			record_mips(r, BENCH_PVKIT, &pv, &base_pv, insns);
		if (have_qemu && q.ok)
			record_mips(r, BENCH_QEMU, &q, &base_q, insns);
		judge(r, name, &pv, &q, have_qemu);
		free(pv.out);
		free(q.out);
	}
	return 0;
}
