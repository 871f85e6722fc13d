/*
 * Console, exit and self-check output for pvkit bare-metal guests: the
 * 16550 UART and SiFive test finisher of QEMU's virt machine (pvkit has the
 * same), or HTIF tohost/fromhost. Owns the tohost/fromhost symbols.
 */
#include "runtime.h"

volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));

static enum rt_console console = RT_CONSOLE_UART;

void rt_set_console(enum rt_console c) { console = c; }

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

static void uart_putchar(int c)
{
	volatile uint8_t *uart = (volatile uint8_t *)RT_UART_BASE;
	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

void rt_htif_putchar(int c)
{
	/* device 1 (console), command 1 (putchar) */
	tohost = (1ULL << 56) | (1ULL << 48) | (uint8_t)c;
	while (fromhost == 0)
		;
	fromhost = 0;
}

void rt_htif_exit(int code)
{
	for (;;)
		tohost = ((uint64_t)code << 1) | 1;
}

void rt_putchar(int c)
{
	if (console == RT_CONSOLE_HTIF)
		rt_htif_putchar(c);
	else
		uart_putchar(c);
}

int putchar(int c) { rt_putchar(c); return (uint8_t)c; }

void rt_puts(const char *s)
{
	while (*s)
		rt_putchar(*s++);
}

int puts(const char *s) { rt_puts(s); rt_putchar('\n'); return 0; }

void rt_exit(int code)
{
	if (console == RT_CONSOLE_HTIF)
		rt_htif_exit(code);
	volatile uint32_t *fin = (volatile uint32_t *)RT_FINISHER_BASE;
	for (;;) {
		if (code == 0)
			*fin = 0x5555;
		else
			*fin = ((uint32_t)code << 16) | 0x3333;
	}
}

/* ---------------------------------------------------------------- printf */

static int out_num(unsigned long long v, unsigned base, int upper, int neg,
		   int width, int zero, int left, int plus)
{
	char buf[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, len, total = 0;
	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg || plus ? 1 : 0);
	if (!left && !zero)
		for (; len < width; width--, total++)
			rt_putchar(' ');
	if (neg || plus) {
		rt_putchar(neg ? '-' : '+');
		total++;
	}
	if (!left && zero)
		for (; len < width; width--, total++)
			rt_putchar('0');
	while (n) {
		rt_putchar(buf[--n]);
		total++;
	}
	if (left)
		for (; len < width; width--, total++)
			rt_putchar(' ');
	return total;
}

int vprintf(const char *fmt, va_list ap)
{
	int total = 0;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			rt_putchar(*fmt);
			total++;
			continue;
		}
		fmt++;
		int zero = 0, left = 0, plus = 0, width = 0, lng = 0;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = 1;
			else if (*fmt == '-')
				left = 1;
			else if (*fmt == '+')
				plus = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt != 'h')
				lng++;
			fmt++;
		}
		unsigned long long u;
		long long s;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
			total += out_num(u, 10, 0, s < 0, width, zero, left, plus);
			break;
		case 'u':
			u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
			total += out_num(u, 10, 0, 0, width, zero, left, 0);
			break;
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
			total += out_num(u, 16, *fmt == 'X', 0, width, zero, left, 0);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			rt_puts("0x");
			total += 2 + out_num(u, 16, 0, 0, width, zero, left, 0);
			break;
		case 'c': {
			int c = va_arg(ap, int);
			for (; !left && width > 1; width--, total++)
				rt_putchar(' ');
			rt_putchar(c);
			total++;
			for (; left && width > 1; width--, total++)
				rt_putchar(' ');
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = (int)strlen(str);
			for (; !left && width > len; width--, total++)
				rt_putchar(' ');
			rt_puts(str);
			total += len;
			for (; left && width > len; width--, total++)
				rt_putchar(' ');
			break;
		}
		case '%':
			rt_putchar('%');
			total++;
			break;
		case 0:
			return total;
		default:
			rt_putchar('%');
			rt_putchar(*fmt);
			total += 2;
			break;
		}
	}
	return total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* ------------------------------------------------------------ self checks */

int rt_checks_failed, rt_checks_total;

void rt_check(const char *name, uint64_t got, uint64_t expected)
{
	rt_checks_total++;
	printf("%s: 0x%016lx", name, got);
	if (got != expected) {
		rt_checks_failed++;
		printf(" FAIL (expected 0x%016lx)", expected);
	}
	rt_putchar('\n');
}

void rt_check_true(const char *name, int cond)
{
	rt_checks_total++;
	printf("%s: %s", name, cond ? "yes" : "no");
	if (!cond) {
		rt_checks_failed++;
		rt_puts(" FAIL");
	}
	rt_putchar('\n');
}

void rt_fail(const char *fmt, ...)
{
	va_list ap;
	rt_checks_total++;
	rt_checks_failed++;
	rt_puts("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	rt_putchar('\n');
}

int rt_summary(void)
{
	if (rt_checks_failed) {
		printf("FAIL: %d of %d checks failed\n", rt_checks_failed, rt_checks_total);
		return 1;
	}
	printf("PASS: %d checks\n", rt_checks_total);
	return 0;
}
