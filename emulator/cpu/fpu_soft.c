/*
 * Exact software IEEE-754 arithmetic for the RISC-V F and D extensions.
 *
 * Every operation reduces its operands to sign, integer significand and
 * binary exponent (value = sig * 2^exp), computes the exact result or an
 * exact-enough one (a 128-bit significand with a sticky bit in bit 0,
 * at least two bits below the rounding point), and hands it to one
 * rounding routine, round_pack(), which implements all five rounding
 * modes, tininess after rounding, overflow and the flags. Both formats
 * share the code; `D` (0 = binary32, 1 = binary64) is a compile-time
 * constant in every wrapper so the compiler specialises each copy.
 *
 * Also here: every conversion (they are always done in software, which is
 * exact and cheap), for both formats and every rounding mode.
 */
#include "fpu.h"

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;

#define FMT_P(D) ((D) ? 53 : 24) /* precision incl. hidden bit */
#define FMT_BIAS(D) ((D) ? 1023 : 127)
#define FMT_EMAXF(D) ((D) ? 0x7ff : 0xff) /* all-ones exponent field */
#define FMT_SIGN(D) ((D) ? 1ull << 63 : 1ull << 31)
#define FMT_INF(D) ((uint64_t)FMT_EMAXF(D) << (FMT_P(D) - 1))
#define FMT_NAN(D) ((D) ? F64_CANONICAL_NAN : (uint64_t)F32_CANONICAL_NAN)
#define FMT_EMIN(D) (1 - FMT_BIAS(D)) /* exponent of the smallest normal */

enum { C_ZERO, C_FINITE, C_INF, C_QNAN, C_SNAN };

struct unp {
	int cls;
	int sign;
	int exp; /* value = sig * 2^exp when cls == C_FINITE */
	uint64_t sig;
};

static inline __attribute__((always_inline)) struct unp unpack(uint64_t x,
							       const int D)
{
	const int fb = FMT_P(D) - 1;
	struct unp u;
	uint64_t frac = x & ((1ull << fb) - 1);
	int be = (int)(x >> fb) & FMT_EMAXF(D);

	u.sign = (x & FMT_SIGN(D)) != 0;
	u.exp = 0;
	u.sig = 0;
	if (be == FMT_EMAXF(D)) {
		if (frac == 0)
			u.cls = C_INF;
		else
			u.cls = (frac >> (fb - 1)) & 1 ? C_QNAN : C_SNAN;
	} else if (be == 0) {
		u.cls = frac ? C_FINITE : C_ZERO;
		u.sig = frac;
		u.exp = FMT_EMIN(D) - fb;
	} else {
		u.cls = C_FINITE;
		u.sig = frac | 1ull << fb;
		u.exp = be - FMT_BIAS(D) - fb;
	}
	return u;
}

static inline int is_nan(int cls)
{
	return cls >= C_QNAN;
}

static inline uint64_t sign_bit(int sign, const int D)
{
	return sign ? FMT_SIGN(D) : 0;
}

static inline int clz128(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64);

	return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)x);
}

/*
 * Drop the low `drop` (>= 1) bits of s and round the rest to an integer
 * with mode rm for a value of sign `sign`. *inexact is set if any dropped
 * bit was 1. The result may carry into one more bit.
 */
static inline u128 rshift_round(u128 s, int drop, int rm, int sign,
				int *inexact)
{
	u128 kept;
	int rbit, sticky, inc;

	if (drop > 128) {
		kept = 0;
		rbit = 0;
		sticky = s != 0;
	} else if (drop == 128) {
		kept = 0;
		rbit = (int)(s >> 127);
		sticky = (s << 1) != 0;
	} else {
		u128 rem = s << (128 - drop);

		kept = s >> drop;
		rbit = (int)(rem >> 127);
		sticky = (rem << 1) != 0;
	}
	*inexact = rbit | sticky;
	switch (rm) {
	case FPU_RTZ: inc = 0; break;
	case FPU_RDN: inc = sign && (rbit | sticky); break;
	case FPU_RUP: inc = !sign && (rbit | sticky); break;
	case FPU_RMM: inc = rbit; break;
	default: /* RNE */ inc = rbit && (sticky || (kept & 1)); break;
	}
	return kept + (unsigned)inc;
}

static inline uint64_t overflow_result(int sign, int rm, uint32_t *flags,
				       const int D)
{
	int to_inf = rm == FPU_RTZ   ? 0
		     : rm == FPU_RDN ? sign
		     : rm == FPU_RUP ? !sign
				     : 1;

	*flags |= FPU_OF | FPU_NX;
	if (to_inf)
		return sign_bit(sign, D) | FMT_INF(D);
	return sign_bit(sign, D) | (FMT_INF(D) - 1); /* largest finite */
}

/*
 * Round (-1)^sign * sig * 2^exp (sig != 0) to format D with mode rm.
 * sig must be exact, or carry a sticky 1 in bit 0 with at least two
 * significant bits between it and the rounding point.
 */
static inline __attribute__((always_inline)) uint64_t
round_pack(int sign, int exp, u128 sig, int rm, uint32_t *flags, const int D)
{
	const int P = FMT_P(D);
	int lz = clz128(sig);
	int e, er, inexact;
	u128 r;

	sig <<= lz;
	e = exp + 127 - lz; /* exponent of the leading 1 */
	/* round to P bits as if the exponent range were unbounded */
	r = rshift_round(sig, 128 - P, rm, sign, &inexact);
	er = e;
	if (r >> P) {
		r >>= 1;
		er++;
	}
	if (e >= FMT_EMIN(D)) {
		if (er > FMT_BIAS(D))
			return overflow_result(sign, rm, flags, D);
		if (inexact)
			*flags |= FPU_NX;
		return sign_bit(sign, D) |
		       (((uint64_t)(er + FMT_BIAS(D) - 1) << (P - 1)) +
			(uint64_t)r);
	}
	/* below the normal range: round again at the subnormal position;
	 * tiny means the unbounded-exponent rounding stayed below emin */
	{
		int tiny = er < FMT_EMIN(D);
		u128 r2 = rshift_round(sig, 128 - P + (FMT_EMIN(D) - e), rm,
				       sign, &inexact);

		if (inexact)
			*flags |= tiny ? FPU_NX | FPU_UF : FPU_NX;
		/* r2 <= 2^(P-1); 2^(P-1) encodes the smallest normal */
		return sign_bit(sign, D) | (uint64_t)r2;
	}
}

static inline u128 shift_right_sticky(u128 x, int n)
{
	if (n <= 0)
		return x;
	if (n >= 128)
		return x != 0;
	return (x >> n) | (u128)((x << (128 - n)) != 0);
}

static inline uint64_t zero_sum_sign(int rm, const int D)
{
	return rm == FPU_RDN ? FMT_SIGN(D) : 0;
}

/*
 * Exact sum of two nonzero finite terms (sig < 2^126 each), rounded.
 */
static inline __attribute__((always_inline)) uint64_t
add_terms(int sa, int ea, u128 ma, int sb, int eb, u128 mb, int rm,
	  uint32_t *flags, const int D)
{
	int la = clz128(ma) - 2, lb = clz128(mb) - 2;
	u128 m;

	/* both leading ones at bit 125: the larger exponent is the larger
	 * magnitude */
	ma <<= la;
	ea -= la;
	mb <<= lb;
	eb -= lb;
	if (ea < eb || (ea == eb && ma < mb)) {
		int ts = sa, te = ea;
		u128 tm = ma;

		sa = sb;
		ea = eb;
		ma = mb;
		sb = ts;
		eb = te;
		mb = tm;
	}
	mb = shift_right_sticky(mb, ea - eb);
	if (sa == sb) {
		m = ma + mb;
	} else {
		m = ma - mb;
		if (m == 0)
			return zero_sum_sign(rm, D);
	}
	return round_pack(sa, ea, m, rm, flags, D);
}

static inline __attribute__((always_inline)) uint64_t
soft_add(uint64_t a, uint64_t b, int negb, int rm, uint32_t *flags, const int D)
{
	struct unp x = unpack(a, D), y;

	if (negb)
		b ^= FMT_SIGN(D);
	y = unpack(b, D);
	if (is_nan(x.cls) || is_nan(y.cls)) {
		if (x.cls == C_SNAN || y.cls == C_SNAN)
			*flags |= FPU_NV;
		return FMT_NAN(D);
	}
	if (x.cls == C_INF || y.cls == C_INF) {
		if (x.cls == C_INF && y.cls == C_INF && x.sign != y.sign) {
			*flags |= FPU_NV;
			return FMT_NAN(D);
		}
		return x.cls == C_INF ? a : b;
	}
	if (x.cls == C_ZERO || y.cls == C_ZERO) {
		if (x.cls != C_ZERO)
			return a;
		if (y.cls != C_ZERO)
			return b;
		return x.sign == y.sign ? a : zero_sum_sign(rm, D);
	}
	return add_terms(x.sign, x.exp, x.sig, y.sign, y.exp, y.sig, rm, flags,
			 D);
}

static inline __attribute__((always_inline)) uint64_t
soft_mul(uint64_t a, uint64_t b, int rm, uint32_t *flags, const int D)
{
	struct unp x = unpack(a, D), y = unpack(b, D);
	int s = x.sign ^ y.sign;

	if (is_nan(x.cls) || is_nan(y.cls)) {
		if (x.cls == C_SNAN || y.cls == C_SNAN)
			*flags |= FPU_NV;
		return FMT_NAN(D);
	}
	if (x.cls == C_INF || y.cls == C_INF) {
		if (x.cls == C_ZERO || y.cls == C_ZERO) {
			*flags |= FPU_NV;
			return FMT_NAN(D);
		}
		return sign_bit(s, D) | FMT_INF(D);
	}
	if (x.cls == C_ZERO || y.cls == C_ZERO)
		return sign_bit(s, D);
	return round_pack(s, x.exp + y.exp, (u128)x.sig * y.sig, rm, flags, D);
}

static inline __attribute__((always_inline)) uint64_t
soft_div(uint64_t a, uint64_t b, int rm, uint32_t *flags, const int D)
{
	struct unp x = unpack(a, D), y = unpack(b, D);
	int s = x.sign ^ y.sign;
	int lx, ly;
	u128 n, q;

	if (is_nan(x.cls) || is_nan(y.cls)) {
		if (x.cls == C_SNAN || y.cls == C_SNAN)
			*flags |= FPU_NV;
		return FMT_NAN(D);
	}
	if (x.cls == C_INF) {
		if (y.cls == C_INF) {
			*flags |= FPU_NV;
			return FMT_NAN(D);
		}
		return sign_bit(s, D) | FMT_INF(D);
	}
	if (y.cls == C_INF)
		return sign_bit(s, D);
	if (y.cls == C_ZERO) {
		if (x.cls == C_ZERO) {
			*flags |= FPU_NV;
			return FMT_NAN(D);
		}
		*flags |= FPU_DZ;
		return sign_bit(s, D) | FMT_INF(D);
	}
	if (x.cls == C_ZERO)
		return sign_bit(s, D);
	/* both significands to bit 63: the quotient has 64 or 65 bits */
	lx = __builtin_clzll(x.sig);
	ly = __builtin_clzll(y.sig);
	n = (u128)(x.sig << lx) << 64;
	q = n / (y.sig << ly);
	q |= (u128)(n % (y.sig << ly) != 0);
	return round_pack(s, (x.exp - lx) - (y.exp - ly) - 64, q, rm, flags, D);
}

/*
 * floor(sqrt(m)) for 2^124 <= m < 2^127, and whether it is exact.
 * Host doubles only make the first estimate (an inverse square root by
 * Newton steps from the exponent-halving guess, then one residual
 * correction); the answer is settled exactly with 128-bit integers, so
 * the host's rounding mode and precision cannot change it.
 */
static u128 isqrt128(u128 m, int *exact)
{
	double x = (double)(uint64_t)(m >> 64), y, corr;
	uint64_t xb, yb, r;
	__int128 res;

	memcpy(&xb, &x, sizeof xb);
	yb = 0x5fe6eb50c7b537a9ull - (xb >> 1);
	memcpy(&y, &yb, sizeof y);
	for (int i = 0; i < 3; i++) /* error 2^-5 -> 2^-35 */
		y = y * (1.5 - 0.5 * x * y * y);
	/* sqrt(m) ~= sqrt(m >> 64) * 2^32 to 2^-35; the residual step
	 * leaves it within one of the floor */
	r = (uint64_t)(x * y * 4294967296.0);
	res = (__int128)(m - (u128)r * r); /* |res| < 2^90 */
	corr = (double)res / (2.0 * (double)r);
	r += (uint64_t)(int64_t)corr;
	while ((u128)r * r > m)
		r--;
	while ((u128)(r + 1) * (r + 1) <= m)
		r++;
	*exact = (u128)r * r == m;
	return r;
}

static inline __attribute__((always_inline)) uint64_t
soft_sqrt(uint64_t a, int rm, uint32_t *flags, const int D)
{
	struct unp x = unpack(a, D);
	int k, exact;
	u128 m, r;

	if (is_nan(x.cls)) {
		if (x.cls == C_SNAN)
			*flags |= FPU_NV;
		return FMT_NAN(D);
	}
	if (x.cls == C_ZERO)
		return a;
	if (x.sign) {
		*flags |= FPU_NV;
		return FMT_NAN(D);
	}
	if (x.cls == C_INF)
		return a;
	/* shift the significand up to bit 125 or 126 so that the exponent
	 * becomes even; the root then has 63 or 64 bits */
	k = clz128(x.sig) - 2;
	if ((x.exp - k) & 1)
		k++;
	m = (u128)x.sig << k;
	r = isqrt128(m, &exact);
	return round_pack(0, (x.exp - k) / 2, r | (u128)!exact, rm, flags, D);
}

static inline __attribute__((always_inline)) uint64_t
soft_fma(uint64_t a, uint64_t b, uint64_t c, int op, int rm, uint32_t *flags,
	 const int D)
{
	struct unp x = unpack(a, D), y = unpack(b, D), z;
	int ps = x.sign ^ y.sign ^ (op >= FPU_FNMSUB);
	int inf_times_zero = (x.cls == C_INF && y.cls == C_ZERO) ||
			     (x.cls == C_ZERO && y.cls == C_INF);

	if (op & 1)
		c ^= FMT_SIGN(D);
	z = unpack(c, D);
	if (is_nan(x.cls) || is_nan(y.cls) || is_nan(z.cls)) {
		/* the ISA manual: NV for inf*0 even if c is a quiet NaN */
		if (x.cls == C_SNAN || y.cls == C_SNAN || z.cls == C_SNAN ||
		    inf_times_zero)
			*flags |= FPU_NV;
		return FMT_NAN(D);
	}
	if (inf_times_zero) {
		*flags |= FPU_NV;
		return FMT_NAN(D);
	}
	if (x.cls == C_INF || y.cls == C_INF) {
		if (z.cls == C_INF && z.sign != ps) {
			*flags |= FPU_NV;
			return FMT_NAN(D);
		}
		return sign_bit(ps, D) | FMT_INF(D);
	}
	if (z.cls == C_INF)
		return c;
	if (x.cls == C_ZERO || y.cls == C_ZERO) {
		if (z.cls != C_ZERO)
			return c;
		return ps == z.sign ? c : zero_sum_sign(rm, D);
	}
	if (z.cls == C_ZERO)
		return round_pack(ps, x.exp + y.exp, (u128)x.sig * y.sig, rm,
				  flags, D);
	return add_terms(ps, x.exp + y.exp, (u128)x.sig * y.sig, z.sign, z.exp,
			 z.sig, rm, flags, D);
}

/* ---- exported software arithmetic ---- */

uint32_t f32_add_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
	return (uint32_t)soft_add(a, b, 0, rm, flags, 0);
}

uint32_t f32_sub_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
	return (uint32_t)soft_add(a, b, 1, rm, flags, 0);
}

uint32_t f32_mul_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
	return (uint32_t)soft_mul(a, b, rm, flags, 0);
}

uint32_t f32_div_soft(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
	return (uint32_t)soft_div(a, b, rm, flags, 0);
}

uint32_t f32_sqrt_soft(uint32_t a, int rm, uint32_t *flags)
{
	return (uint32_t)soft_sqrt(a, rm, flags, 0);
}

uint32_t f32_fma_soft(uint32_t a, uint32_t b, uint32_t c, int op, int rm,
		      uint32_t *flags)
{
	return (uint32_t)soft_fma(a, b, c, op, rm, flags, 0);
}

uint64_t f64_add_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
	return soft_add(a, b, 0, rm, flags, 1);
}

uint64_t f64_sub_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
	return soft_add(a, b, 1, rm, flags, 1);
}

uint64_t f64_mul_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
	return soft_mul(a, b, rm, flags, 1);
}

uint64_t f64_div_soft(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
	return soft_div(a, b, rm, flags, 1);
}

uint64_t f64_sqrt_soft(uint64_t a, int rm, uint32_t *flags)
{
	return soft_sqrt(a, rm, flags, 1);
}

uint64_t f64_fma_soft(uint64_t a, uint64_t b, uint64_t c, int op, int rm,
		      uint32_t *flags)
{
	return soft_fma(a, b, c, op, rm, flags, 1);
}

/* ---- conversions ---- */

/*
 * Float to integer. `bits` is 32 or 64; returns the result's bit pattern
 * (zero-extended). Out of range and NaN saturate with NV and no NX.
 */
static inline __attribute__((always_inline)) uint64_t
to_int(uint64_t a, int rm, uint32_t *flags, int is_signed, int bits,
       const int D)
{
	struct unp x = unpack(a, D);
	const u128 umax = ((u128)1 << bits) - 1;
	const u128 pos_max = is_signed ? umax >> 1 : umax;
	const u128 neg_max = is_signed ? (umax >> 1) + 1 : 0; /* magnitude */
	const uint64_t pos_sat = (uint64_t)pos_max;
	const uint64_t neg_sat =
		is_signed ? (uint64_t)(0 - neg_max) & (uint64_t)umax : 0;
	int inexact = 0;
	u128 mag;

	switch (x.cls) {
	case C_ZERO: return 0;
	case C_QNAN:
	case C_SNAN: *flags |= FPU_NV; return pos_sat;
	case C_INF: *flags |= FPU_NV; return x.sign ? neg_sat : pos_sat;
	default: break;
	}
	if (x.exp >= 0)
		mag = x.exp > 64 ? (u128)1 << 100 : (u128)x.sig << x.exp;
	else
		mag = rshift_round(x.sig, -x.exp, rm, x.sign, &inexact);
	if (x.sign ? mag > neg_max : mag > pos_max) {
		*flags |= FPU_NV;
		return x.sign ? neg_sat : pos_sat;
	}
	if (inexact)
		*flags |= FPU_NX;
	return (uint64_t)(x.sign ? 0 - mag : mag) & (uint64_t)umax;
}

int32_t f32_to_i32(uint32_t a, int rm, uint32_t *flags)
{
	return (int32_t)(uint32_t)to_int(a, rm, flags, 1, 32, 0);
}

uint32_t f32_to_u32(uint32_t a, int rm, uint32_t *flags)
{
	return (uint32_t)to_int(a, rm, flags, 0, 32, 0);
}

int64_t f32_to_i64(uint32_t a, int rm, uint32_t *flags)
{
	return (int64_t)to_int(a, rm, flags, 1, 64, 0);
}

uint64_t f32_to_u64(uint32_t a, int rm, uint32_t *flags)
{
	return to_int(a, rm, flags, 0, 64, 0);
}

int32_t f64_to_i32(uint64_t a, int rm, uint32_t *flags)
{
	return (int32_t)(uint32_t)to_int(a, rm, flags, 1, 32, 1);
}

uint32_t f64_to_u32(uint64_t a, int rm, uint32_t *flags)
{
	return (uint32_t)to_int(a, rm, flags, 0, 32, 1);
}

int64_t f64_to_i64(uint64_t a, int rm, uint32_t *flags)
{
	return (int64_t)to_int(a, rm, flags, 1, 64, 1);
}

uint64_t f64_to_u64(uint64_t a, int rm, uint32_t *flags)
{
	return to_int(a, rm, flags, 0, 64, 1);
}

static inline __attribute__((always_inline)) uint64_t
from_int(int sign, uint64_t mag, int rm, uint32_t *flags, const int D)
{
	if (mag == 0)
		return 0;
	return round_pack(sign, 0, mag, rm, flags, D);
}

uint32_t i32_to_f32(int32_t v, int rm, uint32_t *flags)
{
	return (uint32_t)from_int(v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v,
				  rm, flags, 0);
}

uint32_t u32_to_f32(uint32_t v, int rm, uint32_t *flags)
{
	return (uint32_t)from_int(0, v, rm, flags, 0);
}

uint32_t i64_to_f32(int64_t v, int rm, uint32_t *flags)
{
	return (uint32_t)from_int(v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v,
				  rm, flags, 0);
}

uint32_t u64_to_f32(uint64_t v, int rm, uint32_t *flags)
{
	return (uint32_t)from_int(0, v, rm, flags, 0);
}

uint64_t i32_to_f64(int32_t v, int rm, uint32_t *flags)
{
	return from_int(v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, flags,
			1);
}

uint64_t u32_to_f64(uint32_t v, int rm, uint32_t *flags)
{
	return from_int(0, v, rm, flags, 1);
}

uint64_t i64_to_f64(int64_t v, int rm, uint32_t *flags)
{
	return from_int(v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, flags,
			1);
}

uint64_t u64_to_f64(uint64_t v, int rm, uint32_t *flags)
{
	return from_int(0, v, rm, flags, 1);
}

uint64_t f32_to_f64(uint32_t a, uint32_t *flags)
{
	struct unp x = unpack(a, 0);

	switch (x.cls) {
	case C_SNAN:
		*flags |= FPU_NV;
		/* fall through */
	case C_QNAN: return F64_CANONICAL_NAN;
	case C_INF: return sign_bit(x.sign, 1) | FMT_INF(1);
	case C_ZERO: return sign_bit(x.sign, 1);
	default: return round_pack(x.sign, x.exp, x.sig, FPU_RNE, flags, 1);
	}
}

uint32_t f64_to_f32(uint64_t a, int rm, uint32_t *flags)
{
	struct unp x = unpack(a, 1);

	switch (x.cls) {
	case C_SNAN:
		*flags |= FPU_NV;
		/* fall through */
	case C_QNAN: return F32_CANONICAL_NAN;
	case C_INF: return (uint32_t)(sign_bit(x.sign, 0) | FMT_INF(0));
	case C_ZERO: return (uint32_t)sign_bit(x.sign, 0);
	default:
		return (uint32_t)round_pack(x.sign, x.exp, x.sig, rm, flags, 0);
	}
}
