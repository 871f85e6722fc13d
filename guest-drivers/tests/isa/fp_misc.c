/*
 * fp_misc: the F/D rules that are not arithmetic vectors (those are in
 * fp_s and fp_d): NaN-boxing (f32 ops on a non-boxed register read the
 * canonical NaN; flw, fmv.w.x, f32 results are boxed; fmv.x.w and fsw move
 * the low 32 bits as they are; fmv.x.w sign-extends), fmv.x.d/fmv.d.x keep
 * NaN payloads, fcsr/frm/fflags aliases and fsflags/fsrm swaps, accrued
 * flags, invalid rounding modes (static 5/6 and dynamic frm 5/6/7 are
 * illegal instructions, ops without rounding do not care), fused
 * multiply-add rounding once, mstatus.FS: Off makes every FP instruction
 * and FP CSR access illegal (mtval = instruction bits), writes make it
 * Dirty and set SD.
 */
#include "runtime.h"

#define FFLAGS_NV 0x10
#define FFLAGS_DZ 0x08
#define FFLAGS_OF 0x04
#define FFLAGS_UF 0x02
#define FFLAGS_NX 0x01

static uint64_t mem[4];

static void boxing(void)
{
	uint64_t r, fl;

	/* f32 add on a register holding 2.0f without the upper ones */
	csr_write(CSR_FFLAGS, 0);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(r) : "r"(0x0000000040000000UL) : "ft0", "ft1");
	fl = csr_read(CSR_FFLAGS);
	rt_check("fadd.s on non-boxed operand", r, 0xffffffff7fc00000UL);
	rt_check("  fflags (quiet NaN in, none)", fl, 0);
	/* the same value boxed */
	__asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(r) : "r"(0xffffffff40000000UL) : "ft0", "ft1");
	rt_check("fadd.s 2+2 boxed", r, 0xffffffff40800000UL);
	/* upper bits almost all ones is not boxed either */
	__asm__ volatile("fmv.d.x ft0, %1\n\tfsgnj.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(r) : "r"(0xfffffffe40000000UL) : "ft0", "ft1");
	rt_check("fsgnj.s on 0xfffffffe40000000", r, 0xffffffff7fc00000UL);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfsgnjn.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(r) : "r"(0x3ff0000000000000UL) : "ft0", "ft1");
	rt_check("fsgnjn.s on a double (canonical NaN, sign flipped)", r, 0xffffffffffc00000UL);
	csr_write(CSR_FFLAGS, 0);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfeq.s %0, ft0, ft0" : "=r"(r) : "r"(0x3ff0000000000000UL) : "ft0");
	fl = csr_read(CSR_FFLAGS);
	rt_check("feq.s on non-boxed: result", r, 0);
	rt_check("feq.s on non-boxed: fflags", fl, 0);
	__asm__ volatile("fmv.d.x ft0, %1\n\tflt.s %0, ft0, ft0" : "=r"(r) : "r"(0x3ff0000000000000UL) : "ft0");
	fl = csr_read(CSR_FFLAGS);
	rt_check("flt.s on non-boxed: fflags NV", fl, FFLAGS_NV);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfclass.s %0, ft0" : "=r"(r) : "r"(0x3ff0000000000000UL) : "ft0");
	rt_check("fclass.s on non-boxed (quiet NaN)", r, 1 << 9);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfcvt.d.s ft1, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(r) : "r"(0x000000003f800000UL) : "ft0", "ft1");
	rt_check("fcvt.d.s on non-boxed", r, 0x7ff8000000000000UL);

	/* transfers do not check boxing */
	__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.w %0, ft0" : "=r"(r) : "r"(0x1234567880000001UL) : "ft0");
	rt_check("fmv.x.w of non-boxed (low bits, sign-extended)", r, 0xffffffff80000001UL);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.w %0, ft0" : "=r"(r) : "r"(0xffffffff7fffffffUL) : "ft0");
	rt_check("fmv.x.w 0x7fffffff", r, 0x7fffffffUL);
	__asm__ volatile("fmv.d.x ft0, %0\n\tfsw ft0, 0(%1)" :: "r"(0xabcdef0112345678UL), "r"(mem) : "ft0", "memory");
	rt_check("fsw of non-boxed stores low word", mem[0] & 0xffffffffUL, 0x12345678UL);
	__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(0x123456789abcdef0UL) : "ft0");
	rt_check("fmv.w.x boxes", r, 0xffffffff9abcdef0UL);
	mem[1] = 0x1111111122222222UL;
	__asm__ volatile("flw ft0, 8(%1)\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(mem) : "ft0", "memory");
	rt_check("flw boxes", r, 0xffffffff22222222UL);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(0x7ff0000000000abcUL) : "ft0");
	rt_check("fmv.d.x/fmv.x.d keep an sNaN payload", r, 0x7ff0000000000abcUL);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfsd ft0, 16(%2)\n\tfld ft1, 16(%2)\n\tfmv.x.d %0, ft1"
			 : "=r"(r) : "r"(0xfff8000000000123UL), "r"(mem) : "ft0", "ft1", "memory");
	rt_check("fsd/fld keep a NaN payload", r, 0xfff8000000000123UL);
	csr_write(CSR_FFLAGS, 0);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfsgnjx.d ft1, ft0, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(r) : "r"(0xfff0000000000001UL) : "ft0", "ft1");
	rt_check("fsgnjx.d of an sNaN: bits, no flags", r, 0x7ff0000000000001UL);
	rt_check("  fflags", csr_read(CSR_FFLAGS), 0);
}

static void csr_aliases(void)
{
	uint64_t r;
	csr_write(CSR_FCSR, 0xfff);
	rt_check("fcsr after writing 0xfff", csr_read(CSR_FCSR), 0xff);
	rt_check("frm", csr_read(CSR_FRM), 7);
	rt_check("fflags", csr_read(CSR_FFLAGS), 0x1f);
	csr_write(CSR_FRM, 0x2b);
	rt_check("frm after writing 0x2b", csr_read(CSR_FRM), 3);
	rt_check("fcsr", csr_read(CSR_FCSR), 0x7f);
	csr_write(CSR_FFLAGS, 0x25);
	rt_check("fflags after writing 0x25", csr_read(CSR_FFLAGS), 0x05);
	rt_check("fcsr", csr_read(CSR_FCSR), 0x65);
	__asm__ volatile("fsflags %0, %1" : "=r"(r) : "r"(0x3UL));
	rt_check("fsflags returns old flags", r, 0x05);
	__asm__ volatile("fsrm %0, %1" : "=r"(r) : "r"(0x1UL));
	rt_check("fsrm returns old frm", r, 3);
	__asm__ volatile("frcsr %0" : "=r"(r));
	rt_check("frcsr", r, 0x23);
	__asm__ volatile("fscsr %0, %1" : "=r"(r) : "r"(0UL));
	rt_check("fscsr returns old fcsr", r, 0x23);
	__asm__ volatile("csrrsi %0, fflags, 0x10" : "=r"(r));
	rt_check("csrrsi fflags", csr_read(CSR_FFLAGS), 0x10);
	__asm__ volatile("csrrci %0, fcsr, 0x10" : "=r"(r));
	rt_check("csrrci fcsr", csr_read(CSR_FCSR), 0);
}

static void accrued(void)
{
	uint64_t r;
	csr_write(CSR_FCSR, 0);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, zero\n\tfdiv.d ft2, ft0, ft1\n\tfmv.x.d %0, ft2"
			 : "=r"(r) : "r"(0x3ff0000000000000UL) : "ft0", "ft1", "ft2");
	rt_check("1/0", r, 0x7ff0000000000000UL);
	rt_check("  fflags DZ", csr_read(CSR_FFLAGS), FFLAGS_DZ);
	__asm__ volatile("fmv.d.x ft0, %0\n\tfmv.d.x ft1, %1\n\tfdiv.d ft2, ft0, ft1"
			 :: "r"(0x3ff0000000000000UL), "r"(0x4008000000000000UL) : "ft0", "ft1", "ft2");
	rt_check("  then 1/3: DZ|NX", csr_read(CSR_FFLAGS), FFLAGS_DZ | FFLAGS_NX);
	__asm__ volatile("fmv.d.x ft0, %0\n\tfsqrt.d ft2, ft0" :: "r"(0xbff0000000000000UL) : "ft0", "ft2");
	rt_check("  then sqrt(-1): DZ|NX|NV", csr_read(CSR_FFLAGS), FFLAGS_DZ | FFLAGS_NX | FFLAGS_NV);
	__asm__ volatile("fmv.d.x ft0, %0\n\tfmul.d ft2, ft0, ft0" :: "r"(0x7fefffffffffffffUL) : "ft0", "ft2");
	rt_check("  then max*max: +OF", csr_read(CSR_FFLAGS), 0x1f & ~FFLAGS_UF);
	__asm__ volatile("fmv.d.x ft0, %0\n\tfmul.d ft2, ft0, ft0" :: "r"(0x0010000000000000UL) : "ft0", "ft2");
	rt_check("  then min*min: all five", csr_read(CSR_FFLAGS), 0x1f);
	csr_write(CSR_FFLAGS, 0);
	__asm__ volatile("fmv.d.x ft0, %0\n\tfadd.d ft2, ft0, ft0" :: "r"(0x3ff0000000000000UL) : "ft0", "ft2");
	rt_check("exact op sets no flag", csr_read(CSR_FFLAGS), 0);
}

/* fadd.d ft2, ft0, ft1 with rm = 5 and 6 (reserved) */
static void bad_rm(void)
{
	uint64_t r;
	rt_catch();
	__asm__ volatile(".insn r 0x53, 5, 0x01, ft2, ft0, ft1" ::: "ft2");
	rt_check_true("fadd.d with static rm 5 is illegal", rt_catch_end());
	rt_check("  cause", rt_caught.cause, EXC_ILLEGAL);
	rt_check("  mtval", rt_caught.tval, 0x02105153);
	rt_catch();
	__asm__ volatile(".insn r 0x53, 6, 0x01, ft2, ft0, ft1" ::: "ft2");
	rt_check_true("fadd.d with static rm 6 is illegal", rt_catch_end());
	rt_check("  mtval", rt_caught.tval, 0x02106153);

	for (int frm = 5; frm <= 7; frm++) {
		csr_write(CSR_FRM, frm);
		rt_catch();
		__asm__ volatile("fadd.d ft2, ft0, ft1, dyn" ::: "ft2");
		printf("frm=%d: ", frm);
		rt_check_true("fadd.d dyn is illegal", rt_catch_end());
		rt_check("  cause", rt_caught.cause, EXC_ILLEGAL);
		rt_check("  mtval", rt_caught.tval, 0x02107153);
		rt_catch();
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmin.d ft1, ft0, ft0\n\tfmv.x.d %0, ft1"
				 : "=r"(r) : "r"(0x4000000000000000UL) : "ft0", "ft1");
		rt_check_true("  fmin.d (no rounding) does not trap", !rt_catch_end());
		rt_check("  fmin.d result", r, 0x4000000000000000UL);
	}
	csr_write(CSR_FRM, 0);
	rt_catch();
	__asm__ volatile("fadd.d ft2, ft0, ft1, dyn" ::: "ft2");
	rt_check_true("fadd.d dyn with frm=0 does not trap", !rt_catch_end());
}

static void fused(void)
{
	uint64_t r;
	/* (1+2^-52)^2 - (1+2^-51) = 2^-104 exactly when rounded once; 0 if
	 * the product were rounded first */
	csr_write(CSR_FFLAGS, 0);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmsub.d ft2, ft0, ft0, ft1\n\tfmv.x.d %0, ft2"
			 : "=r"(r) : "r"(0x3ff0000000000001UL), "r"(0x3ff0000000000002UL) : "ft0", "ft1", "ft2");
	rt_check("fmsub.d single rounding", r, 0x3970000000000000UL);
	rt_check("  fflags (exact)", csr_read(CSR_FFLAGS), 0);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmul.d ft3, ft0, ft0\n\tfsub.d ft2, ft3, ft1\n\tfmv.x.d %0, ft2"
			 : "=r"(r) : "r"(0x3ff0000000000001UL), "r"(0x3ff0000000000002UL) : "ft0", "ft1", "ft2", "ft3");
	rt_check("fmul.d then fsub.d", r, 0);
	__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\tfmsub.s ft2, ft0, ft0, ft1\n\tfmv.x.d %0, ft2"
			 : "=r"(r) : "r"(0x3f800001UL), "r"(0x3f800002UL) : "ft0", "ft1", "ft2");
	rt_check("fmsub.s single rounding", r, 0xffffffff28800000UL);
}

static uint64_t fs_of(void) { return (csr_read(CSR_MSTATUS) & MSTATUS_FS) >> 13; }

static void fs_state(void)
{
	csr_clear(CSR_MSTATUS, MSTATUS_FS);
	csr_set(CSR_MSTATUS, MSTATUS_FS_INITIAL);
	rt_check("FS set to Initial reads", fs_of(), 1);
	rt_check("  SD", csr_read(CSR_MSTATUS) >> 63, 0);
	__asm__ volatile("fmv.d.x ft0, zero\n\tfadd.d ft1, ft0, ft0" ::: "ft0", "ft1");
	rt_check("FS after fadd.d", fs_of(), 3);
	rt_check("  SD", csr_read(CSR_MSTATUS) >> 63, 1);
	rt_check("  sstatus.SD", csr_read(CSR_SSTATUS) >> 63, 1);
	rt_check("  sstatus.FS", (csr_read(CSR_SSTATUS) & MSTATUS_FS) >> 13, 3);
	csr_clear(CSR_MSTATUS, MSTATUS_FS);
	csr_set(CSR_MSTATUS, MSTATUS_FS_CLEAN);
	rt_check("FS set to Clean reads", fs_of(), 2);
	__asm__ volatile("flw ft0, 0(%0)" :: "r"(mem) : "ft0", "memory");
	rt_check("FS after flw", fs_of(), 3);
	csr_clear(CSR_MSTATUS, MSTATUS_FS);
	csr_set(CSR_MSTATUS, MSTATUS_FS_CLEAN);
	csr_write(CSR_FFLAGS, 1);
	rt_check("FS after csrw fflags", fs_of(), 3);

	csr_clear(CSR_MSTATUS, MSTATUS_FS);
	rt_check("FS set to Off reads", fs_of(), 0);
	rt_check("  SD", csr_read(CSR_MSTATUS) >> 63, 0);
	/* fixed registers (a0 = rd, a1 = rs1) so that mtval is known */
#define OFF_TRY(label, insn, bits) do { \
	rt_catch(); \
	__asm__ volatile("mv a1, %0\n\t.option push\n\t.option norvc\n\t" insn "\n\t.option pop" \
			 :: "r"(mem) : "a0", "a1", "ft0", "memory"); \
	rt_check_true("FS=Off: " label " is illegal", rt_catch_end() && rt_caught.cause == EXC_ILLEGAL); \
	rt_check("  mtval", rt_caught.tval, bits); \
} while (0)
	OFF_TRY("fadd.d", "fadd.d ft0, ft0, ft0, rne", 0x02000053);
	OFF_TRY("fld", "fld ft0, 0(a1)", 0x0005b007);
	OFF_TRY("fsw", "fsw ft0, 0(a1)", 0x0005a027);
	OFF_TRY("fmv.x.d", "fmv.x.d a0, ft0", 0xe2000553);
	OFF_TRY("fmv.w.x", "fmv.w.x ft0, a1", 0xf0058053);
	OFF_TRY("csrr fflags", "csrr a0, fflags", 0x00102573);
	OFF_TRY("csrr frm", "csrr a0, frm", 0x00202573);
	OFF_TRY("csrw fcsr", "csrw fcsr, a1", 0x00359073);
	rt_catch();
	__asm__ volatile("mv a1, %0\n\tc.fld fa0, 0(a1)" :: "r"(mem) : "a1", "fa0", "memory");
	rt_check_true("FS=Off: c.fld is illegal", rt_catch_end() && rt_caught.cause == EXC_ILLEGAL);
	rt_check("  mtval (16-bit)", rt_caught.tval, 0x2188);
	csr_set(CSR_MSTATUS, MSTATUS_FS_INITIAL);
	rt_check("mstatus.FS back on", fs_of(), 1);
}

int main(void)
{
	printf("fp_misc: NaN-boxing, fcsr, flags, rounding-mode encodings, FS\n");
	boxing();
	csr_aliases();
	accrued();
	bad_rm();
	fused();
	fs_state();
	return rt_summary();
}
