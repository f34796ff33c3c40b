/* libFuzzer harness for the command-line and \microhv.cfg parser (hv/rules/cmdline.c): both come from the boot
 * volume, i.e. from whoever wrote it.
 *
 * Input: byte 0 selects the source: odd = a \microhv.cfg file, whose bytes boot/efi_main.c turns into
 * printable ASCII and newlines first; even = raw load options (any byte but NUL). The rest is the text.
 * Invariants (cmdline.h): every string in the result is NUL-terminated inside its buffer and within its
 * limits, the counts stay within their arrays, an error is reported iff the return value says so, and a
 * successful parse is a fixed point: writing the result back out as a command line and parsing that
 * gives the same result. */
#include <string.h>

#include "hv/rules/cmdline.h"
#include "tests/fuzz/fuzz.h"

#define TEXT_MAX 4096
#define OUT_MAX (4 * TEXT_MAX)

static bool terminated(const char *s, size_t cap) { return memchr(s, '\0', cap) != NULL; }

static void check_guest(const struct cmdline_guest *g)
{
	FUZZ_CHECK(terminated(g->path, sizeof(g->path)) && g->path[0]);
	FUZZ_CHECK(terminated(g->append, sizeof(g->append)));
	FUZZ_CHECK(terminated(g->error, sizeof(g->error)));
	FUZZ_CHECK(g->vcpus <= CMDLINE_MAX_VCPUS && g->nmods <= CMDLINE_MAX_MODULES);
	FUZZ_CHECK((g->given & ~0x1Fu) == 0); /* append, initrd, smp, mem, timeout */
	FUZZ_CHECK(g->mem_mib == 0 || (g->mem_mib >= CMDLINE_MIN_MEM_MIB && g->mem_mib <= CMDLINE_MAX_MEM_MIB));
	FUZZ_CHECK(g->timeout_s <= CMDLINE_MAX_TIMEOUT_S);
	for (u32 m = 0; m < g->nmods; m++) {
		const struct cmdline_module *mod = &g->mods[m];
		char file[CMDLINE_NAME_MAX];
		FUZZ_CHECK(terminated(mod->string, sizeof(mod->string)) && !strchr(mod->string, ','));
		size_t len = strlen(mod->string);
		/* The file name is the part before the first space: non-empty, and a whole prefix. */
		FUZZ_CHECK(mod->file_len >= 1 && mod->file_len <= len);
		FUZZ_CHECK(mod->string[mod->file_len] == ' ' || mod->string[mod->file_len] == '\0');
		FUZZ_CHECK(memchr(mod->string, ' ', mod->file_len) == NULL);
		cmdline_module_file(mod, file);
		FUZZ_CHECK(strlen(file) == mod->file_len && !memcmp(file, mod->string, mod->file_len));
	}
}

static void check_result(const struct cmdline *c, int rc)
{
	FUZZ_CHECK(terminated(c->error, sizeof(c->error)));
	FUZZ_CHECK((rc == 0) == (c->error[0] == '\0') && (rc == 0 || rc == -EINVAL));
	FUZZ_CHECK(c->ntests <= CMDLINE_MAX_TESTS && c->nguests <= CMDLINE_MAX_GUESTS);
	FUZZ_CHECK(terminated(c->platform, sizeof(c->platform)) && c->platform[0]);
	FUZZ_CHECK(c->finish <= FINISH_DEBUG_PORT && c->log_level <= LOG_DEBUG);
	FUZZ_CHECK(c->console >= CONSOLE_SERIAL && c->console <= CONSOLE_BOTH);
	FUZZ_CHECK(c->serial_port == CMDLINE_COM1 || c->serial_port == CMDLINE_COM2);
	for (u32 i = 0; i < c->ntests; i++) {
		FUZZ_CHECK(terminated(c->tests[i], sizeof(c->tests[i])) && c->tests[i][0]);
		FUZZ_CHECK(!strchr(c->tests[i], ',') && cmdline_selects(c, c->tests[i]));
	}
	if (c->ntests == 0)
		FUZZ_CHECK(cmdline_selects(c, "anything"));
	for (u32 i = 0; i < c->nguests; i++)
		check_guest(&c->guests[i]);
}

/* Appends `key="value"` and a space. Values never hold a double quote: the parser removes them all. */
static void put(char *out, size_t *pos, const char *key, const char *value)
{
	int n = snprintf(out + *pos, OUT_MAX - *pos, "%s=\"%s\" ", key, value);
	FUZZ_CHECK(n > 0 && (size_t)n < OUT_MAX - *pos);
	*pos += (size_t)n;
}

static void unparse_guest(const struct cmdline_guest *g, char *out, size_t *pos)
{
	char buf[16];

	put(out, pos, "guest", g->path);
	if (g->given & BIT(0))
		put(out, pos, "append", g->append);
	if (g->given & BIT(1)) {
		char list[CMDLINE_MAX_MODULES * CMDLINE_NAME_MAX];
		size_t n = 0;
		for (u32 m = 0; m < g->nmods; m++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", m ? "," : "", g->mods[m].string);
		put(out, pos, "initrd", list);
	}
	if (g->given & BIT(2)) {
		snprintf(buf, sizeof(buf), "%u", g->vcpus);
		put(out, pos, "smp", buf);
	}
	if (g->given & BIT(3)) { /* in MiB, without a suffix */
		snprintf(buf, sizeof(buf), "%u", g->mem_mib);
		put(out, pos, "mem", buf);
	}
	if (g->given & BIT(4)) {
		snprintf(buf, sizeof(buf), "%u", g->timeout_s);
		put(out, pos, "timeout", buf);
	}
}

static void unparse(const struct cmdline *c, char *out)
{
	static const char *const finish[] = { "halt", "shutdown", "debug-port" };
	static const char *const level[] = { "error", "warn", "info", "debug" };
	static const char *const console[] = { "", "serial", "screen", "both" };
	size_t pos = 0;

	out[0] = '\0';
	for (u32 i = 0; i < c->ntests; i++)
		put(out, &pos, "test", c->tests[i]);
	for (u32 i = 0; i < c->nguests; i++)
		unparse_guest(&c->guests[i], out, &pos);
	put(out, &pos, "platform", c->platform);
	put(out, &pos, "exit", finish[c->finish]);
	put(out, &pos, "log", level[c->log_level]);
	put(out, &pos, "console", console[c->console]);
	put(out, &pos, "serial", c->serial_port == CMDLINE_COM2 ? "0x2F8" : "0x3F8");
}

/* Equal as the rest of microhv reads them: up to each string's NUL (a value given twice, e.g. platform=,
 * may leave the longer first one's tail behind the NUL). */
static bool same_guest(const struct cmdline_guest *a, const struct cmdline_guest *b)
{
	if (strcmp(a->path, b->path) || strcmp(a->append, b->append) || a->vcpus != b->vcpus ||
	    a->mem_mib != b->mem_mib || a->timeout_s != b->timeout_s || a->nmods != b->nmods || a->given != b->given)
		return false;
	for (u32 m = 0; m < a->nmods; m++)
		if (strcmp(a->mods[m].string, b->mods[m].string) || a->mods[m].file_len != b->mods[m].file_len)
			return false;
	return true;
}

static bool same_cmdline(const struct cmdline *a, const struct cmdline *b)
{
	if (a->ntests != b->ntests || a->nguests != b->nguests || strcmp(a->platform, b->platform) ||
	    a->finish != b->finish || a->log_level != b->log_level || a->console != b->console ||
	    a->serial_port != b->serial_port)
		return false;
	for (u32 i = 0; i < a->ntests; i++)
		if (strcmp(a->tests[i], b->tests[i]))
			return false;
	for (u32 i = 0; i < a->nguests; i++)
		if (!same_guest(&a->guests[i], &b->guests[i]))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static char text[TEXT_MAX + 1], again_text[OUT_MAX];
	static struct cmdline c, again;
	struct fuzz_in in = fuzz_in(data, size);
	bool cfg_file = fuzz_bool(&in);
	const u8 *bytes;
	size_t n = fuzz_take(&in, TEXT_MAX, &bytes);

	for (size_t i = 0; i < n; i++) /* as boot/efi_main.c reads \microhv.cfg */
		text[i] = !cfg_file || (bytes[i] >= ' ' && bytes[i] < 0x7F) || bytes[i] == '\n' ? (char)bytes[i] : ' ';
	text[n] = '\0';

	int rc = cmdline_parse(text, &c);
	check_result(&c, rc);
	if (rc)
		return 0;
	for (u32 i = 0; i < c.nguests; i++)
		if (c.guests[i].error[0])
			return 0; /* a refused guest= keeps whatever it had parsed: nothing to write back */
	unparse(&c, again_text);
	FUZZ_CHECK(cmdline_parse(again_text, &again) == 0);
	FUZZ_CHECK(same_cmdline(&c, &again));
	return 0;
}
