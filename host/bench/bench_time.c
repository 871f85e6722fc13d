/*
 * `pvkit bench time` (RTC + tick vs the paravirtual clock): not written yet; records one result
 * saying so, so that `pvkit bench all` shows the group.
 */
#include "host/bench/bench.h"

int bench_time(const struct bench_env *env, struct bench_report *rep)
{
	(void)env;
	struct bench_result *r =
		bench_add(rep, "time", "pvclock", "all", "-", true);
	if (!r)
		return -1;
	bench_status(r, "n/a: not implemented yet");
	return 0;
}
