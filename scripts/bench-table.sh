#!/bin/sh
# bench-table.sh LOG PLATFORM: the exit-cost table of one `make bench` run (bench/README.md), from the
# "# GUEST| # bench exit KIND: normal N, null M" lines that bench_cpuid, bench_apic and
# bench_apic_no_apicv print into LOG. One line per exit kind, in this order and exactly this form:
#   bench PLATFORM EXIT: normal N, null M, ratio R
# N and M are TSC ticks per exit round trip (under Bochs: instructions), R = N / M with two decimals.
# A kind whose line is missing prints "bench PLATFORM EXIT: missing" and the exit status is 1.
set -u
log=$1 platform=$2
[ -r "$log" ] || { echo "bench-table: no log $log" >&2; exit 1; }
# EXIT (the table's name), GUEST (which run: APICv on or off) and KIND (the guest's name for it).
rows='cpuid bench_cpuid cpuid
rdmsr bench_cpuid rdmsr
uart_out bench_cpuid uart_out
hypercall bench_cpuid hypercall
xapic_eoi_no_apicv bench_apic_no_apicv xapic_eoi
icr_write_apicv bench_apic xapic_icr_write
icr_write_no_apicv bench_apic_no_apicv xapic_icr_write
tsc_deadline_write bench_apic tsc_deadline_write
hlt_round_trip bench_apic hlt_round_trip'
printf '%s\n' "$rows" | awk -v logfile="$log" -v platform="$platform" '
	BEGIN {
		while ((getline line < logfile) > 0) {
			# "# GUEST| # bench exit KIND: normal N, null M" (the last such line of a guest counts)
			if (line !~ /^# [A-Za-z0-9_]+\| # bench exit [a-z0-9_]+: normal [0-9]+, null [0-9]+$/) continue
			split(line, w, /[| :,]+/)
			seen[w[2] " " w[6]] = w[8] " " w[10]
		}
	}
	{
		if (!(($2 " " $3) in seen)) { print "bench " platform " " $1 ": missing"; bad = 1; next }
		split(seen[$2 " " $3], v, " ")
		ratio = v[2] > 0 ? sprintf("%.2f", v[1] / v[2]) : "-"
		printf "bench %s %s: normal %d, null %d, ratio %s\n", platform, $1, v[1], v[2], ratio
	}
	END { exit bad }'
