/*
 * libFuzzer harness over the split virtqueue's chain parser (virtq_pop):
 * the descriptor table, available ring and indirect tables come from the
 * input. Every chain popped must lie inside guest RAM and stay within the
 * queue size; a malformed one must break the device, never crash it.
 *
 * Input: [num selector][feature bits][RAM image from offset 0 ...]
 *   num = 1 << (selector % 9); feature bit 0 = INDIRECT_DESC,
 *   bit 1 = EVENT_IDX. Queue 0's descriptor table is at RAM offset 0
 *   (guest address 0x80000000), its available ring right after it.
 */
#include <stdint.h>

#include "tests/fuzz/fuzz_rig.h"

static void nop_notify(struct virtio_dev *d, unsigned q)
{
	(void)d;
	(void)q;
}

static void nop_irq(void *opaque, bool level)
{
	(void)opaque;
	(void)level;
}

static const struct virtio_dev_ops ops = {
	.name = "virtio-fuzz",
	.device_id = 42,
	.num_queues = 1,
	.queue_size = VIRTQ_MAX_NUM,
	.queue_notify = nop_notify,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	uint16_t num = (uint16_t)(1u << (fz_u8(&in) % 9));
	uint8_t fbits = fz_u8(&in);
	uint64_t want = 0;
	if (fbits & 1)
		want |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (fbits & 2)
		want |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	want |= VIRTIO_BIT(VIRTIO_F_VERSION_1);

	struct bus bus;
	fz_bus_init(&bus, &in);
	static struct virtio_dev d;
	static struct virtq_chain c;
	virtio_dev_init(&d, &ops, NULL);
	d.bus = &bus;
	d.set_irq = nop_irq;
	fz_queues(&d, 1, num, want);

	for (int k = 0; k < 2 * VIRTQ_MAX_NUM; k++) {
		bool has = virtq_has_avail(&d, 0);
		int r = virtq_pop(&d, 0, &c);
		if (r <= 0) {
			FZ_CHECK(r == 0 || virtio_dev_broken(&d));
			FZ_CHECK(r != 0 || !has);
			break;
		}
		FZ_CHECK(c.head < num);
		FZ_CHECK(c.nout + c.nin <= num);
		size_t out = 0, in_len = 0;
		for (unsigned i = 0; i < c.nout + c.nin; i++) {
			FZ_CHECK(fz_in_ram(&bus, &c.iov[i]));
			FZ_CHECK(c.iov[i].iov_len > 0);
			if (i < c.nout)
				out += c.iov[i].iov_len;
			else
				in_len += c.iov[i].iov_len;
		}
		FZ_CHECK(out == c.out_len && in_len == c.in_len);
		FZ_CHECK(c.in_len <= UINT32_MAX && c.out_len <= UINT32_MAX);
		/* the device reads what it may read and fills what it may
		   write, as a device model would */
		volatile uint8_t sink = 0;
		for (unsigned i = 0; i < c.nout; i++)
			sink ^= ((uint8_t *)c.iov[i]
					 .iov_base)[c.iov[i].iov_len - 1];
		(void)sink;
		for (unsigned i = c.nout; i < c.nout + c.nin; i++)
			memset(c.iov[i].iov_base, 0xa5, c.iov[i].iov_len);
		virtq_push(&d, 0, c.head, (uint32_t)c.in_len);
		if (k & 1)
			virtq_notify_guest(&d, 0);
	}
	virtq_notify_guest(&d, 0);
	fz_bus_free(&bus);
	return 0;
}
