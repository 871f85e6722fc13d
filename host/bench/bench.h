/*
 * `pvkit bench` internals shared by the dispatcher (bench.c) and the
 * benchmark groups (bench_cpu.c, bench_boot.c): the run environment and
 * the rows of the report that bench.c prints as a table, JSON and a plot.
 */
#ifndef PVKIT_HOST_BENCH_BENCH_H
#define PVKIT_HOST_BENCH_BENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every engine run is killed after this long, so a hung engine cannot
 * hang the bench. */
#define BENCH_TIMEOUT_S 120.0

struct bench_env {
	bool quick;
	int runs;	     /* best of this many (3, or 1 with --quick) */
	char self[PATH_MAX]; /* this pvkit binary */
	char build_dir
		[PATH_MAX];  /* where guest programs and images are found */
	char qemu[PATH_MAX]; /* qemu-system-riscv64, "" if missing */
	char qemu_version[128];
};

enum bench_row_kind {
	BENCH_ROW_CPU,	/* instructions and MIPS */
	BENCH_ROW_TIME, /* seconds only (boot) */
	BENCH_ROW_RATE, /* MB/s of one configuration (disk, net) */
	BENCH_ROW_NA,	/* group not implemented yet */
};

struct bench_row {
	char group[16], name[32];
	enum bench_row_kind kind;
	uint64_t insns;	     /* CPU rows; 0 = unknown */
	double pv_s, qemu_s; /* wall seconds; < 0 = not measured */
	/* CPU seconds (user + system) of the same runs: steadier than wall
	 * time on a busy host; JSON only */
	double pv_cpu_s, qemu_cpu_s;
	/* RATE rows: MB/s (10^6 bytes, guest clock), and the ratios to the
	 * same engine's other device model (virtio/IDE, virtio/ethoc) and to
	 * QEMU's same device; < 0 = not applicable or not measured */
	double mbps, vs_model, vs_qemu;
	bool failed;	 /* a run failed or the outputs differ */
	char status[96]; /* "ok", "checksum mismatch", "n/a: ..." */
};

struct bench_report {
	struct bench_row *rows;
	int n, cap;
};

/* A new row with times unset and status "ok"; NULL if out of memory. */
struct bench_row *bench_add_row(struct bench_report *rep, const char *group,
				const char *name, enum bench_row_kind kind);

/* Finds a file under env->build_dir, else under ./build; writes the
 * existing path to buf and returns true, or the preferred path and false. */
bool bench_find_file(const struct bench_env *env, const char *rel, char *buf,
		     size_t size);

/* Prints the tail of an engine's output on stderr, for diagnosing a failed
 * or mismatching run. */
void bench_show_output(const char *what, const char *out, const char *err);

/* Each appends its rows; returns 0, or -1 on an internal error. */
int bench_cpu(const struct bench_env *env, struct bench_report *rep);
int bench_boot(const struct bench_env *env, struct bench_report *rep);
int bench_disk(const struct bench_env *env, struct bench_report *rep);
int bench_net(const struct bench_env *env, struct bench_report *rep);

/* bench_io.c, shared by disk and net. One configuration: boots the guest
 * (argv, the engine's whole command line) env->runs times and keeps the
 * best MB/s from the guest's "PVKIT-BENCH: bytes=N t0=S t1=S" line; row
 * gets mbps, or failed and the reason in status. */
void bench_io_run(const struct bench_env *env, char **argv,
		  struct bench_row *row);
/* Fills vs_model and vs_qemu of a group: virtio is pvkit's
 * virtio, base the other model's row, qemu QEMU's virtio (NULL if none). */
void bench_io_ratios(struct bench_row *virtio, const struct bench_row *base,
		     struct bench_row *qemu);
/* The MB/s table of the RATE rows, if any. */
void bench_io_print(const struct bench_report *rep);

#endif
