/*
 * Device tree builder: one function per node, all addresses and IRQs
 * read from virt_memmap, written with libfdt's sequential-write API.
 *
 * Talks to libfdt and the memory map. The nodes live here rather than in
 * the device models so that those stay free of libfdt and testable alone;
 * every value a model must agree with comes from a shared header.
 *
 * Node and property choices follow QEMU's virt machine (see
 * linux-riscv-platform.md section 4). Linux populates platform devices in
 * tree order, so the /soc children keep QEMU's order, including its
 * descending virtio-mmio addresses: the highest slot becomes virtio0.
 */
#include "fdt.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include <libfdt.h>

#include "emulator/cpu/hart.h"
#include "emulator/devices/syscon.h"
#include "emulator/platform/memmap.h"

/* Phandles are fixed: the sequential writer cannot look nodes up. */
enum { PH_CPU0 = 1, PH_CPU0_INTC, PH_PLIC, PH_TEST };

/* The 16550 has no baud timing; Linux only needs a clock to compute
   divisors. QEMU's value. */
#define UART_CLOCK_HZ 3686400u
#define IDE_PIO_MODE 4u

#define TRY(expr)                                                              \
	do {                                                                   \
		int err_ = (expr);                                             \
		if (err_ < 0)                                                  \
			return err_;                                           \
	} while (0)

/* A string list literal ("a\0b") with its final NUL. */
#define PROP_STRLIST(fdt, name, lit) fdt_property(fdt, name, lit, sizeof(lit))

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, int n)
{
	fdt32_t be[8];
	if (n > 8)
		return -FDT_ERR_INTERNAL;
	for (int k = 0; k < n; k++)
		be[k] = cpu_to_fdt32(cells[k]);
	return fdt_property(fdt, name, be, n * (int)sizeof(be[0]));
}

/* One (address, size) pair of two cells each, as /soc and / declare. */
static void reg_cells(uint32_t out[4], uint64_t base, uint64_t size)
{
	out[0] = (uint32_t)(base >> 32);
	out[1] = (uint32_t)base;
	out[2] = (uint32_t)(size >> 32);
	out[3] = (uint32_t)size;
}

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	uint32_t cells[4];
	reg_cells(cells, base, size);
	return prop_cells(fdt, "reg", cells, 4);
}

static int begin_node_at(void *fdt, const char *name, uint64_t addr)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s@%" PRIx64, name, addr);
	return fdt_begin_node(fdt, buf);
}

static int prop_plic_irq(void *fdt, int irq)
{
	TRY(fdt_property_u32(fdt, "interrupt-parent", PH_PLIC));
	return fdt_property_u32(fdt, "interrupts", (uint32_t)irq);
}

static void uart_path(char *buf, size_t len)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_UART0];
	snprintf(buf, len, "/soc/%s@%" PRIx64, e->name, e->base);
}

static int node_chosen(void *fdt, const struct fdt_config *c)
{
	char path[64];
	uart_path(path, sizeof(path));
	TRY(fdt_begin_node(fdt, "chosen"));
	if (c->bootargs)
		TRY(fdt_property_string(fdt, "bootargs", c->bootargs));
	TRY(fdt_property_string(fdt, "stdout-path", path));
	if (c->initrd_end > c->initrd_start) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start",
				     c->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", c->initrd_end));
	}
	/* Linux overwrites the seed with NOPs in place once it has used it. */
	if (c->rng_seed_len)
		TRY(fdt_property(fdt, "rng-seed", c->rng_seed,
				 (int)c->rng_seed_len));
	return fdt_end_node(fdt);
}

/* serial0 pins the UART to ttyS0 whatever the probe order. */
static int node_aliases(void *fdt)
{
	char path[64];
	uart_path(path, sizeof(path));
	TRY(fdt_begin_node(fdt, "aliases"));
	TRY(fdt_property_string(fdt, "serial0", path));
	return fdt_end_node(fdt);
}

/* Root-level, as the syscon-poweroff/-reboot drivers are found by the
   platform population of the root's children. */
static int node_syscon_action(void *fdt, const char *name,
			      const char *compatible, uint32_t value)
{
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_u32(fdt, "value", value));
	TRY(fdt_property_u32(fdt, "offset", 0));
	TRY(fdt_property_u32(fdt, "regmap", PH_TEST));
	TRY(fdt_property_string(fdt, "compatible", compatible));
	return fdt_end_node(fdt);
}

static int node_memory(void *fdt, const struct fdt_config *c)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_DRAM];
	TRY(begin_node_at(fdt, e->name, e->base));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg(fdt, e->base, c->ram_size));
	return fdt_end_node(fdt);
}

static int node_cpus(void *fdt, const struct fdt_config *c)
{
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	/* Linux panics in time_init without it, and only looks on /cpus. */
	TRY(fdt_property_u32(fdt, "timebase-frequency", TIMEBASE_HZ));

	TRY(fdt_begin_node(fdt, "cpu@0"));
	TRY(fdt_property_u32(fdt, "phandle", PH_CPU0));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_u32(fdt, "reg", 0)); /* = hartid in a0 at entry */
	TRY(fdt_property_string(fdt, "status", "okay"));
	TRY(fdt_property_string(fdt, "compatible", "riscv"));
	TRY(fdt_property_string(fdt, "riscv,isa",
				c->isa ? c->isa : "rv64imafdc"));
	TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv48"));

	TRY(fdt_begin_node(fdt, "interrupt-controller"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
	TRY(fdt_property_u32(fdt, "phandle", PH_CPU0_INTC));
	TRY(fdt_end_node(fdt));

	TRY(fdt_end_node(fdt)); /* cpu@0 */
	return fdt_end_node(fdt);
}

static int node_rtc(void *fdt)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_RTC];
	TRY(begin_node_at(fdt, e->name, e->base));
	/* rtc-goldfish refuses to probe without an IRQ. */
	TRY(prop_plic_irq(fdt, e->irq));
	TRY(prop_reg(fdt, e->base, e->size));
	TRY(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
	return fdt_end_node(fdt);
}

static int node_uart(void *fdt)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_UART0];
	TRY(begin_node_at(fdt, e->name, e->base));
	TRY(prop_plic_irq(fdt, e->irq));
	/* Required: without it 8250_of looks for a clk and fails. */
	TRY(fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ));
	TRY(prop_reg(fdt, e->base, e->size));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	return fdt_end_node(fdt);
}

static int node_test(void *fdt)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_TEST];
	TRY(begin_node_at(fdt, e->name, e->base));
	TRY(fdt_property_u32(fdt, "phandle", PH_TEST));
	TRY(prop_reg(fdt, e->base, e->size));
	/* "syscon" makes it a regmap provider for poweroff and reboot. */
	TRY(PROP_STRLIST(fdt, "compatible",
			 "sifive,test1\0sifive,test0\0syscon"));
	return fdt_end_node(fdt);
}

static int node_virtio(void *fdt, uint32_t slot)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_VIRTIO];
	uint64_t base = e->base + (uint64_t)slot * VIRTIO_STRIDE;
	TRY(begin_node_at(fdt, e->name, base));
	TRY(prop_plic_irq(fdt, e->irq + (int)slot));
	TRY(prop_reg(fdt, base, e->size));
	TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	return fdt_end_node(fdt);
}

static int node_ethoc(void *fdt, const struct fdt_config *c)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_ETHOC];
	TRY(begin_node_at(fdt, e->name, e->base));
	/* ethoc refuses to probe without an IRQ. */
	TRY(prop_plic_irq(fdt, e->irq));
	TRY(prop_reg(fdt, e->base, e->size));
	if (c->ethoc_mac)
		TRY(fdt_property(fdt, "local-mac-address", c->ethoc_mac, 6));
	TRY(fdt_property_string(fdt, "compatible", "opencores,ethoc"));
	return fdt_end_node(fdt);
}

static int node_ide(void *fdt)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_IDE];
	uint32_t reg[8];
	/* Both blocks must be memory resources or pata_platform falls back
	   to port I/O, which riscv lacks. */
	reg_cells(reg, e->base, 8u << FDT_IDE_REG_SHIFT);
	reg_cells(reg + 4, e->base + FDT_IDE_CTL_OFFSET, FDT_IDE_CTL_SIZE);
	TRY(begin_node_at(fdt, e->name, e->base));
	/* Without an IRQ libata falls back to polling. */
	TRY(prop_plic_irq(fdt, e->irq));
	TRY(prop_cells(fdt, "reg", reg, 8));
	TRY(fdt_property_u32(fdt, "reg-shift", FDT_IDE_REG_SHIFT));
	TRY(fdt_property_u32(fdt, "pio-mode", IDE_PIO_MODE));
	TRY(fdt_property_string(fdt, "compatible", "ata-generic"));
	return fdt_end_node(fdt);
}

/* Context 2h is hart h's M-mode (cause 11), 2h+1 its S-mode (cause 9),
   matching plic.c; Linux skips the M-mode entries. */
static int node_plic(void *fdt)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_PLIC];
	const uint32_t ext[] = {PH_CPU0_INTC, IRQ_MEI, PH_CPU0_INTC, IRQ_SEI};
	TRY(begin_node_at(fdt, e->name, e->base));
	TRY(fdt_property_u32(fdt, "phandle", PH_PLIC));
	TRY(fdt_property_u32(fdt, "riscv,ndev", PLIC_NUM_SOURCES));
	TRY(prop_reg(fdt, e->base, e->size));
	TRY(prop_cells(fdt, "interrupts-extended", ext, 4));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(PROP_STRLIST(fdt, "compatible", "sifive,plic-1.0.0\0riscv,plic0"));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	return fdt_end_node(fdt);
}

/* S-mode Linux ignores it (it gets its timer from SBI or Sstc); it is here
   for M-mode firmware such as OpenSBI, which finds the ACLINT by it. */
static int node_clint(void *fdt)
{
	const struct memmap_entry *e = &virt_memmap[VIRT_ACLINT];
	const uint32_t ext[] = {PH_CPU0_INTC, IRQ_MSI, PH_CPU0_INTC, IRQ_MTI};
	TRY(begin_node_at(fdt, e->name, e->base));
	TRY(prop_cells(fdt, "interrupts-extended", ext, 4));
	TRY(prop_reg(fdt, e->base, e->size));
	TRY(PROP_STRLIST(fdt, "compatible", "sifive,clint0\0riscv,clint0"));
	return fdt_end_node(fdt);
}

static int node_soc(void *fdt, const struct fdt_config *c)
{
	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));

	TRY(node_rtc(fdt));
	TRY(node_uart(fdt));
	TRY(node_test(fdt));
	for (uint32_t k = c->virtio_slots; k-- > 0;)
		TRY(node_virtio(fdt, k));
	if (c->ethoc)
		TRY(node_ethoc(fdt, c));
	if (c->ide)
		TRY(node_ide(fdt));
	TRY(node_plic(fdt));
	TRY(node_clint(fdt));
	return fdt_end_node(fdt);
}

static int fdt_write_tree(void *fdt, const struct fdt_config *c)
{
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	TRY(fdt_property_string(fdt, "model", "pvkit,virt"));

	TRY(node_chosen(fdt, c));
	TRY(node_aliases(fdt));
	TRY(node_syscon_action(fdt, "poweroff", "syscon-poweroff",
			       SYSCON_VALUE_PASS));
	TRY(node_syscon_action(fdt, "reboot", "syscon-reboot",
			       SYSCON_VALUE_RESET));
	TRY(node_memory(fdt, c));
	TRY(node_cpus(fdt, c));
	TRY(node_soc(fdt, c));

	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int fdt_build(void *buf, size_t bufsize, const struct fdt_config *c)
{
	if (c->virtio_slots > VIRTIO_SLOTS || c->ram_size == 0 ||
	    c->initrd_end < c->initrd_start || c->rng_seed_len > INT_MAX ||
	    (c->rng_seed_len && !c->rng_seed))
		return -FDT_ERR_BADVALUE;
	TRY(fdt_create(buf, bufsize > INT_MAX ? INT_MAX : (int)bufsize));
	TRY(fdt_write_tree(buf, c));
	/* The sequential writer leaves no slack already; pack makes sure
	   totalsize covers the tree and nothing more. */
	TRY(fdt_pack(buf));
	return (int)fdt_totalsize(buf);
}
