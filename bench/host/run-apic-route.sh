#!/bin/sh
# Flatness benchmark for APIC interrupt routing (hv/apic/rules/delivery.c): instructions per physical unicast
# delivery decision, apic_route(), at 1, 64, 256 and 1024 vCPUs, counted by valgrind's callgrind with
# collection switched on only inside apic_route() (callees included). It must stay flat.
# A logical-destination row (the O(N) loop path) is printed for contrast.
#
# usage: sh bench/host/run-apic-route.sh [ITERATIONS]   (default 20000; run from anywhere)
# Needs a host C compiler ($CC, default gcc) and valgrind. Builds into build/bench-host/.
set -eu
cd "$(dirname "$0")/../.."
iters=${1:-20000}
out=build/bench-host
bin=$out/apic_route_bench
mkdir -p "$out"
${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -I. \
	-o "$bin" bench/host/apic_route_bench.c hv/apic/rules/delivery.c

# Ir collected inside apic_route() for one run, divided by the number of calls.
per_call() { # flag n mode
	cg=$out/callgrind.apic_route.$1.$2.$3
	valgrind --tool=callgrind --toggle-collect=apic_route --callgrind-out-file="$cg" \
		"$bin" "$2" "$iters" "$1" "$3" >/dev/null 2>"$cg.log" || { cat "$cg.log" >&2; exit 1; }
	ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$cg")
	[ -n "$ir" ] || ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$cg")
	echo "$ir $iters" | awk '{ printf "%.1f", $1 / $2 }'
}

echo "# apic_route: instructions per delivery decision (callgrind Ir / $iters calls)"
printf "%-34s %8s %8s %8s %8s\n" "case" "N=1" "N=64" "N=256" "N=1024"
for mode in unicast logical; do
	for flag in A B; do
		case $mode in
		unicast) label="physical unicast fixed IPI, $flag" ;;
		logical) label="(contrast) x2APIC logical, $flag" ;;
		esac
		printf "%-34s" "$label"
		for n in 1 64 256 1024; do
			printf " %8s" "$(per_call $flag $n $mode)"
		done
		echo
	done
done
