/*
 * `pvkit bench console`: the 16550 UART against virtio-console on the same
 * work: the guest's tests/bench-console.sh writes a stream of text in
 * 4 KiB writes to /dev/ttyS0 or /dev/hvc1 (virtio-console port 0;
 * hvc0 is the SBI console) (pvkit-iobench, drained, timed
 * by the guest's monotonic clock). On pvkit both reach pvkit's stdout, a
 * pipe this process reads (virtio-console exists with --agent, whose
 * port 0 is the hvc console). QEMU runs the same guest work with its
 * 16550 on its stdout (-nographic) and a virtconsole on a file. Results:
 * MB/s; per KiB written (the "request" of this group), MMIO exits and
 * interrupts of the device; guest instructions per byte; host CPU time.
 */
#include "host/bench/bench.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WORKLOAD "stream-4K"

static const struct {
	const char *device, *tty;
} models[2] = {
	{"uart16550", "ttyS0"},
	{"virtio-console", "hvc1"},
};

static void take(struct bench_result *r, const struct bench_run *run,
		 enum bench_figure fig)
{
	double bytes, seconds;
	if (!bench_run_value(run, WORKLOAD, "bytes", &bytes) ||
	    !bench_run_value(run, WORKLOAD, "seconds", &seconds) ||
	    bytes <= 0) {
		bench_fail(r, "%sno result line",
			   fig == BENCH_QEMU ? "QEMU: " : "");
		return;
	}
	bench_record(r, fig, bytes / (seconds > 1e-6 ? seconds : 1e-6) / 1e6);
	struct bench_counters c;
	if (fig != BENCH_PVKIT ||
	    !bench_run_counters(run, r->device, WORKLOAD "-begin",
				WORKLOAD "-end", &c))
		return;
	double kib = bytes / 1024;
	bench_record(r, BENCH_EXITS_PER_REQUEST, c.mmio_exits / kib);
	bench_record(r, BENCH_INTERRUPTS_PER_REQUEST, c.interrupts / kib);
	bench_record(r, BENCH_INSNS_PER_BYTE, c.instructions / bytes);
	bench_record(r, BENCH_HOST_CPU_S, c.host_cpu_s);
}

int bench_console(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *rs[2];
	for (int m = 0; m < 2; m++) {
		rs[m] = bench_add(rep, "console", models[m].device, WORKLOAD,
				  "MB/s", true);
		if (!rs[m])
			return -1;
		snprintf(rs[m]->note, sizeof(rs[m]->note),
			 "per request = per KiB");
	}
	char image[PATH_MAX], initrd[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		for (int m = 0; m < 2; m++)
			bench_status(rs[m], "n/a: run make guest");
		return 0;
	}
	/* the agent socket only makes pvkit give the guest a
	 * virtio-console; nothing connects to it */
	char agent[108], qfile[64];
	snprintf(agent, sizeof(agent), "/tmp/pvkit-bench-con-%ld.sock",
		 (long)getpid());
	snprintf(qfile, sizeof(qfile), "/tmp/pvkit-bench-con-%ld.out",
		 (long)getpid());
	const char *bytes = env->quick ? "64K" : "1M";
	int nsteps = env->runs * (env->qemu[0] ? 4 : 2), step = 0;
	for (int e = 0; e < (env->qemu[0] ? 2 : 1); e++) {
		bool qemu = e == 1;
		for (int m = 0; m < 2; m++) {
			char append[160], chardev[96];
			snprintf(append, sizeof(append),
				 "console=ttyS0 pvkit.test=bench-console "
				 "pvkit.tty=%s pvkit.bytes=%s",
				 models[m].tty, bytes);
			snprintf(chardev, sizeof(chardev), "file,id=c0,path=%s",
				 qfile);
			/* clang-format off */
			char *pv_argv[] = {(char *)env->self, "run",
				"--kernel", image, "--initrd", initrd,
				"--mem", "512M", "--append", append,
				m ? "--agent" : NULL, agent, NULL};
			char *q_argv[] = {(char *)env->qemu, "-M", "virt",
				"-m", "512M", "-nographic", "-bios", "default",
				"-kernel", image, "-initrd", initrd,
				"-append", append,
				"-device", "virtio-serial-device",
				"-chardev", chardev,
				"-device", "virtconsole,chardev=c0", NULL};
			/* clang-format on */
			for (int i = 0; i < env->runs; i++) {
				char what[64];
				snprintf(what, sizeof(what), "console: %s%s %s",
					 qemu ? "QEMU " : "", models[m].device,
					 WORKLOAD);
				bench_progress(env, what, step++, nsteps);
				struct bench_run run;
				unlink(agent);
				bench_run_engine(env, qemu ? q_argv : pv_argv,
						 !qemu, &run);
				if (bench_run_ok(env, &run, rs[m], what))
					take(rs[m], &run,
					     qemu ? BENCH_QEMU : BENCH_PVKIT);
				bench_run_free(&run);
			}
		}
	}
	unlink(agent);
	unlink(qfile);
	return 0;
}
