/*
 * Internal to the CPU: the conventions every instruction handler follows.
 *
 * A handler does its work and tail-calls the next insn of its block
 * (NEXT). Handlers that end a block either chain into the next block
 * (CHAIN for direct targets, JUMP for computed ones) or return to the
 * dispatcher with h->pc set (EXIT). A handler that traps calls insn_trap
 * and returns.
 */
#ifndef PVKIT_CPU_EXEC_H
#define PVKIT_CPU_EXEC_H

#include "emulator/mem/bus.h"
#include "hart.h"

#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define X(r) (h->x[(r)])
#define OP(name) void op_##name(struct hart *h, const struct insn *i)

#define BLOCK_OF(i)                                                            \
	((struct block *)((char *)((i) - (i)->idx) -                           \
			  offsetof(struct block, insns)))
#define PC_OF(i) (BLOCK_OF(i)->vpc + (i)->pcoff)
#define NEXT_PC(i) (PC_OF(i) + (i)->len)

#define NEXT()                                                                 \
	do {                                                                   \
		MUSTTAIL return i[1].fn(h, i + 1);                             \
	} while (0)

/* Leave the block for the dispatcher, resuming at pcval. */
#define EXIT(pcval)                                                            \
	do {                                                                   \
		h->pc = (pcval);                                               \
		h->last_block = NULL;                                          \
		return;                                                        \
	} while (0)

#define JCACHE_MASK ((1u << JCACHE_BITS) - 1)

/* Continues in block nb_ if the instruction budget allows. A block
   whose hot countdown ran out goes back to the dispatcher instead, which
   offers it to the JIT tier (jit.h). */
#define ENTER_BLOCK(nb_)                                                       \
	do {                                                                   \
		if (likely(h->instret < h->insn_limit && (nb_)->hot != 0)) {   \
			(nb_)->hot--;                                          \
			h->instret += (nb_)->n;                                \
			MUSTTAIL return (nb_)->insns[0].fn(h, (nb_)->insns);   \
		}                                                              \
	} while (0)

/* Ends the block at a computed target through the jump cache. */
#define JUMP(pcval)                                                            \
	do {                                                                   \
		uint64_t pc_ = (pcval);                                        \
		struct jcache_entry *e_ =                                      \
			&h->jcache[(pc_ >> 1) & JCACHE_MASK];                  \
		if (likely(e_->vpc == pc_ && e_->epoch == h->epoch &&          \
			   e_->block->priv == h->priv))                        \
			ENTER_BLOCK(e_->block);                                \
		EXIT(pc_);                                                     \
	} while (0)

/* Ends the block at a direct target; slot 0 = taken, 1 = fall-through.
   A known link (same page) is followed directly, else the jump cache. */
#define CHAIN(pcval, slot)                                                     \
	do {                                                                   \
		struct block *b_ = BLOCK_OF(i);                                \
		struct block *nb_ = b_->link[slot];                            \
		if (likely(nb_ != NULL))                                       \
			ENTER_BLOCK(nb_);                                      \
		uint64_t pc_ = (pcval);                                        \
		struct jcache_entry *e_ =                                      \
			&h->jcache[(pc_ >> 1) & JCACHE_MASK];                  \
		if (e_->vpc == pc_ && e_->epoch == h->epoch &&                 \
		    e_->block->priv == h->priv)                                \
			ENTER_BLOCK(e_->block);                                \
		h->pc = pc_;                                                   \
		h->last_block = b_;                                            \
		h->last_slot = (slot);                                         \
		return;                                                        \
	} while (0)

/* Raises an exception at insn i; the rest of its block did not retire. */
static inline void insn_trap(struct hart *h, const struct insn *i,
			     uint64_t cause, uint64_t tval)
{
	struct block *b = BLOCK_OF(i);
	h->instret -= b->n - i->idx;
	h->pc = b->vpc + i->pcoff;
	h->last_block = NULL;
	hart_raise(h, cause, tval);
}

/* The slow paths (mmu.c). Return 0 on success, -1 after recording the
   trap in h->fault_cause/fault_tval, 1 on success when the store
   dropped decoded code (the running block may be stale). */
int mem_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val);
int mem_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val);
/* Translate for an AMO/LR/SC: the access must be naturally aligned and
   is checked for write permission. Returns a host pointer or NULL. */
void *mem_amo_ptr(struct hart *h, uint64_t va, unsigned size, bool is_lr);

/* The TLB hit test: the tag holds a page-aligned VA; an access whose
   low bits are misaligned for its size never matches, so misaligned
   accesses take the slow path too. */
#define TLB_HIT(e, va, size)                                                   \
	((e)->tag == ((va) & ~(uint64_t)(0xfff & ~((size)-1))))

static inline const struct tlb_entry *dtlb(const struct tlb_entry *set,
					   uint64_t va)
{
	return &set[(va >> 12) & (TLB_SIZE - 1)];
}

static inline int load_fast(struct hart *h, uint64_t va, unsigned size,
			    uint64_t *val)
{
	const struct tlb_entry *e = dtlb(h->dtlb_read, va);
	if (likely(TLB_HIT(e, va, size))) {
		uint64_t v = 0;
		memcpy(&v, (void *)(e->addend + va), size);
		*val = v;
		return 0;
	}
	return mem_load_slow(h, va, size, val);
}

static inline int store_fast(struct hart *h, uint64_t va, unsigned size,
			     uint64_t val)
{
	const struct tlb_entry *e = dtlb(h->dtlb_write, va);
	if (likely(TLB_HIT(e, va, size))) {
		memcpy((void *)(e->addend + va), &val, size);
		return 0;
	}
	return mem_store_slow(h, va, size, val);
}

/* CSR access (csr.c). Return false for an illegal access. */
bool csr_read(struct hart *h, const struct insn *i, unsigned csr,
	      uint64_t *val);
bool csr_write(struct hart *h, const struct insn *i, unsigned csr,
	       uint64_t val);

/* trap.c */
bool hart_take_interrupt(struct hart *h);
void hart_set_priv(struct hart *h, int priv);

/* decode.c: fills *out for the instruction `raw`; returns its length. */
void decode_insn(struct insn *out, uint32_t raw, uint64_t pc);
bool insn_ends_block(const struct insn *i);

static inline bool fp_enabled(const struct hart *h)
{
	return (h->mstatus & MSTATUS_FS) != 0;
}

#define EXC_ILLEGAL_HERE()                                                     \
	do {                                                                   \
		insn_trap(h, i, EXC_ILLEGAL, (uint64_t)i->imm >> 32);          \
		return;                                                        \
	} while (0)

#include "ops.h"

#endif
