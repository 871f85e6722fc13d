/*
 * The physical address space: one RAM region plus MMIO regions.
 *
 * RAM is a host buffer that the hart's TLB points into directly; MMIO
 * regions are device callbacks. Devices register themselves here; the
 * bus owns neither the devices nor their state, only the routing.
 * Per-page flags in RAM mark pages whose stores must take the slow path
 * (code pages, watched pages such as HTIF's tohost).
 */
#ifndef PVKIT_MEM_BUS_H
#define PVKIT_MEM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)

typedef uint64_t (*mmio_read_fn)(void *opaque, uint64_t offset, unsigned size);
typedef void (*mmio_write_fn)(void *opaque, uint64_t offset, uint64_t value,
			      unsigned size);

struct mmio_region {
	const char *name;
	uint64_t base, size;
	void *opaque;
	mmio_read_fn read;
	mmio_write_fn write;
};

#define BUS_MAX_REGIONS 32

/* page flags */
enum { PAGE_CODE = 1, PAGE_WATCH = 2 };

struct bus {
	uint8_t *ram;
	uint64_t ram_base, ram_size;
	uint8_t *page_flags; /* one byte per RAM page */
	struct mmio_region regions[BUS_MAX_REGIONS];
	int nregions;
};

int bus_init(struct bus *b, uint64_t ram_base, uint64_t ram_size);
void bus_free(struct bus *b);
int bus_add_mmio(struct bus *b, const struct mmio_region *r);

static inline bool bus_is_ram(const struct bus *b, uint64_t pa, uint64_t len)
{
	return pa >= b->ram_base && len <= b->ram_size &&
	       pa - b->ram_base <= b->ram_size - len;
}

/* Host pointer to guest RAM [pa, pa+len), or NULL if not all RAM. Device
   models use this for zero-copy DMA. */
static inline void *bus_ram_ptr(const struct bus *b, uint64_t pa, uint64_t len)
{
	return bus_is_ram(b, pa, len) ? b->ram + (pa - b->ram_base) : NULL;
}

const struct mmio_region *bus_find_mmio(const struct bus *b, uint64_t pa);

/* Physical access of 1, 2, 4 or 8 bytes, RAM or MMIO. False when nothing
   is mapped there (an access fault). Misaligned RAM access is fine. */
bool bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val);
bool bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val);

/* Copies for loaders and DMA; false if the range is not all RAM. */
bool bus_copy_to_ram(struct bus *b, uint64_t pa, const void *src, size_t len);
bool bus_copy_from_ram(struct bus *b, uint64_t pa, void *dst, size_t len);

#endif
