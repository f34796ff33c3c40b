/* Command-line parsing (see cmdline.h). */
#include "cmdline.h"
#include "fmt.h"

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

static void parse_word(struct cmdline *c, const char *w, size_t len)
{
	static const char *const finish_names[] = { "halt", "shutdown", "debug-port" };
	static const char *const log_names[] = { "error", "warn", "info", "debug" };
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
		if (c->nguests == CMDLINE_MAX_GUESTS || !copy_word(c->guests[c->nguests], CMDLINE_NAME_MAX, v, vlen))
			set_error(c, "bad or too many guest= paths", w, len);
		else
			c->nguests++;
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
	} else {
		set_error(c, "unknown option", w, len);
	}
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int cmdline_parse(const char *s, struct cmdline *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->platform, "hw", 3);
	out->finish = FINISH_HALT;
	out->log_level = LOG_INFO;
	while (s && *s) {
		while (is_space(*s))
			s++;
		if (*s == '#') /* a comment runs to the end of the line (config files) */
			while (*s && *s != '\n')
				s++;
		size_t n = 0;
		while (s[n] && !is_space(s[n]))
			n++;
		if (n && *s != '#')
			parse_word(out, s, n);
		s += n;
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
