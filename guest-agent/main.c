/*
 * pvkit-agent: the guest agent's daemon. One poll() loop serves the
 * channel to the host (requests in, replies out through a queue, so a
 * slow host never blocks the agent), the pipes of guest-exec children and
 * a signalfd for SIGCHLD/SIGTERM; no command waits for a child, so a
 * long guest-exec never holds up guest-ping or guest-sync.
 *
 * The channel comes and goes: a virtio-console port reads as end-of-file
 * while no host program is connected, a pty as EIO once its master is
 * closed. Either way the agent drops what it had half-read and pending
 * replies, waits a little and reads again, as qemu-ga does.
 */
#include "agent.h"
#include "channel.h"
#include "framer.h"
#include "timesync.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/* How long to leave the channel alone after end-of-file (ms), and the
 * longest wait between attempts to open a missing port. */
#define IDLE_MS 100
#define RETRY_MAX_MS 5000
/* Replies queued for a host that does not read: parse errors are no
 * longer queued past the first bound (garbage input must not grow the
 * queue), and input is not read past the second (back-pressure). */
#define OUT_DROP_ERRORS (1u << 20)
#define OUT_STOP_READING (8u << 20)
/* the signalfd, the channel, and three pipes per child at most */
#define MAX_POLL (3 * EXEC_MAX_PROCS + 4)

struct outq {
	char *data;
	size_t off, len, cap;
};

struct daemon {
	struct agent ag;
	struct channel ch;
	struct framer fr;
	struct outq out;
	struct timesync ts;
	int sigfd;
	long long idle_until; /* ms; the channel is not read before */
	bool quit;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t out_pending(const struct outq *q)
{
	return q->len - q->off;
}

static void out_append(struct outq *q, const char *p, size_t n)
{
	if (q->off && q->off == q->len)
		q->off = q->len = 0;
	if (q->len + n > q->cap) {
		if (q->off) {
			/* compact first: what was sent is not needed */
			memmove(q->data, q->data + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		size_t ncap = q->cap ? q->cap : 4096;
		while (ncap < q->len + n)
			ncap *= 2;
		char *nd = realloc(q->data, ncap);
		if (!nd) {
			fputs("pvkit-agent: out of memory, reply dropped\n",
			      stderr);
			return;
		}
		q->data = nd;
		q->cap = ncap;
	}
	memcpy(q->data + q->len, p, n);
	q->len += n;
}

static void out_clear(struct outq *q)
{
	free(q->data);
	memset(q, 0, sizeof(*q));
}

static void send_reply(struct daemon *d, json_t *reply, bool is_parse_error)
{
	if (!reply)
		return;
	if (is_parse_error && out_pending(&d->out) > OUT_DROP_ERRORS) {
		json_decref(reply);
		return;
	}
	/* 15 digits: loads print as 0.08, not 0.080000000000000002 */
	char *text =
		json_dumps(reply, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	json_decref(reply);
	if (!text)
		return;
	if (d->ag.delimit_next) {
		/* guest-sync-delimited: the client skips to this byte */
		d->ag.delimit_next = false;
		out_append(&d->out, "\xff", 1);
	}
	out_append(&d->out, text, strlen(text));
	out_append(&d->out, "\n", 1);
	free(text);
}

static void flush_out(struct daemon *d)
{
	while (out_pending(&d->out)) {
		ssize_t w = write(d->ch.out_fd, d->out.data + d->out.off,
				  out_pending(&d->out));
		if (w > 0) {
			d->out.off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		/* the host end is gone: its replies go with it */
		d->out.off = d->out.len = 0;
		return;
	}
	if (d->out.cap > (1u << 20))
		out_clear(&d->out);
	else
		d->out.off = d->out.len = 0;
}

static void handle_input(struct daemon *d, const char *p, size_t n)
{
	while (n) {
		struct frame fr;
		size_t used = framer_feed(&d->fr, p, n, &fr);
		p += used;
		n -= used;
		if (fr.kind == FRAME_REQUEST)
			send_reply(
				d,
				agent_handle_request(&d->ag, fr.data, fr.len),
				false);
		else if (fr.kind == FRAME_ERROR)
			send_reply(d, agent_error_reply(fr.error), true);
	}
}

/* The host went away (or never came): drop its half-read request and
 * undelivered replies, and look again a little later. */
static void channel_idle(struct daemon *d)
{
	framer_reset(&d->fr);
	d->ag.delimit_next = false;
	d->out.off = d->out.len = 0;
	d->idle_until = now_ms() + IDLE_MS;
}

static void read_channel(struct daemon *d)
{
	char buf[65536];
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t r = read(d->ch.in_fd, buf, sizeof(buf));
		if (r > 0) {
			handle_input(d, buf, (size_t)r);
			if (out_pending(&d->out) > OUT_STOP_READING)
				return;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (d->ch.stdio) {
			/* tests: end of stdin ends the agent */
			d->quit = true;
			return;
		}
		if (r < 0 && errno != EIO) {
			agent_log(&d->ag, 0, "reading %s: %s; reopening",
				  d->ch.path, strerror(errno));
			channel_close(&d->ch);
		}
		channel_idle(d);
		return;
	}
}

static void handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;
	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			exec_reap(&d->ag);
		} else {
			agent_log(&d->ag, 1, "signal %u, exiting",
				  si.ssi_signo);
			d->quit = true;
		}
	}
}

static int run(struct daemon *d)
{
	long long retry_ms = 0, retry_wait = 500;
	bool told = false;
	while (!d->quit) {
		long long now = now_ms();
		if (!channel_is_open(&d->ch) && now >= retry_ms) {
			char why[400];
			if (channel_open(&d->ch, why, sizeof(why)) == 0) {
				agent_log(&d->ag, 0, "serving %s", d->ch.path);
				told = false;
				retry_wait = 500;
			} else {
				if (!told)
					agent_log(&d->ag, 0, "%s; retrying",
						  why);
				told = true;
				retry_ms = now + retry_wait;
				if (retry_wait < RETRY_MAX_MS)
					retry_wait *= 2;
			}
		}

		struct pollfd fds[MAX_POLL];
		size_t n = 0;
		int in_idx = -1, out_idx = -1;
		fds[n++] = (struct pollfd){.fd = d->sigfd, .events = POLLIN};
		bool open_ = channel_is_open(&d->ch);
		bool want_in = open_ && now >= d->idle_until &&
			       out_pending(&d->out) <= OUT_STOP_READING;
		bool want_out = open_ && out_pending(&d->out);
		if (want_in) {
			in_idx = (int)n;
			fds[n++] = (struct pollfd){.fd = d->ch.in_fd,
						   .events = POLLIN};
		}
		if (want_out) {
			if (want_in && d->ch.out_fd == d->ch.in_fd) {
				out_idx = in_idx;
				fds[in_idx].events |= POLLOUT;
			} else {
				out_idx = (int)n;
				fds[n++] = (struct pollfd){.fd = d->ch.out_fd,
							   .events = POLLOUT};
			}
		}
		size_t exec_first = n;
		n += exec_poll_fds(&d->ag, fds + n, MAX_POLL - n);

		int timeout = -1;
		if (open_ && now < d->idle_until)
			timeout = (int)(d->idle_until - now);
		else if (!open_)
			timeout = (int)(retry_ms > now ? retry_ms - now : 0);
		long long ts_wait = timesync_timeout(&d->ts, now);
		if (ts_wait >= 0 && (timeout < 0 || ts_wait < timeout))
			timeout = (int)ts_wait;
		if (poll(fds, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			agent_log(&d->ag, 0, "poll: %s", strerror(errno));
			return 1;
		}
		if (fds[0].revents)
			handle_signals(d);
		timesync_tick(&d->ts, &d->ag, now_ms());
		exec_poll_events(&d->ag, fds + exec_first, n - exec_first);
		short out_ev = out_idx >= 0 ? fds[out_idx].revents : 0;
		if (out_ev & (POLLOUT | POLLERR))
			flush_out(d);
		else if ((out_ev & POLLHUP) && in_idx < 0)
			channel_idle(d); /* host gone while we held back */
		if (in_idx >= 0 &&
		    fds[in_idx].revents & (POLLIN | POLLHUP | POLLERR))
			read_channel(d);
	}
	if (d->ch.stdio && channel_is_open(&d->ch)) {
		/* let tests see every reply before the agent goes */
		int fl = fcntl(d->ch.out_fd, F_GETFL);
		fcntl(d->ch.out_fd, F_SETFL, fl & ~O_NONBLOCK);
		flush_out(d);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pvkit-agent [-p PATH] [-d] [-l LOGFILE] [-v] "
		"[--max-request BYTES]\n"
		"                   [-T INTERVAL_MS] [-S STEP_MS]\n"
		"qemu-ga compatible guest agent (%s%s)\n"
		"  -p, --path PATH    channel: a character device, pty or "
		"fifo; '-' for\n"
		"                     stdin/stdout (default %s, or the\n"
		"                     /dev/vport* whose sysfs name is %s)\n"
		"  -d, --daemonize    run in the background\n"
		"  -l, --logfile FILE log there instead of stderr\n"
		"  -v, --verbose      more log lines (repeat for debug)\n"
		"      --max-request  largest request in bytes (default %u)\n"
		"  -T, --time-sync MS sync the clock to pvkit's host time every\n"
		"                     MS ms (default %d; 0 = off)\n"
		"  -S, --step MS      step instead of slewing above MS ms of\n"
		"                     offset (default %d)\n"
		"  -V, --version      print the version\n",
		AGENT_VERSION, AGENT_IS_DRY_RUN ? ", dry-run build" : "",
		AGENT_PORT_PATH, AGENT_PORT_NAME, AGENT_MAX_REQUEST_DEFAULT,
		TIMESYNC_INTERVAL_MS_DEFAULT, TIMESYNC_STEP_MS_DEFAULT);
}

static int daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") < 0)
		return -1;
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"path", required_argument, NULL, 'p'},
		{"daemonize", no_argument, NULL, 'd'},
		{"logfile", required_argument, NULL, 'l'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"max-request", required_argument, NULL, 'M'},
		{"time-sync", required_argument, NULL, 'T'},
		{"step", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0}};
	struct daemon d = {0};
	const char *path = NULL, *logfile = NULL;
	bool bg = false;
	unsigned long max_req = AGENT_MAX_REQUEST_DEFAULT;
	long long sync_ms = TIMESYNC_INTERVAL_MS_DEFAULT;
	long long step_ms = TIMESYNC_STEP_MS_DEFAULT;
	int c;
	while ((c = getopt_long(argc, argv, "p:dl:vVhT:S:", longopts, NULL)) !=
	       -1) {
		char *end;
		switch (c) {
		case 'p': path = optarg; break;
		case 'd': bg = true; break;
		case 'l': logfile = optarg; break;
		case 'v': d.ag.verbose++; break;
		case 'V': printf("pvkit-agent %s\n", AGENT_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		case 'M':
			max_req = strtoul(optarg, &end, 0);
			if (*end || max_req < 64) {
				fprintf(stderr,
					"pvkit-agent: bad --max-request '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'T':
		case 'S': {
			long long v = strtoll(optarg, &end, 0);
			if (*end || end == optarg || v < 0) {
				fprintf(stderr, "pvkit-agent: bad -%c '%s'\n",
					c, optarg);
				return 2;
			}
			*(c == 'T' ? &sync_ms : &step_ms) = v;
			break;
		}
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pvkit-agent: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (bg && path && !strcmp(path, "-")) {
		fputs("pvkit-agent: -d and -p - do not mix\n", stderr);
		return 2;
	}
	if (logfile && !freopen(logfile, "a", stderr)) {
		perror(logfile);
		return 1;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (bg && daemonize() < 0) {
		perror("pvkit-agent: daemonize");
		return 1;
	}

	/* Signals arrive through a descriptor in the poll set; children
	 * get the default dispositions back before exec (exec.c). */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.sigfd < 0) {
		perror("pvkit-agent: signalfd");
		return 1;
	}

	d.ag.next_handle = FILE_HANDLE_FIRST;
	channel_init(&d.ch, path);
	framer_init(&d.fr, max_req);
	if (AGENT_IS_DRY_RUN)
		agent_log(&d.ag, 0,
			  "dry-run build: shutdown, set-time and fsfreeze "
			  "are not carried out");
	timesync_init(&d.ts, &d.ag, sync_ms, step_ms, now_ms());
	int rc = run(&d);

	if (d.ag.frozen)
		fs_thaw_all(&d.ag); /* never leave the guest frozen */
	file_close_all(&d.ag);
	exec_free_all(&d.ag);
	channel_close(&d.ch);
	framer_free(&d.fr);
	out_clear(&d.out);
	close(d.sigfd);
	return rc;
}
