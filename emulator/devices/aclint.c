#include "aclint.h"

#include "emulator/cpu/hart.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/memmap.h"

enum { MSIP = 0x0, MTIMECMP = 0x4000, MTIME = 0xbff8 };

/* 64-bit registers may be accessed as two 32-bit halves. */
static uint64_t merge(uint64_t old, uint64_t off, uint64_t val, unsigned size)
{
	if (size == 8)
		return val;
	unsigned shift = (unsigned)(off & 4) * 8;
	uint64_t mask = 0xffffffffull << shift;
	return (old & ~mask) | ((val & 0xffffffffull) << shift);
}

static uint64_t extract(uint64_t v, uint64_t off, unsigned size)
{
	return size == 8 ? v : (v >> ((off & 4) * 8)) & 0xffffffffull;
}

static uint64_t aclint_read(void *opaque, uint64_t off, unsigned size)
{
	struct aclint *a = opaque;
	if (off < 4)
		return (a->hart->mip_hw & MIP_MSIP) ? 1 : 0;
	if (off >= MTIMECMP && off < MTIMECMP + 8)
		return extract(a->hart->mtimecmp, off, size);
	if (off >= MTIME && off < MTIME + 8)
		return extract(a->now(a->clock), off, size);
	return 0;
}

static void aclint_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned size)
{
	struct aclint *a = opaque;
	if (off < 4) {
		hart_set_irq(a->hart, MIP_MSIP, val & 1);
	} else if (off >= MTIMECMP && off < MTIMECMP + 8) {
		a->hart->mtimecmp = merge(a->hart->mtimecmp, off, val, size);
		hart_update_timers(a->hart, a->now(a->clock));
	} else if (off >= MTIME && off < MTIME + 8) {
		a->set_now(a->clock, merge(a->now(a->clock), off, val, size));
		hart_update_timers(a->hart, a->now(a->clock));
	}
}

int aclint_init(struct aclint *a, struct bus *bus, const struct memmap_entry *e,
		struct hart *hart, uint64_t (*now)(void *),
		void (*set_now)(void *, uint64_t), void *clock)
{
	a->hart = hart;
	a->now = now;
	a->set_now = set_now;
	a->clock = clock;
	struct mmio_region r = {.name = e->name,
				.base = e->base,
				.size = e->size,
				.opaque = a,
				.read = aclint_read,
				.write = aclint_write};
	return bus_add_mmio(bus, &r);
}
