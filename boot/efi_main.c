/* UEFI entry: gather what the hypervisor needs from the firmware, leave boot services, jump to hv_entry.
 * Everything the firmware hands over is copied into struct boot_info; nothing from boot services survives. */
#include <efi.h>
#include <efilib.h>

#include "boot_info.h"
#include "hv/rules/cmdline.h"
#include "hv/lib/fmt.h"

#define POOL_MAX_BYTES BOOT_POOL_MAX_BYTES
#define POOL_MIN_BYTES (48ull << 20)
#define HV_STACK_BYTES (64ull << 10)
#define GUEST_FILE_MAX_BYTES (64ull << 20)
#define CONFIG_FILE_NAME L"\\microhv.cfg"
#define MEMORY_MAP_BYTES (64ull << 10)
#define EBS_ATTEMPTS 8

static struct boot_info boot_info;
static u8 *memory_map; /* MEMORY_MAP_BYTES from the firmware's pool: not 64 KiB of zeros in the image */
static EFI_RUNTIME_SERVICES *runtime_services;

void boot_switch_stack(u64 stack_top, struct boot_info *bi) __attribute__((noreturn));
extern const u8 ap_trampoline_start[], ap_trampoline_end[];

#define AP_TRAMPOLINE_MAX_ADDRESS 0x9FFFFull /* below the EBDA and the VGA hole: a STARTUP IPI's vector page */
_Static_assert(offsetof(struct boot_ap_params, cr3) == BOOT_AP_CR3 && offsetof(struct boot_ap_params, cr0) == BOOT_AP_CR0 &&
	       offsetof(struct boot_ap_params, cr4) == BOOT_AP_CR4 && offsetof(struct boot_ap_params, efer) == BOOT_AP_EFER &&
	       offsetof(struct boot_ap_params, stack_top) == BOOT_AP_STACK &&
	       offsetof(struct boot_ap_params, entry) == BOOT_AP_ENTRY && offsetof(struct boot_ap_params, arg) == BOOT_AP_ARG,
	       "ap_trampoline.asm reads struct boot_ap_params at these offsets");

static void firmware_shutdown(void)
{
	runtime_services->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
}

static void *alloc_pages(u64 bytes, u64 align)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	UINTN pages = (bytes + align) / EFI_PAGE_SIZE;
	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &addr) != EFI_SUCCESS)
		return NULL;
	return (void *)ALIGN_UP(addr, align);
}

/* The command line: the image's load options (minus a leading program name), else \microhv.cfg. */
static void ascii_from_ucs2(char *dst, u64 cap, const CHAR16 *src, u64 chars)
{
	u64 n = 0;
	for (u64 i = 0; i < chars && src[i] && n + 1 < cap; i++)
		dst[n++] = src[i] >= ' ' && src[i] < 0x7F ? (char)src[i] : ' ';
	dst[n] = '\0';
}

static void drop_program_name(char *s)
{
	u64 n = 0;
	while (s[n] && s[n] != ' ')
		n++;
	if (n < 4 || (strncmp(s + n - 4, ".efi", 4) && strncmp(s + n - 4, ".EFI", 4)))
		return;
	while (s[n] == ' ')
		n++;
	for (u64 i = 0;; i++) { /* moving left: a forward copy is safe */
		s[i] = s[i + n];
		if (!s[i])
			break;
	}
}

static EFI_FILE_HANDLE open_boot_volume(EFI_LOADED_IMAGE *image)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_HANDLE root;
	if (BS->HandleProtocol(image->DeviceHandle, &FileSystemProtocol, (void **)&fs) != EFI_SUCCESS)
		return NULL;
	if (fs->OpenVolume(fs, &root) != EFI_SUCCESS)
		return NULL;
	return root;
}

/* Reads a whole file; returns NULL with *error set on failure. */
static u8 *read_file(EFI_FILE_HANDLE root, const char *path, u64 *size, const char **error)
{
	CHAR16 wpath[BOOT_FILE_NAME_MAX];
	EFI_FILE_HANDLE f;
	u64 i;
	for (i = 0; path[i] && i + 1 < BOOT_FILE_NAME_MAX; i++)
		wpath[i] = path[i] == '/' ? L'\\' : (CHAR16)path[i];
	wpath[i] = 0;
	if (!root || root->Open(root, &f, wpath, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS) {
		*error = "file not found on the boot volume";
		return NULL;
	}
	EFI_FILE_INFO *info = LibFileInfo(f);
	u8 *data = NULL;
	if (!info) {
		*error = "cannot read file information";
	} else if (info->FileSize > GUEST_FILE_MAX_BYTES) {
		*error = "file larger than 64 MiB";
	} else if (!(data = alloc_pages(info->FileSize + 1, EFI_PAGE_SIZE))) {
		*error = "out of memory while loading";
	} else {
		UINTN n = info->FileSize;
		if (f->Read(f, &n, data) != EFI_SUCCESS || n != info->FileSize) {
			*error = "read error";
			data = NULL;
		}
		*size = n;
	}
	if (info)
		FreePool(info);
	f->Close(f);
	return data;
}

static void read_command_line(EFI_LOADED_IMAGE *image, EFI_FILE_HANDLE root)
{
	char *cmd = boot_info.cmdline;
	if (image->LoadOptionsSize >= sizeof(CHAR16))
		ascii_from_ucs2(cmd, BOOT_CMDLINE_MAX, image->LoadOptions, image->LoadOptionsSize / sizeof(CHAR16));
	boot_info.cmdline_source = "load options";
	boot_info.cmdline_source_bytes = image->LoadOptionsSize / sizeof(CHAR16);
	drop_program_name(cmd);
	if (cmd[0])
		return;
	boot_info.cmdline_source = "microhv.cfg";
	boot_info.cmdline_source_bytes = 0;
	u64 size = 0;
	const char *error;
	u8 *cfg = read_file(root, "\\microhv.cfg", &size, &error);
	if (cfg) {
		boot_info.cmdline_source_bytes = size;
		u64 n = MIN(size, (u64)BOOT_CMDLINE_MAX - 1);
		/* Newlines stay, so that a '#' comment ends at the end of its line; other control bytes become
		 * spaces. */
		for (u64 i = 0; i < n; i++)
			cmd[i] = (cfg[i] >= ' ' && cfg[i] < 0x7F) || cfg[i] == '\n' ? (char)cfg[i] : ' ';
		cmd[n] = '\0';
	}
}

_Static_assert(BOOT_MAX_FILES >= CMDLINE_MAX_GUESTS * (1 + CMDLINE_MAX_MODULES), "room for every named file");
_Static_assert(BOOT_FILE_NAME_MAX == CMDLINE_NAME_MAX, "a name from the command line fits exactly");

/* Reads `path` into the next boot_file unless an earlier guest or module named the same file. */
static void load_file(EFI_FILE_HANDLE root, const char *path)
{
	for (u32 i = 0; i < boot_info.nfiles; i++)
		if (strcmp(boot_info.files[i].name, path) == 0)
			return;
	if (boot_info.nfiles == BOOT_MAX_FILES)
		return;
	struct boot_file *f = &boot_info.files[boot_info.nfiles++];
	memcpy(f->name, path, sizeof(f->name));
	f->data = read_file(root, f->name, &f->size, &f->error);
}

/* Every guest image and module the command line names. */
static void load_guest_files(EFI_FILE_HANDLE root)
{
	struct cmdline *cl; /* too large for the firmware's stack, and kept out of the EFI file's .data */
	char module[CMDLINE_NAME_MAX];

	if (BS->AllocatePool(EfiLoaderData, sizeof(*cl), (void **)&cl) != EFI_SUCCESS) {
		Print(L"microhv: no memory to read the command line's guest files\n");
		return;
	}
	cmdline_parse(boot_info.cmdline, cl); /* errors are reported by hv_main, which parses again */
	for (u32 i = 0; i < cl->nguests; i++) {
		load_file(root, cl->guests[i].path);
		for (u32 m = 0; m < cl->guests[i].nmods; m++) {
			cmdline_module_file(&cl->guests[i].mods[m], module);
			load_file(root, module);
		}
	}
	BS->FreePool(cl);
}

static void find_firmware_tables(EFI_SYSTEM_TABLE *st)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &acpi20))
			boot_info.acpi_rsdp = (u64)t->VendorTable;
		else if (!CompareGuid(&t->VendorGuid, &acpi10) && !boot_info.acpi_rsdp)
			boot_info.acpi_rsdp = (u64)t->VendorTable;
	}
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	if (BS->LocateProtocol(&GraphicsOutputProtocol, NULL, (void **)&gop) == EFI_SUCCESS && gop->Mode) {
		boot_info.fb.base = gop->Mode->FrameBufferBase;
		boot_info.fb.width = gop->Mode->Info->HorizontalResolution;
		boot_info.fb.height = gop->Mode->Info->VerticalResolution;
		boot_info.fb.pixels_per_line = gop->Mode->Info->PixelsPerScanLine;
		boot_info.fb.format = gop->Mode->Info->PixelFormat;
	}
}

static bool allocate_hypervisor_memory(void)
{
	for (u64 bytes = POOL_MAX_BYTES; bytes >= POOL_MIN_BYTES; bytes /= 2) {
		void *pool = alloc_pages(bytes, LARGE_PAGE_SIZE);
		if (pool) {
			boot_info.pool_base = (u64)pool;
			boot_info.pool_size = bytes;
			break;
		}
	}
	u8 *stack = alloc_pages(EFI_PAGE_SIZE + HV_STACK_BYTES, EFI_PAGE_SIZE);
	if (!boot_info.pool_base || !stack)
		return false;
	boot_info.stack_guard = (u64)stack;
	boot_info.stack_top = (u64)stack + EFI_PAGE_SIZE + HV_STACK_BYTES;
	return true;
}

/* The APs' first instructions, in pages below 1 MiB that stay the hypervisor's (EfiLoaderData). Without
 * them hv/ runs on the boot CPU alone. */
static void place_ap_trampoline(void)
{
	EFI_PHYSICAL_ADDRESS addr = AP_TRAMPOLINE_MAX_ADDRESS;
	if (BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, BOOT_AP_TRAMPOLINE_PAGES, &addr) != EFI_SUCCESS)
		return;
	memset((void *)addr, 0, BOOT_AP_TRAMPOLINE_PAGES * EFI_PAGE_SIZE);
	memcpy((void *)addr, ap_trampoline_start, (u64)(ap_trampoline_end - ap_trampoline_start));
	boot_info.ap_trampoline = addr;
}

/* EFI_MP_SERVICES_PROTOCOL (UEFI PI Vol. 2 §13.4), which gnu-efi does not declare: only the two calls
 * that list the processors. */
#define MP_SERVICES_GUID { 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }
#define MP_PROCESSOR_ENABLED 0x2 /* StatusFlag: PROCESSOR_ENABLED_BIT */
struct mp_processor_info {
	UINT64 processor_id; /* the APIC ID */
	UINT32 status_flag;
	UINT32 location[3];
	UINT32 extended[24]; /* room for the PI 1.7 extended topology, which is not asked for */
};
struct mp_services {
	EFI_STATUS (EFIAPI *get_number_of_processors)(struct mp_services *self, UINTN *count, UINTN *enabled);
	EFI_STATUS (EFIAPI *get_processor_info)(struct mp_services *self, UINTN index, struct mp_processor_info *info);
};

/* The firmware's list of processors: hv/ uses it when ACPI has no MADT. */
static void list_firmware_cpus(void)
{
	EFI_GUID guid = MP_SERVICES_GUID;
	struct mp_services *mp;
	UINTN count, enabled;
	if (BS->LocateProtocol(&guid, NULL, (void **)&mp) != EFI_SUCCESS ||
	    mp->get_number_of_processors(mp, &count, &enabled) != EFI_SUCCESS)
		return;
	for (UINTN i = 0; i < count; i++) {
		struct mp_processor_info info;
		if (mp->get_processor_info(mp, i, &info) != EFI_SUCCESS || !(info.status_flag & MP_PROCESSOR_ENABLED))
			continue;
		if (boot_info.nfw_cpus < BOOT_MAX_FW_CPUS)
			boot_info.fw_apic_ids[boot_info.nfw_cpus] = (u32)info.processor_id;
		boot_info.nfw_cpus++;
	}
}

static u32 classify(u32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_USABLE;
	case EfiLoaderCode:
	case EfiLoaderData:
		return BOOT_MEM_HV;
	case EfiRuntimeServicesCode:
		return BOOT_MEM_FIRMWARE_CODE;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* Converts the final memory map; must not allocate (that would change the map key). */
static void record_memory_map(UINTN map_size, UINTN desc_size)
{
	boot_info.nmem = 0;
	for (UINTN off = 0; off + desc_size <= map_size && boot_info.nmem < BOOT_MAX_MEM_REGIONS; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(memory_map + off);
		struct boot_mem_region *r = &boot_info.mem[boot_info.nmem++];
		r->base = d->PhysicalStart;
		r->size = d->NumberOfPages * EFI_PAGE_SIZE;
		r->type = classify(d->Type);
	}
}

static EFI_STATUS exit_boot_services(EFI_HANDLE image)
{
	EFI_STATUS status = EFI_LOAD_ERROR;
	/* Allocated before the first GetMemoryMap: an allocation later would change the map key. */
	if (!memory_map && BS->AllocatePool(EfiLoaderData, MEMORY_MAP_BYTES, (void **)&memory_map) != EFI_SUCCESS)
		return EFI_OUT_OF_RESOURCES;
	for (int attempt = 0; attempt < EBS_ATTEMPTS; attempt++) {
		UINTN map_size = MEMORY_MAP_BYTES, key, desc_size;
		UINT32 desc_version;
		status = BS->GetMemoryMap(&map_size, (EFI_MEMORY_DESCRIPTOR *)memory_map, &key, &desc_size,
					  &desc_version);
		if (status != EFI_SUCCESS)
			return status;
		record_memory_map(map_size, desc_size);
		status = BS->ExitBootServices(image, key);
		if (status == EFI_SUCCESS)
			return status;
		/* EFI_INVALID_PARAMETER: the map changed under us (an event fired); fetch it again. */
	}
	return status;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *loaded;

	InitializeLib(image, st);
	runtime_services = st->RuntimeServices;
	if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&loaded) != EFI_SUCCESS) {
		Print(L"microhv: cannot find the loaded image protocol\n");
		return EFI_LOAD_ERROR;
	}
	boot_info.image_base = (u64)loaded->ImageBase;
	boot_info.image_size = loaded->ImageSize;
	boot_info.shutdown = firmware_shutdown;

	EFI_FILE_HANDLE root = open_boot_volume(loaded);
	read_command_line(loaded, root);
	load_guest_files(root);
	find_firmware_tables(st);
	if (!allocate_hypervisor_memory()) {
		Print(L"microhv: cannot allocate %d MiB for the hypervisor\n", (int)(POOL_MIN_BYTES >> 20));
		return EFI_OUT_OF_RESOURCES;
	}
	place_ap_trampoline();
	list_firmware_cpus();
	/* Stop the firmware watchdog (5 minutes by default) before it resets a long suite. */
	BS->SetWatchdogTimer(0, 0, 0, NULL);
	EFI_STATUS status = exit_boot_services(image);
	if (status != EFI_SUCCESS) {
		Print(L"microhv: ExitBootServices failed: %r\n", status);
		return status;
	}
	__asm__ volatile("cli");
	boot_switch_stack(boot_info.stack_top, &boot_info);
}
