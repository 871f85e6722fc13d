/*
 * virtio-net through the guest driver library on slirp's network (pvkit
 * --net user, QEMU -netdev user): ARP for 10.0.2.2, DHCP DISCOVER/OFFER
 * (slirp_probe.h).
 */
#include "runtime.h"
#include "slirp_probe.h"
#include "virtio/net.h"

static struct vnet net;

static int send(void *dev, const void *frame, uint32_t len)
{
	return vnet_send(dev, frame, len);
}

static int recv(void *dev, void *buf, uint32_t cap, uint64_t ticks)
{
	return vnet_recv(dev, buf, cap, ticks);
}

int main(void)
{
	if (vnet_init(&net)) {
		rt_fail("no virtio-net device");
		return rt_summary();
	}
	struct nic n = {&net, net.mac, send, recv};
	return probe_run(&n);
}
