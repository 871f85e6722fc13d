/* pvkit's built-in SBI for firmware-less boots (sbi.c). */
#ifndef PVKIT_PLATFORM_SBI_H
#define PVKIT_PLATFORM_SBI_H

#include <stdbool.h>

struct hart;

/* The hart_env.sbi_call hook; opaque is the struct machine. */
bool sbi_handle_ecall(void *opaque, struct hart *h);

#endif
