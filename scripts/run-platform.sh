#!/bin/sh
# run-platform.sh PLATFORM [TESTS] [GUEST_FILES]: boot build/microhv.efi on an emulator and run the suite
# (TESTS: comma-separated test names; GUEST_FILES: space-separated Multiboot images to run as well).
# Writes build/results/PLATFORM.log (the whole console) and PLATFORM.tap (the TAP part).
# Exit status: 0 all passed, 1 something failed, 2 the run itself broke (panic, timeout, no summary).
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

case "$platform" in
qemu-*) cfg="platform=$platform exit=debug-port" ;;
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
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

rm -f "$R/$name.first"
case "$platform" in
qemu-svm)
	esp=$B/esp-$platform.img
	# shellcheck disable=SC2086
	sh scripts/mkesp.sh "$esp" $B/microhv.efi "$cfg" $present
	echo "== $platform: booting microhv under QEMU (TCG, -cpu max) + OVMF; console in $log"
	t0=$(now)
	set +e
	timeout "$RUN_TIMEOUT" qemu-system-x86_64 -machine q35 -nodefaults -no-reboot -cpu max -m 1024 \
		-bios /usr/share/ovmf/OVMF.fd -drive format=raw,file="$esp" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -monitor none \
		-serial stdio </dev/null | tee "$log.raw" | sh scripts/stamp-first.sh "$R/$name.first"
	set -e
	# The verdict comes from the log (the summary line), not from the pipeline's status.
	tr -d '\r' < "$log.raw" > "$log"
	rm -f "$log.raw"
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
	sed -e "s/@MODEL@/$model/" -e "s/@CPUS@/1/" scripts/bochs.bxrc.in > "$dir/bochsrc"
	# Debian's bochs starts in its debugger, and re-enters it at each reported CPU panic: continue each time
	for _ in $(seq 64); do echo c; done > "$dir/cont.rc"
	rm -f "$dir/serial.out" "$dir/disk.img.lock" # a killed Bochs leaves its lock behind
	echo "== $platform: booting microhv under Bochs ($model) + OVMF; console in $log"
	t0=$(now)
	# Bochs writes the console to a file: poll it to time the firmware apart from microhv.
	(while ! grep -aq '^# microhv:' "$dir/serial.out" 2>/dev/null; do sleep 0.2; done
	 date +%s.%N > "$R/$name.first") &
	watcher=$!
	(cd "$dir" && timeout -s KILL "$RUN_TIMEOUT" bochs-bin -q -f bochsrc -rc cont.rc </dev/null >bochs.out 2>&1) || true # Bochs always exits with 1: the serial log decides
	kill "$watcher" 2>/dev/null || true
	tr -d '\r' < "$dir/serial.out" > "$log"
	;;
*)
	echo "run-platform.sh: unknown platform '$platform'" \
		"(known: qemu-svm bochs-vmx-tigerlake bochs-vmx-skylake bochs-svm-ryzen)" >&2
	exit 2
	;;
esac
t1=$(now)

grep -aE '^(ok |not ok |1\.\.|Bail out!|[0-9]+ passed, [0-9]+ failed)|^# ' "$log" > "$tap" || true
summary=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
if [ -f "$R/$name.first" ]; then
	first=$(cat "$R/$name.first")
	echo "== $platform: total $(elapsed "$t0" "$t1") s: firmware until microhv's first line" \
		"$(elapsed "$t0" "$first") s, microhv $(elapsed "$first" "$t1") s"
else
	echo "== $platform: total $(elapsed "$t0" "$t1") s"
fi
if grep -aq '^Bail out!' "$log"; then
	echo "== $platform: the hypervisor bailed out (see $log)"
	exit 2
fi
if [ -z "$summary" ]; then
	echo "== $platform: no summary line: the run did not finish (timeout ${RUN_TIMEOUT}s or crash; see $log)"
	exit 2
fi
echo "== $platform: $summary"
case "$summary" in
*" 0 failed") exit 0 ;;
*) exit 1 ;;
esac
