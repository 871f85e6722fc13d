/*
 * libFuzzer harness over virtio-net's software offloads
 * (emulator/virtio/net_offload.c): an arbitrary virtio_net_hdr and frame
 * go through net_offload_tx and net_rx_csum_valid. The frame sits in a
 * buffer of exactly its length, so any read or write past it is an ASan
 * report; every emitted frame must fit the segment buffer.
 *
 * Input: [virtio_net_hdr, 10 bytes: flags gso_type hdr_len gso_size
 *         csum_start csum_offset, little-endian][caps: bit 0 CSUM,
 *         bit 1 TSO4, bit 2 TSO6][frame ...]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/virtio/net_offload.h"
#include "tests/fuzz/fuzz_rig.h"

struct seen {
	size_t cap;
	int frames;
};

static void emit(void *opaque, const uint8_t *frame, size_t len)
{
	struct seen *s = opaque;
	FZ_CHECK(len >= 14 && len <= s->cap);
	volatile uint8_t sum = 0;
	for (size_t k = 0; k < len; k++)
		sum += frame[k];
	(void)sum;
	s->frames++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 11 || size > 11 + 65536 + 18)
		return 0;
	struct virtio_net_hdr h = {0};
	memcpy(&h, data, 10);
	struct net_offload_caps caps = {data[10] & 1, data[10] & 2,
					data[10] & 4};
	size_t len = size - 11;
	uint8_t *frame = malloc(len ? len : 1);
	uint8_t *seg = malloc(len ? len : 1);
	FZ_CHECK(frame && seg);
	memcpy(frame, data + 11, len);
	(void)net_rx_csum_valid(frame, len);
	struct seen s = {.cap = len};
	int n = len >= 14 ? net_offload_tx(frame, len, &h, caps, seg, emit, &s)
			  : -1;
	FZ_CHECK(n == -1 ? s.frames == 0 : n == s.frames && n >= 1);
	free(frame);
	free(seg);
	return 0;
}
