# Build rules for the guest programs of `pvkit bench` (host/bench/).
#
# Include from the top-level Makefile after guest-drivers/guest.mk, whose
# toolchain variables and runtime library this reuses:
#
#     include guest-drivers/bench/bench.mk
#
# Products, for every guest-drivers/bench/cpu/<name>.c:
#     build/guest-tests/bench/<name>.elf          the full-size run
#     build/guest-tests/bench/<name>-quick.elf    the same built with -DQUICK
# (empty.c is the start-up baseline the runner subtracts.)
#
# Target: guest-bench (all of the above).

BENCH_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BENCH_RT_DIR := $(BENCH_MK_DIR)/../runtime
BENCH_BUILD := $(GUEST_BUILD)/bench
BENCH_CPU_NAMES := $(sort $(basename $(notdir $(wildcard $(BENCH_MK_DIR)/cpu/*.c))))
BENCH_ELFS := $(foreach n,$(BENCH_CPU_NAMES),$(BENCH_BUILD)/$(n).elf $(BENCH_BUILD)/$(n)-quick.elf)

$(BENCH_BUILD)/%.c.o: $(BENCH_MK_DIR)/cpu/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(BENCH_BUILD)/%-quick.c.o: $(BENCH_MK_DIR)/cpu/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -DQUICK -c $< -o $@

$(BENCH_BUILD)/%.elf: $(BENCH_BUILD)/%.c.o $(GUEST_RT_LIB) $(BENCH_RT_DIR)/link.ld
	$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $< -Wl,--whole-archive $(GUEST_RT_LIB) \
		-Wl,--no-whole-archive -lgcc

# Objects are intermediate for make; keep them for incremental builds.
.SECONDARY: $(BENCH_ELFS:.elf=.c.o)

.PHONY: guest-bench
guest-bench: $(BENCH_ELFS)

-include $(BENCH_ELFS:.elf=.c.d)
