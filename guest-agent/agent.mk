# pvkit guest agent: included by the top-level Makefile (working directory
# = repo root).
#
#   make agent       build/guest/pvkit-agent: static riscv64, for the guest
#                    (packed into the initramfs as /usr/bin/pvkit-agent)
#   make agent-host  build/pvkit-agent-host: the same sources for this
#                    machine, a dry-run build for protocol tests only
#
# The riscv64 agent links a static jansson built from Debian's source
# package by build-jansson.sh (cached by a hash of its inputs under
# $PVKIT_CACHE/guest). The script runs every time and leaves
# build/guest/jansson untouched when nothing changed, so make relinks only
# when jansson really changed.

AGENT_DIR     := guest-agent
AGENT_SRCS    := $(sort $(wildcard $(AGENT_DIR)/*.c))
AGENT_HDRS    := $(sort $(wildcard $(AGENT_DIR)/*.h))
AGENT_CROSS   ?= $(or $(PVKIT_CROSS),riscv64-linux-gnu-)
AGENT_GUEST   := build/guest/pvkit-agent
AGENT_HOST    := build/pvkit-agent-host
AGENT_JANSSON := build/guest/jansson
AGENT_CFLAGS  := -std=gnu11 -O2 -Wall -Wextra -Werror
# headers from outside the agent's folder (the magic instruction)
AGENT_SHARED  := guest-drivers/linux/tools/pvkit_magic.h protocol/hypercall.h

.PHONY: agent agent-host agent-clean _agent-force

agent: $(AGENT_GUEST)
agent-host: $(AGENT_HOST)

$(AGENT_JANSSON)/lib/libjansson.a: _agent-force
	@PVKIT_CROSS=$(AGENT_CROSS) $(AGENT_DIR)/build-jansson.sh

$(AGENT_GUEST): $(AGENT_SRCS) $(AGENT_HDRS) $(AGENT_DIR)/agent.mk $(AGENT_SHARED) \
		$(AGENT_JANSSON)/lib/libjansson.a
	@mkdir -p $(dir $@)
	$(AGENT_CROSS)gcc $(AGENT_CFLAGS) -static -s -I$(AGENT_JANSSON)/include \
		$(AGENT_SRCS) -o $@.tmp $(AGENT_JANSSON)/lib/libjansson.a
	@mv -f $@.tmp $@

$(AGENT_HOST): $(AGENT_SRCS) $(AGENT_HDRS) $(AGENT_DIR)/agent.mk $(AGENT_SHARED)
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CFLAGS) -g -DAGENT_DRY_RUN $(AGENT_SRCS) -o $@ -ljansson

# build-initramfs.sh packs build/guest/pvkit-agent when it exists.
build/guest/initramfs.cpio.gz: $(AGENT_GUEST)

_agent-force:

agent-clean:
	rm -rf $(AGENT_GUEST) $(AGENT_HOST) $(AGENT_JANSSON)
