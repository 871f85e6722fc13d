/*
 * Boot: what the machine's RAM and hart look like before the first
 * instruction, for the three ways in:
 *  - a bare-metal ELF: loaded by physical address, started in M-mode;
 *  - a Linux Image without firmware: Image at the start of RAM, pvkit
 *    plays the M-mode firmware (SBI) and enters the kernel in S-mode;
 *  - with --bios: the firmware at the start of RAM in M-mode, the kernel
 *    where OpenSBI's fw_dynamic expects it, described by fw_dynamic_info.
 * The DTB goes near the top of RAM and the initrd between the two, the
 * way QEMU's virt machine places them.
 */
#include "boot.h"

#include "emulator/backend/net.h"
#include "emulator/machine.h"
#include "emulator/platform/fdt.h"
#include "emulator/platform/loader.h"
#include "emulator/platform/memmap.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#define MiB (1ull << 20)
#define DTB_MAX (64 * 1024)
#define FW_DYNAMIC_MAGIC 0x4942534f /* "OSBI" */
#define FW_DYNAMIC_VERSION 2
#define ISA_STRING "rv64imafdc_zicsr_zifencei_zihintpause_sstc"

enum { REG_A0 = 10, REG_A1 = 11, REG_A2 = 12 };

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}
static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

struct layout {
	uint64_t kernel_start, kernel_end, entry;
	uint64_t initrd_start, initrd_end;
	uint64_t dtb;
	uint64_t fw_info;
	bool linux_image;
};

static int load_kernel(struct machine *m, const char *path, uint64_t base,
		       struct layout *l, char *err, size_t errlen)
{
	struct file_buf f;
	char why[200];
	if (file_read_all(path, &f, why, sizeof(why))) {
		snprintf(err, errlen, "--kernel %s", why);
		return -1;
	}
	int rc = -1;
	switch (image_detect(&f)) {
	case IMAGE_ELF: {
		struct loaded_image img;
		if (elf_load(&m->bus, &f, &img, why, sizeof(why))) {
			snprintf(err, errlen, "--kernel %s: %s", path, why);
			break;
		}
		l->kernel_start = img.lowest;
		l->kernel_end = img.highest;
		l->entry = img.entry;
		m->htif_tohost = img.tohost;
		m->htif_fromhost = img.fromhost;
		rc = 0;
		break;
	}
	case IMAGE_LINUX: {
		uint64_t text_offset, image_size;
		linux_image_info(&f, &text_offset, &image_size);
		if (blob_load(&m->bus, &f, base, why, sizeof(why)) ||
		    !bus_is_ram(&m->bus, base, image_size)) {
			snprintf(err, errlen,
				 "--kernel %s: image does not fit "
				 "in RAM; use a larger --mem",
				 path);
			break;
		}
		l->linux_image = true;
		l->kernel_start = l->entry = base;
		l->kernel_end = base + image_size;
		rc = 0;
		break;
	}
	default:
		snprintf(err, errlen,
			 "--kernel %s: neither a RISC-V 64 ELF nor a Linux "
			 "Image",
			 path);
	}
	file_buf_free(&f);
	return rc;
}

static int load_initrd(struct machine *m, const char *path, struct layout *l,
		       char *err, size_t errlen)
{
	struct file_buf f;
	char why[200];
	if (file_read_all(path, &f, why, sizeof(why))) {
		snprintf(err, errlen, "--initrd %s", why);
		return -1;
	}
	uint64_t base = m->bus.ram_base;
	uint64_t off = m->ram_size > 256 * MiB ? 128 * MiB : m->ram_size / 2;
	uint64_t start = align_up(base + off, PAGE_SIZE);
	if (start < align_up(l->kernel_end, PAGE_SIZE))
		start = align_up(l->kernel_end, 2 * MiB);
	int rc = 0;
	if (start + f.size > l->dtb) {
		snprintf(err, errlen,
			 "--initrd %s: %zu bytes do not fit in RAM above the "
			 "kernel; use a larger --mem",
			 path, f.size);
		rc = -1;
	} else if (blob_load(&m->bus, &f, start, why, sizeof(why))) {
		snprintf(err, errlen, "--initrd %s: %s", path, why);
		rc = -1;
	} else {
		l->initrd_start = start;
		l->initrd_end = start + f.size;
	}
	file_buf_free(&f);
	return rc;
}

static int load_bios(struct machine *m, const char *path, struct layout *l,
		     char *err, size_t errlen)
{
	struct file_buf f;
	char why[200];
	if (file_read_all(path, &f, why, sizeof(why))) {
		snprintf(err, errlen, "--bios %s", why);
		return -1;
	}
	int rc = 0;
	if (image_detect(&f) == IMAGE_ELF) {
		struct loaded_image img;
		rc = elf_load(&m->bus, &f, &img, why, sizeof(why));
		l->entry = img.entry;
	} else {
		rc = blob_load(&m->bus, &f, m->bus.ram_base, why, sizeof(why));
		l->entry = m->bus.ram_base;
	}
	if (rc)
		snprintf(err, errlen, "--bios %s: %s", path, why);
	file_buf_free(&f);
	return rc;
}

static int build_dtb(struct machine *m, const struct layout *l, char *err,
		     size_t errlen)
{
	static const size_t seed_len = 32;
	uint8_t seed[32] = {0};
	if (!m->cfg.icount &&
	    getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		memset(seed, 0x5a, sizeof(seed));
	struct fdt_config fc = {
		.ram_size = m->ram_size,
		.bootargs = m->cfg.append,
		.initrd_start = l->initrd_start,
		.initrd_end = l->initrd_end,
		.rng_seed = seed,
		.rng_seed_len = seed_len,
		.isa = ISA_STRING,
		.virtio_slots = VIRTIO_SLOTS,
		.ethoc = m->cfg.ethoc_net != NULL,
		.ethoc_mac = m->cfg.ethoc_net ? m->cfg.ethoc_net->mac : NULL,
		.ide = m->cfg.ide,
	};
	uint8_t *dst = bus_ram_ptr(&m->bus, l->dtb, DTB_MAX);
	int size = dst ? fdt_build(dst, DTB_MAX, &fc) : -1;
	if (size < 0) {
		snprintf(err, errlen, "cannot build the device tree (%d)",
			 size);
		return -1;
	}
	return 0;
}

/* OpenSBI's fw_dynamic_info (include/sbi/fw_dynamic.h): where to go
   next and in which mode. */
static void write_fw_dynamic_info(struct machine *m, uint64_t at, uint64_t next)
{
	uint64_t info[6] = {
		FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION, next,
		1 /* S-mode */,	  0 /* options */,    0 /* boot hart */};
	bus_copy_to_ram(&m->bus, at, info, sizeof(info));
}

int boot_load(struct machine *m, const struct machine_config *cfg, char *err,
	      size_t errlen)
{
	struct layout l = {0};
	uint64_t base = m->bus.ram_base, top = base + m->ram_size;
	if (m->ram_size < 16 * MiB) {
		snprintf(err, errlen, "--mem must be at least 16M");
		return -1;
	}
	l.dtb = align_down(top - DTB_MAX, 2 * MiB);
	if (cfg->bios) {
		if (load_bios(m, cfg->bios, &l, err, errlen))
			return -1;
		uint64_t fw_entry = l.entry;
		if (load_kernel(m, cfg->kernel, base + 2 * MiB, &l, err,
				errlen))
			return -1;
		l.fw_info = l.dtb - 64;
		write_fw_dynamic_info(m, l.fw_info, l.entry);
		l.entry = fw_entry;
	} else if (load_kernel(m, cfg->kernel, base, &l, err, errlen)) {
		return -1;
	}
	if (l.kernel_end > l.dtb) {
		snprintf(err, errlen,
			 "--kernel %s: does not fit in RAM below "
			 "the device tree; use a larger --mem",
			 cfg->kernel);
		return -1;
	}
	if (cfg->initrd && load_initrd(m, cfg->initrd, &l, err, errlen))
		return -1;
	if (build_dtb(m, &l, err, errlen))
		return -1;
	if (m->htif_tohost && bus_is_ram(&m->bus, m->htif_tohost, 8))
		m->bus.page_flags[(m->htif_tohost - base) >> PAGE_SHIFT] |=
			PAGE_WATCH;

	struct hart *h = &m->hart;
	hart_reset(h, l.entry);
	h->x[REG_A0] = 0; /* hart id */
	h->x[REG_A1] = l.dtb;
	h->x[REG_A2] = l.fw_info;
	m->firmware_sbi = l.linux_image && !cfg->bios;
	if (m->firmware_sbi) {
		/* what OpenSBI would leave behind for an S-mode kernel */
		h->medeleg = 0xb1ff & ~(1u << EXC_ECALL_S);
		h->mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
		h->mcounteren = 0xffffffff;
		h->scounteren = 7;
		h->menvcfg = MENVCFG_STCE;
		h->mstatus |= 1ull << 11; /* MPP = S, as after an mret */
		h->priv = PRIV_S;
		hart_update_mmu_idx(h);
	}
	return 0;
}

int boot_reset(struct machine *m, char *err, size_t errlen)
{
	/* anonymous private memory reads back as zeros once dropped */
	madvise(m->bus.ram, m->ram_size, MADV_DONTNEED);
	memset(m->bus.page_flags, 0, m->ram_size >> PAGE_SHIFT);
	m->htif_tohost = m->htif_fromhost = 0;
	return boot_load(m, &m->cfg, err, errlen);
}
