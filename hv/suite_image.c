/* The built-in guests' images: unpacked from the EFI file once, into pool memory, when the first
 * built-in guest runs (hv/lib/lz.h). Keeping one packed copy of each image is what keeps microhv.efi small. */
#include "suite.h"
#include "lib/fmt.h"
#include "log.h"
#include "lib/lz.h"
#include "mm.h"

static const u8 *images;
static bool unpacked;

void suite_images_unpack(void)
{
	if (unpacked)
		return;
	u64 pages = ALIGN_UP(builtin_images_size, PAGE_SIZE) / PAGE_SIZE;
	u8 *p = pages ? mm_alloc_pages(pages, PAGE_SIZE) : NULL;
	u64 packed = (u64)(builtin_images_packed_end - builtin_images_packed);
	unpacked = true;
	if (p && lz_unpack(builtin_images_packed, packed, p, builtin_images_size) == 0) {
		images = p;
		log_info("built-in guests: %llu bytes unpacked from %llu", builtin_images_size, packed);
		return;
	}
	log_error("the built-in guest images (%llu bytes packed) do not unpack to %llu bytes%s", packed,
		  builtin_images_size, p ? "" : ": out of memory");
	mm_free_pages(p, pages);
}

const u8 *suite_image(const struct suite_entry *t, u64 *size, const char **why)
{
	if (t->image) {
		*size = (u64)(t->image_end - t->image);
		return t->image;
	}
	suite_images_unpack();
	if (!images || (u64)t->image_offset + t->image_size > builtin_images_size) {
		*why = "the built-in guest images could not be unpacked";
		return NULL;
	}
	*size = t->image_size;
	return images + t->image_offset;
}
