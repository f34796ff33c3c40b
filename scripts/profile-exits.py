#!/usr/bin/env python3
"""profile-exits.py SO TRACE BASE: attribute a Bochs instruction trace to microhv's functions.

SO is build/microhv.so (symbols at link addresses), TRACE the debugger output of `trace on`, BASE the
load address microhv printed ("image at 0x..."). Every traced instruction inside the image counts for the
function that holds it, every other one for the guest. Prints one line per hypervisor excursion (a VM exit
and its way back into the guest) with its instruction count and the functions that executed, the most
first, and the guest instructions in between, then the total per function."""
import bisect
import collections
import re
import subprocess
import sys

IMAGE_SPAN = 0x400000  # more than microhv.efi's size: an address past the image is the guest's


def symbols(so, base):
    out = subprocess.run(['nm', '--defined-only', so], capture_output=True, text=True, check=True).stdout
    syms = sorted((int(p[0], 16) + base, p[2]) for p in (l.split() for l in out.splitlines())
                  if len(p) == 3 and p[1] in 'tTwW')
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    so, trace, base = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
    addrs, names = symbols(so, base)
    insn = re.compile(r'\] [0-9a-f]{4}:([0-9a-f]{16}) ')
    runs = []  # [function or None for the guest, instructions]
    with open(trace, errors='replace') as f:
        for line in f:
            m = insn.search(line)
            if not m:
                continue
            a = int(m.group(1), 16)
            fn = None
            if base <= a < base + IMAGE_SPAN:
                i = bisect.bisect_right(addrs, a) - 1
                fn = names[i] if i >= 0 else '?'
            if runs and runs[-1][0] == fn:
                runs[-1][1] += 1
            else:
                runs.append([fn, 1])
    if not runs:
        sys.exit(f'profile-exits: no traced instruction in {trace} (did the guest reach both magic breaks?)')
    total = collections.Counter()
    exit_fns = collections.Counter()
    for k, (fn, n) in enumerate(runs):
        if fn is not None:
            exit_fns[fn] += n
            total[fn] += n
        if (fn is None or k == len(runs) - 1) and exit_fns:
            print(f'exit {sum(exit_fns.values())}: ' + ', '.join(f'{f} {c}' for f, c in exit_fns.most_common()))
            exit_fns.clear()
        if fn is None:
            total['(guest)'] += n
            print(f'  guest {n}')
    print(f'total {sum(total.values())}: ' + ', '.join(f'{f} {c}' for f, c in total.most_common(25)))


main()
