// SPDX-License-Identifier: GPL-2.0
/*
 * clone-with-pids --query, status and status --json name every feature
 * the module reports (one table, from the uapi header's bits: reserve and
 * set-next-list among them) and count the reserved sets.
 */
#include "t.h"

/* Run the tool with these arguments; its output in out[]. */
#define TOOL(...) t_run("./clone-with-pids", out, sizeof(out), \
			(char *[]){ "clone-with-pids", __VA_ARGS__, NULL })

int main(void)
{
	static const struct {
		unsigned long long bit;
		const char *name;
	} want[] = {
		{ CWP_FEATURE_RESERVE, "reserve" },
		{ CWP_FEATURE_SET_NEXT_LIST, "set-next-list" },
		{ CWP_FEATURE_SET_NEXT, "set-next" },
		{ CWP_FEATURE_CLONE, "clone" },
	};
	struct t_set s = { .set.num_pids = 1, .pids = { 7431 } };
	const struct pid_set *sets[] = { &s.set };
	char out[8192], quoted[64], line[64];
	unsigned long long features;
	size_t i;
	int st;

	if (clone_with_pids_query(&features) < 0)
		t_fail("clone_with_pids_query: %s", strerror(errno));
	if (!(features & CWP_FEATURE_RESERVE))
		t_skip("the module cannot reserve pids on this kernel");
	if (clone_with_pids_reserve(sets, 1, NULL, NULL))
		t_fail("clone_with_pids_reserve({7431}): %s", strerror(errno));

	st = TOOL("--query");
	T_ASSERT(st == 0, "--query: status %d '%s'", st, out);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (features & want[i].bit) {
			snprintf(quoted, sizeof(quoted), " %s", want[i].name);
			T_ASSERT(strstr(out, quoted), "--query does not name %s: '%s'", want[i].name, out);
		}
	T_ASSERT(strstr(out, "reserved:    1 sets"), "--query: no reserved count: '%s'", out);

	st = TOOL("status");
	T_ASSERT(st == 0, "status: status %d '%s'", st, out);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (features & want[i].bit) {
			snprintf(quoted, sizeof(quoted), " %s", want[i].name);
			T_ASSERT(strstr(out, quoted), "status does not name %s: '%s'", want[i].name, out);
		}
	snprintf(line, sizeof(line), "reserved:    1 sets");
	T_ASSERT(strstr(out, line), "status: no reserved count: '%s'", out);

	st = TOOL("status", "--json");
	T_ASSERT(st == 0, "status --json: status %d '%s'", st, out);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (features & want[i].bit) {
			snprintf(quoted, sizeof(quoted), "\"%s\"", want[i].name);
			T_ASSERT(strstr(out, quoted), "status --json does not name %s: '%s'",
				 want[i].name, out);
		}
	T_ASSERT(strstr(out, "\"reserved\": 1"), "status --json: no reserved count: '%s'", out);

	if (clone_with_pids_release(NULL, 0))
		t_fail("clone_with_pids_release: %s", strerror(errno));
	return T_PASS;
}
