// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Calls that take several sets: clone_with_pids_reserve(),
 * clone_with_pids_release(), clone_with_pids_next_list().
 */
#include <errno.h>
#include <linux/clone_with_pids.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "cwp_internal.h"

/*
 * Make the ioctl @cmd of @args, whose sets field @sets_field gets the user
 * pointers of the @nr sets @sets (at most @max): its return value, errno
 * as the ioctl left it; -1 with errno, and *@made false, when it could not
 * be made.
 */
static int cwp_sets_ioctl(unsigned long cmd, void *args, __u64 *sets_field,
			  const struct pid_set *const *sets, unsigned int nr, unsigned int max,
			  bool *made)
{
	uint64_t *ptrs;
	unsigned int i;
	int fd, ret, err;

	*made = false;
	fd = clone_with_pids_fd();
	if (fd < 0)
		return -1;
	if (nr > max) {
		errno = EINVAL;
		return -1;
	}
	ptrs = calloc(nr ? nr : 1, sizeof(*ptrs));
	if (!ptrs)
		return -1;
	for (i = 0; i < nr; i++)
		ptrs[i] = (uintptr_t)sets[i];
	*sets_field = (uintptr_t)ptrs;
	ret = ioctl(fd, cmd, args);
	err = errno;
	*made = true;
	free(ptrs);
	errno = err;
	return ret;
}

int clone_with_pids_reserve(const struct pid_set *const *sets, unsigned int nr,
			    unsigned int *busy_set, unsigned int *busy_index)
{
	struct cwp_reserve_args args = {
		.size		= sizeof(args),
		.nr_sets	= nr,
	};
	bool made;
	int ret;

	ret = cwp_sets_ioctl(CWP_IOC_RESERVE, &args, &args.sets, sets, nr,
			     CWP_MAX_RESERVE_SETS, &made);
	if (busy_set)
		*busy_set = made ? args.busy_set : ~0U;
	if (busy_index)
		*busy_index = made ? args.busy_index : ~0U;
	return ret;
}

int clone_with_pids_release(const struct pid_set *const *sets, unsigned int nr)
{
	struct cwp_reserve_args args = {
		.size		= sizeof(args),
		.nr_sets	= nr,
	};
	bool made;

	return cwp_sets_ioctl(CWP_IOC_RELEASE, &args, &args.sets, sets, nr,
			      CWP_MAX_RESERVE_SETS, &made);
}

int clone_with_pids_next_list(const struct pid_set *const *sets, unsigned int nr,
			      unsigned int *err_set)
{
	struct cwp_next_list_args args = {
		.size		= sizeof(args),
		.nr_sets	= nr,
	};
	bool made;
	int ret;

	ret = cwp_sets_ioctl(CWP_IOC_SET_NEXT_LIST, &args, &args.sets, sets, nr,
			     CWP_MAX_NEXT_SETS, &made);
	if (err_set)
		*err_set = ~0U;
	/* The module names a set only for the errors of reading one. */
	if (err_set && made && ret && (errno == EFAULT || errno == EINVAL || errno == EPERM))
		*err_set = args.err_set;
	return ret;
}
