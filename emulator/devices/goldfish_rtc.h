/*
 * Goldfish RTC (Linux rtc-goldfish, "google,goldfish-rtc"): a 64-bit
 * nanosecond clock since the Unix epoch, with one alarm.
 *
 * Talks to: the bus (its MMIO region), the PLIC (one level IRQ line) and a
 * clock callback given at creation (host wall clock, or virtual time).
 * Owns the guest's offset from that clock and the alarm state.
 *
 * The machine drives the alarm: it calls goldfish_rtc_poll() from its main
 * loop, at the latest when goldfish_rtc_next_deadline_ns() comes due.
 */
#ifndef PVKIT_DEVICES_GOLDFISH_RTC_H
#define PVKIT_DEVICES_GOLDFISH_RTC_H

#include <stdint.h>

#include "emulator/platform/memmap.h"

struct bus;
struct plic;
struct goldfish_rtc;

typedef uint64_t (*goldfish_clock_fn)(void *opaque);

/* now_ns returns nanoseconds since the Unix epoch; the guest sees that
   plus the offset it sets. plic may be NULL (no IRQ line). Returns NULL
   when out of memory or the bus refuses the region. */
struct goldfish_rtc *goldfish_rtc_create(struct bus *bus,
					 const struct memmap_entry *e,
					 struct plic *plic,
					 goldfish_clock_fn now_ns,
					 void *clock_opaque);
void goldfish_rtc_free(struct goldfish_rtc *r);

/* Fires the alarm if it has come due. Cheap; call it freely. */
void goldfish_rtc_poll(struct goldfish_rtc *r);

/* When the armed alarm comes due, in now_ns's clock (not the guest's
   RTC time); UINT64_MAX when no alarm is armed. */
uint64_t goldfish_rtc_next_deadline_ns(const struct goldfish_rtc *r);

#endif
