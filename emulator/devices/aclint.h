/*
 * ACLINT (CLINT-compatible layout): MSWI (msip at +0) and MTIMER
 * (mtimecmp at +0x4000, mtime at +0xbff8) for one hart. mtime is the
 * machine's timebase clock; the compare lives in the hart, which raises
 * MTIP itself when the machine loop updates its timers.
 */
#ifndef PVKIT_DEVICES_ACLINT_H
#define PVKIT_DEVICES_ACLINT_H

#include <stdint.h>

struct bus;
struct hart;
struct memmap_entry;

struct aclint {
	struct hart *hart;
	uint64_t (*now)(void *opaque); /* timebase ticks */
	void (*set_now)(void *opaque, uint64_t ticks);
	void *clock;
};

int aclint_init(struct aclint *a, struct bus *bus, const struct memmap_entry *e,
		struct hart *hart, uint64_t (*now)(void *),
		void (*set_now)(void *, uint64_t), void *clock);

#endif
