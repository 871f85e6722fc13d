/*
 * Trap handling for pvkit bare-metal guests: the C halves of the M and S
 * trap entries (crt0.S), the expected-exception catcher and the return path
 * of rt_run_mode / rt_srun_user. Owns rt_caught and the mode-switch
 * contexts.
 */
#include "runtime.h"

struct rt_ctx {
	uint64_t ra, sp, s[12], status, active, mode;
};
struct rt_ctx rt_mctx, rt_sctx;
void rt_ctx_resume(struct rt_ctx *c, long value, int mlevel) __attribute__((noreturn));

volatile struct rt_caught rt_caught;
static volatile int catch_armed;
static rt_trap_hook mhook, shook;

void rt_set_mtrap_hook(rt_trap_hook h) { mhook = h; }
void rt_set_strap_hook(rt_trap_hook h) { shook = h; }

void rt_catch(void)
{
	rt_caught.taken = 0;
	rt_caught.cause = rt_caught.epc = rt_caught.tval = 0;
	__asm__ volatile("" ::: "memory");
	catch_armed = 1;
	__asm__ volatile("" ::: "memory");
}

int rt_catch_end(void)
{
	__asm__ volatile("" ::: "memory");
	catch_armed = 0;
	return rt_caught.taken;
}

int rt_insn_len(uint64_t addr, int handler, int from)
{
	uint64_t half;
	if (handler == RT_MODE_M) {
		if (from == RT_MODE_M || (csr_read(CSR_SATP) >> 60) == 0) {
			half = *(volatile uint16_t *)addr;
		} else {
			/* read as the trapping mode (MPP already holds it) */
			uint64_t bits = MSTATUS_MPRV | MSTATUS_MXR | MSTATUS_SUM, old;
			__asm__ volatile("csrrs %1, mstatus, %2\n\t"
					 "lhu %0, 0(%3)\n\t"
					 "csrw mstatus, %1"
					 : "=&r"(half), "=&r"(old)
					 : "r"(bits), "r"(addr)
					 : "memory");
		}
	} else {
		uint64_t bits = MSTATUS_MXR | MSTATUS_SUM, old;
		__asm__ volatile("csrrs %1, sstatus, %2\n\t"
				 "lhu %0, 0(%3)\n\t"
				 "csrw sstatus, %1"
				 : "=&r"(half), "=&r"(old)
				 : "r"(bits), "r"(addr)
				 : "memory");
	}
	return (half & 3) == 3 ? 4 : 2;
}

static int catch_trap(struct rt_frame *f, int handler, int from)
{
	if (!catch_armed || (f->cause >> 63))
		return 0;
	catch_armed = 0;
	rt_caught.cause = f->cause;
	rt_caught.epc = f->epc;
	rt_caught.tval = f->tval;
	rt_caught.status = f->status;
	rt_caught.handler = handler;
	rt_caught.from = from;
	rt_caught.taken = 1;
	if (f->cause == EXC_INSN_MISALIGNED || f->cause == EXC_INSN_ACCESS ||
	    f->cause == EXC_INSN_PAGE_FAULT)
		f->epc = f->regs[1];
	else
		f->epc += rt_insn_len(f->epc, handler, from);
	return 1;
}

static void fatal(const char *lvl, struct rt_frame *f)
{
	printf("FATAL: unexpected trap in %s: cause=0x%lx epc=0x%lx tval=0x%lx status=0x%lx\n",
	       lvl, f->cause, f->epc, f->tval, f->status);
	rt_exit(99);
}

void rt_mtrap_c(struct rt_frame *f)
{
	int from = (int)((f->status & MSTATUS_MPP) >> 11);
	if ((f->cause == EXC_ECALL_U || f->cause == EXC_ECALL_S) &&
	    f->regs[17] == RT_ECALL_RETURN && rt_mctx.active) {
		if ((int)rt_mctx.mode != from)
			fatal("M (return ecall from the wrong mode)", f);
		rt_ctx_resume(&rt_mctx, (long)f->regs[10], 1);
	}
	if (mhook && mhook(f))
		return;
	if (catch_trap(f, RT_MODE_M, from))
		return;
	fatal("M", f);
}

void rt_strap_c(struct rt_frame *f)
{
	int from = (f->status & MSTATUS_SPP) ? RT_MODE_S : RT_MODE_U;
	if (f->cause == EXC_ECALL_U && f->regs[17] == RT_ECALL_RETURN && rt_sctx.active)
		rt_ctx_resume(&rt_sctx, (long)f->regs[10], 0);
	if (shook && shook(f))
		return;
	if (catch_trap(f, RT_MODE_S, from))
		return;
	fatal("S", f);
}
