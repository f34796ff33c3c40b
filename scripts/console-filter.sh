#!/bin/sh
# console-filter.sh LOG GUEST_DIR FIRST T0: what run-platform.sh pipes an emulator's console through.
# Reads the raw console on stdin, drops carriage returns and the firmware's ANSI escape sequences (those
# before microhv's first line; after it, bytes stay as microhv sent them, so that check-bad-input.sh can
# see a raw ESC from a guest if microhv ever lets one through), and
# writes every line to LOG, each guest's lines to GUEST_DIR/NAME.log (from the line after the previous
# guest's end up to its own "ok N - PLATFORM/NAME/completed ..." line), and to FIRST the time microhv's
# first line arrived. T0: the run's start (date +%s.%N), for the elapsed times.
# On stdout: with VERBOSE=1 every line; otherwise microhv's back-end and pCPU-count lines, errors, Bail out! and not ok
# lines, and one line per guest as it ends:
#   [  12.3s] NAME  P passed  F failed  S skipped  M ms  K exits
# (elapsed wall time, the guest's cases counted as tap-verdict.sh does, microhv's own time and exit count),
# and at the end a table of every guest with the totals.
# microhv does not echo a guest's result line that its suite line repeats ("ok M - PLATFORM/GUEST/CASE",
# hv/rules/tap.h tap_line_rebuildable): the echo "# GUEST| ok N - CASE" is written back here, before that line,
# in LOG, the guest's log and the VERBOSE=1 view, N counting those lines per guest as microhv does, so
# the logs read as if it had been sent.
set -u
log=$1 guest_dir=$2 first=$3 t0=$4
rm -rf "$guest_dir"
mkdir -p "$guest_dir"
rm -f "$first"
# mawk (Debian's awk) reads a pipe in blocks, so nothing would show until the run ends; -W interactive
# makes it read line by line. Other awks read lines as they come.
live=""
case $(awk -W version 2>&1 | head -n 1) in mawk*) live="-W interactive" ;; esac
# shellcheck disable=SC2086
awk $live -v logfile="$log" -v dir="$guest_dir" -v first="$first" -v t0="$t0" -v verbose="${VERBOSE:-0}" '
function out(s) { print s; fflush() }
function elapsed(   t, cmd) { cmd = "date +%s.%N"; cmd | getline t; close(cmd); return t - t0 }
function flush_guest(g,   f) {
	f = g; gsub(/[^A-Za-z0-9._-]/, "_", f); f = dir "/" f ".log"
	printf "%s", buf > f; close(f); buf = ""
	delete rebuilt[g]
}
function put(s) { print s > logfile; buf = buf s "\n"; if (verbose == 1) out(s) }
# The echo of a suite case line, if microhv left it out (the line before is not that echo).
function rebuild_echo(line,   kind, rest, dirv, i, np, part, g, j, e, was) {
	kind = line ~ /^not ok / ? "not ok" : "ok"
	rest = line; sub(/^(not )?ok [0-9]+ - /, "", rest)
	dirv = ""
	if ((i = index(rest, " # ")) > 0) { dirv = substr(rest, i); rest = substr(rest, 1, i - 1) }
	np = split(rest, part, "/")
	if (np < 3 || part[np] !~ /^[A-Za-z0-9_-]+$/ || part[np] ~ /^(completed|misbehaviour-detected|load)$/) return
	g = part[2]; for (j = 3; j < np; j++) g = g "/" part[j]
	e = "# " g "| "
	was = substr(prev, length(e) + 1)
	if (index(prev, e) == 1 && was ~ /^(not )?ok( |$)/ && index(was, part[np]) > 0) return
	put(e kind " " (++rebuilt[g]) " - " part[np] dirv)
}
{
	gsub(/\r/, "")
	if (!stamped && /^# microhv:/) { system("date +%s.%N > \"" first "\""); stamped = 1 }
	if (!stamped) { # the firmware: its ANSI escape sequences go (microhv escapes a guest'"'"'s control bytes)
		gsub(/\033\[[0-9;=?]*[ -\/]*[@-~]/, ""); gsub(/\033[@-_]/, ""); gsub(/\033/, "")
	}
	if (stamped && /^(ok|not ok) [0-9]+ - /) rebuild_echo($0)
	print > logfile
	fflush(logfile) # the log grows as the run goes: check-screen.sh waits in it for the last line
	buf = buf $0 "\n"
	if (verbose == 1) out($0)
	prev = $0
}
/^# microhv: back end / { buf = ""; if (verbose != 1) out($0) }
/^# microhv: [0-9]+ pCPUs online$/ { if (verbose != 1) out($0) }
/^# microhv: error: |^Bail out!|^not ok / { if (verbose != 1) out($0) }
/^(ok|not ok) [0-9]+ / {
	line = $0; sub(/^(not )?ok [0-9]+ *(- )?/, "", line)
	directive = ""
	if ((i = index(line, " # ")) > 0) { directive = substr(line, i + 3); line = substr(line, 1, i - 1) }
	np = split(line, part, "/")
	g = ""
	for (j = 2; j < np; j++) g = g (g == "" ? "" : "/") part[j]
	if (g == "") g = part[np]
	if (!(g in cases)) order[++ng] = g
	cases[g]++
	if ($1 == "not") failed[g]++
	else if (toupper($0) ~ /^OK [0-9]+ [^#]*# SKIP/) skipped[g]++
	else passed[g]++
	if (np == 2 || part[np] ~ /^(completed|misbehaviour-detected|load)$/) { # the guest has ended
		ms[g] = exits[g] = "-"
		if (match(directive, /\([0-9]+ ms, [0-9]+ exits\)$/)) {
			split(substr(directive, RSTART + 1, RLENGTH - 2), w, /[ ,]+/); ms[g] = w[1]; exits[g] = w[3]
		}
		out(sprintf("  [%6.1fs] %-30s %4d passed %3d failed %3d skipped %7s ms %9s exits%s", elapsed(), g,
			passed[g], failed[g], skipped[g], ms[g], exits[g], failed[g] ? "  FAILED" : ""))
		flush_guest(g)
	}
}
END {
	close(logfile)
	if (!ng) exit
	out("")
	out(sprintf("%-30s %7s %7s %8s %9s %10s", "guest", "passed", "failed", "skipped", "ms", "exits"))
	for (i = 1; i <= ng; i++) {
		g = order[i]; tp += passed[g]; tf += failed[g]; ts += skipped[g]
		out(sprintf("%-30s %7d %7d %8d %9s %10s", g, passed[g], failed[g], skipped[g], g in ms ? ms[g] : "-",
			g in exits ? exits[g] : "-"))
	}
	out(sprintf("%-30s %7d %7d %8d", "total (" ng " guests)", tp, tf, ts))
}'
