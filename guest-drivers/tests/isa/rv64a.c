/*
 * rv64a: the A extension. Every AMO in .w and .d form (old value returned,
 * .w results sign-extended, the neighbouring word untouched), aq/rl
 * variants, rd = x0; LR/SC success and failure rules (SC without a
 * reservation fails, SC to another address fails, SC invalidates the
 * reservation, failure code is nonzero and memory untouched); misaligned
 * AMO and LR raise an address-misaligned exception with tval = address.
 *
 * QEMU 7.2 deviations excluded here: a misaligned AMO raises cause 4 (load
 * address misaligned) where the spec says 6 (store/AMO), so only "4 or 6"
 * is checked (pvkit should raise 6); a misaligned SC without a reservation
 * just fails on QEMU without trapping, so misaligned SC is not tested.
 */
#include "runtime.h"

static volatile uint64_t cell[4] __attribute__((aligned(16)));

#define AMO(name, insn) static uint64_t op_##name(volatile uint64_t *p, uint64_t v) { uint64_t r; \
	__asm__ volatile(insn " %0, %2, (%1)" : "=r"(r) : "r"(p), "r"(v) : "memory"); return r; }
#define AMO2(op) AMO(op##_w, #op ".w") AMO(op##_d, #op ".d")
AMO2(amoswap) AMO2(amoadd) AMO2(amoxor) AMO2(amoand) AMO2(amoor)
AMO2(amomin) AMO2(amomax) AMO2(amominu) AMO2(amomaxu)

struct amo_vec {
	const char *name;
	uint64_t (*fn)(volatile uint64_t *, uint64_t);
	uint64_t mem, src, rd, after;
};

/* .w vectors: the doubleword holds 0xdeadbeef in its upper word and the
 * low 32 bits of `mem` in the word the AMO works on. */
static const struct amo_vec vecs[] = {
	{ "amoswap.w", op_amoswap_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000003ULL },
	{ "amoswap.w", op_amoswap_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeef00000001ULL },
	{ "amoswap.w", op_amoswap_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeefffffffffULL },
	{ "amoswap.w", op_amoswap_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeef80000000ULL },
	{ "amoswap.w", op_amoswap_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeef76543210ULL },
	{ "amoswap.d", op_amoswap_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000003ULL },
	{ "amoswap.d", op_amoswap_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0x0000000000000001ULL },
	{ "amoswap.d", op_amoswap_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x7fffffffffffffffULL },
	{ "amoswap.d", op_amoswap_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x0000000080000000ULL },
	{ "amoswap.d", op_amoswap_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL },
	{ "amoadd.w", op_amoadd_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000008ULL },
	{ "amoadd.w", op_amoadd_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeefffffffffULL },
	{ "amoadd.w", op_amoadd_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeefffffffffULL },
	{ "amoadd.w", op_amoadd_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeef7fffffffULL },
	{ "amoadd.w", op_amoadd_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeef11111100ULL },
	{ "amoadd.d", op_amoadd_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000008ULL },
	{ "amoadd.d", op_amoadd_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xffffffffffffffffULL },
	{ "amoadd.d", op_amoadd_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL },
	{ "amoadd.d", op_amoadd_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x000000017fffffffULL },
	{ "amoadd.d", op_amoadd_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0x1111111111111100ULL },
	{ "amoxor.w", op_amoxor_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000006ULL },
	{ "amoxor.w", op_amoxor_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeefffffffffULL },
	{ "amoxor.w", op_amoxor_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeefffffffffULL },
	{ "amoxor.w", op_amoxor_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeef7fffffffULL },
	{ "amoxor.w", op_amoxor_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeefece8ece0ULL },
	{ "amoxor.d", op_amoxor_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000006ULL },
	{ "amoxor.d", op_amoxor_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xffffffffffffffffULL },
	{ "amoxor.d", op_amoxor_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL },
	{ "amoxor.d", op_amoxor_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x000000007fffffffULL },
	{ "amoxor.d", op_amoxor_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0xece8ece0ece8ece0ULL },
	{ "amoand.w", op_amoand_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000001ULL },
	{ "amoand.w", op_amoand_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeef00000000ULL },
	{ "amoand.w", op_amoand_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeef00000000ULL },
	{ "amoand.w", op_amoand_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeef80000000ULL },
	{ "amoand.w", op_amoand_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeef12141210ULL },
	{ "amoand.d", op_amoand_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000001ULL },
	{ "amoand.d", op_amoand_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0x0000000000000000ULL },
	{ "amoand.d", op_amoand_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x0000000000000000ULL },
	{ "amoand.d", op_amoand_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x0000000080000000ULL },
	{ "amoand.d", op_amoand_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0x1214121812141210ULL },
	{ "amoor.w", op_amoor_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000007ULL },
	{ "amoor.w", op_amoor_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeefffffffffULL },
	{ "amoor.w", op_amoor_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeefffffffffULL },
	{ "amoor.w", op_amoor_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeefffffffffULL },
	{ "amoor.w", op_amoor_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeeffefcfef0ULL },
	{ "amoor.d", op_amoor_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000007ULL },
	{ "amoor.d", op_amoor_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xffffffffffffffffULL },
	{ "amoor.d", op_amoor_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL },
	{ "amoor.d", op_amoor_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x00000000ffffffffULL },
	{ "amoor.d", op_amoor_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0xfefcfef8fefcfef0ULL },
	{ "amomin.w", op_amomin_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000003ULL },
	{ "amomin.w", op_amomin_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeeffffffffeULL },
	{ "amomin.w", op_amomin_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeefffffffffULL },
	{ "amomin.w", op_amomin_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeef80000000ULL },
	{ "amomin.w", op_amomin_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeef9abcdef0ULL },
	{ "amomin.d", op_amomin_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000003ULL },
	{ "amomin.d", op_amomin_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xfffffffffffffffeULL },
	{ "amomin.d", op_amomin_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x8000000000000000ULL },
	{ "amomin.d", op_amomin_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x0000000080000000ULL },
	{ "amomin.d", op_amomin_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL },
	{ "amomax.w", op_amomax_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000005ULL },
	{ "amomax.w", op_amomax_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeef00000001ULL },
	{ "amomax.w", op_amomax_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeef00000000ULL },
	{ "amomax.w", op_amomax_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeefffffffffULL },
	{ "amomax.w", op_amomax_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeef76543210ULL },
	{ "amomax.d", op_amomax_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000005ULL },
	{ "amomax.d", op_amomax_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0x0000000000000001ULL },
	{ "amomax.d", op_amomax_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x7fffffffffffffffULL },
	{ "amomax.d", op_amomax_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x00000000ffffffffULL },
	{ "amomax.d", op_amomax_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0x123456789abcdef0ULL },
	{ "amominu.w", op_amominu_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000003ULL },
	{ "amominu.w", op_amominu_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeef00000001ULL },
	{ "amominu.w", op_amominu_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeef00000000ULL },
	{ "amominu.w", op_amominu_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeef80000000ULL },
	{ "amominu.w", op_amominu_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeef76543210ULL },
	{ "amominu.d", op_amominu_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000003ULL },
	{ "amominu.d", op_amominu_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0x0000000000000001ULL },
	{ "amominu.d", op_amominu_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x7fffffffffffffffULL },
	{ "amominu.d", op_amominu_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x0000000080000000ULL },
	{ "amominu.d", op_amominu_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0x123456789abcdef0ULL },
	{ "amomaxu.w", op_amomaxu_w, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0xdeadbeef00000005ULL },
	{ "amomaxu.w", op_amomaxu_w, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xdeadbeeffffffffeULL },
	{ "amomaxu.w", op_amomaxu_w, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x0000000000000000ULL, 0xdeadbeefffffffffULL },
	{ "amomaxu.w", op_amomaxu_w, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0xffffffffffffffffULL, 0xdeadbeefffffffffULL },
	{ "amomaxu.w", op_amomaxu_w, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0xffffffff9abcdef0ULL, 0xdeadbeef9abcdef0ULL },
	{ "amomaxu.d", op_amomaxu_d, 0x0000000000000005ULL, 0x0000000000000003ULL, 0x0000000000000005ULL, 0x0000000000000005ULL },
	{ "amomaxu.d", op_amomaxu_d, 0xfffffffffffffffeULL, 0x0000000000000001ULL, 0xfffffffffffffffeULL, 0xfffffffffffffffeULL },
	{ "amomaxu.d", op_amomaxu_d, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x8000000000000000ULL },
	{ "amomaxu.d", op_amomaxu_d, 0x00000000ffffffffULL, 0x0000000080000000ULL, 0x00000000ffffffffULL, 0x00000000ffffffffULL },
	{ "amomaxu.d", op_amomaxu_d, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL },
};

static void amo_vectors(void)
{
	int n = sizeof(vecs) / sizeof(vecs[0]);
	for (int i = 0; i < n; i++) {
		const struct amo_vec *v = &vecs[i];
		int w = v->name[strlen(v->name) - 1] == 'w';
		cell[1] = w ? (0xdeadbeefULL << 32) | (v->mem & 0xffffffffULL) : v->mem;
		uint64_t rd = v->fn(&cell[1], v->src);
		uint64_t after = cell[1];
		int ok = rd == v->rd && after == v->after;
		rt_checks_total++;
		printf("%-10s mem=%016lx src=%016lx -> rd=%016lx mem=%016lx%s\n",
		       v->name, v->mem, v->src, rd, after, ok ? "" : " FAIL");
		if (!ok) {
			rt_checks_failed++;
			printf("  expected rd=%016lx mem=%016lx\n", v->rd, v->after);
		}
	}
}

static void amo_variants(void)
{
	uint64_t r;
	cell[0] = 10;
	__asm__ volatile("amoadd.d.aq %0, %2, (%1)" : "=r"(r) : "r"(&cell[0]), "r"(1UL) : "memory");
	__asm__ volatile("amoadd.d.rl %0, %2, (%1)" : "=r"(r) : "r"(&cell[0]), "r"(1UL) : "memory");
	__asm__ volatile("amoadd.d.aqrl %0, %2, (%1)" : "=r"(r) : "r"(&cell[0]), "r"(1UL) : "memory");
	rt_check("amoadd.d aq/rl/aqrl: last old value", r, 12);
	__asm__ volatile("amoadd.d x0, %1, (%0)" :: "r"(&cell[0]), "r"(5UL) : "memory");
	rt_check("amoadd.d rd=x0 still writes memory", cell[0], 18);
	/* the upper word of an aligned .w target in the upper half */
	cell[0] = 0x00000001fffffffeULL;
	__asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(r) : "r"((char *)&cell[0] + 4), "r"(0x7fffffffUL) : "memory");
	rt_check("amoadd.w on upper word: rd", r, 1);
	rt_check("amoadd.w on upper word: mem", cell[0], 0x80000000fffffffeULL);
}

static uint64_t lr_d(volatile uint64_t *p)
{
	uint64_t r;
	__asm__ volatile("lr.d %0, (%1)" : "=r"(r) : "r"(p) : "memory");
	return r;
}

static uint64_t sc_d(volatile uint64_t *p, uint64_t v)
{
	uint64_t r;
	__asm__ volatile("sc.d %0, %2, (%1)" : "=r"(r) : "r"(p), "r"(v) : "memory");
	return r;
}

static void lrsc(void)
{
	uint64_t r, s;
	/* success */
	cell[0] = 100;
	__asm__ volatile("lr.d %0, (%2)\n\t"
			 "addi %0, %0, 1\n\t"
			 "sc.d %1, %0, (%2)"
			 : "=&r"(r), "=&r"(s) : "r"(&cell[0]) : "memory");
	rt_check("lr.d/sc.d: sc result", s, 0);
	rt_check("lr.d/sc.d: memory", cell[0], 101);

	/* a second sc without a new lr fails: the first sc used up the reservation */
	s = sc_d(&cell[0], 555);
	rt_check_true("sc.d after sc.d fails (nonzero)", s != 0);
	rt_check("sc.d after sc.d: memory untouched", cell[0], 101);

	/* sc to an address outside the reservation set fails */
	cell[2] = 7;
	r = lr_d(&cell[0]);
	s = sc_d(&cell[2], 8);
	rt_check_true("sc.d to another address fails", s != 0);
	rt_check("sc.d to another address: memory untouched", cell[2], 7);
	s = sc_d(&cell[0], 9);
	rt_check_true("sc.d after a failed sc fails", s != 0);

	/* lr.w sign-extends, sc.w writes one word */
	cell[1] = 0x1111111180000000ULL;
	uint64_t w;
	__asm__ volatile("lr.w %0, (%2)\n\t"
			 "sc.w %1, %3, (%2)"
			 : "=&r"(w), "=&r"(s) : "r"(&cell[1]), "r"(0x1234567876543210UL) : "memory");
	rt_check("lr.w sign-extends", w, 0xffffffff80000000ULL);
	rt_check("sc.w result", s, 0);
	rt_check("sc.w memory (one word)", cell[1], 0x1111111176543210ULL);

	/* aq/rl forms */
	__asm__ volatile("lr.d.aq %0, (%2)\n\t"
			 "sc.d.rl %1, %0, (%2)"
			 : "=&r"(r), "=&r"(s) : "r"(&cell[1]) : "memory");
	rt_check("lr.d.aq/sc.d.rl result", s, 0);
	__asm__ volatile("lr.w.aqrl %0, (%2)\n\t"
			 "sc.w.aqrl %1, %0, (%2)"
			 : "=&r"(r), "=&r"(s) : "r"(&cell[1]) : "memory");
	rt_check("lr.w.aqrl/sc.w.aqrl result", s, 0);
}

static void misaligned(void)
{
	char *p = (char *)&cell[0] + 2;
	uint64_t r;
	cell[0] = 0;
	rt_catch();
	__asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(r) : "r"(p), "r"(1UL) : "memory");
	rt_check_true("misaligned amoadd.w traps", rt_catch_end());
	rt_check_true("  cause is address misaligned (QEMU 4, spec 6)",
		      rt_caught.cause == EXC_STORE_MISALIGNED || rt_caught.cause == EXC_LOAD_MISALIGNED);
	rt_check("  tval == address", rt_caught.tval == (uint64_t)p, 1);
	rt_check("  memory untouched", cell[0], 0);

	p = (char *)&cell[0] + 4;
	rt_catch();
	__asm__ volatile("amoswap.d %0, %2, (%1)" : "=r"(r) : "r"(p), "r"(1UL) : "memory");
	rt_check_true("misaligned amoswap.d traps", rt_catch_end());
	rt_check_true("  cause is address misaligned (QEMU 4, spec 6)",
		      rt_caught.cause == EXC_STORE_MISALIGNED || rt_caught.cause == EXC_LOAD_MISALIGNED);
	rt_check("  tval == address", rt_caught.tval == (uint64_t)p, 1);

	rt_catch();
	__asm__ volatile("lr.d %0, (%1)" : "=r"(r) : "r"(p) : "memory");
	rt_check_true("misaligned lr.d traps", rt_catch_end());
	rt_check("  cause", rt_caught.cause, EXC_LOAD_MISALIGNED);
	rt_check("  tval == address", rt_caught.tval == (uint64_t)p, 1);

}

int main(void)
{
	printf("rv64a: AMOs, LR/SC\n");
	amo_vectors();
	amo_variants();
	lrsc();
	misaligned();
	return rt_summary();
}
