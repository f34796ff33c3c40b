#!/bin/sh
# check-usb.sh: make usb's disk layout, booted and inspected. mkesp.sh --gpt (the code make usb uses)
# builds the suite's disk with test=cpuid; QEMU + OVMF boots it as a USB stick (run-platform.sh
# BOOT_DISK=usb); sfdisk must show a GPT with one EFI System Partition and mtools the two files in it.
# Then usb.sh must refuse to write to a non-block device, a regular file and a mounted disk.
# Prints TAP and last "usb: N passed, M failed".
set -u
B=build
img=$B/usb-usb-qemu-svm.img
n=0 passed=0 failed=0
result() { # status name [why]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1)); echo "ok $n - usb/$2"
	else
		failed=$((failed + 1)); echo "not ok $n - usb/$2${3:+ # $3}"
	fi
}

BOOT_DISK=usb RESULTS_NAME=usb-qemu-svm sh scripts/run-platform.sh qemu-svm cpuid "" >/dev/null 2>&1
st=$?
result $st boots-as-usb-stick "run-platform.sh exited $st (see $B/results/usb-qemu-svm.log)"

label=$(sfdisk -l "$img" 2>&1 | sed -n 's/^Disklabel type: //p')
[ "$label" = gpt ]
result $? gpt-label "sfdisk -l says '$label'"
parts=$(sfdisk -d "$img" 2>/dev/null | grep -c 'start=')
type=$(sfdisk --part-type "$img" 1 2>/dev/null)
[ "$parts" -eq 1 ] && [ "$type" = C12A7328-F81F-11D2-BA4B-00A0C93EC93B ]
result $? one-efi-system-partition "$parts partitions, the first of type '$type'"
files=$(MTOOLS_SKIP_CHECK=1 mdir -i "$img@@1M" -b -/ :: 2>&1)
printf '%s\n' "$files" | grep -qx '::/EFI/BOOT/BOOTX64.EFI' && printf '%s\n' "$files" | grep -qx '::/microhv.cfg'
result $? esp-files "the partition holds: $(printf '%s' "$files" | tr '\n' ' ')"
MTOOLS_SKIP_CHECK=1 minfo -i "$img@@1M" :: 2>/dev/null | grep -q 'disk type="FAT32'
result $? fat32 "minfo finds no FAT32 file system at 1 MiB"

# usb.sh must refuse these (it is only asked; --check writes nothing).
refused() { sh scripts/usb.sh --check "$1" >/dev/null 2>&1; [ $? -eq 1 ]; }
refused /dev/null
result $? refuses-char-device "usb.sh --check /dev/null accepted it"
refused "$B/microhv.efi"
result $? refuses-regular-file "usb.sh --check $B/microhv.efi accepted it"
mounted=""
for src in $(awk '$1 ~ /^\/dev\// { print $1 }' /proc/mounts); do
	[ -b "$src" ] && { mounted=$src; break; }
done
if [ -n "$mounted" ]; then
	refused "$mounted"
	result $? refuses-mounted-device "usb.sh --check $mounted (mounted) accepted it"
else
	n=$((n + 1)); echo "ok $n - usb/refuses-mounted-device # SKIP no mounted block device on this machine"
fi
echo "1..$n"
echo "usb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
