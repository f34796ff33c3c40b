#!/bin/sh
# debug.sh [TESTS]: what `make debug` runs. QEMU (the qemu-svm setup) paused with a gdb server, and
# build/debug.gdb, a gdb script that loads build/microhv.so's symbols where microhv will run.
# The load address is OVMF's choice. Under the same firmware, QEMU command line and ESP it is the same on
# every boot, so a first boot (killed after PROBE_TIMEOUT s) reads it from microhv's line "image at 0x...";
# the second boot, identical but for -S and the gdb server, is the one to debug. The script does not
# trust the repeat: at the breakpoint on hv_entry it compares bi->image_base with the address it assumed
# and says MISMATCH if the symbols are off.
# GDB_PORT: the gdb server's TCP port (default 1234). RUN_TIMEOUT: how long the paused QEMU may live
# (default here 3600 s). QEMU_ARGS: extra QEMU options, for both boots.
set -eu
tests=${1:-}
B=build
R=$B/results
port=${GDB_PORT:-1234}
gdbscript=$B/debug.gdb

echo "== debug: first boot, to learn where OVMF loads microhv (build/results/debug-probe.log)"
RUN_TIMEOUT=${PROBE_TIMEOUT:-20} RESULTS_NAME=debug-probe sh scripts/run-platform.sh qemu-svm "$tests" "" \
	>/dev/null 2>&1 || true
addr=$(sed -n 's/^# microhv: microhv .*: image at \(0x[0-9a-f]*\),.*/\1/p' "$R/debug-probe.log" | head -n 1)
[ -n "$addr" ] || { echo "debug: the first boot printed no 'image at 0x...' line (see $R/debug-probe.log)" >&2; exit 2; }

cat > "$gdbscript" <<GDB
# Made by scripts/debug.sh: build/microhv.so (linked at 0) at $addr, where the first boot loaded it.
set pagination off
set confirm off
add-symbol-file $B/microhv.so -o $addr
target remote localhost:$port
# A hardware breakpoint: OVMF writes the image to memory after gdb connects, over any int3.
hbreak hv_entry
continue
if bi->image_base != $addr
  printf "debug.gdb: MISMATCH: microhv runs at 0x%llx, the symbols assume $addr\\n", bi->image_base
else
  printf "debug.gdb: stopped in hv_entry; microhv runs at 0x%llx as assumed\\n", bi->image_base
end
GDB
echo "== debug: microhv at $addr; QEMU paused, gdb server on localhost:$port. In another terminal:"
echo "  gdb -x $gdbscript"
echo "== debug: the console follows (and goes to $R/debug.log); Ctrl-C ends QEMU"
QEMU_ARGS="${QEMU_ARGS:-} -gdb tcp::$port -S" RUN_TIMEOUT=${RUN_TIMEOUT:-3600} VERBOSE=1 RESULTS_NAME=debug \
	exec sh scripts/run-platform.sh qemu-svm "$tests" ""
