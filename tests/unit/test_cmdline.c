/* Host unit tests for microhv's command line / \microhv.cfg parser (hv/rules/cmdline.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hv/rules/cmdline.h"

#define CMDLINE_WORD_TEST_MAX 2200 /* the parser's longest word */

static struct cmdline cl;

/* Parse with the result structure full of garbage first: the parser must fill in every default. */
static int parse(const char *s)
{
	memset(&cl, 0x5A, sizeof(cl));
	return cmdline_parse(s, &cl);
}

static void expect_ok(const char *s)
{
	int rc = parse(s);
	if (rc != 0)
		fail_msg("\"%s\" rejected (%d): %s", s, rc, cl.error);
	assert_string_equal(cl.error, "");
}

/* Accepted as a command line, but the last guest= is refused with an error containing `word`. */
static void expect_guest_error(const char *s, const char *word)
{
	int rc = parse(s);
	if (rc != 0)
		fail_msg("\"%s\": got %d (%s), want 0 with the error on the guest", s, rc, cl.error);
	if (cl.nguests == 0)
		fail_msg("\"%s\": no guest", s);
	const char *e = cl.guests[cl.nguests - 1].error;
	if (!strstr(e, word))
		fail_msg("\"%s\": guest error \"%s\" does not name \"%s\"", s, e, word);
}

/* Rejected, and the error message contains `word`. */
static void expect_error(const char *s, const char *word)
{
	int rc = parse(s);
	if (rc != -EINVAL)
		fail_msg("\"%s\": got %d, want -EINVAL", s, rc);
	if (cl.error[0] == '\0')
		fail_msg("\"%s\": no error text", s);
	if (!strstr(cl.error, word))
		fail_msg("\"%s\": error \"%s\" does not name \"%s\"", s, cl.error, word);
	assert_true(strlen(cl.error) < sizeof(cl.error));
}

static void expect_defaults_except_tests(void)
{
	assert_string_equal(cl.platform, "hw");
	assert_int_equal(cl.finish, FINISH_HALT);
	assert_int_equal(cl.log_level, LOG_INFO);
	assert_int_equal(cl.selftest, SELFTEST_NONE);
	assert_int_equal(cl.console, CONSOLE_BOTH);
	assert_int_equal(cl.serial_port, CMDLINE_COM1);
	assert_int_equal(cl.nguests, 0);
}

/* ---- Defaults ---- */

static void test_defaults(void **state)
{
	static const char *const empty[] = { "", " ", "\t\n  \r\n", "# only a comment", "#", "\n# a\n\n# b\n" };

	for (unsigned i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		expect_ok(empty[i]);
		expect_defaults_except_tests();
		assert_int_equal(cl.ntests, 0);
		assert_true(cmdline_selects(&cl, "cpuid"));
		assert_true(cmdline_selects(&cl, "x87_fcs_fds"));
		assert_true(cmdline_selects(&cl, ""));
	}
	expect_ok(NULL);
	expect_defaults_except_tests();
	assert_int_equal(cl.ntests, 0);
	/* The enum values are what the rest of the hypervisor compares against. */
	assert_int_equal(FINISH_HALT, 0);
	assert_int_equal(LOG_INFO, 2);
}

/* ---- Each key ---- */

static void test_tests_list(void **state)
{
	expect_ok("test=a,b,c");
	assert_int_equal(cl.ntests, 3);
	assert_string_equal(cl.tests[0], "a");
	assert_string_equal(cl.tests[1], "b");
	assert_string_equal(cl.tests[2], "c");
	assert_true(cmdline_selects(&cl, "a"));
	assert_true(cmdline_selects(&cl, "b"));
	assert_true(cmdline_selects(&cl, "c"));
	assert_false(cmdline_selects(&cl, "d"));
	assert_false(cmdline_selects(&cl, "ab"));  /* exact names, not prefixes */
	assert_false(cmdline_selects(&cl, "a,b"));
	assert_false(cmdline_selects(&cl, ""));
	expect_defaults_except_tests();

	expect_ok("test=cpuid");
	assert_int_equal(cl.ntests, 1);
	assert_true(cmdline_selects(&cl, "cpuid"));
	assert_false(cmdline_selects(&cl, "cpuid2"));
	assert_false(cmdline_selects(&cl, "cpui"));

	/* Repeated test= words add up. */
	expect_ok("test=inject_gp test=mtrr,x2apic");
	assert_int_equal(cl.ntests, 3);
	assert_string_equal(cl.tests[2], "x2apic");
	assert_true(cmdline_selects(&cl, "inject_gp"));
	assert_true(cmdline_selects(&cl, "mtrr"));

	/* Names are taken as they are, including guest file names. */
	expect_ok("test=my.elf,a=b");
	assert_string_equal(cl.tests[0], "my.elf");
	assert_string_equal(cl.tests[1], "a=b");
}

static void test_guests(void **state)
{
	expect_ok("guest=one.elf guest=dir/two.elf guest=\\EFI\\three.elf");
	assert_int_equal(cl.nguests, 3);
	assert_string_equal(cl.guests[0].path, "one.elf");
	assert_string_equal(cl.guests[1].path, "dir/two.elf");
	assert_string_equal(cl.guests[2].path, "\\EFI\\three.elf");
	assert_int_equal(cl.ntests, 0);
}

static void test_platform(void **state)
{
	expect_ok("platform=qemu-vmx");
	assert_string_equal(cl.platform, "qemu-vmx");
	expect_ok("platform=a platform=lab-box-7");
	assert_string_equal(cl.platform, "lab-box-7"); /* the last one wins */
}

static void test_exit_values(void **state)
{
	expect_ok("exit=debug-port");
	assert_int_equal(cl.finish, FINISH_DEBUG_PORT);
	expect_ok("exit=shutdown");
	assert_int_equal(cl.finish, FINISH_SHUTDOWN);
	expect_ok("exit=halt");
	assert_int_equal(cl.finish, FINISH_HALT);
	expect_ok("exit=shutdown exit=halt");
	assert_int_equal(cl.finish, FINISH_HALT);
}

static void test_log_values(void **state)
{
	expect_ok("log=debug");
	assert_int_equal(cl.log_level, LOG_DEBUG);
	expect_ok("log=error");
	assert_int_equal(cl.log_level, LOG_ERROR);
	expect_ok("log=warn");
	assert_int_equal(cl.log_level, LOG_WARN);
	expect_ok("log=info");
	assert_int_equal(cl.log_level, LOG_INFO);
}

/* console=: serial, screen or both (the default); serial=: COM1 (the default) or COM2, in either case.
 * The last word of each kind wins. */
static void test_console_and_serial(void **state)
{
	static const struct {
		const char *words;
		enum console_target console;
		u16 port;
	} cases[] = {
		{ "", CONSOLE_BOTH, CMDLINE_COM1 },
		{ "console=serial", CONSOLE_SERIAL, CMDLINE_COM1 },
		{ "console=screen", CONSOLE_SCREEN, CMDLINE_COM1 },
		{ "console=serial console=both", CONSOLE_BOTH, CMDLINE_COM1 },
		{ "serial=0x2F8", CONSOLE_BOTH, CMDLINE_COM2 },
		{ "serial=0x2f8 serial=0x3f8", CONSOLE_BOTH, CMDLINE_COM1 },
		{ "serial=0x3F8 serial=0x2f8 console=serial log=warn", CONSOLE_SERIAL, CMDLINE_COM2 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		expect_ok(cases[i].words);
		assert_int_equal(cl.console, cases[i].console);
		assert_int_equal(cl.serial_port, cases[i].port);
	}
	assert_int_equal(cl.log_level, LOG_WARN);
}

static void test_error_console_and_serial(void **state)
{
	expect_error("console=none", "console= takes serial, screen or both: 'console=none'");
	expect_error("console=", "console=");
	expect_error("console=Serial", "console=Serial");
	expect_error("console=both,serial", "console=both,serial");
	expect_error("serial=0x3E8", "serial= takes 0x3F8 (COM1) or 0x2F8 (COM2): 'serial=0x3E8'");
	expect_error("serial=1016", "serial=1016");
	expect_error("serial=", "serial=");
	expect_error("serial=0x3F8x", "serial=0x3F8x");
	/* The words around a bad one still apply. */
	expect_error("console=screen serial=com2 exit=shutdown", "serial=com2");
	assert_int_equal(cl.console, CONSOLE_SCREEN);
	assert_int_equal(cl.serial_port, CMDLINE_COM1);
	assert_int_equal(cl.finish, FINISH_SHUTDOWN);
}

/* The hidden debug word that makes the hypervisor fault on purpose (scripts/check-host-faults.sh). */
static void test_selftest_values(void **state)
{
	static const struct {
		const char *word;
		enum host_selftest selftest;
	} cases[] = {
		{ "selftest=text-write", SELFTEST_TEXT_WRITE },
		{ "selftest=rodata-write", SELFTEST_RODATA_WRITE },
		{ "selftest=data-exec", SELFTEST_DATA_EXEC },
		{ "selftest=stack-overflow", SELFTEST_STACK_OVERFLOW },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		expect_ok(cases[i].word);
		assert_int_equal(cl.selftest, cases[i].selftest);
	}
	expect_error("selftest=wx", "selftest=wx");
	expect_error("selftest=", "selftest=");
}

/* pcpus=N: 1..64 physical CPUs, 0 (the default) meaning every one; ap-fault= its debug companion. */
static void test_pcpus_and_ap_fault(void **state)
{
	expect_ok("log=info");
	assert_int_equal(cl.pcpus, 0);
	assert_int_equal(cl.ap_fault, AP_FAULT_NONE);
	expect_ok("pcpus=1");
	assert_int_equal(cl.pcpus, 1);
	expect_ok("pcpus=64 ap-fault=silent");
	assert_int_equal(cl.pcpus, 64);
	assert_int_equal(cl.ap_fault, AP_FAULT_SILENT);
	expect_ok("ap-fault=locked");
	assert_int_equal(cl.ap_fault, AP_FAULT_LOCKED);
	expect_error("pcpus=0", "pcpus=0");
	expect_error("pcpus=65", "pcpus=65");
	expect_error("pcpus=two", "pcpus=two");
	expect_error("pcpus=", "pcpus=");
	expect_error("ap-fault=maybe", "ap-fault=maybe");
}

static void test_everything_together(void **state)
{
	expect_ok("platform=qemu-svm exit=debug-port test=cpuid,bad.elf guest=bad.elf log=debug");
	assert_string_equal(cl.platform, "qemu-svm");
	assert_int_equal(cl.finish, FINISH_DEBUG_PORT);
	assert_int_equal(cl.log_level, LOG_DEBUG);
	assert_int_equal(cl.ntests, 2);
	assert_string_equal(cl.tests[1], "bad.elf");
	assert_int_equal(cl.nguests, 1);
	assert_string_equal(cl.guests[0].path, "bad.elf");
}

/* ---- Layout: white space and comments ---- */

static void test_whitespace(void **state)
{
	expect_ok("  \ttest=a,b\t\tplatform=x\n\nexit=shutdown\r\nlog=warn   \n");
	assert_int_equal(cl.ntests, 2);
	assert_string_equal(cl.tests[1], "b");
	assert_string_equal(cl.platform, "x");
	assert_int_equal(cl.finish, FINISH_SHUTDOWN);
	assert_int_equal(cl.log_level, LOG_WARN);
}

static void test_config_file_comments(void **state)
{
	expect_ok("# microhv.cfg for the lab machine\n"
		  "platform=lab # trailing comment: exit=shutdown\n"
		  "# test=never\n"
		  "   \t# indented comment log=error\n"
		  "log=debug\r\n"
		  "guest=extra.elf\n"
		  "#\n"
		  "test=cpuid # last line, no newline");
	assert_string_equal(cl.platform, "lab");
	assert_int_equal(cl.finish, FINISH_HALT);
	assert_int_equal(cl.log_level, LOG_DEBUG);
	assert_int_equal(cl.nguests, 1);
	assert_int_equal(cl.ntests, 1);
	assert_string_equal(cl.tests[0], "cpuid");
	assert_false(cmdline_selects(&cl, "never"));

	/* Only a word that starts with '#' opens a comment. */
	expect_ok("platform=a#b");
	assert_string_equal(cl.platform, "a#b");
	/* A comment ends at the newline, not at the next space. */
	expect_ok("#platform=x exit=shutdown\nlog=warn");
	assert_string_equal(cl.platform, "hw");
	assert_int_equal(cl.finish, FINISH_HALT);
	assert_int_equal(cl.log_level, LOG_WARN);
}

/* ---- Errors ---- */

static void test_error_unknown_key(void **state)
{
	expect_error("bogus=1", "bogus=1");
	assert_string_equal(cl.error, "unknown option: 'bogus=1'");
	expect_error("TEST=a", "TEST=a"); /* keys are case-sensitive */
	expect_error("=a", "=a");
	expect_error("tests=a", "tests=a");
	assert_int_equal(cl.ntests, 0);
}

static void test_error_missing_equals(void **state)
{
	expect_error("verbose", "verbose");
	assert_string_equal(cl.error, "expected key=value: 'verbose'");
	expect_error("platform x", "platform");
	assert_string_equal(cl.platform, "hw");
}

static void test_error_empty_value(void **state)
{
	expect_error("platform=", "platform=");
	assert_string_equal(cl.platform, "hw");
	expect_error("guest=", "guest=");
	assert_int_equal(cl.nguests, 0);
	expect_error("exit=", "exit=");
	expect_error("log=", "log=");
	expect_error("test=", "test=");
	assert_int_equal(cl.ntests, 0);
	/* An empty name inside the list: the others still count. */
	expect_error("test=a,,b", "bad test name");
	assert_int_equal(cl.ntests, 2);
	assert_string_equal(cl.tests[1], "b");
}

static void test_error_bad_enum_values(void **state)
{
	expect_error("exit=reboot", "exit=reboot");
	assert_string_equal(cl.error, "exit= takes halt, shutdown or debug-port: 'exit=reboot'");
	assert_int_equal(cl.finish, FINISH_HALT);
	expect_error("exit=HALT", "exit=HALT");
	expect_error("exit=halted", "exit=halted");
	expect_error("exit=debug", "exit=debug");
	expect_error("exit=shutdown exit=bad", "exit=bad");
	assert_int_equal(cl.finish, FINISH_SHUTDOWN); /* a bad value leaves the previous one */
	expect_error("log=verbose", "log=verbose");
	assert_int_equal(cl.log_level, LOG_INFO);
	expect_error("log=Debug", "log=Debug");
}

static void test_error_too_long(void **state)
{
	char name[CMDLINE_NAME_MAX + 16], line[CMDLINE_NAME_MAX + 32];

	/* Test names and the platform label hold CMDLINE_LABEL_MAX - 1 characters. */
	memset(name, 'n', CMDLINE_LABEL_MAX - 1);
	name[CMDLINE_LABEL_MAX - 1] = '\0';
	snprintf(line, sizeof(line), "test=%s", name);
	expect_ok(line);
	assert_string_equal(cl.tests[0], name);
	snprintf(line, sizeof(line), "platform=%s", name);
	expect_ok(line);
	assert_string_equal(cl.platform, name);

	strcat(name, "X"); /* one more */
	snprintf(line, sizeof(line), "test=ok1,%s,ok2", name);
	expect_error(line, name);
	assert_int_equal(cl.ntests, 2);
	assert_string_equal(cl.tests[1], "ok2");
	snprintf(line, sizeof(line), "platform=%s", name);
	expect_error(line, name);
	assert_string_equal(cl.platform, "hw");

	/* Guest paths hold CMDLINE_NAME_MAX - 1. */
	memset(name, 'g', CMDLINE_NAME_MAX - 1);
	name[CMDLINE_NAME_MAX - 1] = '\0';
	snprintf(line, sizeof(line), "guest=%s", name);
	expect_ok(line);
	assert_string_equal(cl.guests[0].path, name);
	strcat(name, "X");
	snprintf(line, sizeof(line), "guest=%s", name);
	expect_error(line, "guest=ggggg");
	assert_int_equal(cl.nguests, 0);
}

static void test_error_too_many(void **state)
{
	char line[64 * 8];
	size_t len = 0;

	len += (size_t)snprintf(line + len, sizeof(line) - len, "test=");
	for (unsigned i = 0; i < CMDLINE_MAX_TESTS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%st%u", i ? "," : "", i);
	expect_ok(line);
	assert_int_equal(cl.ntests, CMDLINE_MAX_TESTS);
	assert_true(cmdline_selects(&cl, "t31"));

	snprintf(line + len, sizeof(line) - len, ",t%u exit=shutdown", CMDLINE_MAX_TESTS);
	expect_error(line, "t32");
	assert_int_equal(cl.ntests, CMDLINE_MAX_TESTS);
	assert_false(cmdline_selects(&cl, "t32"));
	assert_true(cmdline_selects(&cl, "t0"));
	assert_int_equal(cl.finish, FINISH_SHUTDOWN); /* the word after still applies */

	/* Guests: CMDLINE_MAX_GUESTS, then an error. */
	len = 0;
	for (unsigned i = 0; i <= CMDLINE_MAX_GUESTS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "guest=g%u.elf ", i);
	expect_error(line, "guest=g24.elf");
	assert_int_equal(cl.nguests, CMDLINE_MAX_GUESTS);
	assert_string_equal(cl.guests[CMDLINE_MAX_GUESTS - 1].path, "g23.elf");
}

static void test_good_words_around_bad_one(void **state)
{
	expect_error("platform=x bogus exit=shutdown log=debug test=a guest=b.elf", "bogus");
	assert_string_equal(cl.error, "expected key=value: 'bogus'");
	assert_string_equal(cl.platform, "x");
	assert_int_equal(cl.finish, FINISH_SHUTDOWN);
	assert_int_equal(cl.log_level, LOG_DEBUG);
	assert_int_equal(cl.ntests, 1);
	assert_true(cmdline_selects(&cl, "a"));
	assert_false(cmdline_selects(&cl, "b"));
	assert_int_equal(cl.nguests, 1);

	/* The first problem is the one reported. */
	expect_error("exit=x1 first=1 log=x2", "exit=x1");
	assert_null(strstr(cl.error, "first"));
	assert_null(strstr(cl.error, "x2"));
}

static void test_error_long_word_fits(void **state)
{
	char line[400];

	memset(line, 'k', 300);
	memcpy(line + 300, "=v", 3);
	expect_error(line, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	assert_true(strlen(cl.error) < sizeof(cl.error));
}

/* ---- Per-guest options: append=, initrd=, smp= ---- */

static void expect_module(const struct cmdline_module *m, const char *string, const char *file)
{
	char f[CMDLINE_NAME_MAX];

	assert_string_equal(m->string, string);
	cmdline_module_file(m, f);
	assert_string_equal(f, file);
}

static void test_guest_options(void **state)
{
	expect_ok("guest=\\k.elf smp=4 initrd=\\m.bin append=\"a b  c\" log=debug");
	assert_int_equal(cl.nguests, 1);
	assert_string_equal(cl.guests[0].path, "\\k.elf");
	assert_int_equal(cl.guests[0].vcpus, 4);
	assert_string_equal(cl.guests[0].append, "a b  c"); /* spaces kept as written */
	assert_int_equal(cl.guests[0].nmods, 1);
	expect_module(&cl.guests[0].mods[0], "\\m.bin", "\\m.bin");
	assert_int_equal(cl.log_level, LOG_DEBUG); /* global words may follow */

	/* Not given: no arguments, no modules, vCPU count 0 (= one). */
	expect_ok("guest=a.elf");
	assert_string_equal(cl.guests[0].append, "");
	assert_int_equal(cl.guests[0].vcpus, 0);
	assert_int_equal(cl.guests[0].nmods, 0);
}

static void test_options_follow_their_guest(void **state)
{
	expect_ok("guest=a.elf smp=2 append=x guest=b.elf initrd=m guest=c.elf test=a.elf smp=1024");
	assert_int_equal(cl.nguests, 3);
	assert_int_equal(cl.guests[0].vcpus, 2);
	assert_string_equal(cl.guests[0].append, "x");
	assert_int_equal(cl.guests[0].nmods, 0);
	assert_int_equal(cl.guests[1].vcpus, 0);
	assert_string_equal(cl.guests[1].append, "");
	assert_int_equal(cl.guests[1].nmods, 1);
	assert_int_equal(cl.guests[2].vcpus, 1024); /* a global word in between changes nothing */
	assert_int_equal(cl.guests[2].nmods, 0);
}

static void test_initrd_list(void **state)
{
	/* QEMU's -initrd syntax: comma-separated "FILE ARGS" items; the file name ends at the first space. */
	expect_ok("guest=k.elf initrd=\"m.bin x y,dir\\n2.bin,m3  two  spaces\"");
	assert_int_equal(cl.guests[0].nmods, 3);
	expect_module(&cl.guests[0].mods[0], "m.bin x y", "m.bin");
	expect_module(&cl.guests[0].mods[1], "dir\\n2.bin", "dir\\n2.bin");
	expect_module(&cl.guests[0].mods[2], "m3  two  spaces", "m3");

	/* Up to CMDLINE_MAX_MODULES. */
	expect_ok("guest=k.elf initrd=a,b,c,d");
	assert_int_equal(cl.guests[0].nmods, CMDLINE_MAX_MODULES);
	expect_module(&cl.guests[0].mods[3], "d", "d");
	expect_guest_error("guest=k.elf initrd=a,b,c,d,e", "more than 4 initrd= modules");
	assert_int_equal(cl.guests[0].nmods, CMDLINE_MAX_MODULES);
}

static void test_quoting(void **state)
{
	/* Quotes may stand anywhere in a word and are never part of the value. */
	expect_ok("guest=k.elf append=\"\"");
	assert_string_equal(cl.guests[0].append, "");
	expect_ok("\"guest=k.elf\" \"append=a b\"");
	assert_string_equal(cl.guests[0].path, "k.elf");
	assert_string_equal(cl.guests[0].append, "a b");
	expect_ok("guest=k.elf append=a\" \"b\"\tc\"d");
	assert_string_equal(cl.guests[0].append, "a b\tcd");
	expect_ok("platform=\"x y\" guest=k.elf append=\"#not a comment\" log=warn");
	assert_string_equal(cl.platform, "x y");
	assert_string_equal(cl.guests[0].append, "#not a comment");
	assert_int_equal(cl.log_level, LOG_WARN);
	/* A quoted newline is kept; an unquoted one ends the word. */
	expect_ok("guest=k.elf append=\"a\nb\"\nlog=error");
	assert_string_equal(cl.guests[0].append, "a\nb");
	assert_int_equal(cl.log_level, LOG_ERROR);
}

/* `fmt` with a value of `max` characters is accepted, and with one more refused naming `error`. */
static void expect_length_limit(const char *fmt, size_t max, const char *error)
{
	char value[CMDLINE_WORD_TEST_MAX], line[CMDLINE_WORD_TEST_MAX + 64];

	assert_true(max + 2 <= sizeof(value));
	memset(value, 'v', max + 1);
	value[max] = '\0';
	snprintf(line, sizeof(line), fmt, value);
	expect_ok(line);
	value[max] = 'v';
	value[max + 1] = '\0';
	snprintf(line, sizeof(line), fmt, value);
	expect_guest_error(line, error);
}

static void test_append_limits(void **state)
{
	expect_length_limit("guest=k.elf append=\"%s\"", CMDLINE_APPEND_MAX - 1, "append= longer than 2048 characters");
	assert_string_equal(cl.guests[0].append, "");
	expect_length_limit("guest=k.elf append=\"a %s\"", CMDLINE_APPEND_MAX - 3, "append= longer");
}

static void test_error_guest_options(void **state)
{
	expect_error("smp=2 guest=k.elf", "must follow the guest= they describe");
	assert_int_equal(cl.guests[0].vcpus, 0);
	expect_error("append=x", "must follow");
	expect_error("initrd=m.bin", "must follow");
	expect_guest_error("guest=k.elf smp=2 smp=3", "given twice for one guest=: 'smp=3'");
	assert_int_equal(cl.guests[0].vcpus, 2);
	expect_guest_error("guest=k.elf append=a append=b", "given twice");
	assert_string_equal(cl.guests[0].append, "a");
	expect_guest_error("guest=k.elf initrd=a initrd=b", "given twice");
	assert_int_equal(cl.guests[0].nmods, 1);
}

/* mem= as QEMU's -m (MiB, or an M/G suffix), 2 MiB to 2 GiB; timeout= in seconds, 1 to 3600. */
static void test_mem_and_timeout(void **state)
{
	expect_ok("guest=k.elf");
	assert_int_equal(cl.guests[0].mem_mib, 0); /* the runner's default: 128 MiB */
	expect_ok("guest=k.elf mem=64 timeout=90");
	assert_int_equal(cl.guests[0].mem_mib, 64);
	assert_int_equal(cl.guests[0].timeout_s, 90);
	expect_ok("guest=k.elf mem=256M");
	assert_int_equal(cl.guests[0].mem_mib, 256);
	expect_ok("guest=k.elf mem=2G");
	assert_int_equal(cl.guests[0].mem_mib, 2048);
	static const char *const bad_mem[] = { "mem=0", "mem=1", "mem=3G", "mem=2049", "mem=", "mem=64K", "mem=G" };
	char line[64];
	for (unsigned i = 0; i < sizeof(bad_mem) / sizeof(bad_mem[0]); i++) {
		snprintf(line, sizeof(line), "guest=k.elf %s", bad_mem[i]);
		expect_guest_error(line, "mem= takes MiB");
	}
	expect_guest_error("guest=k.elf timeout=0", "timeout= takes seconds from 1 to 3600");
	expect_guest_error("guest=k.elf timeout=3601", "timeout= takes seconds");
	expect_error("mem=64 guest=k.elf", "must follow the guest= they describe");
}

/* A bad option fails its guest= only: the command line and the other guests are still good. */
static void test_bad_guest_option_fails_that_guest_only(void **state)
{
	expect_ok("guest=a.elf smp=0 guest=b.elf smp=2 log=debug");
	assert_int_equal(cl.nguests, 2);
	assert_non_null(strstr(cl.guests[0].error, "smp= takes a vCPU count"));
	assert_string_equal(cl.guests[1].error, "");
	assert_int_equal(cl.guests[1].vcpus, 2);
	assert_int_equal(cl.log_level, LOG_DEBUG);
	expect_error("smp=2 guest=k.elf", "must follow"); /* an option without its guest= stays an error */
}

static void test_error_smp_values(void **state)
{
	static const char *const bad[] = { "smp=0", "smp=1025", "smp=", "smp=-1", "smp=2x", "smp=0x10",
					   "smp=99999999999999999999", "smp=+3" };
	char line[64];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "guest=k.elf %s", bad[i]);
		expect_guest_error(line, "smp= takes a vCPU count from 1 to 1024");
	}
	expect_error("guest=k.elf smp= 2", "expected key=value"); /* "2" alone is a word of its own */
	expect_ok("guest=k.elf smp=001");
	assert_int_equal(cl.guests[0].vcpus, 1);
	expect_ok("guest=k.elf smp=1");
	assert_int_equal(cl.guests[0].vcpus, 1);
}

static void test_error_initrd_items(void **state)
{
	expect_guest_error("guest=k.elf initrd=", "initrd= item without a file name");
	expect_guest_error("guest=k.elf initrd=a,,b", "no ',,' escapes");
	expect_guest_error("guest=k.elf initrd=a,", "without a file name");
	expect_guest_error("guest=k.elf initrd=,a", "without a file name");
	expect_guest_error("guest=k.elf initrd=\" args only\"", "without a file name");
	/* Module strings hold CMDLINE_NAME_MAX - 1 characters. */
	expect_length_limit("guest=k.elf initrd=a,%s", CMDLINE_NAME_MAX - 1, "initrd= module string too long");
	assert_int_equal(cl.guests[0].nmods, 1);
}

static void test_error_quotes_and_long_words(void **state)
{
	expect_error("guest=k.elf append=\"a b", "unterminated double quote");
	assert_string_equal(cl.guests[0].append, "");
	expect_error("platform=x\" log=debug", "unterminated double quote");
	assert_string_equal(cl.platform, "hw");
	assert_int_equal(cl.log_level, LOG_INFO); /* swallowed by the open quote */

	char line[2200];
	memcpy(line, "guest=k.elf append=", 19);
	memset(line + 19, 'w', 2100);
	line[2119] = '\0';
	expect_error(line, "word longer than");
	assert_true(strlen(cl.error) < sizeof(cl.error));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_tests_list),
		cmocka_unit_test(test_guests),
		cmocka_unit_test(test_platform),
		cmocka_unit_test(test_exit_values),
		cmocka_unit_test(test_log_values),
		cmocka_unit_test(test_selftest_values),
		cmocka_unit_test(test_pcpus_and_ap_fault),
		cmocka_unit_test(test_everything_together),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_config_file_comments),
		cmocka_unit_test(test_error_unknown_key),
		cmocka_unit_test(test_error_missing_equals),
		cmocka_unit_test(test_error_empty_value),
		cmocka_unit_test(test_error_bad_enum_values),
		cmocka_unit_test(test_error_too_long),
		cmocka_unit_test(test_error_too_many),
		cmocka_unit_test(test_good_words_around_bad_one),
		cmocka_unit_test(test_error_long_word_fits),
		cmocka_unit_test(test_guest_options),
		cmocka_unit_test(test_options_follow_their_guest),
		cmocka_unit_test(test_initrd_list),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_append_limits),
		cmocka_unit_test(test_console_and_serial),
		cmocka_unit_test(test_error_console_and_serial),
		cmocka_unit_test(test_error_guest_options),
		cmocka_unit_test(test_error_smp_values),
		cmocka_unit_test(test_bad_guest_option_fails_that_guest_only),
		cmocka_unit_test(test_mem_and_timeout),
		cmocka_unit_test(test_error_initrd_items),
		cmocka_unit_test(test_error_quotes_and_long_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
