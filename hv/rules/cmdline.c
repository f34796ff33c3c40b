/* Command-line parsing (see cmdline.h). */
#include "cmdline.h"
#include "../lib/fmt.h"

#define CMDLINE_WORD_MAX 2064 /* one word after its quotes are removed, with its NUL: append="..." fits */
_Static_assert(CMDLINE_WORD_MAX >= CMDLINE_APPEND_MAX + sizeof("append="), "an append= word fits");
#define DECIMAL_BASE 10

/* parse_guest_option(): the per-guest options, in the order of its table. */
enum guest_option { GUEST_OPT_APPEND, GUEST_OPT_INITRD, GUEST_OPT_SMP, GUEST_OPT_MEM, GUEST_OPT_TIMEOUT };

static bool copy_word(char *dst, size_t cap, const char *src, size_t len)
{
	if (len == 0 || len >= cap)
		return false;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

static void set_error(struct cmdline *c, const char *what, const char *word, size_t len)
{
	if (c->error[0])
		return;
	snprintf(c->error, sizeof(c->error), "%s: '%.*s'", what, (int)MIN(len, 60u), word);
}

/* A bad option of one guest= fails that guest only (the runner reports it); the rest of the line runs. */
static void guest_error(struct cmdline_guest *g, const char *what, const char *word, size_t len)
{
	if (g->error[0])
		return;
	snprintf(g->error, sizeof(g->error), "%s: '%.*s'", what, (int)MIN(len, 60u), word);
}

static bool value_is(const char *v, size_t len, const char *lit)
{
	return strlen(lit) == len && strncmp(v, lit, len) == 0;
}

static void parse_tests(struct cmdline *c, const char *v, size_t len)
{
	while (len) {
		size_t n = 0;
		while (n < len && v[n] != ',')
			n++;
		if (c->ntests == CMDLINE_MAX_TESTS || !copy_word(c->tests[c->ntests], CMDLINE_LABEL_MAX, v, n))
			set_error(c, "bad test name", v, n);
		else
			c->ntests++;
		v += n;
		len -= n;
		if (len) { /* skip the comma */
			v++;
			len--;
		}
	}
}

static bool parse_enum(const char *v, size_t len, const char *const names[], u32 count, u32 *out)
{
	for (u32 i = 0; i < count; i++)
		if (value_is(v, len, names[i])) {
			*out = i;
			return true;
		}
	return false;
}

/* A decimal count from 1 to max, digits only. */
static bool parse_count(const char *v, size_t len, u32 max, u32 *out)
{
	u32 n = 0;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * DECIMAL_BASE + (u32)(v[i] - '0');
		if (n > max)
			return false;
	}
	*out = n;
	return n >= 1;
}

/* QEMU's -m: MiB, or with an M or G suffix. */
static bool parse_mem(const char *v, size_t len, u32 *mib)
{
	u32 scale = 1;
	if (len && (v[len - 1] == 'M' || v[len - 1] == 'G')) {
		scale = v[len - 1] == 'G' ? MIB_PER_GIB : 1;
		len--;
	}
	u32 n;
	if (!parse_count(v, len, CMDLINE_MAX_MEM_MIB / scale, &n) || n * scale < CMDLINE_MIN_MEM_MIB)
		return false;
	*mib = n * scale;
	return true;
}

/* QEMU's -initrd list: "FILE[ ARGS]" items separated by commas. */
static void parse_initrd(struct cmdline *c, struct cmdline_guest *g, const char *w, size_t len, const char *v,
			 size_t vlen)
{
	for (;;) {
		size_t n = 0, file = 0;
		while (n < vlen && v[n] != ',')
			n++;
		while (file < n && v[file] != ' ')
			file++;
		if (file == 0) {
			guest_error(g, "initrd= item without a file name (no ',,' escapes)", w, len);
			return;
		}
		if (g->nmods == CMDLINE_MAX_MODULES) {
			guest_error(g, "more than " STRINGIFY(CMDLINE_MAX_MODULES) " initrd= modules", w, len);
			return;
		}
		struct cmdline_module *m = &g->mods[g->nmods];
		if (!copy_word(m->string, CMDLINE_NAME_MAX, v, n)) {
			guest_error(g, "initrd= module string too long", w, len);
			return;
		}
		m->file_len = (u32)file;
		g->nmods++;
		if (n == vlen)
			return;
		v += n + 1;
		vlen -= n + 1;
	}
}

/* The options that describe the last guest=; returns false if `key` is not one of them. */
static bool parse_guest_option(struct cmdline *c, const char *w, size_t len, size_t k)
{
	static const char *const keys[] = { "append", "initrd", "smp", "mem", "timeout" };
	u32 opt;
	if (!parse_enum(w, k, keys, ARRAY_SIZE(keys), &opt))
		return false;
	const char *v = w + k + 1;
	size_t vlen = len - k - 1;
	struct cmdline_guest *g = &c->guests[c->nguests ? c->nguests - 1 : 0];
	if (!c->nguests) {
		set_error(c, "append=, initrd=, smp=, mem= and timeout= must follow the guest= they describe", w, len);
	} else if (g->given & BIT(opt)) {
		guest_error(g, "given twice for one guest=", w, len);
	} else if (opt == GUEST_OPT_APPEND) {
		/* Empty is allowed: QEMU's -append "" is the default. */
		if (vlen >= CMDLINE_APPEND_MAX)
			guest_error(g, "append= longer than " STRINGIFY(CMDLINE_APPEND_MAX) " characters", w, len);
		else
			memcpy(g->append, v, vlen);
	} else if (opt == GUEST_OPT_INITRD) {
		parse_initrd(c, g, w, len, v, vlen);
	} else if (opt == GUEST_OPT_MEM) {
		if (!parse_mem(v, vlen, &g->mem_mib))
			guest_error(g, "mem= takes MiB (or a size with M or G) from " STRINGIFY(CMDLINE_MIN_MEM_MIB) " to "
				  STRINGIFY(CMDLINE_MAX_MEM_MIB), w, len);
	} else if (opt == GUEST_OPT_TIMEOUT) {
		if (!parse_count(v, vlen, CMDLINE_MAX_TIMEOUT_S, &g->timeout_s))
			guest_error(g, "timeout= takes seconds from 1 to " STRINGIFY(CMDLINE_MAX_TIMEOUT_S), w, len);
	} else if (!parse_count(v, vlen, CMDLINE_MAX_VCPUS, &g->vcpus)) {
		guest_error(g, "smp= takes a vCPU count from 1 to " STRINGIFY(CMDLINE_MAX_VCPUS), w, len);
	}
	if (c->nguests)
		g->given |= (u32)BIT(opt);
	return true;
}

/* The words about the host machine itself; returns false if `w` is none of them. */
static bool parse_host_word(struct cmdline *c, const char *w, size_t len, size_t k)
{
	static const char *const selftest_names[] = { "none", "text-write", "rodata-write", "data-exec",
						      "stack-overflow" };
	static const char *const ap_fault_names[] = { "none", "silent", "locked" };
	const char *v = w + k + 1;
	size_t vlen = len - k - 1;
	u32 e;
	if (value_is(w, k, "selftest")) {
		if (parse_enum(v, vlen, selftest_names, ARRAY_SIZE(selftest_names), &e))
			c->selftest = e;
		else
			set_error(c, "selftest= takes text-write, rodata-write, data-exec or stack-overflow", w, len);
	} else if (value_is(w, k, "pcpus")) {
		if (!parse_count(v, vlen, CMDLINE_MAX_PCPUS, &c->pcpus))
			set_error(c, "pcpus= takes a physical CPU count from 1 to " STRINGIFY(CMDLINE_MAX_PCPUS), w, len);
	} else if (value_is(w, k, "ap-fault")) {
		if (parse_enum(v, vlen, ap_fault_names, ARRAY_SIZE(ap_fault_names), &e))
			c->ap_fault = e;
		else
			set_error(c, "ap-fault= takes none, silent or locked", w, len);
	} else {
		return false;
	}
	return true;
}

static void parse_word(struct cmdline *c, const char *w, size_t len)
{
	static const char *const finish_names[] = { "halt", "shutdown", "debug-port" };
	static const char *const log_names[] = { "error", "warn", "info", "debug" };
	static const char *const console_names[] = { "none", "serial", "screen", "both" };
	size_t k = 0;
	while (k < len && w[k] != '=')
		k++;
	if (k == len) {
		set_error(c, "expected key=value", w, len);
		return;
	}
	const char *v = w + k + 1;
	size_t vlen = len - k - 1;
	u32 e;

	if (value_is(w, k, "test")) {
		if (vlen == 0) /* not "select everything": that is what leaving test= out means */
			set_error(c, "empty test= list", w, len);
		parse_tests(c, v, vlen);
	} else if (value_is(w, k, "guest")) {
		if (c->nguests == CMDLINE_MAX_GUESTS ||
		    !copy_word(c->guests[c->nguests].path, CMDLINE_NAME_MAX, v, vlen))
			set_error(c, "bad or too many guest= paths", w, len);
		else
			c->nguests++;
	} else if (parse_guest_option(c, w, len, k)) {
		return;
	} else if (value_is(w, k, "platform")) {
		if (!copy_word(c->platform, CMDLINE_LABEL_MAX, v, vlen))
			set_error(c, "bad platform label", w, len);
	} else if (value_is(w, k, "exit")) {
		if (parse_enum(v, vlen, finish_names, ARRAY_SIZE(finish_names), &e))
			c->finish = e;
		else
			set_error(c, "exit= takes halt, shutdown or debug-port", w, len);
	} else if (value_is(w, k, "log")) {
		if (parse_enum(v, vlen, log_names, ARRAY_SIZE(log_names), &e))
			c->log_level = e;
		else
			set_error(c, "log= takes error, warn, info or debug", w, len);
	} else if (value_is(w, k, "console")) {
		if (parse_enum(v, vlen, console_names, ARRAY_SIZE(console_names), &e) && e != 0)
			c->console = e;
		else
			set_error(c, "console= takes serial, screen or both", w, len);
	} else if (value_is(w, k, "serial")) {
		if (value_is(v, vlen, "0x3F8") || value_is(v, vlen, "0x3f8"))
			c->serial_port = CMDLINE_COM1;
		else if (value_is(v, vlen, "0x2F8") || value_is(v, vlen, "0x2f8"))
			c->serial_port = CMDLINE_COM2;
		else
			set_error(c, "serial= takes 0x3F8 (COM1) or 0x2F8 (COM2)", w, len);
	} else if (!parse_host_word(c, w, len, k)) {
		set_error(c, "unknown option", w, len);
	}
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Copies the word at s into buf without its double quotes; returns where the word ends. */
static const char *next_word(const char *s, char buf[CMDLINE_WORD_MAX], size_t *len, const char **problem)
{
	bool quoted = false;
	size_t n = 0;

	*problem = NULL;
	for (; *s && (quoted || !is_space(*s)); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (n + 1 < CMDLINE_WORD_MAX)
			buf[n++] = *s;
		else
			*problem = "word longer than " STRINGIFY(CMDLINE_WORD_MAX) " characters";
	}
	if (quoted)
		*problem = "unterminated double quote";
	buf[n] = '\0';
	*len = n;
	return s;
}

int cmdline_parse(const char *s, struct cmdline *out)
{
	char word[CMDLINE_WORD_MAX];

	memset(out, 0, sizeof(*out));
	memcpy(out->platform, "hw", 3);
	out->finish = FINISH_HALT;
	out->log_level = LOG_INFO;
	out->console = CONSOLE_BOTH;
	out->serial_port = CMDLINE_COM1;
	while (s && *s) {
		while (is_space(*s))
			s++;
		if (*s == '#') { /* a comment runs to the end of the line (config files) */
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (!*s)
			break;
		size_t n;
		const char *problem;
		s = next_word(s, word, &n, &problem);
		if (problem)
			set_error(out, problem, word, n);
		else
			parse_word(out, word, n);
	}
	return out->error[0] ? -EINVAL : 0;
}

bool cmdline_selects(const struct cmdline *c, const char *name)
{
	if (c->ntests == 0)
		return true;
	for (u32 i = 0; i < c->ntests; i++)
		if (strcmp(c->tests[i], name) == 0)
			return true;
	return false;
}

void cmdline_module_file(const struct cmdline_module *m, char dst[CMDLINE_NAME_MAX])
{
	memcpy(dst, m->string, m->file_len);
	dst[m->file_len] = '\0';
}
