/*
 * The decoder: one raw instruction (32-bit or compressed) becomes one
 * `struct insn` with its handler and resolved operands. Compressed
 * instructions decode to the same handlers as their 32-bit expansions.
 * pc-relative values are computed here, once. Anything unrecognised
 * becomes op_illegal carrying the raw bits for xtval.
 */
#include "exec.h"

static inline uint32_t bits(uint32_t v, int hi, int lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}
static inline int64_t sext(uint64_t v, int width)
{
	return (int64_t)(v << (64 - width)) >> (64 - width);
}

static void set(struct insn *o, insn_fn fn, int rd, int rs1, int rs2,
		int64_t imm)
{
	o->fn = fn;
	o->rd = (uint8_t)(rd ? rd : REG_ZERO_SINK);
	o->rs1 = (uint8_t)rs1;
	o->rs2 = (uint8_t)rs2;
	o->rs3 = 0;
	o->imm = imm;
}

/* The miss handlers of loads and stores read the access size here. */
static void mem_kind(struct insn *o)
{
	static const struct {
		insn_fn fn;
		uint8_t kind;
	} k[] = {{op_lb, 1 | 16}, {op_lh, 2 | 16}, {op_lw, 4 | 16}, {op_ld, 8},
		 {op_lbu, 1},	  {op_lhu, 2},	   {op_lwu, 4},	    {op_sb, 1},
		 {op_sh, 2},	  {op_sw, 4},	   {op_sd, 8}};
	for (size_t n = 0; n < sizeof(k) / sizeof(k[0]); n++) {
		if (o->fn != k[n].fn)
			continue;
		if (n < 7)
			o->rs2 = k[n].kind;
		else
			o->rs3 = k[n].kind;
	}
}

static void illegal(struct insn *o, uint32_t raw)
{
	set(o, op_illegal, 0, 0, 0, (int64_t)((uint64_t)raw << 32));
}

/* imm layout for insns that may trap illegal at run time */
static int64_t with_raw(uint64_t low, uint32_t raw)
{
	return (int64_t)((low & 0xffffffffull) | ((uint64_t)raw << 32));
}

static int64_t imm_i(uint32_t r)
{
	return sext(r >> 20, 12);
}
static int64_t imm_s(uint32_t r)
{
	return sext((bits(r, 31, 25) << 5) | bits(r, 11, 7), 12);
}
static int64_t imm_b(uint32_t r)
{
	return sext((bits(r, 31, 31) << 12) | (bits(r, 7, 7) << 11) |
			    (bits(r, 30, 25) << 5) | (bits(r, 11, 8) << 1),
		    13);
}
static int64_t imm_j(uint32_t r)
{
	return sext((bits(r, 31, 31) << 20) | (bits(r, 19, 12) << 12) |
			    (bits(r, 20, 20) << 11) | (bits(r, 30, 21) << 1),
		    21);
}

static void decode_op_imm(struct insn *o, uint32_t r, int rd, int rs1, int f3)
{
	int64_t imm = imm_i(r);
	unsigned sh = bits(r, 25, 20), top = bits(r, 31, 26);
	switch (f3) {
	case 0:
		if (rs1 == 0)
			set(o, op_li, rd, 0, 0, imm);
		else if (imm == 0)
			set(o, op_mv, rd, rs1, 0, 0);
		else
			set(o, op_addi, rd, rs1, 0, imm);
		return;
	case 1:
		if (top)
			break;
		set(o, op_slli, rd, rs1, 0, sh);
		return;
	case 2: set(o, op_slti, rd, rs1, 0, imm); return;
	case 3: set(o, op_sltiu, rd, rs1, 0, imm); return;
	case 4: set(o, op_xori, rd, rs1, 0, imm); return;
	case 5:
		if (top == 0) {
			set(o, op_srli, rd, rs1, 0, sh);
			return;
		}
		if (top == 0x10) {
			if (rd == 0 && rs1 == 0) /* the magic HINT */
				set(o, op_magic, 0, 0, 0, sh);
			else
				set(o, op_srai, rd, rs1, 0, sh);
			return;
		}
		break;
	case 6: set(o, op_ori, rd, rs1, 0, imm); return;
	case 7: set(o, op_andi, rd, rs1, 0, imm); return;
	}
	illegal(o, r);
}

static void decode_op_imm32(struct insn *o, uint32_t r, int rd, int rs1, int f3)
{
	unsigned sh = bits(r, 24, 20), f7 = bits(r, 31, 25);
	if (f3 == 0)
		set(o, op_addiw, rd, rs1, 0, imm_i(r));
	else if (f3 == 1 && f7 == 0)
		set(o, op_slliw, rd, rs1, 0, sh);
	else if (f3 == 5 && f7 == 0)
		set(o, op_srliw, rd, rs1, 0, sh);
	else if (f3 == 5 && f7 == 0x20)
		set(o, op_sraiw, rd, rs1, 0, sh);
	else
		illegal(o, r);
}

static void decode_op(struct insn *o, uint32_t r, int rd, int rs1, int rs2,
		      int f3, bool w)
{
	static const insn_fn base[8] = {op_add, op_sll, op_slt, op_sltu,
					op_xor, op_srl, op_or,	op_and};
	static const insn_fn mul[8] = {op_mul, op_mulh, op_mulhsu, op_mulhu,
				       op_div, op_divu, op_rem,	   op_remu};
	static const insn_fn base_w[8] = {op_addw, op_sllw, NULL, NULL,
					  NULL,	   op_srlw, NULL, NULL};
	static const insn_fn mul_w[8] = {op_mulw, NULL,	    NULL,    NULL,
					 op_divw, op_divuw, op_remw, op_remuw};
	unsigned f7 = bits(r, 31, 25);
	insn_fn fn = NULL;
	if (f7 == 0)
		fn = (w ? base_w : base)[f3];
	else if (f7 == 1)
		fn = (w ? mul_w : mul)[f3];
	else if (f7 == 0x20 && f3 == 0)
		fn = w ? op_subw : op_sub;
	else if (f7 == 0x20 && f3 == 5)
		fn = w ? op_sraw : op_sra;
	if (fn)
		set(o, fn, rd, rs1, rs2, 0);
	else
		illegal(o, r);
}

static void decode_amo(struct insn *o, uint32_t r, int rd, int rs1, int rs2,
		       int f3)
{
	static const insn_fn w[32] = {
		[0x00] = op_amoadd_w, [0x01] = op_amoswap_w,
		[0x02] = op_lr_w,     [0x03] = op_sc_w,
		[0x04] = op_amoxor_w, [0x08] = op_amoor_w,
		[0x0c] = op_amoand_w, [0x10] = op_amomin_w,
		[0x14] = op_amomax_w, [0x18] = op_amominu_w,
		[0x1c] = op_amomaxu_w};
	static const insn_fn d[32] = {
		[0x00] = op_amoadd_d, [0x01] = op_amoswap_d,
		[0x02] = op_lr_d,     [0x03] = op_sc_d,
		[0x04] = op_amoxor_d, [0x08] = op_amoor_d,
		[0x0c] = op_amoand_d, [0x10] = op_amomin_d,
		[0x14] = op_amomax_d, [0x18] = op_amominu_d,
		[0x1c] = op_amomaxu_d};
	unsigned f5 = bits(r, 31, 27);
	insn_fn fn = f3 == 2 ? w[f5] : f3 == 3 ? d[f5] : NULL;
	if (!fn || (f5 == 2 && rs2 != 0))
		illegal(o, r);
	else
		set(o, fn, rd, rs1, rs2, 0);
}

static void decode_system(struct insn *o, uint32_t r, int rd, int rs1, int f3)
{
	static const insn_fn csr_fns[8] = {NULL,      op_csrrw, op_csrrs,
					   op_csrrc,  NULL,	op_csrrwi,
					   op_csrrsi, op_csrrci};
	if (f3 == 0 && rd == 0) {
		unsigned f12 = r >> 20;
		if (rs1 == 0 && f12 == 0)
			return set(o, op_ecall, 0, 0, 0, 0);
		if (rs1 == 0 && f12 == 1)
			return set(o, op_ebreak, 0, 0, 0, 0);
		if (rs1 == 0 && f12 == 0x302)
			return set(o, op_mret, 0, 0, 0, with_raw(0, r));
		if (rs1 == 0 && f12 == 0x102)
			return set(o, op_sret, 0, 0, 0, with_raw(0, r));
		if (rs1 == 0 && f12 == 0x105)
			return set(o, op_wfi, 0, 0, 0, with_raw(0, r));
		if (bits(r, 31, 25) == 0x09)
			return set(o, op_sfence_vma, 0, rs1, 0, with_raw(0, r));
	}
	if (csr_fns[f3]) {
		set(o, csr_fns[f3], rd, rs1, 0, with_raw(r >> 20, r));
		o->rs3 = (uint8_t)((rd == 0 ? 1 : 0) | (rs1 == 0 ? 2 : 0));
		return;
	}
	illegal(o, r);
}

/* F/D arithmetic, OP-FP major opcode */
static void decode_fp(struct insn *o, uint32_t r, int rd, int rs1, int rs2,
		      int f3)
{
	unsigned f7 = bits(r, 31, 25);
	bool dbl = f7 & 1, rm_ok = f3 != 5 && f3 != 6;
	int64_t imm = with_raw((uint64_t)f3, r);
	insn_fn fn = NULL;
	bool int_rd = false, needs_rm = true;
	switch (f7 >> 2) {
	case 0x00: fn = dbl ? op_fadd_d : op_fadd_s; break;
	case 0x01: fn = dbl ? op_fsub_d : op_fsub_s; break;
	case 0x02: fn = dbl ? op_fmul_d : op_fmul_s; break;
	case 0x03: fn = dbl ? op_fdiv_d : op_fdiv_s; break;
	case 0x0b:
		if (rs2 == 0)
			fn = dbl ? op_fsqrt_d : op_fsqrt_s;
		break;
	case 0x04:
		needs_rm = false;
		if (f3 <= 2)
			fn = dbl ? op_fsgnj_d : op_fsgnj_s;
		break;
	case 0x05:
		needs_rm = false;
		if (f3 <= 1)
			fn = dbl ? op_fminmax_d : op_fminmax_s;
		break;
	case 0x08:
		if (!dbl && rs2 == 1)
			fn = op_fcvt_s_d;
		else if (dbl && rs2 == 0)
			fn = op_fcvt_d_s;
		break;
	case 0x14:
		needs_rm = false;
		int_rd = true;
		if (f3 <= 2)
			fn = dbl ? op_fcmp_d : op_fcmp_s;
		break;
	case 0x18:
		int_rd = true;
		if (rs2 <= 3) {
			fn = dbl ? op_fcvt_int_d : op_fcvt_int_s;
			imm |= rs2 << 3;
		}
		break;
	case 0x1a:
		if (rs2 <= 3) {
			fn = dbl ? op_fcvt_d_int : op_fcvt_s_int;
			imm |= rs2 << 3;
		}
		break;
	case 0x1c:
		needs_rm = false;
		int_rd = true;
		if (rs2 == 0 && f3 == 0)
			fn = dbl ? op_fmv_x_d : op_fmv_x_w;
		else if (rs2 == 0 && f3 == 1)
			fn = dbl ? op_fclass_d : op_fclass_s;
		break;
	case 0x1e:
		needs_rm = false;
		if (rs2 == 0 && f3 == 0)
			fn = dbl ? op_fmv_d_x : op_fmv_w_x;
		break;
	}
	if ((f7 & 2) || !fn || (needs_rm && !rm_ok))
		return illegal(o, r);
	set(o, fn, rd, rs1, rs2, imm);
	if (!int_rd)
		o->rd = (uint8_t)rd; /* f0 is a real register */
}

static void decode32(struct insn *o, uint32_t r, uint64_t pc)
{
	int rd = (int)bits(r, 11, 7), rs1 = (int)bits(r, 19, 15),
	    rs2 = (int)bits(r, 24, 20), f3 = (int)bits(r, 14, 12);
	switch (r & 0x7f) {
	case 0x37: return set(o, op_li, rd, 0, 0, (int32_t)(r & 0xfffff000));
	case 0x17:
		return set(o, op_li, rd, 0, 0,
			   (int64_t)(pc +
				     (uint64_t)(int64_t)(int32_t)(r &
								  0xfffff000)));
	case 0x6f:
		return set(o, op_jal, rd, 0, 0,
			   (int64_t)(pc + (uint64_t)imm_j(r)));
	case 0x67:
		if (f3)
			break;
		return set(o, op_jalr, rd, rs1, 0, imm_i(r));
	case 0x63: {
		static const insn_fn br[8] = {op_beq, op_bne, NULL,    NULL,
					      op_blt, op_bge, op_bltu, op_bgeu};
		if (!br[f3])
			break;
		return set(o, br[f3], 0, rs1, rs2,
			   (int64_t)(pc + (uint64_t)imm_b(r)));
	}
	case 0x03: {
		static const insn_fn ld[8] = {op_lb,  op_lh,  op_lw,  op_ld,
					      op_lbu, op_lhu, op_lwu, NULL};
		if (!ld[f3])
			break;
		return set(o, ld[f3], rd, rs1, 0, imm_i(r));
	}
	case 0x23: {
		static const insn_fn st[8] = {op_sb, op_sh, op_sw, op_sd};
		if (f3 > 3)
			break;
		return set(o, st[f3], 0, rs1, rs2, imm_s(r));
	}
	case 0x13: return decode_op_imm(o, r, rd, rs1, f3);
	case 0x1b: return decode_op_imm32(o, r, rd, rs1, f3);
	case 0x33: return decode_op(o, r, rd, rs1, rs2, f3, false);
	case 0x3b: return decode_op(o, r, rd, rs1, rs2, f3, true);
	case 0x0f:
		if (f3 == 0)
			return set(o, op_nop, 0, 0, 0, 0); /* fence, pause */
		if (f3 == 1)
			return set(o, op_fence_i, 0, 0, 0, 0);
		break;
	case 0x73: return decode_system(o, r, rd, rs1, f3);
	case 0x2f: return decode_amo(o, r, rd, rs1, rs2, f3);
	case 0x07:
		if (f3 != 2 && f3 != 3)
			break;
		set(o, f3 == 2 ? op_flw : op_fld, 0, rs1, 0,
		    with_raw((uint64_t)imm_i(r), r));
		o->rd = (uint8_t)rd;
		return;
	case 0x27:
		if (f3 != 2 && f3 != 3)
			break;
		return set(o, f3 == 2 ? op_fsw : op_fsd, 0, rs1, rs2,
			   with_raw((uint64_t)imm_s(r), r));
	case 0x43:
	case 0x47:
	case 0x4b:
	case 0x4f: {
		unsigned fmt = bits(r, 26, 25);
		if (fmt > 1 || f3 == 5 || f3 == 6)
			break;
		unsigned kind =
			bits(r, 3, 2); /* 0 madd 1 msub 2 nmsub 3 nmadd */
		set(o, fmt ? op_fma_d : op_fma_s, 0, rs1, rs2,
		    with_raw((uint64_t)f3 | (kind << 3), r));
		o->rd = (uint8_t)rd;
		o->rs3 = (uint8_t)bits(r, 31, 27);
		return;
	}
	case 0x53: return decode_fp(o, r, rd, rs1, rs2, f3);
	}
	illegal(o, r);
}

/* --- compressed ---------------------------------------------------------- */

static int creg(uint32_t v)
{
	return (int)(8 + (v & 7));
}

static void decode16(struct insn *o, uint32_t r, uint64_t pc)
{
	unsigned f3 = bits(r, 15, 13);
	int rd = (int)bits(r, 11, 7), rs2 = (int)bits(r, 6, 2);
	int rdp = creg(bits(r, 4, 2)), rs1p = creg(bits(r, 9, 7));
	switch ((r & 3) << 3 | f3) {
	case 000: { /* c.addi4spn */
		unsigned imm = (bits(r, 10, 7) << 6) | (bits(r, 12, 11) << 4) |
			       (bits(r, 5, 5) << 3) | (bits(r, 6, 6) << 2);
		if (!imm)
			break;
		return set(o, op_addi, rdp, 2, 0, imm);
	}
	case 001:   /* c.fld */
	case 005: { /* c.fsd */
		unsigned imm = (bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6);
		if (f3 == 1) {
			set(o, op_fld, 0, rs1p, 0, with_raw(imm, r));
			o->rd = (uint8_t)rdp;
		} else
			set(o, op_fsd, 0, rs1p, rdp, with_raw(imm, r));
		return;
	}
	case 002:   /* c.lw */
	case 006: { /* c.sw */
		unsigned imm = (bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2) |
			       (bits(r, 5, 5) << 6);
		if (f3 == 2)
			return set(o, op_lw, rdp, rs1p, 0, imm);
		return set(o, op_sw, 0, rs1p, rdp, imm);
	}
	case 003:   /* c.ld */
	case 007: { /* c.sd */
		unsigned imm = (bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6);
		if (f3 == 3)
			return set(o, op_ld, rdp, rs1p, 0, imm);
		return set(o, op_sd, 0, rs1p, rdp, imm);
	}
	case 010: { /* c.addi, c.nop */
		int64_t imm = sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6);
		if (rd == 0)
			return set(o, op_nop, 0, 0, 0, 0);
		return set(o, op_addi, rd, rd, 0, imm);
	}
	case 011: { /* c.addiw */
		int64_t imm = sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6);
		if (rd == 0)
			break;
		return set(o, op_addiw, rd, rd, 0, imm);
	}
	case 012: { /* c.li */
		int64_t imm = sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6);
		return set(o, op_li, rd, 0, 0, imm);
	}
	case 013: {
		if (rd == 2) { /* c.addi16sp */
			int64_t imm = sext((bits(r, 12, 12) << 9) |
						   (bits(r, 4, 3) << 7) |
						   (bits(r, 5, 5) << 6) |
						   (bits(r, 2, 2) << 5) |
						   (bits(r, 6, 6) << 4),
					   10);
			if (!imm)
				break;
			return set(o, op_addi, 2, 2, 0, imm);
		}
		int64_t imm = sext(
			(bits(r, 12, 12) << 17) | (bits(r, 6, 2) << 12), 18);
		if (!imm)
			break;
		return set(o, op_li, rd, 0, 0, imm); /* c.lui */
	}
	case 014: { /* misc ALU */
		unsigned f2 = bits(r, 11, 10);
		unsigned sh = (bits(r, 12, 12) << 5) | bits(r, 6, 2);
		if (f2 == 0)
			return set(o, op_srli, rs1p, rs1p, 0, sh);
		if (f2 == 1)
			return set(o, op_srai, rs1p, rs1p, 0, sh);
		if (f2 == 2)
			return set(o, op_andi, rs1p, rs1p, 0,
				   sext((bits(r, 12, 12) << 5) | bits(r, 6, 2),
					6));
		static const insn_fn ops[8] = {op_sub,	op_xor,	 op_or, op_and,
					       op_subw, op_addw, NULL,	NULL};
		insn_fn fn = ops[(bits(r, 12, 12) << 2) | bits(r, 6, 5)];
		if (!fn)
			break;
		return set(o, fn, rs1p, rs1p, rdp, 0);
	}
	case 015: { /* c.j */
		int64_t imm = sext(
			(bits(r, 12, 12) << 11) | (bits(r, 8, 8) << 10) |
				(bits(r, 10, 9) << 8) | (bits(r, 6, 6) << 7) |
				(bits(r, 7, 7) << 6) | (bits(r, 2, 2) << 5) |
				(bits(r, 11, 11) << 4) | (bits(r, 5, 3) << 1),
			12);
		return set(o, op_jal, 0, 0, 0, (int64_t)(pc + (uint64_t)imm));
	}
	case 016:   /* c.beqz */
	case 017: { /* c.bnez */
		int64_t imm = sext(
			(bits(r, 12, 12) << 8) | (bits(r, 6, 5) << 6) |
				(bits(r, 2, 2) << 5) | (bits(r, 11, 10) << 3) |
				(bits(r, 4, 3) << 1),
			9);
		return set(o, f3 == 6 ? op_beq : op_bne, 0, rs1p, 0,
			   (int64_t)(pc + (uint64_t)imm));
	}
	case 020: { /* c.slli */
		unsigned sh = (bits(r, 12, 12) << 5) | bits(r, 6, 2);
		if (rd == 0)
			return set(o, op_nop, 0, 0, 0, 0);
		return set(o, op_slli, rd, rd, 0, sh);
	}
	case 021: { /* c.fldsp */
		unsigned imm = (bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) |
			       (bits(r, 4, 2) << 6);
		set(o, op_fld, 0, 2, 0, with_raw(imm, r));
		o->rd = (uint8_t)rd;
		return;
	}
	case 022: { /* c.lwsp */
		unsigned imm = (bits(r, 12, 12) << 5) | (bits(r, 6, 4) << 2) |
			       (bits(r, 3, 2) << 6);
		if (rd == 0)
			break;
		return set(o, op_lw, rd, 2, 0, imm);
	}
	case 023: { /* c.ldsp */
		unsigned imm = (bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) |
			       (bits(r, 4, 2) << 6);
		if (rd == 0)
			break;
		return set(o, op_ld, rd, 2, 0, imm);
	}
	case 024:
		if (!bits(r, 12, 12)) {
			if (rs2 == 0) { /* c.jr */
				if (rd == 0)
					break;
				return set(o, op_jalr, 0, rd, 0, 0);
			}
			return set(o, op_mv, rd, rs2, 0, 0); /* c.mv */
		}
		if (rs2 == 0) {
			if (rd == 0)
				return set(o, op_ebreak, 0, 0, 0, 0);
			return set(o, op_jalr, 1, rd, 0, 0); /* c.jalr */
		}
		return set(o, op_add, rd, rd, rs2, 0);
	case 025: { /* c.fsdsp */
		unsigned imm = (bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6);
		return set(o, op_fsd, 0, 2, rs2, with_raw(imm, r));
	}
	case 026: { /* c.swsp */
		unsigned imm = (bits(r, 12, 9) << 2) | (bits(r, 8, 7) << 6);
		return set(o, op_sw, 0, 2, rs2, imm);
	}
	case 027: { /* c.sdsp */
		unsigned imm = (bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6);
		return set(o, op_sd, 0, 2, rs2, imm);
	}
	}
	illegal(o, r);
}

void decode_insn(struct insn *out, uint32_t raw, uint64_t pc)
{
	if ((raw & 3) == 3) {
		out->len = 4;
		decode32(out, raw, pc);
	} else {
		out->len = 2;
		raw &= 0xffff;
		decode16(out, raw, pc);
	}
	mem_kind(out);
}

bool insn_ends_block(const struct insn *i)
{
	insn_fn f = i->fn;
	return f == op_jal || f == op_jalr || f == op_beq || f == op_bne ||
	       f == op_blt || f == op_bge || f == op_bltu || f == op_bgeu ||
	       f == op_csrrw || f == op_csrrs || f == op_csrrc ||
	       f == op_csrrwi || f == op_csrrsi || f == op_csrrci ||
	       f == op_ecall || f == op_ebreak || f == op_mret ||
	       f == op_sret || f == op_wfi || f == op_sfence_vma ||
	       f == op_fence_i || f == op_illegal;
}
