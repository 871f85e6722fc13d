/*
 * pvkit's magic instruction from Linux user space (`srai x0, x0, N`, see
 * protocol/hypercall.h): the calls the guest agent and pvkit-clock make.
 * Elsewhere than riscv (the agent's host dry-run build) they answer "not
 * on pvkit". On real hardware and other emulators the instruction is a
 * HINT, a no-op: ping then reads back its own argument.
 */
#ifndef PVKIT_GUEST_MAGIC_H
#define PVKIT_GUEST_MAGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "../../../protocol/hypercall.h"

/* True when the host is pvkit (it answers a0 + 1). */
static inline bool pvkit_magic_ping(void)
{
#ifdef __riscv
	register unsigned long a0 __asm__("a0") = 41;
	__asm__ volatile("srai x0, x0, %1"
			 : "+r"(a0)
			 : "i"(PVKIT_MAGIC_PING)
			 : "memory");
	return a0 == 42;
#else
	return false;
#endif
}

struct pvkit_host_time {
	int64_t host_ns;      /* host realtime */
	uint64_t ticks;	      /* the guest's time CSR at the same instant */
	uint64_t disruptions; /* moves on stop/cont and clock steps */
	bool sync_wanted;     /* --time-sync: keep the guest on host time */
};

/* One read of the paravirtual clock; all zero off pvkit. */
static inline struct pvkit_host_time pvkit_magic_host_time(void)
{
	struct pvkit_host_time t = {0, 0, 0, false};
#ifdef __riscv
	register unsigned long a0 __asm__("a0") = 0;
	register unsigned long a1 __asm__("a1") = 0;
	register unsigned long a2 __asm__("a2") = 0;
	register unsigned long a3 __asm__("a3") = 0;
	__asm__ volatile("srai x0, x0, %4"
			 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3)
			 : "i"(PVKIT_MAGIC_HOST_TIME)
			 : "memory");
	t.host_ns = (int64_t)a0;
	t.ticks = a1;
	t.disruptions = a2;
	t.sync_wanted = a3 != 0;
#endif
	return t;
}

/* Tells pvkit the guest's clock was stepped for the host (guest-set-time):
   the disruption counter moves. */
static inline void pvkit_magic_clock_stepped(void)
{
#ifdef __riscv
	register unsigned long a0 __asm__("a0") = 0;
	__asm__ volatile("srai x0, x0, %1"
			 : "+r"(a0)
			 : "i"(PVKIT_MAGIC_CLOCK_STEPPED)
			 : "memory");
#endif
}

#endif
