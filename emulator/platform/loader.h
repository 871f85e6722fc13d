/*
 * Loaders for what `--kernel`, `--bios` and `--initrd` name: RISC-V 64
 * ELF files, Linux `Image` files (recognised by their header) and raw
 * blobs. They check everything against the file's size and the RAM they
 * land in, and report problems as text for a one-line error.
 */
#ifndef PVKIT_PLATFORM_LOADER_H
#define PVKIT_PLATFORM_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct bus;

enum image_kind { IMAGE_UNKNOWN, IMAGE_ELF, IMAGE_LINUX };

struct loaded_image {
	enum image_kind kind;
	uint64_t entry;
	uint64_t lowest, highest;  /* physical range written, highest excl. */
	uint64_t tohost, fromhost; /* ELF symbols, 0 if absent */
};

/* A whole file in memory. */
struct file_buf {
	uint8_t *data;
	size_t size;
};

/* Reads a file; on failure returns -1 with a message in err. */
int file_read_all(const char *path, struct file_buf *out, char *err,
		  size_t errlen);
void file_buf_free(struct file_buf *f);

enum image_kind image_detect(const struct file_buf *f);

/* Linux Image header fields; 0 on success. */
int linux_image_info(const struct file_buf *f, uint64_t *text_offset,
		     uint64_t *image_size);

/* Loads an ELF's PT_LOAD segments by physical address. */
int elf_load(struct bus *bus, const struct file_buf *f,
	     struct loaded_image *out, char *err, size_t errlen);

/* Copies a blob to [pa, pa+size) which must be RAM. */
int blob_load(struct bus *bus, const struct file_buf *f, uint64_t pa, char *err,
	      size_t errlen);

#endif
