#include "runtime.h"
int main(void) {
	printf("hello %d %u %x %lx %llx %s %c %p [%5d] [%-5d] [%05x] [%016lx]\n", -42, 42u, 0xabcu, 0x123456789abUL, 0xfedcba9876543210ULL, "str", 'c', (void*)0x80000000, 7, 7, 0xab, 1UL);
	rt_check("one", 1, 1);
	return rt_summary();
}
