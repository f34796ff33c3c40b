#!/bin/sh
# check-junit.sh JUNIT ALL_TAP [COUNTS]: make test's check of its own CI files. JUNIT must be well-formed
# XML (python3's xml.etree, a parser independent of tap-junit.sh's awk), each <testsuite>'s attributes
# must match its <testcase> children, and its passed/failed/skipped must equal the counts of that
# platform's result lines in ALL_TAP and, if given, the COUNTS file ("PLATFORM PASSED FAILED SKIPPED" per
# line: make test's rows). Counting as in README.md ("Counting"): passed excludes SKIPs.
# Prints TAP and last "junit: N passed, M failed".
set -u
junit=${1:?usage: check-junit.sh JUNIT ALL_TAP [COUNTS]}
tap=${2:?usage: check-junit.sh JUNIT ALL_TAP [COUNTS]}
counts=${3:-}
python3 - "$junit" "$tap" "$counts" <<'PY'
import re, sys
import xml.etree.ElementTree as ET

junit, tap, counts = sys.argv[1:4]
n = passed = failed = 0

def result(ok, name, why=""):
    global n, passed, failed
    n += 1
    if ok:
        passed += 1
        print(f"ok {n} - junit/{name}")
    else:
        failed += 1
        print(f"not ok {n} - junit/{name} # {why}")

def tally(kinds):  # kinds: "pass" / "fail" / "skip" per case
    return tuple(kinds.count(k) for k in ("pass", "fail", "skip"))

try:
    root = ET.parse(junit).getroot()
    result(root.tag == "testsuites", "well-formed", f"root element <{root.tag}>, expected <testsuites>")
except (ET.ParseError, OSError) as e:
    root = None
    result(False, "well-formed", str(e))

from_tap = {}
with open(tap, errors="replace") as f:
    for line in f:
        m = re.match(r"(not ok|ok) \d+(?: - | )?([^/ #]*)", line)
        if not m:
            continue
        kind = "fail" if m.group(1) == "not ok" else (
            "skip" if re.match(r"ok \d+ [^#]*# skip", line, re.IGNORECASE) else "pass")  # tap-verdict.sh's rule
        from_tap.setdefault(m.group(2), []).append(kind)
from_tap = {p: tally(k) for p, k in from_tap.items()}

from_junit = {}
if root is not None:
    for s in root.iter("testsuite"):
        kinds = ["fail" if c.find("failure") is not None else "skip" if c.find("skipped") is not None else "pass"
                 for c in s.iter("testcase")]
        got = tally(kinds)
        name = s.get("name")
        attrs = (int(s.get("tests", -1)), int(s.get("failures", -1)), int(s.get("skipped", -1)))
        want = (len(kinds), got[1], got[2])
        result(attrs == want, f"{name}/attributes",
               f"tests/failures/skipped say {attrs}, the <testcase> elements {want}")
        from_junit[name] = got

def compare(label, a, b):
    for p in sorted(set(a) | set(b)):
        x, y = a.get(p), b.get(p)
        result(x == y, f"{p}/{label}", f"passed/failed/skipped {x} in JUnit, {y} in {label}")

compare("tap-counts", from_junit, from_tap)
if counts:
    rows = {}
    with open(counts) as f:
        for line in f:
            w = line.split()
            if len(w) == 4:
                rows[w[0]] = tuple(int(x) for x in w[1:])
    compare("row-counts", from_junit, rows)
print(f"1..{n}")
print(f"junit: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
