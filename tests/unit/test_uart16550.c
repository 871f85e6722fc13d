/*
 * 16550A unit tests: what Linux's 8250 driver checks and relies on (idle
 * LSR, THRE re-assertion, RX FIFO and its interrupts, divisor latches),
 * through the bus, with the IRQ observed at a real PLIC's pending array.
 */
#include <check.h>
#include <string.h>

#include "emulator/devices/plic.h"
#include "emulator/devices/uart16550.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/memmap.h"

enum {
	RBR = 0,
	THR = 0,
	DLL = 0,
	IER = 1,
	DLM = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

struct rig {
	struct bus bus;
	struct plic *plic;
	struct uart16550 *uart;
	uint8_t out[64];
	size_t nout;
};

static void sink_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct rig *r = opaque;
	ck_assert_uint_le(r->nout + len, sizeof(r->out));
	memcpy(r->out + r->nout, buf, len);
	r->nout += len;
}

static void no_ext_irq(void *opaque, int ctx, bool level)
{
	(void)opaque, (void)ctx, (void)level;
}

static void rig_init(struct rig *r)
{
	*r = (struct rig){0};
	ck_assert_int_eq(
		bus_init(&r->bus, virt_memmap[VIRT_DRAM].base, 1 << 20), 0);
	r->plic =
		plic_create(&r->bus, &virt_memmap[VIRT_PLIC], no_ext_irq, NULL);
	ck_assert_ptr_nonnull(r->plic);
	struct char_sink sink = {.opaque = r, .write = sink_write};
	r->uart = uart16550_create(&r->bus, &virt_memmap[VIRT_UART0], r->plic,
				   &sink);
	ck_assert_ptr_nonnull(r->uart);
}

static void rig_free(struct rig *r)
{
	uart16550_free(r->uart);
	plic_free(r->plic);
	bus_free(&r->bus);
}

static uint8_t rd(struct rig *r, unsigned reg)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus, virt_memmap[VIRT_UART0].base + reg, 1, &v));
	return (uint8_t)v;
}

static void wr(struct rig *r, unsigned reg, uint8_t v)
{
	ck_assert(bus_write(&r->bus, virt_memmap[VIRT_UART0].base + reg, 1, v));
}

/* The UART's line as the PLIC sees it. */
static bool irq_line(struct rig *r)
{
	uint64_t pending = 0;
	ck_assert(bus_read(&r->bus,
			   virt_memmap[VIRT_PLIC].base + PLIC_PENDING_BASE, 4,
			   &pending));
	return pending >> virt_memmap[VIRT_UART0].irq & 1;
}

START_TEST(idle_registers)
{
	struct rig r;
	rig_init(&r);
	ck_assert_uint_eq(rd(&r, LSR), 0x60);
	ck_assert_uint_eq(rd(&r, IIR), 0x01);
	ck_assert_uint_eq(rd(&r, IER), 0);
	ck_assert_uint_eq(rd(&r, MSR), 0xb0);
	wr(&r, FCR, 0x01);
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);
	ck_assert(!irq_line(&r));
	ck_assert(uart16550_can_receive(r.uart));
	rig_free(&r);
}
END_TEST

START_TEST(thr_reaches_sink)
{
	struct rig r;
	rig_init(&r);
	wr(&r, THR, 'h');
	wr(&r, THR, 'i');
	ck_assert_uint_eq(r.nout, 2);
	ck_assert_mem_eq(r.out, "hi", 2);
	ck_assert_uint_eq(rd(&r, LSR), 0x60);
	rig_free(&r);
}
END_TEST

START_TEST(rx_fifo_and_irq)
{
	struct rig r;
	rig_init(&r);
	uint8_t in[20];
	for (unsigned k = 0; k < sizeof(in); k++)
		in[k] = (uint8_t)('a' + k);
	wr(&r, FCR, 0x07); /* FIFO on, cleared, trigger 1 */
	ck_assert_uint_eq(uart16550_receive(r.uart, in, sizeof(in)), 16);
	ck_assert(!uart16550_can_receive(r.uart));
	ck_assert_uint_eq(rd(&r, LSR), 0x61);
	ck_assert(!irq_line(&r)); /* RDI not enabled yet */
	wr(&r, IER, 0x01);
	ck_assert(irq_line(&r));
	ck_assert_uint_eq(rd(&r, IIR), 0xc4);
	for (unsigned k = 0; k < 16; k++)
		ck_assert_uint_eq(rd(&r, RBR), in[k]);
	ck_assert_uint_eq(rd(&r, LSR), 0x60);
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);
	ck_assert(!irq_line(&r));
	ck_assert_uint_eq(uart16550_receive(r.uart, in + 16, 4), 4);
	ck_assert(irq_line(&r));
	rig_free(&r);
}
END_TEST

START_TEST(rx_below_trigger_reports_timeout)
{
	struct rig r;
	rig_init(&r);
	wr(&r, FCR, 0x81); /* trigger 8, Linux's choice for a 16550A */
	wr(&r, IER, 0x01);
	ck_assert_uint_eq(uart16550_receive(r.uart, (const uint8_t *)"abc", 3),
			  3);
	ck_assert_uint_eq(rd(&r, IIR), 0xcc);
	ck_assert(irq_line(&r));
	ck_assert_uint_eq(
		uart16550_receive(r.uart, (const uint8_t *)"defgh", 5), 5);
	ck_assert_uint_eq(rd(&r, IIR), 0xc4);
	rig_free(&r);
}
END_TEST

START_TEST(rx_without_fifo_holds_one_byte)
{
	struct rig r;
	rig_init(&r);
	ck_assert_uint_eq(uart16550_receive(r.uart, (const uint8_t *)"xy", 2),
			  1);
	ck_assert(!uart16550_can_receive(r.uart));
	ck_assert_uint_eq(rd(&r, RBR), 'x');
	ck_assert(uart16550_can_receive(r.uart));
	rig_free(&r);
}
END_TEST

START_TEST(thre_irq_reasserts_on_ier_write)
{
	struct rig r;
	rig_init(&r);
	wr(&r, FCR, 0x01);
	/* Linux's startup test: IER.THRI, read IIR, IER 0, IER.THRI again,
	   read IIR: both reads must show THRI. */
	wr(&r, IER, 0x02);
	ck_assert(irq_line(&r));
	ck_assert_uint_eq(rd(&r, IIR), 0xc2);
	ck_assert(!irq_line(&r)); /* reading IIR acknowledged it */
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);
	wr(&r, IER, 0x00);
	wr(&r, IER, 0x02);
	ck_assert(irq_line(&r));
	ck_assert_uint_eq(rd(&r, IIR), 0xc2);

	/* Writing THR empties it again at once, so THRI comes back. */
	wr(&r, THR, 'z');
	ck_assert(irq_line(&r));
	/* Rewriting IER with THRI already set is no new event. */
	ck_assert_uint_eq(rd(&r, IIR), 0xc2);
	wr(&r, IER, 0x03);
	ck_assert_uint_eq(rd(&r, IIR), 0xc1);
	ck_assert(!irq_line(&r));
	rig_free(&r);
}
END_TEST

START_TEST(rx_takes_priority_over_thre)
{
	struct rig r;
	rig_init(&r);
	wr(&r, IER, 0x03);
	ck_assert_uint_eq(uart16550_receive(r.uart, (const uint8_t *)"q", 1),
			  1);
	ck_assert_uint_eq(rd(&r, IIR), 0x04);
	ck_assert_uint_eq(rd(&r, RBR), 'q');
	ck_assert_uint_eq(rd(&r, IIR), 0x02);
	rig_free(&r);
}
END_TEST

START_TEST(dlab_latches)
{
	struct rig r;
	rig_init(&r);
	wr(&r, IER, 0x01);
	wr(&r, LCR, 0x83);
	wr(&r, DLL, 0x0c);
	wr(&r, DLM, 0x01);
	ck_assert_uint_eq(rd(&r, DLL), 0x0c);
	ck_assert_uint_eq(rd(&r, DLM), 0x01);
	ck_assert_uint_eq(r.nout, 0);
	ck_assert_uint_eq(rd(&r, LCR), 0x83);
	wr(&r, LCR, 0x03);
	ck_assert_uint_eq(rd(&r, IER), 0x01);
	wr(&r, THR, 'k');
	ck_assert_uint_eq(r.nout, 1);
	wr(&r, LCR, 0x83);
	ck_assert_uint_eq(rd(&r, DLL), 0x0c);
	rig_free(&r);
}
END_TEST

START_TEST(scr_mcr_and_loopback)
{
	struct rig r;
	rig_init(&r);
	wr(&r, SCR, 0x5a);
	ck_assert_uint_eq(rd(&r, SCR), 0x5a);
	wr(&r, MCR, 0x13); /* loop, RTS, DTR */
	ck_assert_uint_eq(rd(&r, MCR), 0x13);
	ck_assert_uint_eq(rd(&r, MSR), 0x30); /* CTS, DSR */
	ck_assert(!uart16550_can_receive(r.uart));
	wr(&r, THR, 'L');
	ck_assert_uint_eq(r.nout, 0);
	ck_assert_uint_eq(rd(&r, LSR), 0x61);
	ck_assert_uint_eq(rd(&r, RBR), 'L');
	wr(&r, MCR, 0x03);
	ck_assert(uart16550_can_receive(r.uart));
	ck_assert_uint_eq(rd(&r, MSR), 0xb0);
	rig_free(&r);
}
END_TEST

/* The benchmark counters: every register access, every byte each way,
 * every rising edge of the line. */
START_TEST(stats_count_accesses_bytes_and_interrupts)
{
	struct rig r;
	rig_init(&r);
	struct uart16550_stats s;
	wr(&r, THR, 'a');
	wr(&r, THR, 'b');
	wr(&r, IER, 0x01); /* RDI on: no edge yet, nothing received */
	uart16550_get_stats(r.uart, &s);
	ck_assert_uint_eq(s.tx_bytes, 2);
	ck_assert_uint_eq(s.rx_bytes, 0);
	ck_assert_uint_eq(s.mmio_exits, 3);
	ck_assert_uint_eq(s.interrupts, 0);
	uint8_t in = 'x';
	ck_assert_uint_eq(uart16550_receive(r.uart, &in, 1), 1);
	ck_assert(irq_line(&r));
	ck_assert_uint_eq(rd(&r, RBR), 'x'); /* line drops */
	ck_assert_uint_eq(uart16550_receive(r.uart, &in, 1), 1);
	uart16550_get_stats(r.uart, &s);
	ck_assert_uint_eq(s.rx_bytes, 2);
	ck_assert_uint_eq(s.mmio_exits, 4);
	ck_assert_uint_eq(s.interrupts, 2);
	rig_free(&r);
}
END_TEST

Suite *uart16550_suite(void)
{
	Suite *s = suite_create("uart16550");
	TCase *tc = tcase_create("registers");
	tcase_add_test(tc, idle_registers);
	tcase_add_test(tc, thr_reaches_sink);
	tcase_add_test(tc, rx_fifo_and_irq);
	tcase_add_test(tc, rx_below_trigger_reports_timeout);
	tcase_add_test(tc, rx_without_fifo_holds_one_byte);
	tcase_add_test(tc, thre_irq_reasserts_on_ier_write);
	tcase_add_test(tc, rx_takes_priority_over_thre);
	tcase_add_test(tc, dlab_latches);
	tcase_add_test(tc, scr_mcr_and_loopback);
	tcase_add_test(tc, stats_count_accesses_bytes_and_interrupts);
	suite_add_tcase(s, tc);
	return s;
}
