/* Internal to the CPU: translation and PMP entry points (mmu.c). */
#ifndef PVKIT_CPU_MMU_H
#define PVKIT_CPU_MMU_H

#include "hart.h"

int mmu_translate(struct hart *h, uint64_t va, int access, uint64_t *pa);
const uint8_t *mmu_fetch_ptr(struct hart *h, uint64_t va, uint64_t *pa);
void pmp_update(struct hart *h);

#endif
