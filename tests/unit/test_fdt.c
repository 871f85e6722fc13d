/*
 * Device-tree builder tests: build a tree, read it back with libfdt and
 * check the properties Linux 6.1 reads at boot (timebase, cpu, chosen,
 * PLIC wiring, device nodes), their values from virt_memmap, and the
 * errors for a small buffer or a bad config.
 */
#include <check.h>
#include <libfdt.h>
#include <string.h>

#include "emulator/platform/fdt.h"
#include "emulator/platform/memmap.h"

#define FDT_BUF_SIZE (64 * 1024)

static const uint8_t test_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t test_seed[32] = {1, 2, 3, 4, 5, 6, 7, 8};

static struct fdt_config full_config(void)
{
	return (struct fdt_config){
		.ram_size = 512ull << 20,
		.bootargs = "console=ttyS0 earlycon",
		.initrd_start = 0x84000000,
		.initrd_end = 0x84812345,
		.rng_seed = test_seed,
		.rng_seed_len = sizeof(test_seed),
		.isa = "rv64imafdc_zicsr_zifencei_sstc",
		.virtio_slots = VIRTIO_SLOTS,
		.ethoc = true,
		.ide = true,
		.ethoc_mac = test_mac,
	};
}

/* An 8-byte aligned buffer, as Linux requires of a DTB. */
struct dtb {
	_Alignas(8) uint8_t buf[FDT_BUF_SIZE];
	int size;
};

static void build(struct dtb *d, const struct fdt_config *c)
{
	d->size = fdt_build(d->buf, sizeof(d->buf), c);
	ck_assert_int_gt(d->size, 0);
	ck_assert_int_eq(fdt_check_header(d->buf), 0);
	ck_assert_int_eq((int)fdt_totalsize(d->buf), d->size);
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);
	ck_assert_msg(off >= 0, "no node %s", path);
	return off;
}

static uint32_t get_u32(const void *fdt, const char *path, const char *name)
{
	int len = 0;
	const fdt32_t *p = fdt_getprop(fdt, node(fdt, path), name, &len);
	ck_assert_msg(p != NULL && len == 4, "%s:%s not a u32", path, name);
	return fdt32_to_cpu(*p);
}

static uint64_t get_u64(const void *fdt, const char *path, const char *name)
{
	int len = 0;
	const fdt64_t *p = fdt_getprop(fdt, node(fdt, path), name, &len);
	ck_assert_msg(p != NULL && len == 8, "%s:%s not a u64", path, name);
	return fdt64_ld(p); /* properties are only 4-byte aligned */
}

static const char *get_str(const void *fdt, const char *path, const char *name)
{
	const char *s = fdt_getprop(fdt, node(fdt, path), name, NULL);
	ck_assert_msg(s != NULL, "%s:%s missing", path, name);
	return s;
}

/* Property as an array of cells; returns the count. */
static int get_cells(const void *fdt, const char *path, const char *name,
		     uint32_t *out, int max)
{
	int len = 0;
	const fdt32_t *p = fdt_getprop(fdt, node(fdt, path), name, &len);
	ck_assert_msg(p != NULL, "%s:%s missing", path, name);
	ck_assert_int_le(len / 4, max);
	for (int k = 0; k < len / 4; k++)
		out[k] = fdt32_to_cpu(p[k]);
	return len / 4;
}

START_TEST(header_and_size)
{
	static struct dtb d;
	struct fdt_config c = full_config();
	build(&d, &c);
	ck_assert_int_lt(d.size, 64 * 1024);
	ck_assert_str_eq(get_str(d.buf, "/", "model"), "pvkit,virt");
	ck_assert_str_eq(get_str(d.buf, "/", "compatible"), "riscv-virtio");
	ck_assert_uint_eq(get_u32(d.buf, "/", "#address-cells"), 2);
	ck_assert_uint_eq(get_u32(d.buf, "/", "#size-cells"), 2);
}
END_TEST

START_TEST(cpus_and_memory)
{
	static struct dtb d;
	struct fdt_config c = full_config();
	build(&d, &c);
	ck_assert_uint_eq(get_u32(d.buf, "/cpus", "timebase-frequency"),
			  TIMEBASE_HZ);
	ck_assert_uint_eq(get_u32(d.buf, "/cpus/cpu@0", "reg"), 0);
	ck_assert_str_eq(get_str(d.buf, "/cpus/cpu@0", "riscv,isa"), c.isa);
	ck_assert_str_eq(get_str(d.buf, "/cpus/cpu@0", "compatible"), "riscv");
	ck_assert_str_eq(get_str(d.buf, "/cpus/cpu@0", "device_type"), "cpu");
	ck_assert_str_eq(get_str(d.buf, "/cpus/cpu@0/interrupt-controller",
				 "compatible"),
			 "riscv,cpu-intc");
	ck_assert_ptr_nonnull(fdt_getprop(
		d.buf, node(d.buf, "/cpus/cpu@0/interrupt-controller"),
		"interrupt-controller", NULL));

	uint32_t reg[4];
	ck_assert_int_eq(get_cells(d.buf, "/memory@80000000", "reg", reg, 4),
			 4);
	ck_assert_uint_eq((uint64_t)reg[0] << 32 | reg[1],
			  virt_memmap[VIRT_DRAM].base);
	ck_assert_uint_eq((uint64_t)reg[2] << 32 | reg[3], c.ram_size);
}
END_TEST

START_TEST(chosen)
{
	static struct dtb d;
	struct fdt_config c = full_config();
	build(&d, &c);
	ck_assert_str_eq(get_str(d.buf, "/chosen", "bootargs"), c.bootargs);
	ck_assert_str_eq(get_str(d.buf, "/chosen", "stdout-path"),
			 "/soc/serial@10000000");
	ck_assert_uint_eq(get_u64(d.buf, "/chosen", "linux,initrd-start"),
			  c.initrd_start);
	ck_assert_uint_eq(get_u64(d.buf, "/chosen", "linux,initrd-end"),
			  c.initrd_end);
	int len = 0;
	const void *seed =
		fdt_getprop(d.buf, node(d.buf, "/chosen"), "rng-seed", &len);
	ck_assert_int_eq(len, sizeof(test_seed));
	ck_assert_mem_eq(seed, test_seed, sizeof(test_seed));
	ck_assert_str_eq(get_str(d.buf, "/aliases", "serial0"),
			 "/soc/serial@10000000");
	/* stdout-path must name a node that exists. */
	node(d.buf, "/soc/serial@10000000");
}
END_TEST

START_TEST(chosen_optional_parts)
{
	static struct dtb d;
	struct fdt_config c = {.ram_size = 128ull << 20};
	build(&d, &c);
	int off = node(d.buf, "/chosen");
	ck_assert_ptr_null(fdt_getprop(d.buf, off, "bootargs", NULL));
	ck_assert_ptr_null(fdt_getprop(d.buf, off, "linux,initrd-start", NULL));
	ck_assert_ptr_null(fdt_getprop(d.buf, off, "rng-seed", NULL));
	ck_assert_str_eq(get_str(d.buf, "/cpus/cpu@0", "riscv,isa"),
			 "rv64imafdc");
	ck_assert_int_lt(fdt_path_offset(d.buf, "/soc/virtio_mmio@10001000"),
			 0);
	ck_assert_int_lt(fdt_path_offset(d.buf, "/soc/ethernet@10100000"), 0);
	ck_assert_int_lt(fdt_path_offset(d.buf, "/soc/ata@10200000"), 0);
}
END_TEST

START_TEST(plic_wiring)
{
	static struct dtb d;
	struct fdt_config c = full_config();
	build(&d, &c);
	const char *plic = "/soc/plic@c000000";
	ck_assert_uint_eq(get_u32(d.buf, plic, "riscv,ndev"), PLIC_NUM_SOURCES);
	ck_assert_uint_eq(get_u32(d.buf, plic, "#interrupt-cells"), 1);
	uint32_t intc = fdt_get_phandle(
		d.buf, node(d.buf, "/cpus/cpu@0/interrupt-controller"));
	ck_assert_uint_ne(intc, 0);
	uint32_t ext[8];
	ck_assert_int_eq(get_cells(d.buf, plic, "interrupts-extended", ext, 8),
			 4);
	/* context 0 = M-mode external (11), context 1 = S-mode external (9) */
	ck_assert_uint_eq(ext[0], intc);
	ck_assert_uint_eq(ext[1], 11);
	ck_assert_uint_eq(ext[2], intc);
	ck_assert_uint_eq(ext[3], 9);
	ck_assert_int_eq(fdt_node_check_compatible(d.buf, node(d.buf, plic),
						   "riscv,plic0"),
			 0);

	/* Devices hang off the PLIC. */
	uint32_t plic_ph = fdt_get_phandle(d.buf, node(d.buf, plic));
	ck_assert_uint_eq(
		get_u32(d.buf, "/soc/serial@10000000", "interrupt-parent"),
		plic_ph);
	ck_assert_uint_eq(get_u32(d.buf, "/soc/serial@10000000", "interrupts"),
			  virt_memmap[VIRT_UART0].irq);
	ck_assert_uint_eq(get_u32(d.buf, "/soc/rtc@101000", "interrupts"),
			  virt_memmap[VIRT_RTC].irq);
	ck_assert_uint_eq(
		get_u32(d.buf, "/soc/serial@10000000", "clock-frequency"),
		3686400);

	ck_assert_int_eq(get_cells(d.buf, "/soc/clint@2000000",
				   "interrupts-extended", ext, 8),
			 4);
	ck_assert_uint_eq(ext[1], 3);
	ck_assert_uint_eq(ext[3], 7);
}
END_TEST

START_TEST(virtio_nodes)
{
	static struct dtb d;
	struct fdt_config c = full_config();
	build(&d, &c);
	uint32_t reg[4];
	ck_assert_int_eq(
		get_cells(d.buf, "/soc/virtio_mmio@10001000", "reg", reg, 4),
		4);
	ck_assert_uint_eq(reg[1], 0x10001000);
	ck_assert_uint_eq(reg[3], 0x1000);
	ck_assert_uint_eq(
		get_u32(d.buf, "/soc/virtio_mmio@10001000", "interrupts"), 1);
	ck_assert_int_eq(
		get_cells(d.buf, "/soc/virtio_mmio@10008000", "reg", reg, 4),
		4);
	ck_assert_uint_eq(reg[1], 0x10008000);
	ck_assert_uint_eq(
		get_u32(d.buf, "/soc/virtio_mmio@10008000", "interrupts"), 8);
	ck_assert_int_lt(fdt_path_offset(d.buf, "/soc/virtio_mmio@10009000"),
			 0);

	/* Tree order = Linux's probe order = QEMU's: descending addresses. */
	uint64_t prev = UINT64_MAX;
	int n = 0;
	for (int off = fdt_node_offset_by_compatible(d.buf, -1, "virtio,mmio");
	     off >= 0;
	     off = fdt_node_offset_by_compatible(d.buf, off, "virtio,mmio")) {
		const fdt32_t *r = fdt_getprop(d.buf, off, "reg", NULL);
		uint64_t base =
			(uint64_t)fdt32_to_cpu(r[0]) << 32 | fdt32_to_cpu(r[1]);
		ck_assert_uint_lt(base, prev);
		prev = base;
		n++;
	}
	ck_assert_int_eq(n, VIRTIO_SLOTS);

	c.virtio_slots = 2;
	build(&d, &c);
	node(d.buf, "/soc/virtio_mmio@10002000");
	ck_assert_int_lt(fdt_path_offset(d.buf, "/soc/virtio_mmio@10003000"),
			 0);
}
END_TEST

START_TEST(emulated_twins_and_syscon)
{
	static struct dtb d;
	struct fdt_config c = full_config();
	build(&d, &c);
	int len = 0;
	const void *mac =
		fdt_getprop(d.buf, node(d.buf, "/soc/ethernet@10100000"),
			    "local-mac-address", &len);
	ck_assert_int_eq(len, 6);
	ck_assert_mem_eq(mac, test_mac, 6);
	ck_assert_uint_eq(
		get_u32(d.buf, "/soc/ethernet@10100000", "interrupts"),
		virt_memmap[VIRT_ETHOC].irq);

	uint32_t reg[8];
	ck_assert_int_eq(get_cells(d.buf, "/soc/ata@10200000", "reg", reg, 8),
			 8);
	ck_assert_uint_eq(reg[1], virt_memmap[VIRT_IDE].base);
	ck_assert_uint_eq(reg[3], 0x20);
	ck_assert_uint_eq(reg[5], virt_memmap[VIRT_IDE].base + 0x100);
	ck_assert_uint_eq(reg[7], 4);
	ck_assert_uint_eq(get_u32(d.buf, "/soc/ata@10200000", "reg-shift"), 2);
	ck_assert_uint_eq(get_u32(d.buf, "/soc/ata@10200000", "pio-mode"), 4);
	ck_assert_uint_eq(get_u32(d.buf, "/soc/ata@10200000", "interrupts"),
			  virt_memmap[VIRT_IDE].irq);

	int test = node(d.buf, "/soc/test@100000");
	ck_assert_int_eq(fdt_node_check_compatible(d.buf, test, "syscon"), 0);
	uint32_t ph = fdt_get_phandle(d.buf, test);
	ck_assert_uint_ne(ph, 0);
	ck_assert_uint_eq(get_u32(d.buf, "/poweroff", "regmap"), ph);
	ck_assert_uint_eq(get_u32(d.buf, "/poweroff", "value"), 0x5555);
	ck_assert_uint_eq(get_u32(d.buf, "/reboot", "regmap"), ph);
	ck_assert_uint_eq(get_u32(d.buf, "/reboot", "value"), 0x7777);
}
END_TEST

START_TEST(errors)
{
	static struct dtb d;
	struct fdt_config c = full_config();
	ck_assert_int_eq(fdt_build(d.buf, 256, &c), -FDT_ERR_NOSPACE);
	c.virtio_slots = VIRTIO_SLOTS + 1;
	ck_assert_int_eq(fdt_build(d.buf, sizeof(d.buf), &c),
			 -FDT_ERR_BADVALUE);
	c = full_config();
	c.initrd_end = c.initrd_start - 1;
	ck_assert_int_eq(fdt_build(d.buf, sizeof(d.buf), &c),
			 -FDT_ERR_BADVALUE);
}
END_TEST

Suite *fdt_suite(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("build");
	tcase_add_test(tc, header_and_size);
	tcase_add_test(tc, cpus_and_memory);
	tcase_add_test(tc, chosen);
	tcase_add_test(tc, chosen_optional_parts);
	tcase_add_test(tc, plic_wiring);
	tcase_add_test(tc, virtio_nodes);
	tcase_add_test(tc, emulated_twins_and_syscon);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	return s;
}
