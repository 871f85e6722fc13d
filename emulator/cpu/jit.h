/*
 * The JIT tier: hot decoded blocks translated to x86-64 machine code.
 *
 * A block that has been entered `threshold` times is handed to
 * jit_block_hot() by the dispatcher. If its instructions (or a long enough
 * prefix of them) are in the supported subset (RV64IM integer ALU, loads
 * and stores with the TLB fast path inline, branches, jal, jalr), the
 * block gets native code and its first handler becomes op_jit_enter,
 * which runs that code and then chains exactly as an interpreted block
 * would. Everything else stays interpreted, so the tier can decline any
 * block and nothing changes but speed.
 *
 * The hart owns one code region (struct jit), mapped twice from one
 * memfd: pvkit writes through a read-write view and runs the read-execute
 * view, so no page is ever writable and executable at once. It is emptied
 * together with the block arena in hart_code_flush(). Guest registers stay
 * in h->x[], so the interpreter and native code share all state and can
 * hand over at any instruction boundary.
 *
 * x86-64 Linux only: elsewhere the tier compiles to a stub that declines
 * every block. PVKIT_NO_JIT=1 in the environment disables it at run time.
 */
#ifndef PVKIT_CPU_JIT_H
#define PVKIT_CPU_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hart;
struct block;
struct insn;

/* How native code left (jit_ret.code); see op_jit_enter in jit.c. */
enum {
	JIT_TAKEN = 0,	/* chain to the last insn's target, link slot 0 */
	JIT_FALL = 1,	/* chain to the pc after the block, link slot 1 */
	JIT_JUMP = 2,	/* chain to h->pc through the jump cache */
	JIT_DONE = 3,	/* a trap or an exit already set h->pc */
	JIT_RESUME = 4, /* JIT_RESUME + k: interpret on from insns[k] */
};

/* Returned in rax:rdx by the SysV ABI: the exit code and the block the
   native code was in when it left (it may have chained natively). */
struct jit_ret {
	uintptr_t code;
	struct block *block;
};
typedef struct jit_ret (*jit_entry_fn)(struct hart *h, const void *body);

struct jit {
	bool enabled;
	uint32_t threshold; /* block entries before translation */
	uint8_t *mem;	    /* the writable view of the region */
	/* the executable view is mem + exec_delta: jumps inside the region
	   are relative, so code emitted through one view runs in the other */
	intptr_t exec_delta;
	size_t size, used;
	size_t fixed;	    /* the trampolines at the start of mem */
	jit_entry_fn entry; /* saves host registers, jumps to a body */
	/* in the writable view: targets of jumps emitted there */
	const uint8_t *epilogue; /* restores them and returns */
	const uint8_t *done;	 /* returns JIT_DONE */
	uint64_t stat_blocks, stat_declined;
};

/* Sets up the tier (reads PVKIT_NO_JIT). Never fails: without an
   executable region the tier is simply off. */
void jit_init(struct jit *j);
void jit_free(struct jit *j);
/* Drops all native code (from hart_code_flush, with the blocks). */
void jit_flush(struct jit *j);

/* The dispatcher found b's countdown at zero. Translates it if it can.
   Returns false when it had to drop the whole code cache for room (b is
   gone then: the caller must look its pc up again). */
bool jit_block_hot(struct hart *h, struct block *b);

/* The first handler of a translated block. */
void op_jit_enter(struct hart *h, const struct insn *i);

#endif
