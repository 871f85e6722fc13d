/* CPU benchmark: single-precision dot product of two 4096-element vectors. */
#include "bench.h"

#define N 4096
#define ROUNDS BENCH_SCALE(30000, 1500)

static float x[N], y[N];

static __attribute__((noinline)) float dot(const float *a, const float *b, long n)
{
	/* two accumulators, as a compiler would for latency; order is fixed */
	float s0 = 0.0f, s1 = 0.0f;
	for (long i = 0; i < n; i += 2) {
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
	}
	return s0 + s1;
}

int main(void)
{
	uint64_t rng = 0x082efa98ec4e6c89UL;
	for (int i = 0; i < N; i++) {
		x[i] = (float)((int32_t)(bench_rand(&rng) >> 52) - 2048) / 2048.0f;
		y[i] = (float)((int32_t)(bench_rand(&rng) >> 52) - 2048) / 2048.0f;
	}

	uint64_t sum = 0;
	float total = 0.0f;
	uint64_t t0 = bench_instret();
	for (int r = 0; r < ROUNDS; r++) {
		float d = dot(x, y, N);
		x[r % N] += 0.125f;
		total += d;
		sum = (sum << 3 | sum >> 61) ^ bench_fbits(d);
	}
	uint64_t t1 = bench_instret();
	bench_report("fpdot", sum ^ bench_fbits(total), t1 - t0);
	return 0;
}
