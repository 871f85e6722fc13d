/* Loading the boot images and setting up the hart for the first
   instruction (boot.c). */
#ifndef PVKIT_PLATFORM_BOOT_H
#define PVKIT_PLATFORM_BOOT_H

#include <stddef.h>

struct machine;
struct machine_config;

int boot_load(struct machine *m, const struct machine_config *cfg, char *err,
	      size_t errlen);
/* Reboot: clear RAM and load again. */
int boot_reset(struct machine *m, char *err, size_t errlen);

#endif
