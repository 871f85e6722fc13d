/*
 * The content of the disk image tests/integration/baremetal_virtio_drivers.sh
 * makes: byte at offset o is (o ^ (o >> 9) * 7) & 0xff, i.e. each 512-byte
 * sector is a ramp offset by a per-sector value. Shared by the blk and IDE
 * tests (header only, not a test of its own).
 */
#ifndef PVKIT_GUEST_TEST_PATTERN_H
#define PVKIT_GUEST_TEST_PATTERN_H

#include <stdint.h>

#define IMG_SECTORS 2048 /* 1 MiB */

static inline uint8_t img_byte(uint64_t o)
{
	return (uint8_t)(o ^ ((o >> 9) * 7));
}

/* 1 when buf holds sectors [sector, sector + n) of the pristine image. */
static inline int img_matches(const uint8_t *buf, uint64_t sector, unsigned n)
{
	for (uint64_t i = 0; i < (uint64_t)n * 512; i++)
		if (buf[i] != img_byte(sector * 512 + i))
			return 0;
	return 1;
}

/* FNV-1a, 32 bits. */
static inline uint32_t fnv1a(const uint8_t *p, uint64_t n)
{
	uint32_t h = 2166136261u;
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

#endif
