/*
 * zifencei: self-modifying code made visible with fence.i. A function in
 * a RAM buffer is run, rewritten, fence.i, run again (many times, so a
 * decode cache that ignores stores to code would be caught); a 16-bit
 * instruction replaced by another; an instruction later in the running
 * function patched before it is reached (with fence.i in between); under
 * paging in S-mode, code written through one virtual alias and run through
 * another. Executing modified code without fence.i is left out (the spec
 * leaves it unspecified).
 */
#include "runtime.h"

static uint32_t code[64] __attribute__((aligned(64)));

#define LI_A0(imm) (0x00000513u | ((uint32_t)(imm) << 20))	/* addi a0, x0, imm */
#define RET 0x00008067u

static long call(void *p) { return ((long (*)(void))p)(); }

static void rewrite_loop(void)
{
	int bad = 0;
	for (int i = 0; i < 200; i++) {
		code[0] = LI_A0(i);
		code[1] = RET;
		rt_fence_i();
		long r = call(code);
		if (r != i) {
			if (bad++ < 4)
				printf("  FAIL iteration %d returned %ld\n", i, r);
		}
	}
	rt_check("200 rewrite + fence.i + call rounds failing", bad, 0);
}

static void compressed(void)
{
	uint16_t *h = (uint16_t *)code;
	h[0] = 0x4515;	/* c.li a0, 5 */
	h[1] = 0x8082;	/* c.jr ra */
	rt_fence_i();
	rt_check("c.li a0, 5", call(code), 5);
	h[0] = 0x4525;	/* c.li a0, 9 */
	rt_fence_i();
	rt_check("patched to c.li a0, 9", call(code), 9);
	/* replace two 16-bit instructions by one 32-bit one */
	code[0] = LI_A0(0x77);
	code[1] = RET;
	rt_fence_i();
	rt_check("16-bit pair replaced by 32-bit li", call(code), 0x77);
}

/* A function that patches an instruction further on in itself:
 *   auipc t0, 0; sw t1, 20(t0); fence.i; li a0, 1; nop; li a0, 2 (patched); ret */
static void patch_ahead(void)
{
	code[0] = 0x00000297;			/* auipc t0, 0 */
	code[1] = 0x0062aa23;			/* sw t1, 20(t0) */
	code[2] = 0x0000100f;			/* fence.i */
	code[3] = LI_A0(1);
	code[4] = 0x00000013;			/* nop */
	code[5] = LI_A0(2);			/* replaced by t1 */
	code[6] = RET;
	rt_fence_i();
	long r;
	__asm__ volatile("li t1, %2\n\tjalr %1\n\tmv %0, a0"
			 : "=r"(r) : "r"(code), "i"(LI_A0(3)) : "ra", "t0", "t1", "a0", "memory");
	rt_check("instruction patched ahead of the pc, after fence.i", (uint64_t)r, 3);
	__asm__ volatile("li t1, %2\n\tjalr %1\n\tmv %0, a0"
			 : "=r"(r) : "r"(code), "i"(LI_A0(4)) : "ra", "t0", "t1", "a0", "memory");
	rt_check("again, patched to li a0, 4", (uint64_t)r, 4);
}

/* paging: write through VA_W (RW), execute through VA_X (X) */
#define VA_W 0x40000000UL
#define VA_X 0x40100000UL
static struct rt_pt pt;

static long s_alias(long arg)
{
	(void)arg;
	long bad = 0;
	volatile uint32_t *w = (uint32_t *)VA_W;
	for (int i = 1; i <= 50; i++) {
		w[0] = LI_A0(i * 3);
		w[1] = RET;
		rt_fence_i();
		long r = call((void *)VA_X);
		if (r != i * 3) {
			if (bad++ < 4)
				printf("  FAIL alias round %d returned %ld\n", i, r);
		}
	}
	return bad;
}

static void alias(void)
{
	rt_pt_init(&pt, 3);
	rt_pt_identity(&pt);
	void *page = rt_alloc_page();
	rt_pt_map(&pt, VA_W, (uint64_t)page, 0, PTE_R | PTE_W | PTE_A | PTE_D);
	rt_pt_map(&pt, VA_X, (uint64_t)page, 0, PTE_R | PTE_X | PTE_A | PTE_D);
	csr_write(CSR_SATP, rt_pt_satp(&pt, 0));
	rt_sfence_vma();
	rt_check("S: write via RW alias, run via X alias (failing rounds)", rt_run_mode(RT_MODE_S, s_alias, 0), 0);
	csr_write(CSR_SATP, 0);
	rt_sfence_vma();
}

int main(void)
{
	printf("zifencei: self-modifying code\n");
	rewrite_loop();
	compressed();
	patch_ahead();
	alias();
	return rt_summary();
}
