/* Console logging with levels. */
#include "log.h"
#include "console.h"

enum log_level log_threshold = LOG_INFO;

void log_printf(enum log_level level, const char *fmt, ...)
{
	static const char *const tags[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;
	if (level > log_threshold)
		return;
	console_printf("# microhv: %s", tags[level]);
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
	console_write("\n", 1);
}
