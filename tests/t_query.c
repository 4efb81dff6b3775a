// SPDX-License-Identifier: GPL-2.0
/*
 * CWP_IOC_QUERY: reports the ABI version, the pid limit and the features;
 * accepts a larger zero-extended struct and says how much it filled;
 * refuses a too small size (EINVAL), non-zero input fields (EINVAL), a
 * non-zero unknown tail (E2BIG), an unmapped struct (EFAULT). Unknown
 * ioctls give ENOTTY.
 */
#include "t.h"

#include <sys/ioctl.h>

struct bigger {
	struct cwp_query q;
	unsigned char tail[32];
};

int main(void)
{
	int fd = clone_with_pids_fd();
	struct cwp_query q = { .size = sizeof(q) };
	struct bigger b;

	T_ASSERT(fd >= 0, "open: %s", strerror(errno));
	T_ASSERT(!ioctl(fd, CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	T_ASSERT(q.abi_version == CWP_ABI_VERSION, "abi %u", q.abi_version);
	T_ASSERT(q.max_pids == CWP_MAX_PIDS, "max_pids %u", q.max_pids);
	T_ASSERT(q.features & CWP_FEATURE_CLONE, "features %llx", (unsigned long long)q.features);
	T_ASSERT(q.features & CWP_FEATURE_ZERO_ANY_LEVEL, "features %llx", (unsigned long long)q.features);
	T_ASSERT(q.features & CWP_FEATURE_SET_NEXT, "features %llx", (unsigned long long)q.features);
	T_ASSERT(q.size == sizeof(q), "size %llu", (unsigned long long)q.size);
	T_ASSERT(q.max_requests > 0 && q.nr_requests == 0, "requests %u/%u", q.nr_requests, q.max_requests);

	memset(&b, 0, sizeof(b));
	b.q.size = sizeof(b);
	T_ASSERT(!ioctl(fd, CWP_IOC_QUERY, &b), "bigger query: %s", strerror(errno));
	T_ASSERT(b.q.size == sizeof(struct cwp_query), "filled %llu", (unsigned long long)b.q.size);
	T_ASSERT(b.q.abi_version == CWP_ABI_VERSION, "abi %u", b.q.abi_version);

	memset(&b, 0, sizeof(b));
	b.q.size = sizeof(b);
	b.tail[31] = 0xff;
	T_EXPECT_ERRNO(ioctl(fd, CWP_IOC_QUERY, &b), E2BIG);

	memset(&q, 0, sizeof(q));
	q.size = CWP_QUERY_SIZE_VER0 - 1;
	T_EXPECT_ERRNO(ioctl(fd, CWP_IOC_QUERY, &q), EINVAL);

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.call_method = 3;
	T_EXPECT_ERRNO(ioctl(fd, CWP_IOC_QUERY, &q), EINVAL);

	T_EXPECT_ERRNO(ioctl(fd, CWP_IOC_QUERY, (void *)16), EFAULT);
	T_EXPECT_ERRNO(ioctl(fd, _IOW(CWP_IOC_MAGIC, 0x9f, struct cwp_query), &q), ENOTTY);
	T_EXPECT_ERRNO(ioctl(fd, _IOW('x', 0x81, struct cwp_clone_args), &q), ENOTTY);
	return T_PASS;
}
