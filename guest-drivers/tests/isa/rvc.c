/*
 * rvc: every RV64C instruction (functions in rvc.S), checked. Also the
 * all-zero 16-bit instruction (defined illegal; mtval = 0) and c.ebreak.
 * c.jal, c.flw, c.fsw, c.flwsp, c.fswsp do not exist on RV64 (their
 * encodings are c.addiw, c.ld, c.sd, c.ldsp, c.sdsp).
 */
#include "runtime.h"

uint64_t c_addi4spn(void), c_addi4spn_small(void);
uint64_t c_lw(void *), c_lw_sext(void *), c_ld(void *), c_fld(void *);
void c_sw(void *, uint64_t), c_sd(void *, uint64_t), c_fsd(void *, uint64_t);
void c_sp_mem(void *, uint64_t);
uint64_t c_alu1(void), c_addi16sp_delta(void), c_addiw(uint64_t), c_addiw0(uint64_t);
void c_shifts(uint64_t, uint64_t *);
uint64_t c_andi(uint64_t), c_andi_pos(uint64_t);
void c_regreg(uint64_t, uint64_t, uint64_t *);
uint64_t c_branches(uint64_t), c_jumps(void), c_jalr_link(void), c_jalr_target(void);
void c_ebreak(void), c_illegal_zero(void);

static uint64_t buf[64] __attribute__((aligned(16)));

int main(void)
{
	printf("rvc: compressed instructions\n");
	rt_check("c.addi4spn 1020", c_addi4spn(), 1020);
	rt_check("c.addi4spn 4 (rd a5)", c_addi4spn_small(), 4);

	for (int i = 0; i < 64; i++)
		buf[i] = 0x0101010101010101ULL * (uint64_t)(i + 1);
	((uint32_t *)buf)[1] = 0x80000001u;
	((uint32_t *)buf)[31] = 0x00000010u;
	rt_check("c.lw 0 + c.lw 124", c_lw(buf), 0x01010101 + 0x10);
	rt_check("c.lw sign-extends", c_lw_sext(buf), 0xffffffff80000001ULL);
	rt_check("c.ld 248", c_ld(buf), 0x2020202020202020ULL);
	buf[29] = 0x400921fb54442d18ULL;
	rt_check("c.fld 232", c_fld(buf), 0x400921fb54442d18ULL);
	c_sw(buf, 0xaaaaaaaa12345678ULL);
	rt_check("c.sw 120", buf[15], 0x0000001012345678ULL);
	c_sd(buf, 0xfedcba9876543210ULL);
	rt_check("c.sd 240", buf[30], 0xfedcba9876543210ULL);
	c_fsd(buf, 0xc00921fb54442d18ULL);
	rt_check("c.fsd 224", buf[28], 0xc00921fb54442d18ULL);

	memset(buf, 0, sizeof(buf));
	c_sp_mem(buf, 0x89abcdef87654321ULL);
	rt_check("c.sdsp 504", buf[63], 0x89abcdef87654321ULL);
	rt_check("c.swsp 252", buf[31], 0x8765432100000000ULL);
	rt_check("c.fsdsp 8", buf[1], 0x89abcdef87654321ULL);
	rt_check("c.ldsp 504", buf[2], 0x89abcdef87654321ULL);
	rt_check("c.lwsp 252 (sign-extends)", buf[3], 0xffffffff87654321ULL);
	rt_check("c.fldsp 8", buf[4], 0x89abcdef87654321ULL);

	rt_check("c.nop/c.li/c.addi/c.add/c.lui/c.addi16sp", c_alu1(), 0xfffffffffffff01dULL);
	rt_check("c.addi16sp -512", c_addi16sp_delta(), (uint64_t)-512);
	rt_check("c.addiw 0x7fffffff+1", c_addiw(0x7fffffffULL), 0xffffffff80000000ULL);
	rt_check("c.addiw 0x1ffffffff+1", c_addiw(0x1ffffffffULL), 0);
	rt_check("c.addiw rd,0 (sext.w)", c_addiw0(0x12345678deadbeefULL), 0xffffffffdeadbeefULL);

	uint64_t out[6];
	c_shifts(0x8123456789abcdefULL, out);
	rt_check("c.slli 63", out[0], 0x8000000000000000ULL);
	rt_check("c.srli 60", out[1], 0x8);
	rt_check("c.srai 4", out[2], 0xf8123456789abcdeULL);
	rt_check("c.slli 1; c.srai 63", out[3], 0);
	rt_check("c.andi -16", c_andi(0x123456789abcdefULL), 0x123456789abcde0ULL);
	rt_check("c.andi 31", c_andi_pos(0x123456789abcdefULL), 0xf);

	c_regreg(0x00000000ffffffffULL, 0x0000000100000001ULL, out);
	rt_check("c.sub", out[0], 0xfffffffffffffffeULL);
	rt_check("c.xor", out[1], 0x00000001fffffffeULL);
	rt_check("c.or", out[2], 0x00000001ffffffffULL);
	rt_check("c.and", out[3], 0x0000000000000001ULL);
	rt_check("c.subw", out[4], 0xfffffffffffffffeULL);
	rt_check("c.addw", out[5], 0);
	c_regreg(0x7fffffff, 1, out);
	rt_check("c.addw overflow sign-extends", out[5], 0xffffffff80000000ULL);
	rt_check("c.subw", out[4], 0x7ffffffe);

	rt_check("c.beqz/c.bnez with 0", c_branches(0), 1);
	rt_check("c.beqz/c.bnez with 5", c_branches(5), 2);
	rt_check("c.beqz/c.bnez with 1<<63", c_branches(1ULL << 63), 2);
	rt_check("c.j/c.jr", c_jumps(), 7);
	rt_check("c.jalr link = pc + 2", c_jalr_link(), 2);
	rt_check("c.jalr call", c_jalr_target(), 42);

	rt_catch();
	c_ebreak();
	rt_check_true("c.ebreak traps", rt_catch_end());
	rt_check("  cause", rt_caught.cause, EXC_BREAKPOINT);
	rt_check("  epc == c_ebreak", rt_caught.epc == (uint64_t)c_ebreak, 1);

	rt_catch();
	c_illegal_zero();
	rt_check_true("0x0000 traps", rt_catch_end());
	rt_check("  cause", rt_caught.cause, EXC_ILLEGAL);
	rt_check("  tval", rt_caught.tval, 0);
	rt_check("  epc == c_illegal_zero", rt_caught.epc == (uint64_t)c_illegal_zero, 1);
	return rt_summary();
}
