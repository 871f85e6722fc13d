/*
 * SiFive PLIC (platform-level interrupt controller), as Linux's
 * irq-sifive-plic and QEMU's virt machine lay it out.
 *
 * Talks to: device models, which drive its sources with plic_set_irq(),
 * and the hart(s), through the set_ext_irq callback given at creation
 * (context -> MEIP/SEIP line). Owns: priorities, pending, enable,
 * threshold and claim state. Registers itself on the bus.
 */
#ifndef PVKIT_DEVICES_PLIC_H
#define PVKIT_DEVICES_PLIC_H

#include <stdbool.h>

#include "emulator/platform/memmap.h"

struct bus;
struct plic;

/* Two contexts per hart, as on QEMU's virt and in the device tree's
   interrupts-extended = <&intc 11 &intc 9>: context 2h drives hart h's
   MEIP, context 2h+1 its SEIP. One hart for now. */
#define PLIC_NUM_CONTEXTS 2
enum { PLIC_CTX_M = 0, PLIC_CTX_S = 1 };

/* Register layout (offsets in the PLIC region). */
#define PLIC_PRIORITY_BASE 0x0 /* 4 * source */
#define PLIC_PENDING_BASE 0x1000
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000 /* threshold; claim/complete at +4 */
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_PRIORITY_MASK 7u /* 3 priority bits, like QEMU */

typedef void (*plic_ext_irq_fn)(void *opaque, int ctx, bool level);

/* Returns NULL when out of memory or when the region does not fit on the
   bus. set_ext_irq is called only when a context's line changes. */
struct plic *plic_create(struct bus *bus, const struct memmap_entry *e,
			 plic_ext_irq_fn set_ext_irq, void *opaque);

/* Level of interrupt source 1..PLIC_NUM_SOURCES; others are ignored. */
void plic_set_irq(struct plic *p, int source, bool level);

/* The bus keeps routing to the region: free the bus first, or stop
   accessing it. */
void plic_free(struct plic *p);

#endif
