/*
 * zicsr: csrrw/csrrs/csrrc and the immediate forms (old value returned,
 * bits set/cleared), no write when rs1 = x0 / uimm = 0 (so read-only CSRs
 * can be read with csrrs/csrrc/csrrsi/csrrci), any write to a read-only
 * CSR (csrrw even with rd = x0, csrrs/csrrc/csrrwi/csrrci that write)
 * is an illegal instruction with mtval = the instruction (QEMU 7.2 does
 * not trap for csrrs/csrrc with a register holding 0, so only nonzero
 * masks are tested), unimplemented
 * CSRs are illegal, CSR privilege from S and U (M CSRs from S, S CSRs from
 * U, user counters stay readable when enabled, see counters.c for gating).
 */
#include "runtime.h"

/* Runs a CSR instruction with fixed registers a0 (rd) / a1 (rs1) so the
 * instruction bits are known; returns 1 if it trapped. */
#define TRY(insn, in, out) ({ \
	uint64_t in_ = (in); \
	rt_catch(); \
	register uint64_t a0_ __asm__("a0") = 0; \
	register uint64_t a1_ __asm__("a1") = in_; \
	__asm__ volatile(".option push\n\t.option norvc\n\t" insn "\n\t.option pop" \
			 : "+r"(a0_) : "r"(a1_) : "memory"); \
	(out) = a0_; \
	rt_catch_end(); })

static void rw_forms(void)
{
	uint64_t r;
	csr_write(CSR_MSCRATCH, 0x1234);
	TRY("csrrw a0, mscratch, a1", 0xfedcba9876543210UL, r);
	rt_check("csrrw old", r, 0x1234);
	rt_check("csrrw new", csr_read(CSR_MSCRATCH), 0xfedcba9876543210UL);
	TRY("csrrs a0, mscratch, a1", 0x0f, r);
	rt_check("csrrs old", r, 0xfedcba9876543210UL);
	rt_check("csrrs new", csr_read(CSR_MSCRATCH), 0xfedcba987654321fUL);
	TRY("csrrc a0, mscratch, a1", 0xff00000000000000UL, r);
	rt_check("csrrc old", r, 0xfedcba987654321fUL);
	rt_check("csrrc new", csr_read(CSR_MSCRATCH), 0x00dcba987654321fUL);
	TRY("csrrwi a0, mscratch, 0x15", 0, r);
	rt_check("csrrwi old", r, 0x00dcba987654321fUL);
	rt_check("csrrwi new (zero-extended uimm)", csr_read(CSR_MSCRATCH), 0x15);
	TRY("csrrsi a0, mscratch, 0x1f", 0, r);
	rt_check("csrrsi old", r, 0x15);
	rt_check("csrrsi new", csr_read(CSR_MSCRATCH), 0x1f);
	TRY("csrrci a0, mscratch, 0x3", 0, r);
	rt_check("csrrci old", r, 0x1f);
	rt_check("csrrci new", csr_read(CSR_MSCRATCH), 0x1c);
	TRY("csrrs a0, mscratch, x0", 0, r);
	rt_check("csrrs x0 reads", r, 0x1c);
	TRY("csrrw x0, mscratch, a1", 0x77, r);
	rt_check("csrrw rd=x0 writes", csr_read(CSR_MSCRATCH), 0x77);
	TRY("csrrs x0, mscratch, a1", 0x100, r);
	rt_check("csrrs rd=x0 writes", csr_read(CSR_MSCRATCH), 0x177);
	/* rd == rs1: the old value goes to rd, the write uses the old rs1 */
	uint64_t v = 0x5;
	csr_write(CSR_MSCRATCH, 0x30);
	__asm__ volatile("csrrs %0, mscratch, %0" : "+r"(v));
	rt_check("csrrs rd==rs1: rd", v, 0x30);
	rt_check("csrrs rd==rs1: csr", csr_read(CSR_MSCRATCH), 0x35);
	csr_write(CSR_MSCRATCH, 0);	/* the runtime's trap entry needs mscratch = 0 in M */
}

static void read_only(void)
{
	uint64_t r;
	int t;
	t = TRY("csrrs a0, mhartid, x0", 0, r);
	rt_check_true("csrrs mhartid, x0: no trap", !t);
	rt_check("  mhartid", r, 0);
	t = TRY("csrrc a0, mhartid, x0", 0, r);
	rt_check_true("csrrc mhartid, x0: no trap", !t);
	t = TRY("csrrsi a0, mhartid, 0", 0, r);
	rt_check_true("csrrsi mhartid, 0: no trap", !t);
	t = TRY("csrrci a0, mvendorid, 0", 0, r);
	rt_check_true("csrrci mvendorid, 0: no trap", !t);
	t = TRY("csrrs a0, cycle, x0", 0, r);
	rt_check_true("csrrs cycle, x0 in M: no trap", !t);

	t = TRY("csrrw x0, mhartid, a1", 0, r);
	rt_check_true("csrrw x0, mhartid, a1: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0xf1459073);
	/* csrrs/csrrc with rs1 != x0 holding 0 on a read-only CSR: the spec
	 * says it attempts a write (illegal); QEMU 7.2 treats a zero mask as
	 * no write and does not trap. Not tested; pvkit should trap. */
	t = TRY("csrrs a0, mhartid, a1", 1, r);
	rt_check_true("csrrs mhartid, a1 (a1 = 1): illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0xf145a573);
	t = TRY("csrrci a0, mimpid, 1", 0, r);
	rt_check_true("csrrci mimpid, 1: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0xf130f573);
	t = TRY("csrrwi a0, marchid, 0", 0, r);
	rt_check_true("csrrwi marchid, 0: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0xf1205573);
	t = TRY("csrrw a0, cycle, a1", 0, r);
	rt_check_true("csrrw cycle in M: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0xc0059573);
	t = TRY("csrrw a0, instret, a1", 0, r);
	rt_check_true("csrrw instret in M: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	t = TRY("csrrs a0, time, a1", 4, r);
	rt_check_true("csrrs time, a1 in M: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0xc015a573);
}

static void unimplemented(void)
{
	uint64_t r __attribute__((unused));
	int t;
	/* 0xbc0: custom machine read/write, not implemented */
	t = TRY("csrrs a0, 0xbc0, x0", 0, r);
	rt_check_true("read of CSR 0xbc0: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0xbc002573);
	/* 0x7b0 dcsr: only in Debug Mode */
	t = TRY("csrrs a0, 0x7b0, x0", 0, r);
	rt_check_true("read of dcsr outside Debug Mode: illegal", t && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0x7b002573);
	/* hypervisor CSRs do not exist without H */
	t = TRY("csrrs a0, 0x600, x0", 0, r);
	rt_check_true("read of hstatus (no H): illegal", t && rt_caught.cause == EXC_ILLEGAL);
}

static long s_mode_csrs(long arg)
{
	(void)arg;
	uint64_t r;
	int t, bad = 0;
	t = TRY("csrrs a0, mscratch, x0", 0, r);
	printf("  S: read mscratch: %s cause=%lu tval=0x%lx\n", t ? "trap" : "no trap", rt_caught.cause, rt_caught.tval);
	bad |= !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x34002573);
	t = TRY("csrrs a0, mstatus, x0", 0, r);
	printf("  S: read mstatus: %s cause=%lu\n", t ? "trap" : "no trap", rt_caught.cause);
	bad |= !(t && rt_caught.cause == EXC_ILLEGAL);
	t = TRY("csrrw a0, sscratch, a1", 0x99, r);
	printf("  S: write sscratch: %s\n", t ? "trap" : "no trap");
	bad |= t;
	t = TRY("csrrw a0, sscratch, x0", 0, r);
	printf("  S: sscratch = 0x%lx\n", r);
	bad |= t || r != 0x99;
	t = TRY("csrrs a0, mhartid, x0", 0, r);
	printf("  S: read mhartid: %s\n", t ? "trap" : "no trap");
	bad |= !t;
	return bad;
}

static long u_mode_csrs(long arg)
{
	(void)arg;
	uint64_t r __attribute__((unused));
	int t, bad = 0;
	t = TRY("csrrs a0, sscratch, x0", 0, r);
	printf("  U: read sscratch: %s cause=%lu tval=0x%lx\n", t ? "trap" : "no trap", rt_caught.cause, rt_caught.tval);
	bad |= !(t && rt_caught.cause == EXC_ILLEGAL && rt_caught.tval == 0x14002573);
	t = TRY("csrrs a0, sstatus, x0", 0, r);
	printf("  U: read sstatus: %s\n", t ? "trap" : "no trap");
	bad |= !t;
	t = TRY("csrrs a0, mscratch, x0", 0, r);
	printf("  U: read mscratch: %s\n", t ? "trap" : "no trap");
	bad |= !t;
	t = TRY("csrrs a0, fflags, x0", 0, r);
	printf("  U: read fflags: %s\n", t ? "trap" : "no trap");
	bad |= t;
	t = TRY("csrrs a0, cycle, x0", 0, r);
	printf("  U: read cycle (counters enabled): %s\n", t ? "trap" : "no trap");
	bad |= t;
	return bad;
}

int main(void)
{
	printf("zicsr: CSR instructions\n");
	rw_forms();
	read_only();
	unimplemented();
	printf("CSR access from S:\n");
	rt_check("S-mode CSR privilege", rt_run_mode(RT_MODE_S, s_mode_csrs, 0), 0);
	printf("CSR access from U:\n");
	csr_write(CSR_MCOUNTEREN, 7);
	csr_write(CSR_SCOUNTEREN, 7);
	rt_check("U-mode CSR privilege", rt_run_mode(RT_MODE_U, u_mode_csrs, 0), 0);
	return rt_summary();
}
