/*
 * rvc: every RV64C instruction, executed. Each function runs compressed
 * instructions (spelt c.* so the assembler cannot pick a 32-bit form) and
 * returns what they computed; rvc.c checks the values.
 */
	.option rvc
	.text

	.globl c_addi4spn
c_addi4spn:				/* returns 1020 */
	c.addi4spn a0, sp, 1020
	sub	a0, a0, sp
	c.jr	ra

	.globl c_addi4spn_small
c_addi4spn_small:			/* returns 4 */
	c.addi4spn a5, sp, 4
	sub	a0, a5, sp
	c.jr	ra

	.globl c_lw
c_lw:					/* a0 = buf: c.lw at offsets 0 and 124 */
	c.lw	a1, 0(a0)
	c.lw	a0, 124(a0)
	c.add	a0, a1
	c.jr	ra

	.globl c_lw_sext
c_lw_sext:
	c.lw	a0, 4(a0)
	c.jr	ra

	.globl c_ld
c_ld:
	c.ld	a0, 248(a0)
	c.jr	ra

	.globl c_sw
c_sw:					/* a0 = buf, a1 = value */
	c.sw	a1, 120(a0)
	c.jr	ra

	.globl c_sd
c_sd:
	c.sd	a1, 240(a0)
	c.jr	ra

	.globl c_fld
c_fld:
	c.fld	fa5, 232(a0)
	fmv.x.d	a0, fa5
	c.jr	ra

	.globl c_fsd
c_fsd:
	fmv.d.x	fs1, a1
	c.fsd	fs1, 224(a0)
	c.jr	ra

	.globl c_sp_mem
c_sp_mem:				/* a0 = 512-byte buf, a1 = value; uses buf as sp */
	c.mv	t0, sp
	c.mv	sp, a0
	c.sdsp	a1, 504(sp)
	c.swsp	a1, 252(sp)
	fmv.d.x	ft3, a1
	c.fsdsp	ft3, 8(sp)
	c.ldsp	a2, 504(sp)
	c.lwsp	a3, 252(sp)
	c.fldsp	ft4, 8(sp)
	fmv.x.d	a4, ft4
	c.sd	a2, 16(a0)
	c.sd	a3, 24(a0)
	c.sd	a4, 32(a0)
	c.mv	sp, t0
	c.jr	ra

	.globl c_alu1
c_alu1:					/* c.nop, c.addi, c.li, c.lui, c.addi16sp */
	c.nop
	c.li	a0, -32
	c.addi	a0, 31			/* -1 */
	c.addi	a0, -1			/* -2 */
	c.li	a1, 31
	c.add	a0, a1			/* 29 */
	c.lui	a2, 0x1f		/* 0x1f000 */
	c.add	a0, a2			/* 0x1f01d */
	c.lui	a3, 0xfffe0		/* sign-extended: 0xfffffffffffe0000 */
	c.add	a0, a3			/* 0xffff...ffff01d */
	c.mv	a4, sp
	c.addi16sp sp, -512
	c.addi16sp sp, 496
	c.addi16sp sp, 16
	sub	a4, a4, sp		/* 0 */
	c.add	a0, a4
	c.jr	ra

	.globl c_addi16sp_delta
c_addi16sp_delta:			/* returns -512 */
	c.mv	a1, sp
	c.addi16sp sp, -512
	sub	a0, sp, a1
	c.addi16sp sp, 496
	c.addi16sp sp, 16
	c.jr	ra

	.globl c_addiw
c_addiw:				/* a0 = x: returns sext32(x + 1) */
	c.addiw	a0, 1
	c.jr	ra

	.globl c_addiw0
c_addiw0:				/* c.addiw rd, 0 = sext.w */
	c.addiw	a0, 0
	c.jr	ra

	.globl c_shifts
c_shifts:				/* a0 = x, out a1 = buf[4] */
	c.mv	a2, a0
	c.slli	a2, 63
	c.sd	a2, 0(a1)
	c.mv	a3, a0
	c.srli	a3, 60
	c.sd	a3, 8(a1)
	c.mv	a4, a0
	c.srai	a4, 4
	c.sd	a4, 16(a1)
	c.mv	a5, a0
	c.slli	a5, 1
	c.srai	a5, 63
	c.sd	a5, 24(a1)
	c.jr	ra

	.globl c_andi
c_andi:
	c.andi	a0, -16
	c.jr	ra

	.globl c_andi_pos
c_andi_pos:
	c.andi	a0, 31
	c.jr	ra

	.globl c_regreg		/* a0 = x, a1 = y, a2 = out[6]: sub xor or and subw addw */
c_regreg:
	c.mv	a3, a0
	c.sub	a3, a1
	c.sd	a3, 0(a2)
	c.mv	a3, a0
	c.xor	a3, a1
	c.sd	a3, 8(a2)
	c.mv	a3, a0
	c.or	a3, a1
	c.sd	a3, 16(a2)
	c.mv	a3, a0
	c.and	a3, a1
	c.sd	a3, 24(a2)
	c.mv	a3, a0
	c.subw	a3, a1
	c.sd	a3, 32(a2)
	c.mv	a3, a0
	c.addw	a3, a1
	c.sd	a3, 40(a2)
	c.jr	ra

	.globl c_branches		/* a0 = x: bit0 beqz taken, bit1 bnez taken */
c_branches:
	c.li	a1, 0
	c.beqz	a0, 1f
	c.j	2f
1:	c.addi	a1, 1
2:	c.bnez	a0, 3f
	c.j	4f
3:	c.addi	a1, 2
4:	c.mv	a0, a1
	c.jr	ra

	.globl c_jumps		/* c.j backwards and forwards, c.jr, c.jalr; returns 0x7 */
c_jumps:
	c.li	a0, 0
	c.j	2f
1:	c.addi	a0, 1
	c.j	3f
2:	c.addi	a0, 2
	c.j	1b
3:	la	a1, 4f
	c.jr	a1
	c.li	a0, 0			/* skipped */
4:	c.addi	a0, 4
	c.jr	ra

	.globl c_jalr_link		/* returns link - address of the c.jalr (2) */
c_jalr_link:
	c.mv	t1, ra
	la	a1, 1f
	la	a2, 2f
2:	c.jalr	a1
1:	sub	a0, ra, a2
	c.mv	ra, t1
	c.jr	ra

	.globl c_jalr_target		/* c.jalr to a function: returns 42 */
c_jalr_target:
	c.mv	t1, ra
	la	a1, c_ret42
	c.jalr	a1
	c.mv	ra, t1
	c.jr	ra
c_ret42:
	c.li	a0, 21
	c.add	a0, a0
	c.jr	ra

	.globl c_ebreak
c_ebreak:
	c.ebreak
	c.jr	ra

	.globl c_illegal_zero
c_illegal_zero:
	.2byte	0x0000
	c.jr	ra
