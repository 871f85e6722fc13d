/*
 * Sv39/Sv48 page-table builder for pvkit bare-metal guests. Owns the page
 * pool: RAM from __pool_start (after the program, see link.ld) to the end
 * of the 64 MiB the runtime uses. Pages are never freed.
 */
#include "runtime.h"

extern char __pool_start[], __pool_end[];
static uint64_t pool_next;

void *rt_alloc_page(void)
{
	if (!pool_next)
		pool_next = (uint64_t)__pool_start;
	if (pool_next + RT_PAGE_SIZE > (uint64_t)__pool_end) {
		printf("FATAL: page pool exhausted\n");
		rt_exit(98);
	}
	void *p = (void *)pool_next;
	pool_next += RT_PAGE_SIZE;
	memset(p, 0, RT_PAGE_SIZE);
	return p;
}

void rt_pt_init(struct rt_pt *pt, int levels)
{
	pt->levels = levels;
	pt->root = rt_alloc_page();
}

static unsigned vpn(uint64_t va, int level)
{
	return (unsigned)((va >> (12 + 9 * level)) & 0x1ff);
}

uint64_t *rt_pt_map(struct rt_pt *pt, uint64_t va, uint64_t pa, int level, uint64_t flags)
{
	uint64_t *table = pt->root;
	for (int l = pt->levels - 1; l > level; l--) {
		uint64_t *pte = &table[vpn(va, l)];
		if (!(*pte & PTE_V) || (*pte & PTE_RWX)) {
			uint64_t *next = rt_alloc_page();
			*pte = (((uint64_t)next >> 12) << 10) | PTE_V;
		}
		table = (uint64_t *)((*pte >> 10) << 12);
	}
	uint64_t *leaf = &table[vpn(va, level)];
	*leaf = ((pa >> 12) << 10) | flags | PTE_V;
	return leaf;
}

void rt_pt_map_range(struct rt_pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	for (uint64_t off = 0; off < size; off += RT_PAGE_SIZE)
		rt_pt_map(pt, va + off, pa + off, 0, flags);
}

uint64_t *rt_pt_lookup(struct rt_pt *pt, uint64_t va, int *level)
{
	uint64_t *table = pt->root;
	for (int l = pt->levels - 1; l >= 0; l--) {
		uint64_t *pte = &table[vpn(va, l)];
		if (!(*pte & PTE_V))
			return NULL;
		if (*pte & PTE_RWX) {
			if (level)
				*level = l;
			return pte;
		}
		table = (uint64_t *)((*pte >> 10) << 12);
	}
	return NULL;
}

void rt_pt_identity(struct rt_pt *pt)
{
	rt_pt_map(pt, 0, 0, 2, PTE_R | PTE_W | PTE_A | PTE_D);
	uint64_t ustart = (uint64_t)__user_start & ~(RT_MEGAPAGE - 1);
	for (uint64_t a = RT_RAM_BASE; a < RT_RAM_BASE + RT_RAM_SIZE; a += RT_MEGAPAGE) {
		uint64_t fl = PTE_RWX | PTE_A | PTE_D;
		if (a == ustart)
			fl |= PTE_U;
		rt_pt_map(pt, a, a, 1, fl);
	}
}

uint64_t rt_pt_satp(struct rt_pt *pt, uint64_t asid)
{
	uint64_t mode = pt->levels == 4 ? SATP_MODE_SV48 : SATP_MODE_SV39;
	return (mode << 60) | (asid << 44) | ((uint64_t)pt->root >> 12);
}
