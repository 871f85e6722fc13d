# Build rules for pvkit's bare-metal guest runtime and test programs.
#
# Include from the top-level Makefile (paths are relative to the directory
# make runs in, i.e. the repository root):
#
#     include guest-drivers/guest.mk
#
# Products:
#     build/guest-tests/runtime.a                 the runtime (crt0, traps, console, paging)
#     build/guest-tests/<suite>/<name>.elf        one per test, for every suite in
#                                                 guest-drivers/tests/{isa,htif,icount,virtio}
#     build/guest-tests/drivers.a                 the driver library (virtio/, ide/, ethoc/),
#                                                 linked into every test
# A test <name> is built from <name>.c and/or <name>.S in its suite folder.
#
# Targets: guest-tests (everything above), guest-tests-clean.
# Override GUEST_CROSS to use another riscv64 bare-metal toolchain.

GUEST_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GUEST_CROSS ?= riscv64-unknown-elf-
GUEST_CC := $(GUEST_CROSS)gcc
GUEST_AR := $(GUEST_CROSS)ar
GUEST_BUILD ?= build/guest-tests

GUEST_ARCH := -march=rv64gc -mabi=lp64d -mcmodel=medany
GUEST_CFLAGS := $(GUEST_ARCH) -O2 -g -std=gnu11 -ffreestanding -fno-builtin \
	-fno-pic -fno-stack-protector -fno-common -Wall -Wextra \
	-I$(GUEST_MK_DIR)/runtime -I$(GUEST_MK_DIR) -I$(GUEST_MK_DIR)/.. -MMD -MP
GUEST_ASFLAGS := $(GUEST_ARCH) -g -I$(GUEST_MK_DIR)/runtime -MMD -MP
GUEST_LDFLAGS := $(GUEST_ARCH) -nostdlib -nostartfiles -static \
	-T $(GUEST_MK_DIR)/runtime/link.ld -Wl,--no-warn-rwx-segments

GUEST_RT_SRCS := $(wildcard $(GUEST_MK_DIR)/runtime/*.c $(GUEST_MK_DIR)/runtime/*.S)
GUEST_RT_OBJS := $(patsubst $(GUEST_MK_DIR)/runtime/%,$(GUEST_BUILD)/runtime/%.o,$(GUEST_RT_SRCS))
GUEST_RT_LIB := $(GUEST_BUILD)/runtime.a

GUEST_DRV_SRCS := $(wildcard $(GUEST_MK_DIR)/virtio/*.c $(GUEST_MK_DIR)/ide/*.c \
	$(GUEST_MK_DIR)/ethoc/*.c)
GUEST_DRV_OBJS := $(patsubst $(GUEST_MK_DIR)/%,$(GUEST_BUILD)/drivers/%.o,$(GUEST_DRV_SRCS))
GUEST_DRV_LIB := $(GUEST_BUILD)/drivers.a

GUEST_SUITES := isa htif icount virtio
GUEST_TEST_ELFS :=

$(GUEST_BUILD)/runtime/%.c.o: $(GUEST_MK_DIR)/runtime/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_BUILD)/runtime/%.S.o: $(GUEST_MK_DIR)/runtime/%.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_RT_LIB): $(GUEST_RT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(GUEST_AR) rcs $@ $^

$(GUEST_BUILD)/drivers/%.c.o: $(GUEST_MK_DIR)/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_DRV_LIB): $(GUEST_DRV_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(GUEST_AR) rcs $@ $^

# $(1) = suite
define GUEST_SUITE_RULES
$(GUEST_BUILD)/$(1)/%.c.o: $(GUEST_MK_DIR)/tests/$(1)/%.c
	@mkdir -p $$(dir $$@)
	$$(GUEST_CC) $$(GUEST_CFLAGS) -c $$< -o $$@

$(GUEST_BUILD)/$(1)/%.S.o: $(GUEST_MK_DIR)/tests/$(1)/%.S
	@mkdir -p $$(dir $$@)
	$$(GUEST_CC) $$(GUEST_ASFLAGS) -c $$< -o $$@

GUEST_$(1)_SRCS := $$(wildcard $(GUEST_MK_DIR)/tests/$(1)/*.c $(GUEST_MK_DIR)/tests/$(1)/*.S)
GUEST_$(1)_NAMES := $$(sort $$(basename $$(notdir $$(GUEST_$(1)_SRCS))))
GUEST_TEST_ELFS += $$(GUEST_$(1)_NAMES:%=$(GUEST_BUILD)/$(1)/%.elf)
endef

# $(1) = suite, $(2) = test name
define GUEST_TEST_RULE
$(GUEST_BUILD)/$(1)/$(2).elf: $(patsubst $(GUEST_MK_DIR)/tests/$(1)/%,$(GUEST_BUILD)/$(1)/%.o,$(filter $(GUEST_MK_DIR)/tests/$(1)/$(2).c $(GUEST_MK_DIR)/tests/$(1)/$(2).S,$(GUEST_$(1)_SRCS))) $(GUEST_DRV_LIB) $(GUEST_RT_LIB) $(GUEST_MK_DIR)/runtime/link.ld
	$$(GUEST_CC) $$(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(GUEST_DRV_LIB) -Wl,--whole-archive $(GUEST_RT_LIB) -Wl,--no-whole-archive -lgcc
endef

$(foreach s,$(GUEST_SUITES),$(eval $(call GUEST_SUITE_RULES,$(s))))
$(foreach s,$(GUEST_SUITES),$(foreach n,$(GUEST_$(s)_NAMES),$(eval $(call GUEST_TEST_RULE,$(s),$(n)))))

.PHONY: guest-tests guest-tests-clean
guest-tests: $(GUEST_RT_LIB) $(GUEST_DRV_LIB) $(GUEST_TEST_ELFS)

guest-tests-clean:
	rm -rf $(GUEST_BUILD)

-include $(GUEST_RT_OBJS:.o=.d) $(GUEST_DRV_OBJS:.o=.d) $(GUEST_TEST_ELFS:.elf=.c.d) $(GUEST_TEST_ELFS:.elf=.S.d)
