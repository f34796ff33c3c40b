/* Leveled logging to the console. Every line starts with "microhv: " and is a TAP comment ("# ..."),
 * so it never confuses a TAP consumer reading the same serial stream. */
#ifndef HV_LOG_H
#define HV_LOG_H

#include "rules/cmdline.h"

extern enum log_level log_threshold;

void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
