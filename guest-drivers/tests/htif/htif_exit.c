/*
 * htif_exit: exit status through HTIF: tohost = (n << 1) | 1 ends the run
 * with status n. This one exits with 3 on purpose.
 * expect-exit: 3
 */
#include "runtime.h"

int main(void)
{
	rt_set_console(RT_CONSOLE_HTIF);
	printf("htif_exit: exiting with status 3 through tohost = 7\n");
	rt_htif_exit(3);
}
