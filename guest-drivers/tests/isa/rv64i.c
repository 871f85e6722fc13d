/*
 * rv64i: the RV64I instructions the vector test (rv64i_alu) does not cover:
 * loads and stores of every width with sign/zero extension and negative
 * offsets, lui/auipc, jal/jalr (link value, jalr clears bit 0, rd == rs1),
 * x0 as destination, fence, ebreak cause/tval.
 */
#include "runtime.h"

static uint8_t buf[64] __attribute__((aligned(16)));

static void fill(void)
{
	for (int i = 0; i < 64; i++)
		buf[i] = (uint8_t)(0x80 + i * 7);
}

#define LOAD(insn, off) ({ uint64_t r_; \
	__asm__ volatile(insn " %0, " #off "(%1)" : "=r"(r_) : "r"(&buf[16]) : "memory"); r_; })
#define STORE(insn, off, v) \
	__asm__ volatile(insn " %0, " #off "(%1)" :: "r"((uint64_t)(v)), "r"(&buf[16]) : "memory")

static void loads(void)
{
	fill();
	/* buf[i] = 0x80 + 7i: buf[16] = 0xf0, buf[17] = 0xf7, buf[18] = 0xfe,
	 * buf[19] = 0x05 ... */
	rt_check("lb 0", LOAD("lb", 0), 0xfffffffffffffff0UL);
	rt_check("lbu 0", LOAD("lbu", 0), 0xf0);
	rt_check("lb 3", LOAD("lb", 3), 0x05);
	rt_check("lb -1", LOAD("lb", -1), 0xffffffffffffffe9UL);
	rt_check("lh 0", LOAD("lh", 0), 0xfffffffffffff7f0UL);
	rt_check("lhu 0", LOAD("lhu", 0), 0xf7f0);
	rt_check("lh 2", LOAD("lh", 2), 0x05fe);
	rt_check("lh -2", LOAD("lh", -2), 0xffffffffffffe9e2UL);
	rt_check("lw 0", LOAD("lw", 0), 0x05fef7f0);
	rt_check("lwu 0", LOAD("lwu", 0), 0x05fef7f0);
	rt_check("lw 4", LOAD("lw", 4), 0x211a130cUL);
	rt_check("lw -4", LOAD("lw", -4), 0xffffffffe9e2dbd4UL);
	rt_check("lwu -4", LOAD("lwu", -4), 0xe9e2dbd4UL);
	rt_check("ld 0", LOAD("ld", 0), 0x211a130c05fef7f0UL);
	rt_check("ld -8", LOAD("ld", -8), 0xe9e2dbd4cdc6bfb8UL);
	rt_check("ld 8", LOAD("ld", 8), 0x59524b443d362f28UL);
}

static void stores(void)
{
	fill();
	STORE("sb", 0, 0x1122334455667788UL);
	STORE("sh", 2, 0x1122334455667788UL);
	STORE("sw", 4, 0x1122334455667788UL);
	STORE("sd", 8, 0x1122334455667788UL);
	STORE("sb", -1, 0xaa);
	STORE("sh", -4, 0xbbcc);
	rt_check("after sb/sh/sw/sd 0..15", *(uint64_t *)&buf[16], 0x556677887788f788UL);
	rt_check("after sd 8", *(uint64_t *)&buf[24], 0x1122334455667788UL);
	rt_check("after sb -1, sh -4", *(uint64_t *)&buf[8], 0xaae2bbcccdc6bfb8UL);
	rt_check("untouched 32", *(uint64_t *)&buf[32], 0x918a837c756e6760UL);
}

extern char auipc_here[];

static void upper(void)
{
	uint64_t r;
	__asm__ volatile("lui %0, 0x80000" : "=r"(r));
	rt_check("lui 0x80000 (sign-extends)", r, 0xffffffff80000000UL);
	__asm__ volatile("lui %0, 0x7ffff" : "=r"(r));
	rt_check("lui 0x7ffff", r, 0x7ffff000UL);
	__asm__ volatile("lui %0, 0xfffff" : "=r"(r));
	rt_check("lui 0xfffff", r, 0xfffffffffffff000UL);
	uint64_t pc, lab;
	__asm__ volatile("1: auipc %0, 0\n\tla %1, 1b" : "=r"(pc), "=r"(lab));
	rt_check("auipc 0 == pc", pc == lab, 1);
	__asm__ volatile("1: auipc %0, 1\n\tla %1, 1b" : "=r"(pc), "=r"(lab));
	rt_check("auipc 1 - pc", pc - lab, 0x1000);
	__asm__ volatile("1: auipc %0, 0xfffff\n\tla %1, 1b" : "=r"(pc), "=r"(lab));
	rt_check("auipc 0xfffff - pc", pc - lab, (uint64_t)-0x1000);
}

static void jumps(void)
{
	uint64_t link, here, taken;
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "jal %0, 1f\n\t"
			 "2: nop\n\t"
			 "1: la %1, 2b\n\t"
			 ".option pop"
			 : "=r"(link), "=r"(here));
	rt_check("jal link == pc+4", link == here, 1);

	/* jalr with an odd target: bit 0 is cleared, no trap */
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "li %2, 0\n\t"
			 "la %0, 1f\n\t"
			 "addi %0, %0, 1\n\t"
			 "jalr %1, 0(%0)\n\t"
			 "j 2f\n\t"
			 "1: li %2, 1\n\t"
			 "2:\n\t"
			 ".option pop"
			 : "=&r"(here), "=&r"(link), "=&r"(taken));
	rt_check("jalr to odd address lands on even address", taken, 1);

	/* jalr with an offset, and rd == rs1: target uses the old value */
	uint64_t t;
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "la %0, 1f\n\t"
			 "addi %0, %0, -8\n\t"
			 "jalr %0, 8(%0)\n\t"
			 "2: j 3f\n\t"
			 "1: la %1, 2b\n\t"
			 "3:\n\t"
			 ".option pop"
			 : "=&r"(t), "=&r"(here));
	rt_check("jalr rd==rs1: link", t == here, 1);

	/* jal x0 (plain jump) and backwards jal */
	uint64_t cnt = 0;
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "j 2f\n\t"
			 "1: addi %0, %0, 1\n\t"
			 "jal x0, 3f\n\t"
			 "2: addi %0, %0, 10\n\t"
			 "jal x0, 1b\n\t"
			 "3:\n\t"
			 ".option pop"
			 : "+r"(cnt));
	rt_check("forward/backward jal", cnt, 11);
}

static void misc(void)
{
	uint64_t r;
	__asm__ volatile("addi x0, x0, 5\n\tmv %0, x0" : "=r"(r));
	rt_check("x0 after addi x0, x0, 5", r, 0);
	__asm__ volatile("li t0, 7\n\tadd x0, t0, t0\n\tadd %0, x0, x0" : "=r"(r) :: "t0");
	rt_check("x0 after add x0, t0, t0", r, 0);
	__asm__ volatile("fence\n\tfence rw, rw\n\tfence r, w\n\tfence.tso" ::: "memory");
	rt_check_true("fence variants execute", 1);

	rt_catch();
	__asm__ volatile(".option push\n\t.option norvc\n\tebreak\n\t.option pop");
	rt_catch_end();
	rt_check("ebreak cause", rt_caught.cause, EXC_BREAKPOINT);
	/* mtval for ebreak: the spec allows 0 or the pc; QEMU 7.2 writes 0 */
	rt_check("ebreak mtval", rt_caught.tval, 0);
	rt_catch();
	__asm__ volatile("c.ebreak");
	rt_catch_end();
	rt_check("c.ebreak cause", rt_caught.cause, EXC_BREAKPOINT);
	rt_catch();
	__asm__ volatile("ecall");
	rt_catch_end();
	rt_check("ecall from M cause", rt_caught.cause, EXC_ECALL_M);
	rt_check("ecall mtval", rt_caught.tval, 0);
}

int main(void)
{
	printf("rv64i: loads/stores, lui/auipc, jal/jalr, x0, fence, ebreak\n");
	loads();
	stores();
	upper();
	jumps();
	misc();
	return rt_summary();
}
