/* CPU benchmark: double-precision matrix multiply (C = A * B, 64 x 64). */
#include "bench.h"

#define N 64
#define ROUNDS BENCH_SCALE(400, 20)

static double A[N][N], B[N][N], C[N][N];

static __attribute__((noinline)) void matmul(void)
{
	for (int i = 0; i < N; i++) {
		for (int j = 0; j < N; j++)
			C[i][j] = 0.0;
		for (int k = 0; k < N; k++) {
			double a = A[i][k];
			for (int j = 0; j < N; j++)
				C[i][j] += a * B[k][j];
		}
	}
}

int main(void)
{
	uint64_t rng = 0xa4093822299f31d0UL;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			/* values in [-1, 1) with 20 random bits: exact in double */
			A[i][j] = (double)((int64_t)(bench_rand(&rng) >> 44) - (1 << 19)) / (1 << 19);
			B[i][j] = (double)((int64_t)(bench_rand(&rng) >> 44) - (1 << 19)) / (1 << 19);
		}

	uint64_t sum = 0;
	uint64_t t0 = bench_instret();
	for (int r = 0; r < ROUNDS; r++) {
		matmul();
		A[r % N][(r * 7) % N] += 0.25;
		sum = (sum << 1 | sum >> 63) ^ bench_dbits(C[r % N][(r * 3) % N]);
	}
	uint64_t t1 = bench_instret();

	double total = 0.0;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			total += C[i][j];
	bench_report("fpmatmul", sum ^ bench_dbits(total), t1 - t0);
	return 0;
}
