/* The test suite: built-in guests (generated from guest-tests/suite.txt) and what each must do. */
#ifndef HV_SUITE_H
#define HV_SUITE_H

#include "lib/types.h"
#include "rules/suite_entry.h"

extern const struct suite_entry builtin_suite[];
extern const u32 builtin_suite_count;
extern const struct suite_group builtin_groups[];
extern const u32 builtin_group_count;
/* Every built-in image once, LZ-packed (hv/lib/lz.h, scripts/lzpack.c); builtin_images_size unpacked. */
extern const u8 builtin_images_packed[], builtin_images_packed_end[];
extern const u64 builtin_images_size;

/* The guest's image: a guest= file's own, or a built-in one (unpacked from the EFI file at the first
 * call). NULL with *why set if it cannot be had. */
const u8 *suite_image(const struct suite_entry *t, u64 *size, const char **why);
/* Unpacks the built-in images now, if not done yet (the runner calls it before it starts timing the
 * first built-in guest, so that guest's time does not include it). */
void suite_images_unpack(void);

#endif
