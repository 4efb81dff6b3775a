// SPDX-License-Identifier: GPL-2.0
/*
 * Extensible arguments, as clone3(): a larger struct whose unknown tail is
 * zero is accepted; a non-zero byte in the tail, or a size over a page,
 * gives E2BIG.
 */
#include "t.h"

struct bigger {
	struct cwp_clone_args a;
	unsigned char tail[64];
};

int main(void)
{
	struct bigger b;
	struct t_set s;
	static char page[8192];

	memset(&b, 0, sizeof(b));
	t_clone_args(&b.a, t_set(&s, 1, 4500));
	b.a.size = sizeof(b);
	T_ASSERT(t_ioctl_clone(&b) == 4500, "zero tail refused: %s", strerror(errno));

	b.tail[63] = 1;
	T_EXPECT_ERRNO(t_ioctl_clone(&b), E2BIG);

	memset(page, 0, sizeof(page));
	t_clone_args((struct cwp_clone_args *)page, t_set(&s, 1, 4501));
	((struct cwp_clone_args *)page)->size = 4097;
	T_EXPECT_ERRNO(t_ioctl_clone(page), E2BIG);
	return T_PASS;
}
