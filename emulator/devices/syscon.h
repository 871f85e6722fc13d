/*
 * SiFive test finisher ("sifive,test0", used through syscon-poweroff and
 * syscon-reboot): the register a guest writes to power off, reboot or end
 * a test run with an exit code, as on QEMU's virt.
 *
 * Talks to: the bus (its MMIO region) and the machine, through the
 * on_finish callback. Owns nothing but its callback.
 */
#ifndef PVKIT_DEVICES_SYSCON_H
#define PVKIT_DEVICES_SYSCON_H

#include "emulator/platform/memmap.h"

struct bus;
struct syscon;

enum syscon_action { SYSCON_POWEROFF, SYSCON_FAIL, SYSCON_REBOOT };

/* Values written to offset 0 (the low 16 bits select the action). */
#define SYSCON_VALUE_FAIL 0x3333 /* | code << 16 */
#define SYSCON_VALUE_PASS 0x5555
#define SYSCON_VALUE_RESET 0x7777

/* code is the exit status: 0 for SYSCON_POWEROFF and SYSCON_REBOOT, the
   guest's 16-bit code for SYSCON_FAIL. The callback runs inside the
   guest's store; it should only record the request and stop the hart. */
typedef void (*syscon_finish_fn)(void *opaque, enum syscon_action action,
				 int code);

/* Returns NULL when out of memory or the bus refuses the region. */
struct syscon *syscon_create(struct bus *bus, const struct memmap_entry *e,
			     syscon_finish_fn on_finish, void *opaque);
void syscon_free(struct syscon *s);

#endif
