/*
 * Guest IDE PIO driver (see ide_pio.h).
 */
#include "ide_pio.h"

#include "runtime.h"

enum { R_DATA, R_ERROR, R_NSECT, R_LBAL, R_LBAM, R_LBAH, R_DEVICE, R_STATUS };
#define R_COMMAND R_STATUS
#define CTL_OFFSET 0x100

enum {
	ST_ERR = 0x01,
	ST_DRQ = 0x08,
	ST_DF = 0x20,
	ST_DRDY = 0x40,
	ST_BSY = 0x80,
};
enum { CTL_NIEN = 0x02, CTL_SRST = 0x04 };

#define CMD_READ_SECTORS 0x20
#define CMD_WRITE_SECTORS 0x30
#define CMD_FLUSH_CACHE 0xe7
#define CMD_IDENTIFY 0xec

#define IDE_TIMEOUT (5UL * 10000000UL) /* 5 s of a 10 MHz mtime */

static inline uint8_t rd8(const struct ide_pio *d, int reg)
{
	return *(volatile uint8_t *)(d->base + ((uintptr_t)reg << 2));
}

static inline void wr8(const struct ide_pio *d, int reg, uint8_t v)
{
	*(volatile uint8_t *)(d->base + ((uintptr_t)reg << 2)) = v;
}

static inline uint16_t rd_data(const struct ide_pio *d)
{
	return *(volatile uint16_t *)d->base;
}

static inline void wr_data(const struct ide_pio *d, uint16_t v)
{
	*(volatile uint16_t *)d->base = v;
}

static inline uint8_t altstatus(const struct ide_pio *d)
{
	return *(volatile uint8_t *)(d->base + CTL_OFFSET);
}

static inline void devctl(const struct ide_pio *d, uint8_t v)
{
	*(volatile uint8_t *)(d->base + CTL_OFFSET) = v;
}

static uint8_t last_status;

uint8_t ide_last_status(const struct ide_pio *d)
{
	(void)d;
	return last_status;
}

/* Waits until BSY clears and (mask & status) == want, or ERR/DF. */
static int wait_status(const struct ide_pio *d, uint8_t mask, uint8_t want)
{
	uint64_t start = rt_mtime();
	for (;;) {
		uint8_t s = altstatus(d);
		last_status = s;
		if (!(s & ST_BSY)) {
			if (s & (ST_ERR | ST_DF))
				return -1;
			if ((s & mask) == want)
				return 0;
		}
		if (rt_mtime() - start > IDE_TIMEOUT)
			return -1;
	}
}

static int issue(struct ide_pio *d, uint8_t cmd, uint32_t lba, unsigned count)
{
	if (wait_status(d, ST_DRQ, 0))
		return -1;
	wr8(d, R_DEVICE, (uint8_t)(0xe0 | ((lba >> 24) & 0x0f)));
	if (wait_status(d, ST_DRDY, ST_DRDY))
		return -1;
	wr8(d, R_ERROR, 0);
	wr8(d, R_NSECT, (uint8_t)count); /* 256 is written as 0 */
	wr8(d, R_LBAL, (uint8_t)lba);
	wr8(d, R_LBAM, (uint8_t)(lba >> 8));
	wr8(d, R_LBAH, (uint8_t)(lba >> 16));
	wr8(d, R_COMMAND, cmd);
	(void)altstatus(d); /* the 400 ns wait, as one ALTSTATUS read */
	return 0;
}

/* Reads one sector's 256 words once DRQ is up. */
static int pio_in(struct ide_pio *d, uint16_t *w)
{
	if (wait_status(d, ST_DRQ, ST_DRQ))
		return -1;
	for (int i = 0; i < 256; i++)
		w[i] = rd_data(d);
	(void)rd8(d, R_STATUS); /* clears INTRQ */
	return 0;
}

int ide_init(struct ide_pio *d, uintptr_t base)
{
	memset(d, 0, sizeof(*d));
	d->base = base;
	if (altstatus(d) == 0xff)
		return -1;
	devctl(d, CTL_NIEN | CTL_SRST);
	devctl(d, CTL_NIEN);
	if (wait_status(d, ST_BSY, 0))
		return -1;
	if (issue(d, CMD_IDENTIFY, 0, 0) || pio_in(d, d->ident))
		return -1;
	d->sectors = (uint32_t)d->ident[60] | (uint32_t)d->ident[61] << 16;
	for (int i = 0; i < 20; i++) {
		d->model[2 * i] = (char)(d->ident[27 + i] >> 8);
		d->model[2 * i + 1] = (char)(d->ident[27 + i] & 0xff);
	}
	d->model[40] = 0;
	for (int i = 39; i >= 0 && d->model[i] == ' '; i--)
		d->model[i] = 0;
	return wait_status(d, ST_DRQ, 0);
}

int ide_read(struct ide_pio *d, uint32_t lba, void *buf, unsigned count)
{
	if (count == 0 || count > 256 || lba + count > d->sectors)
		return -1;
	uint16_t *w = buf;
	if (issue(d, CMD_READ_SECTORS, lba, count & 0xff))
		return -1;
	for (unsigned s = 0; s < count; s++)
		if (pio_in(d, w + 256 * s))
			return -1;
	return wait_status(d, ST_DRQ, 0);
}

int ide_write(struct ide_pio *d, uint32_t lba, const void *buf, unsigned count)
{
	if (count == 0 || count > 256 || lba + count > d->sectors)
		return -1;
	const uint16_t *w = buf;
	if (issue(d, CMD_WRITE_SECTORS, lba, count & 0xff))
		return -1;
	for (unsigned s = 0; s < count; s++) {
		if (wait_status(d, ST_DRQ, ST_DRQ))
			return -1;
		for (int i = 0; i < 256; i++)
			wr_data(d, w[256 * s + i]);
		(void)altstatus(d);
	}
	if (wait_status(d, ST_DRQ, 0))
		return -1;
	(void)rd8(d, R_STATUS);
	return 0;
}

int ide_flush(struct ide_pio *d)
{
	if (issue(d, CMD_FLUSH_CACHE, 0, 0))
		return -1;
	int r = wait_status(d, ST_DRQ, 0);
	(void)rd8(d, R_STATUS);
	return r;
}
