/* The screen console's 8x16 font: printable ASCII only, generated at build time (build/font.c) by
 * scripts/gen-font.py from a PSF console font of Debian's console-setup-linux. Row 0 is the top, bit 7 of
 * each row byte the leftmost pixel. */
#ifndef HV_FONT_H
#define HV_FONT_H

#include "hv/lib/types.h"

#define FONT_WIDTH 8
#define FONT_HEIGHT 16
#define FONT_FIRST 0x20
#define FONT_LAST 0x7E

extern const u8 font_glyphs[FONT_LAST - FONT_FIRST + 1][FONT_HEIGHT];

#endif
