/* kl: the tiny runtime of the QEMU test kernels (guest-tests/qemu-kernels/). Deliberately independent of
 * microhv's guest runtime (guest-tests/lib) and its TAP library: these are "ordinary" kernels as someone
 * would write them for `qemu-system-x86_64 -kernel`, printing PASS:/FAIL:/SKIP: lines on COM1 and ending
 * through isa-debug-exit (port 0xF4, QEMU exits with (status << 1) | 1). */
#ifndef KL_H
#define KL_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long uptr;

#define COM1 0x3F8
#define COM1_LSR (COM1 + 5)
#define LSR_THR_EMPTY 0x20
#define EXIT_PORT 0xF4

#define LAPIC_BASE 0xFEE00000UL
#define MSR_APIC_BASE 0x1B

struct mb_info { /* Multiboot 1 information structure, the fields these kernels read */
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
};
struct mb_mod { u32 start, end, string, reserved; };

extern u32 kl_mb_magic, kl_mb_info; /* saved by the boot code */

static inline void outb(u16 p, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outw(u16 p, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outl(u16 p, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(p)); }
static inline u8 inb(u16 p) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline u16 inw(u16 p) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline u32 inl(u16 p) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline u64 rdtsc(void) { u32 lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }
static inline u64 rdmsr(u32 m) { u32 lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(m)); return ((u64)hi << 32) | lo; }
static inline void wrmsr(u32 m, u64 v) { __asm__ volatile("wrmsr" : : "c"(m), "a"((u32)v), "d"((u32)(v >> 32)) : "memory"); }
static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }

void kl_putc(char c);
void kl_puts(const char *s);
void kl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One result line each; kl_fail/kl_check count the failures for kl_finish(). */
void kl_pass(const char *name);
void kl_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kl_skip(const char *name, const char *why);
int kl_check(const char *name, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kl_check_eq(const char *name, u64 got, u64 want);
void kl_exit(u32 status) __attribute__((noreturn));
void kl_finish(void) __attribute__((noreturn)); /* exit 0 if nothing failed, else 1 */
const char *kl_cmdline(void);
int kl_cmdline_num(const char *key, u64 *out); /* "key=N" (decimal or 0x hex) in the command line */
int kl_strcmp(const char *a, const char *b);
unsigned long kl_strlen(const char *s);
void *kl_memset(void *d, int c, unsigned long n);
void *kl_memcpy(void *d, const void *s, unsigned long n);
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
int memcmp(const void *a, const void *b, unsigned long n);
/* Busy-wait about `loops` iterations; timeouts are counted in loop turns, not time (emulators vary). */
#define KL_SPIN_MAX 50000000UL

#ifdef __x86_64__
struct kl_frame { /* what isr64.S pushes, then the CPU's frame */
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code, rip, cs, rflags, rsp, ss;
};
typedef void (*kl_handler)(struct kl_frame *f);
void kl_idt_init(void);   /* BSP: 8259 remapped and masked, then build and load the IDT (every vector to kl_trap) */
void kl_pic_remap_mask(void);
void kl_idt_load(void);   /* APs: load the same IDT */
void kl_set_handler(int vector, kl_handler h);
/* Expected faults: kl_try() arms `vector`; a fault on it resumes at the probe's end with the details. */
struct kl_fault { int vector; u64 error_code, cr2, rip; };
extern volatile struct kl_fault kl_last_fault;
extern volatile u64 kl_resume_rip;
void kl_expect(int vector);
/* Start APs: copies the real-mode trampoline to KL_TRAMP_BASE; each AP runs fn(index from 1). */
#define KL_TRAMP_BASE 0x8000
#define KL_MAX_CPUS 16
void kl_smp_prepare(void (*fn)(u32 index));
/* Counters in the trampoline's page: each AP increments the first with LOCK INC while still in real mode
 * (DS = 0), the second when it reaches 64-bit code (its index, from 1). */
#define KL_TRAMP_RM_COUNT 0x8FF0
#define KL_TRAMP_AP_COUNT 0x8FF4
#define kl_tramp_realmode_count (*(volatile u32 *)(uptr)KL_TRAMP_RM_COUNT)
#define kl_tramp_ap_count (*(volatile u32 *)(uptr)KL_TRAMP_AP_COUNT)
#endif

#endif
