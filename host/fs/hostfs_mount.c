/*
 * `pvkit hostfs-mount DIR MOUNTPOINT [OPTIONS]`: serves one folder on the
 * host through /dev/fuse with libfuse's multithreaded loop, until the
 * mount goes away (fusermount3 -u, umount) or SIGINT/SIGTERM/SIGHUP ends
 * the loop, and then unmounts. The way hostfs is tested without a guest.
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "host/cli.h"
#include "hostfs_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: pvkit hostfs-mount DIR MOUNTPOINT "
	"[ro,xattr,uid=GUEST:HOST,gid=GUEST:HOST,timeout=SECONDS]";

/* "G:H" as two ids. */
static bool parse_id_pair(const char *s, unsigned *guest, unsigned *host)
{
	char *end;
	errno = 0;
	unsigned long g = strtoul(s, &end, 10);
	if (end == s || *end != ':' || errno || g >= (unsigned)-1)
		return false;
	const char *h_str = end + 1;
	unsigned long h = strtoul(h_str, &end, 10);
	if (end == h_str || *end || errno || h >= (unsigned)-1 || *s == '-' ||
	    *h_str == '-')
		return false;
	*guest = g;
	*host = h;
	return true;
}

static int parse_options(char *list, struct hostfs_options *o)
{
	for (char *save, *opt = strtok_r(list, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		unsigned g, h;
		if (!strcmp(opt, "ro")) {
			o->read_only = true;
		} else if (!strcmp(opt, "xattr")) {
			o->xattr = true;
		} else if (!strncmp(opt, "uid=", 4)) {
			if (!parse_id_pair(opt + 4, &g, &h))
				return cli_error("hostfs-mount: bad uid "
						 "mapping '%s' (want "
						 "uid=GUEST:HOST)",
						 opt);
			o->map_guest_uid = g;
			o->map_host_uid = h;
		} else if (!strncmp(opt, "gid=", 4)) {
			if (!parse_id_pair(opt + 4, &g, &h))
				return cli_error("hostfs-mount: bad gid "
						 "mapping '%s' (want "
						 "gid=GUEST:HOST)",
						 opt);
			o->map_guest_gid = g;
			o->map_host_gid = h;
		} else if (!strncmp(opt, "timeout=", 8)) {
			char *end;
			double t = strtod(opt + 8, &end);
			if (end == opt + 8 || *end || !(t >= 0 && t <= 86400))
				return cli_error("hostfs-mount: bad timeout "
						 "'%s' (seconds, 0 to 86400)",
						 opt + 8);
			o->attr_timeout = o->entry_timeout = t;
		} else {
			return cli_error("hostfs-mount: unknown option '%s' "
					 "(%s)",
					 opt, usage + 7);
		}
	}
	return 0;
}

/* Mounts and serves until the loop ends. */
static int serve(struct hostfs *fs, const char *mountpoint)
{
	/* default_permissions: the mounting kernel checks access against
	   the attributes hostfs shows, as the virtio-fs guest driver does;
	   with that, other users may use the mount (root may allow it). */
	char *argv[] = {"pvkit-hostfs", "-o",
			geteuid() == 0 ? "default_permissions,allow_other,"
					 "fsname=pvkit-hostfs,subtype=hostfs"
				       : "default_permissions,"
					 "fsname=pvkit-hostfs,subtype=hostfs",
			NULL};
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_session *se = fuse_session_new(
		&args, hostfs_ops(), sizeof(struct fuse_lowlevel_ops), fs);
	if (!se) {
		fprintf(stderr, "pvkit: hostfs-mount: cannot start a FUSE "
				"session\n");
		return 1;
	}
	int status = 1;
	if (fuse_set_signal_handlers(se)) {
		fprintf(stderr, "pvkit: hostfs-mount: cannot set signal "
				"handlers\n");
	} else {
		if (fuse_session_mount(se, mountpoint)) {
			fprintf(stderr,
				"pvkit: hostfs-mount: cannot mount on %s\n",
				mountpoint);
		} else {
			struct fuse_loop_config cfg = {
				.clone_fd = 0,
				.max_idle_threads = 8,
			};
			/* Negative: an error; positive: the signal that
			   ended it, which is a clean stop. */
			status = fuse_session_loop_mt(se, &cfg) < 0 ? 1 : 0;
			fuse_session_unmount(se);
		}
		fuse_remove_signal_handlers(se);
	}
	fuse_session_destroy(se);
	return status;
}

int hostfs_mount_main(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		return cli_error("hostfs-mount: want a folder and a mount "
				 "point (%s)",
				 usage + 7);
	struct hostfs_options o;
	hostfs_default_options(&o, argv[0]);
	char *list = NULL;
	if (argc == 3) {
		list = strdup(argv[2]);
		if (!list)
			return 1;
		int err = parse_options(list, &o);
		free(list);
		if (err)
			return err;
	}
	struct stat st;
	if (stat(argv[1], &st) || !S_ISDIR(st.st_mode))
		return cli_error("hostfs-mount: mount point %s is not a "
				 "directory",
				 argv[1]);
	/* Every node id the kernel holds pins one fd: take all we may. */
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	char err[256];
	struct hostfs *fs = hostfs_open(&o, err, sizeof(err));
	if (!fs)
		return cli_error("hostfs-mount: %s", err);
	int status = serve(fs, argv[1]);
	hostfs_close(fs);
	return status;
}
