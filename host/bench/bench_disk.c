/*
 * `pvkit bench disk`: IDE (PIO) against virtio-blk on identical work. One
 * raw image of pseudo-random bytes (nothing sparse or compressible) is
 * given to the guest as pvkit's virtio-blk, pvkit's IDE and QEMU's
 * virtio-blk in turn; the guest's tests/bench-disk.sh runs pvkit-iobench
 * (O_DIRECT, so the guest page cache hides nothing) for sequential and
 * random reads and writes of 4 KiB and 1 MiB blocks, every workload in one
 * boot per repetition. Results: MB/s by the guest's monotonic clock; from
 * pvkit's device counters between the guest's marks, MMIO exits and
 * interrupts per guest I/O request (one block) and guest instructions per
 * byte; host CPU time of the work alone.
 */
#include "host/bench/bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const workloads[] = {
	"seq-read-4K",	"seq-read-1M",	"seq-write-4K",	 "seq-write-1M",
	"rand-read-4K", "rand-read-1M", "rand-write-4K", "rand-write-1M",
};
#define NWORK (int)(sizeof(workloads) / sizeof(workloads[0]))

/* pvkit's two models; QEMU runs the first one's work. */
static const struct {
	const char *device, *guest_dev, *interface;
} models[2] = {
	{"virtio-blk", "vda", "virtio"},
	{"ide", "sda", "ide"},
};

/* Sizes: quick mode must finish in seconds even on IDE. */
struct disk_sizes {
	unsigned image_mb;
	const char *total4k, *total1m;
};

/* Writes mb MiB of xorshift output to a new temporary file; its path goes
 * to path. Returns 0, or -1. */
static int make_image(char *path, size_t size, unsigned mb)
{
	snprintf(path, size, "/tmp/pvkit-bench-disk-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	uint64_t *buf = malloc(1u << 20);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	if (!f || !buf) {
		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		if (fd >= 0)
			unlink(path);
		free(buf);
		return -1;
	}
	for (unsigned m = 0; m < mb; m++) {
		for (size_t k = 0; k < (1u << 20) / sizeof(*buf); k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[k] = x;
		}
		if (fwrite(buf, 1u << 20, 1, f) != 1)
			break;
	}
	free(buf);
	if (ferror(f) | fclose(f)) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* The figures of one workload of one run into r. */
static void take_workload(struct bench_result *r, const struct bench_run *run,
			  const char *device, enum bench_figure fig)
{
	const char *w = r->workload;
	double bytes, seconds;
	if (!bench_run_value(run, w, "bytes", &bytes) ||
	    !bench_run_value(run, w, "seconds", &seconds) || bytes <= 0) {
		bench_fail(r, "%sno result line for %s",
			   fig == BENCH_QEMU ? "QEMU: " : "", w);
		return;
	}
	/* below a microsecond the guest clock says nothing */
	bench_record(r, fig, bytes / (seconds > 1e-6 ? seconds : 1e-6) / 1e6);
	if (fig != BENCH_PVKIT)
		return;
	char from[64], to[64];
	snprintf(from, sizeof(from), "%s-begin", w);
	snprintf(to, sizeof(to), "%s-end", w);
	struct bench_counters c;
	if (!bench_run_counters(run, device, from, to, &c))
		return;
	/* per guest I/O call (one block), so both models divide by the
	 * same count; the device's own request count differs by model */
	double requests;
	if (!bench_run_value(run, w, "requests", &requests))
		requests = c.requests;
	if (requests > 0) {
		bench_record(r, BENCH_EXITS_PER_REQUEST,
			     c.mmio_exits / requests);
		bench_record(r, BENCH_INTERRUPTS_PER_REQUEST,
			     c.interrupts / requests);
	}
	bench_record(r, BENCH_INSNS_PER_BYTE, c.instructions / bytes);
	bench_record(r, BENCH_HOST_CPU_S, c.host_cpu_s);
}

/* env->runs boots of one engine; each boot runs every workload. */
static void run_engine(const struct bench_env *env, char *const *argv,
		       bool qemu, const char *device,
		       struct bench_result *const *rs, int *step, int nsteps)
{
	enum bench_figure fig = qemu ? BENCH_QEMU : BENCH_PVKIT;
	for (int i = 0; i < env->runs; i++) {
		char what[64];
		snprintf(what, sizeof(what), "disk: %s%s, %d workloads",
			 qemu ? "QEMU " : "", device, NWORK);
		bench_progress(env, what, (*step)++, nsteps);
		struct bench_run run;
		bench_run_engine(env, argv, !qemu, &run);
		if (!bench_run_ok(env, &run, rs[0], what)) {
			for (int w = 1; w < NWORK; w++)
				bench_fail(rs[w], "%s", rs[0]->status);
			bench_run_free(&run);
			return;
		}
		for (int w = 0; w < NWORK; w++)
			take_workload(rs[w], &run, device, fig);
		bench_run_free(&run);
	}
}

int bench_disk(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *rs[2][NWORK];
	for (int m = 0; m < 2; m++)
		for (int w = 0; w < NWORK; w++)
			if (!(rs[m][w] =
				      bench_add(rep, "disk", models[m].device,
						workloads[w], "MB/s", true)))
				return -1;
	char image[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		for (int m = 0; m < 2; m++)
			for (int w = 0; w < NWORK; w++)
				bench_status(rs[m][w], "n/a: run make guest");
		return 0;
	}
	struct disk_sizes sz = env->quick
				       ? (struct disk_sizes){16, "256K", "2M"}
				       : (struct disk_sizes){64, "4M", "32M"};
	if (make_image(disk, sizeof(disk), sz.image_mb)) {
		for (int m = 0; m < 2; m++)
			for (int w = 0; w < NWORK; w++)
				bench_fail(rs[m][w],
					   "cannot write a disk image in /tmp");
		return 0;
	}
	char append[256];
	int nsteps = env->runs * (2 + (env->qemu[0] != 0)), step = 0;
	for (int m = 0; m < 3; m++) {
		bool qemu = m == 2;
		if (qemu && !env->qemu[0])
			break;
		int model = qemu ? 0 : m;
		snprintf(append, sizeof(append),
			 "console=ttyS0 pvkit.test=bench-disk pvkit.dev=%s "
			 "pvkit.total4k=%s pvkit.total1m=%s",
			 models[model].guest_dev, sz.total4k, sz.total1m);
		char drive[PATH_MAX + 64];
		if (qemu)
			snprintf(drive, sizeof(drive),
				 "file=%s,format=raw,if=none,id=d0", disk);
		else
			snprintf(drive, sizeof(drive), "%s,format=raw,if=%s",
				 disk, models[model].interface);
		/* clang-format off */
		char *pv_argv[] = {(char *)env->self, "run", "--kernel", image,
				   "--initrd", initrd, "--mem", "512M",
				   "--disk", drive, "--append", append, NULL};
		char *q_argv[] = {(char *)env->qemu, "-M", "virt", "-m", "512M",
				  "-nographic", "-bios", "default",
				  "-kernel", image, "-initrd", initrd,
				  "-append", append, "-drive", drive,
				  "-device", "virtio-blk-device,drive=d0", NULL};
		/* clang-format on */
		run_engine(env, qemu ? q_argv : pv_argv, qemu,
			   models[model].device, rs[model], &step, nsteps);
	}
	unlink(disk);
	return 0;
}
