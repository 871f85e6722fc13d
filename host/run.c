/*
 * `pvkit run`: parses the command line DESIGN.md fixes, builds the
 * machine, wires the host back ends into it and runs it. The guest's exit
 * status becomes pvkit's.
 */
#include "cli.h"
#include "console.h"
#include "control.h"
#include "event_loop.h"
#include "host/net/net.h"
#include "virtio_devices.h"

#include "emulator/devices/ethoc.h"

#include "emulator/machine.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* virtio-net devices plus the one ethoc */
#define RUN_MAX_NICS (VIRTIO_NET_MAX + 1)

struct run_options {
	struct machine_config mc;
	bool time_sync, time_sync_set;
	const char *control_path;
	struct virtio_options vio;
	/* every --net, in order: NIC k; the global --pcap goes with a lone
	   --net (with several, each takes pcap=FILE) */
	const char *net_spec[RUN_MAX_NICS];
	int nnets;
	const char *pcap_path;
};

/* The VM's NICs' back ends, closed together after their front ends. */
struct run_nets {
	struct net_backend *be[RUN_MAX_NICS];
	int n;
};

static void close_nets(struct run_nets *nets)
{
	for (int k = 0; k < nets->n; k++)
		net_backend_close(nets->be[k]);
	nets->n = 0;
}

/* options that take no value */
static const char *const flags[] = {"--icount", "--rng"};

/* --disk FILE[,format=raw|qcow2][,if=virtio|ide][,ro] */
static int parse_disk(const char *val, struct virtio_options *v)
{
	char buf[sizeof(v->disk[0].path)];
	if (strlen(val) >= sizeof(buf) || !*val || *val == ',')
		return cli_error("run: --disk '%s' needs a file name", val);
	if (v->ndisks == VIRTIO_SLOTS)
		return cli_error("run: at most %d --disk", VIRTIO_SLOTS);
	strcpy(buf, val);
	struct disk_option *d = &v->disk[v->ndisks];
	memset(d, 0, sizeof(*d));
	char *save, *tok = strtok_r(buf, ",", &save);
	strcpy(d->path, tok); /* the file name: the text before a comma */
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "ro")) {
			d->read_only = true;
		} else if (!strncmp(tok, "format=", 7)) {
			if (image_format_parse(tok + 7, &d->format))
				return cli_error("run: --disk format '%s' is "
						 "not raw or qcow2",
						 tok + 7);
		} else if (!strcmp(tok, "if=ide")) {
			for (int k = 0; k < v->ndisks; k++)
				if (v->disk[k].ide)
					return cli_error("run: only one --disk "
							 "can be if=ide");
			d->ide = true;
		} else if (strcmp(tok, "if=virtio")) {
			return cli_error(
				"run: --disk: unknown option '%s' "
				"(format=raw|qcow2, if=virtio|ide, ro)",
				tok);
		}
	}
	v->ndisks++;
	return 0;
}

/* The default tag of a share: the folder's own name, or "host" when it
   has none that fits (the root, a name longer than a tag). */
static void default_tag(const char *path, char *tag, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!*base || strlen(base) >= len)
		base = "host";
	snprintf(tag, len, "%s", base);
}

/* --share DIR[,tag=NAME][,ro] */
static int parse_share(const char *val, struct virtio_options *v)
{
	char buf[sizeof(v->share[0].path)];
	if (strlen(val) >= sizeof(buf) || !*val || *val == ',')
		return cli_error("run: --share '%s' needs a folder", val);
	if (v->nshares == VIRTIO_SLOTS)
		return cli_error("run: at most %d --share", VIRTIO_SLOTS);
	strcpy(buf, val);
	struct share_option *sh = &v->share[v->nshares];
	memset(sh, 0, sizeof(*sh));
	char *save, *tok = strtok_r(buf, ",", &save);
	struct stat st;
	if (stat(tok, &st) || !S_ISDIR(st.st_mode))
		return cli_error("run: --share: '%s' is not a folder", tok);
	if (!realpath(tok, sh->path))
		return cli_error("run: --share: cannot resolve '%s'", tok);
	default_tag(sh->path, sh->tag, sizeof(sh->tag));
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "ro")) {
			sh->read_only = true;
		} else if (!strncmp(tok, "tag=", 4)) {
			size_t n = strlen(tok + 4);
			if (n == 0 || n >= sizeof(sh->tag))
				return cli_error("run: --share tag '%s' must "
						 "be 1 to %zu bytes",
						 tok + 4, sizeof(sh->tag) - 1);
			strcpy(sh->tag, tok + 4);
		} else {
			return cli_error("run: --share: unknown option '%s' "
					 "(tag=NAME, ro)",
					 tok);
		}
	}
	for (int k = 0; k < v->nshares; k++)
		if (!strcmp(v->share[k].tag, sh->tag))
			return cli_error("run: --share: tag '%s' is used "
					 "twice",
					 sh->tag);
	v->nshares++;
	return 0;
}

/* --balloon[=free-page-reporting=off,deflate-on-oom=off,stats=off]:
   QEMU's virtio-balloon properties, all on by default here. */
static int parse_balloon(const char *val, struct virtio_options *v)
{
	v->balloon = true;
	if (!val)
		return 0;
	char buf[256];
	if (strlen(val) >= sizeof(buf))
		return cli_error("run: --balloon options too long");
	strcpy(buf, val);
	char *save;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		bool *flag = NULL;
		const char *eq = strchr(t, '=');
		size_t n = eq ? (size_t)(eq - t) : strlen(t);
		if (!strncmp(t, "free-page-reporting", n) && n == 19)
			flag = &v->balloon_no_reporting;
		else if (!strncmp(t, "deflate-on-oom", n) && n == 14)
			flag = &v->balloon_no_oom;
		else if (!strncmp(t, "stats", n) && n == 5)
			flag = &v->balloon_no_stats;
		if (!flag || !eq ||
		    (strcmp(eq + 1, "on") && strcmp(eq + 1, "off")))
			return cli_error("run: --balloon: bad option '%s' "
					 "(free-page-reporting|deflate-on-oom|"
					 "stats=on|off)",
					 t);
		*flag = !strcmp(eq + 1, "off");
	}
	return 0;
}

static int parse(int argc, char **argv, struct run_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mc.ram_size = 512ull << 20;
	o->time_sync = true;
	for (int k = 0; k < argc; k++) {
		const char *arg = argv[k], *val = NULL;
		char name[32];
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		if (strncmp(arg, "--", 2) != 0 || len >= sizeof(name))
			return cli_error("run: unexpected argument '%s'", arg);
		memcpy(name, arg, len);
		name[len] = 0;

		bool is_flag = false;
		for (size_t f = 0; f < sizeof(flags) / sizeof(char *); f++)
			is_flag |= !strcmp(name, flags[f]);
		if (!strcmp(name, "--balloon")) {
			/* a flag, with QEMU-style properties after '=' */
			if (parse_balloon(eq ? eq + 1 : NULL, &o->vio))
				return -1;
			continue;
		}
		if (is_flag) {
			if (eq)
				return cli_error("run: %s takes no value",
						 name);
		} else if (eq) {
			val = eq + 1;
		} else if (k + 1 < argc) {
			val = argv[++k];
		} else {
			return cli_error("run: %s needs a value", name);
		}

		if (!strcmp(name, "--kernel"))
			o->mc.kernel = val;
		else if (!strcmp(name, "--initrd"))
			o->mc.initrd = val;
		else if (!strcmp(name, "--append"))
			o->mc.append = val;
		else if (!strcmp(name, "--bios"))
			o->mc.bios = val;
		else if (!strcmp(name, "--mem")) {
			/* a bare number means MiB, as in QEMU */
			if (cli_parse_size(val, 20, &o->mc.ram_size) ||
			    o->mc.ram_size == 0 ||
			    o->mc.ram_size > (64ull << 30))
				return cli_error(
					"run: --mem '%s' is not a size "
					"like 512M or 2G",
					val);
		} else if (!strcmp(name, "--cpu-mhz")) {
			char *end;
			unsigned long mhz = strtoul(val, &end, 10);
			if (*end || mhz == 0 || mhz > 100000)
				return cli_error("run: --cpu-mhz '%s' is not a "
						 "number of MHz",
						 val);
			o->mc.cpu_hz = (uint64_t)mhz * 1000000;
		} else if (!strcmp(name, "--control")) {
			o->control_path = val;
		} else if (!strcmp(name, "--icount")) {
			o->mc.icount = true;
		} else if (!strcmp(name, "--rng")) {
			o->vio.rng = true;
		} else if (!strcmp(name, "--disk")) {
			if (parse_disk(val, &o->vio))
				return -1;
		} else if (!strcmp(name, "--share")) {
			if (parse_share(val, &o->vio))
				return -1;
		} else if (!strcmp(name, "--net")) {
			if (o->nnets == RUN_MAX_NICS)
				return cli_error("run: at most %d --net",
						 RUN_MAX_NICS);
			o->net_spec[o->nnets++] = val;
		} else if (!strcmp(name, "--pcap")) {
			o->pcap_path = val;
		} else if (!strcmp(name, "--agent")) {
			o->vio.agent = val;
		} else if (!strcmp(name, "--time-sync")) {
			if (strcmp(val, "on") && strcmp(val, "off"))
				return cli_error("run: --time-sync takes on "
						 "or off, not '%s'",
						 val);
			o->time_sync = !strcmp(val, "on");
			o->time_sync_set = true;
		} else {
			return cli_error("run: unknown option '%s'", name);
		}
	}
	for (int k = 0; k < o->vio.ndisks; k++)
		o->mc.ide |= o->vio.disk[k].ide;
	if (!o->mc.kernel)
		return cli_error("run: --kernel FILE is required");
	if (o->pcap_path && !o->nnets)
		return cli_error("run: --pcap needs --net");
	if (o->pcap_path && o->nnets > 1)
		return cli_error("run: --pcap records one --net; with several, "
				 "give each its own pcap=FILE");
	o->mc.time_sync =
		o->mc.icount && !o->time_sync_set ? false : o->time_sync;
	return 0;
}

/* The guest resized its balloon: QMP's BALLOON_CHANGE. */
static void balloon_changed(void *opaque, uint64_t guest_bytes)
{
	control_event(opaque, "BALLOON_CHANGE",
		      json_pack("{s:I}", "actual", (json_int_t)guest_bytes));
}

static void ethoc_link(void *opaque, bool up)
{
	ethoc_set_link(opaque, up);
}

/* Every --net [--pcap]: the back ends, before the machine (whose device
   tree needs to know the NICs and their MACs). */
static int open_nets(struct run_options *o, struct event_loop *loop,
		     struct run_nets *nets)
{
	char err[512];
	nets->n = 0;
	for (int k = 0; k < o->nnets; k++) {
		enum net_model model;
		struct net_backend *nb =
			net_backend_open_nic(o->net_spec[k], (unsigned)k, loop,
					     &model, err, sizeof(err));
		if (nb && o->pcap_path)
			nb = net_pcap_open(nb, o->pcap_path, err, sizeof(err));
		if (!nb) {
			close_nets(nets);
			return cli_error("run: %s", err);
		}
		nets->be[nets->n++] = nb;
		for (int j = 0; j < k; j++)
			if (!memcmp(nets->be[j]->mac, nb->mac, 6)) {
				close_nets(nets);
				return cli_error("run: --net %d and --net %d "
						 "have the same MAC",
						 j + 1, k + 1);
			}
		if (model == NET_MODEL_ETHOC && o->mc.ethoc_net) {
			close_nets(nets);
			return cli_error("run: only one --net can be "
					 "model=ethoc");
		}
		if (model == NET_MODEL_ETHOC) {
			o->mc.ethoc_net = nb;
		} else if (o->vio.nnets == VIRTIO_NET_MAX) {
			close_nets(nets);
			return cli_error("run: at most %d --net with "
					 "model=virtio",
					 VIRTIO_NET_MAX);
		} else {
			o->vio.net[o->vio.nnets++] = nb; /* with the others */
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o;
	if (parse(argc, argv, &o))
		return 2;
	struct event_loop loop;
	struct run_nets nets;
	event_loop_init(&loop);
	if (open_nets(&o, &loop, &nets))
		return 2;
	struct machine *m = malloc(sizeof(*m));
	if (!m) {
		close_nets(&nets);
		return cli_error("run: out of memory"), 1;
	}
	char err[512];
	if (machine_init(m, &o.mc, err, sizeof(err))) {
		free(m);
		close_nets(&nets);
		cli_error("run: %s", err);
		return 2;
	}
	if (m->ethoc)
		net_backend_set_link_notify(o.mc.ethoc_net, ethoc_link,
					    m->ethoc);
	struct console con;
	if (console_open(&con, m, &loop)) {
		machine_free(m);
		close_nets(&nets);
		free(m);
		return cli_error("run: cannot watch the console");
	}
	m->host_poll = event_loop_poll;
	m->host_opaque = &loop;
	struct control ctl = {.listen_fd = -1};
	if (o.control_path &&
	    control_open(&ctl, o.control_path, m, &loop, err, sizeof(err))) {
		console_close(&con);
		machine_free(m);
		close_nets(&nets);
		free(m);
		return cli_error("run: %s", err);
	}
	struct virtio_devices *vdev = malloc(sizeof(*vdev));
	err[0] = 0;
	if (!vdev ||
	    virtio_devices_create(vdev, &o.vio, m, &loop, err, sizeof(err))) {
		if (o.control_path)
			control_close(&ctl);
		console_close(&con);
		machine_free(m);
		if (vdev)
			virtio_devices_free(vdev);
		close_nets(&nets); /* after its front end is gone */
		free(vdev);
		free(m);
		return cli_error("run: %s", vdev ? err : "out of memory");
	}
	if (o.control_path) {
		vdev->balloon_changed = balloon_changed;
		vdev->balloon_opaque = &ctl;
		ctl.devices = vdev;
	}
	int status = machine_run(m);
	if (o.control_path) {
		control_event(&ctl, "SHUTDOWN",
			      json_pack("{s:b,s:s}", "guest", 1, "reason",
					"guest-shutdown"));
		control_close(&ctl);
	}
	console_close(&con);
	virtio_devices_quiesce(vdev); /* no worker writes to RAM any more */
	machine_free(m);
	virtio_devices_free(vdev);
	close_nets(&nets); /* after its front end is gone */
	free(vdev);
	free(m);
	return status;
}
