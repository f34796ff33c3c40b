/* What a test= list selects: built-in tests and guest= files by name, groups of built-in tests as
 * @GROUP (suite.txt's "@GROUP member ..." lines). Pure: the tables come in as arguments. */
#ifndef HV_SELECTION_H
#define HV_SELECTION_H

#include "cmdline.h"
#include "suite_entry.h"

struct selection_tables {
	const struct suite_entry *suite;
	u32 nsuite;
	const struct suite_group *groups;
	u32 ngroups;
};

/* True if the built-in test `name` is selected: there is no test= word, or one names it or a group
 * that holds it. (A manual test also needs a test= word: the runner's business.) */
bool selection_picks_builtin(const struct cmdline *cl, const struct selection_tables *tab, const char *name);

/* The first test= word that names no built-in test, no group and no guest= file; NULL if none. A typo
 * must stop the run, not quietly select less. */
const char *selection_unknown_word(const struct cmdline *cl, const struct selection_tables *tab);

#endif
