#!/bin/sh
# profile-exits.sh [PLATFORM] [TEST]: where the hypervisor's instructions go, exit by exit. Boots
# build/microhv.efi under Bochs (PLATFORM bochs-vmx-tigerlake, the default, bochs-vmx-skylake or
# bochs-svm-ryzen) running TEST (default prof_exits; prof_exits_no_apicv for the software APIC), traces
# every instruction between the guest's two magic breakpoints (bench/prof_exits.c) and prints, per VM
# exit, the instructions each microhv function executed (scripts/profile-exits.py). Exact: Bochs counts
# instructions. The raw trace stays in build/profile/PLATFORM-TEST/bochs.out.
set -eu
platform=${1:-bochs-vmx-tigerlake}
test=${2:-prof_exits}
case "$platform" in
bochs-vmx-tigerlake) model=tigerlake ;;
bochs-vmx-skylake) model=corei7_skylake_x ;;
bochs-svm-ryzen) model=ryzen ;;
*) echo "profile-exits: PLATFORM must be bochs-vmx-tigerlake, bochs-vmx-skylake or bochs-svm-ryzen, not '$platform'" >&2; exit 2 ;;
esac
dir=build/profile/$platform-$test
for f in build/microhv.efi build/microhv.so; do
	[ -f "$f" ] || { echo "profile-exits: $f is missing: run make first" >&2; exit 2; }
done
rm -rf "$dir"
mkdir -p "$dir"
sh scripts/mkesp.sh "$dir/disk.img" build/microhv.efi "platform=$platform exit=shutdown test=$test" >/dev/null
sed -e "s/@MODEL@/$model/" -e "s/@CPUS@/1/" -e "s/@CPU_PANICS@/cpu0=report/" -e 's/^magic_break: enabled=0/magic_break: enabled=1/' \
	scripts/bochs.bxrc.in > "$dir/bochsrc"
# The debugger's commands, one per stop: boot, first break (trace on), second break (trace off), then
# whatever CPU-panic reports come (run-platform.sh answers those with c as well).
{ echo c; echo 'trace on'; echo c; echo 'trace off'; for _ in $(seq 64); do echo c; done; } > "$dir/cont.rc"
(cd "$dir" && timeout -s KILL "${RUN_TIMEOUT:-900}" bochs-bin -q -f bochsrc -rc cont.rc </dev/null >bochs.out 2>&1) || true
base=$(sed -n 's/.*image at 0x\([0-9a-f]*\).*/\1/p' "$dir/serial.out" | head -n 1)
[ -n "$base" ] || { echo "profile-exits: microhv printed no 'image at' line (see $dir/serial.out)" >&2; exit 2; }
if ! grep -q "^ok .*$test/every_ipi_delivered" "$dir/serial.out"; then
	echo "profile-exits: $test did not pass (see $dir/serial.out)" >&2
	exit 1
fi
python3 scripts/profile-exits.py build/microhv.so "$dir/bochs.out" "$base"
