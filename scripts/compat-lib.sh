# compat-lib.sh: shared by check-qemu-compat.sh (one kernel), compat-dir.sh (a directory of kernels) and
# test-all.sh (the QEMU test kernels in the suite boots). Sourced, not run.

# qk_parse_opts FILE: read a kernel's one line of QEMU options (a missing file means none) into qk_smp,
# qk_mem, qk_append, qk_initrd and qk_cpu (the -cpu value, "max" plus feature flags). Allowed, as in
# docs/guest-abi.md section 10: -smp N, -m SIZE, -append ARGS, -initrd FILES, -cpu max[,+flag|,-flag...]
# (flags that only describe features). The line is read with the shell's quoting (eval): it is the
# kernel author's own file. Returns 1 with qk_error set on anything else.
qk_parse_opts() {
	qk_smp=1 qk_mem=128 qk_append="" qk_initrd="" qk_cpu=max qk_error=""
	[ -f "$1" ] || return 0
	eval "set -- $(head -n 1 "$1")" || { qk_error="$1: cannot parse the options line"; return 1; }
	while [ $# -gt 0 ]; do
		[ $# -ge 2 ] || { qk_error="$1 needs a value"; return 1; }
		case "$1" in
		-smp) case "$2" in '' | *[!0-9]*) qk_error="-smp $2: a CPU count only"; return 1 ;; esac; qk_smp=$2 ;;
		-m) case "$2" in [0-9]* | [0-9]*[MG]) qk_mem=$2 ;; *) qk_error="-m $2: MiB, or with M or G"; return 1 ;; esac ;;
		-append) qk_append=$2 ;;
		-initrd) qk_initrd=$2 ;;
		-cpu) case "$2" in max | max,[+-]*) qk_cpu=$2 ;; *) qk_error="-cpu $2: only max with +flag/-flag"; return 1 ;; esac ;;
		*) qk_error="option $1 is not one of -smp -m -append -initrd -cpu"; return 1 ;;
		esac
		shift 2
	done
	case "$qk_append$qk_initrd" in *'"'*) qk_error="-append and -initrd cannot hold '\"'"; return 1 ;; esac
}

# qk_words NAME [TIMEOUT]: microhv's words for kernel file NAME with the options qk_parse_opts read.
qk_words() {
	printf 'guest=%s smp=%s mem=%s append="%s"' "$1" "$qk_smp" "$qk_mem" "$qk_append"
	[ -z "$qk_initrd" ] || printf ' initrd="%s"' "$qk_initrd"
	[ -z "${2-}" ] || printf ' timeout=%s' "$2"
}

# qk_qemu_exit STATUS ERRFILE TIMEOUT: how a plain QEMU run ended. QEMU's own refusal (status 1 with a
# "qemu-system-...: " error line) is not the guest's status 0, and starts with "QEMU did not run".
qk_qemu_exit() {
	qk_err_line=$(grep "^qemu-system-[a-z0-9_]*: " "$2" 2>/dev/null | grep -v ": warning: " | head -n 1)
	if [ "$1" -eq 124 ]; then
		echo "no exit-port write (timed out after ${3}s)"
	elif [ "$1" -eq 1 ] && [ -n "$qk_err_line" ]; then
		echo "QEMU did not run the guest ($qk_err_line)"
	elif [ $(($1 % 2)) -eq 1 ]; then
		echo "exit status $(($1 >> 1))"
	else
		echo "no exit-port write (QEMU status $1$(head -c 200 "$2" 2>/dev/null | tr '\n' ' ' | sed 's/^./: &/'))"
	fi
}

# qk_microhv_exit LOG PLATFORM NAME: how guest NAME ended under microhv, from the runner's last line about
# it ("completed # clean exit", "... exit status N", a stop reason, or a "load" failure).
qk_microhv_exit() {
	qk_verdict=$(grep -aE "^(ok|not ok) [0-9]+ - $2/$3/(completed|load) # " "$1" 2>/dev/null | tail -n 1 |
		sed -E 's/^[^#]*# (FAILED: )?//; s/ \([0-9]+ ms, [0-9]+ exits\)$//')
	case "$qk_verdict" in
	"clean exit"* | *"case(s) failed" | "the guest reported no test case" | "plan 1.."*) echo "exit status 0" ;;
	"exit status "*) echo "exit status $(printf '%s' "${qk_verdict#exit status }" | cut -d' ' -f1)" ;;
	"") echo "no verdict (see $1)" ;;
	*) echo "no exit-port write ($qk_verdict)" ;;
	esac
}

# qk_guest_lines LOG NAME: what guest NAME printed, without microhv's "# NAME| " prefix.
qk_guest_lines() {
	awk -v p="# $2| " 'index($0, p) == 1 { print substr($0, length(p) + 1) }' "$1" 2>/dev/null
}

# qk_suite_args LIST KDIR: for the kernels named in LIST (one a line, # comments), set qk_files (their
# images and modules in KDIR) and qk_args (their guest= words, timeout=600), as make test passes them.
qk_suite_args() {
	qk_files="" qk_args=""
	for qk_n in $(grep -v '^#' "$1"); do
		qk_parse_opts "guest-tests/qemu-kernels/$qk_n.opts" || { echo "$1: $qk_n: $qk_error" >&2; continue; }
		qk_files="$qk_files $2/$qk_n.elf"
		for qk_m in $(printf '%s' "$qk_initrd" | tr ',' '\n' | cut -d' ' -f1); do
			case " $qk_files " in *" $2/$qk_m "*) ;; *) qk_files="$qk_files $2/$qk_m" ;; esac
		done
		qk_args="$qk_args $(qk_words "$qk_n.elf" 600)"
	done
}
