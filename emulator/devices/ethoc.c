/*
 * OpenCores Ethernet MAC model: registers, descriptors, DMA, IRQ, MDIO.
 *
 * Talks to the bus (MMIO window, guest RAM for DMA), the PLIC (level line)
 * and a net back end (send; it calls our receive hook). Owns the register
 * file, the 128 descriptors, the TX/RX ring positions and the PHY state.
 *
 * The hardware keeps its own ring positions: TX starts at descriptor 0,
 * RX at TX_BD_NUM; each advances past a descriptor with WRAP set (or the
 * end of its area) back to its start. Linux relies on both positions
 * restarting when it rewrites TX_BD_NUM or turns RXEN/TXEN back on (as
 * QEMU's opencores_eth does), since it resets its own indices then.
 *
 * Frames go to the back end without FCS and come back without it; the RX
 * buffer gets the frame padded to the 60-byte minimum plus a real FCS,
 * and the descriptor length counts it: Linux subtracts 4.
 */
#include "ethoc.h"

#include <stdlib.h>
#include <string.h>

#include "emulator/backend/net.h"
#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"

#define NREGS (0x54 / 4 + 1)
#define ETH_MIN_DATA 60 /* minimum frame without FCS */
#define FCS_LEN 4

/* PHY register numbers and bits (include/uapi/linux/mii.h). */
enum {
	MII_BMCR = 0,
	MII_BMSR = 1,
	MII_PHYSID1 = 2,
	MII_PHYSID2 = 3,
	MII_ADVERTISE = 4,
	MII_LPA = 5,
	MII_EXPANSION = 6,
	BMCR_ANRESTART = 0x0200,
	BMCR_RESET = 0x8000,
	BMCR_DEFAULT = 0x3100, /* AN enable, 100 Mb/s, full duplex */
	/* 10/100 half and full, preamble suppression, AN able, extended
	   register set; no BMSR_ESTATEN, so phylib never asks for the
	   gigabit registers. */
	BMSR_BASE = 0x7849,
	BMSR_LSTATUS = 0x0004,
	BMSR_ANEGCOMPLETE = 0x0020,
	ADVERTISE_DEFAULT = 0x01e1,
	LPA_UP = 0x45e1, /* ACK, pause, 10/100 half/full */
};

struct ethoc {
	struct plic *plic;
	int irq;
	bool irq_level;
	struct bus *bus;
	struct net_backend *nb;

	uint32_t reg[NREGS];
	uint32_t bd[ETHOC_NUM_BD * 2]; /* {stat, addr} pairs */
	unsigned tx_pos, rx_pos;
	bool in_tx; /* a back end may answer from inside send */

	uint16_t bmcr, advertise;
	bool link_up;
	uint8_t mac0[6]; /* the MAC at creation, which a reset restores */

	struct ethoc_stats st;
};

/* --- CRC-32 (IEEE 802.3), a nibble at a time -------------------------------
   A 16-entry table keeps it small and fast enough next to the copy. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

static uint32_t crc32_raw(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return crc;
}

static uint32_t bitrev32(uint32_t x)
{
	uint32_t r = 0;
	for (int k = 0; k < 32; k++, x >>= 1)
		r = (r << 1) | (x & 1);
	return r;
}

/* --- interrupts ------------------------------------------------------------ */

static void update_irq(struct ethoc *s)
{
	bool level =
		(s->reg[ETHOC_INT_SOURCE / 4] & s->reg[ETHOC_INT_MASK / 4]);
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (level)
		s->st.interrupts++;
	if (s->plic)
		plic_set_irq(s->plic, s->irq, level);
}

static void raise_int(struct ethoc *s, uint32_t bits)
{
	s->reg[ETHOC_INT_SOURCE / 4] |= bits;
	update_irq(s);
}

/* --- MAC address --------------------------------------------------------- */

static void mac_to_regs(struct ethoc *s, const uint8_t *mac)
{
	s->reg[ETHOC_MAC_ADDR0 / 4] = (uint32_t)mac[2] << 24 |
				      (uint32_t)mac[3] << 16 |
				      (uint32_t)mac[4] << 8 | mac[5];
	s->reg[ETHOC_MAC_ADDR1 / 4] = (uint32_t)mac[0] << 8 | mac[1];
}

static void regs_to_mac(const struct ethoc *s, uint8_t *mac)
{
	uint32_t a0 = s->reg[ETHOC_MAC_ADDR0 / 4];
	uint32_t a1 = s->reg[ETHOC_MAC_ADDR1 / 4];
	mac[0] = (uint8_t)(a1 >> 8);
	mac[1] = (uint8_t)a1;
	mac[2] = (uint8_t)(a0 >> 24);
	mac[3] = (uint8_t)(a0 >> 16);
	mac[4] = (uint8_t)(a0 >> 8);
	mac[5] = (uint8_t)a0;
}

/* --- PHY ------------------------------------------------------------------ */

static void phy_reset(struct ethoc *s)
{
	s->bmcr = BMCR_DEFAULT;
	s->advertise = ADVERTISE_DEFAULT;
}

/* Absent addresses read all ones: that is how phylib's bus scan tells
   "no PHY here" (get_phy_c22_id). */
static uint16_t phy_read(const struct ethoc *s, unsigned addr, unsigned reg)
{
	if (addr != ETHOC_PHY_ADDR)
		return 0xffff;
	switch (reg) {
	case MII_BMCR: return s->bmcr;
	case MII_BMSR:
		return BMSR_BASE |
		       (s->link_up ? BMSR_LSTATUS | BMSR_ANEGCOMPLETE : 0);
	case MII_PHYSID1: return ETHOC_PHY_ID1;
	case MII_PHYSID2: return ETHOC_PHY_ID2;
	case MII_ADVERTISE: return s->advertise;
	case MII_LPA: return s->link_up ? LPA_UP : 0;
	case MII_EXPANSION:
		return s->link_up ? 1 : 0; /* link partner can autonegotiate */
	}
	return 0;
}

/* Reset and restart-autonegotiation complete at once: the emulated link
   needs no time to come up, and phylib treats a pending restart as
   link down. */
static void phy_write(struct ethoc *s, unsigned addr, unsigned reg,
		      uint16_t val)
{
	if (addr != ETHOC_PHY_ADDR)
		return;
	if (reg == MII_BMCR) {
		if (val & BMCR_RESET)
			phy_reset(s);
		else
			s->bmcr = val & ~(BMCR_RESET | BMCR_ANRESTART);
	} else if (reg == MII_ADVERTISE) {
		s->advertise = val;
	}
}

/* Commands complete immediately: the driver polls MIISTATUS.BUSY only
   five times and fails the MDIO bus registration on a timeout. */
static void mii_command(struct ethoc *s, uint32_t cmd)
{
	uint32_t a = s->reg[ETHOC_MIIADDRESS / 4];
	unsigned fiad = a & 0x1f, rgad = (a >> 8) & 0x1f;
	if (cmd & ETHOC_MIICOMMAND_READ)
		s->reg[ETHOC_MIIRX_DATA / 4] = phy_read(s, fiad, rgad);
	if (cmd & ETHOC_MIICOMMAND_WRITE)
		phy_write(s, fiad, rgad,
			  (uint16_t)s->reg[ETHOC_MIITX_DATA / 4]);
}

/* --- transmit --------------------------------------------------------------- */

static unsigned tx_bd_num(const struct ethoc *s)
{
	return s->reg[ETHOC_TX_BD_NUM / 4];
}

static void tx_one(struct ethoc *s, unsigned i)
{
	uint32_t stat = s->bd[2 * i], addr = s->bd[2 * i + 1];
	size_t len = stat >> 16;
	uint8_t *p = bus_ram_ptr(s->bus, addr, len);
	stat &= ~(ETHOC_BD_READY | 0x1ffu); /* status bits from a past use */
	if (!p || len == 0) {
		/* A buffer outside RAM is the guest's bug; report it as an
		   underrun rather than read host memory. */
		s->bd[2 * i] = stat | ETHOC_TXBD_UR;
		s->st.dma_errors++;
		raise_int(s, ETHOC_INT_TXE);
		return;
	}
	/* Without BD.CRC the software supplied the FCS in the buffer:
	   back ends take frames without one. */
	if (!(stat & ETHOC_TXBD_CRC) && len > FCS_LEN)
		len -= FCS_LEN;
	static const uint8_t zeros[ETH_MIN_DATA];
	struct iovec iov[2] = {{p, len}, {(void *)zeros, 0}};
	int n = 1;
	if (len < ETH_MIN_DATA &&
	    ((stat & ETHOC_TXBD_PAD) ||
	     (s->reg[ETHOC_MODER / 4] & ETHOC_MODER_PAD))) {
		iov[1].iov_len = ETH_MIN_DATA - len;
		n = 2;
	}
	s->bd[2 * i] = stat;
	s->st.tx_frames++;
	s->st.tx_bytes += len + iov[1].iov_len;
	if (s->nb)
		s->nb->ops->send(s->nb, iov, n);
	if (stat & ETHOC_BD_IRQ)
		raise_int(s, ETHOC_INT_TXF);
}

/* Sends every READY descriptor from the TX position on. A back end may
   deliver a reply from inside send; that touches only RX state. */
static void tx_process(struct ethoc *s)
{
	if (s->in_tx || !(s->reg[ETHOC_MODER / 4] & ETHOC_MODER_TXEN))
		return;
	s->in_tx = true;
	for (unsigned n = 0; n < ETHOC_NUM_BD; n++) {
		unsigned num = tx_bd_num(s), i = s->tx_pos;
		if (num == 0)
			break;
		if (i >= num)
			i = s->tx_pos = 0;
		uint32_t stat = s->bd[2 * i];
		if (!(stat & ETHOC_BD_READY))
			break;
		tx_one(s, i);
		s->tx_pos = (stat & ETHOC_BD_WRAP) || i + 1 >= num ? 0 : i + 1;
	}
	s->in_tx = false;
}

/* --- receive ------------------------------------------------------------------ */

static bool rx_accepts(const struct ethoc *s, const uint8_t *dst)
{
	uint32_t moder = s->reg[ETHOC_MODER / 4];
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	if (moder & ETHOC_MODER_PRO)
		return true;
	if (!memcmp(dst, bcast, 6))
		return !(moder & ETHOC_MODER_BRO);
	if (dst[0] & 1) {
		/* The hash Linux programs: bit = ether_crc(addr) >> 26. */
		uint32_t bit = bitrev32(crc32_raw(~0u, dst, 6)) >> 26;
		uint32_t h = s->reg[(bit < 32 ? ETHOC_HASH0 : ETHOC_HASH1) / 4];
		return h >> (bit & 31) & 1;
	}
	uint8_t mac[6];
	regs_to_mac(s, mac);
	return !memcmp(dst, mac, 6);
}

static bool ethoc_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct ethoc *s = opaque;
	uint32_t moder = s->reg[ETHOC_MODER / 4];
	unsigned num = tx_bd_num(s);
	if (!(moder & ETHOC_MODER_RXEN) || num >= ETHOC_NUM_BD || len < 14 ||
	    !rx_accepts(s, frame)) {
		s->st.rx_filtered++;
		return true; /* gone, as on a wire */
	}
	if (s->rx_pos < num || s->rx_pos >= ETHOC_NUM_BD)
		s->rx_pos = num;
	unsigned i = s->rx_pos;
	uint32_t stat = s->bd[2 * i], addr = s->bd[2 * i + 1];
	if (!(stat & ETHOC_BD_READY)) {
		/* No room: the back end keeps the frame and retries on
		   rx_ready, so nothing is lost and BUSY stays quiet. */
		s->st.rx_no_buffer++;
		return false;
	}
	size_t data = len < ETH_MIN_DATA ? ETH_MIN_DATA : len;
	size_t total = data + FCS_LEN;
	size_t maxfl = moder & ETHOC_MODER_HUGEN
			       ? 0xffff
			       : (s->reg[ETHOC_PACKETLEN / 4] & 0xffff);
	stat &= ~(ETHOC_BD_READY | 0x1ffu);
	if (total > maxfl) {
		stat |= ETHOC_RXBD_TL;
		total = maxfl;
	}
	uint8_t *p = bus_ram_ptr(s->bus, addr, total);
	if (!p) {
		s->st.dma_errors++;
		s->bd[2 * i] = stat | ETHOC_RXBD_OR;
		raise_int(s, ETHOC_INT_RXE);
	} else {
		uint8_t tail[ETH_MIN_DATA + FCS_LEN] = {0};
		size_t copy = len < total ? len : total;
		memcpy(p, frame, copy);
		uint32_t crc = crc32_raw(~0u, frame, len);
		if (data > len)
			crc = crc32_raw(crc, tail, data - len);
		crc = ~crc;
		for (int k = 0; k < FCS_LEN; k++)
			tail[data - len + (size_t)k] =
				(uint8_t)(crc >> (8 * k));
		/* padding and FCS, cut where a too-long frame was cut */
		if (copy < total)
			memcpy(p + copy, tail, total - copy);
		s->bd[2 * i] = stat | (uint32_t)total << 16;
		s->st.rx_frames++;
		s->st.rx_bytes += len;
		if (stat & ETHOC_BD_IRQ)
			raise_int(s, stat & ETHOC_RXBD_TL ? ETHOC_INT_RXE
							  : ETHOC_INT_RXF);
	}
	s->rx_pos =
		(stat & ETHOC_BD_WRAP) || i + 1 >= ETHOC_NUM_BD ? num : i + 1;
	return true;
}

static void rx_room(struct ethoc *s)
{
	if (s->nb && s->nb->ops->rx_ready &&
	    (s->reg[ETHOC_MODER / 4] & ETHOC_MODER_RXEN))
		s->nb->ops->rx_ready(s->nb);
}

/* --- registers ------------------------------------------------------------------ */

static void reset_regs(struct ethoc *s)
{
	memset(s->reg, 0, sizeof(s->reg));
	s->reg[ETHOC_MODER / 4] = ETHOC_MODER_PAD | ETHOC_MODER_CRC;
	s->reg[ETHOC_IPGT / 4] = 0x12;
	s->reg[ETHOC_IPGR1 / 4] = 0x0c;
	s->reg[ETHOC_IPGR2 / 4] = 0x12;
	s->reg[ETHOC_PACKETLEN / 4] = 0x00400600; /* 64..1536 */
	s->reg[ETHOC_COLLCONF / 4] = 0x000f003f;
	s->reg[ETHOC_TX_BD_NUM / 4] = 0x40;
	s->reg[ETHOC_MIIMODER / 4] = 0x64;
	s->tx_pos = 0;
	s->rx_pos = 0x40;
}

static uint32_t reg_read(struct ethoc *s, uint64_t off)
{
	if (off >= ETHOC_BD_BASE && off < ETHOC_BD_BASE + sizeof(s->bd))
		return s->bd[(off - ETHOC_BD_BASE) / 4];
	if (off >= sizeof(s->reg))
		return 0;
	if (off == ETHOC_MIISTATUS)
		return s->link_up ? 0 : ETHOC_MIISTATUS_LINKFAIL;
	return s->reg[off / 4];
}

static void bd_write(struct ethoc *s, uint64_t off, uint32_t val)
{
	unsigned w = (unsigned)(off - ETHOC_BD_BASE) / 4, i = w / 2;
	s->bd[w] = val;
	if (w & 1 || !(val & ETHOC_BD_READY))
		return;
	if (i < tx_bd_num(s))
		tx_process(s);
	else
		rx_room(s);
}

static void reg_write(struct ethoc *s, uint64_t off, uint32_t val)
{
	if (off >= ETHOC_BD_BASE && off < ETHOC_BD_BASE + sizeof(s->bd)) {
		bd_write(s, off, val);
		return;
	}
	if (off >= sizeof(s->reg))
		return;
	uint32_t old = s->reg[off / 4];
	switch (off) {
	case ETHOC_MODER:
		s->reg[0] = val & 0x1ffff;
		if ((val & ~old) & ETHOC_MODER_TXEN) {
			s->tx_pos = 0;
			tx_process(s);
		}
		if ((val & ~old) & ETHOC_MODER_RXEN) {
			s->rx_pos = tx_bd_num(s);
			rx_room(s);
		}
		break;
	case ETHOC_INT_SOURCE:
		s->reg[off / 4] &= ~val; /* write 1 to clear */
		update_irq(s);
		break;
	case ETHOC_INT_MASK:
		s->reg[off / 4] = val & 0x7f;
		update_irq(s);
		break;
	case ETHOC_TX_BD_NUM:
		if (val > ETHOC_NUM_BD)
			val = ETHOC_NUM_BD;
		s->reg[off / 4] = val;
		s->tx_pos = 0;
		s->rx_pos = val;
		break;
	case ETHOC_MIICOMMAND:
		s->reg[off / 4] = val & 7;
		mii_command(s, val);
		break;
	case ETHOC_MIISTATUS:
	case ETHOC_MIIRX_DATA: break; /* read only */
	case ETHOC_MAC_ADDR0:
	case ETHOC_MAC_ADDR1:
		s->reg[off / 4] = off == ETHOC_MAC_ADDR1 ? val & 0xffff : val;
		/* back ends that build frames for the guest (TUN) use it */
		if (s->nb)
			regs_to_mac(s, s->nb->mac);
		break;
	default: s->reg[off / 4] = val;
	}
}

/* Linux uses 32-bit accesses only; narrower ones act on their bytes of
   the 32-bit register, wider ones as two 32-bit halves. */
static uint64_t ethoc_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct ethoc *s = opaque;
	s->st.mmio_reads++;
	if (size == 8)
		return reg_read(s, off & ~3ull) |
		       (uint64_t)reg_read(s, (off & ~3ull) + 4) << 32;
	uint32_t v = reg_read(s, off & ~3ull) >> (8 * (off & 3));
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void ethoc_mmio_write(void *opaque, uint64_t off, uint64_t val,
			     unsigned size)
{
	struct ethoc *s = opaque;
	s->st.mmio_writes++;
	if (size == 8) {
		reg_write(s, off & ~3ull, (uint32_t)val);
		reg_write(s, (off & ~3ull) + 4, (uint32_t)(val >> 32));
		return;
	}
	if (size < 4) {
		unsigned sh = 8 * (unsigned)(off & 3);
		uint32_t mask = ((1u << (8 * size)) - 1) << sh;
		/* merge with the other bytes, except in the write-1-to-clear
		   register where writing them back would clear them */
		uint32_t cur = (off & ~3ull) == ETHOC_INT_SOURCE
				       ? 0
				       : reg_read(s, off & ~3ull);
		val = (cur & ~mask) | (((uint32_t)val << sh) & mask);
	}
	reg_write(s, off & ~3ull, (uint32_t)val);
}

/* --- life cycle ------------------------------------------------------------------- */

struct ethoc *ethoc_create(struct bus *bus, const struct memmap_entry *e,
			   struct plic *plic, struct net_backend *backend)
{
	struct ethoc *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->bus = bus;
	s->plic = plic;
	s->irq = e->irq;
	s->nb = backend;
	s->link_up = true;
	static const uint8_t default_mac[6] = {0x52, 0x54, 0x00,
					       0x12, 0x34, 0x56};
	memcpy(s->mac0, backend ? backend->mac : default_mac, 6);
	ethoc_reset(s);
	struct mmio_region reg = {
		.name = e->name,
		.base = e->base,
		.size = e->size,
		.opaque = s,
		.read = ethoc_mmio_read,
		.write = ethoc_mmio_write,
	};
	if (bus_add_mmio(bus, &reg) < 0) {
		free(s);
		return NULL;
	}
	if (backend)
		backend->front = (struct net_frontend){s, ethoc_receive, NULL};
	return s;
}

void ethoc_free(struct ethoc *s)
{
	if (!s)
		return;
	if (s->nb && s->nb->front.opaque == s)
		s->nb->front = (struct net_frontend){NULL, NULL, NULL};
	free(s);
}

void ethoc_reset(struct ethoc *s)
{
	reset_regs(s);
	memset(s->bd, 0, sizeof(s->bd));
	phy_reset(s);
	mac_to_regs(s, s->mac0);
	if (s->nb)
		memcpy(s->nb->mac, s->mac0, 6);
	update_irq(s);
}

void ethoc_set_link(struct ethoc *s, bool up)
{
	s->link_up = up;
}

void ethoc_get_stats(const struct ethoc *s, struct ethoc_stats *out)
{
	*out = s->st;
}
