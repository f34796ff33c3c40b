#!/bin/sh
# Run one test guest on plain QEMU, without microhv: a reference run for the guest and its runtime.
#   sh scripts/run-direct.sh TEST       (or: make run-direct TEST=name)
# Optional environment:
#   SMP=N         N CPUs (-smp N; default 1). On q35 the APIC IDs are 0..N-1, like microhv's vcpus=N.
#                 QEMU 7.2 TCG refuses N > 255 (APIC IDs above 255 need KVM's x2APIC API).
#   ACCEL=kvm     QEMU with KVM instead of TCG (needs /dev/kvm): a reference for the KVM columns of
#                 the errata spec, with x2APIC (which QEMU 7.2 TCG lacks).
#   CPU=MODEL     QEMU's -cpu (default: max with TCG; host,-arch-capabilities with KVM, since this
#                 host's KVM aborts QEMU on MSR 0x10a with -cpu max)
#   QEMU_ARGS="..." extra QEMU options (split at spaces)
#   APPEND="..."  the Multiboot command line, e.g. APPEND=apic-32bit-ids (a suite row's VM options)
# Prints the guest's TAP output, then one line with the verdict. Exits 0 only if the guest exited
# through the exit port with status 0.
#
# QEMU's isa-debug-exit device turns a guest write of V into the exit status (V << 1) | 1, so any
# even status means the guest never wrote the port: 0 = QEMU shut down (with -no-reboot, e.g. after a
# triple fault), 124 = killed by timeout.

set -u

TIMEOUT_SECONDS=${RUN_DIRECT_TIMEOUT:-60}
GUEST_DIR=${GUEST_DIR:-build/guests}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT_STATUS=124
SMP=${SMP:-1}
ACCEL=${ACCEL:-tcg}
APPEND=${APPEND:-}
if [ "$ACCEL" = kvm ]; then CPU=${CPU:-host,-arch-capabilities}; else CPU=${CPU:-max}; fi

test_name=${1:-}
if [ -z "$test_name" ]; then
	echo "usage: $0 TEST   (a guest from build/guests, e.g. inject; make run-direct TEST=inject)" >&2
	exit 2
fi
elf="$GUEST_DIR/$test_name.elf"
if [ ! -f "$elf" ]; then
	echo "run-direct: $elf not found: run 'make guests' first (or check the name)" >&2
	exit 2
fi
if ! command -v "$QEMU" >/dev/null 2>&1; then
	echo "run-direct: $QEMU not found (Debian package qemu-system-x86)" >&2
	exit 2
fi

case "$SMP" in ''|*[!0-9]*|0) echo "run-direct: SMP must be a CPU count, not '$SMP'" >&2; exit 2 ;; esac
case "$ACCEL" in tcg|kvm) ;; *) echo "run-direct: ACCEL must be tcg or kvm, not '$ACCEL'" >&2; exit 2 ;; esac

qemu_err=$(mktemp)
trap 'rm -f "$qemu_err"' EXIT
timeout "$TIMEOUT_SECONDS" "$QEMU" -machine q35 -accel "$ACCEL" -nodefaults -no-reboot -cpu "$CPU" -m 64 \
	-smp "$SMP" -kernel "$elf" -append "$APPEND" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-serial stdio -display none -monitor none ${QEMU_ARGS:-} </dev/null 2>"$qemu_err"
qemu_status=$?
cat "$qemu_err" >&2
# QEMU's own exit status 1 ("cannot start") is also what a guest writing 0 to isa-debug-exit gives: what
# QEMU printed tells them apart. Its refusal is never read as a guest status.
qemu_error=$(grep "^qemu-system-[a-z0-9_]*: " "$qemu_err" | grep -v ": warning: " | head -n 1)
if [ "$qemu_status" -eq 1 ] && [ -n "$qemu_error" ]; then
	echo "run-direct: $test_name: ERROR (QEMU did not run the guest: $qemu_error)"
	exit 2
fi

if [ "$qemu_status" -eq "$TIMEOUT_STATUS" ]; then
	echo "run-direct: $test_name: FAIL (timed out after ${TIMEOUT_SECONDS}s)"
	exit 1
fi
if [ $((qemu_status % 2)) -eq 0 ]; then
	echo "run-direct: $test_name: FAIL (QEMU exited with $qemu_status without a guest exit status:" \
		"triple fault, shutdown or QEMU error)"
	exit 1
fi
guest_status=$((qemu_status >> 1))
if [ "$guest_status" -eq 0 ]; then
	echo "run-direct: $test_name: PASS (guest exit status 0)"
	exit 0
fi
echo "run-direct: $test_name: FAIL (guest exit status $guest_status)"
exit 1
