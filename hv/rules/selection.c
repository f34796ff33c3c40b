/* test= selection (see selection.h). */
#include "selection.h"
#include "../lib/fmt.h"

#define GROUP_PREFIX '@'

static const struct suite_group *find_group(const struct selection_tables *tab, const char *word)
{
	if (word[0] != GROUP_PREFIX)
		return NULL;
	for (u32 i = 0; i < tab->ngroups; i++)
		if (strcmp(tab->groups[i].name, word + 1) == 0)
			return &tab->groups[i];
	return NULL;
}

/* `name` is one of the space-separated words of `list`. */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) == n && strncmp(p, name, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

bool selection_picks_builtin(const struct cmdline *cl, const struct selection_tables *tab, const char *name)
{
	if (cmdline_selects(cl, name))
		return true;
	for (u32 i = 0; i < cl->ntests; i++) {
		const struct suite_group *g = find_group(tab, cl->tests[i]);
		if (g && list_has(g->members, name))
			return true;
	}
	return false;
}

static bool word_known(const struct cmdline *cl, const struct selection_tables *tab, const char *word)
{
	if (find_group(tab, word))
		return true;
	for (u32 i = 0; i < tab->nsuite; i++)
		if (strcmp(tab->suite[i].name, word) == 0)
			return true;
	for (u32 i = 0; i < cl->nguests; i++)
		if (strcmp(cl->guests[i].path, word) == 0)
			return true;
	return false;
}

const char *selection_unknown_word(const struct cmdline *cl, const struct selection_tables *tab)
{
	for (u32 i = 0; i < cl->ntests; i++)
		if (!word_known(cl, tab, cl->tests[i]))
			return cl->tests[i];
	return NULL;
}
