/*
 * Finding and opening the agent's channel.
 *
 * udev makes /dev/virtio-ports/<name> links for named virtio-console
 * ports; a busybox initramfs has no udev, only devtmpfs's /dev/vportNpM,
 * so without the link the port is found by the name the host gave it in
 * /sys/class/virtio-ports/vportNpM/name. A tty (pty, serial line) is put
 * in raw mode so no byte of the protocol (0xFF, newlines) is translated.
 */
#include "channel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void channel_init(struct channel *ch, const char *want)
{
	memset(ch, 0, sizeof(*ch));
	ch->want = want;
	ch->in_fd = ch->out_fd = -1;
}

bool channel_is_open(const struct channel *ch)
{
	return ch->in_fd >= 0;
}

/* Finds /dev/vportNpM whose sysfs name is AGENT_PORT_NAME. */
static int find_port(char *path, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	if (!d)
		return -1;
	struct dirent *de;
	int found = -1;
	while (found < 0 && (de = readdir(d))) {
		/* vportNpM: short, so the %.64s below never cuts */
		if (strncmp(de->d_name, "vport", 5) || strlen(de->d_name) > 64)
			continue;
		char namefile[300], name[128];
		snprintf(namefile, sizeof(namefile),
			 "/sys/class/virtio-ports/%.64s/name", de->d_name);
		FILE *f = fopen(namefile, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			if (!strcmp(name, AGENT_PORT_NAME)) {
				snprintf(path, len, "/dev/%.64s", de->d_name);
				found = 0;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static void set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int channel_open(struct channel *ch, char *why, size_t whylen)
{
	if (ch->want && !strcmp(ch->want, "-")) {
		ch->stdio = true;
		ch->in_fd = STDIN_FILENO;
		ch->out_fd = STDOUT_FILENO;
		set_flags(ch->in_fd);
		set_flags(ch->out_fd);
		snprintf(ch->path, sizeof(ch->path), "stdin/stdout");
		return 0;
	}
	if (ch->want) {
		snprintf(ch->path, sizeof(ch->path), "%s", ch->want);
	} else if (access(AGENT_PORT_PATH, F_OK) == 0) {
		snprintf(ch->path, sizeof(ch->path), "%s", AGENT_PORT_PATH);
	} else if (find_port(ch->path, sizeof(ch->path)) < 0) {
		snprintf(why, whylen,
			 "no virtio-console port named %s (neither %s nor "
			 "/sys/class/virtio-ports/*/name)",
			 AGENT_PORT_NAME, AGENT_PORT_PATH);
		return -1;
	}
	int fd = open(ch->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", ch->path,
			 strerror(errno));
		return -1;
	}
	if (isatty(fd)) {
		struct termios t;
		if (tcgetattr(fd, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(fd, TCSANOW, &t);
		}
	}
	ch->in_fd = ch->out_fd = fd;
	return 0;
}

void channel_close(struct channel *ch)
{
	if (!ch->stdio && ch->in_fd >= 0)
		close(ch->in_fd);
	ch->in_fd = ch->out_fd = -1;
}
