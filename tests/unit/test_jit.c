/*
 * The JIT tier against the interpreter: every program runs twice, once
 * with native code for hot blocks and once interpreted, in lockstep with
 * a small instruction budget per hart_run. After every step both harts
 * must agree on pc, instret and all registers, so a native loop that
 * overruns its budget, a trap with the wrong count, or one wrong ALU
 * result shows up at the step it happens.
 *
 * When the host has no JIT (not x86-64, or PVKIT_NO_JIT set) both runs
 * are interpreted and the comparisons hold trivially.
 */
#include "emulator/cpu/csr.h"
#include "emulator/cpu/hart.h"
#include "emulator/mem/bus.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define HANDLER (RAM_BASE + 0xf00) /* mtvec: STOP */
#define DATA (RAM_BASE + 0x10000)
#define DATA2 (RAM_BASE + 0x20000)

enum { T0 = 5, T1 = 6, T2 = 7, A0 = 10, A1 = 11, A2 = 12, A3 = 13 };

/* --- a tiny assembler ---------------------------------------------------- */
static uint32_t enc_r(unsigned op, unsigned f3, unsigned f7, unsigned rd,
		      unsigned rs1, unsigned rs2)
{
	return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) |
	       op;
}
static uint32_t enc_i(unsigned op, unsigned rd, unsigned f3, unsigned rs1,
		      int imm)
{
	return ((uint32_t)imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) |
	       op;
}
static uint32_t enc_s(unsigned f3, unsigned rs1, unsigned rs2, int imm)
{
	uint32_t u = (uint32_t)imm;
	return ((u >> 5 & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) |
	       (f3 << 12) | ((u & 0x1f) << 7) | 0x23;
}
static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int off)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 12 & 1) << 31) | ((u >> 5 & 0x3f) << 25) | (rs2 << 20) |
	       (rs1 << 15) | (f3 << 12) | ((u >> 1 & 0xf) << 8) |
	       ((u >> 11 & 1) << 7) | 0x63;
}
static uint32_t enc_jal(unsigned rd, int off)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 20 & 1) << 31) | ((u >> 1 & 0x3ff) << 21) |
	       ((u >> 11 & 1) << 20) | ((u >> 12 & 0xff) << 12) | (rd << 7) |
	       0x6f;
}
static uint32_t addi(unsigned rd, unsigned rs1, int imm)
{
	return enc_i(0x13, rd, 0, rs1, imm);
}
static uint32_t ld_(unsigned f3, unsigned rd, unsigned rs1, int imm)
{
	return enc_i(0x03, rd, f3, rs1, imm);
}
static const uint32_t STOP = 0x40105013; /* srai x0, x0, 1: magic 1 */

/* A program under construction; branch offsets count instructions. */
struct prog {
	uint32_t w[256];
	int n;
};
static int emit(struct prog *p, uint32_t insn)
{
	p->w[p->n] = insn;
	return p->n++;
}
/* branch/jal from here back (or forward) to instruction `to` */
static void emit_b(struct prog *p, unsigned f3, unsigned rs1, unsigned rs2,
		   int to)
{
	emit(p, enc_b(f3, rs1, rs2, (to - p->n) * 4));
}

/* --- harness --------------------------------------------------------------- */
struct rig {
	struct bus bus;
	struct hart hart;
};

static uint64_t rig_time(void *opaque)
{
	(void)opaque;
	return 0;
}

static void rig_magic(void *opaque, struct hart *h, unsigned n)
{
	(void)opaque;
	if (n == 1) {
		h->stop = true;
		hart_kick(h);
	}
}

/* threshold < 0: interpreter only */
static struct rig *rig_new(int threshold)
{
	struct rig *r = calloc(1, sizeof(*r));
	ck_assert_int_eq(bus_init(&r->bus, RAM_BASE, RAM_SIZE), 0);
	struct hart_env env = {
		.opaque = r, .time_now = rig_time, .magic = rig_magic};
	ck_assert_int_eq(hart_init(&r->hart, &r->bus, &env), 0);
	/* no block exists yet, so this applies to all of them */
	r->hart.jit.enabled = threshold >= 0 && r->hart.jit.mem != NULL;
	r->hart.jit.threshold = threshold >= 0 ? (uint32_t)threshold : 0;
	r->hart.mtvec = HANDLER;
	uint32_t stop = STOP;
	ck_assert(bus_copy_to_ram(&r->bus, HANDLER, &stop, 4));
	return r;
}

static void rig_free(struct rig *r)
{
	hart_free(&r->hart);
	bus_free(&r->bus);
	free(r);
}

struct pair {
	struct rig *jit, *interp;
};

/* Loads the same program, registers and data into both. */
static struct pair pair_new(const struct prog *p, int threshold,
			    const uint64_t *regs, const void *data,
			    size_t data_len)
{
	struct pair pr = {rig_new(threshold), rig_new(-1)};
	struct rig *both[2] = {pr.jit, pr.interp};
	for (int k = 0; k < 2; k++) {
		struct rig *r = both[k];
		ck_assert(bus_copy_to_ram(&r->bus, RAM_BASE, p->w,
					  (size_t)p->n * 4));
		if (regs)
			memcpy(&r->hart.x[1], &regs[1], 31 * 8);
		if (data)
			ck_assert(
				bus_copy_to_ram(&r->bus, DATA, data, data_len));
		r->hart.pc = RAM_BASE;
	}
	return pr;
}

static void assert_same(const struct hart *a, const struct hart *b, int step)
{
	ck_assert_msg(a->pc == b->pc, "step %d: pc %lx vs %lx", step,
		      (unsigned long)a->pc, (unsigned long)b->pc);
	ck_assert_msg(a->instret == b->instret, "step %d: instret %lu vs %lu",
		      step, (unsigned long)a->instret,
		      (unsigned long)b->instret);
	for (int r = 0; r < 32; r++)
		ck_assert_msg(a->x[r] == b->x[r], "step %d: x%d %lx vs %lx",
			      step, r, (unsigned long)a->x[r],
			      (unsigned long)b->x[r]);
	ck_assert_uint_eq(a->mepc, b->mepc);
	ck_assert_uint_eq(a->mcause, b->mcause);
	ck_assert_uint_eq(a->mtval, b->mtval);
}

/* Runs both in lockstep, `budget` instructions per hart_run, until STOP.
   Returns the number of steps. */
static int pair_run(struct pair *pr, uint64_t budget)
{
	int step = 0;
	while (!pr->interp->hart.stop) {
		ck_assert_msg(step < 2000000, "no STOP");
		hart_run(&pr->jit->hart, budget);
		hart_run(&pr->interp->hart, budget);
		ck_assert_int_eq(pr->jit->hart.stop, pr->interp->hart.stop);
		assert_same(&pr->jit->hart, &pr->interp->hart, step);
		step++;
	}
	return step;
}

static void assert_same_ram(struct pair *pr, uint64_t pa, size_t len)
{
	uint8_t *a = bus_ram_ptr(&pr->jit->bus, pa, len);
	uint8_t *b = bus_ram_ptr(&pr->interp->bus, pa, len);
	ck_assert(a && b);
	ck_assert(memcmp(a, b, len) == 0);
}

/* The JIT really ran (when this host has one). */
static void assert_translated(struct pair *pr)
{
	if (pr->jit->hart.jit.enabled)
		ck_assert_uint_gt(pr->jit->hart.jit.stat_blocks, 0);
}

static void pair_free(struct pair *pr)
{
	rig_free(pr->jit);
	rig_free(pr->interp);
}

/* --- ALU edge values -------------------------------------------------------- */

/* All RV64IM register-register ops: {opcode, funct3, funct7}. */
static const unsigned rops[][3] = {
	{0x33, 0, 0}, {0x33, 0, 0x20}, {0x33, 1, 0},	{0x33, 2, 0},
	{0x33, 3, 0}, {0x33, 4, 0},    {0x33, 5, 0},	{0x33, 5, 0x20},
	{0x33, 6, 0}, {0x33, 7, 0},    {0x33, 0, 1},	{0x33, 1, 1},
	{0x33, 2, 1}, {0x33, 3, 1},    {0x33, 4, 1},	{0x33, 5, 1},
	{0x33, 6, 1}, {0x33, 7, 1},    {0x3b, 0, 0},	{0x3b, 0, 0x20},
	{0x3b, 1, 0}, {0x3b, 5, 0},    {0x3b, 5, 0x20}, {0x3b, 0, 1},
	{0x3b, 4, 1}, {0x3b, 5, 1},    {0x3b, 6, 1},	{0x3b, 7, 1},
};
#define NROPS (int)(sizeof(rops) / sizeof(rops[0]))

/* 28 ops into x1..x28 from x29 (a) and x30 (b), looped on x31. */
static void check_rops(uint64_t a, uint64_t b)
{
	struct prog p = {.n = 0};
	int top = p.n;
	for (int k = 0; k < NROPS; k++)
		emit(&p, enc_r(rops[k][0], rops[k][1], rops[k][2],
			       (unsigned)k + 1, 29, 30));
	emit(&p, addi(31, 31, -1));
	emit_b(&p, 1, 31, 0, top); /* bne x31, x0, top */
	emit(&p, STOP);
	uint64_t regs[32] = {0};
	regs[29] = a;
	regs[30] = b;
	regs[31] = 6;
	struct pair pr = pair_new(&p, 2, regs, NULL, 0);
	pair_run(&pr, 1000);
	assert_translated(&pr);
	pair_free(&pr);
}

START_TEST(reg_reg_ops_on_edge_values)
{
	static const uint64_t v[] = {
		0,
		1,
		UINT64_MAX,
		0x8000000000000000ull,
		0x7fffffffffffffffull,
		0x80000000ull,
		0x7fffffffull,
		0xffffffff80000000ull,
		0xffffffffull,
		63,
		31,
		32,
		64 + 5,
		0x123456789abcdef0ull,
		0xfedcba9876543210ull,
	};
	int n = (int)(sizeof(v) / sizeof(v[0]));
	for (int x = 0; x < n; x++)
		for (int y = 0; y < n; y++)
			check_rops(v[x], v[y]);
}
END_TEST

/* The interpreter is the reference above; pin the corner cases of
   division and the high multiplies to the spec too. */
START_TEST(division_corners_follow_the_spec)
{
	struct prog p = {.n = 0};
	int top = p.n;
	emit(&p, enc_r(0x33, 4, 1, A0, T0, T1)); /* div a0, MIN, -1 */
	emit(&p, enc_r(0x33, 6, 1, A1, T0, T1)); /* rem a1, MIN, -1 */
	emit(&p, enc_r(0x33, 4, 1, A2, T0, 0));	 /* div a2, MIN, 0 */
	emit(&p, enc_r(0x33, 7, 1, A3, T0, 0));	 /* remu a3, MIN, 0 */
	emit(&p, enc_r(0x3b, 4, 1, 14, T2, T1)); /* divw a4, INT32_MIN, -1 */
	emit(&p, enc_r(0x3b, 5, 1, 15, T2, 0));	 /* divuw a5, x, 0 */
	emit(&p, enc_r(0x33, 3, 1, 16, T1, T1)); /* mulhu a6, -1, -1 */
	emit(&p, enc_r(0x33, 2, 1, 17, T1, T1)); /* mulhsu a7, -1, -1 */
	emit(&p, addi(31, 31, -1));
	emit_b(&p, 1, 31, 0, top);
	emit(&p, STOP);
	uint64_t regs[32] = {0};
	regs[T0] = 0x8000000000000000ull;
	regs[T1] = UINT64_MAX;
	regs[T2] = 0xffffffff80000000ull;
	regs[31] = 5;
	struct pair pr = pair_new(&p, 1, regs, NULL, 0);
	pair_run(&pr, 100);
	const uint64_t *x = pr.jit->hart.x;
	ck_assert_uint_eq(x[A0], 0x8000000000000000ull);
	ck_assert_uint_eq(x[A1], 0);
	ck_assert_uint_eq(x[A2], UINT64_MAX);
	ck_assert_uint_eq(x[A3], 0x8000000000000000ull);
	ck_assert_uint_eq(x[14], 0xffffffff80000000ull);
	ck_assert_uint_eq(x[15], UINT64_MAX);
	ck_assert_uint_eq(x[16], UINT64_MAX - 1);
	ck_assert_uint_eq(x[17], UINT64_MAX);
	assert_translated(&pr);
	pair_free(&pr);
}
END_TEST

START_TEST(reg_imm_ops_on_edge_values)
{
	/* {opcode, funct3, imm}: shifts carry funct7 in the imm's top */
	static const int iops[][3] = {
		{0x13, 0, 0},	       {0x13, 0, -2048},
		{0x13, 0, 2047},       {0x13, 2, -1},
		{0x13, 2, 5},	       {0x13, 3, -1},
		{0x13, 3, 5},	       {0x13, 4, -1},
		{0x13, 6, -2048},      {0x13, 7, 0x7f0},
		{0x13, 1, 63},	       {0x13, 1, 0},
		{0x13, 5, 63},	       {0x13, 5, 1},
		{0x13, 5, 0x400 | 63}, {0x13, 5, 0x400 | 1},
		{0x1b, 0, -1},	       {0x1b, 0, 2047},
		{0x1b, 1, 31},	       {0x1b, 1, 0},
		{0x1b, 5, 31},	       {0x1b, 5, 0},
		{0x1b, 5, 0x400 | 31}, {0x1b, 5, 0x400},
		{0x13, 0, 0}, /* addi rd = a: a plain move */
	};
	static const uint64_t v[] = {0,
				     1,
				     UINT64_MAX,
				     0x8000000000000000ull,
				     0x7fffffffffffffffull,
				     0x80000000ull,
				     0x7fffffffull,
				     0xffffffff80000000ull,
				     0x123456789abcdef0ull};
	int nops = (int)(sizeof(iops) / sizeof(iops[0]));
	for (size_t x = 0; x < sizeof(v) / sizeof(v[0]); x++) {
		struct prog p = {.n = 0};
		int top = p.n;
		for (int k = 0; k < nops; k++)
			emit(&p, enc_i((unsigned)iops[k][0], (unsigned)k + 1,
				       (unsigned)iops[k][1], 29, iops[k][2]));
		emit(&p,
		     enc_i(0x37, 0, 0, 0, 0) | (0xfffffu << 12) | (26u << 7));
		emit(&p, enc_r(0x33, 0, 0, 0, 29, 29)); /* add x0: stays 0 */
		emit(&p, addi(31, 31, -1));
		emit_b(&p, 1, 31, 0, top);
		emit(&p, STOP);
		uint64_t regs[32] = {0};
		regs[29] = v[x];
		regs[31] = 4;
		struct pair pr = pair_new(&p, 2, regs, NULL, 0);
		pair_run(&pr, 1000);
		ck_assert_uint_eq(pr.jit->hart.x[0], 0);
		ck_assert_uint_eq(pr.jit->hart.x[26], 0xfffffffffffff000ull);
		assert_translated(&pr);
		pair_free(&pr);
	}
}
END_TEST

/* --- loads and stores ------------------------------------------------------- */

/* Walks 16 bytes a step through 2+ pages of data with every load width
   (the first touch of each page misses the TLB; a misaligned ld crosses
   a page now and then) and stores every width to another area. */
START_TEST(loads_and_stores_hit_and_miss_the_tlb)
{
	enum { P = 20, Q = 21, CNT = 31, SUM = 22, TMP = 23 };
	struct prog p = {.n = 0};
	int top = p.n;
	for (unsigned f3 = 0; f3 < 7; f3++) {
		if (f3 == 3)
			emit(&p, ld_(3, 1 + f3, P, 8));
		else
			emit(&p, ld_(f3, 1 + f3, P, (int)(f3 & 3) * 2));
		emit(&p, enc_i(0x13, TMP, 1, SUM, 5)); /* slli */
		emit(&p, enc_r(0x33, 0, 0, SUM, SUM, TMP));
		emit(&p, enc_r(0x33, 4, 0, SUM, SUM, 1 + f3));
	}
	emit(&p, ld_(3, 9, P, 3));    /* misaligned: always the slow path */
	emit(&p, ld_(2, 0, P, 0));    /* to x0: the access still happens */
	emit(&p, enc_s(0, Q, 1, 0));  /* sb */
	emit(&p, enc_s(1, Q, 2, 2));  /* sh */
	emit(&p, enc_s(2, Q, 3, 4));  /* sw */
	emit(&p, enc_s(3, Q, 4, 8));  /* sd */
	emit(&p, enc_s(3, Q, 9, 17)); /* misaligned sd */
	emit(&p, addi(P, P, 16));
	emit(&p, addi(Q, Q, 32));
	emit(&p, addi(CNT, CNT, -1));
	emit_b(&p, 1, CNT, 0, top);
	emit(&p, STOP);

	enum { STEPS = 600 };
	static uint8_t data[STEPS * 16 + 64];
	uint64_t s = 0x9e3779b97f4a7c15ull;
	for (size_t k = 0; k < sizeof(data); k++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		data[k] = (uint8_t)s;
	}
	uint64_t regs[32] = {0};
	regs[P] = DATA;
	regs[Q] = DATA2;
	regs[CNT] = STEPS;
	struct pair pr = pair_new(&p, 3, regs, data, sizeof(data));
	pair_run(&pr, 777);
	assert_same_ram(&pr, DATA2, STEPS * 32 + 32);
	ck_assert_uint_eq(pr.jit->hart.x[P], DATA + STEPS * 16);
	assert_translated(&pr);
	pair_free(&pr);
}
END_TEST

/* A load in the middle of a translated loop runs off the end of RAM:
   the trap must name that load, with exactly the insns before it
   retired. */
START_TEST(load_fault_mid_block_is_exact)
{
	struct prog p = {.n = 0};
	int top = emit(&p, addi(A0, A0, 1));
	emit(&p, addi(A1, A1, 3));
	int load = emit(&p, ld_(3, T0, T1, 0));
	emit(&p, addi(T1, T1, 8));
	emit(&p, addi(A2, A2, 1));
	emit(&p, enc_jal(0, (top - p.n) * 4));
	uint64_t regs[32] = {0};
	regs[T1] = RAM_BASE + RAM_SIZE - 8 * 200;
	struct pair pr = pair_new(&p, 2, regs, NULL, 0);
	pair_run(&pr, 50);
	struct hart *h = &pr.jit->hart;
	ck_assert_uint_eq(h->mcause, 5);
	ck_assert_uint_eq(h->mtval, RAM_BASE + RAM_SIZE);
	ck_assert_uint_eq(h->mepc, RAM_BASE + 4 * (uint64_t)load);
	ck_assert_uint_eq(h->x[A0], 201);
	ck_assert_uint_eq(h->x[A2], 200);
	/* 200 loops of 6, then 2 before the fault, then STOP */
	ck_assert_uint_eq(h->instret, 200 * 6 + 2 + 1);
	assert_translated(&pr);
	pair_free(&pr);
}
END_TEST

START_TEST(store_fault_mid_block_is_exact)
{
	struct prog p = {.n = 0};
	int top = emit(&p, addi(A0, A0, 1));
	int store = emit(&p, enc_s(2, T1, A0, 0)); /* sw a0, 0(t1) */
	emit(&p, addi(T1, T1, 4));
	emit(&p, enc_jal(0, (top - p.n) * 4));
	uint64_t regs[32] = {0};
	regs[T1] = RAM_BASE + RAM_SIZE - 4 * 100;
	struct pair pr = pair_new(&p, 2, regs, NULL, 0);
	pair_run(&pr, 33);
	struct hart *h = &pr.jit->hart;
	ck_assert_uint_eq(h->mcause, 7);
	ck_assert_uint_eq(h->mtval, RAM_BASE + RAM_SIZE);
	ck_assert_uint_eq(h->mepc, RAM_BASE + 4 * (uint64_t)store);
	ck_assert_uint_eq(h->instret, 100 * 4 + 1 + 1);
	assert_same_ram(&pr, RAM_BASE + RAM_SIZE - 400, 400);
	assert_translated(&pr);
	pair_free(&pr);
}
END_TEST

/* Each iteration stores over the loop's own first instruction (the
   page holds decoded code, so the store drops the cache while native
   code runs): from the second iteration on, the new instruction runs. */
START_TEST(store_into_running_block_drops_it)
{
	struct prog p = {.n = 0};
	int top = emit(&p, addi(A0, A0, 1));
	emit(&p, addi(A1, A1, 1));
	emit(&p, enc_s(2, T2, T1, 0)); /* sw t1, 0(t2): rewrite `top` */
	emit(&p, addi(A2, A2, 1));
	emit_b(&p, 4, A1, A3, top); /* blt a1, a3, top */
	emit(&p, STOP);
	uint64_t regs[32] = {0};
	regs[T1] = addi(A0, A0, 100);
	regs[T2] = RAM_BASE + 4 * (uint64_t)top;
	regs[A3] = 50;
	/* threshold 0: translated before its first run, every time */
	struct pair pr = pair_new(&p, 0, regs, NULL, 0);
	pair_run(&pr, 1000);
	struct hart *h = &pr.jit->hart;
	ck_assert_uint_eq(h->x[A0], 1 + 100 * 49);
	ck_assert_uint_eq(h->x[A2], 50);
	ck_assert_uint_eq(h->instret, 50 * 5 + 1);
	assert_translated(&pr);
	pair_free(&pr);
}
END_TEST

/* --- control flow ------------------------------------------------------------- */

/* Nested loops over every branch kind, a call and a return through
   jalr, run with budgets so small that native loops and native chaining
   must stop mid-way exactly where the interpreter does. */
START_TEST(branch_loops_respect_a_small_budget)
{
	struct prog p = {.n = 0};
	/* sub at 64: a0 += a1; ret */
	struct prog sub = {.n = 0};
	emit(&sub, enc_r(0x33, 0, 0, A0, A0, A1));
	emit(&sub, enc_i(0x67, 0, 0, 1, 0));
	int outer = emit(&p, addi(A1, 0, 0));
	int inner = emit(&p, addi(A1, A1, 1));
	emit(&p, enc_r(0x33, 4, 0, A2, A2, A1));
	emit_b(&p, 0, A1, T0, p.n + 2); /* beq a1, t0: skip */
	emit(&p, addi(A3, A3, 1));
	emit_b(&p, 6, A1, T1, inner);	/* bltu a1, t1, inner */
	emit_b(&p, 5, A1, T0, p.n + 2); /* bge a1, t0: skip */
	emit(&p, addi(A3, A3, 1000));
	emit(&p, enc_jal(1, (64 - p.n) * 4)); /* call sub */
	emit_b(&p, 7, T1, A1, p.n + 2);	      /* bgeu t1, a1: skip */
	emit(&p, addi(A3, A3, 7));
	emit(&p, addi(T2, T2, -1));
	emit_b(&p, 4, 0, T2, outer); /* blt x0, t2, outer */
	emit(&p, STOP);
	ck_assert_int_le(p.n, 64);
	memcpy(&p.w[64], sub.w, sizeof(uint32_t) * 2);
	p.n = 66;
	for (int k = 14; k < 64; k++)
		p.w[k] = STOP;
	uint64_t regs[32] = {0};
	regs[T0] = 5;
	regs[T1] = 9;
	regs[T2] = 300;
	static const uint64_t budgets[] = {1, 2, 3, 5, 7, 16, 100, 100000};
	for (size_t k = 0; k < sizeof(budgets) / sizeof(budgets[0]); k++) {
		struct pair pr = pair_new(&p, 1, regs, NULL, 0);
		pair_run(&pr, budgets[k]);
		assert_translated(&pr);
		pair_free(&pr);
	}
}
END_TEST

/* A block that starts with supported insns and ends in a CSR read: the
   native prefix hands over to the interpreter, which must see exactly
   the instructions the prefix retired. */
START_TEST(native_prefix_then_csr_counts_exactly)
{
	struct prog p = {.n = 0};
	int top = emit(&p, addi(A0, A0, 1));
	emit(&p, addi(A1, A1, 2));
	emit(&p, enc_i(0x73, T0, 2, 0, CSR_MINSTRET)); /* csrr t0, minstret */
	emit(&p, enc_r(0x33, 4, 0, A2, A2, T0));
	emit(&p, addi(T2, T2, -1));
	emit_b(&p, 1, T2, 0, top);
	emit(&p, STOP);
	uint64_t regs[32] = {0};
	regs[T2] = 100;
	struct pair pr = pair_new(&p, 1, regs, NULL, 0);
	pair_run(&pr, 10);
	/* the last read: 99 loops of 6 before it, then 2 */
	ck_assert_uint_eq(pr.jit->hart.x[T0], 99 * 6 + 2);
	assert_translated(&pr);
	pair_free(&pr);
}
END_TEST

/* A code region with room for about one block: translating keeps
   dropping the whole cache, which must change nothing but speed. */
START_TEST(full_code_region_starts_over)
{
	struct prog p = {.n = 0};
	int top = emit(&p, addi(A0, A0, 1));
	emit_b(&p, 0, A0, T0, p.n + 3);
	emit(&p, addi(A1, A1, 1));
	emit(&p, enc_jal(0, 8));
	emit(&p, addi(A2, A2, 1));
	emit(&p, addi(T2, T2, -1));
	emit_b(&p, 1, T2, 0, top);
	emit(&p, STOP);
	uint64_t regs[32] = {0};
	regs[T0] = 50;
	regs[T2] = 400;
	struct pair pr = pair_new(&p, 1, regs, NULL, 0);
	struct jit *j = &pr.jit->hart.jit;
	if (j->enabled)
		j->size = j->fixed + 400;
	pair_run(&pr, 64);
	ck_assert_uint_eq(pr.jit->hart.x[A0], 400);
	assert_translated(&pr);
	if (j->enabled)
		ck_assert_uint_gt(pr.jit->hart.stat_flushes, 2);
	pair_free(&pr);
}
END_TEST

START_TEST(pvkit_no_jit_turns_the_tier_off)
{
	setenv("PVKIT_NO_JIT", "1", 1);
	struct jit j;
	jit_init(&j);
	unsetenv("PVKIT_NO_JIT");
	ck_assert(!j.enabled);
	jit_free(&j);
}
END_TEST

/* W^X: the region the JIT writes must never be executable as mapped, and
   what runs must not be writable. */
START_TEST(no_mapping_is_writable_and_executable)
{
	struct jit j;
	jit_init(&j);
	if (!j.enabled)
		return; /* no JIT on this host: nothing mapped */
	FILE *maps = fopen("/proc/self/maps", "r");
	ck_assert_ptr_nonnull(maps);
	char line[512];
	int jit_views = 0;
	while (fgets(line, sizeof(line), maps)) {
		char perms[5] = "";
		if (sscanf(line, "%*s %4s", perms) != 1)
			continue;
		ck_assert_msg(!(perms[1] == 'w' && perms[2] == 'x'),
			      "writable and executable: %s", line);
		if (strstr(line, "pvkit-jit"))
			jit_views++;
	}
	fclose(maps);
	ck_assert_int_eq(jit_views, 2);
	jit_free(&j);
}
END_TEST

Suite *jit_suite(void)
{
	Suite *s = suite_create("jit");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, reg_reg_ops_on_edge_values);
	tcase_add_test(tc, division_corners_follow_the_spec);
	tcase_add_test(tc, reg_imm_ops_on_edge_values);
	tcase_add_test(tc, loads_and_stores_hit_and_miss_the_tlb);
	tcase_add_test(tc, load_fault_mid_block_is_exact);
	tcase_add_test(tc, store_fault_mid_block_is_exact);
	tcase_add_test(tc, store_into_running_block_drops_it);
	tcase_add_test(tc, branch_loops_respect_a_small_budget);
	tcase_add_test(tc, native_prefix_then_csr_counts_exactly);
	tcase_add_test(tc, full_code_region_starts_over);
	tcase_add_test(tc, pvkit_no_jit_turns_the_tier_off);
	tcase_add_test(tc, no_mapping_is_writable_and_executable);
	suite_add_tcase(s, tc);
	return s;
}
