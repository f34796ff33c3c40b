#!/bin/sh
# help.sh: what `make help` prints. Keep it in step with the Makefile, the scripts' environment knobs,
# and README.md ("Targets and knobs").
cat <<'TEXT'
Targets
  make, make all    build/microhv.efi: the hypervisor with the built-in test guests
  make guests       every guest-tests/*.c and bench/*.c as build/guests/NAME.elf
  make run          boot the suite on one platform (PLATFORM, default qemu-svm); TEST=, GUESTS= optional
  make test         unit tests + fuzz smoke + every platform (PLATFORMS) + JUnit, USB-image, bad-input,
                    host-fault, pCPU take-over, screen-console and QEMU-compatibility checks;
                    last line "N passed, N failed"; also build/results/all.tap (TAP 13) and junit.xml
  make unit         only the host unit tests (cmocka)
  make run-direct TEST=NAME   one guest on plain QEMU, without microhv (SMP=, ACCEL=, APPEND= optional)
  make bench        the benchmark guests (test=@bench) on PLATFORM (PLATFORM=all: the four emulator
                    platforms in turn); results in build/results/bench-PLATFORM.*, then per platform the
                    table "bench PLATFORM EXIT: normal N, null M, ratio R" (bench/README.md)
  make hostile      the isolation and hostile guests (test=@hostile) on PLATFORM; results in
                    build/results/hostile-PLATFORM.* (docs/isolation.md)
  make kvm-column   docs/kvm-column.md: every guest that makes sense without microhv on plain QEMU TCG and
                    on this host's KVM, next to microhv's qemu-svm results (needs /dev/kvm)
  make qemu-kernels the QEMU test kernels of guest-tests/qemu-kernels/ as build/qemu-kernels/NAME.elf (+ .opts)
  make compat       the conformance harness: each kernel of DIR (default build/qemu-kernels) with its .opts on
                    plain QEMU and under microhv (COMPAT_PLATFORMS); a table of differences, exit 0 if none
  make list         every test: vCPUs, expected outcome, platforms it skips, groups, options
  make fuzz         every libFuzzer harness (tests/fuzz/, clang) for FUZZ_TIME s; FUZZ_MERGE=1 keeps new inputs
  make fuzz-smoke   the same for FUZZ_SMOKE_TIME s each (a row of make test)
  make fuzz-seeds   regenerate the seed corpus tests/fuzz/corpus/ from tests/fuzz/seeds/mkseeds.c
  make mutation     mutation testing: plant each bug of scripts/mutation/mutants/ in a scratch worktree,
                    run the checks named in its "# kill:" lines; "N killed, N survived" (MUTANTS= a subset)
  make usb          build/usb.img: GPT disk, one EFI System Partition (FAT32) with BOOTX64.EFI and
                    microhv.cfg (USB_CFG); prints the dd line; DEV=/dev/sdX writes it (not if mounted)
  make debug        QEMU (qemu-svm) paused with a gdb server, and build/debug.gdb (symbols at the address a
                    first boot printed, hbreak hv_entry, checked there); TEST= optional; then gdb -x build/debug.gdb
  make deps         install (as root) or name the missing Debian packages
  make clean        remove build/ except build/results/ (the logs of past runs)
  make distclean    remove build/ entirely
  make help         this text

Make variables (make VAR=value ...)
  PLATFORM=NAME     make run/bench: qemu-svm (default), bochs-vmx-tigerlake, bochs-vmx-skylake, bochs-svm-ryzen,
                    or kvm (QEMU -accel kvm; needs kvm_amd/kvm_intel nested=1, else it stops with the reason);
                    make bench also all (the first four, one after another)
  CPU=MODEL         PLATFORM=kvm: QEMU's -cpu (default host)
  TEST=LIST         make run: comma-separated test names, guest= file names and @GROUPs (make list);
                    an unknown name stops the run; make run-direct: one guest name
  GUESTS="F1 F2"    make run: also run these Multiboot files (copied to the ESP, named with guest=)
  V=1               show the full compiler command lines, and make run/bench's whole console
  VERBOSE=1         make run/bench: the whole console (every case), not one line per guest (default: V)
  FUZZ_TIME=S FUZZ_SMOKE_TIME=S FUZZ_MERGE=1   make fuzz / fuzz-smoke: seconds per harness (60 / 3),
                    merge new corpus inputs into the tree
  DIR=D             make compat: a directory of NAME.elf kernels with NAME.opts (default build/qemu-kernels)
  MUTANTS=A,B       make mutation: only these mutants (names of scripts/mutation/mutants/*.patch)
  USB_CFG="..."     make usb: the stick's \microhv.cfg (default "platform=hw exit=halt log=info")
  DEV=/dev/sdX      make usb: write build/usb.img to this whole-disk block device (refused if mounted)
  SMP=N ACCEL=kvm APPEND="..."   make run-direct: CPUs, accelerator, guest command line
  CPU=MODEL         make run-direct: QEMU's -cpu (default max; with ACCEL=kvm host,-arch-capabilities)

Environment (also as make VAR=value)
  MICROHV_ARGS="..."     extra words for microhv's command line, e.g. log=debug, or guest=k.elf smp=2
  ESP_FILES="F ..."      extra files for the boot volume's root, without a guest= word (modules)
  RUN_TIMEOUT=S          seconds before an emulator run is killed (default 600)
  HOST_CPUS=N            run-platform.sh: the emulated machine's processors (QEMU -smp N, Bochs cpu: count=N;
                         default 1); microhv takes over each (its command line's pcpus=N limits that)
  BOOT_DISK=esp|usb      run-platform.sh qemu-svm: boot the bare FAT image (esp) or make usb's GPT disk as a
                         USB stick (usb; make test's usb row)
  QEMU_ARGS="..."        extra options for every QEMU run (run-platform.sh, run-direct.sh, the compat check, make debug)
  GDB_PORT=N             make debug: the gdb server's port (default 1234)
  PROBE_TIMEOUT=S        make debug: seconds for the first boot that finds the load address (default 20)
  RESULTS_NAME=NAME      results as build/results/NAME.{log,tap,...} instead of PLATFORM.* (make bench: bench-PLATFORM)
  PLATFORMS="P ..."      make test: the platforms to run (default all four)
  UNIT_TIMEOUT=S         seconds per unit-test binary (default 120)
  SCREEN_TIMEOUT=S       seconds per QEMU run of check-screen.sh, until its screenshot (default 120)
  QEMU_COMPAT_TIMEOUT=S  seconds per QEMU run of check-qemu-compat.sh (default 60)
  COMPAT_PLATFORMS="P ..." make compat: microhv's platforms (default qemu-svm bochs-vmx-tigerlake)
  COMPAT_KERNELS=A,B     make compat: only these kernels of DIR
  COMPAT_GUEST_TIMEOUT=S make compat: microhv's timeout= per kernel (default 60 on QEMU, 600 under Bochs)
  RUN_DIRECT_TIMEOUT=S   seconds for make run-direct (default 60)
  MUTATION_DIR=DIR MUTATION_RUN_TIMEOUT=S   make mutation: its worktree (build/mutation/worktree),
                         seconds per emulator run (default 180)
  GUEST_DIR=DIR QEMU=BIN make run-direct: where the guests are (build/guests), which QEMU binary

Exit statuses (docs/exit-status.md): run-platform.sh 0 all passed, 1 some failed, 2 run broke or
disagrees with its TAP, 3 panic, 4 command line refused, 5 no virtualization; make itself exits 2 on
any of them. QEMU: 33, 35, 37, 39, 41 for microhv's all-passed, some-failed, panic, bad-command-line,
no-virtualization.
TEXT
