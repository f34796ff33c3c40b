/* Console logging with levels. */
#include "log.h"
#include "console.h"
#include "lib/fmt.h"

#define LOG_LINE_MAX 512 /* as console_printf's */

enum log_level log_threshold = LOG_INFO;

void log_printf(enum log_level level, const char *fmt, ...)
{
	static const char *const tags[] = { "error: ", "warning: ", "", "debug: " };
	char line[LOG_LINE_MAX];
	va_list ap;
	if (level > log_threshold)
		return;
	/* One write per line: another pCPU's lines never land inside it. */
	int n = snprintf(line, sizeof(line) - 1, "# microhv: %s", tags[level]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - 1 - (size_t)n, fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(line) - 2); /* a longer message is cut, its newline kept */
	line[n++] = '\n';
	console_write(line, (size_t)n);
}
