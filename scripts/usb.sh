#!/bin/sh
# usb.sh CONFIG [DEV]: what `make usb` runs. Writes build/usb.img, a GPT disk with one EFI System Partition
# (FAT32) holding \EFI\BOOT\BOOTX64.EFI (build/microhv.efi) and \microhv.cfg (CONFIG), and prints the dd
# line that writes it to a stick. With DEV (make usb DEV=/dev/sdX) it writes the image itself, but only to
# a whole-disk block device of which nothing is mounted or used as swap.
#   usb.sh --check DEV: only say whether DEV would be refused (exit 1) or accepted (exit 0); writes nothing.
set -eu
img=build/usb.img

# refusal DEV: why DEV must not be written (nothing: it may be).
refusal() {
	[ -b "$1" ] || { echo "$1 is not a block device"; return; }
	real=$(readlink -f "$1")
	[ "$(lsblk -dno TYPE "$real" 2>/dev/null)" = disk ] ||
		{ echo "$1 is not a whole disk (lsblk TYPE '$(lsblk -dno TYPE "$real" 2>/dev/null)'); give the disk, not a partition"; return; }
	# The disk or any of its partitions, by any name (/dev/disk/by-id/... included), mounted or swapping.
	for src in $(awk '$1 ~ /^\// { print $1 }' /proc/mounts /proc/swaps 2>/dev/null); do
		case $(readlink -f "$src") in "$real"*) echo "$1 ($src) is mounted or in use as swap (/proc/mounts, /proc/swaps)"; return ;; esac
	done
	m=$(lsblk -nro MOUNTPOINTS "$real" 2>/dev/null || lsblk -nro MOUNTPOINT "$real")
	[ -z "$(printf '%s' "$m" | tr -d ' \n')" ] || { echo "$1 has mounted file systems (lsblk: $(printf '%s' "$m" | tr '\n' ' '))"; return; }
}

if [ "${1:-}" = --check ]; then
	why=$(refusal "${2:?usage: usb.sh --check DEV}")
	[ -z "$why" ] || { echo "usb: refusing $2: $why"; exit 1; }
	echo "usb: $2 could be written"
	exit 0
fi
cfg=$1 dev=${2:-}
sh scripts/mkesp.sh --gpt "$img" build/microhv.efi "$cfg"
echo "usb: $img: GPT, one EFI System Partition (FAT32) with \\EFI\\BOOT\\BOOTX64.EFI and \\microhv.cfg:"
echo "usb:   $cfg"
if [ -z "$dev" ]; then
	echo "usb: write it to a stick (every byte on /dev/sdX is lost; check the name with lsblk) with:"
	echo "  dd if=$img of=/dev/sdX bs=4M conv=fsync status=progress"
	echo "usb: or: make usb DEV=/dev/sdX"
	exit 0
fi
why=$(refusal "$dev")
[ -z "$why" ] || { echo "usb: refusing $dev: $why" >&2; exit 1; }
echo "usb: writing $img to $dev ($(lsblk -dno SIZE,MODEL "$dev" | tr -s ' '))"
echo "  dd if=$img of=$dev bs=4M conv=fsync status=progress"
dd if="$img" of="$dev" bs=4M conv=fsync status=progress
sync
echo "usb: done; $dev can be removed"
