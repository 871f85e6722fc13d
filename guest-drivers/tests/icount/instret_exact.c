/*
 * instret_exact (suite icount): instret counts retired instructions exactly.
 * Between two `csrr instret` with N instructions in between the difference
 * is N + 1 (the first csrr has retired when the second reads). QEMU
 * without -icount derives instret from host time, so this test is not in
 * the isa suite: run.sh runs the icount suite on QEMU with -icount shift=0
 * (where it passes) and on pvkit as usual.
 */
#include "runtime.h"

#define REP2(x) x x
#define REP4(x) REP2(REP2(x))
#define REP16(x) REP4(REP4(x))
#define REP64(x) REP4(REP16(x))

#define DIFF(body) ({ uint64_t a_, b_; \
	__asm__ volatile(".option push\n\t.option norvc\n\t" \
			 "csrr %0, instret\n\t" body "csrr %1, instret\n\t.option pop" \
			 : "=&r"(a_), "=&r"(b_) :: "memory"); b_ - a_; })

int main(void)
{
	printf("instret_exact: instret counts each retired instruction once\n");
	rt_check("no instruction between", DIFF(""), 1);
	rt_check("1 nop", DIFF("nop\n\t"), 2);
	rt_check("16 nops", DIFF(REP16("nop\n\t")), 17);
	rt_check("64 adds", DIFF(REP64("add t0, t0, t0\n\t")), 65);
	rt_check("16 compressed nops", DIFF(".option rvc\n\t" REP16("c.nop\n\t") ".option norvc\n\t"), 17);
	rt_check("loop of 10 x (addi, bnez)", DIFF("li t0, 10\n1:\taddi t0, t0, -1\n\tbnez t0, 1b\n\t"), 22);
	rt_check("minstret view", ({ uint64_t a_, b_;
		__asm__ volatile("csrr %0, minstret\n\tnop\n\tcsrr %1, minstret" : "=&r"(a_), "=&r"(b_));
		b_ - a_; }), 2);
	/* mcountinhibit.IR stops the count where the bit is implemented (it
	 * may be read-only 0; the line printed is the same either way) */
	csr_write(0x320, 4);
	int inhibit = (csr_read(0x320) >> 2) & 1;
	uint64_t d = DIFF(REP16("nop\n\t"));
	csr_write(0x320, 0);
	rt_check_true("mcountinhibit.IR stops instret or is read-only 0", inhibit ? d == 0 : d == 17);
	return rt_summary();
}
