/*
 * `pvkit bench`: the API every benchmark group (bench_<group>.c) uses.
 * The dispatcher (bench.c) owns the report; groups add results to it and
 * record samples; bench_report.c turns it into the table, the JSON and
 * (bench_plot.c) the gnuplot chart.
 *
 * A group is one function, `int bench_<group>(env, rep)`: it returns 0
 * (even if a run failed: that is a result's status), -1 only when out of
 * memory. The usual shape:
 *
 *   struct bench_result *r = bench_add(rep, "disk", "virtio-blk",
 *                                      "seq-read-1M", "MB/s", true);
 *   for (int i = 0; i < env->runs; i++) {
 *       bench_progress(env, "disk: virtio-blk seq-read-1M", i, env->runs);
 *       struct bench_run run;
 *       bench_run_engine(env, pvkit_argv, true, &run);  // boots, marks
 *       double mbps;
 *       if (!bench_run_ok(env, &run, r, "pvkit ide") ||
 *           !bench_run_value(&run, "seq-read-1M", "mbps", &mbps))
 *           ...bench_fail(r, "no result line")...
 *       bench_record(r, BENCH_PVKIT, mbps);
 *       struct bench_counters c;
 *       if (bench_run_counters(&run, "virtio-blk", "begin", "end", &c))
 *           bench_record(r, BENCH_EXITS_PER_REQUEST,
 *                        c.mmio_exits / c.requests);
 *       bench_record(r, BENCH_HOST_CPU_S, run.res.cpu_s);
 *       bench_run_free(&run);
 *   }
 *   ... the same guest work on QEMU: bench_record(r, BENCH_QEMU, ...)
 *
 * Every figure is a list of samples (one per repetition); the report gives
 * median, min and max of BENCH_PVKIT and the median of the others. A
 * figure with no sample is null in the JSON and "-" in the table.
 *
 * Guest side: guest-drivers/linux/tests/bench-lib.sh gives scripts
 * `bench_mark LABEL` (a counter snapshot, see bench_run_engine) and
 * `bench_result WORKLOAD key=value...` (a "PVKIT-BENCH:" line that
 * bench_run_value reads).
 */
#ifndef PVKIT_HOST_BENCH_BENCH_H
#define PVKIT_HOST_BENCH_BENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "host/bench/spawn.h"

/* Every engine run is killed after this long, so a hung engine cannot
 * hang the bench. */
#define BENCH_TIMEOUT_S 120.0

struct bench_progress; /* bench.c's; for bench_progress() */

struct bench_env {
	bool quick;
	int runs;	     /* repetitions: 3, or 1 with --quick */
	char self[PATH_MAX]; /* this pvkit binary */
	char build_dir
		[PATH_MAX];  /* where guest programs and images are found */
	char qemu[PATH_MAX]; /* qemu-system-riscv64, "" if missing */
	char qemu_version[128];
	struct bench_progress *progress;
};

/* The figures of a result; each holds one sample per repetition. */
enum bench_figure {
	BENCH_PVKIT, /* the result's metric on pvkit: median/min/max */
	BENCH_QEMU,  /* the same guest work on QEMU (same device model) */
	BENCH_EXITS_PER_REQUEST,      /* device MMIO exits per request */
	BENCH_INTERRUPTS_PER_REQUEST, /* device interrupts per request */
	BENCH_INSNS_PER_BYTE,	      /* guest instructions per byte moved */
	BENCH_HOST_CPU_S, /* host CPU time (user+sys) of the pvkit run */
	BENCH_NFIGURES
};

#define BENCH_MAX_SAMPLES 16

struct bench_samples {
	int n;
	double v[BENCH_MAX_SAMPLES];
};

/* One row of the report; the JSON object of the same name. */
struct bench_result {
	char group[16];
	char device[24];   /* ide, virtio-blk, ethoc, virtio-net, uart16550,
			      virtio-console, rtc, pvclock; cpu; linux */
	char workload[40]; /* seq-read-1M, rand-write-4K, tcp-rx, ... */
	char metric[16];   /* "MB/s", "us", "ns", "MIPS", "s", "KB/s" */
	bool higher_is_better;
	struct bench_samples fig[BENCH_NFIGURES];
	bool failed;	 /* a run failed: bench exits 1 */
	char status[96]; /* "ok", "n/a: ...", or what failed */
	char note[64];	 /* free text for the table, "" if none */
};

struct bench_report {
	struct bench_result **results; /* each stays where it is */
	int n, cap;
};

/* A new result with no samples and status "ok"; NULL if out of memory.
 * The pointer stays valid while the report lives. */
struct bench_result *bench_add(struct bench_report *rep, const char *group,
			       const char *device, const char *workload,
			       const char *metric, bool higher_is_better);

/* Adds one sample to a figure (beyond BENCH_MAX_SAMPLES: dropped).
 * Negative, NaN or infinite values are ignored: "unknown". */
void bench_record(struct bench_result *r, enum bench_figure f, double v);

/* Marks a result as failed (bench exits 1) with a printf-style reason. */
void bench_fail(struct bench_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A status that is not a failure, e.g. "n/a: run make guest". */
void bench_status(struct bench_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Median, min and max of a figure; false (and all < 0) if no samples. */
bool bench_stats(const struct bench_samples *s, double *median, double *min,
		 double *max);

/* One line on stderr saying what runs now: "[12s] disk: ide seq-read-1M
 * (2/3)" (k counts from 0: shown as k+1 of n). On a terminal the line is
 * rewritten in place; otherwise each call prints a line. */
void bench_progress(const struct bench_env *env, const char *step, int k,
		    int n);
/* Ends an in-place progress line before other stderr output. */
void bench_progress_clear(const struct bench_env *env);

/* Finds a file under env->build_dir, else under ./build; writes the
 * existing path to buf and returns true, or the preferred path and false. */
bool bench_find_file(const struct bench_env *env, const char *rel, char *buf,
		     size_t size);
/* Both guest files (build/guest/Image, initramfs.cpio.gz); false if
 * missing (then say "n/a: run make guest"). */
bool bench_find_guest(const struct bench_env *env, char *image, char *initrd);

/* Prints the tail of an engine's output on stderr, for diagnosing a failed
 * or mismatching run. */
void bench_show_output(const char *what, const char *out, const char *err);

/* --- running an engine (bench_run.c) ----------------------------------- */

#define BENCH_MAX_MARKS 32

/* One engine run: its output and, for a pvkit run with counters, one
 * query-pvkit-stats snapshot per `bench_mark LABEL` of the guest. */
struct bench_run {
	struct spawn_result res; /* status, wall_s, cpu_s, out, err */
	int nmarks;
	struct {
		char label[48];
		json_t *stats; /* the query-pvkit-stats reply */
	} marks[BENCH_MAX_MARKS];
	char why[96]; /* "" if the run went well, else what went wrong */
};

/* Runs argv (pvkit: env->self "run" ...; or QEMU) to its end, at most
 * BENCH_TIMEOUT_S. With counters (pvkit runs only), adds --control SOCK
 * and " pvkit.marks=1" to the --append string; the guest's bench_mark
 * then prints "PVKIT-BENCH-MARK: LABEL" and waits for a line on its
 * console, which this sends after taking the snapshot, so the snapshot
 * is exactly at that point of the guest script. Without counters the
 * guest's bench_mark does nothing. Always fills run (free it with
 * bench_run_free); returns 0 if the engine exited 0 and every mark was
 * answered, else -1 with run->why set. */
int bench_run_engine(const struct bench_env *env, char *const *argv,
		     bool counters, struct bench_run *run);
void bench_run_free(struct bench_run *run);

/* If the run failed, fails r with its why, shows its output and returns
 * false; true if it went well. what names the run in the diagnostics. */
bool bench_run_ok(const struct bench_env *env, struct bench_run *run,
		  struct bench_result *r, const char *what);

/* From the guest's "PVKIT-BENCH: workload=W k1=v1 k2=v2" line (the last
 * one for W): the number for key. False if absent. */
bool bench_run_value(const struct bench_run *run, const char *workload,
		     const char *key, double *v);

/* A device's counters between two marks (to minus from). */
struct bench_counters {
	double instructions; /* guest instructions retired (whole hart) */
	double mmio_exits;   /* accesses to the device's registers */
	double interrupts;   /* interrupts the device raised */
	double requests;     /* virtio requests, IDE commands, frames */
	double bytes;	     /* bytes the device moved, both ways */
};

/* device: "virtio-blk", "virtio-net", "virtio-console", "ide", "ethoc",
 * "uart16550", or "cpu" (instructions only). False if the marks or the
 * device are missing. */
bool bench_run_counters(const struct bench_run *run, const char *device,
			const char *from, const char *to,
			struct bench_counters *delta);

/* --- groups ------------------------------------------------------------ */

/* Each adds its results; returns 0, or -1 when out of memory. */
int bench_cpu(const struct bench_env *env, struct bench_report *rep);
int bench_boot(const struct bench_env *env, struct bench_report *rep);
int bench_disk(const struct bench_env *env, struct bench_report *rep);
int bench_net(const struct bench_env *env, struct bench_report *rep);
int bench_fs(const struct bench_env *env, struct bench_report *rep);
int bench_console(const struct bench_env *env, struct bench_report *rep);
int bench_time(const struct bench_env *env, struct bench_report *rep);

/* bench_io.c: one guest boot per repetition whose script prints
 * "PVKIT-BENCH: bytes=N seconds=S" (or t0=S t1=S); records MB/s
 * (10^6 bytes per guest second) as fig, and host CPU time of pvkit runs. */
void bench_io_run(const struct bench_env *env, char *const *argv,
		  struct bench_result *r, enum bench_figure fig);

/* bench_report.c: the table (stdout), the JSON and the plot. */
void bench_print_table(const struct bench_env *env,
		       const struct bench_report *rep);
int bench_write_json(const char *path, const struct bench_env *env,
		     const struct bench_report *rep);
int bench_write_plot(const char *path, const struct bench_report *rep);
void bench_report_free(struct bench_report *rep);

#endif
