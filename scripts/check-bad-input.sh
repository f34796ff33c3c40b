#!/bin/sh
# check-bad-input.sh: guest images named on microhv's command line that are missing, truncated, not ELF,
# or have a broken Multiboot header must each give one clear error line naming the file and the reason,
# be counted as failed, and not stop the rest of the suite (a built-in test runs in the same boot).
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
echo "1..$n"
echo "bad-input: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
