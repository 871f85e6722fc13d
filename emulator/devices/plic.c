/*
 * SiFive PLIC: sources 1..PLIC_NUM_SOURCES, PLIC_NUM_CONTEXTS contexts.
 *
 * Talks to the bus (its MMIO region), to device models (plic_set_irq) and
 * to the harts through the set_ext_irq callback. Owns all PLIC state.
 *
 * Every source is level-triggered. The gateway forwards a high line as a
 * pending bit and then stays closed while the source is claimed; complete
 * reopens it and re-pends at once if the line is still high. A line that
 * drops before the claim also drops the pending bit (as QEMU does), so the
 * guest never claims an interrupt whose device has nothing to say.
 */
#include "plic.h"

#include <stdint.h>
#include <stdlib.h>

#include "emulator/mem/bus.h"

_Static_assert(PLIC_NUM_SOURCES < 32, "sources must fit one 32-bit word");

/* Bits of the sources that exist; source 0 means "no interrupt". */
#define SOURCE_MASK ((uint32_t)((2ull << PLIC_NUM_SOURCES) - 2))

struct plic {
	uint32_t priority[PLIC_NUM_SOURCES + 1];
	uint32_t level; /* input lines */
	uint32_t pending;
	uint32_t claimed; /* gateway closed until complete */
	uint32_t enable[PLIC_NUM_CONTEXTS];
	uint32_t threshold[PLIC_NUM_CONTEXTS];
	bool out[PLIC_NUM_CONTEXTS];
	plic_ext_irq_fn set_ext_irq;
	void *opaque;
};

/* The source a claim on ctx would return: highest priority above the
   threshold, lowest ID among equals; 0 if none. */
static int plic_best(const struct plic *p, int ctx)
{
	uint32_t cand = p->pending & p->enable[ctx];
	uint32_t best_prio = p->threshold[ctx];
	int best = 0;
	while (cand) {
		int s = __builtin_ctz(cand);
		cand &= cand - 1;
		if (p->priority[s] > best_prio) {
			best_prio = p->priority[s];
			best = s;
		}
	}
	return best;
}

static void plic_update(struct plic *p)
{
	for (int ctx = 0; ctx < PLIC_NUM_CONTEXTS; ctx++) {
		bool level = plic_best(p, ctx) != 0;
		if (level != p->out[ctx]) {
			p->out[ctx] = level;
			p->set_ext_irq(p->opaque, ctx, level);
		}
	}
}

void plic_set_irq(struct plic *p, int source, bool level)
{
	if (source < 1 || source > PLIC_NUM_SOURCES)
		return;
	uint32_t bit = 1u << source;
	if (level) {
		p->level |= bit;
		if (!(p->claimed & bit))
			p->pending |= bit;
	} else {
		p->level &= ~bit;
		p->pending &= ~bit;
	}
	plic_update(p);
}

static uint32_t plic_claim(struct plic *p, int ctx)
{
	int s = plic_best(p, ctx);
	if (s) {
		p->pending &= ~(1u << s);
		p->claimed |= 1u << s;
		plic_update(p);
	}
	return (uint32_t)s;
}

static void plic_complete(struct plic *p, int ctx, uint32_t id)
{
	if (id < 1 || id > PLIC_NUM_SOURCES)
		return;
	uint32_t bit = 1u << id;
	/* The spec ignores completion of a source not enabled for the
	   context; Linux enables it around the write for that reason. */
	if (!(p->claimed & bit) || !(p->enable[ctx] & bit))
		return;
	p->claimed &= ~bit;
	if (p->level & bit)
		p->pending |= bit;
	plic_update(p);
}

/* Context index of a per-context register block, or -1. */
static int plic_ctx_of(uint64_t off, uint64_t base, uint64_t stride)
{
	if (off < base)
		return -1;
	uint64_t ctx = (off - base) / stride;
	return ctx < PLIC_NUM_CONTEXTS ? (int)ctx : -1;
}

static uint32_t plic_read32(struct plic *p, uint64_t off)
{
	int en = plic_ctx_of(off, PLIC_ENABLE_BASE, PLIC_ENABLE_STRIDE);
	int cx = plic_ctx_of(off, PLIC_CONTEXT_BASE, PLIC_CONTEXT_STRIDE);
	if (off < PLIC_PENDING_BASE) {
		uint64_t s = off / 4;
		return s >= 1 && s <= PLIC_NUM_SOURCES ? p->priority[s] : 0;
	}
	if (off == PLIC_PENDING_BASE)
		return p->pending;
	if (en >= 0)
		return (off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE == 0
			       ? p->enable[en]
			       : 0;
	if (cx >= 0) {
		switch ((off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE) {
		case 0: return p->threshold[cx];
		case 4: return plic_claim(p, cx);
		}
	}
	return 0;
}

static void plic_write32(struct plic *p, uint64_t off, uint32_t val)
{
	int en = plic_ctx_of(off, PLIC_ENABLE_BASE, PLIC_ENABLE_STRIDE);
	int cx = plic_ctx_of(off, PLIC_CONTEXT_BASE, PLIC_CONTEXT_STRIDE);
	if (off < PLIC_PENDING_BASE) {
		uint64_t s = off / 4;
		if (s >= 1 && s <= PLIC_NUM_SOURCES) {
			p->priority[s] = val & PLIC_PRIORITY_MASK;
			plic_update(p);
		}
		return;
	}
	/* The pending array is read-only: sources are level lines. */
	if (en >= 0) {
		if ((off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE == 0) {
			p->enable[en] = val & SOURCE_MASK;
			plic_update(p);
		}
		return;
	}
	if (cx >= 0) {
		switch ((off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE) {
		case 0:
			p->threshold[cx] = val & PLIC_PRIORITY_MASK;
			plic_update(p);
			break;
		case 4: plic_complete(p, cx, val); break;
		}
	}
}

/* Registers are 32-bit; a 64-bit access is two of them, low word first.
   Narrower or misaligned accesses read 0 and write nothing. */
static uint64_t plic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct plic *p = opaque;
	if (size == 4 && !(off & 3))
		return plic_read32(p, off);
	if (size == 8 && !(off & 7)) {
		uint64_t lo = plic_read32(p, off);
		return lo | (uint64_t)plic_read32(p, off + 4) << 32;
	}
	return 0;
}

static void plic_mmio_write(void *opaque, uint64_t off, uint64_t val,
			    unsigned size)
{
	struct plic *p = opaque;
	if (size == 4 && !(off & 3)) {
		plic_write32(p, off, (uint32_t)val);
	} else if (size == 8 && !(off & 7)) {
		plic_write32(p, off, (uint32_t)val);
		plic_write32(p, off + 4, (uint32_t)(val >> 32));
	}
}

struct plic *plic_create(struct bus *bus, const struct memmap_entry *e,
			 plic_ext_irq_fn set_ext_irq, void *opaque)
{
	struct plic *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->set_ext_irq = set_ext_irq;
	p->opaque = opaque;
	struct mmio_region r = {
		.name = e->name,
		.base = e->base,
		.size = e->size,
		.opaque = p,
		.read = plic_mmio_read,
		.write = plic_mmio_write,
	};
	if (bus_add_mmio(bus, &r) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void plic_free(struct plic *p)
{
	free(p);
}
