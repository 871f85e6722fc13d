/*
 * vm_sv39: virtual memory (vm_sv48 builds the same file with 4 levels).
 * Translation through 4 KiB pages, 2 MiB and 1 GiB superpages (and 512 GiB
 * under Sv48), a misaligned superpage faults, page faults with the right
 * cause and tval for fetch/load/store (invalid PTE, missing permission,
 * W without R, non-canonical address), taken in M or, delegated through
 * medeleg, in S; U bit rules (U cannot touch S pages, S needs SUM for U
 * data and never executes U pages), MXR, hardware A/D update (checked in
 * the PTE), MPRV (M-mode loads through the S or U view), sfence.vma making
 * a PTE change visible, a satp write with an unsupported mode is ignored,
 * the instruction after `csrw satp` is fetched through the new table,
 * ASID bits.
 */
#include "runtime.h"

#ifndef LEVELS
#define LEVELS 3
#define NAME "vm_sv39"
#define SATP_MODE SATP_MODE_SV39
#define NONCANON 0x0000004000000000UL
#endif

#define VBASE     0x40000000UL
#define P_RW      (VBASE + 0x0000)
#define P_RO      (VBASE + 0x1000)
#define P_INV     (VBASE + 0x2000)
#define P_XO      (VBASE + 0x3000)
#define P_AD      (VBASE + 0x4000)
#define P_U       (VBASE + 0x5000)
#define P_WO      (VBASE + 0x6000)
#define P_UX      (VBASE + 0x7000)
#define P_SW      (VBASE + 0x10000)
#define MEGA      (VBASE + 0x200000)
#define MEGA_BAD  (VBASE + 0x400000)
#define MEGA_PA   0x83000000UL
#define GIGA      0xc0000000UL
#define TERA      0x8000000000UL
#define TERA_BAD  0x10000000000UL

static struct rt_pt pt, pt2;
static uint64_t *pa_rw, *pa_rw2, *pa_ro, *pa_ad, *pa_u, *pa_sw1, *pa_sw2;
static uint32_t *pa_xo, *pa_ux;
static uint64_t *pte_rw, *pte_ad;
static uint64_t satp1, satp2;

static volatile uint64_t known = 0x600dcafe12345678UL;

#define LD(addr) ({ uint64_t v_; __asm__ volatile("ld %0, 0(%1)" : "=r"(v_) : "r"(addr) : "memory"); v_; })
#define SD(addr, v) __asm__ volatile("sd %0, 0(%1)" :: "r"((uint64_t)(v)), "r"(addr) : "memory")

static void show(const char *what)
{
	printf("%s: %s", what, rt_caught.taken ? "fault" : "no fault");
	if (rt_caught.taken)
		printf(" cause=%lu tval=0x%lx in %c", rt_caught.cause, rt_caught.tval,
		       rt_caught.handler == RT_MODE_M ? 'M' : 'S');
	printf("\n");
}

static int expect_fault(const char *what, uint64_t cause, uint64_t tval, int handler)
{
	show(what);
	return !(rt_caught.taken && rt_caught.cause == cause && rt_caught.tval == tval &&
		 rt_caught.handler == handler);
}

static int expect_ok(const char *what)
{
	show(what);
	return rt_caught.taken;
}

static void setup(void)
{
	rt_pt_init(&pt, LEVELS);
	rt_pt_identity(&pt);
	uint64_t ad = PTE_A | PTE_D;
	pa_rw = rt_alloc_page();
	pa_rw2 = rt_alloc_page();
	pa_ro = rt_alloc_page();
	pa_xo = rt_alloc_page();
	pa_ad = rt_alloc_page();
	pa_u = rt_alloc_page();
	pa_ux = rt_alloc_page();
	pa_rw[0] = 0x1111111111111111UL;
	pa_rw2[0] = 0x2222222222222222UL;
	pa_ro[0] = 0x3333333333333333UL;
	pa_ad[0] = 0x4444444444444444UL;
	pa_u[0] = 0x5555555555555555UL;
	/* li a0, 0x55; ret */
	pa_xo[0] = 0x05500513;
	pa_xo[1] = 0x00008067;
	pa_ux[0] = 0x06600513;	/* li a0, 0x66 */
	pa_ux[1] = 0x00008067;
	pte_rw = rt_pt_map(&pt, P_RW, (uint64_t)pa_rw, 0, PTE_R | PTE_W | ad);
	rt_pt_map(&pt, P_RO, (uint64_t)pa_ro, 0, PTE_R | ad);
	rt_pt_map(&pt, P_XO, (uint64_t)pa_xo, 0, PTE_X | ad);
	pte_ad = rt_pt_map(&pt, P_AD, (uint64_t)pa_ad, 0, PTE_R | PTE_W);
	rt_pt_map(&pt, P_U, (uint64_t)pa_u, 0, PTE_R | PTE_W | PTE_U | ad);
	rt_pt_map(&pt, P_UX, (uint64_t)pa_ux, 0, PTE_X | PTE_U | ad);
	rt_pt_map(&pt, P_WO, (uint64_t)pa_rw, 0, PTE_W | ad);
	*(uint64_t *)(MEGA_PA + 0x1008) = 0x6666666666666666UL;
	rt_pt_map(&pt, MEGA, MEGA_PA, 1, PTE_R | PTE_W | ad);
	rt_pt_map(&pt, MEGA_BAD, MEGA_PA + 0x1000, 1, PTE_R | PTE_W | ad);
	rt_pt_map(&pt, GIGA, 0x80000000UL, 2, PTE_R | ad);
#if LEVELS == 4
	rt_pt_map(&pt, TERA, 0, 3, PTE_R | ad);
	rt_pt_map(&pt, TERA_BAD, 0x40000000UL, 3, PTE_R | ad);
#endif
	/* P_INV stays invalid: an explicit PTE with V = 0 */
	uint64_t *inv = rt_pt_map(&pt, P_INV, (uint64_t)pa_rw, 0, PTE_R | PTE_W | ad);
	*inv &= ~PTE_V;

	/* Two tables that differ only in what P_SW maps to: code that
	 * switches satp and then returns 1 or 2 depending on the table the
	 * next instruction was fetched through. */
	rt_pt_init(&pt2, LEVELS);
	rt_pt_identity(&pt2);
	pa_sw1 = rt_alloc_page();
	pa_sw2 = rt_alloc_page();
	uint32_t *c1 = (uint32_t *)pa_sw1, *c2 = (uint32_t *)pa_sw2;
	c1[0] = 0x18051073;	/* csrw satp, a0 */
	c1[1] = 0x00100513;	/* li a0, 1 */
	c1[2] = 0x00008067;	/* ret */
	c2[0] = 0x18051073;
	c2[1] = 0x00200513;	/* li a0, 2 */
	c2[2] = 0x00008067;
	rt_pt_map(&pt, P_SW, (uint64_t)pa_sw1, 0, PTE_X | PTE_R | ad);
	rt_pt_map(&pt2, P_SW, (uint64_t)pa_sw2, 0, PTE_X | PTE_R | ad);
	rt_fence_i();
	satp1 = rt_pt_satp(&pt, 1);
	satp2 = rt_pt_satp(&pt2, 2);
}

/* ------------------------------------------------------------ S-mode part */

static long s_basic(long arg)
{
	long bad = 0;
	int handler = arg ? RT_MODE_S : RT_MODE_M;
	uint64_t v;

	rt_catch();
	v = LD(P_RW);
	rt_catch_end();
	bad |= expect_ok("S load 4K RW page") || v != 0x1111111111111111UL;
	printf("  value 0x%lx\n", v);
	rt_catch();
	SD(P_RW + 8, 0xabcdUL);
	rt_catch_end();
	bad |= expect_ok("S store 4K RW page") || pa_rw[1] != 0xabcd;

	rt_catch();
	v = LD(MEGA + 0x1008);
	rt_catch_end();
	bad |= expect_ok("S load 2M page") || v != 0x6666666666666666UL;
	printf("  value 0x%lx\n", v);
	rt_catch();
	v = LD(GIGA + ((uint64_t)&known - 0x80000000UL));
	rt_catch_end();
	bad |= expect_ok("S load 1G page alias of RAM") || v != known;
#if LEVELS == 4
	rt_catch();
	v = LD(TERA + (uint64_t)&known);
	rt_catch_end();
	bad |= expect_ok("S load 512G page") || v != known;
	rt_catch();
	v = LD(TERA_BAD + 0x80);
	rt_catch_end();
	bad |= expect_fault("S load misaligned 512G page", EXC_LOAD_PAGE_FAULT, TERA_BAD + 0x80, handler);
#endif

	{
		printf("-- page faults taken in %s\n", arg ? "S (medeleg 12/13/15)" : "M");
		rt_catch();
		v = LD(P_INV + 0x10);
		rt_catch_end();
		bad |= expect_fault("S load invalid PTE", EXC_LOAD_PAGE_FAULT, P_INV + 0x10, handler);
		rt_catch();
		SD(P_INV + 0x18, 1);
		rt_catch_end();
		bad |= expect_fault("S store invalid PTE", EXC_STORE_PAGE_FAULT, P_INV + 0x18, handler);
		rt_catch();
		((long (*)(void))(P_INV + 0x20))();
		rt_catch_end();
		bad |= expect_fault("S fetch invalid PTE", EXC_INSN_PAGE_FAULT, P_INV + 0x20, handler);
		rt_catch();
		SD(P_RO, 1);
		rt_catch_end();
		bad |= expect_fault("S store read-only page", EXC_STORE_PAGE_FAULT, P_RO, handler);
		rt_catch();
		__asm__ volatile("amoadd.d x0, %0, (%1)" :: "r"(1UL), "r"(P_RO + 8) : "memory");
		rt_catch_end();
		bad |= expect_fault("S amoadd.d read-only page", EXC_STORE_PAGE_FAULT, P_RO + 8, handler);
		rt_catch();
		((long (*)(void))(P_RW))();
		rt_catch_end();
		bad |= expect_fault("S fetch non-X page", EXC_INSN_PAGE_FAULT, P_RW, handler);
		rt_catch();
		v = LD(P_WO);
		rt_catch_end();
		bad |= expect_fault("S load W-only PTE (reserved)", EXC_LOAD_PAGE_FAULT, P_WO, handler);
		rt_catch();
		SD(P_WO, 1);
		rt_catch_end();
		bad |= expect_fault("S store W-only PTE (reserved)", EXC_STORE_PAGE_FAULT, P_WO, handler);
		rt_catch();
		v = LD(MEGA_BAD + 0x40);
		rt_catch_end();
		bad |= expect_fault("S load misaligned 2M page", EXC_LOAD_PAGE_FAULT, MEGA_BAD + 0x40, handler);
		rt_catch();
		v = LD(NONCANON);
		rt_catch_end();
		bad |= expect_fault("S load non-canonical address", EXC_LOAD_PAGE_FAULT, NONCANON, handler);
		rt_catch();
		v = LD(VBASE + 0x7ff000);
		rt_catch_end();
		bad |= expect_fault("S load unmapped (no PTE)", EXC_LOAD_PAGE_FAULT, VBASE + 0x7ff000, handler);

		/* X-only page: fetch works, load needs MXR */
		rt_catch();
		v = ((long (*)(void))(P_XO))();
		rt_catch_end();
		bad |= expect_ok("S call X-only page") || v != 0x55;
		rt_catch();
		v = LD(P_XO);
		rt_catch_end();
		bad |= expect_fault("S load X-only page, MXR=0", EXC_LOAD_PAGE_FAULT, P_XO, handler);
		csr_set(CSR_SSTATUS, MSTATUS_MXR);
		rt_catch();
		v = LD(P_XO);
		rt_catch_end();
		bad |= expect_ok("S load X-only page, MXR=1") || v != 0x0000806705500513UL;
		csr_clear(CSR_SSTATUS, MSTATUS_MXR);

		/* U pages from S */
		rt_catch();
		v = LD(P_U);
		rt_catch_end();
		bad |= expect_fault("S load U page, SUM=0", EXC_LOAD_PAGE_FAULT, P_U, handler);
		csr_set(CSR_SSTATUS, MSTATUS_SUM);
		rt_catch();
		v = LD(P_U);
		rt_catch_end();
		bad |= expect_ok("S load U page, SUM=1") || v != 0x5555555555555555UL;
		rt_catch();
		((long (*)(void))(P_UX))();
		rt_catch_end();
		bad |= expect_fault("S fetch U page, SUM=1", EXC_INSN_PAGE_FAULT, P_UX, handler);
		csr_clear(CSR_SSTATUS, MSTATUS_SUM);
	}
	return bad;
}

/* hardware A/D update, sfence.vma, unsupported satp mode, next fetch
 * after csrw satp */
static long s_pte_updates(long arg)
{
	(void)arg;
	long bad = 0;
	uint64_t v;
	printf("PTE A/D before access: A=%lu D=%lu\n", (*pte_ad >> 6) & 1, (*pte_ad >> 7) & 1);
	v = LD(P_AD);
	printf("after load: A=%lu D=%lu value 0x%lx\n", (*pte_ad >> 6) & 1, (*pte_ad >> 7) & 1, v);
	bad |= ((*pte_ad >> 6) & 3) != 1 || v != 0x4444444444444444UL;
	SD(P_AD + 8, 7);
	printf("after store: A=%lu D=%lu\n", (*pte_ad >> 6) & 1, (*pte_ad >> 7) & 1);
	bad |= ((*pte_ad >> 6) & 3) != 3;

	/* remap P_RW to the second page; after sfence.vma the new one is seen */
	v = LD(P_RW);
	*pte_rw = (((uint64_t)pa_rw2 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	rt_sfence_vma();
	v = LD(P_RW);
	printf("after PTE change + sfence.vma: 0x%lx\n", v);
	bad |= v != 0x2222222222222222UL;
	*pte_rw = (((uint64_t)pa_rw >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	__asm__ volatile("sfence.vma %0, zero" :: "r"(P_RW) : "memory");
	v = LD(P_RW);
	printf("after PTE change back + sfence.vma addr: 0x%lx\n", v);
	bad |= v != 0x1111111111111111UL;

	/* satp: unsupported modes leave it unchanged */
	uint64_t before = csr_read(CSR_SATP);
	uint64_t modes[] = { 1, 7, 11, 15 };
	for (int i = 0; i < 4; i++) {
		csr_write(CSR_SATP, (modes[i] << 60) | (before & ((1UL << 60) - 1)));
		uint64_t after = csr_read(CSR_SATP);
		printf("satp write with mode %lu: %s\n", modes[i], after == before ? "ignored" : "TAKEN");
		bad |= after != before;
		csr_write(CSR_SATP, before);
	}
	rt_sfence_vma();

	/* next fetch after csrw satp */
	long r = ((long (*)(uint64_t))P_SW)(satp2);
	printf("instruction after csrw satp came from table %ld\n", r);
	bad |= r != 2;
	csr_write(CSR_SATP, satp1);
	rt_sfence_vma();
	r = ((long (*)(uint64_t))P_SW)(satp2);
	printf("again: table %ld\n", r);
	bad |= r != 2;
	csr_write(CSR_SATP, satp1);
	rt_sfence_vma();
	return bad;
}

/* ------------------------------------------------------------ U-mode part */

RT_USER static long u_access(long which)
{
	uint64_t v = 0;
	switch (which) {
	case 0: v = LD(P_U); break;
	case 1: v = LD(P_RW); break;
	case 2: SD(P_RW, 1); break;
	case 3: v = ((long (*)(void))(P_RW))(); break;
	case 4: v = ((long (*)(void))(P_UX))(); break;
	case 5: v = LD(P_UX); break;
	}
	return (long)v;
}

static void user_part(void)
{
	static const char *const names[] = { "U load U page", "U load S page", "U store S page",
					     "U fetch S page", "U call U X-only page", "U load U X-only page" };
	static const uint64_t causes[] = { 0, EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT, EXC_INSN_PAGE_FAULT, 0,
					   EXC_LOAD_PAGE_FAULT };
	static const uint64_t tvals[] = { 0, P_RW, P_RW, P_RW, 0, P_UX };
	for (int i = 0; i < 6; i++) {
		rt_catch();
		long v = rt_run_mode(RT_MODE_U, u_access, i);
		rt_catch_end();
		show(names[i]);
		if (causes[i])
			rt_check_true("  as expected", rt_caught.taken && rt_caught.cause == causes[i] &&
							   rt_caught.tval == tvals[i] && rt_caught.from == RT_MODE_U);
		else
			rt_check("  value", (uint64_t)v, i == 0 ? 0x5555555555555555UL : 0x66);
	}
}

/* ------------------------------------------------------------ MPRV (M) */

static uint64_t mprv_load(uint64_t addr, uint64_t mpp)
{
	uint64_t v = 0, old;
	uint64_t bits = MSTATUS_MPRV | (mpp << 11);
	/* nothing but the load runs with MPRV set */
	__asm__ volatile("csrr %1, mstatus\n\t"
			 "csrc mstatus, %3\n\t"
			 "csrs mstatus, %2\n\t"
			 "ld %0, 0(%4)\n\t"
			 "csrw mstatus, %1"
			 : "+&r"(v), "=&r"(old)
			 : "r"(bits), "r"(MSTATUS_MPP | MSTATUS_MPRV), "r"(addr)
			 : "memory");
	return v;
}

static void mprv(void)
{
	csr_write(CSR_SATP, satp1);
	rt_sfence_vma();
	uint64_t v = mprv_load(P_RW, RT_MODE_S);
	rt_check("M load with MPRV=1, MPP=S through S table", v, 0x1111111111111111UL);
	rt_catch();
	v = mprv_load(P_U, RT_MODE_S);
	rt_catch_end();
	show("M load U page with MPRV=1, MPP=S, SUM=0");
	rt_check_true("  load page fault", rt_caught.taken && rt_caught.cause == EXC_LOAD_PAGE_FAULT &&
						  rt_caught.tval == P_U);
	v = mprv_load(P_U, RT_MODE_U);
	rt_check("M load U page with MPRV=1, MPP=U", v, 0x5555555555555555UL);
	rt_catch();
	v = mprv_load(P_RW, RT_MODE_U);
	rt_catch_end();
	show("M load S page with MPRV=1, MPP=U");
	rt_check_true("  load page fault", rt_caught.taken && rt_caught.cause == EXC_LOAD_PAGE_FAULT);
	v = mprv_load((uint64_t)&known, RT_MODE_M);
	rt_check("M load with MPRV=1, MPP=M (no translation)", v, known);
	csr_write(CSR_SATP, 0);
}

int main(void)
{
	printf("%s: paging\n", NAME);
	setup();
	csr_write(CSR_SATP, satp1);
	rt_check("satp reads back (mode, ASID 1, root)", csr_read(CSR_SATP), satp1);
	csr_write(CSR_SATP, satp1 | (0xffffUL << 44));
	rt_check("satp ASID field (16 bits)", (csr_read(CSR_SATP) >> 44) & 0xffff, 0xffff);
	csr_write(CSR_SATP, satp1);
	rt_sfence_vma();
	csr_write(CSR_STVEC, (uint64_t)rt_strap_entry);
	rt_check("S-mode translation and faults (M handles)", rt_run_mode(RT_MODE_S, s_basic, 0), 0);
	csr_write(CSR_MEDELEG, (1 << EXC_INSN_PAGE_FAULT) | (1 << EXC_LOAD_PAGE_FAULT) | (1 << EXC_STORE_PAGE_FAULT));
	rt_check("S-mode faults (S handles)", rt_run_mode(RT_MODE_S, s_basic, 1), 0);
	csr_write(CSR_MEDELEG, 0);
	rt_check("PTE updates, sfence.vma, satp", rt_run_mode(RT_MODE_S, s_pte_updates, 0), 0);
	user_part();
	csr_write(CSR_SATP, 0);
	mprv();
	return rt_summary();
}
