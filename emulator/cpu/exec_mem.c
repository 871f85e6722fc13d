/*
 * Loads, stores and the A extension. Loads and stores hit the TLB's
 * host-pointer fast path; everything else (misses, misalignment, MMIO,
 * code and watched pages) goes through the slow path in mmu.c.
 */
#include "exec.h"

#define LOAD(name, size, conv)                                             \
	OP(name)                                                           \
	{                                                                  \
		uint64_t va = X(i->rs1) + (uint64_t)i->imm, v;             \
		if (unlikely(load_fast(h, va, size, &v))) {                \
			insn_trap(h, i, h->fault_cause, h->fault_tval);    \
			return;                                            \
		}                                                          \
		X(i->rd) = conv;                                           \
		NEXT();                                                    \
	}

LOAD(lb, 1, (uint64_t)(int64_t)(int8_t)v)
LOAD(lh, 2, (uint64_t)(int64_t)(int16_t)v)
LOAD(lw, 4, (uint64_t)(int64_t)(int32_t)v)
LOAD(ld, 8, v)
LOAD(lbu, 1, v)
LOAD(lhu, 2, v)
LOAD(lwu, 4, v)

/* A store that dropped decoded code may have rewritten this very block:
   continue from the dispatcher, which decodes afresh. */
#define STORE_DONE(r)                                                      \
	do {                                                               \
		if (unlikely(r)) {                                         \
			if ((r) < 0) {                                     \
				insn_trap(h, i, h->fault_cause,            \
					  h->fault_tval);                  \
				return;                                    \
			}                                                  \
			h->instret -= BLOCK_OF(i)->n - i->idx - 1;         \
			EXIT(NEXT_PC(i));                                  \
		}                                                          \
		NEXT();                                                    \
	} while (0)

#define STORE(name, size)                                                  \
	OP(name)                                                           \
	{                                                                  \
		uint64_t va = X(i->rs1) + (uint64_t)i->imm;                \
		int r = store_fast(h, va, size, X(i->rs2));                \
		STORE_DONE(r);                                             \
	}

STORE(sb, 1)
STORE(sh, 2)
STORE(sw, 4)
STORE(sd, 8)

/* A: aq/rl need nothing on a single in-order hart. */

#define LR(name, size, conv)                                               \
	OP(name)                                                           \
	{                                                                  \
		uint64_t va = X(i->rs1);                                   \
		void *p = mem_amo_ptr(h, va, size, true);                  \
		if (!p) {                                                  \
			insn_trap(h, i, h->fault_cause, h->fault_tval);    \
			return;                                            \
		}                                                          \
		uint64_t v = 0;                                            \
		memcpy(&v, p, size);                                       \
		h->lr_addr = va;                                           \
		h->lr_value = v;                                           \
		X(i->rd) = conv;                                           \
		NEXT();                                                    \
	}

LR(lr_w, 4, (uint64_t)(int64_t)(int32_t)v)
LR(lr_d, 8, v)

/* The reservation holds while the reserved word still has the value LR
   saw: stores by this hart to it, traps and xRET all clear it; DMA that
   changes it makes the SC fail, as a real reservation would. */
#define SC(name, size)                                                     \
	OP(name)                                                           \
	{                                                                  \
		uint64_t va = X(i->rs1);                                   \
		void *p = mem_amo_ptr(h, va, size, false);                 \
		if (!p) {                                                  \
			insn_trap(h, i, h->fault_cause, h->fault_tval);    \
			return;                                            \
		}                                                          \
		uint64_t cur = 0;                                          \
		memcpy(&cur, p, size);                                     \
		bool ok = h->lr_addr == va && cur == h->lr_value;          \
		h->lr_addr = LR_NONE;                                      \
		if (ok) {                                                  \
			uint64_t v = X(i->rs2);                            \
			memcpy(p, &v, size);                               \
		}                                                          \
		X(i->rd) = !ok;                                            \
		NEXT();                                                    \
	}

SC(sc_w, 4)
SC(sc_d, 8)

#define AMO(name, type, expr)                                              \
	OP(name)                                                           \
	{                                                                  \
		uint64_t va = X(i->rs1);                                   \
		void *p = mem_amo_ptr(h, va, sizeof(type), false);         \
		if (!p) {                                                  \
			insn_trap(h, i, h->fault_cause, h->fault_tval);    \
			return;                                            \
		}                                                          \
		type a, b = (type)X(i->rs2), r;                            \
		memcpy(&a, p, sizeof(type));                               \
		r = (expr);                                                \
		memcpy(p, &r, sizeof(type));                               \
		X(i->rd) = (uint64_t)(int64_t)a;                           \
		NEXT();                                                    \
	}

#define AMO_BOTH(name, expr_w, expr_d)                                     \
	AMO(name##_w, int32_t, expr_w)                                     \
	AMO(name##_d, int64_t, expr_d)

AMO_BOTH(amoswap, b, b)
AMO_BOTH(amoadd, (int32_t)((uint32_t)a + (uint32_t)b),
	 (int64_t)((uint64_t)a + (uint64_t)b))
AMO_BOTH(amoxor, a ^ b, a ^ b)
AMO_BOTH(amoand, a & b, a & b)
AMO_BOTH(amoor, a | b, a | b)
AMO_BOTH(amomin, a < b ? a : b, a < b ? a : b)
AMO_BOTH(amomax, a > b ? a : b, a > b ? a : b)
AMO_BOTH(amominu, (uint32_t)a < (uint32_t)b ? a : b,
	 (uint64_t)a < (uint64_t)b ? a : b)
AMO_BOTH(amomaxu, (uint32_t)a > (uint32_t)b ? a : b,
	 (uint64_t)a > (uint64_t)b ? a : b)
