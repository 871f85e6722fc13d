/*
 * `pvkit bench disk`: a sequential read in the guest (issue 4), the first
 * 64 MiB (32 with --quick) of a 96 MiB (48) raw image of pseudo-random
 * bytes (nothing sparse, nothing compressible), by the guest's
 * tests/bench-disk-read.sh (dd bs=1M iflag=direct after dropping caches),
 * on pvkit's virtio-blk, pvkit's IDE and QEMU's virtio-blk, the same image
 * in the same run. Rows: MB/s, virtio/IDE and pvkit/QEMU.
 */
#include "host/bench/bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes mb MiB of xorshift output to a new temporary file; its path goes
 * to path. Returns 0, or -1. */
static int make_image(char *path, size_t size, unsigned mb)
{
	snprintf(path, size, "/tmp/pvkit-bench-disk-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	static uint64_t buf[(1u << 20) / sizeof(uint64_t)];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	if (!f) {
		if (fd >= 0)
			close(fd), unlink(path);
		return -1;
	}
	for (unsigned m = 0; m < mb; m++) {
		for (size_t k = 0; k < sizeof(buf) / sizeof(buf[0]); k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[k] = x;
		}
		if (fwrite(buf, sizeof(buf), 1, f) != 1)
			break;
	}
	if (ferror(f) | fclose(f)) {
		unlink(path);
		return -1;
	}
	return 0;
}

int bench_disk(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *rs[2] = {
		bench_add(rep, "disk", "virtio-blk", "seq-read-1M", "MB/s",
			  true),
		bench_add(rep, "disk", "ide", "seq-read-1M", "MB/s", true),
	};
	if (!rs[0] || !rs[1])
		return -1;
	char image[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		for (int k = 0; k < 2; k++)
			bench_status(rs[k], "n/a: run make guest");
		return 0;
	}
	unsigned image_mb = env->quick ? 48 : 96,
		 read_mb = env->quick ? 32 : 64;
	if (make_image(disk, sizeof(disk), image_mb)) {
		for (int k = 0; k < 2; k++)
			bench_fail(rs[k], "cannot write a disk image in /tmp");
		return 0;
	}
	char append[2][128], drive[2][PATH_MAX + 64];
	for (int k = 0; k < 2; k++) {
		snprintf(append[k], sizeof(append[k]),
			 "console=ttyS0 pvkit.test=bench-disk-read "
			 "pvkit.dev=%s pvkit.mb=%u",
			 k ? "sda" : "vda", read_mb);
		snprintf(drive[k], sizeof(drive[k]), "%s,format=raw,if=%s",
			 disk, k ? "ide" : "virtio");
	}
	for (int k = 0; k < 2; k++) {
		/* clang-format off */
		char *argv[] = {(char *)env->self, "run", "--kernel", image,
				"--initrd", initrd, "--mem", "512M",
				"--disk", drive[k], "--append", append[k],
				NULL};
		/* clang-format on */
		bench_io_run(env, argv, rs[k], BENCH_PVKIT);
	}
	if (env->qemu[0]) {
		char qdrive[PATH_MAX + 64];
		snprintf(qdrive, sizeof(qdrive),
			 "file=%s,format=raw,if=none,id=d0", disk);
		/* clang-format off */
		char *argv[] = {(char *)env->qemu, "-M", "virt", "-m", "512M",
				"-nographic", "-bios", "default",
				"-kernel", image, "-initrd", initrd,
				"-append", append[0], "-drive", qdrive,
				"-device", "virtio-blk-device,drive=d0", NULL};
		/* clang-format on */
		bench_io_run(env, argv, rs[0], BENCH_QEMU);
	}
	unlink(disk);
	return 0;
}
