/*
 * IEEE-754 binary32/binary64 semantics for the RISC-V F and D extensions.
 *
 * Pure functions on raw bit patterns: no hart state, no global mutable
 * state. The hart interpreter resolves the rounding mode (static rm or
 * fcsr.frm) before calling, ORs the returned flags into fcsr.fflags, and
 * does sign injection and NaN-boxing itself.
 *
 * Two implementations sit behind one interface:
 *  - a host fast path (x86-64 SSE/FMA3, MXCSR set and read inside one asm
 *    statement) for add/sub/mul/div/sqrt/fma in RNE/RTZ/RDN/RUP;
 *  - an exact integer software path (fpu_soft.c) for everything else: RMM,
 *    hosts without the fast path, FMA on CPUs without FMA3, all
 *    conversions, and as the reference the unit tests cross-check the
 *    host against.
 * min/max, comparisons and fclass are plain integer code.
 *
 * RISC-V rules followed: every NaN result is the canonical NaN; tininess
 * is detected after rounding and UF needs tiny and inexact; FMA raises NV
 * for inf*0 even when the addend is a quiet NaN; float-to-integer
 * conversions saturate (NaN -> largest positive) and raise NV, not NX,
 * when the value is out of range.
 */
#ifndef PVKIT_CPU_FPU_H
#define PVKIT_CPU_FPU_H

#include <stdint.h>

enum fpu_rm { FPU_RNE = 0, FPU_RTZ = 1, FPU_RDN = 2, FPU_RUP = 3, FPU_RMM = 4 };

/* accrued exception flags, fcsr.fflags bit layout */
enum { FPU_NX = 1, FPU_UF = 2, FPU_OF = 4, FPU_DZ = 8, FPU_NV = 16 };

/* fused multiply-add variants (the `op` argument of f32_fma/f64_fma) */
enum { FPU_FMADD = 0, FPU_FMSUB = 1, FPU_FNMSUB = 2, FPU_FNMADD = 3 };

#define F32_CANONICAL_NAN 0x7fc00000u
#define F64_CANONICAL_NAN 0x7ff8000000000000ull

/* fclass result bits */
enum {
	FPU_CLASS_NEG_INF = 1 << 0,
	FPU_CLASS_NEG_NORMAL = 1 << 1,
	FPU_CLASS_NEG_SUBNORMAL = 1 << 2,
	FPU_CLASS_NEG_ZERO = 1 << 3,
	FPU_CLASS_POS_ZERO = 1 << 4,
	FPU_CLASS_POS_SUBNORMAL = 1 << 5,
	FPU_CLASS_POS_NORMAL = 1 << 6,
	FPU_CLASS_POS_INF = 1 << 7,
	FPU_CLASS_SNAN = 1 << 8,
	FPU_CLASS_QNAN = 1 << 9,
};

/*
 * Values are raw IEEE bit patterns. rm is an already-resolved static mode
 * 0..4 (anything else is treated as RNE). Each function ORs the flags it
 * raises into *flags and never clears any.
 */

/* ---- binary32 ---- */
uint32_t f32_add(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_sub(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_mul(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_div(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_sqrt(uint32_t a, int rm, uint32_t *flags);
/* rounded once: op FMADD a*b+c, FMSUB a*b-c, FNMSUB -(a*b)+c, FNMADD -(a*b)-c */
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, int op, int rm,
		 uint32_t *flags);
uint32_t f32_min(uint32_t a, uint32_t b, uint32_t *flags);
uint32_t f32_max(uint32_t a, uint32_t b, uint32_t *flags);
int f32_eq(uint32_t a, uint32_t b, uint32_t *flags); /* quiet */
int f32_lt(uint32_t a, uint32_t b, uint32_t *flags); /* signalling */
int f32_le(uint32_t a, uint32_t b, uint32_t *flags); /* signalling */
uint32_t f32_classify(uint32_t a);
int32_t f32_to_i32(uint32_t a, int rm, uint32_t *flags);
uint32_t f32_to_u32(uint32_t a, int rm, uint32_t *flags);
int64_t f32_to_i64(uint32_t a, int rm, uint32_t *flags);
uint64_t f32_to_u64(uint32_t a, int rm, uint32_t *flags);
uint32_t i32_to_f32(int32_t v, int rm, uint32_t *flags);
uint32_t u32_to_f32(uint32_t v, int rm, uint32_t *flags);
uint32_t i64_to_f32(int64_t v, int rm, uint32_t *flags);
uint32_t u64_to_f32(uint64_t v, int rm, uint32_t *flags);
uint64_t f32_to_f64(uint32_t a, uint32_t *flags);

/* ---- binary64 ---- */
uint64_t f64_add(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_sub(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_mul(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_div(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_sqrt(uint64_t a, int rm, uint32_t *flags);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, int op, int rm,
		 uint32_t *flags);
uint64_t f64_min(uint64_t a, uint64_t b, uint32_t *flags);
uint64_t f64_max(uint64_t a, uint64_t b, uint32_t *flags);
int f64_eq(uint64_t a, uint64_t b, uint32_t *flags);
int f64_lt(uint64_t a, uint64_t b, uint32_t *flags);
int f64_le(uint64_t a, uint64_t b, uint32_t *flags);
uint32_t f64_classify(uint64_t a);
int32_t f64_to_i32(uint64_t a, int rm, uint32_t *flags);
uint32_t f64_to_u32(uint64_t a, int rm, uint32_t *flags);
int64_t f64_to_i64(uint64_t a, int rm, uint32_t *flags);
uint64_t f64_to_u64(uint64_t a, int rm, uint32_t *flags);
uint64_t i32_to_f64(int32_t v, int rm, uint32_t *flags);
uint64_t u32_to_f64(uint32_t v, int rm, uint32_t *flags);
uint64_t i64_to_f64(int64_t v, int rm, uint32_t *flags);
uint64_t u64_to_f64(uint64_t v, int rm, uint32_t *flags);
uint32_t f64_to_f32(uint64_t a, int rm, uint32_t *flags);

/*
 * The software path on its own (fpu_soft.c). Same contract as the
 * functions above, for every rounding mode; the public arithmetic
 * functions call these whenever the host path cannot give the RISC-V
 * answer. Exposed so the unit tests can cross-check the two paths.
 */
uint32_t f32_add_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_sub_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_mul_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_div_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t f32_sqrt_soft(uint32_t a, int rm, uint32_t *flags);
uint32_t f32_fma_soft(uint32_t a, uint32_t b, uint32_t c, int op, int rm,
		      uint32_t *flags);
uint64_t f64_add_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_sub_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_mul_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_div_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t f64_sqrt_soft(uint64_t a, int rm, uint32_t *flags);
uint64_t f64_fma_soft(uint64_t a, uint64_t b, uint64_t c, int op, int rm,
		      uint32_t *flags);

/* Which operations have a host fast path on this build and CPU. */
enum { FPU_HOST_BASIC = 1, /* add/sub/mul/div/sqrt */ FPU_HOST_FMA = 2 };
unsigned fpu_host_paths(void);

#endif /* PVKIT_CPU_FPU_H */
