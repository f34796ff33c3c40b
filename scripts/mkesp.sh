#!/bin/sh
# mkesp.sh IMAGE EFI_APP CONFIG_TEXT [FILE...]: a FAT EFI system partition image (no root, no loop
# devices) holding \EFI\BOOT\BOOTX64.EFI, \microhv.cfg and any extra files in the root directory.
set -eu
img=$1 app=$2 cfg=$3
shift 3
rm -f "$img"
mkfs.vfat -C "$img" 16384 >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$img" ::/EFI ::/EFI/BOOT
mcopy -i "$img" "$app" ::/EFI/BOOT/BOOTX64.EFI
printf '%s\n' "$cfg" > "$img.cfg"
mcopy -i "$img" "$img.cfg" ::/microhv.cfg
rm -f "$img.cfg"
for f in "$@"; do
	mcopy -i "$img" "$f" "::/$(basename "$f")"
done
