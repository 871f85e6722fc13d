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

enum pvkit_sbi_fid {
	PVKIT_SBI_VERSION = 0, /* returns PVKIT_HYPERCALL_VERSION */
	PVKIT_SBI_HOST_TIME =
		1, /* a0 = host ns since epoch, a1 = guest time CSR */
	PVKIT_SBI_BALLOON_HINT = 2,
	PVKIT_SBI_LIFECYCLE = 3,
	PVKIT_SBI_BENCH_MARK = 4, /* a0 = marker id */
};

#define PVKIT_HYPERCALL_VERSION 1

/*
 * Magic instruction services: `srai x0, x0, N` with 1 <= N <= 63.
 * N = 0 and N = 7 are never used (7 belongs to RISC-V semihosting).
 */
enum pvkit_magic {
	PVKIT_MAGIC_PING = 1, /* a0 <- a0 + 1: tells a guest it runs on pvkit */
	/* a0 <- host realtime ns since epoch (under --icount: the virtual
	   wall clock), a1 <- time CSR, a2 <- disruption counter: increments
	   on every pause and resume (stop/cont) and whenever the host steps
	   the guest's clock; a change means "step, don't slew". */
	PVKIT_MAGIC_HOST_TIME = 2,
	PVKIT_MAGIC_BENCH_MARK = 3, /* a0 = marker id; a0 <- instret */
	PVKIT_MAGIC_COUNT = 64,
};

/* Encodes `srai x0, x0, n` for guest code that cannot use inline asm names. */
#define PVKIT_MAGIC_INSN(n) (0x40005013u | ((unsigned)(n) << 20))

#endif
