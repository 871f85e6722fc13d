/*
 * CPU benchmark: the intalu kernel with the MMU on. M-mode builds an Sv39
 * identity map and runs the kernel in S-mode, so every fetch is
 * translated; the checksum equals intalu's and the MIPS compare directly.
 */
#include "bench.h"

#define ITERS BENCH_SCALE(80000000L, 4000000L)

static volatile uint64_t seed = 0x0123456789abcdefUL;
static uint64_t s_insns, s_satp;

static long s_kernel(long iters)
{
	s_satp = csr_read(CSR_SATP);
	uint64_t t0 = csr_read(CSR_INSTRET);
	uint64_t r = bench_alu_kernel(seed, iters);
	uint64_t t1 = csr_read(CSR_INSTRET);
	s_insns = t1 - t0;
	return (long)r;
}

int main(void)
{
	struct rt_pt pt;
	rt_pt_init(&pt, 3);
	rt_pt_identity(&pt);
	csr_write(CSR_MCOUNTEREN, 7); /* S-mode may read instret */
	csr_write(CSR_SATP, rt_pt_satp(&pt, 0));
	rt_sfence_vma();
	long r = rt_run_mode(RT_MODE_S, s_kernel, ITERS);
	csr_write(CSR_SATP, 0);
	rt_sfence_vma();
	if (s_satp >> 60 != SATP_MODE_SV39) {
		printf("mmu: FAIL: S-mode saw satp 0x%lx, not Sv39\n", s_satp);
		return 1;
	}
	bench_report("mmu", (uint64_t)r, s_insns);
	return 0;
}
