/*
 * The agent's commands about the machine as a whole: OS and host name,
 * the clock and time zone, load, memory blocks, and shutdown.
 *
 * qemu-ga shells out for some of these (`hwclock`, `shutdown`); a busybox
 * initramfs may have neither, and /init has its own idea of shutting
 * down, so the agent talks to the kernel directly: RTC ioctls on
 * /dev/rtc0 and reboot(2) after sync(2), which ends the VM the same way
 * /init's `poweroff -f` does.
 */
#include "agent.h"
#include "timesync.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define RTC_DEVICE "/dev/rtc0"

/* Value of KEY=VALUE in an os-release file, unquoted, or NULL. */
static char *os_release_value(char *line, const char *key)
{
	size_t k = strlen(key);
	if (strncmp(line, key, k) || line[k] != '=')
		return NULL;
	char *v = line + k + 1;
	v[strcspn(v, "\n")] = '\0';
	size_t n = strlen(v);
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		v++;
	}
	return v;
}

json_t *cmd_get_osinfo(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)args;
	struct utsname u;
	if (uname(&u) < 0) {
		agent_error_errno(e, errno, "uname failed");
		return NULL;
	}
	json_t *r = json_object();
	json_object_set_new(r, "kernel-release", json_str_lossy(u.release));
	json_object_set_new(r, "kernel-version", json_str_lossy(u.version));
	json_object_set_new(r, "machine", json_str_lossy(u.machine));

	/* os-release fields only when the guest has the file, as qemu-ga */
	static const char *const keys[][2] = {
		{"ID", "id"},
		{"NAME", "name"},
		{"PRETTY_NAME", "pretty-name"},
		{"VERSION", "version"},
		{"VERSION_ID", "version-id"},
		{"VARIANT", "variant"},
		{"VARIANT_ID", "variant-id"},
	};
	FILE *f = fopen("/etc/os-release", "re");
	if (!f)
		f = fopen("/usr/lib/os-release", "re");
	if (f) {
		char line[512];
		while (fgets(line, sizeof(line), f)) {
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]);
			     i++) {
				char *v = os_release_value(line, keys[i][0]);
				if (v)
					json_object_set_new(r, keys[i][1],
							    json_str_lossy(v));
			}
		}
		fclose(f);
	}
	return r;
}

json_t *cmd_get_host_name(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)args;
	char name[256];
	if (gethostname(name, sizeof(name)) < 0) {
		agent_error_errno(e, errno, "failed to get host name");
		return NULL;
	}
	name[sizeof(name) - 1] = '\0';
	return json_pack("{s:o}", "host-name", json_str_lossy(name));
}

json_t *cmd_get_time(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)args;
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0) {
		agent_error_errno(e, errno, "failed to get time");
		return NULL;
	}
	return json_integer((json_int_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/* Copies the system time to the RTC, or the RTC to the system time. A
 * guest without an RTC has nothing to keep in step: that is fine when a
 * time was given, an error when the time was to come from the RTC. */
static bool sync_rtc(bool to_rtc, struct agent_err *e)
{
	int fd = open(RTC_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (to_rtc && errno == ENOENT)
			return true;
		agent_error_errno(e, errno,
				  "cannot open the hardware clock " RTC_DEVICE);
		return false;
	}
	struct rtc_time rt;
	memset(&rt, 0, sizeof(rt));
	bool ok;
	if (to_rtc) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		rt.tm_sec = tm.tm_sec;
		rt.tm_min = tm.tm_min;
		rt.tm_hour = tm.tm_hour;
		rt.tm_mday = tm.tm_mday;
		rt.tm_mon = tm.tm_mon;
		rt.tm_year = tm.tm_year;
		ok = ioctl(fd, RTC_SET_TIME, &rt) == 0;
		if (!ok)
			agent_error_errno(e, errno,
					  "hwclock failed to set hardware "
					  "clock to system time");
	} else {
		ok = ioctl(fd, RTC_RD_TIME, &rt) == 0;
		if (!ok) {
			agent_error_errno(e, errno,
					  "failed to read the hardware clock");
		} else {
			struct tm tm = {.tm_sec = rt.tm_sec,
					.tm_min = rt.tm_min,
					.tm_hour = rt.tm_hour,
					.tm_mday = rt.tm_mday,
					.tm_mon = rt.tm_mon,
					.tm_year = rt.tm_year};
			struct timeval tv = {.tv_sec = timegm(&tm)};
			ok = settimeofday(&tv, NULL) == 0;
			if (!ok)
				agent_error_errno(
					e, errno,
					"Failed to set time to guest");
		}
	}
	close(fd);
	return ok;
}

json_t *cmd_set_time(struct agent *ag, json_t *args, struct agent_err *e)
{
	json_t *jt = json_object_get(args, "time");
	if (jt) {
		int64_t ns = json_integer_value(jt);
		time_t sec = (time_t)(ns / 1000000000);
		struct tm tm;
		/* qemu-ga accepts 1970 <= year < 2070 */
		if (ns < 0 || !gmtime_r(&sec, &tm) ||
		    tm.tm_year + 1900 >= 2070) {
			agent_error(e, "Invalid time");
			return NULL;
		}
		struct timeval tv = {.tv_sec = sec,
				     .tv_usec = (ns % 1000000000) / 1000};
		if (AGENT_IS_DRY_RUN) {
			agent_log(ag, 0, "dry run: would set the time to %lld",
				  (long long)sec);
			return json_object();
		}
		if (settimeofday(&tv, NULL) < 0) {
			agent_error_errno(e, errno,
					  "Failed to set time to guest");
			return NULL;
		}
	} else if (AGENT_IS_DRY_RUN) {
		agent_log(ag, 0, "dry run: would set the time from the RTC");
		return json_object();
	}
	/* the clock moved for the host: tell pvkit, whose disruption counter
	   tells every reader of the paravirtual clock to step, not slew */
	if (jt)
		timesync_clock_stepped();
	if (!sync_rtc(jt != NULL, e))
		return NULL;
	if (!jt)
		timesync_clock_stepped();
	return json_object();
}

json_t *cmd_get_timezone(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)args;
	time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm)) {
		agent_error_errno(e, errno, "failed to get the time zone");
		return NULL;
	}
	json_t *r = json_object();
	if (tm.tm_zone && *tm.tm_zone)
		json_object_set_new(r, "zone", json_str_lossy(tm.tm_zone));
	json_object_set_new(r, "offset", json_integer(tm.tm_gmtoff));
	return r;
}

json_t *cmd_get_load(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)args;
	double l[3];
	FILE *f = fopen("/proc/loadavg", "re");
	int n = f ? fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) : 0;
	if (f)
		fclose(f);
	if (n != 3) {
		agent_error(e, "cannot get load average");
		return NULL;
	}
	return json_pack("{s:f, s:f, s:f}", "load1", l[0], "load5", l[1],
			 "load15", l[2]);
}

json_t *cmd_memory_block_info(struct agent *ag, json_t *args,
			      struct agent_err *e)
{
	(void)ag, (void)args;
	/* exists only with CONFIG_MEMORY_HOTPLUG; qemu-ga's error wording */
	FILE *f = fopen("/sys/devices/system/memory/block_size_bytes", "re");
	if (!f) {
		agent_error_errno(e, errno,
				  "open(\"/sys/devices/system/memory/\")");
		return NULL;
	}
	unsigned long long size = 0;
	int n = fscanf(f, "%llx", &size);
	fclose(f);
	if (n != 1 || !size) {
		agent_error(e, "failed to read memory block size");
		return NULL;
	}
	return json_pack("{s:I}", "size", (json_int_t)size);
}

json_t *cmd_shutdown(struct agent *ag, json_t *args, struct agent_err *e)
{
	json_t *jm = json_object_get(args, "mode");
	const char *mode = jm ? json_string_value(jm) : "powerdown";
	int how;
	if (!strcmp(mode, "powerdown"))
		how = RB_POWER_OFF;
	else if (!strcmp(mode, "halt"))
		how = RB_HALT_SYSTEM;
	else if (!strcmp(mode, "reboot"))
		how = RB_AUTOBOOT;
	else {
		agent_error(e,
			    "Parameter 'mode' expects 'halt', 'powerdown' or "
			    "'reboot'");
		return NULL;
	}
	agent_log(ag, 0, "guest-shutdown: %s", mode);
	if (AGENT_IS_DRY_RUN)
		return NULL; /* success: qemu-ga sends no reply */
	sync();
	reboot(how);
	agent_error_errno(e, errno, "guest-shutdown %s failed", mode);
	return NULL;
}
