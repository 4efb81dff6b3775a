// SPDX-License-Identifier: GPL-2.0
/*
 * The pid set is read once: while another thread keeps rewriting it
 * between {A1, B1} and {A2, B2}, every child gets a consistent pair,
 * never A1 with B2; and a count rewritten under the call never makes the
 * kernel read past what it validated.
 */
#include "t.h"

#include <pthread.h>

static struct t_set shared;
static volatile int stop;

static void *flipper(void *arg)
{
	unsigned long i = 0;

	while (!stop) {
		if (i++ & 1) {
			shared.set.pids[0] = 7501;
			shared.set.pids[1] = 51;
			shared.set.num_pids = 2;
		} else {
			shared.set.pids[0] = 7502;
			shared.set.pids[1] = 52;
			shared.set.num_pids = i & 2 ? 2 : 40;	/* 40: invalid */
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t th;
	pid_t ns[4];
	int i, ok = 0;

	t_nest(1);
	shared.set.num_pids = 2;
	shared.set.pids[0] = 7501;
	shared.set.pids[1] = 51;
	pthread_create(&th, NULL, flipper, NULL);
	for (i = 0; i < 300; i++) {
		pid_t pid = fork_with_pids(&shared.set);

		if (pid == 0) {
			int n = t_nspid_self(ns, 4);

			_exit(n == 2 && ((ns[0] == 7501 && ns[1] == 51) ||
					 (ns[0] == 7502 && ns[1] == 52)) ? 0 : 2);
		}
		if (pid < 0) {
			T_ASSERT(errno == EINVAL, "round %d: %s", i, strerror(errno));
			continue;
		}
		T_ASSERT(pid == 51 || pid == 52, "round %d: pid %d", i, pid);
		t_reap(pid);
		ok++;
	}
	stop = 1;
	pthread_join(th, NULL);
	T_ASSERT(ok > 0, "no request went through");
	printf("stat: %d consistent children, %d refused\n", ok, 300 - ok);
	return T_PASS;
}
