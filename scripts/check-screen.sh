#!/bin/sh
# check-screen.sh: the screen console draws every console line on the GOP framebuffer. Two QEMU + OVMF
# boots (test=cpuid) with a VGA device, so the firmware offers GOP, and exit=halt, so the machine is still
# up when the suite is done: once the serial log shows microhv's last line, the monitor's screendump takes
# a screenshot (PPM), then QEMU quits. With console=both (the default) the screenshot must hold pixels of
# exactly the console's color (hv/screen.h SCREEN_FG_RGB) and the suite's summary line and last line,
# drawn in the build's font at text-cell positions (scripts/screen-ppm.py); with console=serial, not one
# pixel of that color. Prints TAP and last "screen: N passed, M failed".
set -u
. scripts/log-check.sh
R=build/results
: "${SCREEN_TIMEOUT:=120}"
MIN_TEXT_PIXELS=500

# screen_case NAME CONSOLE: boot with console=CONSOLE, leave the screenshot in $R/screen-NAME.ppm.
screen_case() {
	log=$R/screen-$1.log ppm=$R/screen-$1.ppm sock=$R/screen-$1.sock
	check_prefix=screen/$1/
	rm -f "$log" "$ppm" "$sock"
	RUN_TIMEOUT=$SCREEN_TIMEOUT RESULTS_NAME=screen-$1 MICROHV_ARGS="exit=halt console=$2" \
		QEMU_ARGS="-device VGA -monitor unix:$sock,server,nowait" \
		sh scripts/run-platform.sh qemu-svm cpuid "" >/dev/null 2>&1 &
	run=$!
	i=0
	while [ $i -lt $((SCREEN_TIMEOUT * 5)) ] && ! grep -aq '^# microhv: finished: ' "$log" 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	sleep 0.5 # the last line's pixels are drawn before its serial bytes; some margin all the same
	[ -S "$sock" ] && python3 scripts/screen-ppm.py monitor "$sock" "screendump $(pwd)/$ppm" quit
	wait "$run" # QEMU ends at "quit": run-platform.sh's verdict (not debug-exit's status) does not matter here
	check summary '^[0-9]+ passed, 0 failed$'
	check finished '^# microhv: finished: all-passed'
	n=$((n + 1))
	if [ -s "$ppm" ] && head -c 2 "$ppm" | grep -q P6; then
		echo "ok $n - ${check_prefix}screenshot"; passed=$((passed + 1))
	else
		echo "not ok $n - ${check_prefix}screenshot # no P6 screendump in $ppm"; failed=$((failed + 1))
	fi
}

# pixel_case NAME TEST DESCRIPTION: one TAP case, ok if the shell test TEST (a string for eval) holds.
pixel_case() {
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $check_prefix$1"; passed=$((passed + 1))
	else
		echo "not ok $n - $check_prefix$1 # $3"; failed=$((failed + 1))
	fi
}

screen_case both both
check screen-on '^# microhv: screen console: [0-9]+x[0-9]+ GOP framebuffer'
pixels=$(python3 scripts/screen-ppm.py count "$ppm" 2>/dev/null || echo 0)
pixel_case text-pixels '[ "$pixels" -gt $MIN_TEXT_PIXELS ]' \
	"$pixels pixels of color C0C0C0, expected more than $MIN_TEXT_PIXELS"
for what in summary finished; do
	case $what in
	summary) line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1) ;;
	finished) line=$(grep -a '^# microhv: finished: ' "$log" | tail -n 1 | tr -d '\r') ;;
	esac
	at=$(python3 scripts/screen-ppm.py find "$ppm" "${line:-no such line}" 2>&1)
	pixel_case "drawn/$what" '[ -n "$line" ] && [ "${at#row }" != "$at" ]' \
		"the $what line '$line' is not drawn in the screenshot ($at)"
done

screen_case serial serial
check screen-off '^# microhv: (no )?screen console' absent
pixels=$(python3 scripts/screen-ppm.py count "$ppm" 2>/dev/null || echo -1)
pixel_case no-text-pixels '[ "$pixels" -eq 0 ]' "$pixels pixels of color C0C0C0, expected none"

echo "1..$n"
echo "screen: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
