/* vm_sv48: the vm_sv39 test with four-level tables (Sv48), plus a 512 GiB
 * page and a misaligned one. */
#define LEVELS 4
#define NAME "vm_sv48"
#define SATP_MODE SATP_MODE_SV48
#define NONCANON 0x0000800000000000UL
#include "vm_sv39.c"
