#!/bin/sh
# run-platform.sh PLATFORM [TESTS] [GUEST_FILES]: boot build/microhv.efi on an emulator and run the suite
# (TESTS: comma-separated test names; GUEST_FILES: space-separated Multiboot images to run as well).
# Writes build/results/PLATFORM.log (the whole console, without ANSI escapes), PLATFORM/GUEST.log (each
# guest's part) and PLATFORM.tap (the TAP part, TAP version 13). The terminal gets one line per guest as
# it finishes and a table at the end; VERBOSE=1 shows the whole console instead (scripts/console-filter.sh).
# Exit status (docs/exit-status.md): 0 all passed, 1 some failed, 2 the run broke or cannot be trusted
# (timeout, crash, no summary, or microhv's summary or QEMU's exit status disagrees with its TAP lines),
# 3 hypervisor panic, 4 command line refused (unknown word or test= name), 5 no hardware virtualization.
# PLATFORM kvm: the qemu-svm setup with -accel kvm and -cpu CPU (default host), on a host whose kvm_amd or
# kvm_intel has nested=1; otherwise it stops at once with exit status 5 and the reason (no hang).
# BOOT_DISK=usb (qemu-svm): boot a GPT disk with an EFI System Partition, attached as a USB stick, as
# make usb writes one, instead of the bare FAT image (BOOT_DISK=esp, the default).
# HOST_CPUS: the emulated machine's processor count (QEMU -smp N, Bochs cpu: count=N; default 1); microhv
# takes over every one (pcpus= in MICROHV_ARGS limits it).
# QEMU_ARGS: extra options for QEMU (split at spaces), e.g. "-d int -D build/qemu.log".
# MICROHV_ARGS: extra words for microhv's command line (e.g. log=debug, or guest=k.elf smp=2 append="a b").
# ESP_FILES: extra files copied to the boot volume's root without a guest= word (modules, or guests that
# MICROHV_ARGS names itself with their options).
set -eu
platform=${1:-qemu-svm}
tests=${2:-}
files=${3:-}
B=build
R=$B/results
mkdir -p "$R"
name=${RESULTS_NAME:-$platform} # where the results go (check-bad-input.sh keeps the suite's own)
log=$R/$name.log
tap=$R/$name.tap
: "${RUN_TIMEOUT:=600}"
: "${HOST_CPUS:=1}"
case "$HOST_CPUS" in
'' | *[!0-9]* | 0) echo "run-platform: HOST_CPUS must be a processor count, not '$HOST_CPUS'" >&2; exit 2 ;;
esac

case "$platform" in
qemu-* | kvm) cfg="platform=$platform exit=debug-port" ;;
*) cfg="platform=$platform exit=shutdown" ;; # Bochs has no debug-exit device; it stops at power-off
esac
[ -n "$tests" ] && cfg="$cfg test=$tests"
[ -n "${MICROHV_ARGS:-}" ] && cfg="$cfg $MICROHV_ARGS" # extra words, e.g. log=debug
present=""
for f in ${ESP_FILES:-}; do
	[ -f "$f" ] || { echo "run-platform: ESP_FILES: $f does not exist" >&2; exit 2; }
	present="$present $f"
done
for f in $files; do
	cfg="$cfg guest=$(basename "$f")"
	if [ -f "$f" ]; then
		present="$present $f"
	else
		echo "run-platform: note: $f does not exist; microhv will be asked for it anyway" >&2
	fi
done

now() { date +%s.%N; }
# kvm_usable: can this host's KVM run microhv (OVMF, and SVM or VMX for the L1)? If not, say why.
kvm_usable() {
	no="== kvm: cannot run microhv under KVM on this host:"
	if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "$no /dev/kvm is missing or not readable and writable by $(id -un)"; return 1
	fi
	if [ -d /sys/module/kvm_pvm ]; then
		echo "$no /dev/kvm is kvm_pvm, a software KVM (PVM) that cannot run OVMF and offers no" \
			"nested SVM or VMX to a guest; use PLATFORM=qemu-svm or the Bochs platforms"; return 1
	fi
	for m in kvm_amd kvm_intel; do
		[ -r /sys/module/$m/parameters/nested ] || continue
		case $(cat /sys/module/$m/parameters/nested) in
		Y | 1) return 0 ;;
		*) echo "$no $m is loaded with nested=$(cat /sys/module/$m/parameters/nested)," \
			"so a guest gets no $( [ $m = kvm_amd ] && echo SVM || echo VMX); reload it with nested=1"; return 1 ;;
		esac
	done
	echo "$no neither kvm_amd nor kvm_intel is loaded (/sys/module/*/parameters/nested), so no nested SVM/VMX"
	return 1
}
# console: the emulator's console (stdin) to $log without firmware escape codes, per-guest logs in
# $R/$name/, one line per finished guest on the terminal (VERBOSE=1: every line), and the time of
# microhv's first line in $R/$name.first (firmware time apart from microhv's).
console() { sh scripts/console-filter.sh "$log" "$R/$name" "$R/$name.first" "$t0"; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

rm -f "$R/$name.first" "$R/$name.qemu-status"
qemu_status="" # Bochs has no debug-exit device: only the log tells
case "$platform" in
qemu-svm | kvm)
	accel=tcg cpu=max
	if [ "$platform" = kvm ]; then
		kvm_usable || exit 5
		accel=kvm cpu=${CPU:-host}
	fi
	case "${BOOT_DISK:-esp}" in
	esp) # the ESP image as the first disk
		esp=$B/esp-$name.img # per RESULTS_NAME: two runs at once (make compat and a check) must not share it
		layout="" disk="-drive format=raw,file=$esp" ;;
	usb) # a GPT disk with an EFI System Partition (make usb's layout) as a USB stick on an xHCI controller
		esp=$B/usb-$name.img
		layout=--gpt disk="-device qemu-xhci -device usb-storage,drive=stick -drive if=none,id=stick,format=raw,file=$esp" ;;
	*) echo "run-platform: BOOT_DISK must be esp or usb, not '$BOOT_DISK'" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	sh scripts/mkesp.sh $layout "$esp" $B/microhv.efi "$cfg" $present
	echo "== $platform: booting microhv under QEMU ($accel, -cpu $cpu) + OVMF from $esp; console in $log"
	t0=$(now)
	set +e
	# shellcheck disable=SC2086
	{ timeout "$RUN_TIMEOUT" qemu-system-x86_64 -machine q35 -accel $accel -nodefaults -no-reboot -cpu "$cpu" -smp "$HOST_CPUS" -m 1024 \
		-bios /usr/share/ovmf/OVMF.fd $disk \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -monitor none \
		-serial stdio ${QEMU_ARGS:-} </dev/null; echo $? > "$R/$name.qemu-status"; } | console
	set -e
	# The verdict comes from the log; QEMU's own exit status (microhv's debug-exit value) must agree.
	qemu_status=$(cat "$R/$name.qemu-status")
	;;
bochs-vmx-tigerlake | bochs-vmx-skylake | bochs-svm-ryzen)
	case "$platform" in
	bochs-vmx-tigerlake) model=tigerlake ;;
	bochs-vmx-skylake) model=corei7_skylake_x ;;
	bochs-svm-ryzen) model=ryzen ;;
	esac
	dir=$B/$platform # each platform has its own disk image: Bochs locks the one it uses
	mkdir -p "$dir"
	# shellcheck disable=SC2086
	sh scripts/mkesp.sh "$dir/disk.img" $B/microhv.efi "$cfg" $present
	cpu_panics=cpu0=report
	for i in $(seq 1 $((HOST_CPUS - 1))); do cpu_panics="$cpu_panics, cpu$i=report"; done
	sed -e "s/@MODEL@/$model/" -e "s/@CPUS@/$HOST_CPUS/" -e "s/@CPU_PANICS@/$cpu_panics/" scripts/bochs.bxrc.in >"$dir/bochsrc"
	# Debian's bochs starts in its debugger, and re-enters it at each reported CPU panic: continue each time
	for _ in $(seq 64); do echo c; done > "$dir/cont.rc"
	rm -f "$dir/serial.out" "$dir/disk.img.lock" # a killed Bochs leaves its lock behind
	echo "== $platform: booting microhv under Bochs ($model) + OVMF; console in $log"
	t0=$(now)
	(cd "$dir" && exec timeout -s KILL "$RUN_TIMEOUT" bochs-bin -q -f bochsrc -rc cont.rc </dev/null >bochs.out 2>&1) &
	bochs=$!
	# Bochs writes the console to a file: follow it (until Bochs ends) for the live lines and the log.
	tail -s 0.2 -n +1 -F --pid="$bochs" "$dir/serial.out" 2>/dev/null | console
	wait "$bochs" || true # Bochs always exits with 1: the serial log decides
	;;
*)
	echo "run-platform.sh: unknown platform '$platform'" \
		"(known: qemu-svm bochs-vmx-tigerlake bochs-vmx-skylake bochs-svm-ryzen kvm)" >&2
	exit 2
	;;
esac
t1=$(now)

# TAP version 13: the result lines, the plan, Bail out! and the diagnostics; the summary as a comment.
{ echo "TAP version 13"
  grep -aE '^(ok |not ok |1\.\.|Bail out!|[0-9]+ passed, [0-9]+ failed)|^# ' "$log" |
	sed -E 's/^([0-9]+ passed, [0-9]+ failed)$/# \1/'; } > "$tap"
summary=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
if [ -f "$R/$name.first" ]; then
	first=$(cat "$R/$name.first")
	echo "== $platform: total $(elapsed "$t0" "$t1") s: firmware until microhv's first line" \
		"$(elapsed "$t0" "$first") s, microhv $(elapsed "$first" "$t1") s"
else
	echo "== $platform: total $(elapsed "$t0" "$t1") s"
fi
finished=$(sed -n 's/^# microhv: finished: \([a-z-]*\).*/\1/p' "$log" | tail -n 1)
broke() { echo "== $platform: $1 (see $log)"; exit 2; }
# What QEMU exits with for each way microhv finishes: (debug-exit value << 1) | 1, hv/finish.h.
case "$finished" in
all-passed) want_qemu=33 ;;
some-failed) want_qemu=35 ;;
panic) want_qemu=37 ;;
bad-command-line) want_qemu=39 ;;
no-virtualization) want_qemu=41 ;;
'') broke "microhv never finished: timeout (${RUN_TIMEOUT}s) or crash" ;;
*) broke "microhv finished with an unknown outcome '$finished'" ;;
esac
if [ -n "$qemu_status" ] && [ "$qemu_status" != "$want_qemu" ]; then
	broke "QEMU exited with $qemu_status, but microhv's log says $finished (QEMU status $want_qemu)"
fi
case "$finished" in
panic) echo "== $platform: the hypervisor panicked (see $log)"; exit 3 ;;
bad-command-line) echo "== $platform: microhv refused its command line (see the Bail out! line in $log)"; exit 4 ;;
no-virtualization) echo "== $platform: no usable hardware virtualization (see $log)"; exit 5 ;;
esac
grep -aq '^Bail out!' "$log" && broke "the hypervisor bailed out"
[ -n "$summary" ] || broke "no summary line"
# Count the TAP lines ourselves: a summary that disagrees with them is a bug in microhv's accounting.
if ! sh scripts/tap-verdict.sh "$log"; then
	broke "microhv's summary disagrees with its own TAP lines"
fi
echo "== $platform: $summary"
case "$finished $summary" in
"all-passed "*" 0 failed") exit 0 ;;
"some-failed "*) exit 1 ;;
*) broke "microhv finished $finished, but its summary says '$summary'" ;;
esac
