# log-check.sh, sourced by the check scripts: check NAME PATTERN [absent] is one TAP case, ok if the file
# $log has a line matching the extended regular expression PATTERN (with "absent": has none); the case is
# named $check_prefix NAME.
n=0 passed=0 failed=0
check() {
	n=$((n + 1))
	found=no
	grep -aqE "$2" "$log" && found=yes
	if [ "$found" = "$([ "${3:-}" = absent ] && echo no || echo yes)" ]; then
		echo "ok $n - $check_prefix$1"
		passed=$((passed + 1))
	else
		echo "not ok $n - $check_prefix$1 # ${3:+not }expected a line matching: $2"
		failed=$((failed + 1))
	fi
}
