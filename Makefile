# microhv: build the UEFI application (hypervisor + built-in test guests), the guests, and the host unit tests.
# `make help` lists every target and every environment knob; README.md has the same list.

B        := build
CC       := gcc
NASM     := nasm
LD       := ld
OBJCOPY  := objcopy
PLATFORM ?= qemu-svm
V        ?= 0
comma    := ,
VERBOSE  ?= $(V)
Q        := $(if $(filter 1,$(V)),,@)
DEPS_OK  := $(B)/.deps-ok
TEST     ?=
GUESTS   ?=

EFI_INC  := /usr/include/efi
EFI_LIB  := /usr/lib

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
# Hypervisor code: freestanding, position independent (PE relocation by gnu-efi), no red zone, no SSE/AVX.
HV_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -MMD -MP -I.
BOOT_CFLAGS := $(HV_CFLAGS) -DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64
# Test guests: 64-bit code linked at 1 MiB, shipped as ELF32 (Multiboot v1 kernels, like QEMU -kernel wants).
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -m64 -ffreestanding -fno-stack-protector -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-MMD -MP -I. -Iguest-tests/lib
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -DHOST_UNIT_TEST

HV_C     := $(wildcard hv/*.c hv/*/*.c hv/*/*/*.c)
HV_ASM   := $(wildcard hv/*.asm hv/*/*.asm)
BOOT_C   := $(wildcard boot/*.c)
BOOT_ASM := $(wildcard boot/*.asm)
HV_OBJS  := $(HV_C:%.c=$(B)/%.o) $(HV_ASM:%.asm=$(B)/%.asm.o) $(BOOT_C:%.c=$(B)/%.o) \
	$(BOOT_ASM:%.asm=$(B)/%.asm.o) $(B)/guest_table.o $(B)/font.o
# The screen console's font (hv/font.h), generated from a PSF font of Debian's console-setup-linux.
FONT_PSF := /usr/share/consolefonts/Lat15-Fixed16.psf.gz

GLIB_C   := $(wildcard guest-tests/lib/*.c) hv/lib/fmt.c
GLIB_ASM := $(wildcard guest-tests/lib/*.asm)
GLIB_OBJS := $(GLIB_C:%.c=$(B)/guest/%.o) $(GLIB_ASM:%.asm=$(B)/guest/%.asm.o)
GUEST_SRCS := $(wildcard guest-tests/*.c) $(wildcard bench/*.c)
GUEST_NAMES := $(notdir $(GUEST_SRCS:.c=))
GUEST_ELFS := $(GUEST_NAMES:%=$(B)/guests/%.elf)
GUEST_ELFS += $(B)/guests/mb_low.elf

# Pure rule modules: compiled into the hypervisor and into the host unit tests. They are the files of the
# rules/ and lib/ folders (hv/rules/, hv/lib/, hv/SUBSYSTEM/rules/); scripts/check-layers.py checks that
# they include nothing else.
PURE_DIRS := hv/rules hv/rules/loader hv/lib $(wildcard hv/*/rules)
PURE_C   := $(foreach d,$(PURE_DIRS),$(wildcard $(d)/*.c))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
PURE_HOST_OBJS := $(PURE_C:%.c=$(B)/host/%.o)

# libFuzzer harnesses over the same pure modules (clang: fuzzer + ASan + UBSan, any UB is a crash).
FUZZ_CC  := clang
FUZZ_CFLAGS := $(HOST_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB := $(filter-out tests/fuzz/fuzz_%.c,$(wildcard tests/fuzz/*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 3
FUZZ_MERGE ?= 0
MUTANTS  ?=

.PHONY: all guests qemu-kernels compat unit run run-direct test bench hostile list help clean distclean deps fuzz fuzz-smoke fuzz-seeds mutation usb debug kvm-column
# Keep the guest objects and ELF64 images that pattern chains would otherwise delete as intermediates.
.SECONDARY:
all: $(B)/microhv.efi

# Missing Debian packages are installed (as root) or named (otherwise) before anything is built.
$(DEPS_OK): scripts/deps.sh
	@mkdir -p $(B)
	$(Q)sh scripts/deps.sh
	@touch $@

$(B)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(if $(filter boot/%,$<),$(BOOT_CFLAGS),$(HV_CFLAGS)) -c $< -o $@

$(B)/%.asm.o: %.asm | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) -f elf64 -g -MD $(B)/$*.asm.d -MP -I. $< -o $@

$(B)/guest/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(B)/guest/%.asm.o: %.asm | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (guest)"
	$(Q)$(NASM) -f elf64 -g -MD $(B)/guest/$*.asm.d -MP -I. -Iguest-tests/lib/ $< -o $@

$(B)/guests/%.elf64: $(B)/guest/guest-tests/%.o $(GLIB_OBJS) guest-tests/guest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -m elf_x86_64 -nostdlib -static -T guest-tests/guest.ld -o $@ $(GLIB_OBJS) $<

$(B)/guests/%.elf64: $(B)/guest/bench/%.o $(GLIB_OBJS) guest-tests/guest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -m elf_x86_64 -nostdlib -static -T guest-tests/guest.ld -o $@ $(GLIB_OBJS) $<

# mb_low: plain NASM, one segment at 0x8000 over QEMU's Multiboot information area (guest-tests/mb_low.asm).
$(B)/guests/mb_low.elf: guest-tests/mb_low.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (guest)"
	$(Q)$(NASM) -f elf32 $< -o $(B)/guests/mb_low.o
	$(Q)$(LD) -m elf_i386 -nostdlib -static -N --no-warn-rwx-segments -Ttext=0x8000 -e mb_low_entry -o $@ $(B)/guests/mb_low.o

# Debug info and symbols stay in the .elf64; the embedded ELF32 image is stripped of both.
$(B)/guests/%.elf: $(B)/guests/%.elf64 Makefile
	$(Q)$(OBJCOPY) -O elf32-i386 --strip-all $< $@

guests: $(GUEST_ELFS)

# The QEMU test kernels (guest-tests/qemu-kernels/, docs/guest-abi.md section 10): ordinary Multiboot kernels
# with their own boot code and runtime (kl), not microhv's; a name ending in 32 is a 32-bit kernel.
QK       := guest-tests/qemu-kernels
QK_CFLAGS := -std=gnu11 -O2 $(WARN) -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-fno-asynchronous-unwind-tables -fno-builtin -MMD -MP
QK_NAMES := $(filter-out kl kl_idt,$(notdir $(basename $(wildcard $(QK)/*.c))))
QK_ELFS  := $(QK_NAMES:%=$(B)/qemu-kernels/%.elf)
$(B)/qk64/%.o: $(QK)/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(QK_CFLAGS) -m64 -DKL_64 -c $< -o $@
$(B)/qk64/%.o: $(QK)/%.S | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(QK_CFLAGS) -m64 -DKL_64 -c $< -o $@
$(B)/qk32/%.o: $(QK)/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(QK_CFLAGS) -m32 -c $< -o $@
$(B)/qk32/%.o: $(QK)/%.S | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(QK_CFLAGS) -m32 -c $< -o $@
$(B)/qemu-kernels/%32.elf: $(B)/qk32/%32.o $(B)/qk32/boot.o $(B)/qk32/kl.o $(QK)/kernel.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -m elf_i386 -nostdlib -static -T $(QK)/kernel.ld -o $@ $(B)/qk32/boot.o $(B)/qk32/kl.o $<
$(B)/qemu-kernels/%.elf64: $(B)/qk64/%.o $(patsubst %,$(B)/qk64/%.o,boot isr64 trampoline kl kl_idt) $(QK)/kernel.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) -m elf_x86_64 -nostdlib -static -T $(QK)/kernel.ld -o $@ $(filter %.o,$^)
$(B)/qemu-kernels/%.elf: $(B)/qemu-kernels/%.elf64
	$(Q)$(OBJCOPY) -O elf32-i386 $< $@
qemu-kernels: $(QK_ELFS) $(QK_NAMES:%=$(B)/qemu-kernels/%.opts)
$(B)/qemu-kernels/%.opts: $(QK)/%.opts
	@mkdir -p $(dir $@)
	$(Q)cp $< $@
# The conformance harness (scripts/compat-dir.sh): DIR's kernels on plain QEMU and under microhv.
DIR      ?= $(B)/qemu-kernels
compat: all qemu-kernels
	@sh scripts/check-qemu-compat.sh "$(DIR)"

# The built-in suite: every guest listed in guest-tests/suite.txt, embedded in the EFI image.
$(B)/guest_table.c: guest-tests/suite.txt scripts/gen-guest-table.sh $(GUEST_ELFS)
	@mkdir -p $(B)
	$(Q)sh scripts/gen-guest-table.sh $< $(B)/guests $(B)/guest_images.list > $@.tmp && mv $@.tmp $@

# Each image once, LZ-packed (hv/lib/lz.h): the suite's images share most of their code.
$(B)/lzpack: scripts/lzpack.c hv/lib/lz.c hv/lib/lz.h | $(DEPS_OK)
	@echo "  CC      $@ (host)"
	$(Q)$(CC) -O2 $(WARN) -I. -o $@ scripts/lzpack.c hv/lib/lz.c

$(B)/guest_images.lz: $(B)/guest_table.c $(B)/lzpack
	@echo "  LZPACK  $@"
	$(Q)$(B)/lzpack $@ $$(cat $(B)/guest_images.list) >/dev/null

$(B)/guest_table.o: $(B)/guest_table.c $(B)/guest_images.lz
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(B)/font.c: scripts/gen-font.py | $(DEPS_OK)
	@mkdir -p $(B)
	@echo "  FONT    $(FONT_PSF)"
	$(Q)python3 scripts/gen-font.py $(FONT_PSF) $@.tmp && mv $@.tmp $@

$(B)/font.o: $(B)/font.c hv/font.h
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

# libefi with its byte-loop memcpy/memset weakened, so hv/lib/fmt.c's take their place.
$(B)/efilib/libefi.a: $(EFI_LIB)/libefi.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) -W memcpy -W memset $< $@

$(B)/microhv.so: $(HV_OBJS) linker.ld $(B)/efilib/libefi.a
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T linker.ld -L$(B)/efilib -L$(EFI_LIB) \
		$(EFI_LIB)/crt0-efi-x86_64.o $(HV_OBJS) -lefi -lgnuefi -o $@

$(B)/microhv.efi: $(B)/microhv.so
	@echo "  EFI     $@"
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .rodata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# Host objects carry -MMD -MP like the others: editing any header a unit test or a pure module includes
# (hv/rules/mtrr.h, tests/unit/cpuid_profiles.h, ...) rebuilds exactly the objects that include it.
$(B)/host/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (host)"
	$(Q)$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

# The decoder's forms as NASM encodes them (test_decode_nasm.c), assembled at build time.
$(B)/host/tests/unit/decode_forms.o: tests/unit/decode_forms.asm | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (host)"
	$(Q)$(NASM) -f elf64 $< -o $@
$(B)/unit/test_decode_nasm: $(B)/host/tests/unit/decode_forms.o

$(B)/unit/%: $(B)/host/tests/unit/%.o $(PURE_HOST_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@ (host)"
	$(Q)$(CC) -o $@ $^ -lcmocka

unit: $(UNIT_BINS)
	@sh scripts/run-unit.sh $(UNIT_BINS)

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(PURE_C) $(wildcard tests/fuzz/*.h) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB) $(PURE_C)

fuzz: $(FUZZ_BINS)
	@FUZZ_MERGE=$(FUZZ_MERGE) sh scripts/run-fuzz.sh $(FUZZ_TIME) $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@sh scripts/run-fuzz.sh $(FUZZ_SMOKE_TIME) $(FUZZ_BINS)

# Regenerate the in-tree seed corpus (tests/fuzz/corpus) from tests/fuzz/seeds/mkseeds.c.
fuzz-seeds: tests/fuzz/seeds/mkseeds.c tests/unit/loader_images.h | $(DEPS_OK)
	@mkdir -p $(B)
	$(Q)$(CC) $(HOST_CFLAGS) -Wno-unused-function -o $(B)/mkseeds $< && $(B)/mkseeds

run: all guests
	@VERBOSE=$(VERBOSE) sh scripts/run-platform.sh $(PLATFORM) "$(TEST)" "$(GUESTS)"

run-direct: guests
	@SMP="$(SMP)" ACCEL="$(ACCEL)" APPEND="$(APPEND)" sh scripts/run-direct.sh "$(TEST)"

test: all guests qemu-kernels $(UNIT_BINS) $(FUZZ_BINS)
	@FUZZ_SMOKE_TIME=$(FUZZ_SMOKE_TIME) sh scripts/test-all.sh

# Its own result files (build/results/bench-PLATFORM.*): a benchmark run does not overwrite `make run`'s.
bench: all guests
	@VERBOSE=$(VERBOSE) sh scripts/bench.sh $(PLATFORM)

# A USB stick image for real hardware (GPT + EFI System Partition); DEV=/dev/sdX also writes it there.
USB_CFG  ?= platform=hw exit=halt log=info
DEV      ?=
usb: all
	@sh scripts/usb.sh "$(USB_CFG)" "$(DEV)"

# QEMU paused with a gdb server, and build/debug.gdb to attach with the symbols in place (scripts/debug.sh).
debug: all
	@sh scripts/debug.sh "$(TEST)"

# The isolation and hostile guests alone (docs/isolation.md), on PLATFORM.
hostile: all guests
	@RESULTS_NAME=hostile-$(PLATFORM) sh scripts/run-platform.sh $(PLATFORM) @hostile ""

# Mutation testing (scripts/mutation/README.md): each mutant is a planted bug its listed checks must catch.
# Runs in its own worktree (build/mutation/) at HEAD; not part of make test.
mutation: | $(DEPS_OK)
	@nice -n 10 sh scripts/mutation/run.sh $(subst $(comma), ,$(MUTANTS))

# docs/kvm-column.md: microhv, plain QEMU TCG and this host's KVM, case by case (needs /dev/kvm).
kvm-column: guests
	@sh scripts/kvm-column.sh

list:
	@sh scripts/list-tests.sh guest-tests/suite.txt

help:
	@sh scripts/help.sh

deps:
	@sh scripts/deps.sh && mkdir -p $(B) && touch $(DEPS_OK)

# clean keeps build/results/ (the logs of past runs, to compare against); distclean removes it too.
clean:
	@[ ! -d $(B) ] || find $(B) -mindepth 1 -maxdepth 1 ! -name results -exec rm -rf {} +

distclean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
