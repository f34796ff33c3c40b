/* A strict-enough TAP line reader: "ok N - desc # SKIP why", "not ok N desc", "1..N", "Bail out! why". */
#include "tap.h"
#include "fmt.h"

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static const char *parse_number(const char *s, u32 *n)
{
	*n = 0;
	while (*s >= '0' && *s <= '9')
		*n = *n * 10 + (u32)(*s++ - '0');
	return s;
}

static void copy_trimmed(char *dst, const char *src, size_t len)
{
	while (len && (src[len - 1] == ' ' || src[len - 1] == '\t'))
		len--;
	len = MIN(len, (size_t)TAP_TEXT_MAX - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static bool starts_with_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != word[i])
			return false;
	}
	return true;
}

static void parse_test_line(const char *s, struct tap_line *out)
{
	s = parse_number(skip_spaces(s), &out->number);
	s = skip_spaces(s);
	if (*s == '-')
		s = skip_spaces(s + 1);
	const char *hash = s;
	while (*hash && *hash != '#')
		hash++;
	copy_trimmed(out->description, s, (size_t)(hash - s));
	if (*hash == '#') {
		const char *d = skip_spaces(hash + 1);
		copy_trimmed(out->directive, d, strlen(d));
		out->skip = starts_with_word(d, "SKIP");
		out->todo = starts_with_word(d, "TODO");
	}
}

void tap_parse_line(const char *line, struct tap_line *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(line, "ok", 2) == 0 && (line[2] == ' ' || line[2] == '\0')) {
		out->kind = TAP_OK;
		parse_test_line(line + 2, out);
	} else if (strncmp(line, "not ok", 6) == 0 && (line[6] == ' ' || line[6] == '\0')) {
		out->kind = TAP_NOT_OK;
		parse_test_line(line + 6, out);
	} else if (strncmp(line, "1..", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
		const char *end = parse_number(line + 3, &out->plan);
		out->kind = (*skip_spaces(end) == '\0' || *skip_spaces(end) == '#') ? TAP_PLAN : TAP_OTHER;
	} else if (strncmp(line, "Bail out!", 9) == 0) {
		out->kind = TAP_BAIL_OUT;
		copy_trimmed(out->description, skip_spaces(line + 9), strlen(skip_spaces(line + 9)));
	}
}
