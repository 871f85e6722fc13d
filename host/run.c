/*
 * `pvkit run`: parses the command line DESIGN.md fixes, builds the
 * machine, wires the host back ends into it and runs it. The guest's exit
 * status becomes pvkit's.
 */
#include "cli.h"
#include "console.h"
#include "control.h"
#include "event_loop.h"

#include "emulator/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run_options {
	struct machine_config mc;
	bool time_sync, time_sync_set;
	const char *control_path;
};

/* "512M", "2G", "65536K"; a plain number means MiB, as in QEMU. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s)
		return -1;
	uint64_t mul = 1ull << 20;
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10, end++;
	else if (*end == 'M' || *end == 'm')
		end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1ull << 30, end++;
	if (*end || v == 0 || v > (64ull << 30) / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static const char *const not_yet[] = {
	"--disk", "--net", "--pcap", "--share", "--agent",
};
static const char *const not_yet_flags[] = {"--balloon", "--rng"};

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

		bool is_flag = !strcmp(name, "--icount");
		for (size_t f = 0; f < sizeof(not_yet_flags) / sizeof(char *); f++)
			is_flag |= !strcmp(name, not_yet_flags[f]);
		if (is_flag) {
			if (eq)
				return cli_error("run: %s takes no value", name);
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
			if (parse_size(val, &o->mc.ram_size))
				return cli_error("run: --mem '%s' is not a size "
						 "like 512M or 2G", val);
		} else if (!strcmp(name, "--cpu-mhz")) {
			char *end;
			unsigned long mhz = strtoul(val, &end, 10);
			if (*end || mhz == 0 || mhz > 100000)
				return cli_error("run: --cpu-mhz '%s' is not a "
						 "number of MHz", val);
			o->mc.cpu_hz = (uint64_t)mhz * 1000000;
		} else if (!strcmp(name, "--control")) {
			o->control_path = val;
		} else if (!strcmp(name, "--icount")) {
			o->mc.icount = true;
		} else if (!strcmp(name, "--time-sync")) {
			if (strcmp(val, "on") && strcmp(val, "off"))
				return cli_error("run: --time-sync takes on "
						 "or off, not '%s'", val);
			o->time_sync = !strcmp(val, "on");
			o->time_sync_set = true;
		} else {
			bool planned = is_flag;
			for (size_t f = 0; f < sizeof(not_yet) / sizeof(char *); f++)
				planned |= !strcmp(name, not_yet[f]);
			if (planned)
				return cli_error("run: %s is not available in "
						 "this build yet", name);
			return cli_error("run: unknown option '%s'", name);
		}
	}
	if (!o->mc.kernel)
		return cli_error("run: --kernel FILE is required");
	if (o->mc.icount && !o->time_sync_set)
		o->time_sync = false;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o;
	if (parse(argc, argv, &o))
		return 2;
	struct machine *m = malloc(sizeof(*m));
	if (!m)
		return cli_error("run: out of memory"), 1;
	char err[512];
	if (machine_init(m, &o.mc, err, sizeof(err))) {
		free(m);
		cli_error("run: %s", err);
		return 2;
	}
	struct event_loop loop;
	struct console con;
	event_loop_init(&loop);
	if (console_open(&con, m, &loop)) {
		machine_free(m);
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
		free(m);
		return cli_error("run: %s", err);
	}
	int status = machine_run(m);
	if (o.control_path) {
		control_event(&ctl, "SHUTDOWN",
			      json_pack("{s:b,s:s}", "guest", 1, "reason",
					"guest-shutdown"));
		control_close(&ctl);
	}
	console_close(&con);
	machine_free(m);
	free(m);
	return status;
}
