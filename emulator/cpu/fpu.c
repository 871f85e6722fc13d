/*
 * RISC-V F/D floating-point semantics: public entry points, the host fast
 * path, and the integer-only operations (min/max, compares, fclass).
 *
 * Host fast path (x86-64 only): add/sub/mul/div/sqrt, and fma when the CPU
 * has FMA3, in RNE/RTZ/RDN/RUP. Each is one asm statement that loads
 * MXCSR (rounding mode, all exceptions masked, flags clear, FTZ/DAZ off),
 * runs the single SSE instruction, stores MXCSR to read the flags and
 * loads the default MXCSR (round to nearest, flags clear) back. Being one
 * asm statement, the compiler cannot fold, hoist or reorder the
 * arithmetic around the mode switch, which a <fenv.h> sequence would need
 * -frounding-math for (GCC ignores `#pragma STDC FENV_ACCESS`). SSE
 * matches RISC-V where it is used: tininess is detected after rounding,
 * masked underflow is flagged only when tiny and inexact, sNaN operands
 * and invalid operations raise invalid, and NaN results are replaced by
 * the canonical NaN here. fma with a NaN operand goes to the software
 * path (RISC-V wants NV for inf*0+qNaN). RMM, every conversion, and hosts
 * without the fast path use the exact software path in fpu_soft.c; the
 * unit tests cross-check the two paths on millions of operands.
 */
#include "fpu.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && !defined(PVKIT_FPU_SOFT_ONLY)
#define FPU_HOST 1
#else
#define FPU_HOST 0
#endif

#if FPU_HOST

/* MXCSR: all exceptions masked (bits 7..12), FTZ/DAZ off, flags clear,
 * rounding control in bits 13..14 indexed by enum fpu_rm (RNE..RUP). */
static const uint32_t mxcsr_rm[4] = {0x1f80, 0x7f80, 0x3f80, 0x5f80};

static inline uint32_t mxcsr_flags(uint32_t m)
{
	return ((m & 0x01) << 4)    /* IE -> NV */
	       | ((m & 0x04) << 1)  /* ZE -> DZ */
	       | ((m & 0x08) >> 1)  /* OE -> OF */
	       | ((m & 0x10) >> 3)  /* UE -> UF */
	       | ((m & 0x20) >> 5); /* PE -> NX */
}

static inline int host_rm_ok(int rm)
{
	return (unsigned)rm < 4;
}

#define HOST_BINOP(name, T, insn)                                              \
	static inline T name(T a, T b, int rm, uint32_t *flags)                \
	{                                                                      \
		uint32_t st;                                                   \
		__asm__ volatile("ldmxcsr %[cs]\n\t" insn " %[b], %[a]\n\t"    \
				 "stmxcsr %[st]\n\t"                           \
				 "ldmxcsr %[df]"                               \
				 : [a] "+x"(a), [st] "=m"(st)                  \
				 : [b] "x"(b), [cs] "m"(mxcsr_rm[rm]),         \
				   [df] "m"(mxcsr_rm[FPU_RNE]));               \
		*flags |= mxcsr_flags(st);                                     \
		return a;                                                      \
	}

HOST_BINOP(host_addss, float, "addss")
HOST_BINOP(host_subss, float, "subss")
HOST_BINOP(host_mulss, float, "mulss")
HOST_BINOP(host_divss, float, "divss")
HOST_BINOP(host_sqrtss, float, "sqrtss") /* a = sqrt(b) */
HOST_BINOP(host_addsd, double, "addsd")
HOST_BINOP(host_subsd, double, "subsd")
HOST_BINOP(host_mulsd, double, "mulsd")
HOST_BINOP(host_divsd, double, "divsd")
HOST_BINOP(host_sqrtsd, double, "sqrtsd")

/* c = a * b + c, one rounding (FMA3) */
#define HOST_FMA(name, T, insn)                                                \
	static inline T name(T a, T b, T c, int rm, uint32_t *flags)           \
	{                                                                      \
		uint32_t st;                                                   \
		__asm__ volatile(                                              \
			"ldmxcsr %[cs]\n\t" insn " %[b], %[a], %[c]\n\t"       \
			"stmxcsr %[st]\n\t"                                    \
			"ldmxcsr %[df]"                                        \
			: [c] "+x"(c), [st] "=m"(st)                           \
			: [a] "x"(a), [b] "x"(b), [cs] "m"(mxcsr_rm[rm]),      \
			  [df] "m"(mxcsr_rm[FPU_RNE]));                        \
		*flags |= mxcsr_flags(st);                                     \
		return c;                                                      \
	}

HOST_FMA(host_fmass, float, "vfmadd231ss")
HOST_FMA(host_fmasd, double, "vfmadd231sd")

static inline int host_has_fma(void)
{
	return __builtin_cpu_supports("fma");
}

static inline float f32_val(uint32_t x)
{
	float f;

	memcpy(&f, &x, sizeof f);
	return f;
}

static inline uint32_t f32_bits(float f)
{
	uint32_t x;

	memcpy(&x, &f, sizeof x);
	/* any NaN the host produced becomes the canonical NaN */
	if ((x & 0x7fffffffu) > 0x7f800000u)
		x = F32_CANONICAL_NAN;
	return x;
}

static inline double f64_val(uint64_t x)
{
	double f;

	memcpy(&f, &x, sizeof f);
	return f;
}

static inline uint64_t f64_bits(double f)
{
	uint64_t x;

	memcpy(&x, &f, sizeof x);
	if ((x & 0x7fffffffffffffffull) > 0x7ff0000000000000ull)
		x = F64_CANONICAL_NAN;
	return x;
}

#define HOST_ENTRY_F32(name, hostfn)                                           \
	uint32_t f32_##name(uint32_t a, uint32_t b, int rm, uint32_t *flags)   \
	{                                                                      \
		if (host_rm_ok(rm))                                            \
			return f32_bits(                                       \
				hostfn(f32_val(a), f32_val(b), rm, flags));    \
		return f32_##name##_soft(a, b, rm, flags);                     \
	}
#define HOST_ENTRY_F64(name, hostfn)                                           \
	uint64_t f64_##name(uint64_t a, uint64_t b, int rm, uint32_t *flags)   \
	{                                                                      \
		if (host_rm_ok(rm))                                            \
			return f64_bits(                                       \
				hostfn(f64_val(a), f64_val(b), rm, flags));    \
		return f64_##name##_soft(a, b, rm, flags);                     \
	}

HOST_ENTRY_F32(add, host_addss)
HOST_ENTRY_F32(sub, host_subss)
HOST_ENTRY_F32(mul, host_mulss)
HOST_ENTRY_F32(div, host_divss)
HOST_ENTRY_F64(add, host_addsd)
HOST_ENTRY_F64(sub, host_subsd)
HOST_ENTRY_F64(mul, host_mulsd)
HOST_ENTRY_F64(div, host_divsd)

uint32_t f32_sqrt(uint32_t a, int rm, uint32_t *flags)
{
	if (host_rm_ok(rm))
		return f32_bits(host_sqrtss(0.0f, f32_val(a), rm, flags));
	return f32_sqrt_soft(a, rm, flags);
}

uint64_t f64_sqrt(uint64_t a, int rm, uint32_t *flags)
{
	if (host_rm_ok(rm))
		return f64_bits(host_sqrtsd(0.0, f64_val(a), rm, flags));
	return f64_sqrt_soft(a, rm, flags);
}

static inline int f32_nan(uint32_t x)
{
	return (x & 0x7fffffffu) > 0x7f800000u;
}

static inline int f64_nan(uint64_t x)
{
	return (x & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}

uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, int op, int rm,
		 uint32_t *flags)
{
	if (host_rm_ok(rm) && !f32_nan(a) && !f32_nan(b) && !f32_nan(c) &&
	    host_has_fma()) {
		/* negating an operand's sign is exact, also for zeros */
		if (op & 2)
			a ^= 0x80000000u;
		if (op & 1)
			c ^= 0x80000000u;
		return f32_bits(host_fmass(f32_val(a), f32_val(b), f32_val(c),
					   rm, flags));
	}
	return f32_fma_soft(a, b, c, op, rm, flags);
}

uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, int op, int rm,
		 uint32_t *flags)
{
	if (host_rm_ok(rm) && !f64_nan(a) && !f64_nan(b) && !f64_nan(c) &&
	    host_has_fma()) {
		if (op & 2)
			a ^= 0x8000000000000000ull;
		if (op & 1)
			c ^= 0x8000000000000000ull;
		return f64_bits(host_fmasd(f64_val(a), f64_val(b), f64_val(c),
					   rm, flags));
	}
	return f64_fma_soft(a, b, c, op, rm, flags);
}

unsigned fpu_host_paths(void)
{
	return FPU_HOST_BASIC | (host_has_fma() ? FPU_HOST_FMA : 0);
}

#else /* !FPU_HOST: everything in software */

#define SOFT_ENTRY(T, name)                                                    \
	T name(T a, T b, int rm, uint32_t *flags)                              \
	{                                                                      \
		return name##_soft(a, b, rm, flags);                           \
	}

SOFT_ENTRY(uint32_t, f32_add)
SOFT_ENTRY(uint32_t, f32_sub)
SOFT_ENTRY(uint32_t, f32_mul)
SOFT_ENTRY(uint32_t, f32_div)
SOFT_ENTRY(uint64_t, f64_add)
SOFT_ENTRY(uint64_t, f64_sub)
SOFT_ENTRY(uint64_t, f64_mul)
SOFT_ENTRY(uint64_t, f64_div)

uint32_t f32_sqrt(uint32_t a, int rm, uint32_t *flags)
{
	return f32_sqrt_soft(a, rm, flags);
}

uint64_t f64_sqrt(uint64_t a, int rm, uint32_t *flags)
{
	return f64_sqrt_soft(a, rm, flags);
}

uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, int op, int rm,
		 uint32_t *flags)
{
	return f32_fma_soft(a, b, c, op, rm, flags);
}

uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, int op, int rm,
		 uint32_t *flags)
{
	return f64_fma_soft(a, b, c, op, rm, flags);
}

unsigned fpu_host_paths(void)
{
	return 0;
}

#endif /* FPU_HOST */

/* ---- min/max, compares, fclass: integer code on the bit patterns ---- */

/*
 * Map a non-NaN bit pattern to an unsigned key whose order is the numeric
 * order, with -0 just below +0 (what min/max want).
 */
#define ORDER_KEY(x, signbit) ((x) & (signbit) ? ~(x) : (x) | (signbit))

#define MINMAX(T, fmt, SIGN, QBIT, EXPMASK, CANON)                             \
	static inline int fmt##_is_nan(T x)                                    \
	{                                                                      \
		return (x & ~SIGN) > EXPMASK;                                  \
	}                                                                      \
	static inline int fmt##_is_snan(T x)                                   \
	{                                                                      \
		return fmt##_is_nan(x) && !(x & QBIT);                         \
	}                                                                      \
	static T fmt##_minmax(T a, T b, int want_max, uint32_t *flags)         \
	{                                                                      \
		int an = fmt##_is_nan(a), bn = fmt##_is_nan(b);                \
		if (an || bn) {                                                \
			if (fmt##_is_snan(a) || fmt##_is_snan(b))              \
				*flags |= FPU_NV;                              \
			if (an && bn)                                          \
				return CANON;                                  \
			return an ? b : a;                                     \
		}                                                              \
		if ((ORDER_KEY(a, SIGN) < ORDER_KEY(b, SIGN)) == !want_max)    \
			return a;                                              \
		return b;                                                      \
	}                                                                      \
	/* compare non-NaN values: -1, 0, 1 with -0 == +0 */                   \
	static inline int fmt##_cmp(T a, T b)                                  \
	{                                                                      \
		if (((a | b) & ~SIGN) == 0)                                    \
			return 0;                                              \
		if (a == b)                                                    \
			return 0;                                              \
		return ORDER_KEY(a, SIGN) < ORDER_KEY(b, SIGN) ? -1 : 1;       \
	}                                                                      \
	T fmt##_min(T a, T b, uint32_t *flags)                                 \
	{                                                                      \
		return fmt##_minmax(a, b, 0, flags);                           \
	}                                                                      \
	T fmt##_max(T a, T b, uint32_t *flags)                                 \
	{                                                                      \
		return fmt##_minmax(a, b, 1, flags);                           \
	}                                                                      \
	int fmt##_eq(T a, T b, uint32_t *flags)                                \
	{                                                                      \
		if (fmt##_is_nan(a) || fmt##_is_nan(b)) {                      \
			if (fmt##_is_snan(a) || fmt##_is_snan(b))              \
				*flags |= FPU_NV;                              \
			return 0;                                              \
		}                                                              \
		return fmt##_cmp(a, b) == 0;                                   \
	}                                                                      \
	int fmt##_lt(T a, T b, uint32_t *flags)                                \
	{                                                                      \
		if (fmt##_is_nan(a) || fmt##_is_nan(b)) {                      \
			*flags |= FPU_NV;                                      \
			return 0;                                              \
		}                                                              \
		return fmt##_cmp(a, b) < 0;                                    \
	}                                                                      \
	int fmt##_le(T a, T b, uint32_t *flags)                                \
	{                                                                      \
		if (fmt##_is_nan(a) || fmt##_is_nan(b)) {                      \
			*flags |= FPU_NV;                                      \
			return 0;                                              \
		}                                                              \
		return fmt##_cmp(a, b) <= 0;                                   \
	}                                                                      \
	uint32_t fmt##_classify(T a)                                           \
	{                                                                      \
		int neg = (a & SIGN) != 0;                                     \
		T mag = a & ~SIGN;                                             \
		if (mag > EXPMASK)                                             \
			return a & QBIT ? FPU_CLASS_QNAN : FPU_CLASS_SNAN;     \
		if (mag == EXPMASK)                                            \
			return neg ? FPU_CLASS_NEG_INF : FPU_CLASS_POS_INF;    \
		if (mag == 0)                                                  \
			return neg ? FPU_CLASS_NEG_ZERO : FPU_CLASS_POS_ZERO;  \
		if ((mag & EXPMASK) == 0)                                      \
			return neg ? FPU_CLASS_NEG_SUBNORMAL                   \
				   : FPU_CLASS_POS_SUBNORMAL;                  \
		return neg ? FPU_CLASS_NEG_NORMAL : FPU_CLASS_POS_NORMAL;      \
	}

MINMAX(uint32_t, f32, 0x80000000u, 0x00400000u, 0x7f800000u, F32_CANONICAL_NAN)
MINMAX(uint64_t, f64, 0x8000000000000000ull, 0x0008000000000000ull,
       0x7ff0000000000000ull, F64_CANONICAL_NAN)
