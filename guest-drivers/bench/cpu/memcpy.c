/*
 * CPU benchmark: memory copy. Two 512 KiB buffers (many times any L1) are
 * copied back and forth with an unrolled 64-bit loop, the way a libc
 * memcpy does its aligned bulk (the runtime's own memcpy is a byte loop).
 */
#include "bench.h"

#define WORDS (512 * 1024 / 8)
#define ROUNDS BENCH_SCALE(4000, 200)

static uint64_t buf_a[WORDS], buf_b[WORDS];

static __attribute__((noinline)) void copy64(uint64_t *restrict d, const uint64_t *restrict s, long n)
{
	for (long i = 0; i < n; i += 8) {
		uint64_t w0 = s[i], w1 = s[i + 1], w2 = s[i + 2], w3 = s[i + 3];
		uint64_t w4 = s[i + 4], w5 = s[i + 5], w6 = s[i + 6], w7 = s[i + 7];
		d[i] = w0, d[i + 1] = w1, d[i + 2] = w2, d[i + 3] = w3;
		d[i + 4] = w4, d[i + 5] = w5, d[i + 6] = w6, d[i + 7] = w7;
	}
}

int main(void)
{
	uint64_t rng = 0x13198a2e03707344UL;
	for (long i = 0; i < WORDS; i++)
		buf_a[i] = bench_rand(&rng);

	uint64_t t0 = bench_instret();
	for (long r = 0; r < ROUNDS; r++) {
		copy64(buf_b, buf_a, WORDS);
		/* change one word per round so every copy carries new data */
		buf_b[(r * 977) % WORDS] += (uint64_t)r;
		copy64(buf_a, buf_b, WORDS);
	}
	uint64_t t1 = bench_instret();

	uint64_t sum = 0;
	for (long i = 0; i < WORDS; i++)
		sum = (sum << 5 | sum >> 59) ^ buf_a[i];
	bench_report("memcpy", sum, t1 - t0);
	return 0;
}
