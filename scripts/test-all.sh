#!/bin/sh
# test-all.sh: what `make test` runs. Host unit tests, then the suite on every emulator platform, then
# the bad-input checks and the QEMU compatibility check. The fuzz smoke row runs every libFuzzer harness
# for FUZZ_SMOKE_TIME seconds (default 3). One summary row each, and the last line is the
# total: "N passed, N failed".
set -u
PLATFORMS=${PLATFORMS:-qemu-svm bochs-vmx-tigerlake bochs-vmx-skylake bochs-svm-ryzen}
R=build/results
mkdir -p "$R"
total_pass=0
total_fail=0
rows=""

now() { date +%s; }
add_row() { # name passed failed skipped seconds
	rows="$rows$(printf '%-22s %7s %7s %8s %7ss' "$1" "$2" "$3" "$4" "$5")
"
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}
counts() {
	printf '%s\n' "$1" | awk '/[0-9]+ passed, [0-9]+ failed/ {
		for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p = $i; if ($(i+1) ~ /^failed/) f = $i }
		line = p " " f } END { print line }'
}

echo "== unit tests (host, cmocka)"
t0=$(now)
unit_out=$(sh scripts/run-unit.sh build/unit/test_* 2>&1)
printf '%s\n' "$unit_out" > "$R/unit.log"
printf '%s\n' "$unit_out" | grep -E '^\[  (PASSED|FAILED)|^unit:' || true
set -- $(counts "$(printf '%s\n' "$unit_out" | grep '^unit:')")
add_row unit "${1:-0}" "${2:-1}" 0 $(( $(now) - t0 ))

echo "== fuzz smoke (host, libFuzzer, ${FUZZ_SMOKE_TIME:-3}s per harness)"
t0=$(now)
fuzz_out=$(sh scripts/run-fuzz.sh "${FUZZ_SMOKE_TIME:-3}" build/fuzz/fuzz_* 2>&1)
printf '%s\n' "$fuzz_out" > "$R/fuzz-smoke.log"
printf '%s\n' "$fuzz_out" | grep -E '^(ok|not ok|run-fuzz:)' || true
set -- $(counts "$(printf '%s\n' "$fuzz_out" | tail -n 1)")
add_row fuzz-smoke "${1:-0}" "${2:-1}" 0 $(( $(now) - t0 ))

for p in $PLATFORMS; do
	t0=$(now)
	sh scripts/run-platform.sh "$p" "" "" | grep -E '^(== |not ok |Bail out!)'
	status=$?
	log=$R/$p.log
	set -- $(counts "$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" 2>/dev/null | tail -n 1)")
	pass=${1:-0}
	fail=${2:-0}
	skip=$(grep -a 'suite finished' "$log" 2>/dev/null | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	if ! grep -aqE '^[0-9]+ passed, [0-9]+ failed$' "$log" 2>/dev/null || grep -aq '^Bail out!' "$log"; then
		fail=$((fail + 1)) # the run itself broke: that is a failure even if no case said so
	fi
	add_row "$p" "$pass" "$fail" "${skip:-0}" $(( $(now) - t0 ))
done

echo "== bad input: corrupt and missing guest images on the command line"
t0=$(now)
bad_out=$(sh scripts/check-bad-input.sh 2>&1)
printf '%s\n' "$bad_out" > "$R/bad-input.log"
printf '%s\n' "$bad_out" | grep -E '^(ok|not ok|bad-input:)'
set -- $(counts "$(printf '%s\n' "$bad_out" | grep '^bad-input:')")
add_row bad-input "${1:-0}" "${2:-1}" 0 $(( $(now) - t0 ))

echo "== QEMU compatibility: one kernel, its arguments and modules on plain QEMU and under microhv"
t0=$(now)
compat_in=build/qemu-compat-input
mkdir -p "$compat_in"
seq 1 400 > "$compat_in/numbers.txt" # two modules: 1492 bytes, and 5 (neither page nor word sized)
printf 'hello' > "$compat_in/hello.bin"
compat_out=$(sh scripts/check-qemu-compat.sh build/guests/mbinfo.elf "a b  c" "$compat_in/numbers.txt x y,$compat_in/hello.bin" 1 2>&1)
printf '%s\n' "$compat_out" > "$R/qemu-compat.out"
printf '%s\n' "$compat_out" | grep -E '^(ok|not ok|qemu-compat:)'
set -- $(counts "$(printf '%s\n' "$compat_out" | grep '^qemu-compat:')")
add_row qemu-compat "${1:-0}" "${2:-1}" 0 $(( $(now) - t0 ))

echo "== QEMU compatibility, SMP: an ordinary SMP test kernel (MADT, fw_cfg, INIT-SIPI-SIPI) with -smp 4"
t0=$(now)
compat_out=$(sh scripts/check-qemu-compat.sh build/guests/qemu_smp.elf "" "" 4 2>&1)
printf '%s\n' "$compat_out" > "$R/qemu-compat-smp.out"
printf '%s\n' "$compat_out" | grep -E '^(ok|not ok|qemu-compat:)'
set -- $(counts "$(printf '%s\n' "$compat_out" | grep '^qemu-compat:')")
add_row qemu-compat-smp "${1:-0}" "${2:-1}" 0 $(( $(now) - t0 ))

echo
printf '%-22s %7s %7s %8s %8s\n' "suite" passed failed skipped time
printf '%s' "$rows"
echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
