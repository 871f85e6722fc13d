#include "runtime.h"
#define P(n) printf(#n " = 0x%lx\n", csr_read(n))
int main(void) {
	P(CSR_MISA); P(CSR_MSTATUS); P(CSR_MVENDORID); P(CSR_MARCHID); P(CSR_MIMPID); P(CSR_MHARTID);
	P(CSR_MTVEC); P(CSR_MIP); P(CSR_MIE); P(CSR_MENVCFG); P(CSR_MCOUNTEREN);
	csr_write(CSR_MEDELEG, -1UL); P(CSR_MEDELEG); csr_write(CSR_MEDELEG, 0);
	csr_write(CSR_MIDELEG, -1UL); P(CSR_MIDELEG); csr_write(CSR_MIDELEG, 0);
	csr_write(CSR_MIE, -1UL); P(CSR_MIE); csr_write(CSR_MIE, 0);
	uint64_t ms = csr_read(CSR_MSTATUS);
	csr_write(CSR_MSTATUS, -1UL); P(CSR_MSTATUS); csr_write(CSR_MSTATUS, ms);
	csr_write(CSR_MSTATUS, ms | (2UL<<11)); P(CSR_MSTATUS); csr_write(CSR_MSTATUS, ms);
	P(CSR_SSTATUS);
	csr_write(CSR_MENVCFG, -1UL); P(CSR_MENVCFG); csr_write(CSR_MENVCFG, 0);
	csr_write(CSR_MCOUNTEREN, -1UL); P(CSR_MCOUNTEREN); csr_write(CSR_MCOUNTEREN, 0);
	csr_write(CSR_SCOUNTEREN, -1UL); P(CSR_SCOUNTEREN); csr_write(CSR_SCOUNTEREN, 0);
	csr_write(CSR_MEPC, -1UL); P(CSR_MEPC); 
	csr_write(CSR_MTVEC, -1UL); P(CSR_MTVEC); csr_write(CSR_MTVEC, (uint64_t)rt_mtrap_entry);
	csr_write(CSR_MTVEC, (uint64_t)rt_mtrap_entry | 2); P(CSR_MTVEC); csr_write(CSR_MTVEC, (uint64_t)rt_mtrap_entry);
	csr_write(CSR_STVEC, -1UL); P(CSR_STVEC);
	csr_write(CSR_MSCRATCH, 0);
	csr_write(CSR_SATP, -1UL); P(CSR_SATP); 
	csr_write(CSR_SATP, (9UL<<60)|(0xffffUL<<44)); P(CSR_SATP); 
	csr_write(CSR_SATP, (10UL<<60)); P(CSR_SATP); 
	csr_write(CSR_SATP, (11UL<<60)); P(CSR_SATP); 
	csr_write(CSR_SATP, 0); 
	P(CSR_TSELECT); P(CSR_TDATA1); P(CSR_TDATA2);
	csr_write(CSR_TSELECT, 5); P(CSR_TSELECT);
	csr_write(CSR_TSELECT, 0); P(CSR_TSELECT);
	csr_write(CSR_MTVAL, -1UL); P(CSR_MTVAL);
	csr_write(CSR_SEPC, -1UL); P(CSR_SEPC);
	csr_write(CSR_MIP, -1UL); P(CSR_MIP); csr_write(CSR_MIP, 0);
	csr_write(CSR_SIP, -1UL); P(CSR_SIP);
	csr_write(CSR_SIE, -1UL); P(CSR_SIE);
	csr_write(CSR_MIDELEG, -1UL); csr_write(CSR_SIE, -1UL); P(CSR_SIE); csr_write(CSR_SIP, -1UL); P(CSR_SIP);P(CSR_MIP); csr_write(CSR_SIE, 0);csr_write(CSR_MIDELEG, 0);csr_write(CSR_MIP, 0);
	P(CSR_PMPCFG0); P(CSR_PMPADDR0);
	csr_write(0x3b1, -1UL); P(0x3b1);
	P(CSR_STIMECMP);
	P(0x320); P(0x7b0);
	return 0;
}
