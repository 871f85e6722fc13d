# pvkit guest Linux image: `make guest`.
# Included by the top-level Makefile (working directory = repo root).
#
# Outputs (fixed places):
#   build/guest/Image              Linux 6.1 riscv64 kernel (tinyconfig + pvkit.config)
#   build/guest/initramfs.cpio.gz  busybox, /init, /tests/*.sh [, /usr/bin/pvkit-agent]
#   build/guest/busybox            static riscv64 busybox
#   build/guest/pvkit_ptp.ko       the paravirtual clock as a PTP clock (ptp/),
#                                  built by build-kernel.sh with the kernel
#   build/guest/pvkit-clock        static riscv64 paravirtual-clock tool (tools/)
# and alongside: vmlinux, System.map, kernel.config, busybox.config,
# busybox.links, log/{kernel,busybox}.log.
#
# Every build is cached by a hash of its inputs under
# $(PVKIT_CACHE)/guest/<hash>/ (default ~/.cache/pvkit/guest), kernel,
# busybox and initramfs separately; the scripts always run and decide from
# the hash, so a rebuild with nothing changed takes seconds and leaves the
# outputs (and their mtimes) untouched.
#
# The guest agent task adds, in its own fragment:
#   $(GUEST_INITRAMFS): $(GUEST_AGENT)
# with a rule that builds $(GUEST_AGENT); build-initramfs.sh packs
# build/guest/pvkit-agent as /usr/bin/pvkit-agent whenever it exists.

GUEST_LINUX_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GUEST_OUT       := build/guest
GUEST_IMAGE     := $(GUEST_OUT)/Image
GUEST_INITRAMFS := $(GUEST_OUT)/initramfs.cpio.gz
GUEST_BUSYBOX   := $(GUEST_OUT)/busybox
GUEST_AGENT     := $(GUEST_OUT)/pvkit-agent
GUEST_CLOCK     := $(GUEST_OUT)/pvkit-clock
GUEST_LINUX_CROSS := $(or $(PVKIT_CROSS),riscv64-linux-gnu-)
GUEST_OUTPUTS   := $(GUEST_IMAGE) $(GUEST_INITRAMFS) $(GUEST_BUSYBOX) \
                   $(GUEST_CLOCK)

# QEMU reference boot of one guest test (make guest-qemu-test)
GUEST_QEMU_TEST ?= cpuinfo-rtc-fp

.PHONY: guest guest-kernel guest-busybox guest-initramfs guest-qemu-test \
        guest-qemu-shell guest-clean guest-cache-clean guest-deps _guest-force

guest: $(GUEST_OUTPUTS)
guest-kernel: $(GUEST_IMAGE)
guest-busybox: $(GUEST_BUSYBOX)
guest-initramfs: $(GUEST_INITRAMFS)

# The scripts are run every time (_guest-force); they compare the hash of
# all inputs, Debian package versions included, with the cache.
$(GUEST_IMAGE): _guest-force
	@$(GUEST_LINUX_DIR)/build-kernel.sh

$(GUEST_BUSYBOX): _guest-force
	@$(GUEST_LINUX_DIR)/build-busybox.sh

# The Image rule also publishes pvkit_ptp.ko, which the initramfs packs.
$(GUEST_INITRAMFS): $(GUEST_BUSYBOX) $(GUEST_IMAGE) $(GUEST_CLOCK) _guest-force
	@$(GUEST_LINUX_DIR)/build-initramfs.sh

$(GUEST_CLOCK): $(GUEST_LINUX_DIR)/tools/pvkit-clock.c $(GUEST_LINUX_DIR)/tools/pvkit_magic.h protocol/hypercall.h
	@mkdir -p $(dir $@)
	$(GUEST_LINUX_CROSS)gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -s -I. \
		$< -o $@.tmp
	@mv -f $@.tmp $@

_guest-force:

# Boot the guest on Debian's QEMU (a reference only, never part of pvkit)
# and run /tests/$(GUEST_QEMU_TEST).sh; fails unless it exits 0.
guest-qemu-test: guest
	@$(GUEST_LINUX_DIR)/qemu-run.sh test $(GUEST_QEMU_TEST)

# Interactive busybox shell on Debian's QEMU (Ctrl-A X quits QEMU).
guest-qemu-shell: guest
	@$(GUEST_LINUX_DIR)/qemu-run.sh shell

guest-deps:
	scripts/deps.sh

# Only this fragment's files (build/guest also holds the agent's).
guest-clean:
	rm -rf $(GUEST_OUTPUTS) $(addprefix $(GUEST_OUT)/,vmlinux System.map \
		pvkit_ptp.ko kernel.config busybox.links busybox.config log work .lock)

guest-cache-clean:
	rm -rf $${PVKIT_CACHE:-$$HOME/.cache/pvkit}/guest
