/*
 * CPU benchmark: data-TLB pressure. An 8 MiB buffer is mapped with 4 KiB
 * pages at a second virtual address and S-mode does read-modify-writes at
 * pseudo-random words in it, so most accesses hit a different page than
 * the last few (2048 pages: more than a small software TLB holds).
 */
#include "bench.h"

#define BUF_BYTES (8UL << 20)
#define BUF_VA 0x100000000UL /* above the identity map's first GiB */
#define ACCESSES BENCH_SCALE(6000000L, 300000L)

static uint64_t buf[BUF_BYTES / 8] __attribute__((aligned(4096)));
static uint64_t s_insns, s_satp;

static long s_kernel(long n)
{
	volatile uint64_t *v = (volatile uint64_t *)BUF_VA;
	uint64_t x = 0x3c6ef372fe94f82bUL, sum = 0;
	s_satp = csr_read(CSR_SATP);
	uint64_t t0 = csr_read(CSR_INSTRET);
	for (long i = 0; i < n; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		uint64_t idx = (x >> 33) & (BUF_BYTES / 8 - 1);
		uint64_t w = v[idx];
		v[idx] = w + (uint64_t)i;
		sum += w;
	}
	uint64_t t1 = csr_read(CSR_INSTRET);
	s_insns = t1 - t0;
	return (long)sum;
}

int main(void)
{
	for (uint64_t i = 0; i < BUF_BYTES / 8; i++)
		buf[i] = i * 0x9e3779b97f4a7c15UL;
	struct rt_pt pt;
	rt_pt_init(&pt, 3);
	rt_pt_identity(&pt);
	rt_pt_map_range(&pt, BUF_VA, (uint64_t)buf, BUF_BYTES,
			PTE_R | PTE_W | PTE_A | PTE_D);
	csr_write(CSR_MCOUNTEREN, 7); /* S-mode may read instret */
	csr_write(CSR_SATP, rt_pt_satp(&pt, 0));
	rt_sfence_vma();
	long r = rt_run_mode(RT_MODE_S, s_kernel, ACCESSES);
	csr_write(CSR_SATP, 0);
	rt_sfence_vma();
	if (s_satp >> 60 != SATP_MODE_SV39) {
		printf("mmu-tlb: FAIL: S-mode saw satp 0x%lx, not Sv39\n", s_satp);
		return 1;
	}
	uint64_t sum = (uint64_t)r;
	for (uint64_t i = 0; i < BUF_BYTES / 8; i += 61)
		sum = (sum << 7 | sum >> 57) ^ buf[i];
	bench_report("mmu-tlb", sum, s_insns);
	return 0;
}
