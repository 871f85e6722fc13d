/*
 * Unit tests for emulator/cpu/fpu.{h,c}: RISC-V F/D semantics.
 *
 * 1. Hand-picked cases with bit-exact results and flags, run through both
 *    the public entry points (host fast path where there is one) and the
 *    software path: signed zeros, subnormals, tininess after rounding,
 *    overflow in every rounding mode, RMM ties, NaN rules, FMA single
 *    rounding, min/max, compares, fclass and every conversion.
 * 2. Randomised cross-checks: the software path against the host path
 *    for RNE/RTZ/RDN/RUP on structured random operands (subnormal and
 *    overflow boundaries, cancellation, near-ties), and the software
 *    conversions against the host's SSE conversions. A software path that
 *    agrees with the hardware bit for bit in four modes shares its
 *    rounding code with RMM, which the hand-picked cases pin down.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "../../emulator/cpu/fpu.h"

enum { ADD, SUB, MUL, DIV, SQRT, FMADD, FMSUB, FNMSUB, FNMADD };
enum {
	RNE = FPU_RNE,
	RTZ = FPU_RTZ,
	RDN = FPU_RDN,
	RUP = FPU_RUP,
	RMM = FPU_RMM
};
enum { NX = FPU_NX, UF = FPU_UF, OF = FPU_OF, DZ = FPU_DZ, NV = FPU_NV };

#define QNAN32 0x7fc00000u
#define SNAN32 0x7f800001u
#define INF32 0x7f800000u
#define MAX32 0x7f7fffffu
#define ONE32 0x3f800000u
#define QNAN64 0x7ff8000000000000ull
#define SNAN64 0x7ff0000000000001ull
#define INF64 0x7ff0000000000000ull
#define MAX64 0x7fefffffffffffffull
#define ONE64 0x3ff0000000000000ull
#define NEG32 0x80000000u
#define NEG64 0x8000000000000000ull

static uint32_t run32(int op, int soft, uint32_t a, uint32_t b, uint32_t c,
		      int rm, uint32_t *fl)
{
	switch (op) {
	case ADD:
		return soft ? f32_add_soft(a, b, rm, fl)
			    : f32_add(a, b, rm, fl);
	case SUB:
		return soft ? f32_sub_soft(a, b, rm, fl)
			    : f32_sub(a, b, rm, fl);
	case MUL:
		return soft ? f32_mul_soft(a, b, rm, fl)
			    : f32_mul(a, b, rm, fl);
	case DIV:
		return soft ? f32_div_soft(a, b, rm, fl)
			    : f32_div(a, b, rm, fl);
	case SQRT: return soft ? f32_sqrt_soft(a, rm, fl) : f32_sqrt(a, rm, fl);
	default:
		return soft ? f32_fma_soft(a, b, c, op - FMADD, rm, fl)
			    : f32_fma(a, b, c, op - FMADD, rm, fl);
	}
}

static uint64_t run64(int op, int soft, uint64_t a, uint64_t b, uint64_t c,
		      int rm, uint32_t *fl)
{
	switch (op) {
	case ADD:
		return soft ? f64_add_soft(a, b, rm, fl)
			    : f64_add(a, b, rm, fl);
	case SUB:
		return soft ? f64_sub_soft(a, b, rm, fl)
			    : f64_sub(a, b, rm, fl);
	case MUL:
		return soft ? f64_mul_soft(a, b, rm, fl)
			    : f64_mul(a, b, rm, fl);
	case DIV:
		return soft ? f64_div_soft(a, b, rm, fl)
			    : f64_div(a, b, rm, fl);
	case SQRT: return soft ? f64_sqrt_soft(a, rm, fl) : f64_sqrt(a, rm, fl);
	default:
		return soft ? f64_fma_soft(a, b, c, op - FMADD, rm, fl)
			    : f64_fma(a, b, c, op - FMADD, rm, fl);
	}
}

struct v32 {
	int op, rm;
	uint32_t a, b, c, r, fl;
};
struct v64 {
	int op, rm;
	uint64_t a, b, c, r;
	uint32_t fl;
};

static void check32(const struct v32 *v, int n, const char *what)
{
	for (int i = 0; i < n; i++) {
		for (int soft = 0; soft < 2; soft++) {
			uint32_t fl = 0;
			uint32_t r = run32(v[i].op, soft, v[i].a, v[i].b,
					   v[i].c, v[i].rm, &fl);

			ck_assert_msg(r == v[i].r && fl == v[i].fl,
				      "%s[%d] (%s path) op %d rm %d: got "
				      "%08x/%02x, want %08x/%02x",
				      what, i, soft ? "soft" : "public",
				      v[i].op, v[i].rm, r, fl, v[i].r, v[i].fl);
		}
	}
}

static void check64(const struct v64 *v, int n, const char *what)
{
	for (int i = 0; i < n; i++) {
		for (int soft = 0; soft < 2; soft++) {
			uint32_t fl = 0;
			uint64_t r = run64(v[i].op, soft, v[i].a, v[i].b,
					   v[i].c, v[i].rm, &fl);

			ck_assert_msg(r == v[i].r && fl == v[i].fl,
				      "%s[%d] (%s path) op %d rm %d: got "
				      "%016llx/%02x, want %016llx/%02x",
				      what, i, soft ? "soft" : "public",
				      v[i].op, v[i].rm, (unsigned long long)r,
				      fl, (unsigned long long)v[i].r, v[i].fl);
		}
	}
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---------------- arithmetic edge cases ---------------- */

START_TEST(arith_f32)
{
	static const struct v32 v[] = {
		/* exact */
		{ADD, RNE, ONE32, ONE32, 0, 0x40000000, 0},
		{SUB, RNE, 0x00800001, 0x00800000, 0, 0x00000001, 0},
		{MUL, RNE, 0x00800000, 0x3f000000, 0, 0x00400000, 0},
		/* signed zeros */
		{ADD, RNE, 0, NEG32, 0, 0, 0},
		{ADD, RDN, 0, NEG32, 0, NEG32, 0},
		{ADD, RUP, NEG32, NEG32, 0, NEG32, 0},
		{SUB, RNE, ONE32, ONE32, 0, 0, 0},
		{SUB, RDN, ONE32, ONE32, 0, NEG32, 0},
		{SUB, RTZ, NEG32, 0, 0, NEG32, 0},
		{MUL, RNE, NEG32, 0x40a00000, 0, NEG32, 0},
		{DIV, RNE, NEG32, INF32, 0, NEG32, 0},
		{SQRT, RNE, NEG32, 0, 0, NEG32, 0},
		{ADD, RNE, ONE32, NEG32, 0, ONE32, 0},
		/* 1/3 in every mode */
		{DIV, RNE, ONE32, 0x40400000, 0, 0x3eaaaaab, NX},
		{DIV, RTZ, ONE32, 0x40400000, 0, 0x3eaaaaaa, NX},
		{DIV, RDN, ONE32, 0x40400000, 0, 0x3eaaaaaa, NX},
		{DIV, RUP, ONE32, 0x40400000, 0, 0x3eaaaaab, NX},
		{DIV, RMM, ONE32, 0x40400000, 0, 0x3eaaaaab, NX},
		{DIV, RDN, ONE32 | NEG32, 0x40400000, 0, 0xbeaaaaab, NX},
		/* sqrt */
		{SQRT, RNE, 0x40800000, 0, 0, 0x40000000, 0},
		{SQRT, RNE, 0x40000000, 0, 0, 0x3fb504f3, NX},
		{SQRT, RTZ, 0x40000000, 0, 0, 0x3fb504f3, NX},
		{SQRT, RUP, 0x40000000, 0, 0, 0x3fb504f4, NX},
		{SQRT, RMM, 0x40000000, 0, 0, 0x3fb504f3, NX},
		{SQRT, RNE, 0x00000002, 0, 0, 0x1a800000, 0},
		{SQRT, RNE, INF32, 0, 0, INF32, 0},
		{SQRT, RNE, 0xbf800000, 0, 0, QNAN32, NV},
		{SQRT, RNE, INF32 | NEG32, 0, 0, QNAN32, NV},
		{SQRT, RNE, 0x80000001, 0, 0, QNAN32, NV},
		/* overflow in every mode */
		{ADD, RNE, MAX32, MAX32, 0, INF32, OF | NX},
		{ADD, RMM, MAX32, MAX32, 0, INF32, OF | NX},
		{ADD, RTZ, MAX32, MAX32, 0, MAX32, OF | NX},
		{ADD, RDN, MAX32, MAX32, 0, MAX32, OF | NX},
		{ADD, RUP, MAX32, MAX32, 0, INF32, OF | NX},
		{MUL, RNE, MAX32 | NEG32, 0x40000000, 0, INF32 | NEG32,
		 OF | NX},
		{MUL, RTZ, MAX32 | NEG32, 0x40000000, 0, MAX32 | NEG32,
		 OF | NX},
		{MUL, RDN, MAX32 | NEG32, 0x40000000, 0, INF32 | NEG32,
		 OF | NX},
		{MUL, RUP, MAX32 | NEG32, 0x40000000, 0, MAX32 | NEG32,
		 OF | NX},
		{MUL, RMM, MAX32 | NEG32, 0x40000000, 0, INF32 | NEG32,
		 OF | NX},
		{DIV, RUP, MAX32, 0x3f000000, 0, INF32, OF | NX},
		/* max + half an ulp: RNE ties to even -> inf; RTZ stays */
		{ADD, RNE, MAX32, 0x73000000, 0, INF32, OF | NX},
		{ADD, RTZ, MAX32, 0x73000000, 0, MAX32, NX},
		/* infinities, invalid, divide by zero */
		{ADD, RNE, INF32, INF32 | NEG32, 0, QNAN32, NV},
		{SUB, RNE, INF32, INF32, 0, QNAN32, NV},
		{ADD, RNE, INF32, MAX32 | NEG32, 0, INF32, 0},
		{MUL, RNE, 0, INF32, 0, QNAN32, NV},
		{MUL, RNE, INF32 | NEG32, 0x40000000, 0, INF32 | NEG32, 0},
		{DIV, RNE, 0, 0, 0, QNAN32, NV},
		{DIV, RNE, INF32, INF32, 0, QNAN32, NV},
		{DIV, RNE, ONE32, 0, 0, INF32, DZ},
		{DIV, RNE, ONE32, NEG32, 0, INF32 | NEG32, DZ},
		{DIV, RNE, INF32, 0, 0, INF32, 0},
		{DIV, RNE, ONE32, INF32 | NEG32, 0, NEG32, 0},
		/* NaN propagation: always the canonical NaN, NV only for sNaN */
		{ADD, RNE, QNAN32, ONE32, 0, QNAN32, 0},
		{ADD, RNE, 0xffc12345, ONE32, 0, QNAN32, 0},
		{ADD, RNE, SNAN32, ONE32, 0, QNAN32, NV},
		{SUB, RUP, ONE32, 0xffa00000, 0, QNAN32, NV},
		{MUL, RNE, QNAN32, 0, 0, QNAN32, 0},
		{MUL, RTZ, 0x7fbfffff, QNAN32, 0, QNAN32, NV},
		{DIV, RNE, 0, 0x7fc00001, 0, QNAN32, 0},
		{DIV, RDN, SNAN32, 0, 0, QNAN32, NV},
		{SQRT, RNE, 0xffc00000, 0, 0, QNAN32, 0},
		{SQRT, RNE, SNAN32, 0, 0, QNAN32, NV},
		{SQRT, RMM, SNAN32 | NEG32, 0, 0, QNAN32, NV},
		{ADD, RMM, QNAN32, SNAN32, 0, QNAN32, NV},
	};

	check32(v, N(v), "arith_f32");
}
END_TEST

START_TEST(arith_f64)
{
	static const struct v64 v[] = {
		{ADD, RNE, ONE64, ONE64, 0, 0x4000000000000000ull, 0},
		{SUB, RNE, 0x0010000000000001ull, 0x0010000000000000ull, 0, 1,
		 0},
		{ADD, RNE, 0, NEG64, 0, 0, 0},
		{ADD, RDN, 0, NEG64, 0, NEG64, 0},
		{ADD, RNE, NEG64, NEG64, 0, NEG64, 0},
		{SUB, RNE, ONE64, ONE64, 0, 0, 0},
		{SUB, RDN, ONE64, ONE64, 0, NEG64, 0},
		{MUL, RNE, NEG64, ONE64, 0, NEG64, 0},
		{SQRT, RUP, NEG64, 0, 0, NEG64, 0},
		{DIV, RNE, ONE64, 0x4008000000000000ull, 0,
		 0x3fd5555555555555ull, NX},
		{DIV, RUP, ONE64, 0x4008000000000000ull, 0,
		 0x3fd5555555555556ull, NX},
		{DIV, RMM, ONE64, 0x4008000000000000ull, 0,
		 0x3fd5555555555555ull, NX},
		{SQRT, RNE, 0x4000000000000000ull, 0, 0, 0x3ff6a09e667f3bcdull,
		 NX},
		{SQRT, RTZ, 0x4000000000000000ull, 0, 0, 0x3ff6a09e667f3bccull,
		 NX},
		{SQRT, RMM, 0x4000000000000000ull, 0, 0, 0x3ff6a09e667f3bcdull,
		 NX},
		{SQRT, RNE, 0x4010000000000000ull, 0, 0, 0x4000000000000000ull,
		 0},
		{SQRT, RNE, 1, 0, 0, 0x1e60000000000000ull, 0}, /* 2^-537 */
		{SQRT, RNE, 0xbff0000000000000ull, 0, 0, QNAN64, NV},
		{ADD, RNE, MAX64, MAX64, 0, INF64, OF | NX},
		{ADD, RTZ, MAX64, MAX64, 0, MAX64, OF | NX},
		{ADD, RDN, MAX64, MAX64, 0, MAX64, OF | NX},
		{ADD, RUP, MAX64, MAX64, 0, INF64, OF | NX},
		{ADD, RMM, MAX64, MAX64, 0, INF64, OF | NX},
		{MUL, RDN, MAX64 | NEG64, 0x4000000000000000ull, 0,
		 INF64 | NEG64, OF | NX},
		{MUL, RUP, MAX64 | NEG64, 0x4000000000000000ull, 0,
		 MAX64 | NEG64, OF | NX},
		{MUL, RTZ, MAX64 | NEG64, 0x4000000000000000ull, 0,
		 MAX64 | NEG64, OF | NX},
		{ADD, RNE, INF64, INF64 | NEG64, 0, QNAN64, NV},
		{MUL, RNE, INF64, 0, 0, QNAN64, NV},
		{DIV, RNE, 0, NEG64, 0, QNAN64, NV},
		{DIV, RNE, INF64 | NEG64, INF64, 0, QNAN64, NV},
		{DIV, RNE, 0xbff0000000000000ull, 0, 0, INF64 | NEG64, DZ},
		{DIV, RNE, 1, 0, 0, INF64, DZ},
		{ADD, RNE, QNAN64, ONE64, 0, QNAN64, 0},
		{ADD, RNE, 0xfff8000000000123ull, ONE64, 0, QNAN64, 0},
		{ADD, RNE, SNAN64, ONE64, 0, QNAN64, NV},
		{MUL, RMM, ONE64, 0xfff4000000000000ull, 0, QNAN64, NV},
		{DIV, RNE, SNAN64, QNAN64, 0, QNAN64, NV},
		{SQRT, RNE, SNAN64, 0, 0, QNAN64, NV},
	};

	check64(v, N(v), "arith_f64");
}
END_TEST

/* ---------------- subnormals and tininess after rounding ---------------- */

START_TEST(tininess)
{
	static const struct v32 v32[] = {
		/* min subnormal / 2: tie between 0 and 2^-149 */
		{DIV, RNE, 0x00000001, 0x40000000, 0, 0, UF | NX},
		{DIV, RMM, 0x00000001, 0x40000000, 0, 0x00000001, UF | NX},
		{DIV, RUP, 0x00000001, 0x40000000, 0, 0x00000001, UF | NX},
		{DIV, RTZ, 0x00000001, 0x40000000, 0, 0, UF | NX},
		{DIV, RDN, 0x80000001, 0x40000000, 0, 0x80000001, UF | NX},
		{MUL, RUP, 0x80000001, 0x3f000000, 0, NEG32, UF | NX},
		/* 5 * 2^-150: tie between 2 and 3 subnormal ulps */
		{DIV, RNE, 0x00000005, 0x40000000, 0, 0x00000002, UF | NX},
		{DIV, RMM, 0x00000005, 0x40000000, 0, 0x00000003, UF | NX},
		/* (1 - 2^-24) * 2^-126: rounds to 2^-126 in RNE but is still
		 * tiny after rounding to 24 bits unbounded -> UF */
		{MUL, RNE, 0x3f7fffff, 0x00800000, 0, 0x00800000, UF | NX},
		{MUL, RMM, 0x3f7fffff, 0x00800000, 0, 0x00800000, UF | NX},
		{MUL, RTZ, 0x3f7fffff, 0x00800000, 0, 0x007fffff, UF | NX},
		/* (1 - 2^-46) * 2^-126: tiny before rounding, not after */
		{MUL, RNE, 0x3f7ffffe, 0x00800001, 0, 0x00800000, NX},
		{MUL, RMM, 0x3f7ffffe, 0x00800001, 0, 0x00800000, NX},
		{MUL, RUP, 0x3f7ffffe, 0x00800001, 0, 0x00800000, NX},
		{MUL, RTZ, 0x3f7ffffe, 0x00800001, 0, 0x007fffff, UF | NX},
		{MUL, RDN, 0x3f7ffffe, 0x00800001, 0, 0x007fffff, UF | NX},
		{MUL, RDN, 0xbf7ffffe, 0x00800001, 0, 0x80800000, NX},
		/* exact subnormal results raise nothing */
		{MUL, RNE, 0x00000003, 0x3f000000, 0, 0x00000002, UF | NX},
		{MUL, RNE, 0x00000006, 0x3f000000, 0, 0x00000003, 0},
		{SQRT, RNE, 0x00000001, 0, 0, 0x1a3504f3, NX},
		/* underflow to zero from far below */
		{MUL, RNE, 0x00000001, 0x00000001, 0, 0, UF | NX},
		{MUL, RUP, 0x00000001, 0x00000001, 0, 1, UF | NX},
		{MUL, RDN, 0x80000001, 0x00000001, 0, 0x80000001, UF | NX},
		{MUL, RMM, 0x00000001, 0x00000001, 0, 0, UF | NX},
	};
	static const struct v64 v64[] = {
		{DIV, RNE, 1, 0x4000000000000000ull, 0, 0, UF | NX},
		{DIV, RMM, 1, 0x4000000000000000ull, 0, 1, UF | NX},
		{DIV, RNE, 3, 0x4000000000000000ull, 0, 2, UF | NX},
		{DIV, RMM, 5, 0x4000000000000000ull, 0, 3, UF | NX},
		/* (1 - 2^-53) * 2^-1022: tiny after rounding */
		{MUL, RNE, 0x3fefffffffffffffull, 0x0010000000000000ull, 0,
		 0x0010000000000000ull, UF | NX},
		{MUL, RTZ, 0x3fefffffffffffffull, 0x0010000000000000ull, 0,
		 0x000fffffffffffffull, UF | NX},
		/* (1 - 2^-104) * 2^-1022: not tiny after rounding */
		{MUL, RNE, 0x3feffffffffffffeull, 0x0010000000000001ull, 0,
		 0x0010000000000000ull, NX},
		{MUL, RMM, 0x3feffffffffffffeull, 0x0010000000000001ull, 0,
		 0x0010000000000000ull, NX},
		{MUL, RTZ, 0x3feffffffffffffeull, 0x0010000000000001ull, 0,
		 0x000fffffffffffffull, UF | NX},
		{MUL, RUP, 1, 1, 0, 1, UF | NX},
		{MUL, RNE, 6, 0x3fe0000000000000ull, 0, 3, 0},
	};

	check32(v32, N(v32), "tininess32");
	check64(v64, N(v64), "tininess64");
}
END_TEST

/* ---------------- round to nearest, ties to max magnitude ---------------- */

START_TEST(rmm_ties)
{
	static const struct v32 v32[] = {
		/* 1 + 2^-24: halfway between 1 and 1 + 2^-23 */
		{ADD, RNE, ONE32, 0x33800000, 0, ONE32, NX},
		{ADD, RMM, ONE32, 0x33800000, 0, 0x3f800001, NX},
		{ADD, RTZ, ONE32, 0x33800000, 0, ONE32, NX},
		{ADD, RDN, ONE32, 0x33800000, 0, ONE32, NX},
		{ADD, RUP, ONE32, 0x33800000, 0, 0x3f800001, NX},
		{ADD, RMM, 0xbf800000, 0xb3800000, 0, 0xbf800001, NX},
		{SUB, RMM, 0xbf800000, 0x33800000, 0, 0xbf800001, NX},
		{ADD, RDN, 0xbf800000, 0xb3800000, 0, 0xbf800001, NX},
		{ADD, RUP, 0xbf800000, 0xb3800000, 0, 0xbf800000, NX},
		/* odd neighbour below: RNE and RMM agree */
		{ADD, RNE, 0x3f800001, 0x33800000, 0, 0x3f800002, NX},
		{ADD, RMM, 0x3f800001, 0x33800000, 0, 0x3f800002, NX},
		/* just below the tie: both round down */
		{ADD, RMM, ONE32, 0x337fffff, 0, ONE32, NX},
		/* (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 */
		{MUL, RNE, 0x3f800800, 0x3f800800, 0, 0x3f801000, NX},
		{MUL, RMM, 0x3f800800, 0x3f800800, 0, 0x3f801001, NX},
		{MUL, RMM, 0xbf800800, 0x3f800800, 0, 0xbf801001, NX},
		/* overflow in RMM */
		{MUL, RMM, 0x7f000000, 0x40000000, 0, INF32, OF | NX},
	};
	static const struct v64 v64[] = {
		/* 1 + 2^-53 */
		{ADD, RNE, ONE64, 0x3ca0000000000000ull, 0, ONE64, NX},
		{ADD, RMM, ONE64, 0x3ca0000000000000ull, 0,
		 0x3ff0000000000001ull, NX},
		{ADD, RUP, ONE64, 0x3ca0000000000000ull, 0,
		 0x3ff0000000000001ull, NX},
		{ADD, RTZ, ONE64, 0x3ca0000000000000ull, 0, ONE64, NX},
		{ADD, RMM, 0xbff0000000000000ull, 0xbca0000000000000ull, 0,
		 0xbff0000000000001ull, NX},
		{ADD, RNE, 0x3ff0000000000001ull, 0x3ca0000000000000ull, 0,
		 0x3ff0000000000002ull, NX},
		{ADD, RMM, 0x3ff0000000000001ull, 0x3ca0000000000000ull, 0,
		 0x3ff0000000000002ull, NX},
		/* (1 + 2^-27)^2 = 1 + 2^-26 + 2^-54 is not a tie: 2^-54 is a
		 * quarter ulp */
		{MUL, RMM, 0x3ff0000002000000ull, 0x3ff0000002000000ull, 0,
		 0x3ff0000004000000ull, NX},
		/* 3 * (1 + 2^-52) = 3 + 1.5 ulp: a tie, even is away too */
		{MUL, RNE, 0x4008000000000000ull, 0x3ff0000000000001ull, 0,
		 0x4008000000000002ull, NX},
		{MUL, RMM, 0x4008000000000000ull, 0x3ff0000000000001ull, 0,
		 0x4008000000000002ull, NX},
		/* 3 * (1 + 3 * 2^-52) = 3 + 4.5 ulp */
		{MUL, RMM, 0x4008000000000000ull, 0x3ff0000000000003ull, 0,
		 0x4008000000000005ull, NX},
		{MUL, RNE, 0x4008000000000000ull, 0x3ff0000000000003ull, 0,
		 0x4008000000000004ull, NX},
	};

	check32(v32, N(v32), "rmm32");
	check64(v64, N(v64), "rmm64");
}
END_TEST

/* ---------------- fused multiply-add ---------------- */

START_TEST(fma_cases)
{
	static const struct v32 v32[] = {
		/* 2*3 +- 1 in the four variants */
		{FMADD, RNE, 0x40000000, 0x40400000, ONE32, 0x40e00000, 0},
		{FMSUB, RNE, 0x40000000, 0x40400000, ONE32, 0x40a00000, 0},
		{FNMSUB, RNE, 0x40000000, 0x40400000, ONE32, 0xc0a00000, 0},
		{FNMADD, RNE, 0x40000000, 0x40400000, ONE32, 0xc0e00000, 0},
		/* single rounding: (1+2^-12)^2 - (1+2^-11) = 2^-24 exactly,
		 * where mul-then-add would give 0 */
		{FMADD, RNE, 0x3f800800, 0x3f800800, 0xbf801000, 0x33800000, 0},
		{FMSUB, RNE, 0x3f800800, 0x3f800800, 0x3f801000, 0x33800000, 0},
		{FNMADD, RNE, 0x3f800800, 0x3f800800, 0xbf801000, 0xb3800000,
		 0},
		/* single rounding of a tie: a*a + 0 in RNE vs RMM */
		{FMADD, RNE, 0x3f800800, 0x3f800800, 0, 0x3f801000, NX},
		{FMADD, RMM, 0x3f800800, 0x3f800800, 0, 0x3f801001, NX},
		{FMADD, RMM, 0x3f800800, 0x3f800800, 0x33000000, 0x3f801001,
		 NX},
		/* exact cancellation and zero signs */
		{FMADD, RNE, ONE32, ONE32, 0xbf800000, 0, 0},
		{FMADD, RDN, ONE32, ONE32, 0xbf800000, NEG32, 0},
		{FMADD, RNE, ONE32, NEG32, 0, 0, 0},
		{FMADD, RDN, ONE32, NEG32, 0, NEG32, 0},
		{FMADD, RNE, NEG32, ONE32, NEG32, NEG32, 0},
		{FNMADD, RNE, 0, ONE32, 0, NEG32, 0},
		{FNMSUB, RNE, 0, ONE32, 0, 0, 0},
		{FMSUB, RUP, 0, ONE32, 0, 0, 0},
		{FMSUB, RDN, 0, ONE32, 0, NEG32, 0},
		/* tiny product plus zero: the product's sign survives */
		{FMADD, RNE, 0x00000001, 0x3e800000, NEG32, 0, UF | NX},
		{FNMADD, RNE, 0x00000001, 0x3e800000, 0, NEG32, UF | NX},
		/* product of zero and finite plus c: c exactly */
		{FMADD, RNE, 0, 0x40000000, 0x00000001, 0x00000001, 0},
		/* invalid: inf*0, even with a quiet NaN addend */
		{FMADD, RNE, INF32, 0, ONE32, QNAN32, NV},
		{FMADD, RNE, 0, INF32 | NEG32, QNAN32, QNAN32, NV},
		{FNMADD, RNE, INF32, NEG32, 0xffc00001, QNAN32, NV},
		{FMADD, RNE, INF32, ONE32, INF32 | NEG32, QNAN32, NV},
		{FMSUB, RNE, INF32, ONE32, INF32, QNAN32, NV},
		{FNMSUB, RNE, INF32, ONE32, INF32 | NEG32, INF32 | NEG32, 0},
		{FMADD, RNE, ONE32, ONE32, INF32 | NEG32, INF32 | NEG32, 0},
		{FMADD, RNE, ONE32, ONE32, QNAN32, QNAN32, 0},
		{FMADD, RNE, QNAN32, 0, INF32, QNAN32, 0},
		{FMADD, RNE, ONE32, ONE32, SNAN32, QNAN32, NV},
		{FMADD, RNE, SNAN32, ONE32, QNAN32, QNAN32, NV},
		/* overflow and underflow */
		{FMADD, RNE, MAX32, 0x40000000, MAX32 | NEG32, MAX32, 0},
		{FMADD, RTZ, MAX32, 0x40000000, 0, MAX32, OF | NX},
		{FMADD, RUP, MAX32, MAX32, MAX32 | NEG32, INF32, OF | NX},
		/* 2^-126 * (1 - 2^-24) computed as a*b + c and rounded once */
		{FMADD, RNE, 0x3f7fffff, 0x00800000, 0, 0x00800000, UF | NX},
		{FMADD, RTZ, 0x3f7fffff, 0x00800000, 0, 0x007fffff, UF | NX},
	};
	static const struct v64 v64[] = {
		/* (1+2^-27)^2 - (1+2^-26) = 2^-54 */
		{FMADD, RNE, 0x3ff0000002000000ull, 0x3ff0000002000000ull,
		 0xbff0000004000000ull, 0x3c90000000000000ull, 0},
		{FNMSUB, RNE, 0x3ff0000002000000ull, 0x3ff0000002000000ull,
		 0x3ff0000004000000ull, 0xbc90000000000000ull, 0},
		/* a*b = 3 + 1.5 ulp exactly; + 0.5 ulp is exact. A separate
		 * multiply would round (NX) and then meet a tie. */
		{FMADD, RNE, 0x4008000000000000ull, 0x3ff0000000000001ull,
		 0x3cb0000000000000ull, 0x4008000000000002ull, 0},
		{FMADD, RMM, 0x4008000000000000ull, 0x3ff0000000000001ull, 0,
		 0x4008000000000002ull, NX},
		{FMADD, RNE, 0x4000000000000000ull, 0x4008000000000000ull,
		 ONE64, 0x401c000000000000ull, 0},
		{FMSUB, RNE, 0x4000000000000000ull, 0x4008000000000000ull,
		 ONE64, 0x4014000000000000ull, 0},
		{FNMSUB, RNE, 0x4000000000000000ull, 0x4008000000000000ull,
		 ONE64, 0xc014000000000000ull, 0},
		{FNMADD, RNE, 0x4000000000000000ull, 0x4008000000000000ull,
		 ONE64, 0xc01c000000000000ull, 0},
		{FMADD, RDN, ONE64, ONE64, 0xbff0000000000000ull, NEG64, 0},
		{FMADD, RNE, INF64, 0, QNAN64, QNAN64, NV},
		{FMADD, RNE, 0, INF64, 0x7ff0000000000001ull, QNAN64, NV},
		{FMADD, RNE, ONE64, QNAN64, 0, QNAN64, 0},
		{FMADD, RNE, MAX64, MAX64, 0, INF64, OF | NX},
		{FMADD, RDN, MAX64, MAX64, 0, MAX64, OF | NX},
		{FMADD, RNE, 1, 0x3fd0000000000000ull, 0, 0, UF | NX},
		{FMADD, RUP, 1, 0x3fd0000000000000ull, 0, 1, UF | NX},
	};

	check32(v32, N(v32), "fma32");
	check64(v64, N(v64), "fma64");
}
END_TEST

/* ---------------- min/max, compares, fclass ---------------- */

#define EXPECT(T, call, want, wantfl)                                          \
	do {                                                                   \
		uint32_t fl = 0;                                               \
		T r_ = (call);                                                 \
		ck_assert_msg(r_ == (T)(want) && fl == (uint32_t)(wantfl),     \
			      "%s: got %#llx/%#x, want %#llx/%#x", #call,      \
			      (unsigned long long)(uint64_t)r_, fl,            \
			      (unsigned long long)(uint64_t)(T)(want),         \
			      (unsigned)(wantfl));                             \
	} while (0)

START_TEST(minmax)
{
	EXPECT(uint32_t, f32_min(NEG32, 0, &fl), NEG32, 0);
	EXPECT(uint32_t, f32_min(0, NEG32, &fl), NEG32, 0);
	EXPECT(uint32_t, f32_max(NEG32, 0, &fl), 0, 0);
	EXPECT(uint32_t, f32_max(0, NEG32, &fl), 0, 0);
	EXPECT(uint32_t, f32_min(ONE32, 0x40000000, &fl), ONE32, 0);
	EXPECT(uint32_t, f32_max(ONE32, 0x40000000, &fl), 0x40000000, 0);
	EXPECT(uint32_t, f32_min(0xbf800000, 0xc0000000, &fl), 0xc0000000, 0);
	EXPECT(uint32_t, f32_max(0xbf800000, 0xc0000000, &fl), 0xbf800000, 0);
	EXPECT(uint32_t, f32_min(INF32 | NEG32, MAX32 | NEG32, &fl),
	       INF32 | NEG32, 0);
	EXPECT(uint32_t, f32_max(INF32, MAX32, &fl), INF32, 0);
	EXPECT(uint32_t, f32_max(0x80000001, NEG32, &fl), NEG32, 0);
	/* one NaN: the other operand; NV only for a signalling NaN */
	EXPECT(uint32_t, f32_min(QNAN32, ONE32, &fl), ONE32, 0);
	EXPECT(uint32_t, f32_max(ONE32, 0xffc00001, &fl), ONE32, 0);
	EXPECT(uint32_t, f32_min(SNAN32, ONE32, &fl), ONE32, NV);
	EXPECT(uint32_t, f32_max(NEG32, SNAN32, &fl), NEG32, NV);
	/* both NaN: the canonical NaN */
	EXPECT(uint32_t, f32_min(0x7fc00001, 0xffc00000, &fl), QNAN32, 0);
	EXPECT(uint32_t, f32_max(SNAN32, QNAN32, &fl), QNAN32, NV);
	EXPECT(uint32_t, f32_max(SNAN32, SNAN32, &fl), QNAN32, NV);

	EXPECT(uint64_t, f64_min(NEG64, 0, &fl), NEG64, 0);
	EXPECT(uint64_t, f64_max(NEG64, 0, &fl), 0, 0);
	EXPECT(uint64_t, f64_max(0, NEG64, &fl), 0, 0);
	EXPECT(uint64_t, f64_min(ONE64, 0xbff0000000000000ull, &fl),
	       0xbff0000000000000ull, 0);
	EXPECT(uint64_t, f64_min(1, 2, &fl), 1, 0);
	EXPECT(uint64_t, f64_max(QNAN64, ONE64, &fl), ONE64, 0);
	EXPECT(uint64_t, f64_max(SNAN64, ONE64, &fl), ONE64, NV);
	EXPECT(uint64_t, f64_min(ONE64, SNAN64, &fl), ONE64, NV);
	EXPECT(uint64_t, f64_min(QNAN64 | NEG64, QNAN64 | 5, &fl), QNAN64, 0);
	EXPECT(uint64_t, f64_max(QNAN64, SNAN64, &fl), QNAN64, NV);
}
END_TEST

START_TEST(compares)
{
	/* feq is quiet: NV only for signalling NaNs */
	EXPECT(int, f32_eq(ONE32, ONE32, &fl), 1, 0);
	EXPECT(int, f32_eq(0, NEG32, &fl), 1, 0);
	EXPECT(int, f32_eq(QNAN32, QNAN32, &fl), 0, 0);
	EXPECT(int, f32_eq(QNAN32, ONE32, &fl), 0, 0);
	EXPECT(int, f32_eq(SNAN32, ONE32, &fl), 0, NV);
	EXPECT(int, f32_eq(ONE32, 0x3f800001, &fl), 0, 0);
	EXPECT(int, f32_eq(INF32, INF32, &fl), 1, 0);
	/* flt/fle signal on any NaN */
	EXPECT(int, f32_lt(QNAN32, ONE32, &fl), 0, NV);
	EXPECT(int, f32_le(ONE32, QNAN32, &fl), 0, NV);
	EXPECT(int, f32_lt(SNAN32, ONE32, &fl), 0, NV);
	EXPECT(int, f32_lt(NEG32, 0, &fl), 0, 0);
	EXPECT(int, f32_le(NEG32, 0, &fl), 1, 0);
	EXPECT(int, f32_le(0, NEG32, &fl), 1, 0);
	EXPECT(int, f32_lt(0xbf800000, ONE32, &fl), 1, 0);
	EXPECT(int, f32_lt(ONE32, 0xbf800000, &fl), 0, 0);
	EXPECT(int, f32_lt(0xc0000000, 0xbf800000, &fl), 1, 0);
	EXPECT(int, f32_lt(0xbf800000, 0xc0000000, &fl), 0, 0);
	EXPECT(int, f32_le(0xc0000000, 0xc0000000, &fl), 1, 0);
	EXPECT(int, f32_lt(INF32 | NEG32, MAX32 | NEG32, &fl), 1, 0);
	EXPECT(int, f32_le(INF32, INF32, &fl), 1, 0);
	EXPECT(int, f32_lt(0x80000001, NEG32, &fl), 1, 0);

	EXPECT(int, f64_eq(0, NEG64, &fl), 1, 0);
	EXPECT(int, f64_eq(QNAN64, QNAN64, &fl), 0, 0);
	EXPECT(int, f64_eq(ONE64, SNAN64, &fl), 0, NV);
	EXPECT(int, f64_lt(QNAN64, ONE64, &fl), 0, NV);
	EXPECT(int, f64_le(QNAN64, QNAN64, &fl), 0, NV);
	EXPECT(int, f64_lt(NEG64, 0, &fl), 0, 0);
	EXPECT(int, f64_le(NEG64, 0, &fl), 1, 0);
	EXPECT(int, f64_lt(0xbff0000000000000ull, 1, &fl), 1, 0);
	EXPECT(int, f64_lt(0xc000000000000000ull, 0xbff0000000000000ull, &fl),
	       1, 0);
	EXPECT(int, f64_le(ONE64, 0xbff0000000000000ull, &fl), 0, 0);
}
END_TEST

START_TEST(classify)
{
	ck_assert_uint_eq(f32_classify(INF32 | NEG32), FPU_CLASS_NEG_INF);
	ck_assert_uint_eq(f32_classify(0xbf800000), FPU_CLASS_NEG_NORMAL);
	ck_assert_uint_eq(f32_classify(0x80800000), FPU_CLASS_NEG_NORMAL);
	ck_assert_uint_eq(f32_classify(0x807fffff), FPU_CLASS_NEG_SUBNORMAL);
	ck_assert_uint_eq(f32_classify(NEG32), FPU_CLASS_NEG_ZERO);
	ck_assert_uint_eq(f32_classify(0), FPU_CLASS_POS_ZERO);
	ck_assert_uint_eq(f32_classify(1), FPU_CLASS_POS_SUBNORMAL);
	ck_assert_uint_eq(f32_classify(MAX32), FPU_CLASS_POS_NORMAL);
	ck_assert_uint_eq(f32_classify(INF32), FPU_CLASS_POS_INF);
	ck_assert_uint_eq(f32_classify(SNAN32), FPU_CLASS_SNAN);
	ck_assert_uint_eq(f32_classify(0xffbfffff), FPU_CLASS_SNAN);
	ck_assert_uint_eq(f32_classify(QNAN32), FPU_CLASS_QNAN);
	ck_assert_uint_eq(f32_classify(0xffffffff), FPU_CLASS_QNAN);
	ck_assert_uint_eq(FPU_CLASS_QNAN, 0x200);

	ck_assert_uint_eq(f64_classify(INF64 | NEG64), FPU_CLASS_NEG_INF);
	ck_assert_uint_eq(f64_classify(0xbff0000000000000ull),
			  FPU_CLASS_NEG_NORMAL);
	ck_assert_uint_eq(f64_classify(NEG64 | 1), FPU_CLASS_NEG_SUBNORMAL);
	ck_assert_uint_eq(f64_classify(NEG64), FPU_CLASS_NEG_ZERO);
	ck_assert_uint_eq(f64_classify(0), FPU_CLASS_POS_ZERO);
	ck_assert_uint_eq(f64_classify(0x000fffffffffffffull),
			  FPU_CLASS_POS_SUBNORMAL);
	ck_assert_uint_eq(f64_classify(0x0010000000000000ull),
			  FPU_CLASS_POS_NORMAL);
	ck_assert_uint_eq(f64_classify(INF64), FPU_CLASS_POS_INF);
	ck_assert_uint_eq(f64_classify(SNAN64), FPU_CLASS_SNAN);
	ck_assert_uint_eq(f64_classify(0x7ff7ffffffffffffull), FPU_CLASS_SNAN);
	ck_assert_uint_eq(f64_classify(QNAN64), FPU_CLASS_QNAN);
	/* an f32 pattern is not special to f64_classify */
	ck_assert_uint_eq(f64_classify(QNAN32), FPU_CLASS_POS_SUBNORMAL);
}
END_TEST

/* ---------------- conversions ---------------- */

START_TEST(conv_to_int)
{
	/* NaN -> largest positive, whatever its sign */
	EXPECT(int32_t, f32_to_i32(QNAN32, RNE, &fl), INT32_MAX, NV);
	EXPECT(int32_t, f32_to_i32(0xffc00000, RNE, &fl), INT32_MAX, NV);
	EXPECT(int32_t, f32_to_i32(SNAN32, RTZ, &fl), INT32_MAX, NV);
	EXPECT(uint32_t, f32_to_u32(0xffc00000, RNE, &fl), UINT32_MAX, NV);
	EXPECT(int64_t, f32_to_i64(QNAN32, RNE, &fl), INT64_MAX, NV);
	EXPECT(uint64_t, f32_to_u64(QNAN32, RNE, &fl), UINT64_MAX, NV);
	EXPECT(int32_t, f64_to_i32(QNAN64 | NEG64, RNE, &fl), INT32_MAX, NV);
	EXPECT(uint32_t, f64_to_u32(QNAN64, RNE, &fl), UINT32_MAX, NV);
	EXPECT(int64_t, f64_to_i64(SNAN64, RNE, &fl), INT64_MAX, NV);
	EXPECT(uint64_t, f64_to_u64(QNAN64, RNE, &fl), UINT64_MAX, NV);
	/* infinities */
	EXPECT(int32_t, f32_to_i32(INF32, RNE, &fl), INT32_MAX, NV);
	EXPECT(int32_t, f32_to_i32(INF32 | NEG32, RNE, &fl), INT32_MIN, NV);
	EXPECT(uint32_t, f32_to_u32(INF32 | NEG32, RNE, &fl), 0, NV);
	EXPECT(uint64_t, f64_to_u64(INF64, RNE, &fl), UINT64_MAX, NV);
	EXPECT(int64_t, f64_to_i64(INF64 | NEG64, RNE, &fl), INT64_MIN, NV);
	/* range limits */
	EXPECT(int32_t, f32_to_i32(0x4f000000, RNE, &fl), INT32_MAX, NV);
	EXPECT(int32_t, f32_to_i32(0xcf000000, RNE, &fl), INT32_MIN, 0);
	EXPECT(int32_t, f32_to_i32(0xcf000001, RNE, &fl), INT32_MIN, NV);
	EXPECT(int32_t, f32_to_i32(0x4effffff, RNE, &fl), 0x7fffff80, 0);
	EXPECT(uint32_t, f32_to_u32(0x4f800000, RNE, &fl), UINT32_MAX, NV);
	EXPECT(uint32_t, f32_to_u32(0x4f7fffff, RNE, &fl), 0xffffff00u, 0);
	EXPECT(int64_t, f64_to_i64(0xc3e0000000000000ull, RNE, &fl), INT64_MIN,
	       0);
	EXPECT(int64_t, f64_to_i64(0x43e0000000000000ull, RNE, &fl), INT64_MAX,
	       NV);
	EXPECT(uint64_t, f64_to_u64(0x43f0000000000000ull, RNE, &fl),
	       UINT64_MAX, NV);
	EXPECT(uint64_t, f64_to_u64(0x43efffffffffffffull, RNE, &fl),
	       0xfffffffffffff800ull, 0);
	EXPECT(int64_t, f32_to_i64(0xdf000000, RNE, &fl), INT64_MIN, 0);
	EXPECT(int64_t, f32_to_i64(0x5f000000, RNE, &fl), INT64_MAX, NV);
	EXPECT(uint64_t, f32_to_u64(0x5f7fffff, RNE, &fl),
	       0xffffff0000000000ull, 0);
	EXPECT(int32_t, f64_to_i32(0x41dfffffffc00000ull, RNE, &fl), INT32_MAX,
	       0); /* 2147483647.0 */
	/* 2147483647.5: RTZ fits, RNE rounds out of range (NV, no NX) */
	EXPECT(int32_t, f64_to_i32(0x41dfffffffe00000ull, RTZ, &fl), INT32_MAX,
	       NX);
	EXPECT(int32_t, f64_to_i32(0x41dfffffffe00000ull, RNE, &fl), INT32_MAX,
	       NV);
	/* -2147483648.5 */
	EXPECT(int32_t, f64_to_i32(0xc1e0000000100000ull, RTZ, &fl), INT32_MIN,
	       NX);
	EXPECT(int32_t, f64_to_i32(0xc1e0000000100000ull, RNE, &fl), INT32_MIN,
	       NX);
	EXPECT(int32_t, f64_to_i32(0xc1e0000000100000ull, RMM, &fl), INT32_MIN,
	       NV);
	EXPECT(int32_t, f64_to_i32(0xc1e0000000100000ull, RDN, &fl), INT32_MIN,
	       NV);
	EXPECT(int32_t, f64_to_i32(0xc1e0000000100000ull, RUP, &fl), INT32_MIN,
	       NX);
	/* rounding modes on halves */
	EXPECT(int32_t, f32_to_i32(0x3fc00000, RNE, &fl), 2, NX); /* 1.5 */
	EXPECT(int32_t, f32_to_i32(0x40200000, RNE, &fl), 2, NX); /* 2.5 */
	EXPECT(int32_t, f32_to_i32(0x40200000, RMM, &fl), 3, NX);
	EXPECT(int32_t, f32_to_i32(0x40200000, RTZ, &fl), 2, NX);
	EXPECT(int32_t, f32_to_i32(0x40200000, RUP, &fl), 3, NX);
	EXPECT(int32_t, f32_to_i32(0xc0200000, RMM, &fl), -3, NX);
	EXPECT(int32_t, f32_to_i32(0xc0200000, RDN, &fl), -3, NX);
	EXPECT(int32_t, f32_to_i32(0xc0200000, RUP, &fl), -2, NX);
	EXPECT(int32_t, f32_to_i32(0xc0200000, RNE, &fl), -2, NX);
	EXPECT(int64_t, f64_to_i64(0xc004000000000000ull, RMM, &fl), -3, NX);
	EXPECT(int64_t, f64_to_i64(0x3fe0000000000000ull, RMM, &fl), 1, NX);
	EXPECT(int64_t, f64_to_i64(0x3fe0000000000000ull, RNE, &fl), 0, NX);
	EXPECT(int32_t, f32_to_i32(1, RUP, &fl), 1, NX);
	EXPECT(int32_t, f32_to_i32(0x80000001, RDN, &fl), -1, NX);
	EXPECT(int32_t, f32_to_i32(NEG32, RDN, &fl), 0, 0);
	EXPECT(int64_t, f64_to_i64(0x4330000000000001ull, RNE, &fl),
	       0x10000000000001ll, 0);
	/* unsigned and negative: rounds to 0 -> NX, below -> NV */
	EXPECT(uint32_t, f32_to_u32(0xbf800000, RNE, &fl), 0, NV);
	EXPECT(uint32_t, f32_to_u32(0xbf000000, RTZ, &fl), 0, NX);
	EXPECT(uint32_t, f32_to_u32(0xbf000000, RNE, &fl), 0, NX);
	EXPECT(uint32_t, f32_to_u32(0xbf000000, RMM, &fl), 0, NV);
	EXPECT(uint32_t, f32_to_u32(0xbf000000, RDN, &fl), 0, NV);
	EXPECT(uint32_t, f32_to_u32(0xbf000000, RUP, &fl), 0, NX);
	EXPECT(uint64_t, f64_to_u64(0xbfe0000000000000ull, RTZ, &fl), 0, NX);
	EXPECT(uint64_t, f64_to_u64(0xbff0000000000000ull, RTZ, &fl), 0, NV);
	EXPECT(uint64_t, f64_to_u64(NEG64, RTZ, &fl), 0, 0);
	EXPECT(uint32_t, f64_to_u32(0x41efffffffe00000ull, RNE, &fl),
	       UINT32_MAX, 0); /* 4294967295.0 */
	EXPECT(uint32_t, f64_to_u32(0x41effffffff00000ull, RTZ, &fl),
	       UINT32_MAX, NX); /* 4294967295.5 */
	EXPECT(uint32_t, f64_to_u32(0x41effffffff00000ull, RNE, &fl),
	       UINT32_MAX, NV);
	/* huge exponents */
	EXPECT(int64_t, f64_to_i64(MAX64, RNE, &fl), INT64_MAX, NV);
	EXPECT(uint32_t, f64_to_u32(1, RUP, &fl), 1, NX);
	EXPECT(uint32_t, f64_to_u32(1, RNE, &fl), 0, NX);
}
END_TEST

START_TEST(conv_from_int)
{
	EXPECT(uint32_t, i32_to_f32(0, RNE, &fl), 0, 0);
	EXPECT(uint32_t, i32_to_f32(-1, RNE, &fl), 0xbf800000, 0);
	EXPECT(uint32_t, i32_to_f32(INT32_MIN, RNE, &fl), 0xcf000000, 0);
	/* 2^24 + 1: a tie */
	EXPECT(uint32_t, i32_to_f32(16777217, RNE, &fl), 0x4b800000, NX);
	EXPECT(uint32_t, i32_to_f32(16777217, RMM, &fl), 0x4b800001, NX);
	EXPECT(uint32_t, i32_to_f32(16777217, RUP, &fl), 0x4b800001, NX);
	EXPECT(uint32_t, i32_to_f32(16777217, RTZ, &fl), 0x4b800000, NX);
	EXPECT(uint32_t, i32_to_f32(-16777217, RMM, &fl), 0xcb800001, NX);
	EXPECT(uint32_t, i32_to_f32(-16777217, RDN, &fl), 0xcb800001, NX);
	EXPECT(uint32_t, i32_to_f32(-16777217, RUP, &fl), 0xcb800000, NX);
	EXPECT(uint32_t, i32_to_f32(16777219, RNE, &fl), 0x4b800002, NX);
	EXPECT(uint32_t, i32_to_f32(INT32_MAX, RNE, &fl), 0x4f000000, NX);
	EXPECT(uint32_t, i32_to_f32(INT32_MAX, RTZ, &fl), 0x4effffff, NX);
	EXPECT(uint32_t, u32_to_f32(UINT32_MAX, RNE, &fl), 0x4f800000, NX);
	EXPECT(uint32_t, u32_to_f32(UINT32_MAX, RTZ, &fl), 0x4f7fffff, NX);
	EXPECT(uint32_t, u32_to_f32(0x80000000u, RNE, &fl), 0x4f000000, 0);
	EXPECT(uint32_t, i64_to_f32(INT64_MIN, RNE, &fl), 0xdf000000, 0);
	EXPECT(uint32_t, i64_to_f32(-1, RNE, &fl), 0xbf800000, 0);
	EXPECT(uint32_t, u64_to_f32(UINT64_MAX, RNE, &fl), 0x5f800000, NX);
	EXPECT(uint32_t, u64_to_f32(UINT64_MAX, RTZ, &fl), 0x5f7fffff, NX);
	EXPECT(uint32_t, u64_to_f32(0x8000008000000000ull, RNE, &fl),
	       0x5f000000, NX);
	EXPECT(uint32_t, u64_to_f32(0x8000008000000000ull, RMM, &fl),
	       0x5f000001, NX);

	EXPECT(uint64_t, i32_to_f64(INT32_MIN, RNE, &fl), 0xc1e0000000000000ull,
	       0);
	EXPECT(uint64_t, i32_to_f64(INT32_MAX, RDN, &fl), 0x41dfffffffc00000ull,
	       0);
	EXPECT(uint64_t, u32_to_f64(UINT32_MAX, RNE, &fl),
	       0x41efffffffe00000ull, 0);
	EXPECT(uint64_t, i64_to_f64(0, RDN, &fl), 0, 0);
	EXPECT(uint64_t, i64_to_f64((1ll << 53) + 1, RNE, &fl),
	       0x4340000000000000ull, NX);
	EXPECT(uint64_t, i64_to_f64((1ll << 53) + 1, RMM, &fl),
	       0x4340000000000001ull, NX);
	EXPECT(uint64_t, i64_to_f64(-(1ll << 53) - 1, RMM, &fl),
	       0xc340000000000001ull, NX);
	EXPECT(uint64_t, i64_to_f64(-(1ll << 53) - 1, RUP, &fl),
	       0xc340000000000000ull, NX);
	EXPECT(uint64_t, i64_to_f64(INT64_MIN, RNE, &fl), 0xc3e0000000000000ull,
	       0);
	EXPECT(uint64_t, i64_to_f64(INT64_MAX, RTZ, &fl), 0x43dfffffffffffffull,
	       NX);
	EXPECT(uint64_t, u64_to_f64(UINT64_MAX, RNE, &fl),
	       0x43f0000000000000ull, NX);
	EXPECT(uint64_t, u64_to_f64(UINT64_MAX, RTZ, &fl),
	       0x43efffffffffffffull, NX);
	EXPECT(uint64_t, u64_to_f64(UINT64_MAX, RMM, &fl),
	       0x43f0000000000000ull, NX);
}
END_TEST

START_TEST(conv_float)
{
	EXPECT(uint64_t, f32_to_f64(ONE32, &fl), ONE64, 0);
	EXPECT(uint64_t, f32_to_f64(NEG32, &fl), NEG64, 0);
	EXPECT(uint64_t, f32_to_f64(INF32 | NEG32, &fl), INF64 | NEG64, 0);
	EXPECT(uint64_t, f32_to_f64(1, &fl), 0x36a0000000000000ull, 0);
	EXPECT(uint64_t, f32_to_f64(0x807fffff, &fl), 0xb80fffffc0000000ull, 0);
	EXPECT(uint64_t, f32_to_f64(MAX32, &fl), 0x47efffffe0000000ull, 0);
	EXPECT(uint64_t, f32_to_f64(QNAN32 | NEG32, &fl), QNAN64, 0);
	EXPECT(uint64_t, f32_to_f64(0x7fc12345, &fl), QNAN64, 0);
	EXPECT(uint64_t, f32_to_f64(SNAN32, &fl), QNAN64, NV);

	EXPECT(uint32_t, f64_to_f32(ONE64, RNE, &fl), ONE32, 0);
	EXPECT(uint32_t, f64_to_f32(NEG64, RNE, &fl), NEG32, 0);
	EXPECT(uint32_t, f64_to_f32(INF64, RTZ, &fl), INF32, 0);
	EXPECT(uint32_t, f64_to_f32(QNAN64 | 77, RNE, &fl), QNAN32, 0);
	EXPECT(uint32_t, f64_to_f32(SNAN64, RNE, &fl), QNAN32, NV);
	/* 1 + 2^-24 */
	EXPECT(uint32_t, f64_to_f32(0x3ff0000010000000ull, RNE, &fl), ONE32,
	       NX);
	EXPECT(uint32_t, f64_to_f32(0x3ff0000010000000ull, RMM, &fl),
	       0x3f800001, NX);
	EXPECT(uint32_t, f64_to_f32(0xbff0000010000000ull, RMM, &fl),
	       0xbf800001, NX);
	EXPECT(uint32_t, f64_to_f32(0x3ff0000010000001ull, RNE, &fl),
	       0x3f800001, NX);
	/* overflow */
	EXPECT(uint32_t, f64_to_f32(MAX64, RNE, &fl), INF32, OF | NX);
	EXPECT(uint32_t, f64_to_f32(MAX64, RTZ, &fl), MAX32, OF | NX);
	EXPECT(uint32_t, f64_to_f32(MAX64 | NEG64, RUP, &fl), MAX32 | NEG32,
	       OF | NX);
	EXPECT(uint32_t, f64_to_f32(MAX64 | NEG64, RMM, &fl), INF32 | NEG32,
	       OF | NX);
	/* largest value rounding to MAX32 in RNE, and the next tie */
	EXPECT(uint32_t, f64_to_f32(0x47efffffefffffffull, RNE, &fl), MAX32,
	       NX);
	EXPECT(uint32_t, f64_to_f32(0x47effffff0000000ull, RNE, &fl), INF32,
	       OF | NX);
	EXPECT(uint32_t, f64_to_f32(0x47effffff0000000ull, RTZ, &fl), MAX32,
	       NX);
	/* underflow: 2^-150 is a tie between 0 and 2^-149 */
	EXPECT(uint32_t, f64_to_f32(0x3690000000000000ull, RNE, &fl), 0,
	       UF | NX);
	EXPECT(uint32_t, f64_to_f32(0x3690000000000000ull, RMM, &fl), 1,
	       UF | NX);
	EXPECT(uint32_t, f64_to_f32(1, RUP, &fl), 1, UF | NX);
	EXPECT(uint32_t, f64_to_f32(NEG64 | 1, RDN, &fl), NEG32 | 1, UF | NX);
	EXPECT(uint32_t, f64_to_f32(NEG64 | 1, RNE, &fl), NEG32, UF | NX);
	EXPECT(uint32_t, f64_to_f32(0x36a0000000000000ull, RNE, &fl), 1, 0);
	/* (1 - 2^-25) * 2^-126: not tiny after rounding in RNE */
	EXPECT(uint32_t, f64_to_f32(0x380ffffff0000000ull, RNE, &fl),
	       0x00800000, NX);
	EXPECT(uint32_t, f64_to_f32(0x380ffffff0000000ull, RMM, &fl),
	       0x00800000, NX);
	EXPECT(uint32_t, f64_to_f32(0x380ffffff0000000ull, RTZ, &fl),
	       0x007fffff, UF | NX);
	/* (1 - 2^-24) * 2^-126 is exactly 0x007fffff.8: tiny either way */
	EXPECT(uint32_t, f64_to_f32(0x380fffffe0000000ull, RNE, &fl),
	       0x00800000, UF | NX);
}
END_TEST

/* Anything other than 0..4 is treated as RNE, never undefined. */
START_TEST(bad_rm)
{
	EXPECT(uint32_t, f32_add(ONE32, 0x33800001, 7, &fl), 0x3f800001, NX);
	EXPECT(uint64_t, f64_mul(MAX64, MAX64, -1, &fl), INF64, OF | NX);
	EXPECT(uint32_t, f32_fma(ONE32, ONE32, 0x33800000, 0, 5, &fl), ONE32,
	       NX);
}
END_TEST

/* ---------------- randomised cross-checks ---------------- */

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct fmt {
	int w, p, eb, bias;
};
static const struct fmt F32 = {32, 24, 8, 127}, F64 = {64, 53, 11, 1023};

static uint64_t fmask(const struct fmt *f)
{
	return f->w == 64 ? ~0ull : (1ull << f->w) - 1;
}

static uint64_t mk(const struct fmt *f, int sign, int e, uint64_t frac)
{
	int fb = f->p - 1, emx = (1 << f->eb) - 1;

	if (e < 0)
		e = 0;
	if (e > emx - 1)
		e = emx - 1;
	return ((uint64_t)sign << (f->w - 1)) | ((uint64_t)e << fb) |
	       (frac & ((1ull << fb) - 1));
}

static int expof(const struct fmt *f, uint64_t x)
{
	return (int)(x >> (f->p - 1)) & ((1 << f->eb) - 1);
}

/* significand patterns that stress rounding: runs of ones and zeros */
static uint64_t rand_frac(uint64_t *s, int fb)
{
	uint64_t r = rng(s);
	int lo = (int)(rng(s) % (uint64_t)(fb + 1));
	int hi = lo + (int)(rng(s) % (uint64_t)(fb + 1 - lo));

	switch (r & 7) {
	case 0: return (((hi >= 64 ? 0 : 1ull << hi)) - 1) ^ ((1ull << lo) - 1);
	case 1: return ((1ull << fb) - 1) ^ (1ull << lo);
	case 2: return 1ull << lo;
	case 3: return (r >> 3) & ~((1ull << lo) - 1);
	case 4: return ((1ull << fb) - 1) & ~((1ull << lo) - 1);
	default: return r >> 3;
	}
}

static uint64_t rand_special(uint64_t *s, const struct fmt *f)
{
	int fb = f->p - 1;
	uint64_t ex = (uint64_t)((1 << f->eb) - 1) << fb;
	uint64_t v[] = {0,
			1,
			(1ull << fb) - 1,
			1ull << fb,
			(1ull << fb) + 1,
			ex - 1,
			ex,
			ex | 1,
			ex | 1ull << (fb - 1),
			(uint64_t)f->bias << fb,
			((uint64_t)f->bias << fb) | 1,
			((uint64_t)(f->bias - 1) << fb) | ((1ull << fb) - 1)};
	uint64_t r = rng(s);

	return v[r % N(v)] | ((r >> 32) & 1 ? 1ull << (f->w - 1) : 0);
}

static uint64_t rand_operand(uint64_t *s, const struct fmt *f)
{
	uint64_t r = rng(s);
	int emx = (1 << f->eb) - 1, e;

	switch (r % 12) {
	case 0: return rand_special(s, f);
	case 1: return rng(s) & fmask(f);
	case 2: /* near the bottom or top of the range */
		e = (int)((r >> 8) % 4);
		e = (r >> 16) & 1 ? emx - 1 - e : e;
		break;
	default: /* near 1, so that operands interact */
		e = f->bias + (int)((r >> 8) % (uint64_t)(2 * f->p + 8)) -
		    f->p - 4;
		break;
	case 3:
	case 4: e = (int)((r >> 8) % (uint64_t)emx); break;
	}
	return mk(f, (int)(r >> 63), e, rand_frac(s, f->p - 1));
}

/* b chosen to make a op b land on an interesting boundary */
static uint64_t rand_partner(uint64_t *s, const struct fmt *f, int op,
			     uint64_t a)
{
	uint64_t r = rng(s), b = rand_operand(s, f);
	int ea = expof(f, a), d = (int)((r >> 8) % 7) - 3;
	uint64_t sign = 1ull << (f->w - 1);

	if (r % 3)
		return b;
	switch (op) {
	case ADD:
	case SUB: /* cancellation, or alignment by up to p+3 places */
		if ((r >> 4) & 1)
			return (((a ^ (op == ADD ? sign : 0)) + (uint64_t)d)) &
			       fmask(f);
		return mk(f, (int)(b >> (f->w - 1)),
			  ea - (int)((r >> 16) % (uint64_t)(f->p + 4)), b);
	case MUL: { /* product near the smallest normal or the overflow */
		int tgt = (r >> 4) & 1 ? 1 : 2 * f->bias;

		return mk(f, (int)(b >> (f->w - 1)), tgt - ea + f->bias + d, b);
	}
	case DIV: {
		int tgt = (r >> 4) & 1 ? 1 : 2 * f->bias;

		return mk(f, (int)(b >> (f->w - 1)), ea - tgt + f->bias + d, b);
	}
	default: return b;
	}
}

static const char *const op_name[] = {"add",   "sub",	 "mul",
				      "div",   "sqrt",	 "fmadd",
				      "fmsub", "fnmsub", "fnmadd"};

/*
 * Software path vs. public (host) path on n operand sets for each of
 * RNE/RTZ/RDN/RUP. Returns the number of mismatches; reports the first.
 */
static long xcheck(const struct fmt *f, int op, long n, uint64_t seed)
{
	uint64_t s = seed;
	long bad = 0;

	for (long i = 0; i < n; i++) {
		uint64_t a = rand_operand(&s, f);
		uint64_t b = rand_partner(&s, f, op, a);
		uint64_t c = rand_operand(&s, f);
		int rm = (int)(i & 3);

		if (op == SQRT && (rng(&s) & 1))
			a &= ~(1ull << (f->w - 1));
		if (op >= FMADD && (rng(&s) & 1)) {
			/* addend close to -(a*b): massive cancellation */
			uint32_t dummy = 0;
			uint64_t p =
				f->w == 64
					? f64_mul_soft(a, b, RNE, &dummy)
					: f32_mul_soft((uint32_t)a, (uint32_t)b,
						       RNE, &dummy);

			p ^= op == FMADD || op == FNMADD ? 1ull << (f->w - 1)
							 : 0;
			c = (p + (rng(&s) % 5) - 2) & fmask(f);
		}
		for (int k = 0; k < 2; k++) {
			uint32_t fs = 0, fh = 0;
			uint64_t rs, rh;

			if (f->w == 64) {
				rs = run64(op, 1, a, b, c, rm, &fs);
				rh = run64(op, 0, a, b, c, rm, &fh);
			} else {
				rs = run32(op, 1, (uint32_t)a, (uint32_t)b,
					   (uint32_t)c, rm, &fs);
				rh = run32(op, 0, (uint32_t)a, (uint32_t)b,
					   (uint32_t)c, rm, &fh);
			}
			if (rs != rh || fs != fh) {
				if (!bad)
					ck_assert_msg(
						0,
						"f%d %s rm %d a %llx b %llx c "
						"%llx: soft %llx/%x host "
						"%llx/%x",
						f->w, op_name[op], rm,
						(unsigned long long)a,
						(unsigned long long)b,
						(unsigned long long)c,
						(unsigned long long)rs, fs,
						(unsigned long long)rh, fh);
				bad++;
			}
			/* second round: swap the operands of commutative
			 * ops, otherwise repeat with the other sign of a */
			if (op == ADD || op == MUL || op >= FMADD) {
				uint64_t t = a;

				a = b;
				b = t;
			} else {
				a ^= 1ull << (f->w - 1);
			}
		}
	}
	return bad;
}

#define XCHECK_N 150000

START_TEST(xcheck_f32)
{
	for (int op = ADD; op <= FNMADD; op++)
		ck_assert_int_eq(xcheck(&F32, op, XCHECK_N, 0x1234 + op), 0);
}
END_TEST

START_TEST(xcheck_f64)
{
	for (int op = ADD; op <= FNMADD; op++)
		ck_assert_int_eq(xcheck(&F64, op, XCHECK_N, 0x5678 + op), 0);
}
END_TEST

#if defined(__x86_64__)
/* Host SSE conversions under a given rounding mode, as references. */
static const uint32_t mx_rm[4] = {0x1f80, 0x7f80, 0x3f80, 0x5f80};

static uint32_t mx_flags(uint32_t m)
{
	return ((m & 1) << 4) | ((m & 4) << 1) | ((m & 8) >> 1) |
	       ((m & 16) >> 3) | ((m & 32) >> 5);
}

#define HOST_CVT(name, TI, TO, CI, CO, insn)                                   \
	static TO name(TI x, int rm, uint32_t *fl)                             \
	{                                                                      \
		uint32_t cs = mx_rm[rm], sv, st;                               \
		TO y;                                                          \
		__asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[cs]\n\t" insn     \
				 " %[x], %[y]\n\tstmxcsr %[st]\n\t"            \
				 "ldmxcsr %[sv]"                               \
				 : [y] "=" CO(y), [sv] "=m"(sv), [st] "=m"(st) \
				 : [x] CI(x), [cs] "m"(cs));                   \
		*fl |= mx_flags(st);                                           \
		return y;                                                      \
	}

HOST_CVT(h_d2s, double, float, "x", "x", "cvtsd2ss")
HOST_CVT(h_s2d, float, double, "x", "x", "cvtss2sd")
HOST_CVT(h_d2i32, double, int32_t, "x", "r", "cvtsd2si")
HOST_CVT(h_d2i64, double, int64_t, "x", "r", "cvtsd2siq")
HOST_CVT(h_s2i32, float, int32_t, "x", "r", "cvtss2si")
HOST_CVT(h_s2i64, float, int64_t, "x", "r", "cvtss2siq")
HOST_CVT(h_i64_2d, int64_t, double, "r", "x", "cvtsi2sdq")
HOST_CVT(h_i64_2s, int64_t, float, "r", "x", "cvtsi2ssq")

static double dval(uint64_t x)
{
	double d;

	memcpy(&d, &x, 8);
	return d;
}
static float sval(uint32_t x)
{
	float f;

	memcpy(&f, &x, 4);
	return f;
}
static uint64_t dbits(double d)
{
	uint64_t x;

	memcpy(&x, &d, 8);
	return x;
}
static uint32_t sbits(float f)
{
	uint32_t x;

	memcpy(&x, &f, 4);
	return x;
}

#define XASSERT(cond, ...)                                                     \
	do {                                                                   \
		if (!(cond)) {                                                 \
			if (!bad)                                              \
				ck_assert_msg(0, __VA_ARGS__);                 \
			bad++;                                                 \
		}                                                              \
	} while (0)

START_TEST(xcheck_conversions)
{
	uint64_t s = 0x9abc;
	long bad = 0;

	for (long i = 0; i < 150000; i++) {
		int rm = (int)(i & 3);
		uint64_t a64 = rand_operand(&s, &F64);
		uint32_t a32 = (uint32_t)rand_operand(&s, &F32);
		uint64_t r = rng(&s);
		int64_t iv;
		uint32_t fs = 0, fh = 0;

		/* f64 -> f32, half the time with an exponent in -150..149
		 * or -23..276: across the f32 subnormal and overflow limits */
		if (r & 1)
			a64 = mk(&F64, (int)(a64 >> 63),
				 1023 + (int)((r >> 8) % 300) - 150 +
					 ((r >> 20) & 1 ? 0 : 127),
				 a64);
		{
			uint32_t y = f64_to_f32(a64, rm, &fs);
			uint32_t h = sbits(h_d2s(dval(a64), rm, &fh));

			if ((h & 0x7fffffff) > 0x7f800000)
				h = 0x7fc00000;
			XASSERT(y == h && fs == fh,
				"f64_to_f32 %llx rm %d: %x/%x host %x/%x",
				(unsigned long long)a64, rm, y, fs, h, fh);
		}
		fs = fh = 0;
		{
			uint64_t y = f32_to_f64(a32, &fs);
			uint64_t h = dbits(h_s2d(sval(a32), rm, &fh));

			if ((h & ~(1ull << 63)) > 0x7ff0000000000000ull)
				h = 0x7ff8000000000000ull;
			XASSERT(y == h && fs == fh,
				"f32_to_f64 %x: %llx/%x host %llx/%x", a32,
				(unsigned long long)y, fs,
				(unsigned long long)h, fh);
		}
		/* float -> int: the host raises invalid exactly when RISC-V
		 * does for signed targets, and rounds the same in range */
		if ((r >> 1) & 1)
			a64 = mk(&F64, (int)(a64 >> 63),
				 1023 + (int)((r >> 24) % 70) - 4, a64);
		if ((r >> 2) & 1)
			a32 = (uint32_t)mk(&F32, (int)(a32 >> 31),
					   127 + (int)((r >> 32) % 70) - 4,
					   a32);
#define CHK_TOI(T, fn, hfn, x, hx, sat_max, sat_min, isnan)                    \
	do {                                                                   \
		uint32_t f1 = 0, f2 = 0;                                       \
		T y = fn(x, rm, &f1);                                          \
		T h = hfn(hx, rm, &f2);                                        \
		if (f2 & FPU_NV)                                               \
			h = (isnan)			 ? sat_max             \
			    : (x) >> (sizeof(x) * 8 - 1) ? sat_min             \
							 : sat_max;            \
		XASSERT(y == h && f1 == f2,                                    \
			#fn " %llx rm %d: %llx/%x host %llx/%x",               \
			(unsigned long long)(x), rm, (unsigned long long)y,    \
			f1, (unsigned long long)h, f2);                        \
	} while (0)
		CHK_TOI(int32_t, f64_to_i32, h_d2i32, a64, dval(a64), INT32_MAX,
			INT32_MIN,
			(a64 & ~(1ull << 63)) > 0x7ff0000000000000ull);
		CHK_TOI(int64_t, f64_to_i64, h_d2i64, a64, dval(a64), INT64_MAX,
			INT64_MIN,
			(a64 & ~(1ull << 63)) > 0x7ff0000000000000ull);
		CHK_TOI(int32_t, f32_to_i32, h_s2i32, a32, sval(a32), INT32_MAX,
			INT32_MIN, (a32 & 0x7fffffffu) > 0x7f800000u);
		CHK_TOI(int64_t, f32_to_i64, h_s2i64, a32, sval(a32), INT64_MAX,
			INT64_MIN, (a32 & 0x7fffffffu) > 0x7f800000u);
		/* unsigned targets via the signed 64-bit host conversion */
		{
			uint32_t f1 = 0, f2 = 0;
			uint32_t y = f64_to_u32(a64, rm, &f1);
			int64_t h = h_d2i64(dval(a64), rm, &f2);

			if (!(f2 & FPU_NV) && h >= 0 && h <= UINT32_MAX)
				XASSERT(y == (uint32_t)h && f1 == f2,
					"f64_to_u32 %llx rm %d: %x/%x host "
					"%llx/%x",
					(unsigned long long)a64, rm, y, f1,
					(unsigned long long)h, f2);
			else if (!(f2 & FPU_NV))
				XASSERT(f1 == FPU_NV &&
						y == (h < 0 ? 0 : UINT32_MAX),
					"f64_to_u32 %llx rm %d: %x/%x",
					(unsigned long long)a64, rm, y, f1);
		}
		{
			uint32_t f1 = 0, f2 = 0;
			uint64_t y = f32_to_u64(a32, rm, &f1);
			int64_t h = h_s2i64(sval(a32), rm, &f2);

			if (!(f2 & FPU_NV) && h >= 0)
				XASSERT(y == (uint64_t)h && f1 == f2,
					"f32_to_u64 %x rm %d: %llx/%x host "
					"%llx/%x",
					a32, rm, (unsigned long long)y, f1,
					(unsigned long long)h, f2);
			else if (!(f2 & FPU_NV))
				XASSERT(f1 == FPU_NV && y == 0,
					"f32_to_u64 %x rm %d: %llx/%x", a32, rm,
					(unsigned long long)y, f1);
		}
		/* int -> float */
		iv = (int64_t)rng(&s);
		iv >>= rng(&s) % 64;
		{
			uint32_t f1 = 0, f2 = 0;
			uint64_t y = i64_to_f64(iv, rm, &f1);
			uint64_t h = dbits(h_i64_2d(iv, rm, &f2));

			XASSERT(y == h && f1 == f2,
				"i64_to_f64 %lld rm %d: %llx/%x host %llx/%x",
				(long long)iv, rm, (unsigned long long)y, f1,
				(unsigned long long)h, f2);
		}
		{
			uint32_t f1 = 0, f2 = 0;
			uint32_t y = i64_to_f32(iv, rm, &f1);
			uint32_t h = sbits(h_i64_2s(iv, rm, &f2));

			XASSERT(y == h && f1 == f2,
				"i64_to_f32 %lld rm %d: %x/%x host %x/%x",
				(long long)iv, rm, y, f1, h, f2);
		}
		{
			uint32_t f1 = 0, f2 = 0;
			uint32_t y = i32_to_f32((int32_t)iv, rm, &f1);
			uint32_t h = sbits(h_i64_2s((int32_t)iv, rm, &f2));

			XASSERT(y == h && f1 == f2,
				"i32_to_f32 %d rm %d: %x/%x host %x/%x",
				(int)(int32_t)iv, rm, y, f1, h, f2);
		}
		if (iv >= 0) {
			uint32_t f1 = 0, f2 = 0;
			uint64_t v = (uint64_t)iv;
			uint32_t y = u64_to_f32(v, rm, &f1);
			uint32_t h = sbits(h_i64_2s(iv, rm, &f2));

			XASSERT(y == h && f1 == f2,
				"u64_to_f32 %llx rm %d: %x/%x host %x/%x",
				(unsigned long long)v, rm, y, f1, h, f2);
		}
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST
#endif

Suite *fpu_suite(void)
{
	Suite *s = suite_create("fpu");
	TCase *edge = tcase_create("edge");
	TCase *rnd = tcase_create("random");

	tcase_add_test(edge, arith_f32);
	tcase_add_test(edge, arith_f64);
	tcase_add_test(edge, tininess);
	tcase_add_test(edge, rmm_ties);
	tcase_add_test(edge, fma_cases);
	tcase_add_test(edge, minmax);
	tcase_add_test(edge, compares);
	tcase_add_test(edge, classify);
	tcase_add_test(edge, conv_to_int);
	tcase_add_test(edge, conv_from_int);
	tcase_add_test(edge, conv_float);
	tcase_add_test(edge, bad_rm);
	suite_add_tcase(s, edge);

	tcase_set_timeout(rnd, 60);
	tcase_add_test(rnd, xcheck_f32);
	tcase_add_test(rnd, xcheck_f64);
#if defined(__x86_64__)
	tcase_add_test(rnd, xcheck_conversions);
#endif
	suite_add_tcase(s, rnd);
	return s;
}
