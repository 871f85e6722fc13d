/*
 * Control and status registers: access checks, WARL legalisation and the
 * side effects of writes (TLB regime, timers, PMP).
 */
#include "csr.h"

#include "exec.h"
#include "mmu.h"

#define SSTATUS_MASK                                                           \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_FS | \
	 MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WRITABLE                                                       \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |             \
	 MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | \
	 MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define S_INTERRUPTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define DELEGABLE_EXCEPTIONS 0xb3ffull /* all but ecall-M, 10 and 14 */

static uint64_t read_mstatus(const struct hart *h)
{
	uint64_t s = h->mstatus;
	if ((s & MSTATUS_FS) == FS_DIRTY)
		s |= MSTATUS_SD;
	return s;
}

static void write_mstatus(struct hart *h, uint64_t v, uint64_t mask)
{
	uint64_t old = h->mstatus;
	uint64_t s = (old & ~mask) | (v & mask);
	if (((s & MSTATUS_MPP) >> 11) == 2) /* reserved: keep the old mode */
		s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
	s = (s & ~(MSTATUS_UXL | MSTATUS_SXL | MSTATUS_SD)) | (2ull << 32) |
	    (2ull << 34);
	h->mstatus = s;
	if ((old ^ s) & MSTATUS_MXR)
		hart_tlb_flush(h);
	hart_update_mmu_idx(h);
}

uint64_t hart_read_instret(const struct hart *h, const struct insn *i)
{
	if (!i)
		return h->instret;
	return h->instret - (BLOCK_OF(i)->n - i->idx);
}

/* Cycles are instructions here (one per instruction); each counter is
   the retired count minus an offset unless mcountinhibit froze it. */
enum { CTR_CYCLE = 0, CTR_INSTRET = 1 };
static const uint64_t inhibit_bit[2] = {1, 4}; /* CY, IR */

static uint64_t counter_read(const struct hart *h, const struct insn *i, int k)
{
	if (h->mcountinhibit & inhibit_bit[k])
		return h->counter[k].frozen;
	return hart_read_instret(h, i) - h->counter[k].offset;
}

/* The next instruction reads v: the writing one does not count. */
static void counter_write(struct hart *h, const struct insn *i, int k,
			  uint64_t v)
{
	if (h->mcountinhibit & inhibit_bit[k])
		h->counter[k].frozen = v;
	else
		h->counter[k].offset = hart_read_instret(h, i) + 1 - v;
}

static void write_countinhibit(struct hart *h, const struct insn *i, uint64_t v)
{
	for (int k = 0; k < 2; k++) {
		bool was = h->mcountinhibit & inhibit_bit[k];
		bool now = v & inhibit_bit[k];
		if (!was && now)
			h->counter[k].frozen = counter_read(h, i, k);
		else if (was && !now)
			h->counter[k].offset = hart_read_instret(h, i) + 1 -
					       h->counter[k].frozen;
	}
	h->mcountinhibit = v & ~2ull;
}

/* cycle, time, instret and hpmcounters from S or U need the enable bits */
static bool counter_allowed(const struct hart *h, unsigned csr)
{
	unsigned bit = csr & 31;
	if (h->priv < PRIV_M && !((h->mcounteren >> bit) & 1))
		return false;
	if (h->priv < PRIV_S && !((h->scounteren >> bit) & 1))
		return false;
	return true;
}

static bool stimecmp_allowed(const struct hart *h)
{
	if (h->priv == PRIV_M)
		return true;
	return (h->menvcfg & MENVCFG_STCE) && (h->mcounteren & 2);
}

bool csr_read(struct hart *h, const struct insn *i, unsigned csr, uint64_t *val)
{
	if (((csr >> 8) & 3) > h->priv)
		return false;
	switch (csr) {
	case CSR_FFLAGS:
	case CSR_FRM:
	case CSR_FCSR:
		if (!fp_enabled(h))
			return false;
		*val = csr == CSR_FFLAGS ? h->fflags
		       : csr == CSR_FRM	 ? h->frm
					 : (h->frm << 5) | h->fflags;
		return true;
	case CSR_CYCLE:
	case CSR_TIME:
	case CSR_INSTRET:
		if (!counter_allowed(h, csr))
			return false;
		if (csr == CSR_TIME)
			*val = h->env.time_now(h->env.opaque);
		else
			*val = counter_read(h, i,
					    csr == CSR_CYCLE ? CTR_CYCLE
							     : CTR_INSTRET);
		return true;
	case CSR_MCYCLE: *val = counter_read(h, i, CTR_CYCLE); return true;
	case CSR_MINSTRET: *val = counter_read(h, i, CTR_INSTRET); return true;
	case CSR_SSTATUS: *val = read_mstatus(h) & SSTATUS_MASK; return true;
	case CSR_SIE: *val = h->mie & h->mideleg; return true;
	case CSR_STVEC: *val = h->stvec; return true;
	case CSR_SCOUNTEREN: *val = h->scounteren; return true;
	case CSR_SENVCFG: *val = h->senvcfg; return true;
	case CSR_SSCRATCH: *val = h->sscratch; return true;
	case CSR_SEPC: *val = h->sepc; return true;
	case CSR_SCAUSE: *val = h->scause; return true;
	case CSR_STVAL: *val = h->stval; return true;
	case CSR_SIP: *val = (h->mip | h->mip_hw) & h->mideleg; return true;
	case CSR_STIMECMP:
		if (!stimecmp_allowed(h))
			return false;
		*val = h->stimecmp;
		return true;
	case CSR_SATP:
		if (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))
			return false;
		*val = h->satp;
		return true;
	case CSR_MVENDORID:
	case CSR_MARCHID:
	case CSR_MIMPID:
	case CSR_MCONFIGPTR: *val = 0; return true;
	case CSR_MHARTID: *val = h->mhartid; return true;
	case CSR_MSTATUS: *val = read_mstatus(h); return true;
	case CSR_MISA: *val = h->misa; return true;
	case CSR_MEDELEG: *val = h->medeleg; return true;
	case CSR_MIDELEG: *val = h->mideleg; return true;
	case CSR_MIE: *val = h->mie; return true;
	case CSR_MTVEC: *val = h->mtvec; return true;
	case CSR_MCOUNTEREN: *val = h->mcounteren; return true;
	case CSR_MENVCFG: *val = h->menvcfg; return true;
	case CSR_MCOUNTINHIBIT: *val = h->mcountinhibit; return true;
	case CSR_MSCRATCH: *val = h->mscratch; return true;
	case CSR_MEPC: *val = h->mepc; return true;
	case CSR_MCAUSE: *val = h->mcause; return true;
	case CSR_MTVAL: *val = h->mtval; return true;
	case CSR_MIP: *val = h->mip | h->mip_hw; return true;
	case CSR_PMPCFG0:
	case CSR_PMPCFG2: {
		const uint8_t *c = &h->pmp.cfg[csr == CSR_PMPCFG0 ? 0 : 8];
		uint64_t v = 0;
		for (int k = 7; k >= 0; k--)
			v = (v << 8) | c[k];
		*val = v;
		return true;
	}
	case CSR_TSELECT:
	case CSR_TDATA1:
	case CSR_TDATA2:
	case CSR_TDATA3:
		*val = 0; /* no triggers: tdata1 type 0 */
		return true;
	}
	if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 16) {
		*val = h->pmp.addr[csr - CSR_PMPADDR0];
		return true;
	}
	if (csr > CSR_INSTRET && csr <= CSR_HPMCOUNTER31) {
		if (!counter_allowed(h, csr))
			return false;
		*val = 0;
		return true;
	}
	if ((csr > CSR_MINSTRET && csr <= CSR_MHPMCOUNTER31) ||
	    (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
		*val = 0;
		return true;
	}
	return false;
}

static bool pmp_locked(const struct hart *h, int k)
{
	return (h->pmp.cfg[k] & 0x80) != 0;
}

static void write_pmpcfg(struct hart *h, int first, uint64_t v)
{
	for (int k = 0; k < 8; k++) {
		uint8_t c = (uint8_t)(v >> (8 * k));
		if (pmp_locked(h, first + k))
			continue;
		if ((c & 3) == 2) /* W without R is reserved */
			c &= ~3;
		h->pmp.cfg[first + k] = c & 0x9f;
	}
	pmp_update(h);
}

static void write_pmpaddr(struct hart *h, int k, uint64_t v)
{
	if (pmp_locked(h, k))
		return;
	if (k < 15 && pmp_locked(h, k + 1) &&
	    (h->pmp.cfg[k + 1] & 0x18) == 0x08) /* locked TOR above */
		return;
	h->pmp.addr[k] = v & ((1ull << 54) - 1);
	pmp_update(h);
}

static uint64_t legal_tvec(uint64_t old, uint64_t v)
{
	return (v & 3) >= 2 ? old : v;
}

bool csr_write(struct hart *h, const struct insn *i, unsigned csr, uint64_t v)
{
	if (((csr >> 8) & 3) > h->priv || (csr >> 10) == 3)
		return false;
	switch (csr) {
	case CSR_FFLAGS:
	case CSR_FRM:
	case CSR_FCSR:
		if (!fp_enabled(h))
			return false;
		if (csr != CSR_FRM)
			h->fflags = (uint32_t)v & 0x1f;
		if (csr == CSR_FRM)
			h->frm = (uint32_t)v & 7;
		if (csr == CSR_FCSR)
			h->frm = (uint32_t)(v >> 5) & 7;
		h->mstatus |= FS_DIRTY;
		return true;
	case CSR_MCYCLE: counter_write(h, i, CTR_CYCLE, v); return true;
	case CSR_MINSTRET: counter_write(h, i, CTR_INSTRET, v); return true;
	case CSR_SSTATUS:
		write_mstatus(h, v, SSTATUS_MASK & MSTATUS_WRITABLE);
		return true;
	case CSR_SIE:
		h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg);
		return true;
	case CSR_STVEC: h->stvec = legal_tvec(h->stvec, v); return true;
	case CSR_SCOUNTEREN: h->scounteren = v & 0xffffffff; return true;
	case CSR_SENVCFG: h->senvcfg = v & 1; return true;
	case CSR_SSCRATCH: h->sscratch = v; return true;
	case CSR_SEPC: h->sepc = v & ~1ull; return true;
	case CSR_SCAUSE: h->scause = v; return true;
	case CSR_STVAL: h->stval = v; return true;
	case CSR_SIP:
		h->mip = (h->mip & ~(h->mideleg & MIP_SSIP)) |
			 (v & h->mideleg & MIP_SSIP);
		return true;
	case CSR_STIMECMP:
		if (!stimecmp_allowed(h))
			return false;
		h->stimecmp = v;
		hart_update_timers(h, h->env.time_now(h->env.opaque));
		return true;
	case CSR_SATP: {
		if (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))
			return false;
		uint64_t mode = v >> 60;
		if (mode != 0 && mode != 8 && mode != 9)
			return true; /* unsupported mode: no change at all */
		/* 16 ASID bits are kept, but every satp write flushes the
		   whole TLB, which is correct whatever the ASID says */
		h->satp = mode ? v : 0;
		hart_tlb_flush(h);
		return true;
	}
	case CSR_MSTATUS: write_mstatus(h, v, MSTATUS_WRITABLE); return true;
	case CSR_MISA: return true; /* extensions cannot be turned off */
	case CSR_MEDELEG: h->medeleg = v & DELEGABLE_EXCEPTIONS; return true;
	case CSR_MIDELEG: h->mideleg = v & S_INTERRUPTS; return true;
	case CSR_MIE:
		h->mie = v & (S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP);
		return true;
	case CSR_MTVEC: h->mtvec = legal_tvec(h->mtvec, v); return true;
	case CSR_MCOUNTEREN: h->mcounteren = v & 0xffffffff; return true;
	case CSR_MENVCFG: {
		uint64_t old = h->menvcfg;
		h->menvcfg = v & (MENVCFG_STCE | 1);
		if ((old ^ h->menvcfg) & MENVCFG_STCE) {
			hart_set_irq(h, MIP_STIP, false);
			hart_update_timers(h, h->env.time_now(h->env.opaque));
		}
		return true;
	}
	case CSR_MCOUNTINHIBIT: write_countinhibit(h, i, v); return true;
	case CSR_MSCRATCH: h->mscratch = v; return true;
	case CSR_MEPC: h->mepc = v & ~1ull; return true;
	case CSR_MCAUSE: h->mcause = v; return true;
	case CSR_MTVAL: h->mtval = v; return true;
	case CSR_MIP: {
		uint64_t mask = MIP_SSIP | MIP_SEIP;
		if (!(h->menvcfg & MENVCFG_STCE))
			mask |= MIP_STIP;
		h->mip = (h->mip & ~mask) | (v & mask);
		return true;
	}
	case CSR_PMPCFG0: write_pmpcfg(h, 0, v); return true;
	case CSR_PMPCFG2: write_pmpcfg(h, 8, v); return true;
	case CSR_TSELECT:
	case CSR_TDATA1:
	case CSR_TDATA2:
	case CSR_TDATA3: return true;
	}
	if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 16) {
		write_pmpaddr(h, (int)(csr - CSR_PMPADDR0), v);
		return true;
	}
	if ((csr > CSR_MINSTRET && csr <= CSR_MHPMCOUNTER31) ||
	    (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31))
		return true;
	return false;
}
