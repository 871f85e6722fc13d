/*
 * The hart's life cycle and the dispatcher: look up (or decode) the block
 * at pc, link it to its predecessor, run it. Blocks live in one arena;
 * when it fills, or code changes, the whole cache is dropped at once,
 * which keeps invalidation simple and always correct.
 */
#include "exec.h"
#include "mmu.h"

#include <stdlib.h>
#include <sys/mman.h>

#define ARENA_SIZE (64u << 20)
#define HASH_MASK ((1u << BLOCK_HASH_BITS) - 1)

int hart_init(struct hart *h, struct bus *bus, const struct hart_env *env)
{
	memset(h, 0, sizeof(*h));
	h->bus = bus;
	h->env = *env;
	h->arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->arena == MAP_FAILED) {
		h->arena = NULL;
		return -1;
	}
	h->arena_size = ARENA_SIZE;
	jit_init(&h->jit); /* before hart_reset, which flushes it */
	hart_reset(h, bus->ram_base);
	return 0;
}

void hart_free(struct hart *h)
{
	if (h->arena)
		munmap(h->arena, h->arena_size);
	jit_free(&h->jit);
	free(h->code_pages);
	h->arena = NULL;
	h->code_pages = NULL;
}

void hart_reset(struct hart *h, uint64_t pc)
{
	memset(h->x, 0, sizeof(h->x));
	memset(h->f, 0, sizeof(h->f));
	h->pc = pc;
	h->priv = PRIV_M;
	h->misa = (2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) |
		  (1u << 8) | (1u << 12) | (1u << 18) |
		  (1u << 20); /* RV64 ACDFIMSU */
	h->mstatus = (2ull << 32) | (2ull << 34);
	h->medeleg = h->mideleg = h->mie = h->mip = h->mip_hw = 0;
	h->mtvec = h->stvec = h->satp = 0;
	h->mcounteren = h->scounteren = h->menvcfg = 0;
	h->mtimecmp = h->stimecmp = UINT64_MAX;
	h->fflags = h->frm = 0;
	h->mcountinhibit = 0;
	memset(h->counter, 0, sizeof(h->counter));
	memset(&h->pmp, 0, sizeof(h->pmp));
	h->wfi = false;
	h->stop = false;
	h->lr_addr = LR_NONE;
	hart_update_mmu_idx(h);
	hart_tlb_flush(h);
	hart_code_flush(h);
}

void hart_tlb_flush(struct hart *h)
{
	struct tlb_entry *e = &h->tlb[0][0][0];
	size_t n = sizeof(h->tlb) / sizeof(*e);
	for (size_t k = 0; k < n; k++)
		e[k].tag = TLB_INVALID;
	h->epoch++; /* chained links and the jump cache assumed old mappings */
}

static void flush_write_tlb(struct hart *h)
{
	for (int m = 0; m < MMU_COUNT; m++)
		for (unsigned k = 0; k < TLB_SIZE; k++)
			h->tlb[m][ACCESS_WRITE][k].tag = TLB_INVALID;
}

void hart_code_flush(struct hart *h)
{
	for (size_t k = 0; k < h->ncode_pages; k++)
		h->bus->page_flags[h->code_pages[k]] &= (uint8_t)~PAGE_CODE;
	h->ncode_pages = 0;
	memset(h->hash, 0, sizeof(h->hash));
	memset(h->jcache, 0, sizeof(h->jcache));
	h->arena_used = 0;
	h->last_block = NULL;
	jit_flush(&h->jit); /* no block refers to native code any more */
	h->epoch++;
	h->stat_flushes++;
}

/* Flags a RAM page as holding decoded code: stores to it take the slow
   path from now on, which drops the cache. */
static void mark_code_page(struct hart *h, uint64_t pa)
{
	struct bus *b = h->bus;
	uint64_t page = (pa - b->ram_base) >> PAGE_SHIFT;
	if (b->page_flags[page] & PAGE_CODE)
		return;
	if (h->ncode_pages == h->code_pages_cap) {
		size_t cap = h->code_pages_cap ? 2 * h->code_pages_cap : 256;
		uint64_t *p = realloc(h->code_pages, cap * sizeof(*p));
		if (!p)
			abort(); /* out of host memory: nothing sane to do */
		h->code_pages = p;
		h->code_pages_cap = cap;
	}
	h->code_pages[h->ncode_pages++] = page;
	b->page_flags[page] |= PAGE_CODE;
	flush_write_tlb(h);
}

static struct block *arena_alloc(struct hart *h, size_t bytes)
{
	bytes = (bytes + 15) & ~(size_t)15;
	if (h->arena_used + bytes > h->arena_size)
		hart_code_flush(h);
	struct block *b = (struct block *)(h->arena + h->arena_used);
	h->arena_used += bytes;
	return b;
}

static uint32_t fetch16(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

/* Decodes the block at vpc. Returns NULL after raising a fetch fault. */
static struct block *build_block(struct hart *h, uint64_t vpc, uint64_t ppc,
				 const uint8_t *code)
{
	size_t max_bytes = sizeof(struct block) +
			   (BLOCK_MAX_INSNS + 1) * sizeof(struct insn);
	struct block *b = arena_alloc(h, max_bytes);
	b->vpc = vpc;
	b->ppc = ppc;
	b->priv = h->priv;
	b->link[0] = b->link[1] = NULL;
	b->cacheable = true;
	b->hot = h->jit.enabled ? h->jit.threshold : UINT32_MAX;
	b->jit_code = NULL;
	mark_code_page(h, ppc);

	unsigned room = (unsigned)(PAGE_SIZE - (vpc & (PAGE_SIZE - 1)));
	unsigned off = 0, n = 0;
	while (n < BLOCK_MAX_INSNS && off + 2 <= room) {
		uint32_t raw = fetch16(code + off);
		if ((raw & 3) == 3) {
			if (off + 4 > room) {
				/* straddles a page: a block of its own */
				if (n)
					break;
				uint64_t pa2;
				const uint8_t *hi =
					mmu_fetch_ptr(h, vpc + 2, &pa2);
				if (!hi) {
					h->arena_used -= max_bytes;
					hart_raise(h, h->fault_cause,
						   h->fault_tval);
					return NULL;
				}
				mark_code_page(h, pa2);
				raw |= fetch16(hi) << 16;
				b->cacheable = false;
			} else {
				raw |= fetch16(code + off + 2) << 16;
			}
		}
		struct insn *i = &b->insns[n];
		decode_insn(i, raw, vpc + off);
		i->idx = (uint8_t)n;
		i->pcoff = (uint16_t)off;
		off += i->len;
		n++;
		if (insn_ends_block(i) || !b->cacheable)
			break;
	}
	struct insn *end = &b->insns[n];
	memset(end, 0, sizeof(*end));
	end->fn = op_block_end;
	end->idx = (uint8_t)n;
	end->pcoff = (uint16_t)off;
	b->n = (uint8_t)n;
	/* give back what the block did not use */
	h->arena_used -=
		max_bytes -
		(((sizeof(struct block) + (n + 1) * sizeof(struct insn)) + 15) &
		 ~(size_t)15);
	h->stat_blocks_built++;
	if (b->cacheable) {
		unsigned slot = (unsigned)(ppc >> 1) & HASH_MASK;
		b->hash_next = h->hash[slot];
		h->hash[slot] = b;
	}
	return b;
}

static struct block *lookup_block(struct hart *h, uint64_t vpc)
{
	struct jcache_entry *e = &h->jcache[(vpc >> 1) & JCACHE_MASK];
	if (e->vpc == vpc && e->epoch == h->epoch && e->block &&
	    e->block->priv == h->priv)
		return e->block;

	uint64_t ppc;
	const uint8_t *code = mmu_fetch_ptr(h, vpc, &ppc);
	if (!code) {
		hart_raise(h, h->fault_cause, h->fault_tval);
		return NULL;
	}
	struct block *b = h->hash[(unsigned)(ppc >> 1) & HASH_MASK];
	while (b && !(b->ppc == ppc && b->vpc == vpc && b->priv == h->priv))
		b = b->hash_next;
	if (!b) {
		b = build_block(h, vpc, ppc, code);
		if (!b)
			return NULL;
	}
	if (b->cacheable) {
		e->vpc = vpc;
		e->block = b;
		e->epoch = h->epoch;
	}
	return b;
}

void hart_run(struct hart *h, uint64_t budget)
{
	h->insn_limit = h->instret + budget;
	while (h->instret < h->insn_limit && !h->stop) {
		if (unlikely((h->mip | h->mip_hw) & h->mie)) {
			if (hart_take_interrupt(h))
				continue;
		}
		if (h->wfi)
			break;
		struct block *prev = h->last_block;
		uint32_t epoch = h->epoch;
		struct block *b = lookup_block(h, h->pc);
		if (!b)
			continue;
		/* JIT tier: count entries here as ENTER_BLOCK does when
		   chaining; at zero the block is offered for translation */
		if (likely(b->hot != 0))
			b->hot--;
		else if (!jit_block_hot(h, b))
			continue; /* it dropped the code cache: look up again */
		/* Link within a virtual page only: a block reached validly
		   vouches for the translation of its own page, so such a link
		   never needs checking against SFENCE/satp changes. */
		if (prev && epoch == h->epoch && prev->cacheable &&
		    b->cacheable && prev->priv == b->priv &&
		    (prev->vpc >> PAGE_SHIFT) == (b->vpc >> PAGE_SHIFT))
			prev->link[h->last_slot] = b;
		h->last_block = NULL;
		h->instret += b->n;
		b->insns[0].fn(h, b->insns);
	}
}
