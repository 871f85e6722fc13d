/*
 * pvkit's `virt` machine: RAM, one hart, the platform devices from the
 * memory-map table, the boot images, and the run loop that drives time,
 * devices and the hart. host/ creates a machine from a machine_config,
 * plugs in its back ends (console, host polling, magic handlers) and runs
 * it until the guest exits.
 */
#ifndef PVKIT_MACHINE_H
#define PVKIT_MACHINE_H

#include "emulator/cpu/hart.h"
#include "emulator/devices/aclint.h"
#include "emulator/devices/chardev.h"
#include "emulator/mem/bus.h"
#include "emulator/platform/vclock.h"
#include "protocol/hypercall.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct plic;
struct uart16550;
struct goldfish_rtc;
struct syscon;
struct ethoc;
struct net_backend;
struct virtio_mmio_slots;

struct machine_config {
	uint64_t ram_size;
	const char *kernel; /* Linux Image or RISC-V 64 ELF */
	const char *initrd;
	const char *append;
	const char *bios; /* M-mode firmware, e.g. OpenSBI fw_dynamic */
	bool icount;
	uint64_t cpu_hz; /* nominal rate for --icount and --cpu-mhz */
	/* --time-sync: the paravirtual clock reports the host's real time
	   and asks the guest to follow it. Off under --icount, the clock
	   reports the deterministic virtual wall clock and the guest is left
	   alone. */
	bool time_sync;
	/* --net ...,model=ethoc: the OpenCores MAC on this back end, and its
	   node (with the back end's MAC) in the device tree */
	struct net_backend *ethoc_net;
	bool ide; /* an IDE disk will be attached: put it in the DT */
};

typedef void (*magic_fn)(void *opaque, struct machine *m, struct hart *h);

struct machine {
	struct bus bus;
	struct hart hart;
	struct vclock clock;
	struct aclint aclint;
	struct plic *plic;
	struct uart16550 *uart;
	struct goldfish_rtc *rtc;
	struct syscon *syscon;
	struct ethoc *ethoc; /* NULL unless cfg.ethoc_net */
	/* the eight virtio-mmio transports; host/ attaches devices to them
	   with virtio_mmio_attach() between machine_init and machine_run */
	struct virtio_mmio_slots *virtio;

	struct char_sink console; /* where guest console output goes */
	/* bytes for the guest console waiting for room in the UART FIFO or
	   for an SBI getchar */
	uint8_t console_in[512];
	size_t console_in_len;
	bool sbi_console_used;
	/* When set, console input goes here instead of the UART: the hvc
	   port of a virtio-console once the guest uses it. Returns the bytes
	   taken; the rest waits in console_in. */
	size_t (*console_rx)(void *opaque, const uint8_t *buf, size_t n);
	void *console_rx_opaque;

	uint64_t htif_tohost, htif_fromhost; /* 0 when the ELF has none */
	bool firmware_sbi; /* pvkit plays the M-mode firmware */

	bool paused; /* stopped from the control socket: no guest time */
	/* Paravirtual clock disruption counter (magic HOST_TIME's a2): bumped
	   on every pause and resume and when the host steps the guest clock,
	   so a guest time-sync knows its clock may have jumped. */
	uint64_t disruptions;
	bool exit_requested;
	bool reboot_requested;
	int exit_status;

	struct {
		magic_fn fn;
		void *opaque;
	} magic[PVKIT_MAGIC_COUNT];

	/* Balloon control, set by the balloon device when there is one:
	   the target guest size in bytes, and the size it has now. */
	struct {
		void *opaque;
		void (*set_target)(void *opaque, uint64_t bytes);
		uint64_t (*actual)(void *opaque);
	} balloon;
	/* A power button: asks the guest to power off. Returns 0 if the
	   request could be passed on. */
	struct {
		void *opaque;
		int (*request)(void *opaque);
	} powerdown;

	/* Host hook, called between slices: poll host I/O, waiting up to
	   timeout_ns when the guest idles (0 = just look). */
	void (*host_poll)(void *opaque, struct machine *m, int64_t timeout_ns);
	void *host_opaque;

	uint64_t ram_size;
	struct machine_config cfg; /* kept for reboot */

	/* --cpu-mhz pacing: host time and instret at the start of the
	   current paced stretch */
	int64_t pace_base_ns;
	uint64_t pace_base_instret;
};

/* Builds the machine and loads the images; on failure returns -1 with a
   one-line message in err. */
int machine_init(struct machine *m, const struct machine_config *cfg, char *err,
		 size_t errlen);
void machine_free(struct machine *m);

/* Runs until the guest exits; returns its exit status. */
int machine_run(struct machine *m);

void machine_request_exit(struct machine *m, int status);
/* Stop and continue the VM; its clock stands still in between. */
void machine_pause(struct machine *m);
void machine_resume(struct machine *m);
void machine_request_reboot(struct machine *m);
/* The host stepped the guest's clock: bump the disruption counter. */
void machine_clock_stepped(struct machine *m);

uint64_t machine_ticks(struct machine *m);
int64_t machine_wall_ns(struct machine *m);
/* The paravirtual clock: host time (see cfg.time_sync), the time CSR and
   the disruption counter, read together. */
void machine_host_time(struct machine *m, struct pvkit_time_snapshot *snap);

void machine_console_write(struct machine *m, const uint8_t *buf, size_t n);
/* Host -> guest console bytes; returns how many were taken. */
size_t machine_console_input(struct machine *m, const uint8_t *buf, size_t n);
int machine_console_getchar(struct machine *m);

void machine_set_magic(struct machine *m, unsigned n, magic_fn fn,
		       void *opaque);

#endif
