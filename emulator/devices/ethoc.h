/*
 * OpenCores 10/100 Ethernet MAC ("opencores,ethoc"), the emulated twin of
 * virtio-net, modelled on what Linux's drivers/net/ethernet/ethoc.c does
 * with it: registers, 128 buffer descriptors in the register window at
 * 0x400 whose addresses are guest-physical DMA buffers in RAM, a level IRQ
 * (INT_SOURCE & INT_MASK) and an MDIO bus with one PHY that Linux's
 * generic PHY driver binds (100 Mb/s full duplex, autoneg complete).
 *
 * Talks to: the bus (its MMIO window; guest RAM through bus_ram_ptr), the
 * PLIC (one level line), and a net back end (emulator/backend/net.h): TX
 * frames go out through its send op, and the back end delivers received
 * frames through the front-end hook this device installs on creation.
 * Owns: the register file, the descriptor table, the PHY state and the
 * counters. It does not own the back end.
 */
#ifndef PVKIT_DEVICES_ETHOC_H
#define PVKIT_DEVICES_ETHOC_H

#include <stdbool.h>
#include <stdint.h>

#include "emulator/platform/memmap.h"

struct bus;
struct plic;
struct net_backend;
struct ethoc;

/* Register offsets and bits, as in Linux's ethoc.c (tests use them). */
enum {
	ETHOC_MODER = 0x00,
	ETHOC_INT_SOURCE = 0x04,
	ETHOC_INT_MASK = 0x08,
	ETHOC_IPGT = 0x0c,
	ETHOC_IPGR1 = 0x10,
	ETHOC_IPGR2 = 0x14,
	ETHOC_PACKETLEN = 0x18,
	ETHOC_COLLCONF = 0x1c,
	ETHOC_TX_BD_NUM = 0x20,
	ETHOC_CTRLMODER = 0x24,
	ETHOC_MIIMODER = 0x28,
	ETHOC_MIICOMMAND = 0x2c,
	ETHOC_MIIADDRESS = 0x30,
	ETHOC_MIITX_DATA = 0x34,
	ETHOC_MIIRX_DATA = 0x38,
	ETHOC_MIISTATUS = 0x3c,
	ETHOC_MAC_ADDR0 = 0x40,
	ETHOC_MAC_ADDR1 = 0x44,
	ETHOC_HASH0 = 0x48,
	ETHOC_HASH1 = 0x4c,
	ETHOC_TXCTRL = 0x50,
	ETHOC_BD_BASE = 0x400,
	ETHOC_NUM_BD = 128,
};

enum {
	ETHOC_MODER_RXEN = 1u << 0,
	ETHOC_MODER_TXEN = 1u << 1,
	ETHOC_MODER_BRO = 1u << 3, /* set = reject broadcast */
	ETHOC_MODER_IAM = 1u << 4,
	ETHOC_MODER_PRO = 1u << 5,
	ETHOC_MODER_LOOP = 1u << 7,
	ETHOC_MODER_FULLD = 1u << 10,
	ETHOC_MODER_CRC = 1u << 13,
	ETHOC_MODER_HUGEN = 1u << 14,
	ETHOC_MODER_PAD = 1u << 15,
	ETHOC_MODER_RSM = 1u << 16,

	ETHOC_INT_TXF = 1u << 0,
	ETHOC_INT_TXE = 1u << 1,
	ETHOC_INT_RXF = 1u << 2,
	ETHOC_INT_RXE = 1u << 3,
	ETHOC_INT_BUSY = 1u << 4,

	ETHOC_MIICOMMAND_READ = 1u << 1,
	ETHOC_MIICOMMAND_WRITE = 1u << 2,
	ETHOC_MIISTATUS_LINKFAIL = 1u << 0,
	ETHOC_MIISTATUS_BUSY = 1u << 1,

	/* descriptor stat word */
	ETHOC_TXBD_UR = 1u << 8,
	ETHOC_TXBD_CRC = 1u << 11,
	ETHOC_TXBD_PAD = 1u << 12,
	ETHOC_RXBD_TL = 1u << 3,
	ETHOC_RXBD_OR = 1u << 6,
	ETHOC_RXBD_MISS = 1u << 7,
	ETHOC_BD_WRAP = 1u << 13,
	ETHOC_BD_IRQ = 1u << 14,
	ETHOC_BD_READY = 1u << 15, /* TX: READY, RX: EMPTY */
};

/* The one PHY on the MDIO bus. Its IDs match no Linux PHY driver, so
   the generic one binds. */
#define ETHOC_PHY_ADDR 1
#define ETHOC_PHY_ID1 0x0050
#define ETHOC_PHY_ID2 0x7c10

struct ethoc_stats {
	uint64_t tx_frames, tx_bytes; /* handed to the back end */
	uint64_t rx_frames, rx_bytes; /* written into guest buffers (no FCS) */
	uint64_t rx_filtered;	      /* not for us, or RX disabled */
	uint64_t rx_no_buffer;	      /* refused: no EMPTY descriptor */
	uint64_t dma_errors;	      /* descriptor address outside RAM */
	uint64_t interrupts;	      /* rising edges of the IRQ line */
	uint64_t mmio_reads, mmio_writes;
};

/* Registers the MMIO window and installs itself as the back end's front
   end; the MAC address registers start from backend->mac. backend may be
   NULL (frames sent go nowhere). Returns NULL when out of memory or the
   bus refuses the region. */
struct ethoc *ethoc_create(struct bus *bus, const struct memmap_entry *e,
			   struct plic *plic, struct net_backend *backend);
/* Detaches from the back end (which stays open); the bus keeps routing
   to the region, so free the bus first or stop accessing it. */
void ethoc_free(struct ethoc *s);

/* Back to the state after creation (a machine reset): registers,
   descriptors, PHY, and the MAC address it was created with (also put
   back into the back end, so a rebuilt device tree shows it). */
void ethoc_reset(struct ethoc *s);

/* Link state as the PHY reports it (BMSR) to the guest; up at creation.
   Linux's phylib polls it once a second. */
void ethoc_set_link(struct ethoc *s, bool up);

void ethoc_get_stats(const struct ethoc *s, struct ethoc_stats *out);

#endif
