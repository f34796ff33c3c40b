/* The screen console (screen.h): text cells on the GOP framebuffer. Only the framebuffer pointer touches
 * the hardware. Scrolling copies each text row's pixels one row up, but only as many cells of it as were
 * ever drawn on that row or the one below (used[]): a console line is short, so most of the screen is
 * never read or written again (the framebuffer is slow to read on real hardware and in Bochs). */
#include "screen.h"
#include "font.h"

#define SCREEN_MAX_ROWS 512 /* 8192 scanlines */
/* EFI_GRAPHICS_PIXEL_FORMAT (UEFI 2.x, 12.9): the two 32-bit formats it can draw on. */
#define GOP_PIXEL_RGBX 0 /* PixelRedGreenBlueReserved8BitPerColor: byte 0 is red */
#define GOP_PIXEL_BGRX 1 /* PixelBlueGreenRedReserved8BitPerColor: byte 0 is blue */
#define RGB_R(c) (((c) >> 16) & 0xFF)
#define RGB_G(c) (((c) >> 8) & 0xFF)
#define RGB_B(c) ((c) & 0xFF)
#define GLYPH_LEFT_BIT 0x80

static struct {
	volatile u32 *fb;
	u32 pitch; /* pixels per scanline */
	u32 cols, rows, col, row;
	u32 fg;    /* SCREEN_FG_RGB in the framebuffer's byte order */
	u16 used[SCREEN_MAX_ROWS]; /* cells of each text row that may hold a non-black pixel */
} scr;

static volatile u32 *cell(u32 col, u32 row)
{
	return scr.fb + (u64)row * FONT_HEIGHT * scr.pitch + (u64)col * FONT_WIDTH;
}

/* Sets `cells` cells of text row `row`, from its start, to black. */
static void clear_cells(u32 row, u32 cells)
{
	for (u32 y = 0; y < FONT_HEIGHT; y++) {
		volatile u32 *p = cell(0, row) + (u64)y * scr.pitch;
		for (u32 x = 0; x < cells * FONT_WIDTH; x++)
			p[x] = 0;
	}
}

const char *screen_init(const struct boot_framebuffer *fb)
{
	scr.fb = NULL;
	if (!fb->base)
		return "the firmware offers no GOP framebuffer";
	if (fb->format == GOP_PIXEL_RGBX)
		scr.fg = RGB_B(SCREEN_FG_RGB) << 16 | RGB_G(SCREEN_FG_RGB) << 8 | RGB_R(SCREEN_FG_RGB);
	else if (fb->format == GOP_PIXEL_BGRX)
		scr.fg = SCREEN_FG_RGB;
	else
		return "the GOP framebuffer is not 32-bit RGB or BGR (a bit mask format, or Blt only)";
	if (fb->width < FONT_WIDTH || fb->height < FONT_HEIGHT || fb->pixels_per_line < fb->width)
		return "the GOP framebuffer is too small for one text cell";
	scr.fb = (volatile u32 *)(uintptr_t)fb->base;
	scr.pitch = fb->pixels_per_line;
	scr.cols = fb->width / FONT_WIDTH;
	scr.rows = MIN(fb->height / FONT_HEIGHT, (u32)SCREEN_MAX_ROWS);
	scr.col = scr.row = 0;
	for (u64 i = 0; i < (u64)fb->height * scr.pitch; i++)
		scr.fb[i] = 0;
	for (u32 r = 0; r < scr.rows; r++)
		scr.used[r] = 0;
	return NULL;
}

static void scroll(void)
{
	for (u32 r = 0; r + 1 < scr.rows; r++) {
		u32 pixels = MAX(scr.used[r], scr.used[r + 1]) * FONT_WIDTH;
		for (u32 y = 0; y < FONT_HEIGHT; y++) {
			volatile u32 *dst = cell(0, r) + (u64)y * scr.pitch;
			volatile u32 *src = cell(0, r + 1) + (u64)y * scr.pitch;
			for (u32 x = 0; x < pixels; x++)
				dst[x] = src[x];
		}
		scr.used[r] = scr.used[r + 1];
	}
	clear_cells(scr.rows - 1, scr.used[scr.rows - 1]);
	scr.used[scr.rows - 1] = 0;
}

static void newline(void)
{
	scr.col = 0;
	if (scr.row + 1 < scr.rows)
		scr.row++;
	else
		scroll();
}

static void draw(char ch)
{
	u8 c = (u8)ch;
	if (c < FONT_FIRST || c > FONT_LAST)
		c = '?';
	if (scr.col == scr.cols) /* wrap at the right edge */
		newline();
	const u8 *glyph = font_glyphs[c - FONT_FIRST];
	volatile u32 *p = cell(scr.col, scr.row);
	for (u32 y = 0; y < FONT_HEIGHT; y++, p += scr.pitch)
		for (u32 x = 0; x < FONT_WIDTH; x++)
			p[x] = glyph[y] & (GLYPH_LEFT_BIT >> x) ? scr.fg : 0;
	scr.col++;
	scr.used[scr.row] = (u16)MAX(scr.used[scr.row], scr.col);
}

void screen_write(const char *s, size_t n)
{
	if (!scr.fb)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			newline();
		else if (s[i] != '\r')
			draw(s[i]);
	}
}
