/*
 * Shared by the guest CPU benchmarks of `pvkit bench cpu` (host/bench/).
 *
 * Each program does a fixed, deterministic amount of work (less with
 * -DQUICK) and prints two kinds of lines, which the host runner parses:
 *     <name>: checksum 0x<hex>     must be identical on pvkit and QEMU
 *     instret: <n>                 instructions in the timed kernel
 * The instret line is only trusted from pvkit (QEMU's minstret is not
 * exact without -icount), so the host leaves it out of the comparison.
 */
#ifndef PVKIT_BENCH_CPU_H
#define PVKIT_BENCH_CPU_H

#include "runtime.h"

#ifdef QUICK
#define BENCH_SCALE(full, quick) (quick)
#else
#define BENCH_SCALE(full, quick) (full)
#endif

static inline uint64_t bench_instret(void)
{
	return csr_read(CSR_MINSTRET);
}

static inline void bench_report(const char *name, uint64_t checksum, uint64_t insns)
{
	printf("%s: checksum 0x%016lx\n", name, checksum);
	printf("instret: %lu\n", insns);
}

/* Deterministic input data that the compiler cannot precompute. */
static inline uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* Bit pattern of a double, so FP results compare exactly. */
static inline uint64_t bench_dbits(double d)
{
	union { double d; uint64_t u; } v = { .d = d };
	return v.u;
}

static inline uint32_t bench_fbits(float f)
{
	union { float f; uint32_t u; } v = { .f = f };
	return v.u;
}

/*
 * The integer ALU kernel, shared by intalu (M-mode, bare) and mmu (S-mode
 * under Sv39) so their MIPS compare directly. Four independent chains of
 * add/xor/shift/rotate/multiply keep it register-only.
 */
static inline __attribute__((always_inline)) uint64_t bench_alu_kernel(uint64_t seed, long iters)
{
	uint64_t a = seed, b = seed ^ 0x9e3779b97f4a7c15UL, c = seed * 3 + 1, d = ~seed;
	for (long i = 0; i < iters; i++) {
		a += b ^ (uint64_t)i;
		b = (b << 7 | b >> 57) ^ c;
		c = c * 0x2545f4914f6cdd1dUL + a;
		d ^= (a >> 11) + (c << 3);
		a -= d & 0xffff;
		b += (d | i) >> 2;
	}
	return a ^ b ^ c ^ d;
}

#endif
