/* Host time: a calibrated TSC, and the host LAPIC timer that forces periodic VM exits (the watchdog tick). */
#ifndef HV_TIME_H
#define HV_TIME_H

#include "lib/types.h"

#define HOST_TICK_MS 10

void time_init(void);
u64 tsc_hz(void);
u64 time_ms(void);                 /* milliseconds since time_init */
u64 ms_to_tsc(u64 ms);
/* Starts the host timer (HOST_TIMER_VECTOR). While a guest runs, each expiry is a VM exit. */
void host_tick_start(void);
void host_tick_start_ap(void); /* on an AP, after host_tick_start() on the boot CPU */
/* Makes the host timer fire at tsc_deadline at the latest (one-shot); `now` is the current TSC. */
void host_timer_arm(u64 tsc_deadline, u64 now);

#endif
