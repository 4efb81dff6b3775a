// SPDX-License-Identifier: GPL-2.0
/*
 * CWP_IOC_QUERY: reports the ABI version, the pid limit, the features,
 * the quotas, the module's memory and the caller's monitors (none here);
 * a caller that knows only the first version gets only that; it accepts
 * a larger zero-extended struct and says how much it filled;
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
	T_ASSERT(q.features & CWP_FEATURE_QUOTA && q.features & CWP_FEATURE_MONITORS,
		 "features %llx", (unsigned long long)q.features);
	T_ASSERT(q.user_requests > 0 && q.user_requests <= q.max_requests * 3 / 4,
		 "user quota %u of %u", q.user_requests, q.max_requests);
	T_ASSERT(q.divert_ttl_ms >= 100, "divert_ttl_ms %u", q.divert_ttl_ms);
	/* The kretprobe's instances at least; far less than 64 MiB. */
	T_ASSERT(q.mem_bytes >= q.max_requests * 8ULL && q.mem_bytes < (64ULL << 20),
		 "mem_bytes %llu", (unsigned long long)q.mem_bytes);
	T_ASSERT(q.monitors == 0, "monitors %#x", q.monitors);
	T_ASSERT(q.pad == 0, "pad %u", q.pad);
	printf("stat: %llu bytes, quota %u per user of %u, divert ttl %u ms\n",
	       (unsigned long long)q.mem_bytes, q.user_requests, q.max_requests, q.divert_ttl_ms);

	/* A caller built against the first version gets that much. */
	memset(&b, 0xee, sizeof(b));
	memset(&b.q, 0, CWP_QUERY_SIZE_VER0);
	b.q.size = CWP_QUERY_SIZE_VER0;
	T_ASSERT(!ioctl(fd, CWP_IOC_QUERY, &b), "VER0 query: %s", strerror(errno));
	T_ASSERT(b.q.size == CWP_QUERY_SIZE_VER0 && b.q.user_requests == 0xeeeeeeee,
		 "a VER0 query got %llu bytes", (unsigned long long)b.q.size);

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
