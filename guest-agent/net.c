/*
 * guest-network-get-interfaces: every interface getifaddrs(3) knows, in
 * its order, with qemu-ga's fields: name, hardware-address (from sysfs,
 * which needs no socket ioctl), ip-addresses (type, address, prefix
 * length) and statistics (sysfs counters, qemu-ga's key names).
 */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int prefix_len(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t n;
	if (!mask)
		return 0;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)
			    ->sin_addr;
		n = 4;
	} else if (mask->sa_family == AF_INET6) {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)mask)
			    ->sin6_addr;
		n = 16;
	} else {
		return 0;
	}
	int bits = 0;
	for (size_t i = 0; i < n; i++)
		bits += __builtin_popcount(b[i]);
	return bits;
}

static json_t *find_iface(json_t *list, const char *name)
{
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it)
	{
		if (!strcmp(json_string_value(json_object_get(it, "name")),
			    name))
			return it;
	}
	return NULL;
}

static bool sysfs_read(const char *ifname, const char *attr, char *buf,
		       size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static json_t *new_iface(const char *name)
{
	json_t *it = json_pack("{s:o}", "name", json_str_lossy(name));
	char buf[64];
	if (sysfs_read(name, "address", buf, sizeof(buf)) && buf[0])
		json_object_set_new(it, "hardware-address", json_string(buf));
	json_object_set_new(it, "ip-addresses", json_array());

	static const char *const stats[][2] = {
		{"rx_bytes", "rx-bytes"}, {"rx_packets", "rx-packets"},
		{"rx_errors", "rx-errs"}, {"rx_dropped", "rx-dropped"},
		{"tx_bytes", "tx-bytes"}, {"tx_packets", "tx-packets"},
		{"tx_errors", "tx-errs"}, {"tx_dropped", "tx-dropped"},
	};
	json_t *st = json_object();
	for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		char attr[64];
		unsigned long long v;
		snprintf(attr, sizeof(attr), "statistics/%s", stats[i][0]);
		if (sysfs_read(name, attr, buf, sizeof(buf)) &&
		    sscanf(buf, "%llu", &v) == 1)
			json_object_set_new(st, stats[i][1],
					    json_integer((json_int_t)v));
	}
	if (json_object_size(st))
		json_object_set_new(it, "statistics", st);
	else
		json_decref(st);
	return it;
}

json_t *cmd_network_get_interfaces(struct agent *ag, json_t *args,
				   struct agent_err *e)
{
	(void)ag, (void)args;
	struct ifaddrs *ifa;
	if (getifaddrs(&ifa) < 0) {
		agent_error_errno(e, errno, "getifaddrs failed");
		return NULL;
	}
	json_t *list = json_array();
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		if (!p->ifa_name)
			continue;
		json_t *it = find_iface(list, p->ifa_name);
		if (!it) {
			it = new_iface(p->ifa_name);
			json_array_append_new(list, it);
		}
		int fam = p->ifa_addr ? p->ifa_addr->sa_family : AF_UNSPEC;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		char addr[INET6_ADDRSTRLEN];
		const void *src =
			fam == AF_INET
				? (const void *)&(
					  (struct sockaddr_in *)p->ifa_addr)
					  ->sin_addr
				: (const void *)&(
					  (struct sockaddr_in6 *)p->ifa_addr)
					  ->sin6_addr;
		if (!inet_ntop(fam, src, addr, sizeof(addr)))
			continue;
		json_array_append_new(
			json_object_get(it, "ip-addresses"),
			json_pack("{s:s, s:s, s:i}", "ip-address-type",
				  fam == AF_INET ? "ipv4" : "ipv6",
				  "ip-address", addr, "prefix",
				  prefix_len(p->ifa_netmask)));
	}
	freeifaddrs(ifa);
	return list;
}
