/*
 * crt0 for pvkit bare-metal guests: entry at 0x80000000 in M-mode, the M and
 * S trap entries, and the mode-switch trampolines. See runtime.h for the
 * state main() starts in.
 */

#define FRAME_SIZE 288          /* struct rt_frame: 32 regs + 4 CSRs, 16-aligned */
#define F_CAUSE  256
#define F_EPC    264
#define F_TVAL   272
#define F_STATUS 280
#define RT_ECALL_RETURN 0x52540001

	.section .text.init, "ax", @progbits
	.globl _start
_start:
	csrw	mie, zero
	csrci	mstatus, 0x8
.option push
.option norelax
	la	gp, __global_pointer$
.option pop
	la	sp, __stack_top
	la	t0, rt_mtrap_entry
	csrw	mtvec, t0
	csrw	mscratch, zero
	csrw	medeleg, zero
	csrw	mideleg, zero
	csrw	satp, zero
	/* PMP entry 0: NAPOT over the whole address space, RWX, so that S and
	 * U mode can reach memory (with PMP implemented and no entry set they
	 * could not). Tests that exercise PMP rewrite the entries. */
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f
	csrw	pmpcfg0, t0
	/* FP on, fcsr and all f registers zero, then FS = Initial. */
	li	t0, (3 << 13)
	csrs	mstatus, t0
	csrw	fcsr, zero
	fmv.d.x	f0, zero
	fmv.d.x	f1, zero
	fmv.d.x	f2, zero
	fmv.d.x	f3, zero
	fmv.d.x	f4, zero
	fmv.d.x	f5, zero
	fmv.d.x	f6, zero
	fmv.d.x	f7, zero
	fmv.d.x	f8, zero
	fmv.d.x	f9, zero
	fmv.d.x	f10, zero
	fmv.d.x	f11, zero
	fmv.d.x	f12, zero
	fmv.d.x	f13, zero
	fmv.d.x	f14, zero
	fmv.d.x	f15, zero
	fmv.d.x	f16, zero
	fmv.d.x	f17, zero
	fmv.d.x	f18, zero
	fmv.d.x	f19, zero
	fmv.d.x	f20, zero
	fmv.d.x	f21, zero
	fmv.d.x	f22, zero
	fmv.d.x	f23, zero
	fmv.d.x	f24, zero
	fmv.d.x	f25, zero
	fmv.d.x	f26, zero
	fmv.d.x	f27, zero
	fmv.d.x	f28, zero
	fmv.d.x	f29, zero
	fmv.d.x	f30, zero
	fmv.d.x	f31, zero
	li	t0, (3 << 13)
	csrc	mstatus, t0
	li	t0, (1 << 13)
	csrs	mstatus, t0
	/* clear bss */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	li	a0, 0
	li	a1, 0
	call	main
	call	rt_exit
3:	wfi
	j	3b

/*
 * Trap entry for level \x (m or s). \x\()scratch is 0 while the hart runs
 * in that level and holds the trap stack top while it runs below it, so a
 * trap from the same level stays on the current stack (nesting works) and a
 * trap from below switches to the trap stack.
 */
.macro TRAP_ENTRY x, handler, prevbit_mask, prevbit_lower
	csrrw	sp, \x\()scratch, sp
	bnez	sp, 1f
	csrrw	sp, \x\()scratch, sp
1:	addi	sp, sp, -FRAME_SIZE
	sd	x1, 1*8(sp)
	sd	x3, 3*8(sp)
	sd	x4, 4*8(sp)
	sd	x5, 5*8(sp)
	sd	x6, 6*8(sp)
	sd	x7, 7*8(sp)
	sd	x8, 8*8(sp)
	sd	x9, 9*8(sp)
	sd	x10, 10*8(sp)
	sd	x11, 11*8(sp)
	sd	x12, 12*8(sp)
	sd	x13, 13*8(sp)
	sd	x14, 14*8(sp)
	sd	x15, 15*8(sp)
	sd	x16, 16*8(sp)
	sd	x17, 17*8(sp)
	sd	x18, 18*8(sp)
	sd	x19, 19*8(sp)
	sd	x20, 20*8(sp)
	sd	x21, 21*8(sp)
	sd	x22, 22*8(sp)
	sd	x23, 23*8(sp)
	sd	x24, 24*8(sp)
	sd	x25, 25*8(sp)
	sd	x26, 26*8(sp)
	sd	x27, 27*8(sp)
	sd	x28, 28*8(sp)
	sd	x29, 29*8(sp)
	sd	x30, 30*8(sp)
	sd	x31, 31*8(sp)
	sd	zero, 0(sp)
	csrrw	t0, \x\()scratch, zero
	bnez	t0, 2f
	addi	t0, sp, FRAME_SIZE
2:	sd	t0, 2*8(sp)
	csrr	t0, \x\()cause
	sd	t0, F_CAUSE(sp)
	csrr	t0, \x\()epc
	sd	t0, F_EPC(sp)
	csrr	t0, \x\()tval
	sd	t0, F_TVAL(sp)
	csrr	t0, \x\()status
	sd	t0, F_STATUS(sp)
.option push
.option norelax
	la	gp, __global_pointer$
.option pop
	mv	a0, sp
	call	\handler
	ld	t0, F_EPC(sp)
	csrw	\x\()epc, t0
	ld	t0, F_STATUS(sp)
	csrw	\x\()status, t0
	/* returning below this level: scratch = top of this frame */
	li	t1, \prevbit_mask
	and	t0, t0, t1
	li	t1, \prevbit_lower
	bgtu	t0, t1, 3f
	addi	t0, sp, FRAME_SIZE
	csrw	\x\()scratch, t0
3:
	ld	x1, 1*8(sp)
	ld	x3, 3*8(sp)
	ld	x4, 4*8(sp)
	ld	x5, 5*8(sp)
	ld	x6, 6*8(sp)
	ld	x7, 7*8(sp)
	ld	x8, 8*8(sp)
	ld	x9, 9*8(sp)
	ld	x10, 10*8(sp)
	ld	x11, 11*8(sp)
	ld	x12, 12*8(sp)
	ld	x13, 13*8(sp)
	ld	x14, 14*8(sp)
	ld	x15, 15*8(sp)
	ld	x16, 16*8(sp)
	ld	x17, 17*8(sp)
	ld	x18, 18*8(sp)
	ld	x19, 19*8(sp)
	ld	x20, 20*8(sp)
	ld	x21, 21*8(sp)
	ld	x22, 22*8(sp)
	ld	x23, 23*8(sp)
	ld	x24, 24*8(sp)
	ld	x25, 25*8(sp)
	ld	x26, 26*8(sp)
	ld	x27, 27*8(sp)
	ld	x28, 28*8(sp)
	ld	x29, 29*8(sp)
	ld	x30, 30*8(sp)
	ld	x31, 31*8(sp)
	ld	x2, 2*8(sp)
	\x\()ret
.endm

	.text
	.balign 64
	.globl rt_mtrap_entry
rt_mtrap_entry:
	/* MPP (bits 12:11) below M (value < 0x1800) means a lower level */
	TRAP_ENTRY m, rt_mtrap_c, 0x1800, 0x1000

	.balign 64
	.globl rt_strap_entry
rt_strap_entry:
	/* SPP (bit 8) = 0 means U */
	TRAP_ENTRY s, rt_strap_c, 0x100, 0

/*
 * long rt_run_mode(int mode, long (*fn)(long), long arg)   (M-mode)
 * Saves the callee-saved state in rt_mctx and mrets into rt_super_tramp or rt_user_tramp in
 * `mode`. The M handler sees the RT_ECALL_RETURN ecall and calls
 * rt_ctx_resume(&rt_mctx, value).
 */
	.globl rt_run_mode
rt_run_mode:
	la	t0, rt_mctx
	sd	ra, 0*8(t0)
	sd	sp, 1*8(t0)
	sd	s0, 2*8(t0)
	sd	s1, 3*8(t0)
	sd	s2, 4*8(t0)
	sd	s3, 5*8(t0)
	sd	s4, 6*8(t0)
	sd	s5, 7*8(t0)
	sd	s6, 8*8(t0)
	sd	s7, 9*8(t0)
	sd	s8, 10*8(t0)
	sd	s9, 11*8(t0)
	sd	s10, 12*8(t0)
	sd	s11, 13*8(t0)
	csrr	t1, mstatus
	sd	t1, 14*8(t0)
	sd	a0, 16*8(t0)        /* mode */
	li	t1, 1
	sd	t1, 15*8(t0)        /* active */
	li	t1, 0x1800
	csrc	mstatus, t1
	slli	t2, a0, 11
	csrs	mstatus, t2
	la	t1, rt_mtrap_stack_top
	csrw	mscratch, t1
	la	t1, rt_super_tramp
	bnez	a0, 1f
	la	sp, __user_stack_top
	la	t1, rt_user_tramp
1:	csrw	mepc, t1
	mv	a0, a2
	mret

/*
 * long rt_srun_user(long (*fn)(long), long arg)   (S-mode)
 */
	.globl rt_srun_user
rt_srun_user:
	la	t0, rt_sctx
	sd	ra, 0*8(t0)
	sd	sp, 1*8(t0)
	sd	s0, 2*8(t0)
	sd	s1, 3*8(t0)
	sd	s2, 4*8(t0)
	sd	s3, 5*8(t0)
	sd	s4, 6*8(t0)
	sd	s5, 7*8(t0)
	sd	s6, 8*8(t0)
	sd	s7, 9*8(t0)
	sd	s8, 10*8(t0)
	sd	s9, 11*8(t0)
	sd	s10, 12*8(t0)
	sd	s11, 13*8(t0)
	csrr	t1, sstatus
	sd	t1, 14*8(t0)
	sd	zero, 16*8(t0)
	li	t1, 1
	sd	t1, 15*8(t0)
	la	t1, rt_strap_entry
	csrw	stvec, t1
	li	t1, 0x100
	csrc	sstatus, t1
	la	t1, rt_user_tramp
	csrw	sepc, t1
	la	t1, rt_strap_stack_top
	csrw	sscratch, t1
	mv	a2, a1
	mv	a1, a0
	mv	a0, a2
	la	sp, __user_stack_top
	sret

/*
 * void rt_ctx_resume(struct rt_ctx *c, long value, int mlevel)
 * Called from a trap handler (on the trap stack) to return `value` from
 * the rt_run_mode/rt_srun_user call saved in c. mlevel: 1 = M (restore
 * mstatus.MIE, mscratch = 0), 0 = S (restore sstatus.SIE, sscratch = 0).
 */
	.globl rt_ctx_resume
rt_ctx_resume:
	sd	zero, 15*8(a0)
	ld	ra, 0*8(a0)
	ld	sp, 1*8(a0)
	ld	s0, 2*8(a0)
	ld	s1, 3*8(a0)
	ld	s2, 4*8(a0)
	ld	s3, 5*8(a0)
	ld	s4, 6*8(a0)
	ld	s5, 7*8(a0)
	ld	s6, 8*8(a0)
	ld	s7, 9*8(a0)
	ld	s8, 10*8(a0)
	ld	s9, 11*8(a0)
	ld	s10, 12*8(a0)
	ld	s11, 13*8(a0)
	ld	t1, 14*8(a0)
	beqz	a2, 1f
	csrw	mscratch, zero
	andi	t1, t1, 0x8
	csrs	mstatus, t1
	mv	a0, a1
	ret
1:	csrw	sscratch, zero
	andi	t1, t1, 0x2
	csrs	sstatus, t1
	mv	a0, a1
	ret

/* Run in the lower mode: a0 = arg, a1 = fn. The U one is in the user
 * region so that it can run in U-mode under paging. */
	.globl rt_super_tramp
rt_super_tramp:
	jalr	a1
	li	a7, RT_ECALL_RETURN
	ecall
1:	j	1b

	.section .user.text, "ax", @progbits
	.globl rt_user_tramp
rt_user_tramp:
	jalr	a1
	li	a7, RT_ECALL_RETURN
	ecall
1:	j	1b

	.bss
	.balign 16
	.globl rt_mtrap_stack_top, rt_strap_stack_top
	.space 16384
rt_mtrap_stack_top:
	.space 16384
rt_strap_stack_top:
