/*
 * OpenCores Ethernet MAC unit tests: the registers and descriptors driven
 * the way Linux's ethoc driver drives them (MDIO reads of the PHY, a TX
 * descriptor reaching a fake back end, RX into EMPTY descriptors with an
 * FCS-inclusive length and the RXF interrupt through the PLIC), address
 * filtering, and descriptor addresses outside RAM refused.
 */
#include <check.h>
#include <string.h>

#include "emulator/backend/net.h"
#include "emulator/devices/ethoc.h"
#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/memmap.h"

#define RAM_BASE 0x80000000ull
#define TXBUF (RAM_BASE + 0x10000)
#define RXBUF (RAM_BASE + 0x20000)
#define NUM_TX 8

struct fake {
	struct net_backend nb;
	uint8_t sent[4][2048];
	size_t sent_len[4];
	int nsent;
	int rx_ready_calls;
};

static void fake_send(struct net_backend *b, const struct iovec *iov,
		      int iovcnt)
{
	struct fake *f = (struct fake *)b;
	size_t n = 0;
	for (int k = 0; k < iovcnt; k++) {
		memcpy(f->sent[f->nsent % 4] + n, iov[k].iov_base,
		       iov[k].iov_len);
		n += iov[k].iov_len;
	}
	f->sent_len[f->nsent % 4] = n;
	f->nsent++;
}

static void fake_rx_ready(struct net_backend *b)
{
	((struct fake *)b)->rx_ready_calls++;
}

static const struct net_ops fake_ops = {.send = fake_send,
					.rx_ready = fake_rx_ready};

struct rig {
	struct bus bus;
	struct plic *plic;
	struct ethoc *eth;
	struct fake fake;
};

static void no_ext_irq(void *opaque, int ctx, bool level)
{
	(void)opaque, (void)ctx, (void)level;
}

static const uint8_t our_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(bus_init(&r->bus, RAM_BASE, 1 << 20), 0);
	r->plic =
		plic_create(&r->bus, &virt_memmap[VIRT_PLIC], no_ext_irq, NULL);
	ck_assert_ptr_nonnull(r->plic);
	r->fake.nb.ops = &fake_ops;
	memcpy(r->fake.nb.mac, our_mac, 6);
	r->eth = ethoc_create(&r->bus, &virt_memmap[VIRT_ETHOC], r->plic,
			      &r->fake.nb);
	ck_assert_ptr_nonnull(r->eth);
}

static void rig_free(struct rig *r)
{
	ethoc_free(r->eth);
	plic_free(r->plic);
	bus_free(&r->bus);
}

static uint32_t rd(struct rig *r, uint64_t off)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus, virt_memmap[VIRT_ETHOC].base + off, 4, &v));
	return (uint32_t)v;
}

static void wr(struct rig *r, uint64_t off, uint32_t v)
{
	ck_assert(bus_write(&r->bus, virt_memmap[VIRT_ETHOC].base + off, 4, v));
}

/* Address first: the stat write with READY/EMPTY is what starts the
   hardware (Linux writes the address in an earlier write of the pair). */
static void wr_bd(struct rig *r, unsigned i, uint32_t stat, uint32_t addr)
{
	wr(r, ETHOC_BD_BASE + 8 * i + 4, addr);
	wr(r, ETHOC_BD_BASE + 8 * i, stat);
}

static uint32_t bd_stat(struct rig *r, unsigned i)
{
	return rd(r, ETHOC_BD_BASE + 8 * i);
}

static uint16_t mdio_read(struct rig *r, unsigned phy, unsigned reg)
{
	wr(r, ETHOC_MIIADDRESS, phy | reg << 8);
	wr(r, ETHOC_MIICOMMAND, ETHOC_MIICOMMAND_READ);
	ck_assert_uint_eq(rd(r, ETHOC_MIISTATUS) & ETHOC_MIISTATUS_BUSY, 0);
	uint16_t v = (uint16_t)rd(r, ETHOC_MIIRX_DATA);
	wr(r, ETHOC_MIICOMMAND, 0);
	return v;
}

static void mdio_write(struct rig *r, unsigned phy, unsigned reg, uint16_t v)
{
	wr(r, ETHOC_MIIADDRESS, phy | reg << 8);
	wr(r, ETHOC_MIITX_DATA, v);
	wr(r, ETHOC_MIICOMMAND, ETHOC_MIICOMMAND_WRITE);
	ck_assert_uint_eq(rd(r, ETHOC_MIISTATUS) & ETHOC_MIISTATUS_BUSY, 0);
	wr(r, ETHOC_MIICOMMAND, 0);
}

static bool plic_pending(struct rig *r, int irq)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus,
			   virt_memmap[VIRT_PLIC].base + PLIC_PENDING_BASE +
				   4 * (irq / 32),
			   4, &v));
	return v >> (irq % 32) & 1;
}

/* ethoc_init_ring + ethoc_reset, as Linux's ethoc_open runs them: 8 TX
   descriptors, RX from 8 with WRAP on the last of nrx. */
static void linux_open(struct rig *r, unsigned nrx, uint64_t rxbuf)
{
	wr(r, ETHOC_TX_BD_NUM, NUM_TX);
	for (unsigned i = 0; i < NUM_TX; i++)
		wr_bd(r, i,
		      ETHOC_BD_IRQ | ETHOC_TXBD_CRC |
			      (i == NUM_TX - 1 ? ETHOC_BD_WRAP : 0),
		      (uint32_t)(TXBUF + 1536 * i));
	for (unsigned i = 0; i < nrx; i++)
		wr_bd(r, NUM_TX + i,
		      ETHOC_BD_READY | ETHOC_BD_IRQ |
			      (i == nrx - 1 ? ETHOC_BD_WRAP : 0),
		      (uint32_t)(rxbuf + 1536 * i));
	uint32_t m = rd(r, ETHOC_MODER);
	wr(r, ETHOC_MODER, m & ~(ETHOC_MODER_RXEN | ETHOC_MODER_TXEN));
	wr(r, ETHOC_MODER,
	   rd(r, ETHOC_MODER) | ETHOC_MODER_CRC | ETHOC_MODER_PAD |
		   ETHOC_MODER_FULLD);
	wr(r, ETHOC_INT_SOURCE, 0x7f);
	wr(r, ETHOC_INT_MASK, 0x7f);
	wr(r, ETHOC_MODER,
	   rd(r, ETHOC_MODER) | ETHOC_MODER_RXEN | ETHOC_MODER_TXEN);
}

/* The Ethernet FCS, bit by bit: an independent check of the model's. */
static uint32_t ref_crc(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

START_TEST(mdio_phy_as_phylib_sees_it)
{
	struct rig r;
	rig_init(&r);
	/* Linux's bus scan: every address but ours reads all ones */
	ck_assert_uint_eq(mdio_read(&r, 0, 2), 0xffff);
	ck_assert_uint_eq(mdio_read(&r, 0, 3), 0xffff);
	ck_assert_uint_eq(mdio_read(&r, ETHOC_PHY_ADDR, 2), ETHOC_PHY_ID1);
	ck_assert_uint_eq(mdio_read(&r, ETHOC_PHY_ADDR, 3), ETHOC_PHY_ID2);
	uint16_t bmsr = mdio_read(&r, ETHOC_PHY_ADDR, 1);
	ck_assert(bmsr & 0x0004);    /* link up */
	ck_assert(bmsr & 0x0020);    /* autoneg complete */
	ck_assert(bmsr & 0x4000);    /* 100 full */
	ck_assert(!(bmsr & 0x0100)); /* no extended status: no gigabit */
	/* genphy restarts autonegotiation: the bit clears at once */
	mdio_write(&r, ETHOC_PHY_ADDR, 0, 0x1000 | 0x0200);
	ck_assert_uint_eq(mdio_read(&r, ETHOC_PHY_ADDR, 0) & 0x0200, 0);
	mdio_write(&r, ETHOC_PHY_ADDR, 4, 0x05e1);
	ck_assert_uint_eq(mdio_read(&r, ETHOC_PHY_ADDR, 4), 0x05e1);
	ck_assert_uint_eq(mdio_read(&r, ETHOC_PHY_ADDR, 5) & 0x0100, 0x0100);
	ethoc_set_link(r.eth, false);
	ck_assert_uint_eq(mdio_read(&r, ETHOC_PHY_ADDR, 1) & 0x0024, 0);
	ck_assert(rd(&r, ETHOC_MIISTATUS) & ETHOC_MIISTATUS_LINKFAIL);
	rig_free(&r);
}
END_TEST

START_TEST(mac_registers_follow_the_back_end)
{
	struct rig r;
	rig_init(&r);
	ck_assert_uint_eq(rd(&r, ETHOC_MAC_ADDR0), 0x00123456);
	ck_assert_uint_eq(rd(&r, ETHOC_MAC_ADDR1), 0x5254);
	wr(&r, ETHOC_MAC_ADDR0, 0x0a0b0c0d);
	wr(&r, ETHOC_MAC_ADDR1, 0x0203);
	const uint8_t want[6] = {2, 3, 0x0a, 0x0b, 0x0c, 0x0d};
	ck_assert_mem_eq(r.fake.nb.mac, want, 6);
	rig_free(&r);
}
END_TEST

START_TEST(tx_ready_descriptor_reaches_back_end)
{
	struct rig r;
	rig_init(&r);
	linux_open(&r, 4, RXBUF);
	uint8_t frame[100];
	for (size_t k = 0; k < sizeof(frame); k++)
		frame[k] = (uint8_t)k;
	ck_assert(bus_copy_to_ram(&r.bus, TXBUF, frame, sizeof(frame)));
	/* ethoc_start_xmit: length first, then READY */
	uint32_t stat = bd_stat(&r, 0) & ~0xffff0000u;
	wr_bd(&r, 0, stat | 100u << 16, (uint32_t)TXBUF);
	ck_assert_int_eq(r.fake.nsent, 0);
	wr_bd(&r, 0, stat | 100u << 16 | ETHOC_BD_READY, (uint32_t)TXBUF);
	ck_assert_int_eq(r.fake.nsent, 1);
	ck_assert_uint_eq(r.fake.sent_len[0], 100);
	ck_assert_mem_eq(r.fake.sent[0], frame, 100);
	ck_assert_uint_eq(bd_stat(&r, 0) & ETHOC_BD_READY, 0);
	ck_assert(rd(&r, ETHOC_INT_SOURCE) & ETHOC_INT_TXF);
	ck_assert(plic_pending(&r, virt_memmap[VIRT_ETHOC].irq));
	/* the ISR acks: the level line drops */
	wr(&r, ETHOC_INT_SOURCE, ETHOC_INT_TXF);
	ck_assert_uint_eq(rd(&r, ETHOC_INT_SOURCE), 0);

	/* a short frame with PAD goes out padded to 60 bytes */
	ck_assert(bus_copy_to_ram(&r.bus, TXBUF + 1536, frame, 20));
	wr_bd(&r, 1,
	      ETHOC_BD_IRQ | ETHOC_TXBD_CRC | ETHOC_TXBD_PAD | 20u << 16 |
		      ETHOC_BD_READY,
	      (uint32_t)(TXBUF + 1536));
	ck_assert_int_eq(r.fake.nsent, 2);
	ck_assert_uint_eq(r.fake.sent_len[1], 60);
	ck_assert_uint_eq(r.fake.sent[1][59], 0);
	struct ethoc_stats st;
	ethoc_get_stats(r.eth, &st);
	ck_assert_uint_eq(st.tx_frames, 2);
	ck_assert_uint_eq(st.tx_bytes, 160);
	ck_assert_uint_ge(st.interrupts, 1);
	rig_free(&r);
}
END_TEST

START_TEST(rx_fills_empty_descriptor_with_fcs)
{
	struct rig r;
	rig_init(&r);
	linux_open(&r, 2, RXBUF);
	uint8_t frame[200];
	memcpy(frame, our_mac, 6);
	memset(frame + 6, 0xaa, 6);
	for (size_t k = 12; k < sizeof(frame); k++)
		frame[k] = (uint8_t)(k * 7);
	ck_assert(r.fake.nb.front.receive(r.fake.nb.front.opaque, frame,
					  sizeof(frame)));
	uint32_t stat = bd_stat(&r, NUM_TX);
	ck_assert_uint_eq(stat & ETHOC_BD_READY, 0);
	ck_assert_uint_eq(stat >> 16, sizeof(frame) + 4); /* FCS counted */
	ck_assert_uint_eq(stat & 0x1ff, 0);
	uint8_t got[204];
	ck_assert(bus_copy_from_ram(&r.bus, RXBUF, got, sizeof(got)));
	ck_assert_mem_eq(got, frame, sizeof(frame));
	uint32_t fcs = ref_crc(frame, sizeof(frame));
	ck_assert_uint_eq(got[200] | got[201] << 8 | got[202] << 16 |
				  (uint32_t)got[203] << 24,
			  fcs);
	ck_assert(rd(&r, ETHOC_INT_SOURCE) & ETHOC_INT_RXF);
	ck_assert(plic_pending(&r, virt_memmap[VIRT_ETHOC].irq));

	/* a 42-byte ARP reply is padded to the 60-byte minimum */
	uint8_t arp[42];
	memcpy(arp, our_mac, 6);
	memset(arp + 6, 0x11, 36);
	ck_assert(r.fake.nb.front.receive(r.fake.nb.front.opaque, arp, 42));
	ck_assert_uint_eq(bd_stat(&r, NUM_TX + 1) >> 16, 64);

	/* the ring is full: refused, kept by the back end, no frame lost */
	ck_assert(!r.fake.nb.front.receive(r.fake.nb.front.opaque, frame,
					   sizeof(frame)));
	struct ethoc_stats st;
	ethoc_get_stats(r.eth, &st);
	ck_assert_uint_eq(st.rx_no_buffer, 1);
	ck_assert_uint_eq(st.rx_frames, 2);
	/* ethoc_rx gives the descriptor back: the back end hears of room,
	   and the next frame lands in the first descriptor (WRAP) */
	int before = r.fake.rx_ready_calls;
	wr(&r, ETHOC_BD_BASE + 8 * NUM_TX,
	   (bd_stat(&r, NUM_TX) & ~0x1ffu & 0xffffu) | ETHOC_BD_READY);
	ck_assert_int_gt(r.fake.rx_ready_calls, before);
	ck_assert(r.fake.nb.front.receive(r.fake.nb.front.opaque, frame,
					  sizeof(frame)));
	ck_assert_uint_eq(bd_stat(&r, NUM_TX) & ETHOC_BD_READY, 0);
	rig_free(&r);
}
END_TEST

START_TEST(rx_address_filter)
{
	struct rig r;
	rig_init(&r);
	linux_open(&r, 4, RXBUF);
	uint8_t frame[60] = {0x52, 0x54, 0x00, 0x99, 0x99, 0x99};
	ck_assert(r.fake.nb.front.receive(r.fake.nb.front.opaque, frame, 60));
	ck_assert(bd_stat(&r, NUM_TX) & ETHOC_BD_READY); /* not for us */
	memset(frame, 0xff, 6);
	ck_assert(r.fake.nb.front.receive(r.fake.nb.front.opaque, frame, 60));
	ck_assert(!(bd_stat(&r, NUM_TX) & ETHOC_BD_READY)); /* broadcast */
	wr(&r, ETHOC_MODER, rd(&r, ETHOC_MODER) | ETHOC_MODER_PRO);
	memcpy(frame, (uint8_t[]){0x52, 0x54, 0, 1, 2, 3}, 6);
	ck_assert(r.fake.nb.front.receive(r.fake.nb.front.opaque, frame, 60));
	ck_assert(!(bd_stat(&r, NUM_TX + 1) & ETHOC_BD_READY)); /* promisc */
	struct ethoc_stats st;
	ethoc_get_stats(r.eth, &st);
	ck_assert_uint_eq(st.rx_filtered, 1);
	rig_free(&r);
}
END_TEST

START_TEST(descriptor_outside_ram_refused)
{
	struct rig r;
	rig_init(&r);
	linux_open(&r, 2, RXBUF);
	/* TX from the PLIC's registers and from past the end of RAM */
	wr_bd(&r, 0, ETHOC_BD_IRQ | ETHOC_TXBD_CRC | 64u << 16 | ETHOC_BD_READY,
	      (uint32_t)virt_memmap[VIRT_PLIC].base);
	ck_assert_int_eq(r.fake.nsent, 0);
	ck_assert(bd_stat(&r, 0) & ETHOC_TXBD_UR);
	ck_assert(rd(&r, ETHOC_INT_SOURCE) & ETHOC_INT_TXE);
	wr_bd(&r, 1, ETHOC_BD_IRQ | ETHOC_TXBD_CRC | 64u << 16 | ETHOC_BD_READY,
	      (uint32_t)(RAM_BASE + (1 << 20) - 10));
	ck_assert_int_eq(r.fake.nsent, 0);
	/* RX into a buffer straddling the end of RAM */
	wr_bd(&r, NUM_TX, ETHOC_BD_READY | ETHOC_BD_IRQ,
	      (uint32_t)(RAM_BASE + (1 << 20) - 32));
	uint8_t frame[100];
	memcpy(frame, our_mac, 6);
	ck_assert(r.fake.nb.front.receive(r.fake.nb.front.opaque, frame, 100));
	uint32_t stat = bd_stat(&r, NUM_TX);
	ck_assert_uint_eq(stat & ETHOC_BD_READY, 0);
	ck_assert(stat & ETHOC_RXBD_OR);
	ck_assert(rd(&r, ETHOC_INT_SOURCE) & ETHOC_INT_RXE);
	struct ethoc_stats st;
	ethoc_get_stats(r.eth, &st);
	ck_assert_uint_eq(st.dma_errors, 3);
	ck_assert_uint_eq(st.rx_frames, 0);
	rig_free(&r);
}
END_TEST

Suite *ethoc_suite(void)
{
	Suite *s = suite_create("ethoc");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, mdio_phy_as_phylib_sees_it);
	tcase_add_test(tc, mac_registers_follow_the_back_end);
	tcase_add_test(tc, tx_ready_descriptor_reaches_back_end);
	tcase_add_test(tc, rx_fills_empty_descriptor_with_fcs);
	tcase_add_test(tc, rx_address_filter);
	tcase_add_test(tc, descriptor_outside_ram_refused);
	suite_add_tcase(s, tc);
	return s;
}
