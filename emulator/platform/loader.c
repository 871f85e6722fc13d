#include "loader.h"

#include "emulator/mem/bus.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IMAGE_MAGIC2 0x05435352u /* "RSC\x05" at offset 0x38 */

int file_read_all(const char *path, struct file_buf *out, char *err,
		  size_t errlen)
{
	out->data = NULL;
	out->size = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(fp);
		return -1;
	}
	out->size = (size_t)st.st_size;
	out->data = malloc(out->size ? out->size : 1);
	if (!out->data || fread(out->data, 1, out->size, fp) != out->size) {
		snprintf(err, errlen, "%s: read failed", path);
		fclose(fp);
		file_buf_free(out);
		return -1;
	}
	fclose(fp);
	return 0;
}

void file_buf_free(struct file_buf *f)
{
	free(f->data);
	f->data = NULL;
	f->size = 0;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

enum image_kind image_detect(const struct file_buf *f)
{
	if (f->size >= 4 && memcmp(f->data, ELFMAG, SELFMAG) == 0)
		return IMAGE_ELF;
	if (f->size >= 64 && rd32(f->data + 0x38) == IMAGE_MAGIC2)
		return IMAGE_LINUX;
	return IMAGE_UNKNOWN;
}

int linux_image_info(const struct file_buf *f, uint64_t *text_offset,
		     uint64_t *image_size)
{
	if (image_detect(f) != IMAGE_LINUX)
		return -1;
	*text_offset = rd64(f->data + 0x08);
	*image_size = rd64(f->data + 0x10);
	if (*image_size < f->size)
		*image_size = f->size;
	return 0;
}

static const Elf64_Shdr *section(const struct file_buf *f, const Elf64_Ehdr *eh,
				 unsigned k)
{
	uint64_t off = eh->e_shoff + (uint64_t)k * sizeof(Elf64_Shdr);
	if (k >= eh->e_shnum || off + sizeof(Elf64_Shdr) > f->size)
		return NULL;
	return (const Elf64_Shdr *)(f->data + off);
}

/* HTIF needs tohost/fromhost; a broken symbol table just means none. */
static void find_htif_symbols(const struct file_buf *f, const Elf64_Ehdr *eh,
			      struct loaded_image *out)
{
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return;
	for (unsigned k = 0; k < eh->e_shnum; k++) {
		const Elf64_Shdr *sh = section(f, eh, k);
		if (!sh || sh->sh_type != SHT_SYMTAB)
			continue;
		const Elf64_Shdr *strs = section(f, eh, sh->sh_link);
		if (!strs || sh->sh_offset > f->size ||
		    sh->sh_size > f->size - sh->sh_offset ||
		    strs->sh_offset > f->size ||
		    strs->sh_size > f->size - strs->sh_offset)
			return;
		const Elf64_Sym *syms =
			(const Elf64_Sym *)(f->data + sh->sh_offset);
		size_t nsyms = sh->sh_size / sizeof(Elf64_Sym);
		const char *names = (const char *)(f->data + strs->sh_offset);
		for (size_t s = 0; s < nsyms; s++) {
			if (syms[s].st_name >= strs->sh_size)
				continue;
			const char *name = names + syms[s].st_name;
			size_t maxlen = strs->sh_size - syms[s].st_name;
			if (strnlen(name, maxlen) == maxlen)
				continue;
			if (strcmp(name, "tohost") == 0)
				out->tohost = syms[s].st_value;
			else if (strcmp(name, "fromhost") == 0)
				out->fromhost = syms[s].st_value;
		}
	}
}

int elf_load(struct bus *bus, const struct file_buf *f,
	     struct loaded_image *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (f->size < sizeof(Elf64_Ehdr)) {
		snprintf(err, errlen, "truncated ELF header");
		return -1;
	}
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->data;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_RISCV) {
		snprintf(err, errlen, "not a RISC-V 64-bit little-endian ELF");
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > f->size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) >
		    f->size - eh->e_phoff) {
		snprintf(err, errlen, "truncated ELF program headers");
		return -1;
	}
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(f->data + eh->e_phoff);
	out->lowest = UINT64_MAX;
	int loaded = 0;
	for (unsigned k = 0; k < eh->e_phnum; k++) {
		if (ph[k].p_type != PT_LOAD || ph[k].p_memsz == 0)
			continue;
		uint64_t pa = ph[k].p_paddr, filesz = ph[k].p_filesz,
			 memsz = ph[k].p_memsz;
		if (filesz > memsz || ph[k].p_offset > f->size ||
		    filesz > f->size - ph[k].p_offset) {
			snprintf(err, errlen,
				 "truncated ELF: segment %u lies past the end "
				 "of the file",
				 k);
			return -1;
		}
		uint8_t *dst = bus_ram_ptr(bus, pa, memsz);
		if (!dst) {
			snprintf(err, errlen,
				 "ELF segment at 0x%llx (+0x%llx) is outside "
				 "RAM 0x%llx-0x%llx",
				 (unsigned long long)pa,
				 (unsigned long long)memsz,
				 (unsigned long long)bus->ram_base,
				 (unsigned long long)(bus->ram_base +
						      bus->ram_size));
			return -1;
		}
		memcpy(dst, f->data + ph[k].p_offset, filesz);
		memset(dst + filesz, 0, memsz - filesz);
		if (pa < out->lowest)
			out->lowest = pa;
		if (pa + memsz > out->highest)
			out->highest = pa + memsz;
		loaded++;
	}
	if (!loaded) {
		snprintf(err, errlen, "ELF has no loadable segments");
		return -1;
	}
	out->kind = IMAGE_ELF;
	out->entry = eh->e_entry;
	find_htif_symbols(f, eh, out);
	return 0;
}

int blob_load(struct bus *bus, const struct file_buf *f, uint64_t pa, char *err,
	      size_t errlen)
{
	if (!bus_copy_to_ram(bus, pa, f->data, f->size)) {
		snprintf(err, errlen,
			 "%zu bytes at 0x%llx do not fit in RAM (ends at "
			 "0x%llx); use a larger --mem",
			 f->size, (unsigned long long)pa,
			 (unsigned long long)(bus->ram_base + bus->ram_size));
		return -1;
	}
	return 0;
}
