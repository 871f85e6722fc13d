/*
 * Shared by the libFuzzer harnesses over the virtio devices: a small
 * guest RAM from malloc (exactly RAM_SIZE bytes, so AddressSanitizer sees
 * any access past its end), and queues laid out compactly at the start of
 * RAM so short fuzz inputs reach every ring field.
 *
 * Input convention: a few header bytes the harness consumes first, then
 * the rest is copied to guest RAM from offset 0 (the descriptor tables,
 * available rings, indirect tables and buffers), up to FZ_USED_OFF. Used
 * rings live above FZ_USED_OFF, out of the input's reach.
 */
#ifndef PVKIT_TESTS_FUZZ_RIG_H
#define PVKIT_TESTS_FUZZ_RIG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator/mem/bus.h"
#include "emulator/virtio/virtio.h"

#define FZ_RAM_BASE 0x80000000ull
#define FZ_RAM_SIZE 0x10000u
#define FZ_USED_OFF 0xc000u /* used ring k at FZ_USED_OFF + 0x1000 * k */

#define FZ_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* The input's header: bytes taken off the front, zero once it runs out. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);
	return (uint16_t)(lo | fz_u8(in) << 8);
}

static inline void fz_bus_init(struct bus *b, const struct fz_in *in)
{
	memset(b, 0, sizeof(*b));
	b->ram = calloc(1, FZ_RAM_SIZE);
	b->page_flags = calloc(FZ_RAM_SIZE >> PAGE_SHIFT, 1);
	b->ram_base = FZ_RAM_BASE;
	b->ram_size = FZ_RAM_SIZE;
	memcpy(b->ram, in->p, in->n < FZ_USED_OFF ? in->n : FZ_USED_OFF);
}

static inline void fz_bus_free(struct bus *b)
{
	free(b->ram);
	free(b->page_flags);
}

static inline bool fz_in_ram(const struct bus *b, const struct iovec *iov)
{
	const uint8_t *p = iov->iov_base;
	return p >= b->ram && iov->iov_len <= b->ram_size &&
	       (size_t)(p - b->ram) <= b->ram_size - iov->iov_len;
}

/* Sets up the queues 0..nq-1 of d, each of size num: descriptor table
   then available ring, one queue after the other from RAM offset 0;
   returns the offset where the queues end (buffers may follow). */
static inline uint32_t fz_queues(struct virtio_dev *d, unsigned nq,
				 uint16_t num, uint64_t features)
{
	d->guest_features = d->host_features & features;
	d->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	uint32_t off = 0;
	for (unsigned q = 0; q < nq; q++) {
		struct virtq *vq = &d->vq[q];
		vq->num = num;
		vq->desc_pa = FZ_RAM_BASE + off;
		off += 16u * num;
		vq->avail_pa = FZ_RAM_BASE + off;
		off += (6u + 2u * num + 15u) & ~15u;
		vq->used_pa = FZ_RAM_BASE + FZ_USED_OFF + 0x1000u * q;
		FZ_CHECK(virtio_queue_enable(d, q));
	}
	return off;
}

#endif
