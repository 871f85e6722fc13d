/*
 * The OpenCores Ethernet MAC (pvkit's emulated twin of virtio-net)
 * through the bare-metal ethoc driver on slirp's network (pvkit --net
 * user,model=ethoc): ARP for 10.0.2.2, DHCP DISCOVER/OFFER
 * (slirp_probe.h). QEMU's virt machine has no such device.
 */
#include "ethoc/ethoc.h"
#include "runtime.h"
#include "slirp_probe.h"

static struct ethoc_nic nic;

static int send(void *dev, const void *frame, uint32_t len)
{
	return ethoc_send(dev, frame, len);
}

static int recv(void *dev, void *buf, uint32_t cap, uint64_t ticks)
{
	return ethoc_recv(dev, buf, cap, ticks);
}

int main(void)
{
	if (ethoc_init(&nic)) {
		rt_fail("no OpenCores Ethernet MAC");
		return rt_summary();
	}
	struct nic n = {&nic, nic.mac, send, recv};
	return probe_run(&n);
}
