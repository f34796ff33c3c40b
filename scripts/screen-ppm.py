#!/usr/bin/env python3
"""screen-ppm.py: the screenshot half of scripts/check-screen.sh.
  screen-ppm.py monitor SOCKET COMMAND...   send each COMMAND to QEMU's human monitor on a Unix socket and
                                            wait for its prompt after each (e.g. "screendump F.ppm", "quit")
  screen-ppm.py count FILE.ppm              print how many pixels have exactly the screen console's color
  screen-ppm.py find FILE.ppm TEXT          exit 0 and print "row R col C" if TEXT is drawn there, in the
                                            console's font and color on black, at a text-cell position
The font is the one the build uses (scripts/gen-font.py reading FONT_PSF), the color hv/screen.h's."""
import importlib.util
import os
import re
import socket
import sys
import time

FONT_PSF = "/usr/share/consolefonts/Lat15-Fixed16.psf.gz"  # the Makefile's
FG = bytes((0xC0, 0xC0, 0xC0))  # SCREEN_FG_RGB
BLACK = bytes(3)


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; '#' comments between them
        m = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, pos)
        if not m:
            sys.exit(f"screen-ppm: {path}: bad PPM header")
        fields.append(m.group(2))
        pos = m.end()
    if fields[0] != b"P6" or fields[3] != b"255":
        sys.exit(f"screen-ppm: {path}: not a P6 PPM with maxval 255")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    if len(pixels) < width * height * 3:
        sys.exit(f"screen-ppm: {path}: {len(pixels)} bytes of pixels, not {width * height * 3}")
    return width, height, pixels


def glyph_rows(text):
    spec = importlib.util.spec_from_file_location("gen_font", os.path.join(os.path.dirname(__file__), "gen-font.py"))
    gen_font = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_font)
    glyphs = gen_font.load(FONT_PSF)
    rows = []
    for y in range(16):
        line = b""
        for ch in text:
            bits = glyphs[ord(ch) - 0x20][y]
            line += b"".join(FG if bits & (0x80 >> x) else BLACK for x in range(8))
        rows.append(line)
    return rows


def find(path, text):
    width, height, px = read_ppm(path)
    want = glyph_rows(text)
    stride = width * 3
    for row in range(height // 16):
        for col in range(width // 8 - len(text) + 1):
            base = row * 16 * stride + col * 24
            if all(px[base + y * stride:base + y * stride + len(want[y])] == want[y] for y in range(16)):
                print(f"row {row} col {col}")
                return 0
    return 1


def count(path):
    width, height, px = read_ppm(path)
    print(sum(1 for i in range(0, width * height * 3, 3) if px[i:i + 3] == FG))
    return 0


def monitor(sock_path, commands):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(sock_path)

    def prompt():
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = s.recv(4096)
            if not chunk:
                return buf
            buf += chunk
        return buf
    prompt()
    for cmd in commands:
        s.sendall(cmd.encode() + b"\n")
        if cmd != "quit":
            prompt()
    time.sleep(0.2)
    s.close()
    return 0


def main():
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "monitor":
        return monitor(a[1], a[2:])
    if len(a) == 2 and a[0] == "count":
        return count(a[1])
    if len(a) == 3 and a[0] == "find":
        return find(a[1], a[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
