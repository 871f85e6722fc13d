/*
 * Hypercall numbers shared by the host (pvkit) and guest code.
 *
 * Two doors lead from a guest to pvkit:
 *  - SBI calls (ecall from S-mode). pvkit's own services live in one SBI
 *    extension in the vendor range, so the same guest code would reach a
 *    KVM user-space VMM unchanged.
 *  - The magic instruction `srai x0, x0, N`: a HINT (a no-op on real
 *    hardware), usable from any privilege level including user space.
 *    N selects the service; a0..a7 carry arguments and results.
 */
#ifndef PVKIT_PROTOCOL_HYPERCALL_H
#define PVKIT_PROTOCOL_HYPERCALL_H

/* SBI vendor extension: 0x09 followed by "PVK" in ASCII. */
#define PVKIT_SBI_EXT 0x0950564BUL

/*
 * SBI calls return in a0 (error, 0 = success) and a1 (value) only; every
 * other register must come back unchanged, and KVM hands a vendor call to
 * its VMM with room for just those two. So one call cannot return host
 * time, the time CSR and the disruption counter in registers. HOST_TIME
 * writes them, taken at one instant, into a struct pvkit_time_snapshot
 * in guest memory instead (as SBI's steal-time extension shares memory):
 *   a0 = physical address of the struct (low bits), a1 = high bits (0 on
 *   RV64); 8-byte aligned and wholly inside RAM, else error
 *   SBI_ERR_INVALID_ADDRESS (-5) and nothing is written.
 *   Returns a0 = 0, a1 = host_ns (the same value as in the struct).
 * Host time is the host's CLOCK_REALTIME; under --icount without time
 * sync it is the deterministic virtual wall clock instead.
 */
enum pvkit_sbi_fid {
	PVKIT_SBI_VERSION = 0, /* returns PVKIT_HYPERCALL_VERSION */
	PVKIT_SBI_HOST_TIME = 1,
	PVKIT_SBI_BALLOON_HINT = 2,
	PVKIT_SBI_LIFECYCLE = 3,
	PVKIT_SBI_BENCH_MARK = 4, /* a0 = marker id */
};

#define PVKIT_SBI_ERR_INVALID_ADDRESS (-5)

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* Little-endian, as the guest sees it in RAM. */
struct pvkit_time_snapshot {
	int64_t host_ns;      /* ns since the epoch */
	uint64_t ticks;	      /* the time CSR at the same instant */
	uint64_t disruptions; /* see PVKIT_MAGIC_HOST_TIME */
	uint64_t timebase_hz; /* rate of the time CSR */
};

#define PVKIT_HYPERCALL_VERSION 1

/*
 * Magic instruction services: `srai x0, x0, N` with 1 <= N <= 63.
 * N = 0 and N = 7 are never used (7 belongs to RISC-V semihosting).
 */
enum pvkit_magic {
	PVKIT_MAGIC_PING = 1, /* a0 <- a0 + 1: tells a guest it runs on pvkit */
	/* a0 <- host realtime ns since epoch (under --icount without time
	   sync: the virtual wall clock), a1 <- time CSR, a2 <- disruption
	   counter: increments on every pause and resume (stop/cont) and
	   whenever the guest's clock was stepped for the host
	   (PVKIT_MAGIC_CLOCK_STEPPED); a change means "step, don't slew".
	   a3 <- 1 if the host wants the guest's clock kept on host time
	   (--time-sync on), 0 if not. */
	PVKIT_MAGIC_HOST_TIME = 2,
	PVKIT_MAGIC_BENCH_MARK = 3, /* a0 = marker id; a0 <- instret */
	/* The guest stepped its clock on the host's request (guest-set-time):
	   bumps the disruption counter, so every other reader of the
	   paravirtual clock steps rather than slews. a0 <- the new count. */
	PVKIT_MAGIC_CLOCK_STEPPED = 4,
	PVKIT_MAGIC_COUNT = 64,
};

/* Encodes `srai x0, x0, n` for guest code that cannot use inline asm names. */
#define PVKIT_MAGIC_INSN(n) (0x40005013u | ((unsigned)(n) << 20))

#endif
