/*
 * Guest OpenCores Ethernet MAC driver (see ethoc.h). Register layout and
 * descriptor bits as in the OpenCores Ethernet IP core specification
 * (and Linux's drivers/net/ethernet/ethoc.c).
 */
#include "ethoc.h"

#include "runtime.h"

enum {
	MODER = 0x00,
	INT_SOURCE = 0x04,
	INT_MASK = 0x08,
	PACKETLEN = 0x18,
	TX_BD_NUM = 0x20,
	MAC_ADDR0 = 0x40,
	MAC_ADDR1 = 0x44,
	BD_BASE = 0x400,

	MODER_RXEN = 1u << 0,
	MODER_TXEN = 1u << 1,
	MODER_FULLD = 1u << 10,
	MODER_CRC = 1u << 13,
	MODER_PAD = 1u << 15,

	BD_READY = 1u << 15, /* TX: ready to send; RX: empty */
	BD_WRAP = 1u << 13,
	TXBD_PAD = 1u << 12,
	TXBD_CRC = 1u << 11,
	TXBD_UR = 1u << 8, /* underrun: the MAC could not read the buffer */
	FCS = 4,
};

#define SEND_TIMEOUT (10UL * 10000000UL) /* 10 s of a 10 MHz mtime */

static uint32_t rd(const struct ethoc_nic *e, uint32_t off)
{
	return *(volatile uint32_t *)(e->base + off);
}

static void wr(const struct ethoc_nic *e, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(e->base + off) = v;
}

/* Descriptor i: stat word at BD_BASE + 8 i, buffer address after it. */
static uint32_t bd_stat(const struct ethoc_nic *e, unsigned i)
{
	return rd(e, BD_BASE + 8 * i);
}

static void bd_set(const struct ethoc_nic *e, unsigned i, uint32_t stat,
		   const void *buf)
{
	wr(e, BD_BASE + 8 * i + 4, (uint32_t)(uintptr_t)buf);
	__asm__ volatile("fence rw,rw" ::: "memory");
	wr(e, BD_BASE + 8 * i, stat);
}

static void rx_arm(const struct ethoc_nic *e, unsigned k)
{
	uint32_t wrap = k == ETHOC_RX_BUFS - 1 ? BD_WRAP : 0;
	bd_set(e, ETHOC_TX_BUFS + k, BD_READY | wrap, e->rx[k]);
}

int ethoc_init(struct ethoc_nic *e)
{
	memset(e, 0, sizeof(*e));
	e->base = ETHOC_BASE;
	wr(e, MODER, 0);
	if (rd(e, TX_BD_NUM) == 0xffffffffu)
		return -1;
	wr(e, INT_MASK, 0);
	wr(e, INT_SOURCE, 0x7f);
	wr(e, TX_BD_NUM, ETHOC_TX_BUFS);
	wr(e, PACKETLEN, 0x00400600); /* 64..1536 bytes */
	uint32_t a0 = rd(e, MAC_ADDR0), a1 = rd(e, MAC_ADDR1);
	uint8_t mac[6] = {(uint8_t)(a1 >> 8),  (uint8_t)a1,
			  (uint8_t)(a0 >> 24), (uint8_t)(a0 >> 16),
			  (uint8_t)(a0 >> 8),  (uint8_t)a0};
	memcpy(e->mac, mac, 6);
	for (unsigned i = 0; i < ETHOC_TX_BUFS; i++)
		bd_set(e, i, i == ETHOC_TX_BUFS - 1 ? BD_WRAP : 0, e->tx[i]);
	for (unsigned k = 0; k < ETHOC_RX_BUFS; k++)
		rx_arm(e, k);
	wr(e, MODER, MODER_RXEN | MODER_TXEN | MODER_FULLD | MODER_CRC |
			     MODER_PAD);
	return 0;
}

int ethoc_send(struct ethoc_nic *e, const void *frame, uint32_t len)
{
	if (len < 14 || len > ETHOC_BUF - FCS)
		return -1;
	unsigned i = e->tx_next;
	uint64_t end = rt_mtime() + SEND_TIMEOUT;
	while (bd_stat(e, i) & BD_READY)
		if (rt_mtime() > end)
			return -1;
	memcpy(e->tx[i], frame, len);
	uint32_t wrap = i == ETHOC_TX_BUFS - 1 ? BD_WRAP : 0;
	bd_set(e, i, len << 16 | BD_READY | TXBD_PAD | TXBD_CRC | wrap,
	       e->tx[i]);
	e->tx_next = (i + 1) % ETHOC_TX_BUFS;
	while (bd_stat(e, i) & BD_READY)
		if (rt_mtime() > end)
			return -1;
	return bd_stat(e, i) & TXBD_UR ? -1 : 0;
}

int ethoc_recv(struct ethoc_nic *e, void *buf, uint32_t cap,
	       uint64_t timeout_ticks)
{
	unsigned k = e->rx_next;
	uint64_t end = rt_mtime() + timeout_ticks;
	uint32_t stat;
	while ((stat = bd_stat(e, ETHOC_TX_BUFS + k)) & BD_READY)
		if (rt_mtime() > end)
			return -1;
	__asm__ volatile("fence rw,rw" ::: "memory");
	uint32_t len = stat >> 16;
	len = len > FCS ? len - FCS : 0;
	if (len > ETHOC_BUF - FCS)
		len = ETHOC_BUF - FCS;
	memcpy(buf, e->rx[k], len < cap ? len : cap);
	rx_arm(e, k);
	e->rx_next = (k + 1) % ETHOC_RX_BUFS;
	return (int)len;
}
