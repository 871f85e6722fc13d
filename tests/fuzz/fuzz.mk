# libFuzzer harnesses (clang): tests/fuzz/fuzz_<name>.c, each with a seed
# corpus in tests/fuzz/corpus/<name>/. Included by the top-level Makefile.
#
#   make fuzz        build them all into build/fuzz/, run each FUZZ_SECONDS
#   make fuzz-ci     the same for 15 s each; fails on any crash
#
# The emulator and host sources are compiled again with the fuzzer's
# instrumentation into their own object directory and archived, so each
# harness links only what it uses. Findings (crash-*, leak-*, oom-*,
# timeout-*) land in build/fuzz/artifacts/<name>/; new corpus entries in
# build/fuzz/corpus/<name>/ (the seeds in tests/ are never written to).

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_OBJ := $(BUILD)/obj-fuzz
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=gnu11 -O1 -g -I. -I$(BUILD)/gen $(FUSE_CFLAGS) \
	-fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_NAMES))
FUZZ_LIB := $(FUZZ_OBJ)/libpvkit-fuzz.a
# -close_fd_mask=2: the devices log every malformed chain on stderr;
# libFuzzer keeps its own output and sanitizer reports on a dup of it.
FUZZ_RUN_FLAGS ?= -close_fd_mask=2 -rss_limit_mb=2048 -timeout=10

.PHONY: fuzz fuzz-ci fuzz-build

$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(call objs,$(FUZZ_OBJ),$(LIB_SRCS))
	rm -f $@
	ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OBJ)/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) $^ -o $@ $(LDLIBS)

# keep the harness objects make would otherwise delete as intermediate
.SECONDARY: $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(FUZZ_SRCS))

fuzz-build: $(FUZZ_BINS)

# $(call fuzz_run,seconds): runs every harness even when one fails, then
# fails if any did.
define fuzz_run
	@fail=; for n in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_OUT)/corpus/$$n $(FUZZ_OUT)/artifacts/$$n; \
	  echo "fuzz: $$n for $(1) s"; \
	  $(FUZZ_OUT)/fuzz_$$n $(FUZZ_RUN_FLAGS) -max_total_time=$(1) \
	    -artifact_prefix=$(FUZZ_OUT)/artifacts/$$n/ \
	    $(FUZZ_OUT)/corpus/$$n tests/fuzz/corpus/$$n \
	    2>$(FUZZ_OUT)/$$n.log; rc=$$?; \
	  grep -E '^#[0-9]+[[:space:]]+DONE' $(FUZZ_OUT)/$$n.log | tail -1; \
	  if [ $$rc -ne 0 ]; then \
	    echo "fuzz: $$n FAILED (exit $$rc), see $(FUZZ_OUT)/$$n.log:"; \
	    grep -E 'ERROR|SUMMARY|check failed|Test unit written' \
	      $(FUZZ_OUT)/$$n.log; \
	    fail=1; fi; \
	done; [ -z "$$fail" ]
endef

fuzz: $(FUZZ_BINS)
	$(call fuzz_run,$(FUZZ_SECONDS))

fuzz-ci: $(FUZZ_BINS)
	$(call fuzz_run,15)

-include $(shell find $(FUZZ_OBJ) -name '*.d' 2>/dev/null)
