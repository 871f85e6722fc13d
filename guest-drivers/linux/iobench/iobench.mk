# pvkit-iobench (the guest side of `pvkit bench disk` and `console`):
# included by the top-level Makefile (working directory = repo root).
#
#   make iobench   build/guest/pvkit-iobench: static riscv64, packed into
#                  the initramfs as /usr/bin/pvkit-iobench

IOBENCH_SRC    := guest-drivers/linux/iobench/pvkit-iobench.c
IOBENCH_CROSS  ?= $(or $(PVKIT_CROSS),riscv64-linux-gnu-)
IOBENCH_GUEST  := build/guest/pvkit-iobench

.PHONY: iobench

iobench: $(IOBENCH_GUEST)

$(IOBENCH_GUEST): $(IOBENCH_SRC) guest-drivers/linux/iobench/iobench.mk
	@mkdir -p $(dir $@)
	$(IOBENCH_CROSS)gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -s \
		$(IOBENCH_SRC) -o $@.tmp
	@mv -f $@.tmp $@

# build-initramfs.sh packs build/guest/pvkit-iobench when it exists.
build/guest/initramfs.cpio.gz: $(IOBENCH_GUEST)
