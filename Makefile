# pvkit: one entry point for build, run, test and bench.
#
#   make              build/pvkit
#   make test         unit tests, the ISA suite on pvkit and QEMU, integration
#   make guest        the Linux guest (kernel, busybox, initramfs), cached
#   make run          set up everything and boot the guest to a shell
#   make bench        pvkit bench all (a report, not a test)
#   make check-format clang-format, as a check

ifeq ($(origin CC),default)
CC := clang
endif

BUILD := build
CSTD := -std=gnu11
WARN := -Wall -Wextra -Werror
FUSE_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null || echo -I/usr/include/fuse3)
CPPFLAGS := -I. -I$(BUILD)/gen $(FUSE_CFLAGS) -MMD -MP
CFLAGS ?= -O2 -g
LDLIBS := -lfdt -ljansson -lslirp -lpcap -lfuse3 -lpthread -lz -lm
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

EMU_SRCS := $(sort $(shell find emulator -name '*.c'))
HOST_SRCS := $(sort $(shell find host -name '*.c'))
LIB_SRCS := $(EMU_SRCS) $(filter-out host/main.c,$(HOST_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))

OBJ := $(BUILD)/obj
SAN_OBJ := $(BUILD)/obj-san
UNIT_MAIN := $(BUILD)/gen/unit_main.c

objs = $(patsubst %.c,$(1)/%.o,$(2))


.PHONY: deps all test unit-tests unit-tests-san check-format format bench run clean
all: $(BUILD)/pvkit

deps:
	scripts/deps.sh

# The unit-test runner calls <name>_suite() for each tests/unit/test_<name>.c.
$(UNIT_MAIN): $(UNIT_SRCS) Makefile
	@mkdir -p $(dir $@)
	@{ echo '#include <check.h>'; echo '#include <stdlib.h>'; \
	  for f in $(UNIT_SRCS); do n=$${f#tests/unit/test_}; n=$${n%.c}; \
	    echo "Suite *$${n}_suite(void);"; done; \
	  echo 'int main(void) {'; \
	  echo '  SRunner *sr = srunner_create(NULL);'; \
	  for f in $(UNIT_SRCS); do n=$${f#tests/unit/test_}; n=$${n%.c}; \
	    echo "  srunner_add_suite(sr, $${n}_suite());"; done; \
	  echo '  srunner_run_all(sr, CK_NORMAL);'; \
	  echo '  int failed = srunner_ntests_failed(sr);'; \
	  echo '  srunner_free(sr);'; \
	  echo '  return failed ? EXIT_FAILURE : EXIT_SUCCESS; }'; \
	} > $@.tmp && mv $@.tmp $@

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CFLAGS) $(WARN) $(CPPFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(SAN_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN_FLAGS) $(WARN) $(CPPFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(BUILD)/pvkit: $(call objs,$(OBJ),$(EMU_SRCS) $(HOST_SRCS))
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/unit-tests: $(call objs,$(OBJ),$(LIB_SRCS) $(UNIT_SRCS) $(UNIT_MAIN))
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) $(CHECK_LIBS)

$(BUILD)/unit-tests-san: $(call objs,$(SAN_OBJ),$(LIB_SRCS) $(UNIT_SRCS) $(UNIT_MAIN))
	$(CC) $(SAN_FLAGS) $^ -o $@ $(LDLIBS) $(CHECK_LIBS)

unit-tests: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

unit-tests-san: $(BUILD)/unit-tests-san
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(BUILD)/unit-tests-san

include guest-drivers/guest.mk
include guest-drivers/bench/bench.mk
-include guest-drivers/linux/guest.mk
include guest-agent/agent.mk
include guest-drivers/linux/iobench/iobench.mk
include tests/fuzz/fuzz.mk

test: $(BUILD)/pvkit $(BUILD)/unit-tests guest-tests guest
	@tests/run-all.sh

# A report, not a test: a slow or noisy run must not fail the build.
bench: $(BUILD)/pvkit guest-bench guest
	-$(BUILD)/pvkit bench all

# Everything a fresh machine needs, then the guest on this terminal.
run:
	scripts/deps.sh
	$(MAKE) $(BUILD)/pvkit guest
	$(BUILD)/pvkit run --kernel $(BUILD)/guest/Image \
		--initrd $(BUILD)/guest/initramfs.cpio.gz \
		--append "console=ttyS0 earlycon"

FORMAT_SRCS = $(shell find emulator host protocol tests/unit -name '*.[ch]')
check-format:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && echo "format: ok"

format:
	clang-format -i $(FORMAT_SRCS)

clean:
	rm -rf $(OBJ) $(SAN_OBJ) $(BUILD)/gen $(BUILD)/pvkit \
		$(BUILD)/unit-tests $(BUILD)/unit-tests-san

-include $(shell find $(BUILD)/obj $(BUILD)/obj-san -name '*.d' 2>/dev/null)
