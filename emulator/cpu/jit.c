/*
 * The JIT tier (see jit.h): translates a hot block's decoded instructions
 * into x86-64 code, one guest instruction at a time.
 *
 * Code shape. Guest registers live in h->x[] (rbx holds h), so each
 * instruction loads its operands, computes in rax/rcx/rdx and stores its
 * result. A block's code ends in one of:
 *   - a branch back to its own first pc: checks the instruction budget,
 *     adds n to instret (as ENTER_BLOCK would) and jumps to its start;
 *   - a direct exit (slot 0 taken, slot 1 fall-through): follows the
 *     block's link to a translated successor natively if the budget
 *     allows, else returns the slot so op_jit_enter CHAINs as usual;
 *   - jalr: the same through the jump cache, else returns JIT_JUMP;
 *   - the first unsupported instruction k: returns JIT_RESUME + k and
 *     the interpreter carries on from there.
 * Loads and stores test the TLB inline; a miss calls a C helper that does
 * what op_load_slow/op_store_slow do. When the helper trapped, or a store
 * dropped the code cache (this very code may be stale then), the native
 * code returns JIT_DONE at once and nobody touches the block again.
 *
 * instret stays exact for free: blocks are entered with their n already
 * added, and the helpers take back the unretired rest through insn_trap
 * exactly as the interpreter does.
 */
#define _GNU_SOURCE /* memfd_create */
#include "jit.h"

#include "exec.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)

#include "jit_x86.h"

#include <sys/mman.h>
#include <unistd.h>

#define JIT_SIZE (32u << 20)
#define JIT_THRESHOLD 64
/* Shorter prefixes would cost more to enter than they save. */
#define JIT_MIN_PREFIX 2

_Static_assert(sizeof(struct tlb_entry) == 16, "TLB index scaling below");

#define XOFF(r) ((int32_t)(offsetof(struct hart, x) + 8 * (r)))
#define HOFF(field) ((int32_t)offsetof(struct hart, field))
#define BOFF(field) ((int32_t)offsetof(struct block, field))
#define JCOFF(field)                                                           \
	((int32_t)(offsetof(struct hart, jcache) +                             \
		   offsetof(struct jcache_entry, field)))

/* --- run-time helpers called from native code --------------------------- */

static uint64_t extend(uint64_t v, unsigned kind)
{
	switch (kind) { /* decode.c's mem_kind: size | 16 when signed */
	case 1 | 16: return (uint64_t)(int64_t)(int8_t)v;
	case 2 | 16: return (uint64_t)(int64_t)(int16_t)v;
	case 4 | 16: return (uint64_t)(int64_t)(int32_t)v;
	}
	return v;
}

/* A load the inline TLB test missed. Returns nonzero after a trap. */
static int jit_load_miss(struct hart *h, const struct insn *i)
{
	uint64_t va = X(i->rs1) + (uint64_t)i->imm, v;
	if (mem_load_slow(h, va, i->rs2 & 15, &v)) {
		insn_trap(h, i, h->fault_cause, h->fault_tval);
		return 1;
	}
	X(i->rd) = extend(v, i->rs2);
	return 0;
}

/* A store the inline TLB test missed. Returns nonzero when the block must
   end: after a trap, or when the store dropped decoded code (then, as in
   op_store_slow, the dispatcher resumes after this store). */
static int jit_store_miss(struct hart *h, const struct insn *i)
{
	uint64_t va = X(i->rs1) + (uint64_t)i->imm;
	int r = mem_store_slow(h, va, i->rs3, X(i->rs2));
	if (likely(r == 0))
		return 0;
	if (r < 0) {
		insn_trap(h, i, h->fault_cause, h->fault_tval);
		return 1;
	}
	h->instret -= BLOCK_OF(i)->n - i->idx - 1;
	h->pc = NEXT_PC(i);
	h->last_block = NULL;
	return 1;
}

/* Division as RISC-V defines it (x86 would fault on /0 and MIN/-1). */
static uint64_t h_div(uint64_t a, uint64_t b)
{
	if (b == 0)
		return UINT64_MAX;
	if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
		return a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}
static uint64_t h_divu(uint64_t a, uint64_t b)
{
	return b ? a / b : UINT64_MAX;
}
static uint64_t h_rem(uint64_t a, uint64_t b)
{
	if (b == 0)
		return a;
	if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}
static uint64_t h_remu(uint64_t a, uint64_t b)
{
	return b ? a % b : a;
}
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(uint32_t)(v))
static uint64_t h_divw(uint64_t a, uint64_t b)
{
	int32_t x = (int32_t)a, y = (int32_t)b;
	if (y == 0)
		return UINT64_MAX;
	if (x == INT32_MIN && y == -1)
		return SX32(x);
	return SX32(x / y);
}
static uint64_t h_divuw(uint64_t a, uint64_t b)
{
	uint32_t x = (uint32_t)a, y = (uint32_t)b;
	return y ? SX32(x / y) : UINT64_MAX;
}
static uint64_t h_remw(uint64_t a, uint64_t b)
{
	int32_t x = (int32_t)a, y = (int32_t)b;
	if (y == 0)
		return SX32(x);
	if (x == INT32_MIN && y == -1)
		return 0;
	return SX32(x % y);
}
static uint64_t h_remuw(uint64_t a, uint64_t b)
{
	uint32_t x = (uint32_t)a, y = (uint32_t)b;
	return SX32(y ? x % y : x);
}

/* --- the supported subset ------------------------------------------------ */

enum kind {
	K_ALU,
	K_ALUW,
	K_SHIFT,
	K_SHIFTW,
	K_SLT,
	K_MUL,
	K_MULW,
	K_MULH,
	K_MULHU,
	K_MULHSU,
	K_CALL,
	K_ALUI,
	K_ALUIW,
	K_SHIFTI,
	K_SHIFTIW,
	K_SLTI,
	K_LI,
	K_MV,
	K_NOP,
	K_LOAD,
	K_STORE,
	K_BRANCH,
	K_JAL,
	K_JALR,
};

struct jop {
	insn_fn fn;
	uint8_t kind;
	uint8_t x; /* ALU op, shift op, condition or access size */
	bool sign; /* loads */
	uint64_t (*helper)(uint64_t, uint64_t);
};

/* clang-format off */
static const struct jop jops[] = {
	{op_add, K_ALU, ALU_ADD, 0, 0},   {op_sub, K_ALU, ALU_SUB, 0, 0},
	{op_xor, K_ALU, ALU_XOR, 0, 0},   {op_or, K_ALU, ALU_OR, 0, 0},
	{op_and, K_ALU, ALU_AND, 0, 0},
	{op_addw, K_ALUW, ALU_ADD, 0, 0}, {op_subw, K_ALUW, ALU_SUB, 0, 0},
	{op_sll, K_SHIFT, SH_SHL, 0, 0},  {op_srl, K_SHIFT, SH_SHR, 0, 0},
	{op_sra, K_SHIFT, SH_SAR, 0, 0},
	{op_sllw, K_SHIFTW, SH_SHL, 0, 0}, {op_srlw, K_SHIFTW, SH_SHR, 0, 0},
	{op_sraw, K_SHIFTW, SH_SAR, 0, 0},
	{op_slt, K_SLT, CC_L, 0, 0},      {op_sltu, K_SLT, CC_B, 0, 0},
	{op_mul, K_MUL, 0, 0, 0},         {op_mulw, K_MULW, 0, 0, 0},
	{op_mulh, K_MULH, 0, 0, 0},       {op_mulhu, K_MULHU, 0, 0, 0},
	{op_mulhsu, K_MULHSU, 0, 0, 0},
	{op_div, K_CALL, 0, 0, h_div},    {op_divu, K_CALL, 0, 0, h_divu},
	{op_rem, K_CALL, 0, 0, h_rem},    {op_remu, K_CALL, 0, 0, h_remu},
	{op_divw, K_CALL, 0, 0, h_divw},  {op_divuw, K_CALL, 0, 0, h_divuw},
	{op_remw, K_CALL, 0, 0, h_remw},  {op_remuw, K_CALL, 0, 0, h_remuw},
	{op_addi, K_ALUI, ALU_ADD, 0, 0}, {op_xori, K_ALUI, ALU_XOR, 0, 0},
	{op_ori, K_ALUI, ALU_OR, 0, 0},   {op_andi, K_ALUI, ALU_AND, 0, 0},
	{op_addiw, K_ALUIW, ALU_ADD, 0, 0},
	{op_slli, K_SHIFTI, SH_SHL, 0, 0}, {op_srli, K_SHIFTI, SH_SHR, 0, 0},
	{op_srai, K_SHIFTI, SH_SAR, 0, 0},
	{op_slliw, K_SHIFTIW, SH_SHL, 0, 0}, {op_srliw, K_SHIFTIW, SH_SHR, 0, 0},
	{op_sraiw, K_SHIFTIW, SH_SAR, 0, 0},
	{op_slti, K_SLTI, CC_L, 0, 0},    {op_sltiu, K_SLTI, CC_B, 0, 0},
	{op_li, K_LI, 0, 0, 0},           {op_mv, K_MV, 0, 0, 0},
	{op_nop, K_NOP, 0, 0, 0},
	{op_lb, K_LOAD, 1, 1, 0},  {op_lh, K_LOAD, 2, 1, 0},
	{op_lw, K_LOAD, 4, 1, 0},  {op_ld, K_LOAD, 8, 0, 0},
	{op_lbu, K_LOAD, 1, 0, 0}, {op_lhu, K_LOAD, 2, 0, 0},
	{op_lwu, K_LOAD, 4, 0, 0},
	{op_sb, K_STORE, 1, 0, 0}, {op_sh, K_STORE, 2, 0, 0},
	{op_sw, K_STORE, 4, 0, 0}, {op_sd, K_STORE, 8, 0, 0},
	{op_beq, K_BRANCH, CC_E, 0, 0},   {op_bne, K_BRANCH, CC_NE, 0, 0},
	{op_blt, K_BRANCH, CC_L, 0, 0},   {op_bge, K_BRANCH, CC_GE, 0, 0},
	{op_bltu, K_BRANCH, CC_B, 0, 0},  {op_bgeu, K_BRANCH, CC_AE, 0, 0},
	{op_jal, K_JAL, 0, 0, 0},         {op_jalr, K_JALR, 0, 0, 0},
};
/* clang-format on */

static const struct jop *find_jop(insn_fn fn)
{
	for (size_t k = 0; k < sizeof(jops) / sizeof(jops[0]); k++)
		if (jops[k].fn == fn)
			return &jops[k];
	return NULL;
}

/* --- translation ----------------------------------------------------------- */

/* A TLB miss: where the inline test jumps from, and where to come back. */
struct stub {
	uint8_t *jfield;
	const uint8_t *resume;
	const struct insn *i;
	bool store;
};

struct tr {
	struct x86 a;
	const struct jit *j;
	struct block *b;
	const uint8_t *body; /* the block's first instruction: loop target */
	struct stub stubs[BLOCK_MAX_INSNS];
	unsigned nstubs;
};

static void get_reg(struct tr *t, int hreg, unsigned r)
{
	x_load(&t->a, true, hreg, RBX, XOFF(r));
}

/* Writes to x0 land in the sink in the interpreter; here they vanish. */
static void set_reg(struct tr *t, unsigned rd, int hreg)
{
	if (rd != REG_ZERO_SINK)
		x_store(&t->a, true, RBX, XOFF(rd), hreg);
}

static void set_imm(struct tr *t, unsigned rd, uint64_t v)
{
	if (rd == REG_ZERO_SINK)
		return;
	if ((int64_t)v == (int32_t)v) {
		x_store_imm32(&t->a, RBX, XOFF(rd), (int32_t)v);
	} else {
		x_mov_ri(&t->a, RCX, v); /* rcx: jalr keeps its target in rax */
		set_reg(t, rd, RCX);
	}
}

/* Returns to op_jit_enter with `code` and this block. */
static void emit_return(struct tr *t, uintptr_t code)
{
	x_mov_ri(&t->a, RAX, code);
	x_mov_ri(&t->a, RDX, (uintptr_t)t->b);
	x_jmp(&t->a, t->j->epilogue);
}

/* Enters the block in rdx (native body in rcx) if the budget allows, as
   ENTER_BLOCK does; jumps to the returned field's target otherwise. */
static uint8_t *emit_enter_native(struct tr *t)
{
	struct x86 *a = &t->a;
	x_load(a, true, RSI, RBX, HOFF(instret));
	x_alu_rm(a, true, ALU_CMP, RSI, RBX, HOFF(insn_limit));
	uint8_t *out = x_jcc_fwd(a, CC_AE);
	x_load_ext(a, RDI, RDX, BOFF(n), 1, false);
	x_alu_rr(a, true, ALU_ADD, RSI, RDI);
	x_store(a, true, RBX, HOFF(instret), RSI);
	x_jmp_r(a, RCX);
	return out;
}

/* A direct exit through link[slot]: native if the successor is
   translated, else back to op_jit_enter, which CHAINs. */
static void emit_chain(struct tr *t, unsigned slot)
{
	struct x86 *a = &t->a;
	uint8_t *out[3];
	x_mov_ri(a, RAX, (uintptr_t)t->b);
	x_load(a, true, RDX, RAX, BOFF(link) + 8 * (int32_t)slot);
	x_rr(a, true, 0x85, -1, RDX, RDX); /* test */
	out[0] = x_jcc_fwd(a, CC_E);
	x_load(a, true, RCX, RDX, BOFF(jit_code));
	x_rr(a, true, 0x85, -1, RCX, RCX);
	out[1] = x_jcc_fwd(a, CC_E);
	out[2] = emit_enter_native(t);
	for (int k = 0; k < 3; k++)
		x_patch(a, out[k], a->p);
	emit_return(t, slot);
}

/* The taken exit of a branch or jal: a loop onto the block itself stays
   native (the link would point here anyway: same page, same priv). */
static void emit_taken(struct tr *t, uint64_t target)
{
	struct x86 *a = &t->a;
	if (target != t->b->vpc) {
		emit_chain(t, 0);
		return;
	}
	x_load(a, true, RAX, RBX, HOFF(instret));
	x_alu_rm(a, true, ALU_CMP, RAX, RBX, HOFF(insn_limit));
	uint8_t *out = x_jcc_fwd(a, CC_AE);
	x_alu_ri(a, true, ALU_ADD, RAX, t->b->n);
	x_store(a, true, RBX, HOFF(instret), RAX);
	x_jmp(a, t->body);
	x_patch(a, out, a->p);
	emit_return(t, JIT_TAKEN);
}

/* jalr: h->pc and rax hold the target; follow the jump cache as JUMP
   does, else return JIT_JUMP. */
static void emit_jump(struct tr *t)
{
	struct x86 *a = &t->a;
	uint8_t *out[5];
	x_rr(a, true, 0x8b, -1, RCX, RAX);
	x_shift_ri(a, true, SH_SHR, RCX, 1);
	x_alu_ri(a, false, ALU_AND, RCX, JCACHE_MASK);
	x_rr(a, true, 0x6b, -1, RCX, RCX); /* imul rcx, rcx, imm8 */
	x_byte(a, sizeof(struct jcache_entry));
	x_alu_rr(a, true, ALU_ADD, RCX, RBX);
	x_alu_rm(a, true, ALU_CMP, RAX, RCX, JCOFF(vpc));
	out[0] = x_jcc_fwd(a, CC_NE);
	x_load(a, false, RDX, RCX, JCOFF(epoch));
	x_alu_rm(a, false, ALU_CMP, RDX, RBX, HOFF(epoch));
	out[1] = x_jcc_fwd(a, CC_NE);
	x_load(a, true, RDX, RCX, JCOFF(block));
	x_load_ext(a, RSI, RDX, BOFF(priv), 1, false);
	x_load_ext(a, RDI, RBX, HOFF(priv), 1, false);
	x_alu_rr(a, false, ALU_CMP, RSI, RDI);
	out[2] = x_jcc_fwd(a, CC_NE);
	x_load(a, true, RCX, RDX, BOFF(jit_code));
	x_rr(a, true, 0x85, -1, RCX, RCX);
	out[3] = x_jcc_fwd(a, CC_E);
	out[4] = emit_enter_native(t);
	for (int k = 0; k < 5; k++)
		x_patch(a, out[k], a->p);
	emit_return(t, JIT_JUMP);
}

/* The inline TLB test: leaves the host address in rsi, or jumps to a
   stub that calls the slow path. */
static void emit_tlb(struct tr *t, const struct insn *i, unsigned size,
		     bool store)
{
	struct x86 *a = &t->a;
	get_reg(t, RSI, i->rs1);
	if (i->imm)
		x_alu_ri(a, true, ALU_ADD, RSI, (int32_t)i->imm);
	x_rr(a, true, 0x8b, -1, RAX, RSI);
	x_shift_ri(a, true, SH_SHR, RAX, 12);
	x_alu_ri(a, false, ALU_AND, RAX, TLB_SIZE - 1);
	x_shift_ri(a, true, SH_SHL, RAX, 4);
	x_alu_rm(a, true, ALU_ADD, RAX, RBX,
		 store ? HOFF(dtlb_write) : HOFF(dtlb_read));
	x_rr(a, true, 0x8b, -1, RCX, RSI);
	/* the tag compare also rejects misaligned addresses (TLB_HIT) */
	x_alu_ri(a, true, ALU_AND, RCX,
		 (int32_t) ~(uint64_t)(0xfff & ~(size - 1)));
	x_alu_rm(a, true, ALU_CMP, RCX, RAX,
		 (int32_t)offsetof(struct tlb_entry, tag));
	struct stub *s = &t->stubs[t->nstubs++];
	s->jfield = x_jcc_fwd(a, CC_NE);
	s->i = i;
	s->store = store;
	x_alu_rm(a, true, ALU_ADD, RSI, RAX,
		 (int32_t)offsetof(struct tlb_entry, addend));
}

static void emit_insn(struct tr *t, const struct insn *i, const struct jop *o)
{
	struct x86 *a = &t->a;
	unsigned rd = i->rd, rs1 = i->rs1, rs2 = i->rs2;
	int32_t imm = (int32_t)i->imm; /* 12-bit for everything but li */
	bool pure = o->kind < K_LOAD;  /* no effect but on rd */
	if (pure && rd == REG_ZERO_SINK)
		return;
	switch (o->kind) {
	case K_ALU:
	case K_ALUW: {
		bool w = o->kind == K_ALU;
		x_load(a, w, RAX, RBX, XOFF(rs1));
		x_alu_rm(a, w, o->x, RAX, RBX, XOFF(rs2));
		if (!w)
			x_movsxd(a, RAX, RAX);
		set_reg(t, rd, RAX);
		break;
	}
	case K_SHIFT:
	case K_SHIFTW: { /* x86 masks the count to 6 or 5 bits, as RISC-V */
		bool w = o->kind == K_SHIFT;
		x_load(a, false, RCX, RBX, XOFF(rs2));
		x_load(a, w, RAX, RBX, XOFF(rs1));
		x_shift_cl(a, w, o->x, RAX);
		if (!w)
			x_movsxd(a, RAX, RAX);
		set_reg(t, rd, RAX);
		break;
	}
	case K_SLT:
		get_reg(t, RAX, rs1);
		x_alu_rm(a, true, ALU_CMP, RAX, RBX, XOFF(rs2));
		x_setcc_zx(a, o->x, RAX);
		set_reg(t, rd, RAX);
		break;
	case K_MUL:
	case K_MULW: {
		bool w = o->kind == K_MUL;
		x_load(a, w, RAX, RBX, XOFF(rs1));
		x_rm(a, w, 0x0f, 0xaf, RAX, RBX, XOFF(rs2)); /* imul r, m */
		if (!w)
			x_movsxd(a, RAX, RAX);
		set_reg(t, rd, RAX);
		break;
	}
	case K_MULH:
	case K_MULHU: /* rdx:rax = rax * m, signed (/5) or unsigned (/4) */
		get_reg(t, RAX, rs1);
		x_rm(a, true, 0xf7, -1, o->kind == K_MULH ? 5 : 4, RBX,
		     XOFF(rs2));
		set_reg(t, rd, RDX);
		break;
	case K_MULHSU:
		/* signed a times unsigned b: the unsigned high part, minus b
		   when a is negative */
		get_reg(t, RAX, rs1);
		x_rr(a, true, 0x8b, -1, RCX, RAX);
		x_rm(a, true, 0xf7, -1, 4, RBX, XOFF(rs2));
		x_shift_ri(a, true, SH_SAR, RCX, 63);
		x_alu_rm(a, true, ALU_AND, RCX, RBX, XOFF(rs2));
		x_alu_rr(a, true, ALU_SUB, RDX, RCX);
		set_reg(t, rd, RDX);
		break;
	case K_CALL:
		get_reg(t, RDI, rs1);
		get_reg(t, RSI, rs2);
		x_mov_ri(a, RAX, (uintptr_t)o->helper);
		x_call_r(a, RAX);
		set_reg(t, rd, RAX);
		break;
	case K_ALUI:
		get_reg(t, RAX, rs1);
		x_alu_ri(a, true, o->x, RAX, imm);
		set_reg(t, rd, RAX);
		break;
	case K_ALUIW:
		x_load(a, false, RAX, RBX, XOFF(rs1));
		x_alu_ri(a, false, ALU_ADD, RAX, imm);
		x_movsxd(a, RAX, RAX);
		set_reg(t, rd, RAX);
		break;
	case K_SHIFTI:
	case K_SHIFTIW: {
		bool w = o->kind == K_SHIFTI;
		x_load(a, w, RAX, RBX, XOFF(rs1));
		x_shift_ri(a, w, o->x, RAX, (unsigned)imm & (w ? 63 : 31));
		if (!w)
			x_movsxd(a, RAX, RAX);
		set_reg(t, rd, RAX);
		break;
	}
	case K_SLTI: /* imm32 sign-extends, as RISC-V's imm does */
		get_reg(t, RAX, rs1);
		x_alu_ri(a, true, ALU_CMP, RAX, imm);
		x_setcc_zx(a, o->x, RAX);
		set_reg(t, rd, RAX);
		break;
	case K_LI: set_imm(t, rd, (uint64_t)i->imm); break;
	case K_MV:
		get_reg(t, RAX, rs1);
		set_reg(t, rd, RAX);
		break;
	case K_NOP: break;
	case K_LOAD:
		emit_tlb(t, i, o->x, false);
		x_load_ext(a, RDX, RSI, 0, o->x, o->sign);
		set_reg(t, rd, RDX);
		t->stubs[t->nstubs - 1].resume = a->p;
		break;
	case K_STORE:
		emit_tlb(t, i, o->x, true);
		get_reg(t, RDX, rs2);
		x_store_sized(a, RSI, 0, RDX, o->x);
		t->stubs[t->nstubs - 1].resume = a->p;
		break;
	case K_BRANCH: {
		get_reg(t, RAX, rs1);
		x_alu_rm(a, true, ALU_CMP, RAX, RBX, XOFF(rs2));
		uint8_t *taken = x_jcc_fwd(a, o->x);
		emit_chain(t, 1);
		x_patch(a, taken, a->p);
		emit_taken(t, (uint64_t)i->imm);
		break;
	}
	case K_JAL:
		set_imm(t, rd, PC_OF(i) + i->len);
		emit_taken(t, (uint64_t)i->imm);
		break;
	case K_JALR: /* the target first: rd may be rs1 */
		get_reg(t, RAX, rs1);
		if (imm)
			x_alu_ri(a, true, ALU_ADD, RAX, imm);
		x_alu_ri(a, true, ALU_AND, RAX, -2);
		x_store(a, true, RBX, HOFF(pc), RAX);
		set_imm(t, rd, PC_OF(i) + i->len);
		emit_jump(t);
		break;
	}
}

/* The slow paths, out of line after the block's code. */
static void emit_stubs(struct tr *t)
{
	struct x86 *a = &t->a;
	for (unsigned k = 0; k < t->nstubs; k++) {
		const struct stub *s = &t->stubs[k];
		x_patch(a, s->jfield, a->p);
		x_rr(a, true, 0x8b, -1, RDI, RBX);
		x_mov_ri(a, RSI, (uintptr_t)s->i);
		x_mov_ri(a, RAX,
			 s->store ? (uintptr_t)jit_store_miss
				  : (uintptr_t)jit_load_miss);
		x_call_r(a, RAX);
		x_alu_rr(a, false, ALU_OR, RAX, RAX); /* test eax, eax */
		x_jcc(a, CC_NE, t->j->done);
		x_jmp(a, s->resume);
	}
}

/* How many leading insns are supported; the whole block counts its
   control transfer too (branches and jumps are only ever last). */
static unsigned supported_prefix(const struct block *b, const struct jop **ops)
{
	unsigned k = 0;
	while (k < b->n && (ops[k] = find_jop(b->insns[k].fn)) != NULL)
		k++;
	return k;
}

/* Emits the block at j->mem + j->used. Returns its body or NULL if the
   region is full. */
static void *translate(struct jit *j, struct block *b, const struct jop **ops,
		       unsigned k)
{
	struct tr tr, *t = &tr;
	t->a.p = j->mem + j->used;
	t->a.end = j->mem + j->size;
	t->a.full = false;
	t->j = j;
	t->b = b;
	t->body = t->a.p;
	t->nstubs = 0;
	for (unsigned n = 0; n < k; n++)
		emit_insn(t, &b->insns[n], ops[n]);
	unsigned last = b->n ? b->n - 1 : 0;
	bool ends_itself = k == b->n && b->n && ops[last]->kind >= K_BRANCH;
	if (!ends_itself) {
		if (k == b->n)
			emit_chain(t, 1); /* block_end: fall through */
		else
			emit_return(t, JIT_RESUME + k);
	}
	emit_stubs(t);
	uint8_t *body = t->a.full ? NULL : (uint8_t *)t->body;
	if (body)
		j->used = (size_t)(t->a.p - j->mem);
	return body;
}

/* The fixed code at the start of the region:
     entry(h, body): saves rbx, holds h in it, jumps to body;
     epilogue: restores rbx and returns rax:rdx;
     done: returns JIT_DONE.
   One push keeps the stack 16-byte aligned for the helpers' calls. */
static void emit_fixed(struct jit *j)
{
	struct x86 a = {j->mem, j->mem + j->size, false};
	j->entry = (jit_entry_fn)(void *)(a.p + j->exec_delta);
	x_push(&a, RBX);
	x_rr(&a, true, 0x8b, -1, RBX, RDI);
	x_jmp_r(&a, RSI);
	j->epilogue = a.p;
	x_pop(&a, RBX);
	x_byte(&a, 0xc3); /* ret */
	j->done = a.p;
	x_mov_ri(&a, RAX, JIT_DONE);
	x_jmp(&a, j->epilogue);
	j->fixed = j->used = (size_t)(a.p - j->mem);
}

void jit_init(struct jit *j)
{
	memset(j, 0, sizeof(*j));
	const char *off = getenv("PVKIT_NO_JIT");
	if (off && *off && strcmp(off, "0") != 0)
		return;
	/* Without the two views (no memfd, a mapping refused) the tier is
	   off and the interpreter runs everything. */
	int fd = memfd_create("pvkit-jit", MFD_CLOEXEC);
	if (fd < 0)
		return;
	void *rw = MAP_FAILED, *rx = MAP_FAILED;
	if (ftruncate(fd, JIT_SIZE) == 0) {
		rw = mmap(NULL, JIT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  fd, 0);
		rx = mmap(NULL, JIT_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, fd,
			  0);
	}
	close(fd); /* the mappings keep the memory */
	if (rw == MAP_FAILED || rx == MAP_FAILED) {
		if (rw != MAP_FAILED)
			munmap(rw, JIT_SIZE);
		if (rx != MAP_FAILED)
			munmap(rx, JIT_SIZE);
		return;
	}
	j->mem = rw;
	j->exec_delta = (uint8_t *)rx - (uint8_t *)rw;
	j->size = JIT_SIZE;
	emit_fixed(j);
	j->enabled = true;
	j->threshold = JIT_THRESHOLD;
}

void jit_free(struct jit *j)
{
	if (j->mem) {
		munmap(j->mem + j->exec_delta, j->size);
		munmap(j->mem, j->size);
	}
	memset(j, 0, sizeof(*j));
}

void jit_flush(struct jit *j)
{
	/* The memory stays mapped and untouched until the next translation,
	   so native code still on its way out (a store that just dropped
	   the cache) returns safely. */
	j->used = j->fixed;
}

bool jit_block_hot(struct hart *h, struct block *b)
{
	struct jit *j = &h->jit;
	b->hot = UINT32_MAX; /* asked once (per 4G entries) */
	if (!j->enabled || b->jit_code || !b->cacheable)
		return true;
	const struct jop *ops[BLOCK_MAX_INSNS];
	unsigned k = supported_prefix(b, ops);
	if (k < b->n && k < JIT_MIN_PREFIX) {
		j->stat_declined++;
		return true;
	}
	bool empty = j->used == j->fixed;
	void *body = translate(j, b, ops, k);
	if (!body && empty) { /* can never fit */
		j->stat_declined++;
		return true;
	}
	if (!body) {
		/* region full: start over, from the dispatcher where no
		   block is running */
		hart_code_flush(h);
		return false;
	}
	b->jit_code = (uint8_t *)body + j->exec_delta;
	b->insns[0].fn = op_jit_enter;
	j->stat_blocks++;
	return true;
}

OP(jit_enter)
{
	struct jit_ret r = h->jit.entry(h, BLOCK_OF(i)->jit_code);
	if (r.code == JIT_DONE)
		return; /* the block may be gone: leave it alone */
	/* carry on as the block the native code ended in would */
	struct block *b = r.block;
	i = b->insns;
	switch (r.code) {
	case JIT_TAKEN: CHAIN((uint64_t)i[b->n - 1].imm, 0);
	case JIT_FALL: CHAIN(b->vpc + i[b->n].pcoff, 1);
	case JIT_JUMP: JUMP(h->pc);
	}
	i += r.code - JIT_RESUME;
	MUSTTAIL return i->fn(h, i);
}

#else /* no JIT on this host: the interpreter runs everything */

void jit_init(struct jit *j)
{
	memset(j, 0, sizeof(*j));
}
void jit_free(struct jit *j)
{
	(void)j;
}
void jit_flush(struct jit *j)
{
	(void)j;
}

bool jit_block_hot(struct hart *h, struct block *b)
{
	(void)h;
	b->hot = UINT32_MAX;
	return true;
}

void op_jit_enter(struct hart *h, const struct insn *i)
{
	(void)h;
	(void)i;
	abort(); /* never installed */
}

#endif
