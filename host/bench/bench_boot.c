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

/* Boots the guest env->runs times on one engine; records each run's
 * times in init and off (fig: BENCH_PVKIT or BENCH_QEMU). False, with the
 * reason in why, if a run failed. */
static bool boot_engine(const struct bench_env *env, bool qemu, char *image,
			char *initrd, struct bench_result *init,
			struct bench_result *off, char *why, size_t whylen)
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
	enum bench_figure fig = qemu ? BENCH_QEMU : BENCH_PVKIT;
	for (int i = 0; i < env->runs; i++) {
		char step[64];
		snprintf(step, sizeof(step), "boot: %s", name);
		bench_progress(env, step, i, env->runs);
		struct spawn_result res;
		spawn_run(&req, &res);
		if (res.status != 0 || res.timed_out || res.marker_s < 0) {
			if (res.status != 0 || res.timed_out)
				spawn_describe(&res, why, whylen);
			else
				snprintf(why, whylen, "no %s line",
					 INIT_MARKER);
			char what[64];
			snprintf(what, sizeof(what), "%s boot (%s)", name, why);
			bench_progress_clear(env);
			bench_show_output(what, res.out ? res.out : "",
					  res.err ? res.err : "");
			spawn_result_free(&res);
			return false;
		}
		bench_record(init, fig, res.marker_s);
		bench_record(off, fig, res.wall_s);
		/* the child's CPU time is only known once it has exited */
		if (!qemu)
			bench_record(off, BENCH_HOST_CPU_S, res.cpu_s);
		spawn_result_free(&res);
	}
	return true;
}

int bench_boot(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *init =
		bench_add(rep, "boot", "linux", "start-to-init", "s", false);
	struct bench_result *off = bench_add(rep, "boot", "linux",
					     "start-to-poweroff", "s", false);
	if (!init || !off)
		return -1;
	char image[PATH_MAX], initrd[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		bench_status(init, "n/a: run make guest");
		bench_status(off, "n/a: run make guest");
		return 0;
	}
	char why[64];
	if (!boot_engine(env, false, image, initrd, init, off, why,
			 sizeof(why))) {
		bench_fail(init, "pvkit: %s", why);
		bench_fail(off, "pvkit: %s", why);
	}
	if (!env->qemu[0]) {
		if (!init->failed)
			bench_status(init, "ok (no QEMU)");
		if (!off->failed)
			bench_status(off, "ok (no QEMU)");
	} else if (!boot_engine(env, true, image, initrd, init, off, why,
				sizeof(why))) {
		bench_fail(init, "QEMU: %s", why);
		bench_fail(off, "QEMU: %s", why);
	}
	return 0;
}
