#!/bin/sh
# deps.sh: make sure the Debian packages microhv needs are installed. As root it installs what is
# missing; otherwise it prints the exact apt-get line and fails. libclang-rt-dev is clang's sanitizer and
# libFuzzer runtime (libclang_rt.fuzzer), only recommended by clang, so named here (--no-install-recommends).
# python3 (xml.etree) is make test's second parser of its JUnit file (scripts/check-junit.sh); fdisk has
# sfdisk, for make usb's GPT disk image. console-setup-linux has the PSF font scripts/gen-font.py turns into
# the screen console's glyphs (build/font.c); python3 also reads make test's screenshots (check-screen.sh).
set -eu
PKGS="gcc make binutils nasm gnu-efi qemu-system-x86 ovmf mtools dosfstools libcmocka-dev bochs bochsbios vgabios clang libclang-rt-dev python3 fdisk console-setup-linux"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
	echo "deps: missing Debian packages. Run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
