/*
 * pvkit: the command-line entry point. Dispatches to the subcommands;
 * each owns its options and returns pvkit's exit status.
 */
#include "agent_client.h"
#include "cli.h"
#include "fs/hostfs.h"
#include "img.h"
#include "net/net.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: pvkit run --kernel FILE [--initrd FILE] [--append STR] "
	"[--mem 512M] [--bios FILE] [--cpu-mhz N] [--icount]\n"
	"                 [--time-sync on|off]\n"
	"       pvkit bench [cpu|boot|disk|net|fs|console|time|all] [--quick]\n"
	"                   [--json FILE] [--plot FILE]\n"
	"       pvkit agent SOCK COMMAND [key=value ...] [--json]\n"
	"       pvkit ctl SOCK COMMAND [key=value ...] [--json]\n"
	"       pvkit img create [-f raw|qcow2] [-b BACKING [-F fmt]] FILE "
	"[SIZE]\n"
	"       pvkit img info FILE\n"
	"       pvkit img convert [-f fmt] [-O raw|qcow2] IN OUT\n"
	"       pvkit hostfs-mount DIR MOUNTPOINT "
	"[ro,xattr,uid=G:H,gid=G:H,timeout=S]\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "img"))
		return cmd_img(argc - 2, argv + 2);
	if (!strcmp(cmd, "agent"))
		return cmd_agent(argc - 2, argv + 2);
	if (!strcmp(cmd, "ctl"))
		return cmd_ctl(argc - 2, argv + 2);
	if (!strcmp(cmd, "hostfs-mount"))
		return hostfs_mount_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "bench"))
		return cmd_bench(argc - 2, argv + 2);
	if (!strcmp(cmd, "net-relay")) /* internal: guestfwd to tcp: */
		return net_relay_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	return cli_error("unknown subcommand '%s' (see pvkit --help)", cmd);
}
