/* Guest 16550: enough of the register file for polled output. LSR always reports "transmitter empty",
 * so a guest never waits; received data never arrives. */
#include "uart.h"

#define REG_DATA 0 /* THR/RBR, or DLL with DLAB */
#define REG_IER 1  /* or DLM with DLAB */
#define REG_IIR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCRATCH 7
#define LCR_DLAB 0x80
#define IIR_NO_INTERRUPT 0x01
#define LSR_THRE_TEMT 0x60
#define MSR_DCD_DSR_CTS 0xB0
#define ESCAPED_BYTE_LEN 4 /* "\xNN" */

void uart_flush(struct uart *u)
{
	if (!u->len)
		return;
	u->line[u->len] = '\0';
	if (u->on_line)
		u->on_line(u->ctx, u->line);
	u->len = 0;
}

/* Control and non-ASCII bytes are shown as \xNN: a guest must not drive the host's terminal (escape
 * sequences) nor cut its own line short (NUL). */
static bool is_plain(u8 b)
{
	return (b >= ' ' && b < 0x7F) || b == '\t';
}

bool uart_put_plain(struct uart *u, u8 byte)
{
	if (!is_plain(byte) || u->len >= UART_LINE_MAX || (u->lcr & LCR_DLAB))
		return false;
	u->line[u->len++] = (char)byte;
	return true;
}

static void transmit(struct uart *u, char c)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		if (!u->len) { /* an empty line is still a line */
			u->line[0] = '\0';
			if (u->on_line)
				u->on_line(u->ctx, u->line);
		}
		uart_flush(u);
		return;
	}
	u8 b = (u8)c;
	if (uart_put_plain(u, b))
		return;
	u32 need = is_plain(b) ? 1 : ESCAPED_BYTE_LEN;
	if (u->len + need > UART_LINE_MAX) /* an over-long line is split, not truncated */
		uart_flush(u);
	if (uart_put_plain(u, b))
		return;
	static const char hex[] = "0123456789abcdef";
	u->line[u->len++] = '\\';
	u->line[u->len++] = 'x';
	u->line[u->len++] = hex[b >> 4];
	u->line[u->len++] = hex[b & 0xF];
}

static u8 read_reg(struct uart *u, u16 reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg) {
	case REG_DATA: return dlab ? u->dll : 0;
	case REG_IER: return dlab ? u->dlm : u->ier;
	case REG_IIR: return IIR_NO_INTERRUPT;
	case REG_LCR: return u->lcr;
	case REG_MCR: return u->mcr;
	case REG_LSR: return LSR_THRE_TEMT;
	case REG_MSR: return MSR_DCD_DSR_CTS;
	default: return u->scratch;
	}
}

static void write_reg(struct uart *u, u16 reg, u8 v)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg) {
	case REG_DATA:
		if (dlab)
			u->dll = v;
		else
			transmit(u, (char)v);
		break;
	case REG_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v;
		break;
	case REG_LCR: u->lcr = v; break;
	case REG_MCR: u->mcr = v; break;
	case REG_SCRATCH: u->scratch = v; break;
	default: break; /* FCR, LSR, MSR writes have no visible effect here */
	}
}

void uart_access(struct uart *u, u16 offset, bool in, u32 *value)
{
	if (in)
		*value = read_reg(u, offset);
	else
		write_reg(u, offset, (u8)*value);
}
