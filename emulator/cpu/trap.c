/*
 * Traps and interrupts: delegation, entry, xRET, interrupt selection,
 * timer compares. The emulated M-mode firmware (SBI) gets its chance at
 * an ecall from S-mode before the trap is taken architecturally.
 */
#include "exec.h"

void hart_set_priv(struct hart *h, int priv)
{
	h->priv = (uint8_t)priv;
	hart_update_mmu_idx(h);
}

void hart_update_mmu_idx(struct hart *h)
{
	static const uint8_t by_priv[4] = {MMU_U, MMU_S, MMU_S, MMU_M};
	int data_priv = h->priv;
	if (h->priv == PRIV_M && (h->mstatus & MSTATUS_MPRV))
		data_priv = (int)((h->mstatus & MSTATUS_MPP) >> 11);
	h->fetch_mmu = by_priv[h->priv];
	h->data_mmu = by_priv[data_priv];
	if (data_priv == PRIV_S && (h->mstatus & MSTATUS_SUM))
		h->data_mmu = MMU_S_SUM;
	h->dtlb_read = h->tlb[h->data_mmu][ACCESS_READ];
	h->dtlb_write = h->tlb[h->data_mmu][ACCESS_WRITE];
}

void hart_raise(struct hart *h, uint64_t cause, uint64_t tval)
{
	bool irq = cause >> 63;
	uint64_t code = cause & 63;
	h->last_block = NULL;
	h->lr_addr = LR_NONE;

	if (cause == EXC_ECALL_S && h->env.sbi_call &&
	    h->env.sbi_call(h->env.opaque, h)) {
		h->pc += 4;
		return;
	}

	uint64_t deleg = irq ? h->mideleg : h->medeleg;
	if (h->priv <= PRIV_S && ((deleg >> code) & 1)) {
		h->scause = cause;
		h->sepc = h->pc;
		h->stval = tval;
		uint64_t s = h->mstatus;
		s = (s & ~MSTATUS_SPIE) |
		    ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
		s = (s & ~MSTATUS_SPP) | (h->priv == PRIV_S ? MSTATUS_SPP : 0);
		s &= ~MSTATUS_SIE;
		h->mstatus = s;
		uint64_t base = h->stvec & ~3ull;
		h->pc = (irq && (h->stvec & 1)) ? base + 4 * code : base;
		hart_set_priv(h, PRIV_S);
	} else {
		h->mcause = cause;
		h->mepc = h->pc;
		h->mtval = tval;
		uint64_t s = h->mstatus;
		s = (s & ~MSTATUS_MPIE) |
		    ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
		s = (s & ~MSTATUS_MPP) | ((uint64_t)h->priv << 11);
		s &= ~MSTATUS_MIE;
		h->mstatus = s;
		uint64_t base = h->mtvec & ~3ull;
		h->pc = (irq && (h->mtvec & 1)) ? base + 4 * code : base;
		hart_set_priv(h, PRIV_M);
	}
}

bool hart_irq_pending(const struct hart *h)
{
	return ((h->mip | h->mip_hw) & h->mie) != 0;
}

/* Highest-priority enabled interrupt, or -1. */
static int pending_irq(const struct hart *h)
{
	uint64_t pending = (h->mip | h->mip_hw) & h->mie;
	if (!pending)
		return -1;
	bool m_on = h->priv < PRIV_M || (h->mstatus & MSTATUS_MIE);
	bool s_on = h->priv < PRIV_S ||
		    (h->priv == PRIV_S && (h->mstatus & MSTATUS_SIE));
	uint64_t m = m_on ? pending & ~h->mideleg : 0;
	uint64_t s = s_on ? pending & h->mideleg : 0;
	static const int order[6] = {IRQ_MEI, IRQ_MSI, IRQ_MTI,
				     IRQ_SEI, IRQ_SSI, IRQ_STI};
	uint64_t take = m ? m : s;
	if (!take)
		return -1;
	for (int k = 0; k < 6; k++)
		if (take & (1ull << order[k]))
			return order[k];
	return -1;
}

bool hart_take_interrupt(struct hart *h)
{
	int irq = pending_irq(h);
	if (irq < 0)
		return false;
	h->wfi = false;
	hart_raise(h, (1ull << 63) | (uint64_t)irq, 0);
	return true;
}

void hart_set_irq(struct hart *h, uint64_t bits, bool level)
{
	uint64_t old = h->mip_hw;
	h->mip_hw = level ? old | bits : old & ~bits;
	/* A newly raised line must be seen promptly: end the current run
	   of chained blocks so the dispatcher checks for interrupts. */
	if (h->mip_hw != old && level)
		hart_kick(h);
}

void hart_update_timers(struct hart *h, uint64_t now)
{
	hart_set_irq(h, MIP_MTIP, now >= h->mtimecmp);
	if (h->menvcfg & MENVCFG_STCE)
		hart_set_irq(h, MIP_STIP, now >= h->stimecmp);
}
