/*
 * A tiny x86-64 instruction encoder for the JIT tier (jit.c): only the
 * forms the translator uses. Memory operands are always [base + disp]
 * with an 8- or 32-bit displacement; no index registers.
 *
 * Emission past the end of the buffer is counted, not written: the
 * caller checks `full` once after emitting a whole block.
 */
#ifndef PVKIT_CPU_JIT_X86_H
#define PVKIT_CPU_JIT_X86_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum x86_reg {
	RAX,
	RCX,
	RDX,
	RBX,
	RSP,
	RBP,
	RSI,
	RDI,
	R8,
	R9,
	R10,
	R11,
	R12,
	R13,
	R14,
	R15,
};

/* condition codes (the low nibble of Jcc/SETcc) */
enum x86_cc {
	CC_B = 0x2,
	CC_AE = 0x3,
	CC_E = 0x4,
	CC_NE = 0x5,
	CC_L = 0xc,
	CC_GE = 0xd,
};

/* ALU group: the /digit of 81/83 and (digit << 3 | 3) as r, r/m opcode */
enum x86_alu {
	ALU_ADD = 0,
	ALU_OR = 1,
	ALU_AND = 4,
	ALU_SUB = 5,
	ALU_XOR = 6,
	ALU_CMP = 7,
};

/* shift group: the /digit of C1 and D3 */
enum x86_shift { SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

struct x86 {
	uint8_t *p, *end;
	bool full;
};

static inline void x_byte(struct x86 *a, unsigned b)
{
	if (a->p < a->end)
		*a->p++ = (uint8_t)b;
	else
		a->full = true;
}

static inline void x_u32(struct x86 *a, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		x_byte(a, (v >> (8 * k)) & 0xff);
}

static inline void x_u64(struct x86 *a, uint64_t v)
{
	for (int k = 0; k < 8; k++)
		x_byte(a, (v >> (8 * k)) & 0xff);
}

/* REX prefix: w = 64-bit operand; `force` for byte registers sil/dil. */
static inline void x_rex(struct x86 *a, bool w, int reg, int base, bool force)
{
	unsigned rex = 0x40 | (w ? 8 : 0) | ((reg >> 3) << 2) | (base >> 3);
	if (rex != 0x40 || force)
		x_byte(a, rex);
}

/* ModRM (+SIB) + displacement for [base + disp]. */
static inline void x_mem(struct x86 *a, int reg, int base, int32_t disp)
{
	bool d8 = disp == (int8_t)disp;
	x_byte(a, (d8 ? 0x40 : 0x80) | ((reg & 7) << 3) | (base & 7));
	if ((base & 7) == RSP)
		x_byte(a, 0x24);
	if (d8)
		x_byte(a, (uint8_t)disp);
	else
		x_u32(a, (uint32_t)disp);
}

/* opcode reg, [base + disp] (or the reverse, as the opcode says) */
static inline void x_rm(struct x86 *a, bool w, unsigned op0, int op1, int reg,
			int base, int32_t disp)
{
	x_rex(a, w, reg, base, false);
	x_byte(a, op0);
	if (op1 >= 0)
		x_byte(a, (unsigned)op1);
	x_mem(a, reg, base, disp);
}

/* opcode reg, rm with both operands registers */
static inline void x_rr(struct x86 *a, bool w, unsigned op0, int op1, int reg,
			int rm)
{
	x_rex(a, w, reg, rm, false);
	x_byte(a, op0);
	if (op1 >= 0)
		x_byte(a, (unsigned)op1);
	x_byte(a, 0xc0 | ((reg & 7) << 3) | (rm & 7));
}

/* mov reg, [base + disp] (w: 64-bit, else 32-bit zero-extending) */
static inline void x_load(struct x86 *a, bool w, int reg, int base,
			  int32_t disp)
{
	x_rm(a, w, 0x8b, -1, reg, base, disp);
}

/* mov [base + disp], reg */
static inline void x_store(struct x86 *a, bool w, int base, int32_t disp,
			   int reg)
{
	x_rm(a, w, 0x89, -1, reg, base, disp);
}

/* Loads of 1/2/4/8 bytes into a 64-bit register, sign- or zero-
   extended: movsx/movzx/movsxd/mov. */
static inline void x_load_ext(struct x86 *a, int reg, int base, int32_t disp,
			      unsigned size, bool sign)
{
	switch (size) {
	case 1: x_rm(a, sign, 0x0f, sign ? 0xbe : 0xb6, reg, base, disp); break;
	case 2: x_rm(a, sign, 0x0f, sign ? 0xbf : 0xb7, reg, base, disp); break;
	case 4:
		if (sign)
			x_rm(a, true, 0x63, -1, reg, base, disp);
		else
			x_load(a, false, reg, base, disp);
		break;
	default: x_load(a, true, reg, base, disp); break;
	}
}

/* Stores of the low 1/2/4/8 bytes of reg. */
static inline void x_store_sized(struct x86 *a, int base, int32_t disp, int reg,
				 unsigned size)
{
	switch (size) {
	case 1:
		x_rex(a, false, reg, base, true); /* REX: sil/dil, not dh/bh */
		x_byte(a, 0x88);
		x_mem(a, reg, base, disp);
		break;
	case 2:
		x_byte(a, 0x66);
		x_store(a, false, base, disp, reg);
		break;
	case 4: x_store(a, false, base, disp, reg); break;
	default: x_store(a, true, base, disp, reg); break;
	}
}

/* alu reg, [base + disp] */
static inline void x_alu_rm(struct x86 *a, bool w, enum x86_alu op, int reg,
			    int base, int32_t disp)
{
	x_rm(a, w, ((unsigned)op << 3) | 3, -1, reg, base, disp);
}

/* alu reg, rm */
static inline void x_alu_rr(struct x86 *a, bool w, enum x86_alu op, int reg,
			    int rm)
{
	x_rr(a, w, ((unsigned)op << 3) | 3, -1, reg, rm);
}

/* alu reg, imm (sign-extended imm8 or imm32) */
static inline void x_alu_ri(struct x86 *a, bool w, enum x86_alu op, int reg,
			    int32_t imm)
{
	bool i8 = imm == (int8_t)imm;
	x_rr(a, w, i8 ? 0x83 : 0x81, -1, (int)op, reg);
	if (i8)
		x_byte(a, (uint8_t)imm);
	else
		x_u32(a, (uint32_t)imm);
}

/* shift reg, imm8 / shift reg, cl */
static inline void x_shift_ri(struct x86 *a, bool w, enum x86_shift op, int reg,
			      unsigned imm)
{
	x_rr(a, w, 0xc1, -1, (int)op, reg);
	x_byte(a, imm);
}
static inline void x_shift_cl(struct x86 *a, bool w, enum x86_shift op, int reg)
{
	x_rr(a, w, 0xd3, -1, (int)op, reg);
}

/* mov reg, imm: the shortest form that gives the 64-bit value */
static inline void x_mov_ri(struct x86 *a, int reg, uint64_t imm)
{
	if (imm <= UINT32_MAX) { /* mov r32, imm32 zero-extends */
		x_rex(a, false, 0, reg, false);
		x_byte(a, 0xb8 + (reg & 7));
		x_u32(a, (uint32_t)imm);
	} else if ((int64_t)imm == (int32_t)imm) { /* sign-extended imm32 */
		x_rr(a, true, 0xc7, -1, 0, reg);
		x_u32(a, (uint32_t)imm);
	} else {
		x_rex(a, true, 0, reg, false);
		x_byte(a, 0xb8 + (reg & 7));
		x_u64(a, imm);
	}
}

/* mov qword [base + disp], simm32 */
static inline void x_store_imm32(struct x86 *a, int base, int32_t disp,
				 int32_t imm)
{
	x_rm(a, true, 0xc7, -1, 0, base, disp);
	x_u32(a, (uint32_t)imm);
}

/* movsxd reg, reg32: sign-extends a W result */
static inline void x_movsxd(struct x86 *a, int dst, int src)
{
	x_rr(a, true, 0x63, -1, dst, src);
}

/* setcc al-style byte reg, then movzx reg32, reg8 */
static inline void x_setcc_zx(struct x86 *a, enum x86_cc cc, int reg)
{
	x_rex(a, false, 0, reg, reg >= 4);
	x_byte(a, 0x0f);
	x_byte(a, 0x90 | cc);
	x_byte(a, 0xc0 | (reg & 7));
	x_rex(a, false, reg, reg, reg >= 4);
	x_byte(a, 0x0f);
	x_byte(a, 0xb6);
	x_byte(a, 0xc0 | ((reg & 7) << 3) | (reg & 7));
}

/* Jumps. Forward ones return the rel32 field for x_patch. */
static inline uint8_t *x_jcc_fwd(struct x86 *a, enum x86_cc cc)
{
	x_byte(a, 0x0f);
	x_byte(a, 0x80 | cc);
	uint8_t *field = a->p;
	x_u32(a, 0);
	return field;
}
static inline uint8_t *x_jmp_fwd(struct x86 *a)
{
	x_byte(a, 0xe9);
	uint8_t *field = a->p;
	x_u32(a, 0);
	return field;
}
/* Points a rel32 field at target. A field that did not fit the buffer
   is left alone: the whole block is discarded then anyway. */
static inline void x_patch(struct x86 *a, uint8_t *field, const void *target)
{
	if (field + 4 > a->end || a->full)
		return;
	int32_t rel = (int32_t)((const uint8_t *)target - (field + 4));
	memcpy(field, &rel, 4);
}
static inline void x_jcc(struct x86 *a, enum x86_cc cc, const void *target)
{
	x_patch(a, x_jcc_fwd(a, cc), target);
}
static inline void x_jmp(struct x86 *a, const void *target)
{
	x_patch(a, x_jmp_fwd(a), target);
}

/* call reg / jmp reg */
static inline void x_call_r(struct x86 *a, int reg)
{
	x_rr(a, false, 0xff, -1, 2, reg);
}
static inline void x_jmp_r(struct x86 *a, int reg)
{
	x_rr(a, false, 0xff, -1, 4, reg);
}

static inline void x_push(struct x86 *a, int reg)
{
	x_rex(a, false, 0, reg, false);
	x_byte(a, 0x50 + (reg & 7));
}
static inline void x_pop(struct x86 *a, int reg)
{
	x_rex(a, false, 0, reg, false);
	x_byte(a, 0x58 + (reg & 7));
}

#endif
