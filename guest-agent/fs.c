/*
 * guest-fsfreeze-status/freeze/thaw and guest-get-fsinfo.
 *
 * Like qemu-ga, the agent considers the mounted filesystems that sit on
 * a device (mountinfo's device major != 0; proc, sysfs, tmpfs and the
 * initramfs are skipped), freezes them with FIFREEZE in reverse mount
 * order (children before parents), counts those that do not support it
 * as not frozen, and undoes everything if one fails. While frozen, only
 * the freeze-safe commands run (dispatch.c). Thawing repeats FITHAW until
 * it fails, since freezes nest in the kernel.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

struct mnt {
	char dir[PATH_MAX];
	char type[64];
	unsigned maj, min;
};

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *o = s;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* Device-backed mounts in mount order; returns how many (up to max), or
 * -1 with errno if mountinfo cannot be read. */
static int list_mounts(struct mnt *m, int max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	char line[2 * PATH_MAX];
	int n = 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *save, *tok[8] = {0};
		int k = 0;
		for (char *t = strtok_r(line, " \n", &save); t && k < 8;
		     t = strtok_r(NULL, " \n", &save)) {
			/* fields 0-5 fixed, then optional ones up to "-",
			 * then fstype */
			if (k == 6 && strcmp(t, "-"))
				continue;
			tok[k++] = t;
		}
		if (k < 8)
			continue;
		unsigned maj, min;
		if (sscanf(tok[2], "%u:%u", &maj, &min) != 2 || maj == 0)
			continue;
		unescape(tok[4]);
		snprintf(m[n].dir, sizeof(m[n].dir), "%s", tok[4]);
		snprintf(m[n].type, sizeof(m[n].type), "%s", tok[7]);
		m[n].maj = maj;
		m[n].min = min;
		n++;
	}
	fclose(f);
	return n;
}

#define MAX_MOUNTS 256

static bool seen_before(const struct mnt *m, int i)
{
	for (int j = 0; j < i; j++)
		if (m[j].maj == m[i].maj && m[j].min == m[i].min)
			return true;
	return false;
}

json_t *cmd_fsfreeze_status(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)args, (void)e;
	return json_string(ag->frozen ? "frozen" : "thawed");
}

/* Thaws every device-backed mount; returns how many were frozen. */
static int thaw(struct agent *ag, struct agent_err *e)
{
	struct mnt *m = calloc(MAX_MOUNTS, sizeof(*m));
	int n = m ? list_mounts(m, MAX_MOUNTS) : -1;
	if (n < 0) {
		if (e)
			agent_error_errno(e, errno, "failed to list mounts");
		free(m);
		return -1;
	}
	int count = 0;
	for (int i = 0; i < n; i++) {
		if (seen_before(m, i))
			continue;
		if (AGENT_IS_DRY_RUN) {
			count += ag->frozen;
			continue;
		}
		int fd = open(m[i].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		bool thawed = false;
		while (ioctl(fd, FITHAW) == 0)
			thawed = true;
		count += thawed;
		close(fd);
	}
	free(m);
	ag->frozen = false;
	return count;
}

json_t *cmd_fsfreeze_freeze(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)args;
	struct mnt *m = calloc(MAX_MOUNTS, sizeof(*m));
	int n = m ? list_mounts(m, MAX_MOUNTS) : -1;
	if (n < 0) {
		agent_error_errno(e, errno, "failed to list mounts");
		free(m);
		return NULL;
	}
	/* frozen from here on, so a failure below thaws what was done */
	ag->frozen = true;
	int count = 0;
	for (int i = n - 1; i >= 0; i--) {
		if (seen_before(m, i))
			continue;
		if (AGENT_IS_DRY_RUN) {
			agent_log(ag, 0, "dry run: would freeze %s", m[i].dir);
			count++;
			continue;
		}
		int fd = open(m[i].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			agent_error_errno(e, errno, "failed to open %s",
					  m[i].dir);
			goto fail;
		}
		if (ioctl(fd, FIFREEZE) < 0) {
			int err = errno;
			close(fd);
			if (err == EOPNOTSUPP)
				continue; /* cannot be frozen: not counted */
			agent_error_errno(e, err, "failed to freeze %s",
					  m[i].dir);
			goto fail;
		}
		close(fd);
		count++;
	}
	free(m);
	agent_log(ag, 0, "froze %d filesystem(s)", count);
	return json_integer(count);
fail:
	free(m);
	thaw(ag, NULL);
	return NULL;
}

json_t *cmd_fsfreeze_thaw(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)args;
	int count = thaw(ag, e);
	if (count < 0)
		return NULL;
	agent_log(ag, 0, "thawed %d filesystem(s)", count);
	return json_integer(count);
}

void fs_thaw_all(struct agent *ag)
{
	thaw(ag, NULL);
}

/* Reads a one-line sysfs attribute into buf; false if absent or empty. */
static bool read_attr(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok && buf[0];
}

/* The disk behind a mount: its name (partition or disk) and a
 * GuestDiskAddress. pvkit's disks are virtio-mmio or platform IDE, not
 * PCI, so the PCI address is -1 throughout, as qemu-ga reports non-PCI
 * controllers. */
static json_t *disk_info(const struct mnt *m, json_t **name)
{
	char link[64], real[PATH_MAX], attr[PATH_MAX + 32], serial[128];
	json_t *disks = json_array();
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", m->maj, m->min);
	if (!realpath(link, real)) {
		*name = json_string("");
		return disks;
	}
	*name = json_str_lossy(strrchr(real, '/') + 1);
	snprintf(attr, sizeof(attr), "%s/partition", real);
	if (access(attr, F_OK) == 0)
		*strrchr(real, '/') = '\0'; /* the whole disk */
	const char *disk = strrchr(real, '/') + 1;
	const char *bus = strstr(real, "/virtio") ? "virtio"
			  : strstr(real, "/ata")  ? "ide"
						  : "unknown";
	char dev[300];
	snprintf(dev, sizeof(dev), "/dev/%s", disk);
	json_t *d =
		json_pack("{s:{s:i, s:i, s:i, s:i}, s:s, s:i, s:i, s:i, s:o}",
			  "pci-controller", "domain", -1, "bus", -1, "slot", -1,
			  "function", -1, "bus-type", bus, "bus", 0, "target",
			  0, "unit", 0, "dev", json_str_lossy(dev));
	snprintf(attr, sizeof(attr), "%s/serial", real);
	if (d && read_attr(attr, serial, sizeof(serial)))
		json_object_set_new(d, "serial", json_str_lossy(serial));
	if (d)
		json_array_append_new(disks, d);
	return disks;
}

json_t *cmd_get_fsinfo(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)args;
	struct mnt *m = calloc(MAX_MOUNTS, sizeof(*m));
	int n = m ? list_mounts(m, MAX_MOUNTS) : -1;
	if (n < 0) {
		agent_error_errno(e, errno, "failed to list mounts");
		free(m);
		return NULL;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *name = NULL;
		json_t *disks = disk_info(&m[i], &name);
		json_t *fs =
			json_pack("{s:o, s:o, s:s}", "name", name, "mountpoint",
				  json_str_lossy(m[i].dir), "type", m[i].type);
		struct statvfs sv;
		if (fs && statvfs(m[i].dir, &sv) == 0) {
			/* qemu-ga: total as seen by unprivileged users */
			unsigned long long used = sv.f_blocks - sv.f_bfree;
			json_object_set_new(
				fs, "used-bytes",
				json_integer((json_int_t)(used * sv.f_frsize)));
			json_object_set_new(
				fs, "total-bytes",
				json_integer((json_int_t)((used + sv.f_bavail) *
							  sv.f_frsize)));
			json_object_set_new(
				fs, "total-bytes-privileged",
				json_integer((json_int_t)(sv.f_blocks *
							  sv.f_frsize)));
		}
		if (fs) {
			json_object_set_new(fs, "disk", disks);
			json_array_append_new(list, fs);
		} else {
			json_decref(disks);
		}
	}
	free(m);
	return list;
}
