/*
 * One RV64GC hart: architectural state, the software TLB and the
 * decoded-block cache.
 *
 * The hart talks to the rest of the machine only through `struct bus`
 * (memory and MMIO) and a few callbacks in `struct hart_env` (time,
 * SBI, magic instruction, HTIF watch). It owns its TLB and block cache.
 *
 * Execution model: instructions are decoded once into blocks of
 * `struct insn`, cached by physical address. Each insn holds its handler;
 * handlers tail-call the next one, so a block runs as a chain of direct
 * jumps. A block ends at a control transfer, a CSR or system instruction,
 * a page end or a length limit; its end handler chains straight into the
 * next block when the link is known and the instruction budget lasts.
 */
#ifndef PVKIT_CPU_HART_H
#define PVKIT_CPU_HART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jit.h"

struct bus;
struct hart;
struct insn;

#if defined(__clang__)
#define MUSTTAIL __attribute__((musttail))
#else
#define MUSTTAIL
#endif

typedef void (*insn_fn)(struct hart *h, const struct insn *i);

/* x0 writes go to a scratch slot so handlers never test rd == 0. */
#define REG_ZERO_SINK 32

struct insn {
	insn_fn fn;
	int64_t imm;
	uint8_t rd, rs1, rs2, rs3;
	uint8_t idx;	/* position in its block */
	uint8_t len;	/* 2 or 4 bytes */
	uint16_t pcoff; /* offset from the block's first pc */
};

#define BLOCK_MAX_INSNS 64

struct block {
	uint64_t vpc, ppc;
	struct block *hash_next;
	/* successors on the same virtual page (taken, fall-through): such a
	   link stays valid as long as this block is reachable */
	struct block *link[2];
	uint8_t priv;
	uint8_t n;	/* instructions, the end marker excluded */
	bool cacheable; /* false for a lone page-straddling insn */
	/* JIT tier (jit.h): entries left before the dispatcher offers the
	   block for translation, and its native code once translated */
	uint32_t hot;
	void *jit_code;
	struct insn insns[]; /* n + 1: an end marker follows the last */
};

enum priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

enum access { ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_FETCH = 2 };

/* TLB: direct mapped, one set per access type and translation regime. */
#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
enum mmu_idx { MMU_U, MMU_S, MMU_S_SUM, MMU_M, MMU_COUNT };

struct tlb_entry {
	uint64_t tag;	  /* page-aligned VA, or TLB_INVALID */
	uintptr_t addend; /* host pointer = va + addend */
};
#define TLB_INVALID UINT64_MAX

/* Jump cache: virtual pc -> block, for the lookups chaining misses. */
#define JCACHE_BITS 12
struct jcache_entry {
	uint64_t vpc;
	struct block *block;
	uint32_t epoch;
};

#define BLOCK_HASH_BITS 15

struct pmp_state {
	uint8_t cfg[16];
	uint64_t addr[16];
	bool active; /* any entry with A != OFF */
};

/* What the hart needs from the machine around it. */
struct hart_env {
	void *opaque;
	uint64_t (*time_now)(void *opaque); /* timebase ticks */
	/* An ecall from S that the emulated M-mode firmware (SBI) serves.
	   Returns false when there is no such firmware (real M-mode runs). */
	bool (*sbi_call)(void *opaque, struct hart *h);
	void (*magic)(void *opaque, struct hart *h, unsigned n);
	/* A store hit a watched RAM page (HTIF tohost lives there). */
	void (*watch_store)(void *opaque, uint64_t pa);
};

struct hart {
	uint64_t x[33];
	uint64_t f[32];
	uint64_t pc;
	uint8_t priv;

	/* Each block adds its length to instret when it starts (so
	   instret counts it in full; a trap takes the rest back). Chaining
	   stops once instret reaches insn_limit; setting the limit to 0
	   sends the hart back to its outer loop. */
	uint64_t instret;
	uint64_t insn_limit;
	/* mcycle and minstret as software sees them: the internal count
	   minus an offset, or a frozen value while mcountinhibit stops
	   them. [0] = cycle, [1] = instret. */
	struct {
		uint64_t offset;
		uint64_t frozen;
	} counter[2];

	/* the TLB sets loads and stores use now (follow data_mmu) */
	struct tlb_entry *dtlb_read, *dtlb_write;
	uint8_t data_mmu;  /* enum mmu_idx used by loads and stores */
	uint8_t fetch_mmu; /* enum mmu_idx used by fetches */
	struct tlb_entry tlb[MMU_COUNT][3][TLB_SIZE];

	/* CSRs */
	/* mip = software-writable bits | lines driven by devices and timers */
	uint64_t mip_hw;
	uint64_t mstatus, misa, medeleg, mideleg, mie, mip, mtvec, mscratch,
		mepc, mcause, mtval, mcounteren, menvcfg, mcountinhibit;
	uint64_t stvec, sscratch, sepc, scause, stval, scounteren, senvcfg,
		satp, stimecmp;
	uint64_t mtimecmp; /* the ACLINT compare register of this hart */
	uint32_t fflags, frm;
	uint64_t mhartid;
	uint64_t tselect;
	struct pmp_state pmp;

	bool wfi;	  /* waiting for an interrupt */
	bool stop;	  /* leave the run loop (machine exit) */
	uint64_t lr_addr; /* reservation set by LR, or LR_NONE */
	uint64_t lr_value;

	/* block cache */
	uint8_t *arena;
	size_t arena_size, arena_used;
	struct block *hash[1u << BLOCK_HASH_BITS];
	struct jcache_entry jcache[1u << JCACHE_BITS];
	uint32_t epoch;		  /* bumped when virtual->physical may change */
	struct block *last_block; /* the block that just ended, for linking */
	uint8_t last_slot;
	uint64_t *code_pages; /* RAM pages flagged PAGE_CODE, to unflag */
	size_t ncode_pages, code_pages_cap;
	/* a load or store slow path that failed leaves its trap here */
	uint64_t fault_cause, fault_tval;

	struct jit jit; /* native code for hot blocks (jit.h) */

	struct bus *bus;
	struct hart_env env;
	uint64_t stat_blocks_built, stat_flushes;
};

#define LR_NONE UINT64_MAX

/* mip/mie bits */
enum {
	IRQ_SSI = 1,
	IRQ_MSI = 3,
	IRQ_STI = 5,
	IRQ_MTI = 7,
	IRQ_SEI = 9,
	IRQ_MEI = 11,
};
#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)

/* exception causes */
enum {
	EXC_INSN_MISALIGNED = 0,
	EXC_INSN_ACCESS = 1,
	EXC_ILLEGAL = 2,
	EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7,
	EXC_ECALL_U = 8,
	EXC_ECALL_S = 9,
	EXC_ECALL_M = 11,
	EXC_INSN_PAGE = 12,
	EXC_LOAD_PAGE = 13,
	EXC_STORE_PAGE = 15,
};

/* mstatus fields */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_UBE (1ull << 6)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_XS (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_SD (1ull << 63)
#define FS_DIRTY (3ull << 13)

#define MENVCFG_STCE (1ull << 63)

/* Lifecycle */
int hart_init(struct hart *h, struct bus *bus, const struct hart_env *env);
void hart_free(struct hart *h);
void hart_reset(struct hart *h, uint64_t pc);

/* Runs about `budget` instructions, less if the hart waits for an
   interrupt or something asks it to stop. */
void hart_run(struct hart *h, uint64_t budget);
/* Makes a running hart return to its outer loop soon. */
static inline void hart_kick(struct hart *h)
{
	h->insn_limit = 0;
}

/* Interrupt lines driven by devices (level). */
void hart_set_irq(struct hart *h, uint64_t mip_bits, bool level);
/* Re-evaluates timer compares against the current time. */
void hart_update_timers(struct hart *h, uint64_t now);
/* True when an interrupt is pending and enabled (would wake WFI). */
bool hart_irq_pending(const struct hart *h);

/* Traps: set up the trap and leave the hart at the handler. */
void hart_raise(struct hart *h, uint64_t cause, uint64_t tval);

/* Flushes (SFENCE.VMA, satp, priv-relevant mstatus changes, fence.i) */
void hart_tlb_flush(struct hart *h);
void hart_code_flush(struct hart *h);
void hart_update_mmu_idx(struct hart *h);

/* Memory access as the current data regime sees it (slow path, for
   devices of the hart itself such as SBI and debugging). Return 0 or an
   exception cause. */
int hart_load(struct hart *h, uint64_t va, unsigned size, uint64_t *val);
int hart_store(struct hart *h, uint64_t va, unsigned size, uint64_t val);

uint64_t hart_read_instret(const struct hart *h, const struct insn *i);

#endif
