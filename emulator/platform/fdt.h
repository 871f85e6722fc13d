/*
 * Device tree for pvkit's virt machine, built with libfdt from the memory
 * map table (virt_memmap), in the structure of QEMU's virt machine so one
 * kernel boots the same way on both.
 *
 * Talks to: libfdt and memmap.h only; device models know nothing of the
 * tree. Owns nothing: the caller owns the buffer.
 */
#ifndef PVKIT_PLATFORM_FDT_H
#define PVKIT_PLATFORM_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt_config {
	uint64_t ram_size;
	const char *bootargs;		   /* may be NULL */
	uint64_t initrd_start, initrd_end; /* 0,0 = none; end exclusive */
	const uint8_t *rng_seed;
	size_t rng_seed_len;	  /* 0 = none */
	const char *isa;	  /* NULL = "rv64imafdc" */
	uint32_t virtio_slots;	  /* slots 0..n-1, n <= VIRTIO_SLOTS */
	bool ethoc, ide;	  /* emit those nodes */
	const uint8_t *ethoc_mac; /* 6 bytes, or NULL for none */
};

/* Offsets of the IDE model's control block and its command-register
   stride: the IDE device model must decode the same layout. */
#define FDT_IDE_CTL_OFFSET 0x100
#define FDT_IDE_CTL_SIZE 4
#define FDT_IDE_REG_SHIFT 2

/* Writes a complete DTB into buf; returns its size or a negative libfdt
   error (-FDT_ERR_NOSPACE when buf is too small, -FDT_ERR_BADVALUE for a
   bad config). buf should be 8-byte aligned: Linux refuses a DTB that is
   not. The tree keeps rng-seed writable in place, as Linux needs. */
int fdt_build(void *buf, size_t bufsize, const struct fdt_config *c);

#endif
