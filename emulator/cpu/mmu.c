/*
 * Address translation (Sv39, Sv48), PMP, and the slow paths of loads,
 * stores and fetches. A successful translation of a RAM page fills the
 * software TLB so the next access to that page is a compare and an add.
 * Pages that must see every store (decoded code, HTIF's tohost) are never
 * entered in the write TLB.
 */
#include "mmu.h"
#include "exec.h"

/* --- PMP ---------------------------------------------------------------- */

enum { PMP_R = 1, PMP_W = 2, PMP_X = 4, PMP_A = 0x18, PMP_L = 0x80 };
enum { PMP_OFF = 0, PMP_TOR = 0x08, PMP_NA4 = 0x10, PMP_NAPOT = 0x18 };

static void pmp_range(const struct pmp_state *p, int k, uint64_t *lo,
		      uint64_t *hi)
{
	uint64_t a = p->addr[k];
	switch (p->cfg[k] & PMP_A) {
	case PMP_TOR:
		*lo = k ? p->addr[k - 1] << 2 : 0;
		*hi = a << 2;
		break;
	case PMP_NA4:
		*lo = a << 2;
		*hi = *lo + 4;
		break;
	default: { /* NAPOT: trailing ones give the size */
		int ones = __builtin_ctzll(~a);
		uint64_t size = ones >= 61 ? 0 : 8ull << ones;
		*lo = (a & ~((1ull << ones) - 1)) << 2;
		*hi = size ? *lo + size : UINT64_MAX;
		break;
	}
	}
}

/* Checks [pa, pa+len) for an access by `priv`. The first matching entry
   decides, and it must cover the whole range. */
static bool pmp_allows(const struct hart *h, uint64_t pa, uint64_t len,
		       int access, int priv)
{
	const struct pmp_state *p = &h->pmp;
	if (!p->active)
		return true; /* as QEMU: no rules programmed, no checks */
	static const uint8_t need[3] = {PMP_R, PMP_W, PMP_X};
	for (int k = 0; k < 16; k++) {
		if (!(p->cfg[k] & PMP_A))
			continue;
		uint64_t lo, hi;
		pmp_range(p, k, &lo, &hi);
		uint64_t last = pa + len - 1;
		bool any = pa < hi && last >= lo;
		if (!any)
			continue;
		if (pa < lo || last >= hi)
			return false; /* partial match fails */
		if (priv == PRIV_M && !(p->cfg[k] & PMP_L))
			return true;
		return (p->cfg[k] & need[access]) != 0;
	}
	return priv == PRIV_M;
}

void pmp_update(struct hart *h)
{
	h->pmp.active = false;
	for (int k = 0; k < 16; k++)
		if (h->pmp.cfg[k] & PMP_A)
			h->pmp.active = true;
	hart_tlb_flush(h);
}

/* --- page table walk ---------------------------------------------------- */

enum {
	PTE_V = 1,
	PTE_R = 2,
	PTE_W = 4,
	PTE_X = 8,
	PTE_U = 16,
	PTE_G = 32,
	PTE_A = 64,
	PTE_D = 128,
};

static uint64_t page_fault_cause(int access)
{
	static const uint64_t c[3] = {EXC_LOAD_PAGE, EXC_STORE_PAGE,
				      EXC_INSN_PAGE};
	return c[access];
}

static uint64_t access_fault_cause(int access)
{
	static const uint64_t c[3] = {EXC_LOAD_ACCESS, EXC_STORE_ACCESS,
				      EXC_INSN_ACCESS};
	return c[access];
}

static int effective_priv(const struct hart *h, int access)
{
	if (access != ACCESS_FETCH && h->priv == PRIV_M &&
	    (h->mstatus & MSTATUS_MPRV))
		return (int)((h->mstatus & MSTATUS_MPP) >> 11);
	return h->priv;
}

/* Translates va for `access`. On success *pa is set and 0 returned;
   otherwise the exception cause. */
int mmu_translate(struct hart *h, uint64_t va, int access, uint64_t *pa)
{
	int priv = effective_priv(h, access);
	uint64_t mode = h->satp >> 60;
	if (priv == PRIV_M || mode == 0) {
		*pa = va;
		return 0;
	}
	int levels = mode == 9 ? 4 : 3;
	int va_bits = 12 + 9 * levels;
	/* the upper bits must copy the top valid bit */
	int64_t sva = (int64_t)(va << (64 - va_bits)) >> (64 - va_bits);
	if ((uint64_t)sva != va)
		return (int)page_fault_cause(access);

	uint64_t table = (h->satp & ((1ull << 44) - 1)) << 12;
	for (int level = levels - 1; level >= 0; level--) {
		uint64_t pte_pa =
			table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
		uint64_t pte;
		if (!pmp_allows(h, pte_pa, 8, ACCESS_READ, PRIV_S) ||
		    !bus_read(h->bus, pte_pa, 8, &pte))
			return (int)access_fault_cause(access);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
		    (pte >> 54))
			return (int)page_fault_cause(access);
		uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
		if (!(pte & (PTE_R | PTE_X))) { /* pointer to next level */
			if (pte & (PTE_A | PTE_D | PTE_U))
				return (int)page_fault_cause(access);
			table = ppn << 12;
			continue;
		}
		/* leaf */
		bool ok;
		if (access == ACCESS_FETCH)
			ok = (pte & PTE_X) != 0;
		else if (access == ACCESS_WRITE)
			ok = (pte & PTE_W) != 0;
		else
			ok = (pte & PTE_R) ||
			     ((h->mstatus & MSTATUS_MXR) && (pte & PTE_X));
		if (priv == PRIV_U && !(pte & PTE_U))
			ok = false;
		if (priv == PRIV_S && (pte & PTE_U) &&
		    (access == ACCESS_FETCH || !(h->mstatus & MSTATUS_SUM)))
			ok = false;
		if (!ok)
			return (int)page_fault_cause(access);
		uint64_t span_mask = (1ull << (9 * level)) - 1;
		if (ppn & span_mask) /* misaligned superpage */
			return (int)page_fault_cause(access);
		/* hardware A/D update */
		uint64_t want = PTE_A | (access == ACCESS_WRITE ? PTE_D : 0);
		if ((pte & want) != want) {
			if (!pmp_allows(h, pte_pa, 8, ACCESS_WRITE, PRIV_S) ||
			    !bus_write(h->bus, pte_pa, 8, pte | want))
				return (int)access_fault_cause(access);
		}
		uint64_t page_off = va & ((1ull << (12 + 9 * level)) - 1);
		*pa = ((ppn & ~span_mask) << 12) | page_off;
		return 0;
	}
	return (int)page_fault_cause(access);
}

static int fault(struct hart *h, uint64_t cause, uint64_t tval)
{
	h->fault_cause = cause;
	h->fault_tval = tval;
	return -1;
}

/* Translates and PMP-checks one access that stays within a page, then
   fills the TLB when the whole page is plain RAM. */
static int translate_access(struct hart *h, uint64_t va, unsigned size,
			    int access, uint64_t *pa)
{
	int cause = mmu_translate(h, va, access, pa);
	if (cause)
		return fault(h, (uint64_t)cause, va);
	int priv = effective_priv(h, access);
	if (!pmp_allows(h, *pa, size, access, priv))
		return fault(h, access_fault_cause(access), va);

	uint64_t pa_page = *pa & ~(PAGE_SIZE - 1);
	uint8_t *host = bus_ram_ptr(h->bus, pa_page, PAGE_SIZE);
	if (!host || !pmp_allows(h, pa_page, PAGE_SIZE, access, priv))
		return 0;
	if (access == ACCESS_WRITE &&
	    h->bus->page_flags[(pa_page - h->bus->ram_base) >> PAGE_SHIFT])
		return 0;
	uint64_t va_page = va & ~(PAGE_SIZE - 1);
	int idx = access == ACCESS_FETCH ? h->fetch_mmu : h->data_mmu;
	struct tlb_entry *e = &h->tlb[idx][access][(va >> 12) & (TLB_SIZE - 1)];
	e->tag = va_page;
	e->addend = (uintptr_t)host - va_page;
	return 0;
}

/* A store landed on a page with flags: drop code or tell the watcher. */
static int store_side_effects(struct hart *h, uint64_t pa, unsigned size)
{
	if (!bus_is_ram(h->bus, pa, size))
		return 0;
	uint8_t flags =
		h->bus->page_flags[(pa - h->bus->ram_base) >> PAGE_SHIFT];
	int r = 0;
	if (flags & PAGE_CODE) {
		hart_code_flush(h);
		r = 1;
	}
	if ((flags & PAGE_WATCH) && h->env.watch_store)
		h->env.watch_store(h->env.opaque, pa);
	return r;
}

static bool crosses_page(uint64_t va, unsigned size)
{
	return ((va & (PAGE_SIZE - 1)) + size) > PAGE_SIZE;
}

int mem_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
	uint64_t pa;
	if (!crosses_page(va, size)) {
		if (translate_access(h, va, size, ACCESS_READ, &pa))
			return -1;
		if (!bus_read(h->bus, pa, size, val))
			return fault(h, EXC_LOAD_ACCESS, va);
		return 0;
	}
	/* Misaligned across a page: translate both pages before reading. */
	unsigned first = (unsigned)(PAGE_SIZE - (va & (PAGE_SIZE - 1)));
	uint64_t pa2;
	if (translate_access(h, va, first, ACCESS_READ, &pa) ||
	    translate_access(h, va + first, size - first, ACCESS_READ, &pa2))
		return -1;
	uint64_t v = 0;
	for (unsigned k = 0; k < size; k++) {
		uint64_t byte;
		uint64_t p = k < first ? pa + k : pa2 + (k - first);
		if (!bus_read(h->bus, p, 1, &byte))
			return fault(h, EXC_LOAD_ACCESS, va + k);
		v |= byte << (8 * k);
	}
	*val = v;
	return 0;
}

int mem_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
	uint64_t pa;
	if (!crosses_page(va, size)) {
		if (translate_access(h, va, size, ACCESS_WRITE, &pa))
			return -1;
		if (!bus_write(h->bus, pa, size, val))
			return fault(h, EXC_STORE_ACCESS, va);
		return store_side_effects(h, pa, size);
	}
	unsigned first = (unsigned)(PAGE_SIZE - (va & (PAGE_SIZE - 1)));
	uint64_t pa2;
	if (translate_access(h, va, first, ACCESS_WRITE, &pa) ||
	    translate_access(h, va + first, size - first, ACCESS_WRITE, &pa2))
		return -1;
	int r = 0;
	for (unsigned k = 0; k < size; k++) {
		uint64_t p = k < first ? pa + k : pa2 + (k - first);
		if (!bus_write(h->bus, p, 1, (val >> (8 * k)) & 0xff))
			return fault(h, EXC_STORE_ACCESS, va + k);
		r |= store_side_effects(h, p, 1);
	}
	return r;
}

void *mem_amo_ptr(struct hart *h, uint64_t va, unsigned size, bool is_lr)
{
	int access = is_lr ? ACCESS_READ : ACCESS_WRITE;
	if (va & (size - 1)) {
		fault(h, is_lr ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED,
		      va);
		return NULL;
	}
	uint64_t pa;
	if (translate_access(h, va, size, access, &pa))
		return NULL;
	void *p = bus_ram_ptr(h->bus, pa, size);
	if (!p) { /* no atomics on MMIO */
		fault(h, is_lr ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS, va);
		return NULL;
	}
	if (!is_lr)
		store_side_effects(h, pa, size);
	return p;
}

int hart_load(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
	return mem_load_slow(h, va, size, val) < 0 ? (int)h->fault_cause : 0;
}

int hart_store(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
	return mem_store_slow(h, va, size, val) < 0 ? (int)h->fault_cause : 0;
}

/* Fetch translation for the block builder: returns the host pointer to
   the instruction bytes at va (up to the end of its page) and the
   physical address, or NULL after recording the fault. */
const uint8_t *mmu_fetch_ptr(struct hart *h, uint64_t va, uint64_t *pa)
{
	const struct tlb_entry *e = &h->tlb[h->fetch_mmu][ACCESS_FETCH]
					   [(va >> 12) & (TLB_SIZE - 1)];
	if (e->tag != (va & ~(PAGE_SIZE - 1))) {
		if (translate_access(h, va, 2, ACCESS_FETCH, pa))
			return NULL;
		if (e->tag != (va & ~(PAGE_SIZE - 1))) {
			/* not cacheable: RAM only, PMP uniform over the page */
			uint8_t *p = bus_ram_ptr(h->bus, *pa, 2);
			if (!p) {
				fault(h, EXC_INSN_ACCESS, va);
				return NULL;
			}
			return p;
		}
	}
	uint8_t *p = (uint8_t *)(e->addend + va);
	*pa = (uint64_t)(p - h->bus->ram) + h->bus->ram_base;
	return p;
}
