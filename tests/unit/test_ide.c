/*
 * IDE twin unit tests: the taskfile driven the way libata's SFF layer
 * drives it (ata_devchk, SRST and the signature, IDENTIFY, PIO data-in
 * and data-out per sector with INTRQ, LBA28 and LBA48 with the HOB
 * registers, FLUSH CACHE), against a sparse raw temp file behind a small
 * fake back end, with INTRQ observed at the PLIC's pending bit.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator/backend/block.h"
#include "emulator/devices/ide.h"
#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/fdt.h"
#include "emulator/platform/memmap.h"

enum { DATA, ERR, NSECT, LBAL, LBAM, LBAH, DEVICE, STATUS };
#define CTL FDT_IDE_CTL_OFFSET

/* A raw file behind the block interface, counting flushes. */
struct fake_disk {
	struct block_backend be;
	int fd;
	int flushes;
	int fail_io;
};

static ssize_t fake_preadv(struct block_backend *b, const struct iovec *iov,
			   int n, uint64_t off)
{
	struct fake_disk *f = (struct fake_disk *)b;
	return f->fail_io ? -EIO : preadv(f->fd, iov, n, (off_t)off);
}

static ssize_t fake_pwritev(struct block_backend *b, const struct iovec *iov,
			    int n, uint64_t off)
{
	struct fake_disk *f = (struct fake_disk *)b;
	return f->fail_io ? -EIO : pwritev(f->fd, iov, n, (off_t)off);
}

static int fake_flush(struct block_backend *b)
{
	((struct fake_disk *)b)->flushes++;
	return 0;
}

static void fake_close(struct block_backend *b)
{
	(void)b;
}

static const struct block_ops fake_ops = {
	.preadv = fake_preadv,
	.pwritev = fake_pwritev,
	.flush = fake_flush,
	.close = fake_close,
};

struct rig {
	struct bus bus;
	struct plic *plic;
	struct ide *ide;
	struct fake_disk disk;
};

static void no_ext_irq(void *opaque, int ctx, bool level)
{
	(void)opaque, (void)ctx, (void)level;
}

/* A sparse disk of `bytes`, sector s filled with a pattern of s. */
static void rig_init(struct rig *r, uint64_t bytes)
{
	*r = (struct rig){0};
	char path[] = "/tmp/pvkit-ide-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, (off_t)bytes), 0);
	r->disk = (struct fake_disk){
		.be = {.ops = &fake_ops, .size = bytes, .serial = "SERIAL42"},
		.fd = fd};
	ck_assert_int_eq(
		bus_init(&r->bus, virt_memmap[VIRT_DRAM].base, 1 << 20), 0);
	r->plic =
		plic_create(&r->bus, &virt_memmap[VIRT_PLIC], no_ext_irq, NULL);
	ck_assert_ptr_nonnull(r->plic);
	r->ide = ide_create(&r->bus, &virt_memmap[VIRT_IDE], r->plic,
			    &r->disk.be);
	ck_assert_ptr_nonnull(r->ide);
}

static void rig_free(struct rig *r)
{
	ide_free(r->ide);
	plic_free(r->plic);
	bus_free(&r->bus);
	close(r->disk.fd);
}

static uint8_t rd8(struct rig *r, unsigned reg)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus, virt_memmap[VIRT_IDE].base + (reg << 2), 1,
			   &v));
	return (uint8_t)v;
}

static void wr8(struct rig *r, unsigned reg, uint8_t v)
{
	ck_assert(bus_write(&r->bus, virt_memmap[VIRT_IDE].base + (reg << 2), 1,
			    v));
}

static uint8_t altstatus(struct rig *r)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus, virt_memmap[VIRT_IDE].base + CTL, 1, &v));
	return (uint8_t)v;
}

static void devctl(struct rig *r, uint8_t v)
{
	ck_assert(bus_write(&r->bus, virt_memmap[VIRT_IDE].base + CTL, 1, v));
}

/* ioread16_rep / iowrite16_rep on the DATA register. */
static void data_in(struct rig *r, uint8_t *p, size_t words)
{
	for (size_t i = 0; i < words; i++) {
		uint64_t v = 0;
		ck_assert(bus_read(&r->bus, virt_memmap[VIRT_IDE].base, 2, &v));
		p[2 * i] = (uint8_t)v;
		p[2 * i + 1] = (uint8_t)(v >> 8);
	}
}

static void data_out(struct rig *r, const uint8_t *p, size_t words)
{
	for (size_t i = 0; i < words; i++)
		ck_assert(bus_write(&r->bus, virt_memmap[VIRT_IDE].base, 2,
				    p[2 * i] | p[2 * i + 1] << 8));
}

/* INTRQ as the PLIC sees it: sources are level lines, so the pending bit
   follows the line while nothing has claimed it. */
static bool irq(struct rig *r)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->bus,
			   virt_memmap[VIRT_PLIC].base + PLIC_PENDING_BASE, 4,
			   &v));
	return (v >> virt_memmap[VIRT_IDE].irq) & 1;
}

static void pattern(uint8_t *p, uint64_t sector)
{
	for (int i = 0; i < 512; i++)
		p[i] = (uint8_t)(sector * 7 + (uint64_t)i * 13 + (i >> 8));
}

static void put_sector(struct rig *r, uint64_t s)
{
	uint8_t b[512];
	pattern(b, s);
	ck_assert_int_eq(pwrite(r->disk.fd, b, 512, (off_t)(s * 512)), 512);
}

/* As ata_bus_softreset does it, then the signature check of
   ata_sff_dev_classify. */
static void soft_reset(struct rig *r)
{
	devctl(r, 0x08);
	devctl(r, 0x08 | 0x04);
	ck_assert_int_eq(altstatus(r) & 0x80, 0x80); /* BSY while in reset */
	devctl(r, 0x08);
}

START_TEST(srst_gives_ata_signature)
{
	struct rig r;
	rig_init(&r, 1 << 20);
	wr8(&r, NSECT, 0x12);
	soft_reset(&r);
	ck_assert_int_eq(rd8(&r, NSECT), 1);
	ck_assert_int_eq(rd8(&r, LBAL), 1);
	ck_assert_int_eq(rd8(&r, LBAM), 0);
	ck_assert_int_eq(rd8(&r, LBAH), 0);
	ck_assert_int_eq(rd8(&r, ERR), 1);
	ck_assert_int_eq(rd8(&r, STATUS), 0x50);
	ck_assert(!irq(&r));
	rig_free(&r);
}
END_TEST

/* ata_devchk: the master latches the pattern, the absent slave does not
   echo it. */
START_TEST(devchk_finds_master_only)
{
	struct rig r;
	rig_init(&r, 1 << 20);
	for (int dev = 0; dev < 2; dev++) {
		wr8(&r, DEVICE, dev ? 0xb0 : 0xa0);
		wr8(&r, NSECT, 0x55);
		wr8(&r, LBAL, 0xaa);
		wr8(&r, NSECT, 0xaa);
		wr8(&r, LBAL, 0x55);
		wr8(&r, NSECT, 0x55);
		wr8(&r, LBAL, 0xaa);
		bool echo = rd8(&r, NSECT) == 0x55 && rd8(&r, LBAL) == 0xaa;
		ck_assert_int_eq(echo, dev == 0);
		if (dev)
			ck_assert_int_eq(rd8(&r, STATUS), 0);
	}
	rig_free(&r);
}
END_TEST

static uint16_t word(const uint8_t *id, int w)
{
	return (uint16_t)(id[2 * w] | id[2 * w + 1] << 8);
}

static void id_str(const uint8_t *id, int w, int chars, char *out)
{
	for (int i = 0; i < chars; i += 2) {
		out[i] = (char)(word(id, w + i / 2) >> 8);
		out[i + 1] = (char)word(id, w + i / 2);
	}
	out[chars] = 0;
}

START_TEST(identify_words)
{
	struct rig r;
	uint64_t bytes = 300ull << 30; /* past LBA28's reach */
	rig_init(&r, bytes);
	soft_reset(&r);
	devctl(&r, 0x08); /* nIEN clear */
	wr8(&r, DEVICE, 0xa0);
	wr8(&r, STATUS, 0xec);
	ck_assert(irq(&r));
	ck_assert_int_eq(altstatus(&r), 0x58);
	ck_assert(irq(&r)); /* ALTSTATUS leaves INTRQ alone */
	ck_assert_int_eq(rd8(&r, STATUS), 0x58);
	ck_assert(!irq(&r)); /* STATUS drops it */
	uint8_t id[512];
	data_in(&r, id, 256);
	ck_assert_int_eq(rd8(&r, STATUS), 0x50);
	ck_assert(!irq(&r)); /* no interrupt after the last data */

	ck_assert_int_eq(word(id, 0) & 0x8000, 0);    /* ATA */
	ck_assert_int_eq(word(id, 47) & 0xff, 0);     /* no multi */
	ck_assert(word(id, 49) & (1 << 9));	      /* LBA */
	ck_assert_int_eq(word(id, 49) & (1 << 8), 0); /* no DMA */
	ck_assert_int_eq(word(id, 63) & 7, 0);
	ck_assert_int_eq(word(id, 88) & 0xff, 0);
	ck_assert_uint_eq(word(id, 60) | (uint32_t)word(id, 61) << 16,
			  0x0fffffff);
	ck_assert_int_eq(word(id, 83) & 0xc400, 0x4400); /* LBA48 */
	ck_assert(word(id, 83) & (1 << 13));		 /* FLUSH EXT */
	ck_assert(word(id, 86) & (1 << 10));
	uint64_t lba48 = 0;
	for (int i = 0; i < 4; i++)
		lba48 |= (uint64_t)word(id, 100 + i) << (16 * i);
	ck_assert_uint_eq(lba48, bytes / 512);
	ck_assert_int_ge(word(id, 80), 0x0010); /* ATA-4 or later */
	char s[41];
	id_str(id, 27, 40, s);
	ck_assert_str_eq(s, "PVKIT IDE DISK                          ");
	id_str(id, 10, 20, s);
	ck_assert_str_eq(s, "SERIAL42            ");
	uint8_t sum = 0;
	for (int i = 0; i < 512; i++)
		sum = (uint8_t)(sum + id[i]);
	ck_assert_int_eq(id[510], 0xa5);
	ck_assert_int_eq(sum, 0);
	rig_free(&r);
}
END_TEST

static void issue(struct rig *r, uint8_t cmd, uint64_t lba, uint32_t count,
		  bool lba48)
{
	if (lba48) {
		wr8(r, NSECT, (uint8_t)(count >> 8));
		wr8(r, LBAL, (uint8_t)(lba >> 24));
		wr8(r, LBAM, (uint8_t)(lba >> 32));
		wr8(r, LBAH, (uint8_t)(lba >> 40));
		wr8(r, NSECT, (uint8_t)count);
		wr8(r, LBAL, (uint8_t)lba);
		wr8(r, LBAM, (uint8_t)(lba >> 8));
		wr8(r, LBAH, (uint8_t)(lba >> 16));
		wr8(r, DEVICE, 0x40);
	} else {
		wr8(r, NSECT, (uint8_t)count);
		wr8(r, LBAL, (uint8_t)lba);
		wr8(r, LBAM, (uint8_t)(lba >> 8));
		wr8(r, LBAH, (uint8_t)(lba >> 16));
		wr8(r, DEVICE, (uint8_t)(0xe0 | ((lba >> 24) & 0xf)));
	}
	wr8(r, STATUS, cmd);
}

/* PIO data-in, interrupt-driven as ata_sff_hsm_move does it. */
static void read_sectors(struct rig *r, uint64_t lba, uint32_t count,
			 bool lba48)
{
	issue(r, lba48 ? 0x24 : 0x20, lba, count, lba48);
	for (uint32_t s = 0; s < count; s++) {
		ck_assert(irq(r));
		ck_assert_int_eq(rd8(r, STATUS), 0x58);
		ck_assert(!irq(r));
		uint8_t got[512], want[512];
		data_in(r, got, 256);
		pattern(want, lba + s);
		ck_assert(!memcmp(got, want, 512));
	}
	ck_assert(!irq(r));
	ck_assert_int_eq(rd8(r, STATUS), 0x50);
}

/* PIO data-out: first DRQ without an interrupt, then one per sector. */
static void write_sectors(struct rig *r, uint64_t lba, uint32_t count,
			  bool lba48)
{
	issue(r, lba48 ? 0x34 : 0x30, lba, count, lba48);
	ck_assert(!irq(r));
	for (uint32_t s = 0; s < count; s++) {
		ck_assert_int_eq(altstatus(r), 0x58);
		uint8_t b[512];
		pattern(b, lba + s);
		data_out(r, b, 256);
		ck_assert(irq(r));
		ck_assert_int_eq(rd8(r, STATUS), s + 1 < count ? 0x58 : 0x50);
	}
}

START_TEST(read_write_lba28)
{
	struct rig r;
	rig_init(&r, 4 << 20);
	devctl(&r, 0x08);
	for (uint64_t s = 0; s < 8; s++)
		put_sector(&r, 100 + s);
	read_sectors(&r, 100, 8, false);
	write_sectors(&r, 2000, 3, false);
	read_sectors(&r, 2000, 3, false);
	/* NSECT 0 means 256 sectors: more than one back-end chunk. */
	for (uint64_t s = 0; s < 300; s++)
		put_sector(&r, 4000 + s);
	read_sectors(&r, 4000, 256, false);
	write_sectors(&r, 7000, 256, false);
	uint8_t got[512], want[512];
	ck_assert_int_eq(pread(r.disk.fd, got, 512, 7255 * 512), 512);
	pattern(want, 7255);
	ck_assert(!memcmp(got, want, 512));
	struct ide_stats st;
	ide_get_stats(r.ide, &st);
	ck_assert_uint_eq(st.sectors, 8 + 3 + 3 + 256 + 256);
	ck_assert_uint_eq(st.commands, 5);
	ck_assert_uint_eq(st.pio, st.sectors * 256);
	ck_assert_uint_eq(st.interrupts, st.sectors);
	ck_assert_uint_eq(st.bytes, st.sectors * 512);
	rig_free(&r);
}
END_TEST

START_TEST(read_write_lba48)
{
	struct rig r;
	uint64_t bytes = 300ull << 30;
	rig_init(&r, bytes);
	devctl(&r, 0x08);
	uint64_t lba = (1ull << 28) + 12345; /* needs the HOB bytes */
	write_sectors(&r, lba, 300, true);   /* count needs the HOB too */
	uint8_t got[512], want[512];
	ck_assert_int_eq(pread(r.disk.fd, got, 512, (off_t)((lba + 299) * 512)),
			 512);
	pattern(want, lba + 299);
	ck_assert(!memcmp(got, want, 512));
	read_sectors(&r, lba, 300, true);
	/* HOB: the previous LBAL comes back with devctl.HOB set. */
	wr8(&r, LBAL, 0x11);
	wr8(&r, LBAL, 0x22);
	devctl(&r, 0x08 | 0x80);
	ck_assert_int_eq(rd8(&r, LBAL), 0x11);
	devctl(&r, 0x08);
	ck_assert_int_eq(rd8(&r, LBAL), 0x22);
	/* The last sector reads; one past it is refused. */
	put_sector(&r, bytes / 512 - 1);
	read_sectors(&r, bytes / 512 - 1, 1, true);
	issue(&r, 0x24, bytes / 512, 1, true);
	ck_assert(irq(&r));
	ck_assert_int_eq(rd8(&r, STATUS), 0x51);
	ck_assert_int_eq(rd8(&r, ERR) & 0x10, 0x10); /* IDNF */
	rig_free(&r);
}
END_TEST

START_TEST(flush_reaches_back_end)
{
	struct rig r;
	rig_init(&r, 1 << 20);
	devctl(&r, 0x08);
	wr8(&r, DEVICE, 0xa0);
	wr8(&r, STATUS, 0xe7);
	ck_assert(irq(&r));
	ck_assert_int_eq(rd8(&r, STATUS), 0x50);
	wr8(&r, STATUS, 0xea);
	ck_assert_int_eq(rd8(&r, STATUS), 0x50);
	ck_assert_int_eq(r.disk.flushes, 2);
	/* With the write cache off, each write is flushed. */
	wr8(&r, ERR, 0x82);
	wr8(&r, STATUS, 0xef);
	ck_assert_int_eq(rd8(&r, STATUS), 0x50);
	ck_assert_int_eq(r.disk.flushes, 3);
	write_sectors(&r, 10, 2, false);
	ck_assert_int_eq(r.disk.flushes, 4);
	/* SET FEATURES: PIO mode fine, a DMA mode aborted. */
	wr8(&r, ERR, 0x03);
	wr8(&r, NSECT, 0x0c);
	wr8(&r, STATUS, 0xef);
	ck_assert_int_eq(rd8(&r, STATUS), 0x50);
	wr8(&r, NSECT, 0x45);
	wr8(&r, STATUS, 0xef);
	ck_assert_int_eq(rd8(&r, STATUS), 0x51);
	ck_assert_int_eq(rd8(&r, ERR), 0x04);
	rig_free(&r);
}
END_TEST

START_TEST(interrupt_line)
{
	struct rig r;
	rig_init(&r, 1 << 20);
	/* nIEN set: the command completes, the line stays low. */
	devctl(&r, 0x08 | 0x02);
	wr8(&r, DEVICE, 0xa0);
	wr8(&r, STATUS, 0xe7);
	ck_assert(!irq(&r));
	/* Clearing nIEN with INTRQ pending raises it. */
	devctl(&r, 0x08);
	ck_assert(irq(&r));
	/* Selecting the absent device 1 releases the line. */
	wr8(&r, DEVICE, 0xb0);
	ck_assert(!irq(&r));
	wr8(&r, DEVICE, 0xa0);
	ck_assert(irq(&r));
	ck_assert_int_eq(altstatus(&r), 0x50);
	ck_assert(irq(&r));
	ck_assert_int_eq(rd8(&r, STATUS), 0x50);
	ck_assert(!irq(&r));
	/* An unknown command aborts with an interrupt. */
	wr8(&r, STATUS, 0x00);
	ck_assert(irq(&r));
	ck_assert_int_eq(rd8(&r, STATUS), 0x51);
	ck_assert_int_eq(rd8(&r, ERR), 0x04);
	/* A back-end error on read: ERR with UNC. */
	r.disk.fail_io = 1;
	issue(&r, 0x20, 0, 1, false);
	ck_assert(irq(&r));
	ck_assert_int_eq(rd8(&r, STATUS), 0x51);
	ck_assert_int_eq(rd8(&r, ERR), 0x40);
	/* Read-only disks refuse writes. */
	r.disk.fail_io = 0;
	r.disk.be.read_only = true;
	issue(&r, 0x30, 0, 1, false);
	ck_assert_int_eq(rd8(&r, STATUS), 0x51);
	struct ide_stats st;
	ide_get_stats(r.ide, &st);
	ck_assert_uint_eq(st.errors, 3);
	rig_free(&r);
}
END_TEST

Suite *ide_suite(void)
{
	Suite *s = suite_create("ide");
	TCase *tc = tcase_create("ide");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, srst_gives_ata_signature);
	tcase_add_test(tc, devchk_finds_master_only);
	tcase_add_test(tc, identify_words);
	tcase_add_test(tc, read_write_lba28);
	tcase_add_test(tc, read_write_lba48);
	tcase_add_test(tc, flush_reaches_back_end);
	tcase_add_test(tc, interrupt_line);
	suite_add_tcase(s, tc);
	return s;
}
