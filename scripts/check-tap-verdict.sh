#!/bin/sh
# check-tap-verdict.sh: tap-verdict.sh must catch a console log whose summary lies about its TAP lines.
# Each case writes a small made-up log and checks tap-verdict.sh's exit status (0 consistent, 1 not).
# Prints TAP and last "tap-verdict-check: N passed, M failed".
set -u
D=build/tap-verdict-check
mkdir -p "$D"
n=0 passed=0 failed=0

case_log() { # name expected-status: the log is read from stdin
	n=$((n + 1))
	cat > "$D/$1.log"
	out=$(sh scripts/tap-verdict.sh "$D/$1.log")
	status=$?
	if [ "$status" -eq "$2" ]; then
		echo "ok $n - tap-verdict/$1"
		passed=$((passed + 1))
	else
		echo "not ok $n - tap-verdict/$1 # exit status $status, expected $2"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

case_log consistent 0 <<'EOF'
# microhv: back end svm, platform test
# cpuid| ok 1 - a
# cpuid| not ok 2 - guest-side failures are diagnostics here
ok 1 - test/cpuid/a
ok 2 - test/cpuid/b # SKIP why
not ok 3 - test/cpuid/completed # FAILED: 1 case(s) failed
1..3
# microhv: suite finished in 5 ms: 1 passed, 1 failed, 1 skipped
1 passed, 1 failed
EOF
case_log failure-counted-as-pass 1 <<'EOF'
ok 1 - test/cpuid/a
not ok 2 - test/cpuid/completed
1..2
2 passed, 0 failed
EOF
case_log skip-counted-as-pass 1 <<'EOF'
ok 1 - test/cpuid/a # SKIP why
ok 2 - test/cpuid/completed
1..2
# microhv: suite finished in 5 ms: 2 passed, 0 failed, 0 skipped
2 passed, 0 failed
EOF
case_log short-plan 1 <<'EOF'
ok 1 - test/cpuid/a
ok 2 - test/cpuid/completed
1..1
2 passed, 0 failed
EOF
case_log duplicate-number 1 <<'EOF'
ok 1 - test/cpuid/a
ok 1 - test/cpuid/completed
1..2
2 passed, 0 failed
EOF
case_log no-summary 1 <<'EOF'
ok 1 - test/cpuid/a
1..1
EOF
case_log no-plan 1 <<'EOF'
ok 1 - test/cpuid/a
1 passed, 0 failed
EOF

echo "1..$n"
echo "tap-verdict-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
