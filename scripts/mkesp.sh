#!/bin/sh
# mkesp.sh [--gpt] IMAGE EFI_APP CONFIG_TEXT [FILE...]: a FAT EFI system partition image (no root, no loop
# devices) holding \EFI\BOOT\BOOTX64.EFI, \microhv.cfg and any extra files in the root directory.
# Without --gpt the whole image is one FAT file system (what the emulators boot). With --gpt it is a disk:
# a GPT (sfdisk) with one EFI System Partition from 1 MiB to the end, FAT32 (mformat at that offset), the
# layout a USB stick for real hardware needs (make usb).
set -eu
gpt=no
[ "${1:-}" = --gpt ] && { gpt=yes; shift; }
img=$1 app=$2 cfg=$3
shift 3
rm -f "$img"
export MTOOLS_SKIP_CHECK=1
if [ $gpt = yes ]; then
	ESP_TYPE=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
	dd if=/dev/zero of="$img" bs=1048576 count=0 seek=64 2>/dev/null # 64 MiB, sparse
	printf 'label: gpt\nstart=2048, type=%s, name="EFI System Partition"\n' "$ESP_TYPE" | sfdisk -q "$img"
	sectors=$(sfdisk -d "$img" | sed -nE 's/.*start= *2048, size= *([0-9]+),.*/\1/p')
	[ -n "$sectors" ] || { echo "mkesp: sfdisk made no partition at sector 2048 in $img" >&2; exit 1; }
	fs="$img@@1M"
	mformat -i "$fs" -F -T "$sectors" -H 2048 -h 64 -s 32 -v MICROHV ::
else
	mkfs.vfat -C "$img" 16384 >/dev/null
	fs=$img
fi
mmd -i "$fs" ::/EFI ::/EFI/BOOT
mcopy -i "$fs" "$app" ::/EFI/BOOT/BOOTX64.EFI
printf '%s\n' "$cfg" > "$img.cfg"
mcopy -i "$fs" "$img.cfg" ::/microhv.cfg
rm -f "$img.cfg"
for f in "$@"; do
	mcopy -i "$fs" "$f" "::/$(basename "$f")"
done
