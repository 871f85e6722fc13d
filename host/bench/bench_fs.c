/*
 * `pvkit bench fs`: a shared host folder in the guest, by the guest's
 * tests/bench-fs.sh (one boot per repetition): sequential write and read
 * with dd bs=1M of 64 MiB (32 with --quick), and a metadata run that
 * creates, stats and unlinks 2000 empty files (500). Engines, same guest
 * kernel and initramfs:
 *   pvkit      --share DIR,tag=host (virtio-fs on hostfs)
 *   QEMU       vhost-user-fs-device + Debian's C virtiofsd (the QEMU figure
 *              of the virtio-fs rows)
 *   QEMU 9p    -fsdev local + virtio-9p-device, msize 512000 (the 9p rows,
 *              QEMU only: pvkit has no 9p)
 * With pvkit, device counters between the guest's marks give MMIO exits
 * and interrupts per request and guest instructions per byte.
 */
#include "host/bench/bench.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define VIRTIOFSD "/usr/lib/qemu/virtiofsd"

enum { READ, WRITE, META, NWORK };
static const char *const workload_key[NWORK] = {"seq-read-1M", "seq-write-1M",
						"meta"};

struct fs_bench {
	const struct bench_env *env;
	char dir[64]; /* temporary: share/ and the virtiofsd socket */
	char share[96];
	char image[PATH_MAX], initrd[PATH_MAX];
	char append[160];
	struct bench_result *vfs[NWORK], *p9[NWORK];
};

/* share/r.bin: mb MiB of xorshift output (nothing sparse or compressible). */
static int make_share(struct fs_bench *b, unsigned mb)
{
	snprintf(b->dir, sizeof(b->dir), "/tmp/pvkit-bench-fs-XXXXXX");
	if (!mkdtemp(b->dir))
		return -1;
	snprintf(b->share, sizeof(b->share), "%s/share", b->dir);
	char path[128];
	snprintf(path, sizeof(path), "%s/r.bin", b->share);
	FILE *f = mkdir(b->share, 0755) ? NULL : fopen(path, "wb");
	if (!f)
		return -1;
	static uint64_t buf[(1u << 20) / sizeof(uint64_t)];
	uint64_t x = 0x2545f4914f6cdd1dull;
	for (unsigned m = 0; m < mb; m++) {
		for (size_t k = 0; k < sizeof(buf) / sizeof(buf[0]); k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[k] = x;
		}
		if (fwrite(buf, sizeof(buf), 1, f) != 1)
			break;
	}
	return ferror(f) | fclose(f) ? -1 : 0;
}

static void remove_share(struct fs_bench *b)
{
	char cmd[160];
	if (!b->dir[0] || strncmp(b->dir, "/tmp/pvkit-bench-fs-", 20))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pvkit: bench fs: cannot remove %s\n", b->dir);
}

/* The three figures of one run into res[] with fig; false if any is
   missing (then every result of the set fails). */
static bool record_run(struct fs_bench *b, struct bench_run *run,
		       struct bench_result **res, enum bench_figure fig,
		       const char *what)
{
	double v[NWORK];
	for (int w = 0; w < NWORK; w++) {
		double bytes = 0, s = -1;
		bool ok = bench_run_value(run, workload_key[w], "seconds", &s);
		if (w != META)
			ok &= bench_run_value(run, workload_key[w], "bytes",
					      &bytes);
		if (!ok || s <= 0) {
			bench_progress_clear(b->env);
			bench_show_output(what,
					  run->res.out ? run->res.out : "",
					  run->res.err ? run->res.err : "");
			for (int k = 0; k < NWORK; k++)
				bench_fail(res[k], "%s: no %s result", what,
					   workload_key[w]);
			return false;
		}
		v[w] = w == META ? s : bytes / s / 1e6;
	}
	for (int w = 0; w < NWORK; w++)
		bench_record(res[w], fig, v[w]);
	return true;
}

static void pvkit_runs(struct fs_bench *b)
{
	const struct bench_env *env = b->env;
	char share[160];
	snprintf(share, sizeof(share), "%s,tag=host", b->share);
	/* clang-format off */
	char *argv[] = {(char *)env->self, "run", "--kernel", b->image,
			"--initrd", b->initrd, "--mem", "512M",
			"--share", share, "--append", b->append, NULL};
	/* clang-format on */
	static const char *const marks[NWORK][2] = {
		{"read-begin", "read-end"},
		{"write-begin", "write-end"},
		{"meta-begin", "meta-end"}};
	for (int i = 0; i < env->runs; i++) {
		bench_progress(env, "fs: pvkit virtio-fs", i, env->runs);
		struct bench_run run;
		bench_run_engine(env, argv, true, &run);
		if (!bench_run_ok(env, &run, b->vfs[READ], "pvkit virtio-fs") ||
		    !record_run(b, &run, b->vfs, BENCH_PVKIT, "pvkit")) {
			bench_run_free(&run);
			return;
		}
		for (int w = 0; w < NWORK; w++) {
			struct bench_counters c;
			struct bench_result *r = b->vfs[w];
			if (!bench_run_counters(&run, "virtio-fs", marks[w][0],
						marks[w][1], &c) ||
			    c.requests <= 0)
				continue;
			bench_record(r, BENCH_EXITS_PER_REQUEST,
				     c.mmio_exits / c.requests);
			bench_record(r, BENCH_INTERRUPTS_PER_REQUEST,
				     c.interrupts / c.requests);
			if (w != META && c.bytes > 0)
				bench_record(r, BENCH_INSNS_PER_BYTE,
					     c.instructions / c.bytes);
		}
		for (int w = 0; w < NWORK; w++)
			bench_record(b->vfs[w], BENCH_HOST_CPU_S,
				     run.res.cpu_s);
		bench_run_free(&run);
	}
}

/* Starts virtiofsd on the share; its pid, or -1. */
static pid_t start_virtiofsd(struct fs_bench *b, const char *sock)
{
	char source[128], sockopt[160];
	snprintf(source, sizeof(source), "source=%s", b->share);
	snprintf(sockopt, sizeof(sockopt), "--socket-path=%s", sock);
	unlink(sock);
	pid_t pid = fork();
	if (pid == 0) {
		char log[128];
		snprintf(log, sizeof(log), "%s/virtiofsd.log", b->dir);
		if (!freopen(log, "w", stderr) || !freopen(log, "a", stdout))
			_exit(127);
		execl(VIRTIOFSD, VIRTIOFSD, sockopt, "-o", source, "-o",
		      "cache=auto", (char *)NULL);
		_exit(127);
	}
	/* it listens once the socket exists */
	for (int k = 0; pid > 0 && k < 100; k++) {
		struct stat st;
		if (!stat(sock, &st))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(50000);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

static void qemu_virtiofsd_runs(struct fs_bench *b)
{
	const struct bench_env *env = b->env;
	char sock[128], chardev[160];
	snprintf(sock, sizeof(sock), "%s/virtiofsd.sock", b->dir);
	snprintf(chardev, sizeof(chardev), "socket,id=vfs0,path=%s", sock);
	/* clang-format off */
	char *argv[] = {(char *)env->qemu,
		"-M", "virt,memory-backend=mem", "-m", "512M",
		"-object", "memory-backend-memfd,id=mem,size=512M,share=on",
		"-global", "virtio-mmio.force-legacy=false",
		"-nographic", "-bios", "default",
		"-kernel", b->image, "-initrd", b->initrd, "-append", b->append,
		"-chardev", chardev,
		"-device", "vhost-user-fs-device,queue-size=1024,chardev=vfs0,tag=host",
		NULL};
	/* clang-format on */
	for (int i = 0; i < env->runs; i++) {
		bench_progress(env, "fs: QEMU + virtiofsd", i, env->runs);
		pid_t d = start_virtiofsd(b, sock);
		if (d < 0) {
			for (int w = 0; w < NWORK; w++)
				bench_status(b->vfs[w],
					     "QEMU: virtiofsd did not start "
					     "(%s, needs root)",
					     VIRTIOFSD);
			return;
		}
		struct bench_run run;
		bench_run_engine(env, argv, false, &run);
		bool ok = bench_run_ok(env, &run, b->vfs[READ],
				       "QEMU virtiofsd") &&
			  record_run(b, &run, b->vfs, BENCH_QEMU, "QEMU");
		bench_run_free(&run);
		kill(d, SIGTERM); /* it exits with QEMU; in case it did not */
		waitpid(d, NULL, 0);
		if (!ok)
			return;
	}
}

static void qemu_9p_runs(struct fs_bench *b)
{
	const struct bench_env *env = b->env;
	char fsdev[160], append[192];
	snprintf(fsdev, sizeof(fsdev),
		 "local,id=fs0,path=%s,security_model=none", b->share);
	snprintf(append, sizeof(append), "%s pvkit.fstype=9p", b->append);
	/* clang-format off */
	char *argv[] = {(char *)env->qemu, "-M", "virt", "-m", "512M",
		"-nographic", "-bios", "default",
		"-kernel", b->image, "-initrd", b->initrd, "-append", append,
		"-fsdev", fsdev,
		"-device", "virtio-9p-device,fsdev=fs0,mount_tag=host", NULL};
	/* clang-format on */
	for (int i = 0; i < env->runs; i++) {
		bench_progress(env, "fs: QEMU 9p", i, env->runs);
		struct bench_run run;
		bench_run_engine(env, argv, false, &run);
		bool ok = bench_run_ok(env, &run, b->p9[READ], "QEMU 9p") &&
			  record_run(b, &run, b->p9, BENCH_QEMU, "QEMU 9p");
		bench_run_free(&run);
		if (!ok)
			return;
	}
}

int bench_fs(const struct bench_env *env, struct bench_report *rep)
{
	struct fs_bench *b = calloc(1, sizeof(*b));
	if (!b)
		return -1;
	b->env = env;
	unsigned mb = env->quick ? 32 : 64, files = env->quick ? 500 : 2000;
	char meta[24];
	snprintf(meta, sizeof(meta), "meta-%u", files);
	const char *const names[NWORK] = {"seq-read-1M", "seq-write-1M", meta};
	for (int w = 0; w < NWORK; w++) {
		b->vfs[w] = bench_add(rep, "fs", "virtio-fs", names[w],
				      w == META ? "s" : "MB/s", w != META);
		b->p9[w] = bench_add(rep, "fs", "9p", names[w],
				     w == META ? "s" : "MB/s", w != META);
		if (!b->vfs[w] || !b->p9[w]) {
			free(b);
			return -1;
		}
		snprintf(b->vfs[w]->note, sizeof(b->vfs[w]->note),
			 "pvkit hostfs; QEMU = C virtiofsd");
		/* not "ok": there is no pvkit figure to show */
		bench_status(b->p9[w], "QEMU only: pvkit has no 9p");
	}
	if (!bench_find_guest(env, b->image, b->initrd)) {
		for (int w = 0; w < NWORK; w++) {
			bench_status(b->vfs[w], "n/a: run make guest");
			bench_status(b->p9[w], "n/a: run make guest");
		}
		free(b);
		return 0;
	}
	snprintf(b->append, sizeof(b->append),
		 "console=ttyS0 pvkit.test=bench-fs pvkit.mb=%u "
		 "pvkit.files=%u",
		 mb, files);
	if (make_share(b, mb)) {
		for (int w = 0; w < NWORK; w++)
			bench_fail(b->vfs[w],
				   "cannot write a share in /tmp: %s",
				   strerror(errno));
		remove_share(b);
		free(b);
		return 0;
	}
	pvkit_runs(b);
	if (env->qemu[0]) {
		qemu_virtiofsd_runs(b);
		qemu_9p_runs(b);
	} else {
		for (int w = 0; w < NWORK; w++)
			bench_status(b->p9[w], "n/a: no qemu-system-riscv64");
	}
	remove_share(b);
	free(b);
	return 0;
}
