/*
 * csr_machine: machine-level CSR contents and the WARL fields that the
 * spec fixes: misa = RV64 IMAFDC + S + U, mhartid = 0, SXL/UXL = 64-bit,
 * sstatus as a view of mstatus (S bits only), MPP holds M/S/U, writable
 * bits of mie/mip/mideleg/medeleg for the interrupts and exceptions that
 * exist, sie/sip as views masked by mideleg, mtvec/stvec direct and
 * vectored, mepc/sepc keep bit 1 (IALIGN = 16), mcounteren and menvcfg.STCE
 * writable, debug trigger CSRs tselect/tdata1/tdata2 accessible.
 *
 * Left out on purpose (QEMU 7.2 differs from the spec or is merely one
 * legal choice): writes of all-ones to mstatus/mie/mip/mideleg/medeleg
 * (QEMU exposes H/V/LCOFI bits even with h=false and lets medeleg bit 11
 * be set), MPP = 2 (QEMU keeps it), mepc bit 0 (QEMU keeps it),
 * pmpaddr upper bits, marchid/mimpid/mvendorid values, the trigger type.
 */
#include "runtime.h"

static void identity(void)
{
	rt_check("misa", csr_read(CSR_MISA), 0x800000000014112dUL);
	rt_check("mhartid", csr_read(CSR_MHARTID), 0);
	uint64_t ms = csr_read(CSR_MSTATUS);
	rt_check("mstatus.SXL", (ms >> 34) & 3, 2);
	rt_check("mstatus.UXL", (ms >> 32) & 3, 2);
	rt_check("sstatus.UXL", (csr_read(CSR_SSTATUS) >> 32) & 3, 2);
	/* readable, values are implementation choices */
	(void)csr_read(CSR_MVENDORID);
	(void)csr_read(CSR_MARCHID);
	(void)csr_read(CSR_MIMPID);
	rt_check_true("mvendorid/marchid/mimpid readable", 1);
}

static void status_views(void)
{
	uint64_t save = csr_read(CSR_MSTATUS);
	csr_clear(CSR_MSTATUS, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR);
	csr_set(CSR_SSTATUS, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR);
	uint64_t mask = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
	rt_check("sstatus sets SIE|SPIE|SPP|SUM|MXR in mstatus", csr_read(CSR_MSTATUS) & mask, mask);
	csr_clear(CSR_SSTATUS, mask);
	rt_check("sstatus clears them", csr_read(CSR_MSTATUS) & mask, 0);
	uint64_t mbits = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
	uint64_t before = csr_read(CSR_MSTATUS) & mbits;
	csr_set(CSR_SSTATUS, mbits);
	rt_check("sstatus cannot set M-only bits", csr_read(CSR_MSTATUS) & mbits, before);
	rt_check("sstatus hides M-only bits", csr_read(CSR_SSTATUS) & mbits, 0);
	for (uint64_t mpp = 0; mpp < 4; mpp += (mpp == 1 ? 2 : 1)) {
		csr_clear(CSR_MSTATUS, MSTATUS_MPP);
		csr_set(CSR_MSTATUS, mpp << 11);
		printf("MPP=%lu: ", mpp);
		rt_check("reads back", (csr_read(CSR_MSTATUS) & MSTATUS_MPP) >> 11, mpp);
	}
	uint64_t bits = MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MXR | MSTATUS_SUM | MSTATUS_MPIE | MSTATUS_SPIE | MSTATUS_SPP;
	csr_set(CSR_MSTATUS, bits);
	rt_check("mstatus TVM|TW|TSR|MXR|SUM|MPIE|SPIE|SPP writable", csr_read(CSR_MSTATUS) & bits, bits);
	csr_write(CSR_MSTATUS, save);
}

static void interrupt_regs(void)
{
	const uint64_t std = (1 << IRQ_SSI) | (1 << IRQ_MSI) | (1 << IRQ_STI) | (1 << IRQ_MTI) | (1 << IRQ_SEI) | (1 << IRQ_MEI);
	const uint64_t sbits = (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI);
	csr_write(CSR_MIE, std);
	rt_check("mie: standard bits writable", csr_read(CSR_MIE) & std, std);
	csr_write(CSR_MIE, 0);
	rt_check("mie cleared", csr_read(CSR_MIE) & std, 0);

	csr_write(CSR_MIDELEG, std);
	rt_check("mideleg: S bits writable, M bits read-only 0", csr_read(CSR_MIDELEG) & std, sbits);
	csr_write(CSR_MIDELEG, 0);

	uint64_t exc = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) |
		       (1 << 12) | (1 << 13) | (1 << 15);
	csr_write(CSR_MEDELEG, exc);
	rt_check("medeleg: exception bits writable", csr_read(CSR_MEDELEG) & exc, exc);
	csr_write(CSR_MEDELEG, 0);

	/* mip: SSIP/STIP/SEIP writable by M (STCE = 0); sip shows only
	 * delegated bits, sie likewise */
	csr_write(CSR_MENVCFG, 0);
	csr_set(CSR_MIP, sbits);
	rt_check("mip: SSIP|STIP|SEIP set by M", csr_read(CSR_MIP) & sbits, sbits);
	rt_check("sip with mideleg = 0", csr_read(CSR_SIP) & std, 0);
	csr_write(CSR_MIDELEG, 1 << IRQ_SSI);
	rt_check("sip with mideleg = SSI", csr_read(CSR_SIP) & std, 1 << IRQ_SSI);
	csr_clear(CSR_SIP, 1 << IRQ_SSI);
	rt_check("sip.SSIP cleared via sip", csr_read(CSR_MIP) & (1 << IRQ_SSI), 0);
	csr_write(CSR_SIE, sbits);
	rt_check("sie with mideleg = SSI", csr_read(CSR_SIE) & std, 1 << IRQ_SSI);
	rt_check("  mie", csr_read(CSR_MIE) & std, 1 << IRQ_SSI);
	csr_write(CSR_MIE, 0);
	csr_clear(CSR_MIP, sbits);
	rt_check("mip S bits cleared", csr_read(CSR_MIP) & sbits, 0);
	csr_write(CSR_MIDELEG, 0);
}

static void vectors_and_epc(void)
{
	uint64_t save = csr_read(CSR_MTVEC);
	uint64_t base = 0x80100000UL;
	csr_write(CSR_MTVEC, base | 1);
	rt_check("mtvec vectored", csr_read(CSR_MTVEC), base | 1);
	csr_write(CSR_MTVEC, save);
	rt_check("mtvec direct", csr_read(CSR_MTVEC), save);
	csr_write(CSR_STVEC, base);
	rt_check("stvec direct", csr_read(CSR_STVEC), base);
	csr_write(CSR_STVEC, base | 1);
	rt_check("stvec vectored", csr_read(CSR_STVEC), base | 1);
	csr_write(CSR_STVEC, 0);
	csr_write(CSR_MEPC, 0x80000002UL);
	rt_check("mepc keeps bit 1", csr_read(CSR_MEPC), 0x80000002UL);
	csr_write(CSR_SEPC, 0xfffffffffffffff0UL);
	rt_check("sepc 64 bits", csr_read(CSR_SEPC), 0xfffffffffffffff0UL);
	csr_write(CSR_MTVAL, 0x123456789UL);
	rt_check("mtval", csr_read(CSR_MTVAL), 0x123456789UL);
	csr_write(CSR_STVAL, 0x987654321UL);
	rt_check("stval", csr_read(CSR_STVAL), 0x987654321UL);
	csr_write(CSR_SSCRATCH, 0x5555aaaa5555aaaaUL);
	rt_check("sscratch", csr_read(CSR_SSCRATCH), 0x5555aaaa5555aaaaUL);
	csr_write(CSR_SSCRATCH, 0);
}

static void counters_envcfg(void)
{
	csr_write(CSR_MCOUNTEREN, 7);
	rt_check("mcounteren CY|TM|IR", csr_read(CSR_MCOUNTEREN) & 7, 7);
	csr_write(CSR_MCOUNTEREN, 0);
	rt_check("mcounteren cleared", csr_read(CSR_MCOUNTEREN) & 7, 0);
	csr_write(CSR_SCOUNTEREN, 5);
	rt_check("scounteren CY|IR", csr_read(CSR_SCOUNTEREN) & 7, 5);
	csr_write(CSR_SCOUNTEREN, 0);
	csr_write(CSR_MENVCFG, 1UL << 63);
	rt_check("menvcfg.STCE (Sstc) writable", csr_read(CSR_MENVCFG) >> 63, 1);
	csr_write(CSR_MENVCFG, 0);
	rt_check("menvcfg.STCE cleared", csr_read(CSR_MENVCFG) >> 63, 0);
}

static void triggers(void)
{
	rt_catch();
	csr_write(CSR_TSELECT, 0);
	uint64_t t = csr_read(CSR_TSELECT);
	(void)csr_read(CSR_TDATA1);
	(void)csr_read(CSR_TDATA2);
	rt_check_true("tselect/tdata1/tdata2 accessible", !rt_catch_end());
	rt_check("tselect after writing 0", t, 0);
}

int main(void)
{
	printf("csr_machine: machine CSR contents and WARL fields\n");
	identity();
	status_views();
	interrupt_regs();
	vectors_and_epc();
	counters_envcfg();
	triggers();
	return rt_summary();
}
