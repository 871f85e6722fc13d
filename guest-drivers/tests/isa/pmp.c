/*
 * pmp: physical memory protection for S and U. A TOR region with no
 * permission, a NAPOT region with R only, an NA4 word with none, and a
 * NAPOT catch-all with RWX; U and S loads, stores and fetches get access
 * faults (causes 5, 7, 1, tval = the address), M is not affected by
 * unlocked entries; the lowest-numbered matching entry wins; under paging
 * PMP checks the physical address and the fault is an access fault with
 * tval = the virtual address; a locked entry applies to M and ignores
 * writes. pmpaddr read-back values are not printed (QEMU 7.2 keeps all 64
 * bits, the spec has 54).
 */
#include "runtime.h"

static uint8_t region[3 * 4096] __attribute__((aligned(4096)));
#define A ((uint64_t)&region[0])
#define B ((uint64_t)&region[4096])
#define C ((uint64_t)&region[8192])

#define CFG_R 1
#define CFG_W 2
#define CFG_X 4
#define CFG_TOR (1 << 3)
#define CFG_NA4 (2 << 3)
#define CFG_NAPOT (3 << 3)
#define CFG_L 0x80

static void set_pmp(void)
{
	csr_write(CSR_PMPCFG0, 0);
	csr_write(0x3b0, A >> 2);				/* entry 0: OFF, TOR base */
	csr_write(0x3b1, (A + 4096) >> 2);			/* entry 1: TOR [A, A+4K) none */
	csr_write(0x3b2, (B >> 2) | 0x1ff);			/* entry 2: NAPOT 4K at B, R */
	csr_write(0x3b3, C >> 2);				/* entry 3: NA4 at C, none */
	csr_write(0x3b4, (C >> 2) | 0x1ff);			/* entry 4: NAPOT 4K at C, RW (C+4..) */
	csr_write(0x3b5, -1UL);					/* entry 5: NAPOT everything, RWX */
	uint64_t cfg = ((uint64_t)CFG_TOR << 8) |
		       ((uint64_t)(CFG_NAPOT | CFG_R) << 16) |
		       ((uint64_t)CFG_NA4 << 24) |
		       ((uint64_t)(CFG_NAPOT | CFG_R | CFG_W) << 32) |
		       ((uint64_t)(CFG_NAPOT | CFG_R | CFG_W | CFG_X) << 40);
	csr_write(CSR_PMPCFG0, cfg);
	rt_check("pmpcfg0 reads back", csr_read(CSR_PMPCFG0), cfg);
	rt_sfence_vma();
}

static long s_access(long which);
RT_USER static long u_access(long which)
{
	uint64_t addr = (uint64_t)which & ~0xfUL, v = 0;
	int op = which & 0xf;
	if (op == 0)
		__asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
	else if (op == 1)
		__asm__ volatile("sd %0, 0(%1)" :: "r"(0x1234UL), "r"(addr) : "memory");
	else if (op == 2)
		v = ((long (*)(void))addr)();
	else if (op == 3)
		__asm__ volatile("lw %0, 4(%1)" : "=r"(v) : "r"(addr) : "memory");
	return (long)v;
}

static long s_access(long which)
{
	uint64_t addr = (uint64_t)which & ~0xfUL, v = 0;
	int op = which & 0xf;
	if (op == 0)
		__asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
	else if (op == 1)
		__asm__ volatile("sd %0, 0(%1)" :: "r"(0x1234UL), "r"(addr) : "memory");
	else if (op == 2)
		v = ((long (*)(void))addr)();
	else if (op == 3)
		__asm__ volatile("lw %0, 4(%1)" : "=r"(v) : "r"(addr) : "memory");
	return (long)v;
}

static const char *const opname[] = { "load", "store", "fetch", "load +4" };

static void try(int mode, const char *rname, uint64_t addr, int op, uint64_t cause, uint64_t tval)
{
	rt_catch();
	rt_run_mode(mode, mode == RT_MODE_U ? u_access : s_access, (long)(addr | op));
	int t = rt_catch_end();
	printf("%c %s %s: %s", mode == RT_MODE_U ? 'U' : 'S', opname[op], rname, t ? "fault" : "ok");
	if (t)
		printf(" cause=%lu tval=%s", rt_caught.cause,
		       rt_caught.tval == tval ? "addr" : "OTHER");
	int good = cause ? (t && rt_caught.cause == cause && rt_caught.tval == tval) : !t;
	rt_check_true("", good);
}

static void lower_modes(void)
{
	/* code in B and C for the fetch tests: li a0, 1; ret */
	((uint32_t *)B)[0] = 0x00100513;
	((uint32_t *)B)[1] = 0x00008067;
	((uint32_t *)C)[0] = 0x00100513;
	((uint32_t *)C)[1] = 0x00008067;
	rt_fence_i();
	set_pmp();
	for (int mode = 0; mode <= 1; mode++) {
		try(mode, "TOR none", A + 0x100, 0, EXC_LOAD_ACCESS, A + 0x100);
		try(mode, "TOR none", A + 0x200, 1, EXC_STORE_ACCESS, A + 0x200);
		try(mode, "TOR none", A + 0xff0, 2, EXC_INSN_ACCESS, A + 0xff0);
		try(mode, "NAPOT R", B + 0x10, 0, 0, 0);
		try(mode, "NAPOT R", B + 0x20, 1, EXC_STORE_ACCESS, B + 0x20);
		try(mode, "NAPOT R", B, 2, EXC_INSN_ACCESS, B);
		try(mode, "NA4 none", C, 0, EXC_LOAD_ACCESS, C);
		try(mode, "NA4 none, word after", C, 3, 0, 0);
		try(mode, "NAPOT RW after NA4", C + 0x40, 1, 0, 0);
		try(mode, "NA4 then NAPOT RW (no X)", C, 2, EXC_INSN_ACCESS, C);
	}
	/* the TOR range ends at A + 4K: B's first word is governed by entry 2 */
	try(RT_MODE_U, "first word after TOR top", B, 0, 0, 0);

	rt_catch();
	*(volatile uint64_t *)(A + 8) = 5;
	uint64_t v = *(volatile uint64_t *)(A + 8);
	*(volatile uint64_t *)(B + 8) = 6;
	rt_check_true("M ignores unlocked entries", !rt_catch_end() && v == 5 && *(volatile uint64_t *)(B + 8) == 6);
}

/* paging: VA 0x40000000 maps to A; the PMP denies A */
static struct rt_pt pt;

static void paging(void)
{
	rt_pt_init(&pt, 3);
	rt_pt_identity(&pt);
	rt_pt_map(&pt, 0x40000000UL, A, 0, PTE_R | PTE_W | PTE_A | PTE_D);
	csr_write(CSR_SATP, rt_pt_satp(&pt, 0));
	rt_sfence_vma();
	rt_catch();
	rt_run_mode(RT_MODE_S, s_access, (long)(0x40000000UL | 0x30 | 0));
	int t = rt_catch_end();
	printf("S load through VA mapped to a PMP-denied page: %s cause=%lu tval=%s", t ? "fault" : "ok",
	       rt_caught.cause, rt_caught.tval == 0x40000030UL ? "VA" : rt_caught.tval == A + 0x30 ? "PA" : "OTHER");
	rt_check_true("", t && rt_caught.cause == EXC_LOAD_ACCESS && rt_caught.tval == 0x40000030UL);
	csr_write(CSR_SATP, 0);
	rt_sfence_vma();
}

static void locked(void)
{
	/* entry 3 (the NA4 word at C) locked with R only: now M too */
	uint64_t cfg = csr_read(CSR_PMPCFG0);
	cfg &= ~(0xffUL << 24);
	cfg |= (uint64_t)(CFG_L | CFG_NA4 | CFG_R) << 24;
	csr_write(CSR_PMPCFG0, cfg);
	rt_catch();
	uint64_t v = *(volatile uint32_t *)C;
	rt_check_true("M load of a locked R entry: ok", !rt_catch_end());
	(void)v;
	rt_catch();
	*(volatile uint32_t *)C = 1;
	int t = rt_catch_end();
	printf("M store to a locked R entry: %s cause=%lu", t ? "fault" : "ok", rt_caught.cause);
	rt_check_true("", t && rt_caught.cause == EXC_STORE_ACCESS && rt_caught.tval == C);
	/* writes to a locked entry's cfg byte and address are ignored */
	csr_write(CSR_PMPCFG0, cfg & ~(0xffUL << 24));
	rt_check("locked cfg byte unchanged", (csr_read(CSR_PMPCFG0) >> 24) & 0xff, CFG_L | CFG_NA4 | CFG_R);
	uint64_t before = csr_read(0x3b3);
	csr_write(0x3b3, 0);
	rt_check_true("locked pmpaddr3 unchanged", csr_read(0x3b3) == before);
}

int main(void)
{
	printf("pmp: physical memory protection\n");
	lower_modes();
	paging();
	locked();
	return rt_summary();
}
