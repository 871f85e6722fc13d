/*
 * libFuzzer harness over virtio-net's receive coalescing
 * (emulator/virtio/net_merge.c): a run of frames goes through
 * net_merge_add, the held train is finished whenever a frame cannot join
 * and at the end. Each frame sits in a buffer of exactly its length
 * (ASan sees overreads); every finished train must be a frame the
 * device's own TSO accepts and cuts back into segments.
 *
 * Input: ([length, 2 bytes little-endian][frame ...])*, the last frame
 *        cut short by the input's end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/virtio/net_merge.h"
#include "emulator/virtio/net_offload.h"
#include "tests/fuzz/fuzz_rig.h"

#define CAP (65536 + 18)

static uint8_t held[CAP], seg[CAP];

static void count(void *opaque, const uint8_t *frame, size_t len)
{
	(void)frame;
	FZ_CHECK(len >= 14 && len <= CAP);
	++*(int *)opaque;
}

static void finish(struct net_merge *m)
{
	struct virtio_net_hdr h;
	unsigned segs = m->segs;
	size_t len = net_merge_finish(m, &h);
	FZ_CHECK(len <= CAP);
	if (segs > 1) {
		FZ_CHECK(h.gso_type == VIRTIO_NET_HDR_GSO_TCPV4);
		struct net_offload_caps caps = {true, true, true};
		int n = 0;
		FZ_CHECK(net_offload_tx(held, len, &h, caps, seg, count, &n) ==
			 n);
		FZ_CHECK(n >= 1 && (unsigned)n <= segs);
	}
	net_merge_reset(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_merge m;
	net_merge_init(&m, held, sizeof(held));
	while (size >= 2) {
		size_t len = (size_t)(data[0] | data[1] << 8);
		data += 2, size -= 2;
		if (len > size)
			len = size;
		uint8_t *f = malloc(len ? len : 1);
		FZ_CHECK(f);
		memcpy(f, data, len);
		if (!net_merge_add(&m, f, len)) {
			finish(&m);
			net_merge_add(&m, f, len);
		}
		free(f);
		data += len, size -= len;
	}
	finish(&m);
	return 0;
}
