/*
 * RV64I and M handlers: ALU, shifts, multiply/divide, jumps, branches.
 * Operands were resolved at decode time; immediates and pc-relative
 * targets arrive precomputed in i->imm.
 */
#include "exec.h"

#define RR(name, expr)                                                         \
	OP(name)                                                               \
	{                                                                      \
		uint64_t a = X(i->rs1), b = X(i->rs2);                         \
		X(i->rd) = (expr);                                             \
		NEXT();                                                        \
	}
#define RI(name, expr)                                                         \
	OP(name)                                                               \
	{                                                                      \
		uint64_t a = X(i->rs1), b = (uint64_t)i->imm;                  \
		X(i->rd) = (expr);                                             \
		NEXT();                                                        \
	}
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(v))

RR(add, a + b)
RR(sub, a - b)
RR(sll, a << (b & 63))
RR(slt, (int64_t)a < (int64_t)b)
RR(sltu, a < b)
RR(xor, a ^ b)
RR(srl, a >> (b & 63))
RR(sra, (uint64_t)((int64_t)a >> (b & 63)))
RR(or, a | b)
RR(and, a &b)
RR(addw, SX32(a + b))
RR(subw, SX32(a - b))
RR(sllw, SX32((uint32_t)a << (b & 31)))
RR(srlw, SX32((uint32_t)a >> (b & 31)))
RR(sraw, SX32((int32_t)a >> (b & 31)))

RI(addi, a + b)
RI(slti, (int64_t)a < (int64_t)b)
RI(sltiu, a < b)
RI(xori, a ^ b)
RI(ori, a | b)
RI(andi, a &b)
RI(slli, a << b)
RI(srli, a >> b)
RI(srai, (uint64_t)((int64_t)a >> b))
RI(addiw, SX32(a + b))
RI(slliw, SX32((uint32_t)a << b))
RI(srliw, SX32((uint32_t)a >> b))
RI(sraiw, SX32((int32_t)a >> b))

/* lui and auipc: the value is fully known at decode time. */
OP(li)
{
	X(i->rd) = (uint64_t)i->imm;
	NEXT();
}

OP(mv)
{
	X(i->rd) = X(i->rs1);
	NEXT();
}

OP(nop)
{
	NEXT();
}

RR(mul, a *b)
RR(mulh, (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64))
RR(mulhsu, (uint64_t)(((__int128)(int64_t)a * (unsigned __int128)b) >> 64))
RR(mulhu, (uint64_t)(((unsigned __int128)a * b) >> 64))
RR(mulw, SX32((uint32_t)a *(uint32_t)b))

static inline uint64_t div_s(int64_t a, int64_t b)
{
	if (b == 0)
		return UINT64_MAX;
	if (a == INT64_MIN && b == -1)
		return (uint64_t)a;
	return (uint64_t)(a / b);
}
static inline uint64_t rem_s(int64_t a, int64_t b)
{
	if (b == 0)
		return (uint64_t)a;
	if (a == INT64_MIN && b == -1)
		return 0;
	return (uint64_t)(a % b);
}
static inline uint32_t divw_s(int32_t a, int32_t b)
{
	if (b == 0)
		return UINT32_MAX;
	if (a == INT32_MIN && b == -1)
		return (uint32_t)a;
	return (uint32_t)(a / b);
}
static inline uint32_t remw_s(int32_t a, int32_t b)
{
	if (b == 0)
		return (uint32_t)a;
	if (a == INT32_MIN && b == -1)
		return 0;
	return (uint32_t)(a % b);
}

RR(div, div_s((int64_t)a, (int64_t)b))
RR(divu, b ? a / b : UINT64_MAX)
RR(rem, rem_s((int64_t)a, (int64_t)b))
RR(remu, b ? a % b : a)
RR(divw, SX32(divw_s((int32_t)a, (int32_t)b)))
RR(divuw, SX32((uint32_t)b ? (uint32_t)a / (uint32_t)b : UINT32_MAX))
RR(remw, SX32(remw_s((int32_t)a, (int32_t)b)))
RR(remuw, SX32((uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a))

/* Control transfer. imm holds the absolute target. */
OP(jal)
{
	X(i->rd) = NEXT_PC(i);
	CHAIN((uint64_t)i->imm, 0);
}

OP(jalr)
{
	uint64_t target = (X(i->rs1) + (uint64_t)i->imm) & ~1ull;
	X(i->rd) = NEXT_PC(i);
	JUMP(target);
}

#define BRANCH(name, cond)                                                     \
	OP(name)                                                               \
	{                                                                      \
		uint64_t a = X(i->rs1), b = X(i->rs2);                         \
		if (cond)                                                      \
			CHAIN((uint64_t)i->imm, 0);                            \
		CHAIN(NEXT_PC(i), 1);                                          \
	}

BRANCH(beq, a == b)
BRANCH(bne, a != b)
BRANCH(blt, (int64_t)a < (int64_t)b)
BRANCH(bge, (int64_t)a >= (int64_t)b)
BRANCH(bltu, a < b)
BRANCH(bgeu, a >= b)

/* The end marker after a block's last insn: fall through. */
OP(block_end)
{
	CHAIN(PC_OF(i), 1);
}

OP(illegal)
{
	insn_trap(h, i, EXC_ILLEGAL, (uint64_t)i->imm >> 32);
}
