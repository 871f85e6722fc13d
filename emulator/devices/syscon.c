/*
 * SiFive test finisher: decodes writes to its one register into a
 * poweroff, failure-with-code or reboot request for the machine.
 *
 * Talks to the bus (MMIO) and the machine's on_finish callback. Owns
 * nothing else.
 *
 * Reads return 0: Linux's syscon drivers go through regmap_update_bits,
 * which reads first and skips the write when the value already matches.
 */
#include "syscon.h"

#include <stdint.h>
#include <stdlib.h>

#include "emulator/mem/bus.h"

struct syscon {
	syscon_finish_fn on_finish;
	void *opaque;
};

static uint64_t syscon_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque, (void)off, (void)size;
	return 0;
}

/* QEMU accepts 16- and 32-bit writes; any width works here, a 16-bit one
   simply carries code 0. Unknown values are ignored as in QEMU. */
static void syscon_mmio_write(void *opaque, uint64_t off, uint64_t val,
			      unsigned size)
{
	struct syscon *s = opaque;
	(void)size;
	if (off != 0)
		return;
	int code = (int)((val >> 16) & 0xffff);
	switch (val & 0xffff) {
	case SYSCON_VALUE_PASS:
		s->on_finish(s->opaque, SYSCON_POWEROFF, 0);
		break;
	case SYSCON_VALUE_FAIL:
		s->on_finish(s->opaque, SYSCON_FAIL, code);
		break;
	case SYSCON_VALUE_RESET:
		s->on_finish(s->opaque, SYSCON_REBOOT, 0);
		break;
	}
}

struct syscon *syscon_create(struct bus *bus, const struct memmap_entry *e,
			     syscon_finish_fn on_finish, void *opaque)
{
	struct syscon *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->on_finish = on_finish;
	s->opaque = opaque;
	struct mmio_region r = {
		.name = e->name,
		.base = e->base,
		.size = e->size,
		.opaque = s,
		.read = syscon_mmio_read,
		.write = syscon_mmio_write,
	};
	if (bus_add_mmio(bus, &r) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void syscon_free(struct syscon *s)
{
	free(s);
}
