/* Baseline for `pvkit bench cpu`: start-up and exit cost of an engine, no
 * work. The host subtracts its wall time from every program's. */
#include "bench.h"

int main(void)
{
	uint64_t t0 = bench_instret();
	uint64_t t1 = bench_instret();
	bench_report("empty", 0, t1 - t0);
	return 0;
}
