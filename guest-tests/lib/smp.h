/* Multiprocessor test guests: start APs with INIT-SIPI-SIPI, run functions on them, read what they
 * received. Only the BSP prints TAP; APs record into their struct cpu_local (percpu.h), the BSP asserts.
 *
 *   smp_add_dense(fw_cfg_cpu_count());     CPUs 1..n-1 with APIC IDs 1..n-1 (or smp_add_cpu(id) each)
 *   smp_start_all();                       INIT-SIPI-SIPI; returns how many CPUs are online
 *   u64 id = smp_call(2, read_id, 0);      run read_id(0) on CPU 2, wait, return its result
 *   smp_irq_count(2, 0x41);                deliveries of vector 0x41 on CPU 2 (irq_register() first)
 *
 * Start-up (SDM Vol. 3A §9.4.4 "MP Initialization Example", §8.4.4 in older editions): the BSP copies
 * the trampoline (ap_boot.asm) to SMP_TRAMPOLINE_GPA and sends INIT, waits 10 ms, sends a SIPI with
 * vector SMP_SIPI_VECTOR, waits 200 us, sends it again, waits 200 us. An AP then
 *  1. starts in real mode at CS = vector << 8, IP = 0, where its first instruction reads CR0 (errata
 *     spec §4.6 items 1 and 7);
 *  2. enters protected mode on the trampoline's GDT, then long mode on the BSP's page tables, keeping
 *     CR0.CD/NW as it found them (only PE, MP, NE and PG are set, EM and TS cleared);
 *  3. finds its struct cpu_local by its initial APIC ID (CPUID.0BH:EDX, or CPUID.1:EBX[31:24] if leaf
 *     0xB is missing). An AP that is not in the table is a stray: it is counted (smp_strays()), then
 *     halts. So whichever vCPU a SIPI reaches, it is identified by itself, never by the sender;
 *  4. stores the CR0 and CS it started with, loads its own GDT and TSS (IST1 for #DF), GS base, the
 *     shared IDT and its stack, and runs the C side: local APIC ready for fixed interrupts
 *     (lapic_setup(SMP_SPURIOUS_VECTOR)), IF = 1, state CPU_ONLINE, starts + 1, then the idle loop.
 * An unexpected exception on an AP stops that AP (CPU_DEAD, the record kept): smp_call() on it fails
 * at once, and runtime_finish() reports every dead AP as a failed case.
 *
 * Memory: the trampoline uses 0x8000-0x8FFF (a SIPI can only start below 1 MiB; microhv keeps
 * 0x9000-0xA000 for the Multiboot information, QEMU puts its memory map at 0x9000 and the rest above
 * the kernel, SeaBIOS is done with low memory once the kernel runs). Each AP's struct cpu_local and
 * stacks (SMP_AP_AREA_BYTES, about 24 KiB) come from free RAM above the image (ram.h): 1024 CPUs fit
 * in a 32 MiB guest, and a guest that never adds a CPU pays nothing. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "hv/lib/types.h"
#include "exc.h"
#include "percpu.h"

#define SMP_MAX_CPUS 1024
#define SMP_TRAMPOLINE_GPA 0x8000u
#define SMP_SIPI_VECTOR (SMP_TRAMPOLINE_GPA >> 12) /* a SIPI starts at vector * 4 KiB */
#define SMP_SPURIOUS_VECTOR 0xFF
#define SMP_KICK_VECTOR 0xF0 /* wakes a CPU_IDLE_HALT AP; counted in kicks, not in its irq counts */
#define SMP_AP_IST_BYTES (4u << 10)
#define SMP_AP_STACK_BYTES (8u << 10)
#define SMP_STRAY_MAX 16 /* stray APs whose APIC IDs are kept */

/* SDM Vol. 3A §9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI, 200 us. */
#define SMP_INIT_DELAY_US 10000
#define SMP_SIPI_DELAY_US 200
/* How long an AP may take to come online, or a command to finish; long only when failing. */
#define SMP_START_TIMEOUT_US 2000000
#define SMP_CALL_TIMEOUT_US 2000000

#define SMP_CALL_FAILED 0xDEADDEADDEADDEADull /* smp_call()'s result when the call did not complete */

/* ---- The CPU table: index 0 is the BSP, then the CPUs a test added. ---- */

u32 smp_cpu_count(void);
struct cpu_local *smp_cpu(u32 index); /* NULL past the end */

/* Add an AP by its (initial) APIC ID: allocates its struct cpu_local and stacks. Returns its index, or
 * -EINVAL (the ID is already in the table), -ENOMEM (table full or RAM used up). */
int smp_add_cpu(u32 apic_id);

/* Add the APs with APIC IDs 1..n-1 (the layout of microhv and of QEMU's default topology; the BSP
 * is ID 0). Returns smp_cpu_count(). */
u32 smp_add_dense(u32 n);

/* ---- Start-up ---- */

/* The raw messages, to `dest` in the BSP's current APIC mode (lapic_send_ipi()). */
void smp_send_init(u32 dest);
void smp_send_sipi(u32 dest);

/* The SDM sequence to `n` destinations at once: INIT to each, 10 ms, SIPI to each, 200 us, SIPI to
 * each, 200 us. Does not wait for anyone to come online. */
void smp_send_startup(const u32 *dests, u32 n);

/* Wait until CPU `index` has completed `starts` starts (and is online), up to `timeout_us`. */
bool smp_wait_starts(u32 index, u32 starts, u64 timeout_us);

/* Start (or restart, through INIT) one CPU by its APIC ID and wait until it is online again. */
bool smp_start_cpu(u32 index);

/* Start every offline AP in the table at once; returns the CPUs online afterwards (BSP included). */
u32 smp_start_all(void);

/* APs that started but are not in the table, and their APIC IDs (the first SMP_STRAY_MAX). */
u32 smp_strays(void);
u32 smp_stray_id(u32 i);

/* ---- Commands ---- */

/* Run fn(arg) on an online AP and wait for its result. If the AP is not online, dies or does not
 * finish within SMP_CALL_TIMEOUT_US, a failed case "cpuN_call" is printed and the result is
 * SMP_CALL_FAILED. On the BSP itself (index 0) fn simply runs. */
u64 smp_call(u32 index, smp_fn_t fn, u64 arg);

/* The two halves: post the command (false if the AP is not online or still busy), then wait for it. */
bool smp_call_async(u32 index, smp_fn_t fn, u64 arg);
bool smp_call_wait(u32 index, u64 *result);

/* How an AP idles (percpu.h, enum cpu_idle). With CPU_IDLE_HALT (the default) smp_call() kicks it
 * with a fixed IPI of SMP_KICK_VECTOR to its initial APIC ID (in xAPIC mode its low 8 bits), so that
 * must still reach it: a test that changes an AP's ID, software-disables its APIC or raises its TPR
 * switches it to CPU_IDLE_SPIN first. */
void smp_set_idle(u32 index, enum cpu_idle idle);
void smp_kick(u32 index);

/* Stop an AP with CLI; HLT (CPU_PARKED) until an INIT restarts it. */
void smp_park(u32 index);

/* ---- Mailboxes: what an AP received, read by the BSP ---- */

u64 smp_irq_count(u32 index, u8 vector); /* deliveries of a vector registered with irq_register*() */
u64 smp_exc_count(u32 index, u8 vector); /* deliveries of any vector (exc.h's count) */

/* ---- For the runtime ---- */

/* An AP's unexpected exception: record it, mark the AP dead, halt forever. */
__attribute__((noreturn)) void smp_ap_die(const struct exc_record *r);

/* Entered from ap_boot.asm on the AP's own stack. */
__attribute__((noreturn)) void smp_ap_main(struct cpu_local *c);

/* At the end of the test (runtime_finish): a failed case for each dead AP and each AP that tried to
 * print, so nothing an AP hit goes unreported. */
void smp_report(void);

#endif
