/*
 * `pvkit bench boot`: the Linux guest (build/guest/Image and
 * initramfs.cpio.gz, from `make guest`) booted on pvkit and on QEMU
 * (OpenSBI, `-bios default`), measuring from process start to
 *   init:     the guest's /init announcing itself on the console, and
 *   poweroff: the engine exiting after /init powers the machine off.
 * The kernel command line names a pvkit.test that /init runs and then
 * powers off; PVKIT-TEST-START is the first line /init prints in that mode,
 * right after mounting the basic file systems.
 */
#include "host/bench/bench.h"
#include "host/bench/spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INIT_MARKER "PVKIT-TEST-START:"
/* No such script needs to exist: /init then reports status 127 and powers
 * off at once, which is all this needs. */
#define BOOT_APPEND "console=ttyS0 pvkit.test=boot-poweroff"

struct boot_time {
	bool ok;
	double init_s, off_s, off_cpu_s; /* best of the runs */
	char why[64];
};

static void boot_engine(const struct bench_env *env, bool qemu, char *image,
			char *initrd, struct boot_time *bt)
{
	/* clang-format off */
	char *pv_argv[] = {(char *)env->self, "run", "--kernel", image,
			   "--initrd", initrd, "--mem", "512M",
			   "--append", BOOT_APPEND, NULL};
	char *q_argv[] = {(char *)env->qemu, "-M", "virt", "-m", "512M",
			  "-nographic", "-bios", "default", "-kernel", image,
			  "-initrd", initrd, "-append", BOOT_APPEND, NULL};
	/* clang-format on */
	struct spawn_req req = {
		.argv = qemu ? q_argv : pv_argv,
		.timeout_s = BENCH_TIMEOUT_S,
		.marker = INIT_MARKER,
	};
	const char *name = qemu ? "QEMU" : "pvkit";
	memset(bt, 0, sizeof(*bt));
	bt->ok = true;
	for (int i = 0; i < env->runs && bt->ok; i++) {
		fprintf(stderr, "pvkit bench boot: %s, run %d of %d\n", name,
			i + 1, env->runs);
		struct spawn_result res;
		spawn_run(&req, &res);
		if (res.status != 0 || res.timed_out || res.marker_s < 0) {
			if (res.status != 0 || res.timed_out)
				spawn_describe(&res, bt->why, sizeof(bt->why));
			else
				snprintf(bt->why, sizeof(bt->why), "no %s line",
					 INIT_MARKER);
			char what[64];
			snprintf(what, sizeof(what), "%s boot (%s)", name,
				 bt->why);
			bench_show_output(what, res.out ? res.out : "",
					  res.err ? res.err : "");
			bt->ok = false;
		} else {
			if (i == 0 || res.marker_s < bt->init_s)
				bt->init_s = res.marker_s;
			if (i == 0 || res.wall_s < bt->off_s)
				bt->off_s = res.wall_s;
			if (i == 0 || res.cpu_s < bt->off_cpu_s)
				bt->off_cpu_s = res.cpu_s;
		}
		spawn_result_free(&res);
	}
}

static void fill(struct bench_row *row, const struct boot_time *pv,
		 const struct boot_time *q, bool have_qemu, bool init)
{
	/* the child's CPU time is only known once it has exited */
	if (pv->ok) {
		row->pv_s = init ? pv->init_s : pv->off_s;
		row->pv_cpu_s = init ? -1 : pv->off_cpu_s;
	}
	if (have_qemu && q->ok) {
		row->qemu_s = init ? q->init_s : q->off_s;
		row->qemu_cpu_s = init ? -1 : q->off_cpu_s;
	}
	if (!pv->ok) {
		snprintf(row->status, sizeof(row->status), "pvkit: %s",
			 pv->why);
		row->failed = true;
	} else if (!have_qemu) {
		snprintf(row->status, sizeof(row->status), "ok (no QEMU)");
	} else if (!q->ok) {
		snprintf(row->status, sizeof(row->status), "QEMU: %s", q->why);
		row->failed = true;
	}
}

int bench_boot(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_row *init =
		bench_add_row(rep, "boot", "start-to-init", BENCH_ROW_TIME);
	struct bench_row *off =
		bench_add_row(rep, "boot", "start-to-poweroff", BENCH_ROW_TIME);
	if (!init || !off)
		return -1;
	init = &rep->rows[rep->n -
			  2]; /* the second add may have moved the rows */
	char image[PATH_MAX], initrd[PATH_MAX];
	if (!bench_find_file(env, "guest/Image", image, sizeof(image)) ||
	    !bench_find_file(env, "guest/initramfs.cpio.gz", initrd,
			     sizeof(initrd))) {
		snprintf(init->status, sizeof(init->status),
			 "n/a: run make guest");
		snprintf(off->status, sizeof(off->status),
			 "n/a: run make guest");
		return 0;
	}
	bool have_qemu = env->qemu[0] != 0;
	struct boot_time pv, q = {0};
	boot_engine(env, false, image, initrd, &pv);
	if (have_qemu)
		boot_engine(env, true, image, initrd, &q);
	fill(init, &pv, &q, have_qemu, true);
	fill(off, &pv, &q, have_qemu, false);
	return 0;
}
