// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, clone_with_pids_query() says CLONE_WITH_PIDS_CLONE3
 * with no features, as often as it is asked, and the device stays
 * ENODEV (root in the VM has CAP_SYS_MODULE, but no libkmod to load it).
 */
#include "t.h"

int main(void)
{
	unsigned long long features = ~0ULL;

	if (!access("/sys/module/clone_with_pids", F_OK))
		t_skip("the module is loaded");
	T_ASSERT(clone_with_pids_query(&features) == CLONE_WITH_PIDS_CLONE3,
		 "query: %s", strerror(errno));
	T_ASSERT(features == 0, "features %#llx", features);
	T_ASSERT(clone_with_pids_query(NULL) == CLONE_WITH_PIDS_CLONE3, "second query");
	T_EXPECT_ERRNO(clone_with_pids_fd(), ENODEV);
	T_ASSERT(access("/sys/module/clone_with_pids", F_OK), "the module got loaded");
	return T_PASS;
}
