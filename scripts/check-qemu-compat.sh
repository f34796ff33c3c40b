#!/bin/sh
# check-qemu-compat.sh KERNEL [ARGS] [MODULES] [NCPUS]: run a Multiboot kernel on plain QEMU
# (check-qemu-compat.sh DIR: the directory mode of scripts/compat-dir.sh, make compat)
#   qemu-system-x86_64 -machine q35 -nodefaults -no-reboot -cpu max -m 128 -kernel KERNEL -append ARGS
#     -initrd MODULES -smp NCPUS -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio -display none
# and under microhv on qemu-svm (guest=KERNEL append=ARGS initrd=MODULES smp=NCPUS), then compare what the
# guest printed, line by line, and how it ended (its exit-port status). MODULES is QEMU's -initrd list,
# "FILE[ ARGS][,FILE[ ARGS]...]"; ARGS and MODULES may not contain a double quote.
#
# Both sides see the same names: the kernel and module files are copied into build/qemu-compat/ and
# named there by their base names, which QEMU and microhv both put into the command line and the module
# strings. microhv's runner re-prints each guest line as "# NAME| line" and splits lines longer than 240
# characters (UART_LINE_MAX), so QEMU's lines are split the same way before comparing.
#
# Prints TAP (ok/not ok lines, the plan) and last "qemu-compat: N passed, M failed"; exit status 0 only if
# all passed, 2 on bad arguments.
set -u
B=build
D=$B/qemu-compat
UART_LINE_MAX=240
QEMU_TIMEOUT=${QEMU_COMPAT_TIMEOUT:-60}

. scripts/compat-lib.sh
# A directory: every kernel in it with its options file, on plain QEMU and microhv's platforms (a table).
[ $# -ge 1 ] && [ -d "$1" ] && exec sh scripts/compat-dir.sh "$@"
usage() { echo "usage: $0 KERNEL [ARGS] [MODULES] [NCPUS]  or  $0 DIR" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 4 ] || usage
kernel=$1 args=${2-} modules=${3-} ncpus=${4:-1}
[ -f "$kernel" ] || { echo "check-qemu-compat: $kernel: no such file" >&2; exit 2; }
case "$args$modules" in *'"'*) echo "check-qemu-compat: ARGS and MODULES cannot hold '\"'" >&2; exit 2 ;; esac
case "$ncpus" in '' | *[!0-9]*) echo "check-qemu-compat: NCPUS must be a number" >&2; exit 2 ;; esac

rm -rf "$D"
mkdir -p "$D"
name=$(basename "$kernel")
cp "$kernel" "$D/$name"
files="$D/$name"

# Rewrite the module list with base names, copying each file next to the kernel.
initrd=""
rest=$modules
while [ -n "$modules" ]; do
	item=${rest%%,*}
	file=${item%% *}
	modargs=${item#"$file"}
	base=$(basename "$file")
	[ -f "$file" ] || { echo "check-qemu-compat: module $file: no such file" >&2; exit 2; }
	[ ! -e "$D/$base" ] || { echo "check-qemu-compat: two files named $base" >&2; exit 2; }
	cp "$file" "$D/$base"
	files="$files $D/$base"
	initrd="$initrd${initrd:+,}$base$modargs"
	[ "$item" = "$rest" ] && break
	rest=${rest#*,}
done

n=0 passed=0 failed=0
result() { # ok(0/1) case [comment]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - qemu-compat/$name/$2${3:+ # $3}"
	else
		failed=$((failed + 1))
		echo "not ok $n - qemu-compat/$name/$2${3:+ # $3}"
	fi
}

# ---- Plain QEMU ----
set -- -machine q35 -nodefaults -no-reboot -cpu max -m 128 -kernel "$name" -append "$args" -smp "$ncpus" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio -display none -monitor none
[ -n "$initrd" ] && set -- "$@" -initrd "$initrd"
# shellcheck disable=SC2086
set -- "$@" ${QEMU_ARGS:-} # extra QEMU options, as for every QEMU run (README: knobs)
(cd "$D" && timeout "$QEMU_TIMEOUT" qemu-system-x86_64 "$@" </dev/null >qemu.raw 2>qemu.err)
qstatus=$?
tr -d '\r' <"$D/qemu.raw" | awk -v max=$UART_LINE_MAX '{
	do { print substr($0, 1, max); $0 = substr($0, max + 1) } while (length($0) > 0) }' >"$D/qemu.out"
qexit=$(qk_qemu_exit "$qstatus" "$D/qemu.err" "$QEMU_TIMEOUT")
[ -s "$D/qemu.out" ]
result $? qemu-prints "$(wc -l <"$D/qemu.out") lines, $qexit"

# ---- microhv on QEMU + SVM ----
words="guest=$name append=\"$args\" smp=$ncpus"
[ -n "$initrd" ] && words="$words initrd=\"$initrd\""
# shellcheck disable=SC2086
ESP_FILES="$files" MICROHV_ARGS="$words" RESULTS_NAME=qemu-compat \
	sh scripts/run-platform.sh qemu-svm "$name" "" >"$D/run-platform.out" 2>&1
log=$B/results/qemu-compat.log
qk_guest_lines "$log" "$name" >"$D/microhv.out"
mexit=$(qk_microhv_exit "$log" qemu-svm "$name")
[ -s "$D/microhv.out" ]
result $? microhv-prints "$(wc -l <"$D/microhv.out") lines, $mexit"

# ---- The comparison ----
if diff -u "$D/qemu.out" "$D/microhv.out" >"$D/output.diff"; then
	result 0 same-output "$(wc -l <"$D/qemu.out") lines"
else
	result 1 same-output "first differences below (- QEMU, + microhv); all in $D/output.diff"
	grep -E '^[-+][^-+]' "$D/output.diff" | head -n 20 | sed 's/^/#   /'
fi
# Only the exit-port status is compared: without one, the two stop for their own reasons. QEMU's process
# exit code is (status << 1) | 1 cut to 8 bits, so only the status's bits 6:0 can be compared.
QEMU_STATUS_BITS=127
case "$qexit" in "no exit-port write"*) qkind="none" ;; *) qkind=$qexit ;; esac
case "$mexit" in
"no exit-port write"* | "no verdict"*) mkind="none" ;;
*) mkind="exit status $((${mexit#exit status } & QEMU_STATUS_BITS))" ;;
esac
[ "$qkind" = "$mkind" ]
result $? same-exit-status "QEMU: $qexit; microhv: $mexit"

echo "1..$n"
echo "qemu-compat: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
