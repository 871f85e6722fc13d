/*
 * virtio-console port 0 through the guest driver library: a line on the
 * UART, a line on port 0, a line on the UART. Both engines show port 0 on
 * the same stdout as the UART (pvkit: `--agent SOCK` brings the console
 * device, port 0 is an hvc on pvkit's stdout; QEMU: a virtconsole on the
 * serial's mux), so the output is the three lines in order.
 */
#include "runtime.h"
#include "virtio/console.h"

static struct vcons con;

int main(void)
{
	printf("uart: before\n");
	if (vcons_init(&con)) {
		rt_fail("no virtio-console device");
		return rt_summary();
	}
	static const char msg[] = "virtio-console port 0: hello\n";
	uint32_t n = vcons_write(&con, msg, sizeof(msg) - 1);
	printf("uart: after\n");
	rt_check("bytes written", n, sizeof(msg) - 1);
	return rt_summary();
}
