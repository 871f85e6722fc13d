/*
 * Platform PATA disk, following the ATA/ATAPI-7 PIO protocols closely
 * enough for libata's SFF layer (ata_sff_hsm_move): what Linux 6.1's
 * pata_of_platform needs and nothing more (no DMA, no READ MULTIPLE, no
 * HPA, no NCQ). See ../shared/reference/linux-riscv-platform.md 4.10.
 *
 * Commands run to completion inside the MMIO write that issues them, so
 * BSY is never seen. PIO data-in raises INTRQ as each sector is ready;
 * PIO data-out starts with DRQ and no interrupt, then interrupts after
 * each sector. Reading STATUS (not ALTSTATUS) drops INTRQ. Data moves
 * to and from the back end in chunks of up to IDE_CHUNK sectors, so a
 * long command costs one preadv/pwritev per chunk, not per sector.
 *
 * Talks to: the bus, the PLIC, a struct block_backend. Owns the taskfile,
 * the transfer state and the sector buffer.
 */
#include "ide.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "emulator/backend/block.h"
#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/fdt.h"

#define SECTOR 512u
#define IDE_CHUNK 256u /* sectors per back-end transfer (128 KiB) */

enum { R_DATA, R_ERROR, R_NSECT, R_LBAL, R_LBAM, R_LBAH, R_DEVICE, R_STATUS };

enum {
	ST_ERR = 0x01,
	ST_DRQ = 0x08,
	ST_DSC = 0x10,
	ST_DRDY = 0x40,
	ST_BSY = 0x80,
	ST_READY = ST_DRDY | ST_DSC,
};

enum { ERR_ABRT = 0x04, ERR_IDNF = 0x10, ERR_UNC = 0x40 };
enum { CTL_NIEN = 0x02, CTL_SRST = 0x04, CTL_HOB = 0x80 };
enum { DEV_DEV1 = 0x10, DEV_LBA = 0x40 };

enum xfer { X_NONE, X_IN, X_OUT };

struct ide {
	struct plic *plic;
	int irq;
	struct block_backend *disk;
	uint64_t sectors; /* disk size in sectors */

	/* Taskfile: current values and, for LBA48, the previous ones. */
	uint8_t feature, nsect, lbal, lbam, lbah;
	uint8_t hob_feature, hob_nsect, hob_lbal, hob_lbam, hob_lbah;
	uint8_t device, status, error, devctl;
	bool intrq, line;
	bool wcache; /* volatile write cache on (SET FEATURES 02h/82h) */

	enum xfer xfer;
	uint64_t lba;	/* first sector of the chunk in buf */
	uint32_t left;	/* sectors still to pass the DATA register */
	uint32_t chunk; /* sectors in buf */
	uint32_t pos;	/* byte position in buf */
	uint8_t *buf;

	struct ide_stats st;
};

/* INTRQ is driven only while device 0 is selected and nIEN is clear. */
static void update_line(struct ide *d)
{
	bool level =
		d->intrq && !(d->devctl & CTL_NIEN) && !(d->device & DEV_DEV1);
	if (level == d->line)
		return;
	d->line = level;
	if (level)
		d->st.interrupts++;
	if (d->plic)
		plic_set_irq(d->plic, d->irq, level);
}

static void raise_irq(struct ide *d)
{
	d->intrq = true;
	update_line(d);
}

static void complete(struct ide *d)
{
	d->xfer = X_NONE;
	d->status = ST_READY;
	raise_irq(d);
}

static void fail(struct ide *d, uint8_t err)
{
	d->xfer = X_NONE;
	d->error = err;
	d->status = ST_READY | ST_ERR;
	d->st.errors++;
	raise_irq(d);
}

/* After power-on, SRST and EXECUTE DEVICE DIAGNOSTIC: the ATA signature,
   and ERROR 01h (device 0 passed, device 1 absent). */
static void set_signature(struct ide *d)
{
	d->nsect = d->lbal = 1;
	d->lbam = d->lbah = 0;
	d->hob_nsect = d->hob_lbal = d->hob_lbam = d->hob_lbah = 0;
	d->device = 0;
	d->error = 0x01;
	d->status = ST_READY;
	d->xfer = X_NONE;
}

/* ATA strings: two characters a word, the first in the high byte. */
static void id_string(uint16_t *w, const char *s, size_t chars)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < chars; i += 2) {
		uint8_t a = i < n ? (uint8_t)s[i] : ' ';
		uint8_t b = i + 1 < n ? (uint8_t)s[i + 1] : ' ';
		w[i / 2] = (uint16_t)(a << 8 | b);
	}
}

static void identify(struct ide *d)
{
	uint16_t w[256] = {0};
	uint64_t n = d->sectors;
	uint64_t cyl = n / (16 * 63);
	w[0] = 0x0040; /* fixed ATA device */
	w[1] = (uint16_t)(cyl > 16383 ? 16383 : cyl);
	w[3] = 16;
	w[6] = 63;
	id_string(&w[10], d->disk->serial[0] ? d->disk->serial : "PVKIT0001",
		  20);
	id_string(&w[23], "1.0", 8);
	id_string(&w[27], "PVKIT IDE DISK", 40);
	w[47] = 0;	/* no READ/WRITE MULTIPLE */
	w[49] = 0x0a00; /* LBA, IORDY; no DMA */
	w[50] = 0x4000;
	w[51] = 0x0200;
	w[53] = 0x0002; /* words 64-70 valid */
	uint64_t lba28 = n > 0x0fffffff ? 0x0fffffff : n;
	w[60] = (uint16_t)lba28;
	w[61] = (uint16_t)(lba28 >> 16);
	w[64] = 0x0003; /* PIO 3 and 4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x00f0; /* ATA/ATAPI-4 to -7 */
	w[82] = 0x0020; /* write cache */
	w[83] = 0x7400; /* FLUSH CACHE (EXT), LBA48 */
	w[84] = 0x4000;
	w[85] = d->wcache ? 0x0020 : 0;
	w[86] = 0x3400;
	w[87] = 0x4000;
	for (int i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(n >> (16 * i));
	w[106] = 0x4000; /* 512-byte sectors */
	w[217] = 1;	 /* non-rotating */
	w[255] = 0x00a5;
	uint8_t sum = 0;
	for (int i = 0; i < 255; i++)
		sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
	sum = (uint8_t)(sum + 0xa5);
	w[255] |= (uint16_t)((uint8_t)-sum << 8);
	for (int i = 0; i < 256; i++) {
		d->buf[2 * i] = (uint8_t)w[i];
		d->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
}

/* Address and count of a READ/WRITE command from the taskfile. */
static bool rw_params(struct ide *d, bool lba48, uint64_t *lba, uint32_t *count)
{
	if (lba48) {
		*lba = (uint64_t)d->hob_lbah << 40 |
		       (uint64_t)d->hob_lbam << 32 |
		       (uint64_t)d->hob_lbal << 24 | (uint64_t)d->lbah << 16 |
		       (uint64_t)d->lbam << 8 | d->lbal;
		*count = (uint32_t)(d->hob_nsect << 8 | d->nsect);
		if (!*count)
			*count = 65536;
	} else {
		if (d->device & DEV_LBA) {
			*lba = (uint64_t)(d->device & 0x0f) << 24 |
			       (uint64_t)d->lbah << 16 |
			       (uint64_t)d->lbam << 8 | d->lbal;
		} else { /* CHS, with the geometry IDENTIFY reports */
			uint64_t cyl = (uint64_t)d->lbah << 8 | d->lbam;
			if (!d->lbal)
				return false;
			*lba = (cyl * 16 + (d->device & 0x0f)) * 63 + d->lbal -
			       1;
		}
		*count = d->nsect ? d->nsect : 256;
	}
	return *lba <= d->sectors && *count <= d->sectors - *lba;
}

static bool load_chunk(struct ide *d)
{
	d->chunk = d->left < IDE_CHUNK ? d->left : IDE_CHUNK;
	struct iovec v = {d->buf, (size_t)d->chunk * SECTOR};
	d->pos = 0;
	if (d->disk->ops->preadv(d->disk, &v, 1, d->lba * SECTOR) < 0)
		return false;
	d->st.bytes += v.iov_len;
	return true;
}

static bool store_chunk(struct ide *d)
{
	struct iovec v = {d->buf, (size_t)d->chunk * SECTOR};
	if (d->disk->ops->pwritev(d->disk, &v, 1, d->lba * SECTOR) < 0)
		return false;
	d->st.bytes += v.iov_len;
	return true;
}

static void start_rw(struct ide *d, bool write, bool lba48)
{
	uint64_t lba;
	uint32_t count;
	if (!rw_params(d, lba48, &lba, &count)) {
		fail(d, ERR_IDNF | ERR_ABRT);
		return;
	}
	if (write && d->disk->read_only) {
		fail(d, ERR_ABRT);
		return;
	}
	d->lba = lba;
	d->left = count;
	if (write) {
		/* PIO data-out: DRQ for the first sector, no interrupt. */
		d->xfer = X_OUT;
		d->chunk = count < IDE_CHUNK ? count : IDE_CHUNK;
		d->pos = 0;
		d->status = ST_READY | ST_DRQ;
		return;
	}
	if (!load_chunk(d)) {
		fail(d, ERR_UNC);
		return;
	}
	d->xfer = X_IN;
	d->status = ST_READY | ST_DRQ;
	raise_irq(d);
}

static void do_flush(struct ide *d)
{
	d->st.flushes++;
	if (d->disk->ops->flush(d->disk) < 0)
		fail(d, ERR_ABRT);
	else
		complete(d);
}

static void set_features(struct ide *d)
{
	switch (d->feature) {
	case 0x02: d->wcache = true; break;
	case 0x82:
		d->wcache = false;
		do_flush(d);
		return;
	case 0x03: /* transfer mode: PIO only */
		if (d->nsect > 0x0c) {
			fail(d, ERR_ABRT);
			return;
		}
		break;
	case 0x55:
	case 0xaa:
	case 0x66:
	case 0xcc: break;
	default: fail(d, ERR_ABRT); return;
	}
	complete(d);
}

static void command(struct ide *d, uint8_t cmd)
{
	d->st.commands++;
	d->intrq = false; /* a new command clears INTRQ */
	update_line(d);
	if ((d->device & DEV_DEV1) && cmd != 0x90)
		return; /* addressed to the absent device 1 */
	d->error = 0;
	d->xfer = X_NONE;
	switch (cmd) {
	case 0xec: /* IDENTIFY DEVICE */
		identify(d);
		d->lba = 0;
		d->left = d->chunk = 1;
		d->pos = 0;
		d->xfer = X_IN;
		d->status = ST_READY | ST_DRQ;
		raise_irq(d);
		break;
	case 0x20:
	case 0x21: start_rw(d, false, false); break;
	case 0x24: start_rw(d, false, true); break;
	case 0x30:
	case 0x31: start_rw(d, true, false); break;
	case 0x34: start_rw(d, true, true); break;
	case 0x40:
	case 0x41:
	case 0x42: { /* READ VERIFY */
		uint64_t lba;
		uint32_t count;
		if (rw_params(d, cmd == 0x42, &lba, &count))
			complete(d);
		else
			fail(d, ERR_IDNF | ERR_ABRT);
		break;
	}
	case 0xe7:
	case 0xea: do_flush(d); break;
	case 0xef: set_features(d); break;
	case 0xe5: /* CHECK POWER MODE: active */
		d->nsect = 0xff;
		complete(d);
		break;
	case 0x90: /* EXECUTE DEVICE DIAGNOSTIC */
		set_signature(d);
		raise_irq(d);
		break;
	/* Power management, INITIALIZE DEVICE PARAMETERS, SEEK: nothing to
	   do for a disk with no spindle and a fixed geometry. */
	case 0xe0:
	case 0xe1:
	case 0xe2:
	case 0xe3:
	case 0x94:
	case 0x95:
	case 0x91:
	case 0x70: complete(d); break;
	default: fail(d, ERR_ABRT); break;
	}
}

/* One sector has passed the DATA register. */
static void sector_done(struct ide *d)
{
	d->st.sectors++;
	d->left--;
	if (d->xfer == X_IN) {
		if (!d->left) { /* the host saw the last data: no interrupt */
			d->xfer = X_NONE;
			d->status = ST_READY;
			return;
		}
		if (d->pos == d->chunk * SECTOR) {
			d->lba += d->chunk;
			if (!load_chunk(d)) {
				fail(d, ERR_UNC);
				return;
			}
		}
		d->status = ST_READY | ST_DRQ;
		raise_irq(d);
		return;
	}
	if (d->pos == d->chunk * SECTOR || !d->left) {
		if (!store_chunk(d)) {
			fail(d, ERR_ABRT);
			return;
		}
		d->lba += d->chunk;
		d->pos = 0;
		d->chunk = d->left < IDE_CHUNK ? d->left : IDE_CHUNK;
	}
	if (!d->left) {
		if (!d->wcache)
			do_flush(d); /* write-through */
		else
			complete(d);
		return;
	}
	d->status = ST_READY | ST_DRQ;
	raise_irq(d);
}

static uint16_t data_read(struct ide *d)
{
	d->st.pio++;
	if (d->xfer != X_IN)
		return 0;
	uint16_t v = (uint16_t)(d->buf[d->pos] | d->buf[d->pos + 1] << 8);
	d->pos += 2;
	if (d->pos % SECTOR == 0)
		sector_done(d);
	return v;
}

static void data_write(struct ide *d, uint16_t v)
{
	d->st.pio++;
	if (d->xfer != X_OUT)
		return;
	d->buf[d->pos] = (uint8_t)v;
	d->buf[d->pos + 1] = (uint8_t)(v >> 8);
	d->pos += 2;
	if (d->pos % SECTOR == 0)
		sector_done(d);
}

static uint8_t reg_read(struct ide *d, unsigned reg)
{
	/* Device 1 is absent: nothing answers for it, so ata_devchk's
	   pattern does not echo and libata finds no slave. */
	if ((d->device & DEV_DEV1) && reg != R_DEVICE)
		return 0;
	bool hob = d->devctl & CTL_HOB;
	switch (reg) {
	case R_ERROR: return d->error;
	case R_NSECT: return hob ? d->hob_nsect : d->nsect;
	case R_LBAL: return hob ? d->hob_lbal : d->lbal;
	case R_LBAM: return hob ? d->hob_lbam : d->lbam;
	case R_LBAH: return hob ? d->hob_lbah : d->lbah;
	case R_DEVICE: return d->device;
	case R_STATUS:
		d->intrq = false;
		update_line(d);
		return d->status;
	}
	return 0;
}

/* Writes go to both devices' registers, as on a real cable; each one
   pushes the previous value into the LBA48 "HOB" slot. */
static void reg_write(struct ide *d, unsigned reg, uint8_t v)
{
	d->devctl &= (uint8_t)~CTL_HOB;
	switch (reg) {
	case R_ERROR: d->hob_feature = d->feature, d->feature = v; break;
	case R_NSECT: d->hob_nsect = d->nsect, d->nsect = v; break;
	case R_LBAL: d->hob_lbal = d->lbal, d->lbal = v; break;
	case R_LBAM: d->hob_lbam = d->lbam, d->lbam = v; break;
	case R_LBAH: d->hob_lbah = d->lbah, d->lbah = v; break;
	case R_DEVICE:
		d->device = v;
		update_line(d);
		break;
	case R_STATUS: command(d, v); break;
	}
}

static void devctl_write(struct ide *d, uint8_t v)
{
	bool was_reset = d->devctl & CTL_SRST;
	d->devctl = v;
	if (v & CTL_SRST) {
		d->status = ST_BSY;
		d->xfer = X_NONE;
		d->intrq = false;
	} else if (was_reset) {
		set_signature(d);
	}
	update_line(d);
}

static uint64_t ide_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide *d = opaque;
	d->st.mmio++;
	if (off == FDT_IDE_CTL_OFFSET)
		return (d->device & DEV_DEV1) ? 0 : d->status; /* ALTSTATUS */
	if (off >= FDT_IDE_CTL_OFFSET || off & ((1u << FDT_IDE_REG_SHIFT) - 1))
		return 0;
	unsigned reg = (unsigned)(off >> FDT_IDE_REG_SHIFT);
	if (reg == R_DATA) {
		if (size == 2)
			return data_read(d);
		if (size == 4) {
			uint32_t lo = data_read(d);
			return lo | (uint32_t)data_read(d) << 16;
		}
		return 0;
	}
	return reg < 8 ? reg_read(d, reg) : 0;
}

static void ide_mmio_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned size)
{
	struct ide *d = opaque;
	d->st.mmio++;
	if (off == FDT_IDE_CTL_OFFSET) {
		devctl_write(d, (uint8_t)val);
		return;
	}
	if (off >= FDT_IDE_CTL_OFFSET || off & ((1u << FDT_IDE_REG_SHIFT) - 1))
		return;
	unsigned reg = (unsigned)(off >> FDT_IDE_REG_SHIFT);
	if (reg == R_DATA) {
		if (size == 2 || size == 4)
			data_write(d, (uint16_t)val);
		if (size == 4)
			data_write(d, (uint16_t)(val >> 16));
		return;
	}
	if (reg < 8)
		reg_write(d, reg, (uint8_t)val);
}

struct ide *ide_create(struct bus *bus, const struct memmap_entry *e,
		       struct plic *plic, struct block_backend *disk)
{
	if (!disk)
		return NULL;
	struct ide *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->buf = malloc((size_t)IDE_CHUNK * SECTOR);
	if (!d->buf) {
		free(d);
		return NULL;
	}
	d->plic = plic;
	d->irq = e->irq;
	d->disk = disk;
	d->sectors = disk->size / SECTOR;
	d->wcache = true;
	set_signature(d);
	struct mmio_region reg = {
		.name = e->name,
		.base = e->base,
		.size = e->size,
		.opaque = d,
		.read = ide_mmio_read,
		.write = ide_mmio_write,
	};
	if (bus_add_mmio(bus, &reg) < 0) {
		ide_free(d);
		return NULL;
	}
	return d;
}

void ide_free(struct ide *d)
{
	if (!d)
		return;
	free(d->buf);
	free(d);
}

void ide_get_stats(const struct ide *d, struct ide_stats *out)
{
	*out = d->st;
}
