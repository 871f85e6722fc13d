/*
 * libFuzzer harness over virtio-net's transmit and receive paths
 * (emulator/virtio/net.c) on a fake net back end that checks every frame
 * it is handed lies in guest RAM (or, finished by an offload, is one
 * host buffer it reads through). TX chains, their offload headers, RX
 * buffers and the received frames' lengths come from the input.
 *
 * Input: [num selector][flags][nframes][len lo][len hi] x nframes
 *        [RAM image from offset 0 ...]
 *   num = 1 << (selector % 9); the RX queue (0) is at RAM offset 0
 *   (guest address 0x80000000), its available ring after its descriptor
 *   table, then the TX queue (1) the same way: each queue takes
 *   16 * num + roundup16(6 + 2 * num) bytes.
 *   flags bit 0 = no MRG_RXBUF, bit 1 = INDIRECT_DESC, bit 2 = EVENT_IDX,
 *   bit 3 = the back end echoes each frame it is sent (as slirp may),
 *   bit 4 = frames arrive before the TX kick rather than after,
 *   bit 5 = link goes down and up between.
 *   nframes % 5 frames are received, each of the given length (the
 *   bytes are a pattern).
 */
#include <stdint.h>

#include "emulator/backend/net.h"
#include "emulator/virtio/net.h"
#include "protocol/virtio_net.h"
#include "tests/fuzz/fuzz_rig.h"

#define MAX_FRAME (65535 + 14 + 4 + 64)

struct fake_nb {
	struct net_backend nb; /* first: ops get &nb */
	struct bus *bus;
	bool echo;
	int depth;
};

static uint8_t echo_buf[MAX_FRAME];

/* Touches every byte (ASan reports a buffer overrun); always true. */
static bool read_all(const struct iovec *v)
{
	volatile uint8_t sum = 0;
	for (size_t k = 0; k < v->iov_len; k++)
		sum += ((const uint8_t *)v->iov_base)[k];
	(void)sum;
	return true;
}

static void fake_send(struct net_backend *b, const struct iovec *iov,
		      int iovcnt)
{
	struct fake_nb *f = (struct fake_nb *)b;
	FZ_CHECK(iovcnt > 0 && iovcnt <= VIRTQ_MAX_NUM);
	size_t len = 0;
	for (int k = 0; k < iovcnt; k++) {
		/* an offloaded frame comes from the device's own buffer:
		   reading it all lets ASan judge it */
		FZ_CHECK(fz_in_ram(f->bus, &iov[k]) ||
			 (iovcnt == 1 && read_all(&iov[k])));
		len += iov[k].iov_len;
	}
	FZ_CHECK(len >= 14 && len <= 65536 + 14 + 4);
	if (f->echo && f->depth == 0) {
		size_t at = 0;
		for (int k = 0; k < iovcnt; k++) {
			memcpy(echo_buf + at, iov[k].iov_base, iov[k].iov_len);
			at += iov[k].iov_len;
		}
		f->depth++;
		b->front.receive(b->front.opaque, echo_buf, at);
		f->depth--;
	}
}

static void fake_rx_ready(struct net_backend *b)
{
	(void)b;
}

static const struct net_ops fake_ops = {.send = fake_send,
					.rx_ready = fake_rx_ready};

static void nop_irq(void *opaque, bool level)
{
	(void)opaque;
	(void)level;
}

static uint8_t frame[MAX_FRAME];

static void receive_all(struct fake_nb *f, const uint16_t *lens, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		f->nb.front.receive(f->nb.front.opaque, frame, lens[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!frame[1])
		for (size_t k = 0; k < sizeof(frame); k++)
			frame[k] = (uint8_t)(k * 13 + 1);
	struct fz_in in = {data, size};
	uint16_t num = (uint16_t)(1u << (fz_u8(&in) % 9));
	uint8_t flags = fz_u8(&in);
	unsigned nframes = fz_u8(&in) % 5;
	uint16_t lens[4];
	for (unsigned k = 0; k < nframes; k++)
		lens[k] = fz_u16(&in);
	uint64_t want = ~(VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			  VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	if (flags & 1)
		want &= ~VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (flags & 2)
		want |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (flags & 4)
		want |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);

	struct bus bus;
	fz_bus_init(&bus, &in);
	struct fake_nb f = {.nb = {.ops = &fake_ops,
				   .mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56}},
			    .bus = &bus,
			    .echo = flags & 8};
	struct virtio_net *n = virtio_net_create(&f.nb);
	FZ_CHECK(n);
	struct virtio_dev *d = virtio_net_dev(n);
	d->bus = &bus;
	d->set_irq = nop_irq;
	fz_queues(d, 2, num, want);

	if (flags & 16)
		receive_all(&f, lens, nframes);
	virtio_dev_notify(d, VIRTIO_NET_TXQ);
	if (flags & 32) {
		virtio_net_set_link(n, false);
		virtio_net_set_link(n, true);
	}
	if (!(flags & 16))
		receive_all(&f, lens, nframes);
	virtio_dev_notify(d, VIRTIO_NET_RXQ);

	virtio_net_free(n);
	FZ_CHECK(f.nb.front.receive == NULL);
	fz_bus_free(&bus);
	return 0;
}
