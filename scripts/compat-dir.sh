#!/bin/sh
# compat-dir.sh DIR: the conformance harness (make compat, check-qemu-compat.sh DIR). Every Multiboot
# kernel DIR/NAME.elf, with its one line of QEMU options in DIR/NAME.opts (compat-lib.sh: qk_parse_opts),
# runs on plain QEMU
#   qemu-system-x86_64 -machine q35 -cpu max[,flags] -accel tcg -nodefaults -no-reboot -m M -smp N
#     -kernel NAME.elf -append ARGS [-initrd FILES] -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio
# and under microhv on each of COMPAT_PLATFORMS (default "qemu-svm bochs-vmx-tigerlake"), one boot per
# platform per CMDLINE_MAX_GUESTS (hv/rules/cmdline.h) kernels (guest=NAME.elf smp= mem= append= initrd= timeout=). For each kernel its
# result lines (those starting "PASS: ", "FAIL: ", "SKIP: ", in order, in full) and its exit-port status
# are compared with QEMU's; other lines are kept in the logs but not compared. Prints a table
#   kernel | QEMU | microhv-svm | microhv-vmx | first difference
# with each cell "P/F/S exit N" (result lines PASS/FAIL/SKIP, exit-port status or "-" for none), and
# the last line "compat: N same, M differ, E errors". Exit status 0 only if every kernel agrees
# everywhere, 1 if some differ, 2 on an error (bad options, a missing file, QEMU refusing to start,
# a microhv boot that broke). Work files in build/compat/ (NAME.qemu.out, NAME.PLATFORM.out, logs).
# Knobs: COMPAT_PLATFORMS, COMPAT_KERNELS (names to run, default all), QEMU_COMPAT_TIMEOUT (s per QEMU
# run, 60), COMPAT_GUEST_TIMEOUT (microhv's timeout= per kernel; default 60 on QEMU, 600 under Bochs).
set -u
. scripts/compat-lib.sh
dir=${1:-}
[ -d "$dir" ] || { echo "usage: $0 DIR (a directory of NAME.elf kernels with NAME.opts)" >&2; exit 2; }
B=build
W=$B/compat
PLATFORMS=${COMPAT_PLATFORMS:-qemu-svm bochs-vmx-tigerlake}
QEMU_TIMEOUT=${QEMU_COMPAT_TIMEOUT:-60}
rm -rf "$W"
mkdir -p "$W/files"

names=""
for k in "$dir"/*.elf; do
	[ -f "$k" ] || continue
	n=$(basename "$k" .elf)
	if [ -n "${COMPAT_KERNELS:-}" ]; then
		case " $(echo "$COMPAT_KERNELS" | tr ',' ' ') " in *" $n "*) ;; *) continue ;; esac
	fi
	names="$names $n"
done
[ -n "$names" ] || { echo "compat: no kernels (*.elf) in $dir" >&2; exit 2; }

errors=0
# ---- Options, files, plain QEMU ----
for n in $names; do
	cp "$dir/$n.elf" "$W/files/"
	if ! qk_parse_opts "$dir/$n.opts"; then
		echo "ERROR $n.opts: $qk_error" >"$W/$n.error"
		continue
	fi
	# Modules: copied beside the kernel; both sides name them by the words in -initrd as written.
	for m in $(printf '%s' "$qk_initrd" | tr ',' '\n' | cut -d' ' -f1); do
		[ -f "$dir/$m" ] || { echo "ERROR module $m: not in $dir" >"$W/$n.error"; continue 2; }
		cp "$dir/$m" "$W/files/"
		echo "$W/files/$m" >>"$W/modules"
	done
	set -- -machine q35 -cpu "$qk_cpu" -accel tcg -nodefaults -no-reboot -m "$qk_mem" -smp "$qk_smp" \
		-kernel "$n.elf" -append "$qk_append" -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-serial stdio -display none -monitor none
	[ -z "$qk_initrd" ] || set -- "$@" -initrd "$qk_initrd"
	(cd "$W/files" && timeout "$QEMU_TIMEOUT" qemu-system-x86_64 "$@" </dev/null >"../$n.qemu.raw" 2>"../$n.qemu.err")
	st=$?
	tr -d '\r' <"$W/$n.qemu.raw" >"$W/$n.qemu.out"
	qk_qemu_exit "$st" "$W/$n.qemu.err" "$QEMU_TIMEOUT" >"$W/$n.qemu.exit"
	case "$(cat "$W/$n.qemu.exit")" in "QEMU did not run"*) echo "ERROR $(cat "$W/$n.qemu.exit")" >"$W/$n.error" ;; esac
	echo "$(qk_words "$n.elf")" >"$W/$n.words"
done

# ---- microhv: one boot per platform (more when there are more kernels than guest= words it takes) ----
MAX_GUESTS=$(sed -n 's/^#define CMDLINE_MAX_GUESTS \([0-9]*\).*/\1/p' hv/rules/cmdline.h)
boot_broke=""
# run_batch PLATFORM BOOT NAMES...: one microhv boot running these kernels.
run_batch() {
	p=$1 boot_no=$2 log=$B/results/compat-$1-$2.log
	shift 2
	case "$p" in qemu-*) gt=${COMPAT_GUEST_TIMEOUT:-60} ;; *) gt=${COMPAT_GUEST_TIMEOUT:-600} ;; esac
	words="" sel="" files=""
	for n in "$@"; do
		qk_parse_opts "$dir/$n.opts"
		words="$words $(qk_words "$n.elf" "$gt")"
		sel="$sel${sel:+,}$n.elf"
		files="$files $W/files/$n.elf"
	done
	[ -f "$W/modules" ] && files="$files $(cat "$W/modules")"
	files=$(printf '%s\n' $files | sort -u | tr '\n' ' ') # a module may be a kernel file too: copy it once
	echo "== compat: microhv on $p, $# kernels in one boot (log $log)"
	rm -f "$log"
	ESP_FILES="$files" MICROHV_ARGS="$words" RESULTS_NAME=compat-$p-$boot_no RUN_TIMEOUT=${RUN_TIMEOUT:-7200} \
		sh scripts/run-platform.sh "$p" "$sel" "" >"$W/run-$p.out" 2>&1
	st=$?
	if [ "$st" -gt 1 ] || ! grep -aq '^# microhv: finished' "$log" 2>/dev/null; then
		boot_broke="$boot_broke $p (run-platform.sh status $st: $(tail -n 1 "$W/run-$p.out"))"
	fi
	for n in "$@"; do
		qk_guest_lines "$log" "$n.elf" >"$W/$n.$p.out"
		qk_microhv_exit "$log" "$p" "$n.elf" >"$W/$n.$p.exit"
	done
}
for p in $PLATFORMS; do
	set --
	boot=1
	for n in $names; do
		[ -f "$W/$n.error" ] && continue
		set -- "$@" "$n"
		[ $# -lt "$MAX_GUESTS" ] && continue
		run_batch "$p" $boot "$@"
		set --
		boot=$((boot + 1))
	done
	[ $# -eq 0 ] || run_batch "$p" $boot "$@"
done

# ---- The table ----
results() { grep -aE '^(PASS|FAIL|SKIP): ' "$1" 2>/dev/null; }
cell() { # OUT EXIT
	set -- "$(results "$1" | grep -c '^PASS')" "$(results "$1" | grep -c '^FAIL')" "$(results "$1" | grep -c '^SKIP')" "$(cat "$2")"
	case "$4" in "exit status "*) e=${4#exit status } ;; *) e=- ;; esac
	echo "$1/$2/$3 exit $e"
}
# first_diff A B: the first result line where QEMU's (A) and microhv's (B) differ, or nothing.
first_diff() {
	awk -v b="$2" '{ if ((getline l < b) <= 0) l = "(nothing)"
		if ($0 != l) { printf "line %d: QEMU \"%s\", microhv \"%s\"", NR, $0, l; found = 1; exit } }
		END { if (!found && (getline l < b) > 0) printf "line %d: QEMU (nothing), microhv \"%s\"", NR + 1, l }' "$1"
}
# A status as QEMU can show it: only bits 6:0 survive (status << 1) | 1 in an 8-bit process status.
kind() { case "$1" in "exit status "*) echo "exit $((${1#exit status } & 127))" ;; *) echo "none" ;; esac; }
same=0 differ=0
hdr="kernel	QEMU"
for p in $PLATFORMS; do hdr="$hdr	microhv-$(echo "$p" | sed -E 's/^(qemu|bochs)-//; s/-.*//')"; done
{
	echo "$hdr	first difference"
	for n in $names; do
		if [ -f "$W/$n.error" ]; then
			errors=$((errors + 1))
			echo "$n	ERROR$(for p in $PLATFORMS; do printf '\t-'; done)	$(cat "$W/$n.error")"
			continue
		fi
		row="$n	$(cell "$W/$n.qemu.out" "$W/$n.qemu.exit")"
		diff=""
		for p in $PLATFORMS; do
			row="$row	$(cell "$W/$n.$p.out" "$W/$n.$p.exit")"
			[ -z "$diff" ] || continue
			results "$W/$n.qemu.out" >"$W/$n.qemu.res"
			results "$W/$n.$p.out" >"$W/$n.$p.res"
			first=$(first_diff "$W/$n.qemu.res" "$W/$n.$p.res")
			if [ -n "$first" ]; then
				diff="$p: $first"
			elif [ "$(kind "$(cat "$W/$n.qemu.exit")")" != "$(kind "$(cat "$W/$n.$p.exit")")" ]; then
				diff="$p: QEMU $(cat "$W/$n.qemu.exit"); microhv $(cat "$W/$n.$p.exit")"
			fi
		done
		if [ -z "$diff" ]; then same=$((same + 1)); else differ=$((differ + 1)); fi
		echo "$row	${diff:--}"
	done
} >"$W/table.txt"
column -t -s "$(printf '\t')" -o ' | ' "$W/table.txt" | cut -c1-320
echo "(cells: PASS/FAIL/SKIP result lines, exit-port status; files in $W)"
[ -z "$boot_broke" ] || { echo "compat: ERROR: a microhv boot broke:$boot_broke"; errors=$((errors + 1)); }
echo "compat: $same same, $differ differ, $errors errors"
[ "$errors" -eq 0 ] || exit 2
[ "$differ" -eq 0 ]
