#!/bin/sh
# stamp-first.sh FILE: pass stdin through, and write to FILE the time at which microhv printed its
# first line (to separate the firmware's boot time from the hypervisor's own).
out=$1
rm -f "$out"
cr=$(printf '\r')
while IFS= read -r line; do
	if [ ! -f "$out" ]; then
		case "$line" in "# microhv:"*) date +%s.%N > "$out" ;; esac
	fi
	printf '%s\n' "${line%"$cr"}"
done
