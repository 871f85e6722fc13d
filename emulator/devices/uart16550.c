/*
 * 16550A UART: the register file, a 16-byte RX FIFO and the interrupt
 * identification logic Linux's 8250 driver depends on.
 *
 * Talks to the bus (MMIO), the PLIC (level IRQ) and a char_sink (output).
 * Owns its state; nothing here is shared.
 *
 * Deliberate simplifications, none visible to Linux:
 * - TX completes at once, so THR is always empty and there is no TX FIFO.
 * - There is no time, so a FIFO holding fewer bytes than the trigger
 *   level reports the character-timeout interrupt at once instead of after
 *   four character times; the driver treats both alike.
 * - No line errors, breaks or modem-status interrupts. Loopback is
 *   modelled (THR feeds the RX FIFO, MSR mirrors MCR) since it costs little.
 */
#include "uart16550.h"

#include <stdlib.h>

#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"

enum {
	REG_RBR_THR = 0, /* DLL when DLAB */
	REG_IER = 1,	 /* DLM when DLAB */
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_MASK 0x0f

#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_CTI 0x0c
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_TRIGGER 0xc0

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

struct uart16550 {
	struct plic *plic;
	int irq;
	bool irq_level;
	struct char_sink out;

	uint8_t rx[UART16550_FIFO_SIZE];
	unsigned rx_head, rx_count;

	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	/* The THR-empty interrupt is an event, not a level: reading IIR
	   while it is the reported cause clears it; a THR write or an
	   IER.THRI 0->1 write raises it again. */
	bool thr_ipending;

	struct uart16550_stats stats;
};

static unsigned uart_rx_capacity(const struct uart16550 *u)
{
	return u->fcr & FCR_ENABLE ? UART16550_FIFO_SIZE : 1;
}

static unsigned uart_rx_trigger(const struct uart16550 *u)
{
	static const unsigned level[4] = {1, 4, 8, 14};
	return u->fcr & FCR_ENABLE ? level[u->fcr >> 6] : 1;
}

static uint8_t uart_iir_cause(const struct uart16550 *u)
{
	if ((u->ier & IER_RDI) && u->rx_count)
		return u->rx_count >= uart_rx_trigger(u) ? IIR_RDI : IIR_CTI;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI;
	return IIR_NO_INT;
}

static void uart_update_irq(struct uart16550 *u)
{
	bool level = uart_iir_cause(u) != IIR_NO_INT;
	if (level == u->irq_level)
		return;
	u->irq_level = level;
	u->stats.interrupts += level;
	if (u->plic)
		plic_set_irq(u->plic, u->irq, level);
}

static void uart_rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static size_t uart_rx_push(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;
	while (n < len && u->rx_count < uart_rx_capacity(u)) {
		unsigned tail =
			(u->rx_head + u->rx_count) % UART16550_FIFO_SIZE;
		u->rx[tail] = buf[n++];
		u->rx_count++;
	}
	return n;
}

static uint8_t uart_rx_pop(struct uart16550 *u)
{
	if (!u->rx_count)
		return 0;
	uint8_t c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART16550_FIFO_SIZE;
	u->rx_count--;
	return c;
}

static uint8_t uart_msr(const struct uart16550 *u)
{
	/* Outside loopback: a cable that is always connected and ready. */
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	uint8_t msr = 0;
	if (u->mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

static uint8_t uart_read(struct uart16550 *u, unsigned reg)
{
	uint8_t v = 0;
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = uart_rx_pop(u);
		break;
	case REG_IER: return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = uart_iir_cause(u);
		if (v == IIR_THRI)
			u->thr_ipending = false;
		if (u->fcr & FCR_ENABLE)
			v |= IIR_FIFO_ON;
		break;
	case REG_LCR: return u->lcr;
	case REG_MCR: return u->mcr;
	case REG_LSR: return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case REG_MSR: return uart_msr(u);
	case REG_SCR: return u->scr;
	}
	uart_update_irq(u);
	return v;
}

static void uart_transmit(struct uart16550 *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP)
		uart_rx_push(u, &c, 1); /* a full FIFO drops it: an overrun */
	else if (u->out.write)
		u->out.write(u->out.opaque, &c, 1);
	u->stats.tx_bytes++;
	u->thr_ipending = true;
}

static void uart_write_fcr(struct uart16550 *u, uint8_t val)
{
	if ((val ^ u->fcr) & FCR_ENABLE || val & FCR_CLEAR_RX)
		uart_rx_clear(u);
	/* TX clear (bit 2) and DMA mode (bit 3) have nothing to act on. */
	u->fcr = val & FCR_ENABLE ? val & (FCR_ENABLE | FCR_TRIGGER) : 0;
}

static void uart_write(struct uart16550 *u, unsigned reg, uint8_t val)
{
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			uart_transmit(u, val);
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* Re-enabling THRI with THR empty raises the interrupt again;
		   Linux's THRE test at startup and its TX path rely on it. */
		if ((u->ier ^ val) & IER_THRI)
			u->thr_ipending = (val & IER_THRI) != 0;
		u->ier = val & IER_MASK;
		break;
	case REG_IIR_FCR: uart_write_fcr(u, val); break;
	case REG_LCR: u->lcr = val; break;
	case REG_MCR: u->mcr = val & MCR_MASK; break;
	case REG_SCR: u->scr = val; break;
	}
	uart_update_irq(u);
}

/* Byte registers at offsets 0..7 (reg-shift 0). A wider access acts on
   the register at its offset with the low byte; the rest of the region
   reads 0. */
static uint64_t uart_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct uart16550 *u = opaque;
	(void)size;
	u->stats.mmio_exits++;
	return off < 8 ? uart_read(u, (unsigned)off) : 0;
}

static void uart_mmio_write(void *opaque, uint64_t off, uint64_t val,
			    unsigned size)
{
	struct uart16550 *u = opaque;
	(void)size;
	u->stats.mmio_exits++;
	if (off < 8)
		uart_write(u, (unsigned)off, (uint8_t)val);
}

size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	/* In loopback the receiver is cut off from the line. */
	if (u->mcr & MCR_LOOP)
		return 0;
	size_t n = uart_rx_push(u, buf, len);
	u->stats.rx_bytes += n;
	if (n)
		uart_update_irq(u);
	return n;
}

void uart16550_get_stats(const struct uart16550 *u, struct uart16550_stats *s)
{
	*s = u->stats;
}

bool uart16550_can_receive(const struct uart16550 *u)
{
	return !(u->mcr & MCR_LOOP) && u->rx_count < uart_rx_capacity(u);
}

struct uart16550 *uart16550_create(struct bus *bus,
				   const struct memmap_entry *e,
				   struct plic *plic,
				   const struct char_sink *out)
{
	struct uart16550 *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->plic = plic;
	u->irq = e->irq;
	if (out)
		u->out = *out;
	struct mmio_region r = {
		.name = e->name,
		.base = e->base,
		.size = e->size,
		.opaque = u,
		.read = uart_mmio_read,
		.write = uart_mmio_write,
	};
	if (bus_add_mmio(bus, &r) < 0) {
		free(u);
		return NULL;
	}
	return u;
}

void uart16550_free(struct uart16550 *u)
{
	free(u);
}
