/* CPU benchmark: register-only integer ALU loop (add, xor, shifts, mul). */
#include "bench.h"

#define ITERS BENCH_SCALE(80000000L, 4000000L)

/* volatile so the compiler cannot fold the whole run into a constant */
static volatile uint64_t seed = 0x0123456789abcdefUL;

int main(void)
{
	uint64_t s = seed;
	uint64_t t0 = bench_instret();
	uint64_t r = bench_alu_kernel(s, ITERS);
	uint64_t t1 = bench_instret();
	bench_report("intalu", r, t1 - t0);
	return 0;
}
