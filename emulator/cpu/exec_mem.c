/*
 * Loads, stores and the A extension. Loads and stores hit the TLB's
 * host-pointer fast path; everything else (misses, misalignment, MMIO,
 * code and watched pages) goes through the slow path in mmu.c.
 */
#include "exec.h"

/* Integer loads and stores keep their TLB hit inline and leave misses
   to one shared handler each, so the hit path needs no stack frame.
   rs2 of a load (unused otherwise) holds its size and signedness. */
enum { MEM_SIGNED = 16 };

static uint64_t extend(uint64_t v, unsigned kind)
{
	switch (kind) {
	case 1 | MEM_SIGNED: return (uint64_t)(int64_t)(int8_t)v;
	case 2 | MEM_SIGNED: return (uint64_t)(int64_t)(int16_t)v;
	case 4 | MEM_SIGNED: return (uint64_t)(int64_t)(int32_t)v;
	}
	return v;
}

OP(load_slow)
{
	uint64_t va = X(i->rs1) + (uint64_t)i->imm, v;
	if (mem_load_slow(h, va, i->rs2 & 15, &v)) {
		insn_trap(h, i, h->fault_cause, h->fault_tval);
		return;
	}
	X(i->rd) = extend(v, i->rs2);
	NEXT();
}

#define LOAD(name, type)                                                       \
	OP(name)                                                               \
	{                                                                      \
		uint64_t va = X(i->rs1) + (uint64_t)i->imm;                    \
		const struct tlb_entry *e = dtlb(h->dtlb_read, va);            \
		if (unlikely(!TLB_HIT(e, va, sizeof(type))))                   \
			MUSTTAIL return op_load_slow(h, i);                    \
		type v;                                                        \
		memcpy(&v, (void *)(e->addend + va), sizeof(type));            \
		X(i->rd) = (uint64_t)(int64_t)v;                               \
		NEXT();                                                        \
	}

LOAD(lb, int8_t)
LOAD(lh, int16_t)
LOAD(lw, int32_t)
LOAD(ld, int64_t)
LOAD(lbu, uint8_t)
LOAD(lhu, uint16_t)
LOAD(lwu, uint32_t)

/* A store that dropped decoded code may have rewritten this very block:
   continue from the dispatcher, which decodes afresh. */
OP(store_slow)
{
	uint64_t va = X(i->rs1) + (uint64_t)i->imm;
	int r = mem_store_slow(h, va, i->rs3, X(i->rs2));
	if (unlikely(r)) {
		if (r < 0) {
			insn_trap(h, i, h->fault_cause, h->fault_tval);
			return;
		}
		h->instret -= BLOCK_OF(i)->n - i->idx - 1;
		EXIT(NEXT_PC(i));
	}
	NEXT();
}

#define STORE(name, type)                                                      \
	OP(name)                                                               \
	{                                                                      \
		uint64_t va = X(i->rs1) + (uint64_t)i->imm;                    \
		const struct tlb_entry *e = dtlb(h->dtlb_write, va);           \
		if (unlikely(!TLB_HIT(e, va, sizeof(type))))                   \
			MUSTTAIL return op_store_slow(h, i);                   \
		type v = (type)X(i->rs2);                                      \
		memcpy((void *)(e->addend + va), &v, sizeof(type));            \
		NEXT();                                                        \
	}

STORE(sb, uint8_t)
STORE(sh, uint16_t)
STORE(sw, uint32_t)
STORE(sd, uint64_t)

/* A: aq/rl need nothing on a single in-order hart. */

#define LR(name, size, conv)                                                   \
	OP(name)                                                               \
	{                                                                      \
		uint64_t va = X(i->rs1);                                       \
		void *p = mem_amo_ptr(h, va, size, true);                      \
		if (!p) {                                                      \
			insn_trap(h, i, h->fault_cause, h->fault_tval);        \
			return;                                                \
		}                                                              \
		uint64_t v = 0;                                                \
		memcpy(&v, p, size);                                           \
		h->lr_addr = va;                                               \
		h->lr_value = v;                                               \
		X(i->rd) = conv;                                               \
		NEXT();                                                        \
	}

LR(lr_w, 4, (uint64_t)(int64_t)(int32_t)v)
LR(lr_d, 8, v)

/* The reservation holds while the reserved word still has the value LR
   saw: stores by this hart to it, traps and xRET all clear it; DMA that
   changes it makes the SC fail, as a real reservation would. */
#define SC(name, size)                                                         \
	OP(name)                                                               \
	{                                                                      \
		uint64_t va = X(i->rs1);                                       \
		void *p = mem_amo_ptr(h, va, size, false);                     \
		if (!p) {                                                      \
			insn_trap(h, i, h->fault_cause, h->fault_tval);        \
			return;                                                \
		}                                                              \
		uint64_t cur = 0;                                              \
		memcpy(&cur, p, size);                                         \
		bool ok = h->lr_addr == va && cur == h->lr_value;              \
		h->lr_addr = LR_NONE;                                          \
		if (ok) {                                                      \
			uint64_t v = X(i->rs2);                                \
			memcpy(p, &v, size);                                   \
		}                                                              \
		X(i->rd) = !ok;                                                \
		NEXT();                                                        \
	}

SC(sc_w, 4)
SC(sc_d, 8)

#define AMO(name, type, expr)                                                  \
	OP(name)                                                               \
	{                                                                      \
		uint64_t va = X(i->rs1);                                       \
		void *p = mem_amo_ptr(h, va, sizeof(type), false);             \
		if (!p) {                                                      \
			insn_trap(h, i, h->fault_cause, h->fault_tval);        \
			return;                                                \
		}                                                              \
		type a, b = (type)X(i->rs2), r;                                \
		memcpy(&a, p, sizeof(type));                                   \
		r = (expr);                                                    \
		memcpy(p, &r, sizeof(type));                                   \
		X(i->rd) = (uint64_t)(int64_t)a;                               \
		NEXT();                                                        \
	}

#define AMO_BOTH(name, expr_w, expr_d)                                         \
	AMO(name##_w, int32_t, expr_w)                                         \
	AMO(name##_d, int64_t, expr_d)

AMO_BOTH(amoswap, b, b)
AMO_BOTH(amoadd, (int32_t)((uint32_t)a + (uint32_t)b),
	 (int64_t)((uint64_t)a + (uint64_t)b))
AMO_BOTH(amoxor, a ^ b, a ^ b)
AMO_BOTH(amoand, a &b, a &b)
AMO_BOTH(amoor, a | b, a | b)
AMO_BOTH(amomin, a < b ? a : b, a < b ? a : b)
AMO_BOTH(amomax, a > b ? a : b, a > b ? a : b)
AMO_BOTH(amominu, (uint32_t)a < (uint32_t)b ? a : b,
	 (uint64_t)a < (uint64_t)b ? a : b)
AMO_BOTH(amomaxu, (uint32_t)a > (uint32_t)b ? a : b,
	 (uint64_t)a > (uint64_t)b ? a : b)
