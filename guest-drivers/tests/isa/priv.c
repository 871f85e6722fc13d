/*
 * priv: privilege modes without paging. M -> S -> M and M -> U -> M,
 * ecall cause per mode (8/9/11) with mepc = the ecall, MPP/SPP/xPIE after
 * traps, mret/sret stack rules (MIE = MPIE, MPIE = 1, MPP = U; MPRV kept
 * when returning to M; clearing MPRV when leaving M is not tested because
 * QEMU 7.2 does not do it), medeleg delegation to S (ecall from U, illegal
 * instruction from U and S, breakpoints; never for traps taken in M),
 * illegal instruction mtval (32- and 16-bit encodings, zero-extended),
 * mret/sret/wfi privilege (mret in S/U, sret in U, wfi in U: illegal),
 * TSR (sret in S), TW (wfi in S), TVM (satp and sfence.vma in S).
 */
#include "runtime.h"

static int last_cause_is(uint64_t cause, int handler)
{
	return rt_caught.taken && rt_caught.cause == cause && rt_caught.handler == handler;
}

/* ---------------------------------------------------------------- basics */

static long ret_arg_plus_one(long x) { return x + 1; }
RT_USER static long user_ret_arg_times_two(long x) { return x * 2; }

static void report(const char *what)
{
	printf("%s: taken=%d handler=%c from=%d cause=%lu tval=0x%lx\n", what, rt_caught.taken,
	       rt_caught.handler == RT_MODE_M ? 'M' : 'S', rt_caught.from, rt_caught.cause, rt_caught.tval);
}

extern char ecall_s_site[], ecall_u_site[];

static long s_ecall(long arg)
{
	(void)arg;
	rt_catch();
	__asm__ volatile(".globl ecall_s_site\necall_s_site: ecall" ::: "memory");
	rt_catch_end();
	return 0;
}

RT_USER static long u_ecall(long arg)
{
	(void)arg;
	__asm__ volatile(".globl ecall_u_site\necall_u_site: ecall" ::: "memory");
	return 0;
}

static void transitions(void)
{
	rt_check("M -> S -> M returns value", rt_run_mode(RT_MODE_S, ret_arg_plus_one, 41), 42);
	rt_check("M -> U -> M returns value", rt_run_mode(RT_MODE_U, user_ret_arg_times_two, 21), 42);

	rt_run_mode(RT_MODE_S, s_ecall, 0);
	report("ecall in S");
	rt_check_true("  cause 9 in M", last_cause_is(EXC_ECALL_S, RT_MODE_M));
	rt_check_true("  mepc = the ecall", rt_caught.epc == (uint64_t)ecall_s_site);
	rt_check("  MPP", (rt_caught.status & MSTATUS_MPP) >> 11, 1);

	rt_catch();
	rt_run_mode(RT_MODE_U, u_ecall, 0);
	report("ecall in U");
	rt_check_true("  cause 8 in M", last_cause_is(EXC_ECALL_U, RT_MODE_M));
	rt_check_true("  mepc = the ecall", rt_caught.epc == (uint64_t)ecall_u_site);
	rt_check("  MPP", (rt_caught.status & MSTATUS_MPP) >> 11, 0);

	rt_catch();
	__asm__ volatile("ecall" ::: "memory");
	rt_catch_end();
	report("ecall in M");
	rt_check_true("  cause 11 in M", last_cause_is(EXC_ECALL_M, RT_MODE_M));
	rt_check("  MPP", (rt_caught.status & MSTATUS_MPP) >> 11, 3);
}

/* mret/sret state rules */
static uint64_t do_mret_to_m(uint64_t set, uint64_t clear)
{
	uint64_t st;
	csr_clear(CSR_MSTATUS, clear);
	csr_set(CSR_MSTATUS, set);
	__asm__ volatile("la t0, 1f\n\tcsrw mepc, t0\n\tmret\n1:\tcsrr %0, mstatus" : "=r"(st) :: "t0", "memory");
	return st;
}

static long s_sret_rules(long arg)
{
	(void)arg;
	uint64_t st;
	/* SPP = S, SPIE = 1, SIE = 0 -> after sret: SIE = 1, SPIE = 1, SPP = U */
	csr_clear(CSR_SSTATUS, MSTATUS_SIE);
	csr_set(CSR_SSTATUS, MSTATUS_SPP | MSTATUS_SPIE);
	__asm__ volatile("la t0, 1f\n\tcsrw sepc, t0\n\tsret\n1:\tcsrr %0, sstatus" : "=r"(st) :: "t0", "memory");
	long r = (long)(st & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP));
	csr_clear(CSR_SSTATUS, MSTATUS_SIE);
	/* SPIE = 0 -> SIE = 0, SPIE = 1 */
	csr_set(CSR_SSTATUS, MSTATUS_SPP | MSTATUS_SIE);
	csr_clear(CSR_SSTATUS, MSTATUS_SPIE);
	__asm__ volatile("la t0, 1f\n\tcsrw sepc, t0\n\tsret\n1:\tcsrr %0, sstatus" : "=r"(st) :: "t0", "memory");
	r |= (long)(st & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP)) << 16;
	return r;
}

static void xret_rules(void)
{
	uint64_t st = do_mret_to_m(MSTATUS_MPP | MSTATUS_MPIE, MSTATUS_MIE);
	rt_check("mret M->M with MPIE=1: MIE", (st & MSTATUS_MIE) != 0, 1);
	rt_check("  MPIE", (st & MSTATUS_MPIE) != 0, 1);
	rt_check("  MPP (least privileged = U)", (st & MSTATUS_MPP) >> 11, 0);
	csr_clear(CSR_MSTATUS, MSTATUS_MIE);
	st = do_mret_to_m(MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPRV, MSTATUS_MPIE);
	rt_check("mret M->M with MPIE=0: MIE", (st & MSTATUS_MIE) != 0, 0);
	rt_check("  MPIE", (st & MSTATUS_MPIE) != 0, 1);
	rt_check("  MPRV kept (returning to M)", (st & MSTATUS_MPRV) != 0, 1);
	csr_clear(CSR_MSTATUS, MSTATUS_MPRV | MSTATUS_MIE);

	/* The spec (1.12) has mret/sret to a mode below M clear MPRV; QEMU 7.2
	 * does not (fixed in QEMU 8.0), so that is not tested. pvkit should
	 * clear it. */

	long r = rt_run_mode(RT_MODE_S, s_sret_rules, 0);
	rt_check("sret S->S with SPIE=1: SIE|SPIE|SPP", r & 0xffff, MSTATUS_SIE | MSTATUS_SPIE);
	rt_check("sret S->S with SPIE=0: SIE|SPIE|SPP", (r >> 16) & 0xffff, MSTATUS_SPIE);
}

/* ------------------------------------------------------------ delegation */

RT_USER static long u_illegal(long arg)
{
	(void)arg;
	__asm__ volatile(".word 0xfe000033" ::: "memory");	/* add with funct7 = 0x7f */
	return 0;
}

RT_USER static long u_ebreak(long arg)
{
	(void)arg;
	__asm__ volatile(".option push\n\t.option norvc\n\tebreak\n\t.option pop" ::: "memory");
	return 0;
}

RT_USER static long u_ecall_plain(long arg)
{
	register long a7 __asm__("a7") = 0;
	register long a0 __asm__("a0") = arg;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

static volatile uint64_t s_seen_status;

static long s_deleg(long arg)
{
	long bad = 0;
	(void)arg;
	rt_catch();
	rt_srun_user(u_ecall_plain, 5);
	report("  U ecall (medeleg[8])");
	bad |= !last_cause_is(EXC_ECALL_U, RT_MODE_S);
	bad |= (rt_caught.status & MSTATUS_SPP) != 0;
	rt_catch();
	rt_srun_user(u_illegal, 0);
	report("  U illegal (medeleg[2])");
	bad |= !last_cause_is(EXC_ILLEGAL, RT_MODE_S) || rt_caught.tval != 0xfe000033;
	rt_catch();
	rt_srun_user(u_ebreak, 0);
	report("  U ebreak (medeleg[3])");
	bad |= !last_cause_is(EXC_BREAKPOINT, RT_MODE_S);
	rt_catch();
	__asm__ volatile(".word 0xfe000033" ::: "memory");
	rt_catch_end();
	report("  S illegal (medeleg[2])");
	bad |= !last_cause_is(EXC_ILLEGAL, RT_MODE_S) || rt_caught.tval != 0xfe000033;
	bad |= (rt_caught.status & MSTATUS_SPP) == 0;
	rt_catch();
	__asm__ volatile("ecall" ::: "memory");
	rt_catch_end();
	report("  S ecall (not delegated)");
	bad |= !last_cause_is(EXC_ECALL_S, RT_MODE_M);
	return bad;
}

static void delegation(void)
{
	csr_write(CSR_STVEC, (uint64_t)rt_strap_entry);
	csr_write(CSR_MEDELEG, (1 << EXC_ECALL_U) | (1 << EXC_ILLEGAL) | (1 << EXC_BREAKPOINT));
	printf("delegation:\n");
	rt_check("delegated traps go to S", rt_run_mode(RT_MODE_S, s_deleg, 0), 0);
	rt_catch();
	__asm__ volatile(".word 0xfe000033" ::: "memory");
	rt_catch_end();
	report("  M illegal with medeleg[2] set");
	rt_check_true("  taken in M", last_cause_is(EXC_ILLEGAL, RT_MODE_M));
	csr_write(CSR_MEDELEG, 0);
}

/* -------------------------------------------------- illegal instructions */

static void illegal(void)
{
	static const struct { const char *name; uint32_t word; int len; } cases[] = {
		{ "custom-0 opcode", 0x0000000b, 4 },
		{ "OP funct7=0x7f", 0xfe000033, 4 },
		{ "LOAD funct3=7", 0x00007003, 4 },
		{ "all-zero 16-bit", 0x0000, 2 },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rt_catch();
		if (cases[i].len == 4)
			__asm__ volatile("mv t0, %0\n\tla t1, 1f\n\tsw t0, 0(t1)\n\tfence.i\n\t"
					 ".option push\n\t.option norvc\n\t1: nop\n\t.option pop"
					 :: "r"((uint64_t)cases[i].word) : "t0", "t1", "memory");
		else
			__asm__ volatile(".2byte 0" ::: "memory");
		int t = rt_catch_end();
		printf("%s: ", cases[i].name);
		rt_check_true("illegal", t && rt_caught.cause == EXC_ILLEGAL);
		rt_check("  mtval", rt_caught.tval, cases[i].word);
	}
}

/* the 32-bit forms with known bits */
#define TRAPS(insn) ({ rt_catch(); __asm__ volatile(".option push\n\t.option norvc\n\t" insn "\n\t.option pop" ::: "memory"); rt_catch_end(); })

static long s_priv_insns(long arg)
{
	long bad = 0;
	(void)arg;
	int t = TRAPS("mret");
	report("  mret in S");
	bad |= !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x30200073);

	csr_write(CSR_SATP, 0);
	rt_catch();
	(void)csr_read(CSR_SATP);
	t = rt_catch_end();
	printf("  satp in S with TVM=0: %s\n", t ? "trap" : "no trap");
	bad |= t;
	t = TRAPS("sfence.vma");
	printf("  sfence.vma in S with TVM=0: %s\n", t ? "trap" : "no trap");
	bad |= t;
	return bad;
}

static long s_tvm(long arg)
{
	long bad = 0;
	(void)arg;
	int t = TRAPS("csrr a0, satp");
	report("  csrr satp in S with TVM=1");
	bad |= !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x18002573);
	t = TRAPS("csrw satp, zero");
	report("  csrw satp in S with TVM=1");
	bad |= !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x18001073);
	t = TRAPS("sfence.vma");
	report("  sfence.vma in S with TVM=1");
	bad |= !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x12000073);
	return bad;
}

static long s_tsr(long arg)
{
	(void)arg;
	int t = TRAPS("sret");
	report("  sret in S with TSR=1");
	return !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x10200073);
}

static long s_tw(long arg)
{
	(void)arg;
	int t = TRAPS("wfi");
	report("  wfi in S with TW=1");
	return !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x10500073);
}

RT_USER static long u_probe(long which)
{
	/* U code cannot call rt_catch (its data is not in the user region);
	 * the M-mode catcher is armed by the caller */
	switch (which) {
	case 0: __asm__ volatile(".option push\n\t.option norvc\n\tmret\n\t.option pop" ::: "memory"); break;
	case 1: __asm__ volatile(".option push\n\t.option norvc\n\tsret\n\t.option pop" ::: "memory"); break;
	case 2: __asm__ volatile(".option push\n\t.option norvc\n\twfi\n\t.option pop" ::: "memory"); break;
	case 3: __asm__ volatile(".option push\n\t.option norvc\n\tsfence.vma\n\t.option pop" ::: "memory"); break;
	}
	return 0;
}

static void privileged_insns(void)
{
	printf("privileged instructions:\n");
	rt_check("S: mret illegal, satp/sfence.vma ok", rt_run_mode(RT_MODE_S, s_priv_insns, 0), 0);
	csr_set(CSR_MSTATUS, MSTATUS_TVM);
	rt_check("S with TVM", rt_run_mode(RT_MODE_S, s_tvm, 0), 0);
	csr_clear(CSR_MSTATUS, MSTATUS_TVM);
	csr_set(CSR_MSTATUS, MSTATUS_TSR);
	rt_check("S with TSR", rt_run_mode(RT_MODE_S, s_tsr, 0), 0);
	csr_clear(CSR_MSTATUS, MSTATUS_TSR);
	csr_set(CSR_MSTATUS, MSTATUS_TW);
	rt_check("S with TW", rt_run_mode(RT_MODE_S, s_tw, 0), 0);
	csr_clear(CSR_MSTATUS, MSTATUS_TW);

	static const char *const names[] = { "mret", "sret", "wfi", "sfence.vma" };
	static const uint32_t bits[] = { 0x30200073, 0x10200073, 0x10500073, 0x12000073 };
	for (int i = 0; i < 4; i++) {
		rt_catch();
		rt_run_mode(RT_MODE_U, u_probe, i);
		int t = rt_catch_end();
		printf("  %s in U: ", names[i]);
		rt_check_true("illegal", t && rt_caught.cause == EXC_ILLEGAL && rt_caught.from == RT_MODE_U);
		rt_check("    mtval", rt_caught.tval, bits[i]);
	}
}

int main(void)
{
	printf("priv: modes, traps, delegation, privileged instructions\n");
	transitions();
	xret_rules();
	delegation();
	illegal();
	privileged_insns();
	return rt_summary();
}
