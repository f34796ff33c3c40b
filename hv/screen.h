/* The screen console: text on the UEFI GOP framebuffer (32 bits per pixel), 8x16 cells, light gray on
 * black, scrolling one text row at a time. The framebuffer is identity-mapped (RW, NX) by host_mmu.c. */
#ifndef HV_SCREEN_H
#define HV_SCREEN_H

#include "../boot/boot_info.h"
#include "lib/types.h"

/* The text color, 0xRRGGBB: scripts/check-screen.sh looks for exactly this value in a screenshot. */
#define SCREEN_FG_RGB 0xC0C0C0u

/* Clears the screen and starts drawing at the top left. Returns NULL if it can draw, or why it cannot
 * (no framebuffer, a pixel format other than 32-bit RGB/BGR, a size it cannot use). */
const char *screen_init(const struct boot_framebuffer *fb);
/* Draws n bytes: '\n' starts a new line, '\r' is ignored, other bytes outside 0x20..0x7E show as '?'. */
void screen_write(const char *s, size_t n);

#endif
