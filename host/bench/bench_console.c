/*
 * `pvkit bench console`: the 16550 UART against virtio-console on the same
 * work, two workloads of 4 KiB writes of text from the guest's
 * tests/bench-console.sh (pvkit-iobench, timed by the guest's monotonic
 * clock), one boot per device and repetition running both:
 *  - stream-4K: to a tty, drained: /dev/ttyS0, or /dev/hvc1
 *    (virtio-console port 0 through Linux's hvc layer, which hands the
 *    device 16-32 byte chunks; hvc0 is the SBI console). Both reach the
 *    engine's stdout, a pipe this process reads.
 *  - port-4K: virtio-console as a paravirtual device is meant to be used:
 *    its serial port org.qemu.guest_agent.0 (/dev/vportNpM), each write
 *    one buffer to the device, on a unix socket whose host end a reader
 *    thread here drains; it answers one byte once it has every byte, and
 *    that answer stops the guest's clock. The guest boots with
 *    pvkit.agent=off so that no agent holds the port. The 16550 has no
 *    ports: its port-4K is the same 4 KiB writes to ttyS0.
 * pvkit gives the guest a virtio-console only with --agent SOCK (port 0 is
 * the hvc console, port 1 the socket). QEMU runs the same guest work with
 * its 16550 on its stdout (-nographic), a virtconsole on a file and a
 * virtserialport on a socket server. Results: MB/s; per KiB written (the
 * "request" of this group), MMIO exits and interrupts of the device; guest
 * instructions per byte; host CPU time.
 */
#include "host/bench/bench.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PORT_NAME "org.qemu.guest_agent.0"

static const char *const workloads[2] = {"stream-4K", "port-4K"};

static const struct {
	const char *device, *tty, *port;
} models[2] = {
	{"uart16550", "ttyS0", "ttyS0"},
	{"virtio-console", "hvc1", PORT_NAME},
};

/* The host end of the port-4K stream for one engine run. */
struct port_reader {
	char path[108];	  /* the engine's socket */
	double expect;	  /* bytes the guest sends */
	atomic_bool stop; /* set once the engine has exited */
	double received;  /* read after the join */
	bool answered;	  /* the guest got its byte */
	pthread_t thread;
};

/* Connects (the engine makes the socket some time after it starts, and
 * the guest waits for us), reads everything and answers once. */
static void *reader_main(void *opaque)
{
	struct port_reader *pr = opaque;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", pr->path);
	int fd = -1;
	while (!atomic_load(&pr->stop)) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return NULL;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			break;
		close(fd);
		fd = -1;
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	if (fd < 0)
		return NULL;
	char buf[64 * 1024];
	while (!atomic_load(&pr->stop)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int k = poll(&p, 1, 100); /* stop is looked at in between */
		if (k < 0 && errno != EINTR)
			break;
		if (k <= 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the engine has exited */
		pr->received += (double)n;
		if (!pr->answered && pr->received >= pr->expect)
			pr->answered = write(fd, "\n", 1) == 1;
	}
	close(fd);
	return NULL;
}

static void take(struct bench_result *r, const struct bench_run *run,
		 enum bench_figure fig)
{
	const char *w = r->workload;
	double bytes, seconds;
	if (!bench_run_value(run, w, "bytes", &bytes) ||
	    !bench_run_value(run, w, "seconds", &seconds) || bytes <= 0) {
		bench_fail(r, "%sno result line for %s",
			   fig == BENCH_QEMU ? "QEMU: " : "", w);
		return;
	}
	bench_record(r, fig, bytes / (seconds > 1e-6 ? seconds : 1e-6) / 1e6);
	char from[64], to[64];
	snprintf(from, sizeof(from), "%s-begin", w);
	snprintf(to, sizeof(to), "%s-end", w);
	struct bench_counters c;
	if (fig != BENCH_PVKIT ||
	    !bench_run_counters(run, r->device, from, to, &c))
		return;
	double kib = bytes / 1024;
	bench_record(r, BENCH_EXITS_PER_REQUEST, c.mmio_exits / kib);
	bench_record(r, BENCH_INTERRUPTS_PER_REQUEST, c.interrupts / kib);
	bench_record(r, BENCH_INSNS_PER_BYTE, c.instructions / bytes);
	bench_record(r, BENCH_HOST_CPU_S, c.host_cpu_s);
}

/* One boot of argv: both workloads into rs (of one model). */
static void run_once(const struct bench_env *env, char *const *argv, bool qemu,
		     bool port_socket, const char *sock, double bytes,
		     struct bench_result *const *rs, const char *what)
{
	struct port_reader pr = {.expect = bytes};
	snprintf(pr.path, sizeof(pr.path), "%s", sock);
	atomic_init(&pr.stop, false);
	unlink(sock); /* never connect to an earlier run's socket */
	bool reading = port_socket &&
		       !pthread_create(&pr.thread, NULL, reader_main, &pr);
	struct bench_run run;
	bench_run_engine(env, argv, !qemu, &run);
	if (reading) {
		atomic_store(&pr.stop, true);
		pthread_join(pr.thread, NULL);
	}
	bool ok = bench_run_ok(env, &run, rs[0], what);
	if (!ok)
		bench_fail(rs[1], "%s", rs[0]->status);
	else if (port_socket && !reading)
		bench_fail(rs[1], "cannot start the port reader");
	else if (port_socket && pr.received != bytes)
		bench_fail(rs[1],
			   "%sthe port's host end got %.0f of %.0f bytes",
			   qemu ? "QEMU: " : "", pr.received, bytes);
	for (int w = 0; ok && w < 2; w++)
		take(rs[w], &run, qemu ? BENCH_QEMU : BENCH_PVKIT);
	bench_run_free(&run);
}

int bench_console(const struct bench_env *env, struct bench_report *rep)
{
	struct bench_result *rs[2][2]; /* [model][workload] */
	for (int w = 0; w < 2; w++)
		for (int m = 0; m < 2; m++) {
			struct bench_result *r =
				bench_add(rep, "console", models[m].device,
					  workloads[w], "MB/s", true);
			if (!r)
				return -1;
			snprintf(r->note, sizeof(r->note), "%s",
				 w && m ? "vport, per request = per KiB"
					: "per request = per KiB");
			rs[m][w] = r;
		}
	char image[PATH_MAX], initrd[PATH_MAX];
	if (!bench_find_guest(env, image, initrd)) {
		for (int m = 0; m < 2; m++)
			for (int w = 0; w < 2; w++)
				bench_status(rs[m][w], "n/a: run make guest");
		return 0;
	}
	char sock[108], qfile[64];
	snprintf(sock, sizeof(sock), "/tmp/pvkit-bench-con-%ld.sock",
		 (long)getpid());
	snprintf(qfile, sizeof(qfile), "/tmp/pvkit-bench-con-%ld.out",
		 (long)getpid());
	const char *bytes = env->quick ? "64K" : "1M";
	double nbytes = env->quick ? 64 * 1024 : 1024 * 1024;
	int nsteps = env->runs * (env->qemu[0] ? 4 : 2), step = 0;
	for (int e = 0; e < (env->qemu[0] ? 2 : 1); e++) {
		bool qemu = e == 1;
		for (int m = 0; m < 2; m++) {
			char append[192], con_dev[96], port_dev[160];
			snprintf(append, sizeof(append),
				 "console=ttyS0 pvkit.test=bench-console "
				 "pvkit.tty=%s pvkit.port=%s pvkit.bytes=%s "
				 "pvkit.agent=off",
				 models[m].tty, models[m].port, bytes);
			snprintf(con_dev, sizeof(con_dev), "file,id=c0,path=%s",
				 qfile);
			snprintf(port_dev, sizeof(port_dev),
				 "socket,id=p1,path=%s,server=on,wait=off",
				 sock);
			/* clang-format off */
			char *pv_argv[] = {(char *)env->self, "run",
				"--kernel", image, "--initrd", initrd,
				"--mem", "512M", "--append", append,
				m ? "--agent" : NULL, sock, NULL};
			char *q_argv[] = {(char *)env->qemu, "-M", "virt",
				"-m", "512M", "-nographic", "-bios", "default",
				"-kernel", image, "-initrd", initrd,
				"-append", append,
				"-device", "virtio-serial-device",
				"-chardev", con_dev,
				"-device", "virtconsole,chardev=c0",
				"-chardev", port_dev,
				"-device", "virtserialport,chardev=p1,name="
					PORT_NAME, NULL};
			/* clang-format on */
			for (int i = 0; i < env->runs; i++) {
				char what[64];
				snprintf(what, sizeof(what),
					 "console: %s%s, 2 workloads",
					 qemu ? "QEMU " : "", models[m].device);
				bench_progress(env, what, step++, nsteps);
				run_once(env, qemu ? q_argv : pv_argv, qemu,
					 m == 1, sock, nbytes, rs[m], what);
			}
		}
	}
	unlink(sock);
	unlink(qfile);
	return 0;
}
