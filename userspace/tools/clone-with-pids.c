// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * clone-with-pids: run a program with chosen pids, or report the state of
 * the clone_with_pids module.
 *
 *   clone-with-pids [--newpid] --pids P0,P1,... -- PROG [ARGS...]
 *   clone-with-pids status [--json]
 *   clone-with-pids load
 *   clone-with-pids --query
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/clone_with_pids.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clone_with_pids.h"
#include "status.h"

static const char *prog = "clone-with-pids";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--newpid] --pids P0,P1,... -- PROG [ARGS...]\n"
		"       %s status [--json]\n"
		"       %s load\n"
		"       %s --query\n"
		"\n"
		"  status           the module: installed, loaded, device node, its report,\n"
		"                   what is wrong and what to do (exit status in the manual)\n"
		"  load             load the module through libkmod, as modprobe does\n"
		"  -p, --pids LIST  pids of PROG, oldest pid namespace first; the last one\n"
		"                   is its pid in this process's namespace, 0 = any\n"
		"  -n, --newpid     also give PROG a new pid namespace, where it is pid 1\n"
		"  -q, --query      print the module's ABI version, features and IBT verdict\n"
		"  -h, --help       this text\n", prog, prog, prog, prog);
}

static int parse_pids(const char *s, struct pid_set *set)
{
	char *end;

	set->num_pids = 0;
	for (;;) {
		long v;

		if (set->num_pids == CLONE_WITH_PIDS_MAX)
			return -1;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || end == s || v < 0 || v > 0x7fffffff)
			return -1;
		set->pids[set->num_pids++] = v;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static void explain(int err)
{
	switch (err) {
	case ENODEV:
		fprintf(stderr, "%s: %s: the clone_with_pids module is not loaded, and this pid list\n"
			"  needs it (clone3()'s set_tid cannot express it); load it with\n"
			"  'clone-with-pids load' or 'modprobe clone_with_pids' (after installing\n"
			"  clone-with-pids-dkms, 'dkms install' or 'make install'), or\n"
			"  'insmod clone_with_pids.ko' from a build tree; 'clone-with-pids status'\n"
			"  says what is wrong\n", prog, CWP_DEVICE_PATH);
		break;
	case EBUSY:
		fprintf(stderr, "%s: a requested pid is already in use\n", prog);
		break;
	case EPERM:
		fprintf(stderr, "%s: not permitted: a chosen pid needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE\n"
			"  in the user namespace owning that pid namespace\n", prog);
		break;
	case EAGAIN:
		fprintf(stderr, "%s: too many pid sets armed: this user's quota or the module's pool\n"
			"  is full (see --query)\n", prog);
		break;
	case EOPNOTSUPP:
		fprintf(stderr, "%s: the module cannot serve this list now: kprobes are disarmed\n"
			"  (/sys/kernel/debug/kprobes/enabled), or lists with a gap were turned off\n"
			"  (see the kernel log)\n", prog);
		break;
	case EINVAL:
		fprintf(stderr, "%s: invalid pid list: more pids than pid namespace levels (or than %d),\n"
			"  a pid beyond pid_max, or a pid other than 1 in a namespace without init\n",
			prog, CLONE_WITH_PIDS_MAX);
		break;
	default:
		fprintf(stderr, "%s: clone_with_pids: %s\n", prog, strerror(err));
	}
}

static int query(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	int fd = clone_with_pids_fd();

	if (fd < 0 && errno == ENODEV) {
		fprintf(stderr, "%s: the clone_with_pids module is not loaded ('%s status' says why,\n"
			"  '%s load' loads it)\n", prog, prog, prog);
		return 1;
	}
	if (fd < 0 || ioctl(fd, CWP_IOC_QUERY, &q)) {
		explain(errno);
		return 1;
	}
	printf("device:      %s\n", CWP_DEVICE_PATH);
	printf("abi:         %u\n", q.abi_version);
	printf("max pids:    %u\n", q.max_pids);
	printf("features:    ");
	cwp_print_features(q.features, " ", 0);
	printf("\narmed sets:  %u of %u\n", q.nr_requests, q.max_requests);
	if (q.size >= CWP_QUERY_SIZE_VER2)
		printf("reserved:    %u sets\n", q.nr_reserved);
	if (q.size >= CWP_QUERY_SIZE_VER1) {
		printf("quota:       %u sets per unprivileged user; their gap lists last %u ms\n",
		       q.user_requests, q.divert_ttl_ms);
		printf("memory:      %llu bytes\n", (unsigned long long)q.mem_bytes);
		printf("monitors:    %s%s%s%s%s\n", q.monitors ? "" : "none",
		       q.monitors & CWP_MONITOR_SECCOMP ? " seccomp" : "",
		       q.monitors & CWP_MONITOR_SYSCALL_TRACE ? " ptrace-syscall" : "",
		       q.monitors & CWP_MONITOR_AUDIT ? " audit" : "",
		       q.monitors & CWP_MONITOR_TRACEPOINT ? " tracepoint" : "");
	}
	printf("call:        %s\n", q.call_method == CWP_CALL_STATIC_CALL ?
	       "static_call (direct jump)" : q.call_method == CWP_CALL_POINTER ?
	       "pointer (indirect call)" : "unknown");
	if (q.call_method == CWP_CALL_POINTER) {
		printf("bti:         kernel %s, cpu %s, kernel_clone landing pad %s, %s\n",
		       q.ibt & CWP_BTI_KERNEL ? "yes" : "no",
		       q.ibt & CWP_BTI_CPU ? "yes" : "no",
		       q.ibt & CWP_BTI_LANDING ? "yes" : "no",
		       q.ibt & CWP_IBT_SAFE ? "safe" : "NOT SAFE");
		printf("pac:         kernel %s, cpu %s\n",
		       q.ibt & CWP_PAC_KERNEL ? "yes" : "no",
		       q.ibt & CWP_PAC_CPU ? "yes" : "no");
		return 0;
	}
	printf("ibt:         kernel %s, cpu %s, kernel_clone ENDBR %s, %s\n",
	       q.ibt & CWP_IBT_KERNEL ? "yes" : "no",
	       q.ibt & CWP_IBT_CPU ? "enforcing" : "not enforcing",
	       q.ibt & CWP_IBT_SEALED ? "sealed" : "not sealed",
	       q.ibt & CWP_IBT_SAFE ? "safe" : "NOT SAFE");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pids", required_argument, NULL, 'p' },
		{ "newpid", no_argument, NULL, 'n' },
		{ "query", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct {
		struct pid_set set;
		pid_t pids[CLONE_WITH_PIDS_MAX];
	} req = { .set.num_pids = 0 };
	int flags = SIGCHLD;
	int have_pids = 0;
	int status, c;
	pid_t pid;

	if (argc >= 2 && !strcmp(argv[1], "status")) {
		if (argc == 2)
			return cwp_cmd_status(0);
		if (argc == 3 && !strcmp(argv[2], "--json"))
			return cwp_cmd_status(1);
		usage(stderr);
		return CWP_STATUS_USAGE;
	}
	if (argc >= 2 && !strcmp(argv[1], "load")) {
		if (argc == 2)
			return cwp_cmd_load();
		usage(stderr);
		return CWP_STATUS_USAGE;
	}

	while ((c = getopt_long(argc, argv, "+p:nqh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_pids(optarg, &req.set)) {
				fprintf(stderr, "%s: bad pid list '%s': expected up to %d comma-separated numbers\n",
					prog, optarg, CLONE_WITH_PIDS_MAX);
				return 125;
			}
			have_pids = 1;
			break;
		case 'n':
			flags |= CLONE_NEWPID;
			break;
		case 'q':
			return query();
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 125;
		}
	}
	if (!have_pids || optind >= argc) {
		usage(stderr);
		return 125;
	}

	fflush(NULL);
	pid = clone_with_pids(flags, NULL, NULL, NULL, NULL, &req.set);
	if (pid < 0) {
		explain(errno);
		return 125;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			return 125;
		}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
