/*
 * pvkit bare-metal guest runtime.
 *
 * What it is: the start-up code, trap entry, console, exit and paging
 * helpers that bare-metal RISC-V test programs (guest-drivers/tests/) are
 * built on, so those programs can be plain C.
 *
 * What it talks to: the machine directly, in M-mode, at the addresses of
 * QEMU's `virt` machine (which pvkit copies): the 16550 UART at 0x10000000,
 * the SiFive test finisher at 0x100000 and the ACLINT at 0x2000000; or HTIF
 * (`tohost`/`fromhost`) when a program asks for it (QEMU `spike`, pvkit).
 *
 * What it owns: the M-mode and S-mode trap vectors and their stacks,
 * mscratch and sscratch (they must be 0 while the hart runs in M resp. S:
 * a test that writes them puts 0 back before the next trap), the
 * PMP entry 0 that crt0 opens for S/U (all memory RWX; see crt0.S), the
 * page pool that page tables come from, and the user region (sections
 * .user.*, placed in their own 2 MiB page) that rt_pt_identity() maps with
 * the U bit.
 *
 * Start-up state seen by main() (M-mode): sp on a 64 KiB stack, bss clear,
 * mtvec = rt_mtrap_entry (direct), mstatus.FS = Initial, fcsr = 0, all f
 * registers +0.0, mie = 0, mstatus.MIE = 0, medeleg = mideleg = 0,
 * satp = 0, PMP entry 0 = NAPOT over everything with RWX.
 *
 * Exit: returning from main(code) calls rt_exit(code).
 */
#ifndef PVKIT_GUEST_RUNTIME_H
#define PVKIT_GUEST_RUNTIME_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- memory map */

#define RT_RAM_BASE        0x80000000UL
#define RT_RAM_SIZE        (64UL << 20)    /* what link.ld and the pool use */
#define RT_UART_BASE       0x10000000UL
#define RT_FINISHER_BASE   0x100000UL
#define RT_ACLINT_MSIP     0x2000000UL     /* hart 0 msip, 32-bit */
#define RT_ACLINT_MTIMECMP 0x2004000UL     /* hart 0 mtimecmp, 64-bit */
#define RT_ACLINT_MTIME    0x200bff8UL     /* mtime, 64-bit */

/* ------------------------------------------------------------------ CSR names */

#define CSR_FFLAGS    0x001
#define CSR_FRM       0x002
#define CSR_FCSR      0x003
#define CSR_CYCLE     0xc00
#define CSR_TIME      0xc01
#define CSR_INSTRET   0xc02
#define CSR_SSTATUS   0x100
#define CSR_SIE       0x104
#define CSR_STVEC     0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG   0x10a
#define CSR_SSCRATCH  0x140
#define CSR_SEPC      0x141
#define CSR_SCAUSE    0x142
#define CSR_STVAL     0x143
#define CSR_SIP       0x144
#define CSR_STIMECMP  0x14d
#define CSR_SATP      0x180
#define CSR_MSTATUS   0x300
#define CSR_MISA      0x301
#define CSR_MEDELEG   0x302
#define CSR_MIDELEG   0x303
#define CSR_MIE       0x304
#define CSR_MTVEC     0x305
#define CSR_MCOUNTEREN 0x306
#define CSR_MENVCFG   0x30a
#define CSR_MSCRATCH  0x340
#define CSR_MEPC      0x341
#define CSR_MCAUSE    0x342
#define CSR_MTVAL     0x343
#define CSR_MIP       0x344
#define CSR_PMPCFG0   0x3a0
#define CSR_PMPADDR0  0x3b0
#define CSR_TSELECT   0x7a0
#define CSR_TDATA1    0x7a1
#define CSR_TDATA2    0x7a2
#define CSR_MCYCLE    0xb00
#define CSR_MINSTRET  0xb02
#define CSR_MVENDORID 0xf11
#define CSR_MARCHID   0xf12
#define CSR_MIMPID    0xf13
#define CSR_MHARTID   0xf14

#define RT_STR_(x) #x
#define RT_STR(x) RT_STR_(x)

/* csr_read(CSR_MSTATUS) etc.; the CSR must be a compile-time constant. */
#define csr_read(csr) ({ uint64_t v_; \
	__asm__ volatile("csrr %0, " RT_STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) ({ \
	__asm__ volatile("csrw " RT_STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory"); })
#define csr_set(csr, val) ({ \
	__asm__ volatile("csrs " RT_STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory"); })
#define csr_clear(csr, val) ({ \
	__asm__ volatile("csrc " RT_STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory"); })
#define csr_swap(csr, val) ({ uint64_t v_; \
	__asm__ volatile("csrrw %0, " RT_STR(csr) ", %1" : "=r"(v_) : "rK"((uint64_t)(val)) : "memory"); v_; })

/* mstatus / sstatus bits */
#define MSTATUS_SIE   (1UL << 1)
#define MSTATUS_MIE   (1UL << 3)
#define MSTATUS_SPIE  (1UL << 5)
#define MSTATUS_UBE   (1UL << 6)
#define MSTATUS_MPIE  (1UL << 7)
#define MSTATUS_SPP   (1UL << 8)
#define MSTATUS_MPP   (3UL << 11)
#define MSTATUS_FS    (3UL << 13)
#define MSTATUS_XS    (3UL << 15)
#define MSTATUS_MPRV  (1UL << 17)
#define MSTATUS_SUM   (1UL << 18)
#define MSTATUS_MXR   (1UL << 19)
#define MSTATUS_TVM   (1UL << 20)
#define MSTATUS_TW    (1UL << 21)
#define MSTATUS_TSR   (1UL << 22)
#define MSTATUS_UXL   (3UL << 32)
#define MSTATUS_SXL   (3UL << 34)
#define MSTATUS_SD    (1UL << 63)
#define MSTATUS_FS_OFF     (0UL << 13)
#define MSTATUS_FS_INITIAL (1UL << 13)
#define MSTATUS_FS_CLEAN   (2UL << 13)
#define MSTATUS_FS_DIRTY   (3UL << 13)

/* interrupt numbers (bits of mip/mie, low bits of mcause) */
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define MCAUSE_INT (1UL << 63)

/* exception causes */
#define EXC_INSN_MISALIGNED   0
#define EXC_INSN_ACCESS       1
#define EXC_ILLEGAL           2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define EXC_ECALL_S           9
#define EXC_ECALL_M           11
#define EXC_INSN_PAGE_FAULT   12
#define EXC_LOAD_PAGE_FAULT   13
#define EXC_STORE_PAGE_FAULT  15

/* privilege levels */
#define RT_MODE_U 0
#define RT_MODE_S 1
#define RT_MODE_M 3

/* ------------------------------------------------------------ console, exit */

void rt_putchar(int c);
void rt_puts(const char *s);          /* no newline added */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int putchar(int c);
int puts(const char *s);              /* adds a newline, like libc */

/* Console and exit device: UART + finisher (default, QEMU virt, pvkit) or
 * HTIF (QEMU spike, pvkit). Select HTIF before the first printf. */
enum rt_console { RT_CONSOLE_UART = 0, RT_CONSOLE_HTIF = 1 };
void rt_set_console(enum rt_console c);

/* Ends the run with status `code` (0..0xffff). M-mode (or S-mode with the
 * devices mapped). */
void rt_exit(int code) __attribute__((noreturn));

/* HTIF primitives (the symbols live in section .tohost). */
extern volatile uint64_t tohost;
extern volatile uint64_t fromhost;
void rt_htif_putchar(int c);
void rt_htif_exit(int code) __attribute__((noreturn));

/* ------------------------------------------------------------- self checks */

/* rt_check prints "name: 0x<got>" and, if got != expected, " FAIL (expected
 * 0x<exp>)" and counts a failure. rt_summary prints the final PASS/FAIL line
 * and returns the exit status for main (0 when every check passed). */
void rt_check(const char *name, uint64_t got, uint64_t expected);
void rt_check_true(const char *name, int cond);     /* prints "name: yes/no" */
void rt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_summary(void);
extern int rt_checks_failed, rt_checks_total;

/* ----------------------------------------------------------------- traps */

/* The frame both trap entries build on the trap stack. regs[0] is 0,
 * regs[2] is the interrupted sp. Handlers may change regs, epc and status
 * (mstatus or sstatus); the entry code writes them back before xRET. */
struct rt_frame {
	uint64_t regs[32];
	uint64_t cause, epc, tval, status;
};

/* A hook sees every trap of its level before the runtime does; returning
 * nonzero means "handled, return to frame->epc". The magic ecalls that
 * rt_run_mode/rt_srun_user use to come back are handled first. */
typedef int (*rt_trap_hook)(struct rt_frame *f);
void rt_set_mtrap_hook(rt_trap_hook h);
void rt_set_strap_hook(rt_trap_hook h);

/* Expected-exception catcher. rt_catch() arms it; the next synchronous
 * exception taken in M or S (whichever the trap goes to) is recorded in
 * rt_caught and the program resumes: after the faulting instruction
 * (2- or 4-byte length read from memory at epc), or, for instruction
 * fetch faults (causes 0, 1, 12), at the return address ra, so fetch
 * faults are provoked by calling the bad address. rt_catch_end() disarms
 * and returns 1 if a trap was caught. Interrupts are never caught. */
struct rt_caught {
	uint64_t cause, epc, tval;
	uint64_t status;      /* mstatus/sstatus at the trap */
	int handler;          /* RT_MODE_M or RT_MODE_S: who took it */
	int from;             /* privilege it came from */
	int taken;
};
extern volatile struct rt_caught rt_caught;
void rt_catch(void);
int rt_catch_end(void);

/* Reads the length of the instruction at addr (2 or 4) from a trap
 * handler of level `handler` for a trap that came from `from`. */
int rt_insn_len(uint64_t addr, int handler, int from);

/* Runs fn(arg) in mode (RT_MODE_S or RT_MODE_U) from M-mode with the
 * current satp and returns its return value. fn must be reachable in that
 * mode: for U-mode under paging, put it in the user region (RT_USER). The
 * lower mode comes back with `ecall` (a7 = RT_ECALL_RETURN) which the M
 * handler takes, so ecall from that mode must not be delegated. S-mode runs
 * on the caller's stack, U-mode on the user stack (in the user region). */
long rt_run_mode(int mode, long (*fn)(long), long arg);
/* The same from S-mode to U-mode; needs medeleg bit 8 (ecall from U) and
 * stvec = rt_strap_entry (rt_srun_user sets stvec). */
long rt_srun_user(long (*fn)(long), long arg);
#define RT_ECALL_RETURN 0x52540001UL

/* Put a function or object in the user region (mapped with U=1 by
 * rt_pt_identity). Code there must not call anything outside the region
 * nor read data outside it (no strings, no switch jump tables: RT_USER
 * turns those off, but large constants may still come from .rodata). */
#define RT_USER __attribute__((section(".user.text"), noinline, optimize("no-jump-tables")))
#define RT_USER_DATA __attribute__((section(".user.data")))

/* Trap entries (in crt0.S), for writing to mtvec / stvec. */
void rt_mtrap_entry(void);
void rt_strap_entry(void);

/* ------------------------------------------------------------------ paging */

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)

#define SATP_MODE_BARE 0UL
#define SATP_MODE_SV39 8UL
#define SATP_MODE_SV48 9UL

#define RT_PAGE_SIZE 4096UL
#define RT_MEGAPAGE  (2UL << 20)
#define RT_GIGAPAGE  (1UL << 30)

struct rt_pt {
	uint64_t *root;
	int levels;           /* 3 = Sv39, 4 = Sv48 */
};

/* Zeroed 4 KiB pages from the pool (RAM above the program). */
void *rt_alloc_page(void);
/* Creates an empty root table for levels 3 (Sv39) or 4 (Sv48). */
void rt_pt_init(struct rt_pt *pt, int levels);
/* Maps one page of the given level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB,
 * 3 = 512 GiB) with leaf flags (V is added). Returns the leaf PTE. */
uint64_t *rt_pt_map(struct rt_pt *pt, uint64_t va, uint64_t pa, int level, uint64_t flags);
/* Maps [va, va+size) to pa with 4 KiB pages. */
void rt_pt_map_range(struct rt_pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
/* Finds the leaf PTE for va (level out, may be NULL); NULL if none. */
uint64_t *rt_pt_lookup(struct rt_pt *pt, uint64_t va, int *level);
/* Identity map: VA 0..1 GiB (devices) RW, RAM (64 MiB) RWX with 2 MiB
 * pages, the 2 MiB page holding the user region with U=1; all with A|D. */
void rt_pt_identity(struct rt_pt *pt);
uint64_t rt_pt_satp(struct rt_pt *pt, uint64_t asid);
static inline void rt_sfence_vma(void) { __asm__ volatile("sfence.vma" ::: "memory"); }

extern char __user_start[], __user_end[];

/* ----------------------------------------------------------------- misc */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

static inline uint64_t rt_mtime(void) { return *(volatile uint64_t *)RT_ACLINT_MTIME; }
static inline void rt_set_mtimecmp(uint64_t v) { *(volatile uint64_t *)RT_ACLINT_MTIMECMP = v; }
static inline void rt_set_msip(uint32_t v) { *(volatile uint32_t *)RT_ACLINT_MSIP = v; }

static inline void rt_fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

#endif
