/* The VMX instructions, each in one small inline helper. */
#ifndef HV_VMX_VMX_OPS_H
#define HV_VMX_VMX_OPS_H

#include "../lib/types.h"

/* VMX instructions report failure in RFLAGS: CF (VMfailInvalid) or ZF (VMfailValid). */
static inline bool vmxon(u64 pa)
{
	bool fail;
	__asm__ volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmclear(u64 pa)
{
	bool fail;
	__asm__ volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmptrld(u64 pa)
{
	bool fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline u64 vmread(u64 field)
{
	u64 value = 0;
	__asm__ volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

static inline bool vmwrite(u64 field, u64 value)
{
	bool fail;
	__asm__ volatile("vmwrite %2, %1; setna %0" : "=q"(fail) : "r"(field), "rm"(value) : "cc");
	return !fail;
}

#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXTS 2
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXTS 2

static inline void invept(u64 type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };
	__asm__ volatile("invept %0, %1" ::"m"(desc), "r"(type) : "cc", "memory");
}

static inline void invvpid(u64 type, u16 vpid)
{
	struct { u64 vpid, address; } desc = { vpid, 0 };
	__asm__ volatile("invvpid %0, %1" ::"m"(desc), "r"(type) : "cc", "memory");
}

#endif
