/*
 * console_printf: the runtime's console path (16550 UART polled on LSR
 * THRE) and printf conversions: %d %i %u %x %X %lx %llx %s %c %p %%, field
 * widths, zero padding, left alignment, '+', long and long long. The
 * output itself is the check (compared between engines); the self-check is
 * only that the returned character counts are right.
 */
#include "runtime.h"

int main(void)
{
	int n;
	n = printf("ints: %d %i %u %d %d\n", -42, 17, 42u, 0, -2147483647 - 1);
	rt_check("chars printed", (uint64_t)n, 30);
	printf("hex: %x %X %lx %llx %08x %016lx\n", 0xabcu, 0xabcu, 0x123456789abUL, 0xfedcba9876543210ULL, 0xbeefu, 1UL);
	printf("long: %ld %lu %lld %llu\n", -9223372036854775807L - 1, 18446744073709551615UL, -1LL, 12345678901234ULL);
	printf("str: [%s] [%8s] [%-8s] [%c] [%3c] [%-3c] [%%]\n", "abc", "abc", "abc", 'x', 'y', 'z');
	printf("width: [%5d] [%-5d] [%05d] [%+d] [%+d] [%5x] [%-5x]\n", 42, 42, -42, 7, -7, 0x1f, 0x1f);
	printf("ptr: %p\n", (void *)0x80001234UL);
	n = printf("%s", "");
	rt_check("empty string prints nothing", (uint64_t)n, 0);
	putchar('o');
	putchar('k');
	puts("");
	return rt_summary();
}
