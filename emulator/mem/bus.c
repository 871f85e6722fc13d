#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int bus_init(struct bus *b, uint64_t ram_base, uint64_t ram_size)
{
	memset(b, 0, sizeof(*b));
	/* mmap: untouched RAM costs the host nothing, and a balloon can give
	   pages back with madvise. */
	void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return -errno;
	b->page_flags = calloc(ram_size >> PAGE_SHIFT, 1);
	if (!b->page_flags) {
		munmap(ram, ram_size);
		return -ENOMEM;
	}
	b->ram = ram;
	b->ram_base = ram_base;
	b->ram_size = ram_size;
	return 0;
}

void bus_free(struct bus *b)
{
	if (b->ram)
		munmap(b->ram, b->ram_size);
	free(b->page_flags);
	memset(b, 0, sizeof(*b));
}

int bus_add_mmio(struct bus *b, const struct mmio_region *r)
{
	if (b->nregions == BUS_MAX_REGIONS)
		return -ENOSPC;
	for (int k = 0; k < b->nregions; k++) {
		const struct mmio_region *o = &b->regions[k];
		if (r->base < o->base + o->size && o->base < r->base + r->size)
			return -EEXIST;
	}
	b->regions[b->nregions++] = *r;
	return 0;
}

const struct mmio_region *bus_find_mmio(const struct bus *b, uint64_t pa)
{
	for (int k = 0; k < b->nregions; k++) {
		const struct mmio_region *r = &b->regions[k];
		if (pa - r->base < r->size)
			return r;
	}
	return NULL;
}

bool bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val)
{
	uint8_t *p = bus_ram_ptr(b, pa, size);
	if (p) {
		uint64_t v = 0;
		memcpy(&v, p, size);
		*val = v;
		return true;
	}
	const struct mmio_region *r = bus_find_mmio(b, pa);
	if (!r || pa - r->base > r->size - size)
		return false;
	*val = r->read ? r->read(r->opaque, pa - r->base, size) : 0;
	return true;
}

bool bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val)
{
	uint8_t *p = bus_ram_ptr(b, pa, size);
	if (p) {
		memcpy(p, &val, size);
		return true;
	}
	const struct mmio_region *r = bus_find_mmio(b, pa);
	if (!r || pa - r->base > r->size - size)
		return false;
	if (r->write)
		r->write(r->opaque, pa - r->base, val, size);
	return true;
}

bool bus_copy_to_ram(struct bus *b, uint64_t pa, const void *src, size_t len)
{
	void *p = bus_ram_ptr(b, pa, len);
	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}

bool bus_copy_from_ram(struct bus *b, uint64_t pa, void *dst, size_t len)
{
	const void *p = bus_ram_ptr(b, pa, len);
	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}
