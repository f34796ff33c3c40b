#!/bin/sh
# check-bad-input.sh: guest images named on microhv's command line that are missing, truncated, not ELF,
# or have a broken Multiboot header must each give one clear error line naming the file and the reason,
# be counted as failed, and not stop the rest of the suite (a built-in test runs in the same boot). A test=
# name that names nothing must stop the run with the refused-command-line exit status.
set -u
B=build
D=$B/bad-input
mkdir -p "$D"
good=$B/guests/cpuid.elf
[ -f "$good" ] || { echo "check-bad-input: $good missing (make guests)"; exit 2; }

head -c 300 "$good" > "$D/truncated.elf"
echo "this is not a kernel" > "$D/notelf.elf"
# Corrupt the Multiboot header checksum (the word after the magic and the flags).
cp "$good" "$D/badmb.elf"
off=$(LC_ALL=C grep -obUaP '\x02\xb0\xad\x1b' "$good" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || { echo "check-bad-input: no Multiboot header in $good"; exit 2; }
printf '\377\377\377\377' | dd of="$D/badmb.elf" bs=1 seek=$((off + 8)) conv=notrunc status=none

files="$D/truncated.elf $D/notelf.elf $D/badmb.elf $D/missing.elf"
RESULTS_NAME=bad-input-qemu-svm sh scripts/run-platform.sh qemu-svm "cpuid,truncated.elf,notelf.elf,badmb.elf,missing.elf" "$files" >/dev/null 2>&1
log=$B/results/bad-input-qemu-svm.log

. scripts/log-check.sh
check_prefix=bad-input/
check truncated "^# microhv: error: guest 'truncated.elf': .*(truncated|beyond end of file)"
check not-elf "^# microhv: error: guest 'notelf.elf': .*(not an ELF|no Multiboot header)"
check bad-multiboot-header "^# microhv: error: guest 'badmb.elf': .*(checksum|Multiboot header)"
check missing "^# microhv: error: guest 'missing.elf': file not found"
check each-counted-failed "^not ok [0-9]+ - qemu-svm/badmb.elf/load"
check rest-of-suite-runs "^ok [0-9]+ - qemu-svm/cpuid/completed"
check summary "^[0-9]+ passed, 4 failed$"
# A test= name that names nothing stops the run before any guest: Bail out!, listing the valid names, and
# the refused-command-line status (docs/exit-status.md), even when a guest= file is also given.
RESULTS_NAME=bad-input-unknown-test sh scripts/run-platform.sh qemu-svm "cpuid,nosuch" "$good" >/dev/null 2>&1
status=$?
log=$B/results/bad-input-unknown-test.log
check unknown-test-bails-out "^Bail out! microhv: unknown test 'nosuch' in test= \(known: cpuid .* @harness .*cpuid.elf\)$"
check unknown-test-runs-nothing "^# microhv: finished: bad-command-line"
n=$((n + 1))
qemu_status=$(cat "$B/results/bad-input-unknown-test.qemu-status" 2>/dev/null)
if [ "$status" -eq 4 ] && [ "$qemu_status" = 39 ]; then
	echo "ok $n - bad-input/unknown-test-exit-status"
	passed=$((passed + 1))
else
	echo "not ok $n - bad-input/unknown-test-exit-status # run-platform $status (want 4), QEMU $qemu_status (want 39)"
	failed=$((failed + 1))
fi
# A microhv.cfg longer than microhv reads is refused, never silently cut (issue 9).
long_words=$(awk 'BEGIN { for (i = 0; i < 500; i++) printf " log=info"; }')
MICROHV_ARGS="$long_words" RESULTS_NAME=bad-input-long-cfg sh scripts/run-platform.sh qemu-svm "cpuid" "" >/dev/null 2>&1
log=$B/results/bad-input-long-cfg.log
check long-cfg-refused "^Bail out! microhv: bad command line: microhv.cfg is [0-9]+ bytes; at most 4095 are read$"
# pcpus= out of range stops the run like any bad word (issue 14).
RESULTS_NAME=bad-input-pcpus MICROHV_ARGS="pcpus=0" sh scripts/run-platform.sh qemu-svm "cpuid" "" >/dev/null 2>&1
log=$B/results/bad-input-pcpus.log
check pcpus-0-refused "^Bail out! microhv: bad command line: pcpus= takes a physical CPU count from 1 to 64: 'pcpus=0'$"
check pcpus-0-runs-nothing "^# microhv: finished: bad-command-line"
# A guest's control bytes reach the console escaped, never raw (issue 9: a guest must not drive the terminal).
RESULTS_NAME=bad-input-uart-escape sh scripts/run-platform.sh qemu-svm "hostile_insn" "" >/dev/null 2>&1
log=$B/results/bad-input-uart-escape.log
check uart-escapes-control-bytes '^# hostile_insn\| # control bytes: \\x1b\[2J nul \\x00 del \\x7f end$'
n=$((n + 1))
if grep -a '^# hostile_insn|' "$log" | LC_ALL=C grep -q "$(printf '\033')"; then
	echo "not ok $n - bad-input/uart-no-raw-escape # a raw ESC byte from the guest reached the console"
	failed=$((failed + 1))
else
	echo "ok $n - bad-input/uart-no-raw-escape"
	passed=$((passed + 1))
fi
# guest= kernels that print no TAP (ordinary QEMU test kernels): the exit port decides; mem= sets their RAM
# (default 128 MiB, as QEMU's -m); timeout= their watchdog.
for k in plain_pass plain_mem plain_fail plain_hang; do cp $B/guests/plain_kernel.elf "$D/$k.elf"; done
ESP_FILES="$D/plain_pass.elf $D/plain_mem.elf $D/plain_fail.elf $D/plain_hang.elf" \
MICROHV_ARGS='guest=plain_pass.elf guest=plain_mem.elf mem=64 guest=plain_fail.elf append="status=3" guest=plain_hang.elf append=hang timeout=1' \
RESULTS_NAME=bad-input-plain sh scripts/run-platform.sh qemu-svm "plain_pass.elf,plain_mem.elf,plain_fail.elf,plain_hang.elf" "" >/dev/null 2>&1
log=$B/results/bad-input-plain.log
check plain-kernel-exit-0-passes "^ok [0-9]+ - qemu-svm/plain_pass.elf/completed # exit status 0 \(no TAP lines: the exit port decides, as on QEMU\)"
check plain-kernel-default-128mib '^# plain_pass.elf\| PASS: plain kernel, 131072 KiB of RAM$'
check plain-kernel-mem-64 '^# plain_mem.elf\| PASS: plain kernel, 65536 KiB of RAM$'
check plain-kernel-exit-3-fails "^not ok [0-9]+ - qemu-svm/plain_fail.elf/completed # FAILED: exit status 3 \(no TAP lines: the exit port decides\)"
check plain-kernel-timeout-1s "^not ok [0-9]+ - qemu-svm/plain_hang.elf/completed # FAILED: watchdog timeout .*\(1[0-9]{3} ms,"
# A bad option of one guest= fails that guest alone; the other guest and the built-in test still run.
cp $B/guests/plain_kernel.elf "$D/plain_bad.elf"
ESP_FILES="$D/plain_bad.elf $D/plain_pass.elf" \
MICROHV_ARGS='guest=plain_bad.elf smp=0 guest=plain_pass.elf' \
RESULTS_NAME=bad-input-guest-option sh scripts/run-platform.sh qemu-svm "cpuid,plain_bad.elf,plain_pass.elf" "" >/dev/null 2>&1
log=$B/results/bad-input-guest-option.log
check bad-guest-option-fails-that-guest "^not ok [0-9]+ - qemu-svm/plain_bad.elf/load # bad option: smp= takes a vCPU count"
check bad-guest-option-others-run "^ok [0-9]+ - qemu-svm/plain_pass.elf/completed # exit status 0"
check bad-guest-option-builtin-runs "^ok [0-9]+ - qemu-svm/cpuid/completed"
echo "1..$n"
echo "bad-input: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
