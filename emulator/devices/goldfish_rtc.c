/*
 * Goldfish RTC registers and alarm, following QEMU's goldfish_rtc model,
 * which is what Linux's rtc-goldfish is tested against.
 *
 * Talks to the bus (MMIO), the PLIC (level IRQ) and the clock callback.
 * Owns the offset and alarm state.
 *
 * Guest time is now_ns() + offset (mod 2^64). Linux reads TIME_LOW then
 * TIME_HIGH, so the LOW read latches HIGH; it writes TIME_HIGH then
 * TIME_LOW, so HIGH is staged and the LOW write commits both halves.
 */
#include "goldfish_rtc.h"

#include <stdbool.h>
#include <stdlib.h>

#include "emulator/devices/plic.h"
#include "emulator/mem/bus.h"

enum {
	RTC_TIME_LOW = 0x00,
	RTC_TIME_HIGH = 0x04,
	RTC_ALARM_LOW = 0x08,
	RTC_ALARM_HIGH = 0x0c,
	RTC_IRQ_ENABLED = 0x10,
	RTC_CLEAR_ALARM = 0x14,
	RTC_ALARM_STATUS = 0x18,
	RTC_CLEAR_INTERRUPT = 0x1c,
};

struct goldfish_rtc {
	struct plic *plic;
	int irq;
	bool irq_level;
	goldfish_clock_fn now_ns;
	void *clock_opaque;

	uint64_t offset;       /* guest time - clock time */
	uint32_t time_high;    /* latched by a TIME_LOW read */
	uint32_t time_high_wr; /* staged by a TIME_HIGH write */
	uint64_t alarm;	       /* guest time */
	bool alarm_running;
	bool irq_pending;
	bool irq_enabled;
};

static uint64_t rtc_time(const struct goldfish_rtc *r)
{
	return r->now_ns(r->clock_opaque) + r->offset;
}

static void rtc_update_irq(struct goldfish_rtc *r)
{
	bool level = r->irq_pending && r->irq_enabled;
	if (level == r->irq_level)
		return;
	r->irq_level = level;
	if (r->plic)
		plic_set_irq(r->plic, r->irq, level);
}

static void rtc_fire(struct goldfish_rtc *r)
{
	r->alarm_running = false;
	r->irq_pending = true;
	rtc_update_irq(r);
}

/* An alarm already in the past fires at once, as in QEMU. */
static void rtc_arm(struct goldfish_rtc *r)
{
	if (r->alarm <= rtc_time(r))
		rtc_fire(r);
	else
		r->alarm_running = true;
}

static uint32_t rtc_read(struct goldfish_rtc *r, uint64_t off)
{
	switch (off) {
	case RTC_TIME_LOW: {
		uint64_t t = rtc_time(r);
		r->time_high = (uint32_t)(t >> 32);
		return (uint32_t)t;
	}
	case RTC_TIME_HIGH: return r->time_high;
	case RTC_ALARM_LOW: return (uint32_t)r->alarm;
	case RTC_ALARM_HIGH: return (uint32_t)(r->alarm >> 32);
	case RTC_IRQ_ENABLED: return r->irq_enabled;
	case RTC_ALARM_STATUS: return r->alarm_running;
	}
	return 0;
}

static void rtc_write(struct goldfish_rtc *r, uint64_t off, uint32_t val)
{
	switch (off) {
	case RTC_TIME_LOW: {
		uint64_t want = (uint64_t)r->time_high_wr << 32 | val;
		r->offset = want - r->now_ns(r->clock_opaque);
		break;
	}
	case RTC_TIME_HIGH: r->time_high_wr = val; break;
	case RTC_ALARM_LOW:
		r->alarm = (r->alarm & ~0xffffffffull) | val;
		rtc_arm(r);
		break;
	case RTC_ALARM_HIGH:
		r->alarm = (r->alarm & 0xffffffffull) | (uint64_t)val << 32;
		break;
	case RTC_IRQ_ENABLED:
		r->irq_enabled = val & 1;
		rtc_update_irq(r);
		break;
	case RTC_CLEAR_ALARM: r->alarm_running = false; break;
	case RTC_CLEAR_INTERRUPT:
		r->irq_pending = false;
		rtc_update_irq(r);
		break;
	}
}

/* 32-bit registers; other sizes or misaligned offsets read 0 and write
   nothing. */
static uint64_t rtc_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	return size == 4 && !(off & 3) ? rtc_read(opaque, off) : 0;
}

static void rtc_mmio_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned size)
{
	if (size == 4 && !(off & 3))
		rtc_write(opaque, off, (uint32_t)val);
}

void goldfish_rtc_poll(struct goldfish_rtc *r)
{
	if (r->alarm_running && r->alarm <= rtc_time(r))
		rtc_fire(r);
}

uint64_t goldfish_rtc_next_deadline_ns(const struct goldfish_rtc *r)
{
	return r->alarm_running ? r->alarm - r->offset : UINT64_MAX;
}

struct goldfish_rtc *goldfish_rtc_create(struct bus *bus,
					 const struct memmap_entry *e,
					 struct plic *plic,
					 goldfish_clock_fn now_ns,
					 void *clock_opaque)
{
	struct goldfish_rtc *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->plic = plic;
	r->irq = e->irq;
	r->now_ns = now_ns;
	r->clock_opaque = clock_opaque;
	struct mmio_region reg = {
		.name = e->name,
		.base = e->base,
		.size = e->size,
		.opaque = r,
		.read = rtc_mmio_read,
		.write = rtc_mmio_write,
	};
	if (bus_add_mmio(bus, &reg) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

void goldfish_rtc_free(struct goldfish_rtc *r)
{
	free(r);
}
