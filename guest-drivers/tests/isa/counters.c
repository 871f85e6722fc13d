/*
 * counters: cycle/time/instret access gating by mcounteren (for S and U)
 * and scounteren (for U), stimecmp access rules of Sstc (menvcfg.STCE and
 * mcounteren.TM), and relations between counter reads that hold on any
 * implementation (monotonic, a write to mcycle/minstret is the new base).
 * Values are never printed: QEMU without -icount derives them from host
 * time. The exact instret count is checked in pvkit-only/instret_exact.
 */
#include "runtime.h"

static const char *const cname[] = { "cycle", "time", "instret" };

static long s_read(long which)
{
	uint64_t v = 0;
	switch (which) {
	case 0: __asm__ volatile("rdcycle %0" : "=r"(v)); break;
	case 1: __asm__ volatile("rdtime %0" : "=r"(v)); break;
	case 2: __asm__ volatile("rdinstret %0" : "=r"(v)); break;
	case 3: v = csr_read(CSR_STIMECMP); break;
	case 4: csr_write(CSR_STIMECMP, 0xffffffffffffffffUL); break;
	}
	return (long)v;
}

RT_USER static long u_read(long which)
{
	uint64_t v = 0;
	if (which == 0)
		__asm__ volatile("rdcycle %0" : "=r"(v));
	else if (which == 1)
		__asm__ volatile("rdtime %0" : "=r"(v));
	else
		__asm__ volatile("rdinstret %0" : "=r"(v));
	return (long)v;
}

static int probe(int mode, int which)
{
	rt_catch();
	rt_run_mode(mode, mode == RT_MODE_S ? s_read : u_read, which);
	int t = rt_catch_end();
	if (t && rt_caught.cause != EXC_ILLEGAL)
		printf("  unexpected cause %lu\n", rt_caught.cause);
	return t;
}

static void gating(void)
{
	for (int m = 0; m < 8; m++) {
		csr_write(CSR_MCOUNTEREN, m);
		csr_write(CSR_SCOUNTEREN, 0);
		for (int c = 0; c < 3; c++) {
			int t = probe(RT_MODE_S, c);
			int allowed = (m >> c) & 1;
			printf("mcounteren=%d: S reads %s: %s", m, cname[c], t ? "illegal" : "ok");
			rt_check_true("", t == !allowed);
		}
	}
	for (int m = 0; m < 8; m += 7) {
		for (int s = 0; s < 8; s++) {
			csr_write(CSR_MCOUNTEREN, m);
			csr_write(CSR_SCOUNTEREN, s);
			for (int c = 0; c < 3; c++) {
				int t = probe(RT_MODE_U, c);
				int allowed = (m >> c) & (s >> c) & 1;
				printf("mcounteren=%d scounteren=%d: U reads %s: %s", m, s, cname[c], t ? "illegal" : "ok");
				rt_check_true("", t == !allowed);
			}
		}
	}
	csr_write(CSR_MCOUNTEREN, 0);
	csr_write(CSR_SCOUNTEREN, 0);
}

static void stimecmp_access(void)
{
	static const struct { uint64_t stce, tm; int ok; } c[] = {
		{ 0, 0, 0 }, { 0, 1, 0 }, { 1, 0, 0 }, { 1, 1, 1 },
	};
	for (int i = 0; i < 4; i++) {
		csr_write(CSR_MENVCFG, c[i].stce << 63);
		csr_write(CSR_MCOUNTEREN, c[i].tm << 1);
		int tr = probe(RT_MODE_S, 3);
		int tw = probe(RT_MODE_S, 4);
		printf("STCE=%lu TM=%lu: S reads stimecmp: %s, writes: %s", c[i].stce, c[i].tm,
		       tr ? "illegal" : "ok", tw ? "illegal" : "ok");
		rt_check_true("", tr == !c[i].ok && tw == !c[i].ok);
	}
	csr_write(CSR_MENVCFG, 0);
	csr_write(CSR_MCOUNTEREN, 0);
	rt_catch();
	(void)csr_read(CSR_STIMECMP);
	rt_check_true("M reads stimecmp with STCE=0", !rt_catch_end());
}

static void relations(void)
{
	uint64_t c1, c2, i1, i2, t1, t2;
	__asm__ volatile("rdcycle %0\n\trdinstret %1\n\trdtime %2" : "=r"(c1), "=r"(i1), "=r"(t1));
	for (volatile int k = 0; k < 1000; k++)
		;
	__asm__ volatile("rdcycle %0\n\trdinstret %1\n\trdtime %2" : "=r"(c2), "=r"(i2), "=r"(t2));
	rt_check_true("cycle advanced over a 1000-iteration loop", c2 > c1);
	rt_check_true("instret advanced over a 1000-iteration loop", i2 > i1);
	rt_check_true("time did not go backwards", t2 >= t1);
	rt_check_true("mcycle == cycle view (both advance together)", csr_read(CSR_MCYCLE) >= c2);
	rt_check_true("minstret == instret view", csr_read(CSR_MINSTRET) >= i2);

	csr_write(CSR_MINSTRET, 1000000);
	uint64_t r = csr_read(CSR_MINSTRET);
	rt_check_true("minstret after writing 1000000: >= 1000000 and close", r >= 1000000 && r - 1000000 < (1UL << 40));
	__asm__ volatile("rdinstret %0" : "=r"(i1));
	rt_check_true("  instret view follows", i1 >= r && i1 - 1000000 < (1UL << 40));
	csr_write(CSR_MCYCLE, 1UL << 50);
	r = csr_read(CSR_MCYCLE);
	rt_check_true("mcycle after writing 2^50: >= 2^50 and close", r >= (1UL << 50) && r - (1UL << 50) < (1UL << 40));
}

int main(void)
{
	printf("counters: mcounteren/scounteren gating, stimecmp access, counter relations\n");
	gating();
	stimecmp_access();
	relations();
	return rt_summary();
}
