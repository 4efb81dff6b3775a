// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Calls that take several sets: clone_with_pids_reserve(),
 * clone_with_pids_release(), clone_with_pids_next_list().
 */
#include <errno.h>
#include <linux/clone_with_pids.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "cwp_internal.h"

/* The sets as the ioctl takes them: an array of user pointers. */
uint64_t *cwp_set_pointers(const struct pid_set *const *sets, unsigned int nr)
{
	uint64_t *ptrs;
	unsigned int i;

	ptrs = calloc(nr ? nr : 1, sizeof(*ptrs));
	if (!ptrs)
		return NULL;
	for (i = 0; i < nr; i++)
		ptrs[i] = (uintptr_t)sets[i];
	return ptrs;
}

static int cwp_reserve_ioctl(unsigned long cmd, const struct pid_set *const *sets,
			     unsigned int nr, unsigned int *busy_set,
			     unsigned int *busy_index)
{
	struct cwp_reserve_args args = {
		.size		= sizeof(args),
		.nr_sets	= nr,
	};
	uint64_t *ptrs;
	int fd, ret, err;

	fd = clone_with_pids_fd();
	if (fd < 0)
		return -1;
	if (nr > CWP_MAX_RESERVE_SETS) {
		errno = EINVAL;
		return -1;
	}
	ptrs = cwp_set_pointers(sets, nr);
	if (!ptrs)
		return -1;
	args.sets = (uintptr_t)ptrs;
	ret = ioctl(fd, cmd, &args);
	err = errno;
	free(ptrs);
	if (busy_set)
		*busy_set = args.busy_set;
	if (busy_index)
		*busy_index = args.busy_index;
	errno = err;
	return ret;
}

int clone_with_pids_reserve(const struct pid_set *const *sets, unsigned int nr,
			    unsigned int *busy_set, unsigned int *busy_index)
{
	return cwp_reserve_ioctl(CWP_IOC_RESERVE, sets, nr, busy_set, busy_index);
}

int clone_with_pids_release(const struct pid_set *const *sets, unsigned int nr)
{
	return cwp_reserve_ioctl(CWP_IOC_RELEASE, sets, nr, NULL, NULL);
}

int clone_with_pids_next_list(const struct pid_set *const *sets, unsigned int nr,
			      unsigned int *err_set)
{
	struct cwp_next_list_args args = {
		.size		= sizeof(args),
		.nr_sets	= nr,
	};
	uint64_t *ptrs;
	int fd, ret, err;

	if (err_set)
		*err_set = ~0U;
	fd = clone_with_pids_fd();
	if (fd < 0)
		return -1;
	if (nr > CWP_MAX_NEXT_SETS) {
		errno = EINVAL;
		return -1;
	}
	ptrs = cwp_set_pointers(sets, nr);
	if (!ptrs)
		return -1;
	args.sets = (uintptr_t)ptrs;
	ret = ioctl(fd, CWP_IOC_SET_NEXT_LIST, &args);
	err = errno;
	free(ptrs);
	/* The module names a set only for the errors of reading one. */
	if (err_set && ret && (err == EFAULT || err == EINVAL || err == EPERM))
		*err_set = args.err_set;
	errno = err;
	return ret;
}
