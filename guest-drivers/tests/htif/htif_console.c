/*
 * htif_console: console output through HTIF (device 1, command 1: tohost =
 * 1 << 56 | 1 << 48 | ch, then wait for fromhost != 0 and clear it) and
 * exit through HTIF (tohost = 1: status 0). Runs on QEMU -machine spike
 * and on pvkit (which finds tohost/fromhost in the ELF's symbols).
 */
#include "runtime.h"

int main(void)
{
	rt_set_console(RT_CONSOLE_HTIF);
	printf("htif_console: hello through HTIF\n");
	for (int i = 0; i < 3; i++)
		printf("line %d: %s\n", i, "0123456789abcdefghijklmnopqrstuvwxyz");
	rt_check("fromhost cleared after each character", fromhost, 0);
	rt_check("tohost idle", tohost, 0);
	return rt_summary();
}
