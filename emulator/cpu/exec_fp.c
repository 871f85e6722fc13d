/*
 * F and D handlers: register file access with NaN-boxing, mstatus.FS
 * gating and dirtying, rounding-mode resolution, accrued flags. The
 * IEEE arithmetic itself lives in fpu.c.
 *
 * imm = static rm (or the funct3 selector) | raw insn << 32, so an
 * illegal case can report the instruction bits.
 */
#include "exec.h"
#include "fpu.h"

#define RAW(i) ((uint64_t)(i)->imm >> 32)
#define F32_CANON 0x7fc00000u

static inline uint32_t unbox(uint64_t v)
{
	return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32_CANON;
}
static inline uint64_t box(uint32_t v)
{
	return 0xffffffff00000000ull | v;
}

/* Returns the rounding mode to use, or -1 when it is illegal. */
static inline int resolve_rm(const struct hart *h, const struct insn *i)
{
	int rm = (int)(i->imm & 7);
	if (rm == 7)
		rm = (int)h->frm;
	return rm <= 4 ? rm : -1;
}

#define FP_ENTER()                                                             \
	if (unlikely(!fp_enabled(h))) {                                        \
		insn_trap(h, i, EXC_ILLEGAL, RAW(i));                          \
		return;                                                        \
	}
#define FP_RM()                                                                \
	int rm = resolve_rm(h, i);                                             \
	if (unlikely(rm < 0)) {                                                \
		insn_trap(h, i, EXC_ILLEGAL, RAW(i));                          \
		return;                                                        \
	}
#define FP_DONE()                                                              \
	do {                                                                   \
		h->fflags |= fl;                                               \
		h->mstatus |= FS_DIRTY;                                        \
		NEXT();                                                        \
	} while (0)

#define F1(rs) unbox(h->f[i->rs])
#define D1(rs) (h->f[i->rs])

/* binary arithmetic with rounding */
#define ARITH(name, fn, get, put)                                              \
	OP(name)                                                               \
	{                                                                      \
		FP_ENTER();                                                    \
		FP_RM();                                                       \
		uint32_t fl = 0;                                               \
		h->f[i->rd] = put(fn(get(rs1), get(rs2), rm, &fl));            \
		FP_DONE();                                                     \
	}
#define NOBOX(v) (v)
ARITH(fadd_s, f32_add, F1, box)
ARITH(fsub_s, f32_sub, F1, box)
ARITH(fmul_s, f32_mul, F1, box)
ARITH(fdiv_s, f32_div, F1, box)
ARITH(fadd_d, f64_add, D1, NOBOX)
ARITH(fsub_d, f64_sub, D1, NOBOX)
ARITH(fmul_d, f64_mul, D1, NOBOX)
ARITH(fdiv_d, f64_div, D1, NOBOX)

OP(fsqrt_s)
{
	FP_ENTER();
	FP_RM();
	uint32_t fl = 0;
	h->f[i->rd] = box(f32_sqrt(F1(rs1), rm, &fl));
	FP_DONE();
}

OP(fsqrt_d)
{
	FP_ENTER();
	FP_RM();
	uint32_t fl = 0;
	h->f[i->rd] = f64_sqrt(D1(rs1), rm, &fl);
	FP_DONE();
}

/* fused multiply-add; rs3 holds the third source, imm bits 3..4 the op */
OP(fma_s)
{
	FP_ENTER();
	FP_RM();
	uint32_t fl = 0;
	h->f[i->rd] = box(f32_fma(F1(rs1), F1(rs2), F1(rs3),
				  (int)((i->imm >> 3) & 3), rm, &fl));
	FP_DONE();
}

OP(fma_d)
{
	FP_ENTER();
	FP_RM();
	uint32_t fl = 0;
	h->f[i->rd] = f64_fma(D1(rs1), D1(rs2), D1(rs3),
			      (int)((i->imm >> 3) & 3), rm, &fl);
	FP_DONE();
}

/* sign injection: funct3 0 = j, 1 = jn, 2 = jx (checked at decode) */
OP(fsgnj_s)
{
	FP_ENTER();
	uint32_t a = F1(rs1), b = F1(rs2), s;
	switch (i->imm & 7) {
	case 0: s = b; break;
	case 1: s = ~b; break;
	default: s = a ^ b; break;
	}
	h->f[i->rd] = box((a & 0x7fffffffu) | (s & 0x80000000u));
	h->mstatus |= FS_DIRTY;
	NEXT();
}

OP(fsgnj_d)
{
	FP_ENTER();
	uint64_t a = D1(rs1), b = D1(rs2), s;
	const uint64_t sign = 1ull << 63;
	switch (i->imm & 7) {
	case 0: s = b; break;
	case 1: s = ~b; break;
	default: s = a ^ b; break;
	}
	h->f[i->rd] = (a & ~sign) | (s & sign);
	h->mstatus |= FS_DIRTY;
	NEXT();
}

#define MINMAX(name, fmin, fmax, get, put)                                     \
	OP(name)                                                               \
	{                                                                      \
		FP_ENTER();                                                    \
		uint32_t fl = 0;                                               \
		h->f[i->rd] =                                                  \
			put((i->imm & 7) ? fmax(get(rs1), get(rs2), &fl)       \
					 : fmin(get(rs1), get(rs2), &fl));     \
		FP_DONE();                                                     \
	}
MINMAX(fminmax_s, f32_min, f32_max, F1, box)
MINMAX(fminmax_d, f64_min, f64_max, D1, NOBOX)

/* compares: funct3 0 = le, 1 = lt, 2 = eq; rd is an integer register */
#define CMP(name, le, lt, eq, get)                                             \
	OP(name)                                                               \
	{                                                                      \
		FP_ENTER();                                                    \
		uint32_t fl = 0;                                               \
		int r;                                                         \
		switch (i->imm & 7) {                                          \
		case 0: r = le(get(rs1), get(rs2), &fl); break;                \
		case 1: r = lt(get(rs1), get(rs2), &fl); break;                \
		default: r = eq(get(rs1), get(rs2), &fl); break;               \
		}                                                              \
		X(i->rd) = (uint64_t)r;                                        \
		if (fl)                                                        \
			FP_DONE();                                             \
		NEXT();                                                        \
	}
CMP(fcmp_s, f32_le, f32_lt, f32_eq, F1)
CMP(fcmp_d, f64_le, f64_lt, f64_eq, D1)

OP(fclass_s)
{
	FP_ENTER();
	X(i->rd) = f32_classify(F1(rs1));
	NEXT();
}

OP(fclass_d)
{
	FP_ENTER();
	X(i->rd) = f64_classify(D1(rs1));
	NEXT();
}

/* moves between register files: bit patterns, no NaN-boxing check */
OP(fmv_x_w)
{
	FP_ENTER();
	X(i->rd) = (uint64_t)(int64_t)(int32_t)(uint32_t)h->f[i->rs1];
	NEXT();
}

OP(fmv_x_d)
{
	FP_ENTER();
	X(i->rd) = h->f[i->rs1];
	NEXT();
}

OP(fmv_w_x)
{
	FP_ENTER();
	h->f[i->rd] = box((uint32_t)X(i->rs1));
	h->mstatus |= FS_DIRTY;
	NEXT();
}

OP(fmv_d_x)
{
	FP_ENTER();
	h->f[i->rd] = X(i->rs1);
	h->mstatus |= FS_DIRTY;
	NEXT();
}

/* float -> integer; the conversion kind (w, wu, l, lu) is in imm bits 3..4 */
#define CVT_TO_INT(name, get, w, wu, l, lu)                                    \
	OP(name)                                                               \
	{                                                                      \
		FP_ENTER();                                                    \
		FP_RM();                                                       \
		uint32_t fl = 0;                                               \
		uint64_t r;                                                    \
		switch ((i->imm >> 3) & 3) {                                   \
		case 0: r = (uint64_t)(int64_t)w(get(rs1), rm, &fl); break;    \
		case 1:                                                        \
			r = (uint64_t)(int64_t)(int32_t)wu(get(rs1), rm, &fl); \
			break;                                                 \
		case 2: r = (uint64_t)l(get(rs1), rm, &fl); break;             \
		default: r = lu(get(rs1), rm, &fl); break;                     \
		}                                                              \
		X(i->rd) = r;                                                  \
		if (fl)                                                        \
			FP_DONE();                                             \
		NEXT();                                                        \
	}
CVT_TO_INT(fcvt_int_s, F1, f32_to_i32, f32_to_u32, f32_to_i64, f32_to_u64)
CVT_TO_INT(fcvt_int_d, D1, f64_to_i32, f64_to_u32, f64_to_i64, f64_to_u64)

#define CVT_FROM_INT(name, put, w, wu, l, lu)                                  \
	OP(name)                                                               \
	{                                                                      \
		FP_ENTER();                                                    \
		FP_RM();                                                       \
		uint32_t fl = 0;                                               \
		uint64_t v = X(i->rs1);                                        \
		switch ((i->imm >> 3) & 3) {                                   \
		case 0: h->f[i->rd] = put(w((int32_t)v, rm, &fl)); break;      \
		case 1: h->f[i->rd] = put(wu((uint32_t)v, rm, &fl)); break;    \
		case 2: h->f[i->rd] = put(l((int64_t)v, rm, &fl)); break;      \
		default: h->f[i->rd] = put(lu(v, rm, &fl)); break;             \
		}                                                              \
		FP_DONE();                                                     \
	}
CVT_FROM_INT(fcvt_s_int, box, i32_to_f32, u32_to_f32, i64_to_f32, u64_to_f32)
CVT_FROM_INT(fcvt_d_int, NOBOX, i32_to_f64, u32_to_f64, i64_to_f64, u64_to_f64)

OP(fcvt_s_d)
{
	FP_ENTER();
	FP_RM();
	uint32_t fl = 0;
	h->f[i->rd] = box(f64_to_f32(D1(rs1), rm, &fl));
	FP_DONE();
}

OP(fcvt_d_s)
{
	FP_ENTER();
	FP_RM();
	uint32_t fl = 0;
	h->f[i->rd] = f32_to_f64(F1(rs1), &fl);
	FP_DONE();
}

/* loads and stores: imm = offset (low 32 bits, signed) | raw << 32 */
#define FP_ADDR() (X(i->rs1) + (uint64_t)(int64_t)(int32_t)i->imm)

OP(flw)
{
	FP_ENTER();
	uint64_t v;
	if (unlikely(load_fast(h, FP_ADDR(), 4, &v))) {
		insn_trap(h, i, h->fault_cause, h->fault_tval);
		return;
	}
	h->f[i->rd] = box((uint32_t)v);
	h->mstatus |= FS_DIRTY;
	NEXT();
}

OP(fld)
{
	FP_ENTER();
	uint64_t v;
	if (unlikely(load_fast(h, FP_ADDR(), 8, &v))) {
		insn_trap(h, i, h->fault_cause, h->fault_tval);
		return;
	}
	h->f[i->rd] = v;
	h->mstatus |= FS_DIRTY;
	NEXT();
}

/* Returns true when the block must not go on (trap, or code dropped). */
static inline bool fp_store(struct hart *h, const struct insn *i, unsigned size)
{
	int r = store_fast(h, FP_ADDR(), size, h->f[i->rs2]);
	if (likely(r == 0))
		return false;
	if (r < 0) {
		insn_trap(h, i, h->fault_cause, h->fault_tval);
		return true;
	}
	h->instret -= BLOCK_OF(i)->n - i->idx - 1;
	h->pc = NEXT_PC(i);
	h->last_block = NULL;
	return true;
}

OP(fsw)
{
	FP_ENTER();
	if (fp_store(h, i, 4))
		return;
	NEXT();
}

OP(fsd)
{
	FP_ENTER();
	if (fp_store(h, i, 8))
		return;
	NEXT();
}
