/*
 * exit_code: a run ends with the status written to the SiFive test
 * finisher: (code << 16) | 0x3333 gives status `code`. This test exits
 * with 5 on purpose; run.sh reads the expected status from the line below.
 * expect-exit: 5
 */
#include "runtime.h"

int main(void)
{
	printf("exit_code: exiting with status 5 through the finisher (0x53333)\n");
	return 5;
}
