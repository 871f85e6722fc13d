#include "runtime.h"
int main(void) {
	rt_set_console(RT_CONSOLE_HTIF);
	printf("hello htif\n");
	return 0;
}
