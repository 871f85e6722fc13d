/*
 * System instructions: CSR access, ecall/ebreak, xRET, WFI, fences and
 * the magic instruction. Anything that may change the translation regime
 * or unmask an interrupt leaves the block, so the dispatcher sees it
 * before the next instruction runs.
 */
#include "exec.h"

/* CSR insns: imm = csr | raw << 32; rs3 bit 0: rd is x0 (no read side
   effects for csrrw), bit 1: the source is x0 / uimm 0 (no write). */
enum { CSR_NO_READ = 1, CSR_NO_WRITE = 2 };

/* Returns false after raising the illegal-instruction trap. */
static bool csr_op(struct hart *h, const struct insn *i, uint64_t src, int kind)
{
	unsigned csr = (unsigned)(i->imm & 0xfff);
	uint64_t old = 0;
	bool reads = !(kind == 0 && (i->rs3 & CSR_NO_READ));
	bool writes = kind == 0 || !(i->rs3 & CSR_NO_WRITE);
	if (reads && !csr_read(h, i, csr, &old))
		goto illegal;
	if (writes) {
		uint64_t v = kind == 0	 ? src
			     : kind == 1 ? old | src
					 : old & ~src;
		if (!csr_write(h, i, csr, v))
			goto illegal;
	}
	X(i->rd) = old;
	return true;
illegal:
	insn_trap(h, i, EXC_ILLEGAL, (uint64_t)i->imm >> 32);
	return false;
}

#define CSR_OP(name, src, kind)                                                \
	OP(name)                                                               \
	{                                                                      \
		if (!csr_op(h, i, src, kind))                                  \
			return;                                                \
		if (hart_irq_pending(h) || h->instret >= h->insn_limit)        \
			EXIT(NEXT_PC(i));                                      \
		JUMP(NEXT_PC(i));                                              \
	}

CSR_OP(csrrw, X(i->rs1), 0)
CSR_OP(csrrs, X(i->rs1), 1)
CSR_OP(csrrc, X(i->rs1), 2)
CSR_OP(csrrwi, i->rs1, 0)
CSR_OP(csrrsi, i->rs1, 1)
CSR_OP(csrrci, i->rs1, 2)

OP(ecall)
{
	insn_trap(h, i, EXC_ECALL_U + h->priv, 0);
}

OP(ebreak)
{
	insn_trap(h, i, EXC_BREAKPOINT, 0); /* as QEMU; the spec allows 0 */
}

OP(mret)
{
	if (h->priv != PRIV_M)
		EXC_ILLEGAL_HERE();
	uint64_t s = h->mstatus;
	int mpp = (int)((s & MSTATUS_MPP) >> 11);
	s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
	s |= MSTATUS_MPIE;
	s &= ~MSTATUS_MPP;
	if (mpp != PRIV_M)
		s &= ~MSTATUS_MPRV;
	h->mstatus = s;
	h->lr_addr = LR_NONE;
	hart_set_priv(h, mpp);
	EXIT(h->mepc);
}

OP(sret)
{
	if (h->priv == PRIV_U ||
	    (h->priv == PRIV_S && (h->mstatus & MSTATUS_TSR)))
		EXC_ILLEGAL_HERE();
	uint64_t s = h->mstatus;
	int spp = (s & MSTATUS_SPP) ? PRIV_S : PRIV_U;
	s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
	s |= MSTATUS_SPIE;
	s &= ~(MSTATUS_SPP | MSTATUS_MPRV);
	h->mstatus = s;
	h->lr_addr = LR_NONE;
	hart_set_priv(h, spp);
	EXIT(h->sepc);
}

OP(wfi)
{
	if (h->priv == PRIV_U ||
	    (h->priv == PRIV_S && (h->mstatus & MSTATUS_TW)))
		EXC_ILLEGAL_HERE();
	if (!hart_irq_pending(h))
		h->wfi = true;
	EXIT(NEXT_PC(i));
}

OP(sfence_vma)
{
	if (h->priv == PRIV_U ||
	    (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM)))
		EXC_ILLEGAL_HERE();
	hart_tlb_flush(h);
	EXIT(NEXT_PC(i));
}

OP(fence_i)
{
	hart_code_flush(h);
	EXIT(NEXT_PC(i));
}

/* `srai x0, x0, N`: a no-op to hardware, a host call to pvkit. */
OP(magic)
{
	if (h->env.magic) {
		h->pc = PC_OF(i);
		h->env.magic(h->env.opaque, h, (unsigned)i->imm);
		if (unlikely(h->stop)) { /* the service ended the run */
			h->instret -= BLOCK_OF(i)->n - i->idx - 1;
			EXIT(NEXT_PC(i));
		}
	}
	NEXT();
}
