// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The checkpoint side: a task's pids in every pid namespace level, read
 * back from the NSpid line of /proc/<pid>/status. Plain open(), read()
 * and close() only, no stdio and no allocation: async-signal-safe, and
 * usable in the child of a raw clone().
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cwp_internal.h"

/*
 * cwp_nspid() - the NSpid line of a /proc status file.
 * @path:	for example "/proc/self/status"
 * @out:	where the pids go, outermost first; NULL with @max 0
 * @max:	room in @out
 *
 * Returns how many pids the line holds, which may be more than @max (only
 * the first @max are stored), or -1 with errno: open()'s or read()'s
 * error, ENOSYS when the file has no NSpid line (Linux older than 4.1).
 */
int cwp_nspid(const char *path, pid_t *out, unsigned int max)
{
	static const char key[] = "\nNSpid:";
	unsigned int matched = 1;	/* the start of the file starts a line */
	unsigned long v = 0;
	int fd, n = -1, digits = 0, err = ENOSYS;
	char buf[256];
	ssize_t len, i;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		len = read(fd, buf, sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0) {
			if (len < 0)
				err = errno;
			break;
		}
		for (i = 0; i < len; i++) {
			char c = buf[i];

			if (n < 0) {	/* looking for the line */
				if (c == key[matched])
					n = ++matched == sizeof(key) - 1 ? 0 : -1;
				else
					matched = c == '\n';
				continue;
			}
			if (c >= '0' && c <= '9') {
				v = v * 10 + (c - '0');
				digits = 1;
				continue;
			}
			if (digits) {
				if ((unsigned int)n < max)
					out[n] = v;
				n++;
				v = 0;
				digits = 0;
			}
			if (c == '\n')
				goto done;
		}
	}
	/* End of file (or an error) on the NSpid line or before it. */
	if (n < 0 || len < 0) {
		close(fd);
		errno = err;
		return -1;
	}
	if (digits) {
		if ((unsigned int)n < max)
			out[n] = v;
		n++;
	}
done:
	close(fd);
	return n;
}

int clone_with_pids_get(pid_t pid, struct pid_set *set, unsigned int max)
{
	char path[32] = "/proc/thread-self/status";
	int n;

	if (pid < 0) {
		errno = EINVAL;
		return -1;
	}
	if (pid > 0) {
		static const char tail[] = "/status";
		char digits[12];
		int nd = 0, off = 6, i;	/* after "/proc/" */

		for (; pid; pid /= 10)
			digits[nd++] = '0' + pid % 10;
		while (nd)
			path[off++] = digits[--nd];
		for (i = 0; i < (int)sizeof(tail); i++)
			path[off++] = tail[i];
	}
	n = cwp_nspid(path, set->pids, max);
	if (n < 0) {
		if (errno == ENOENT) {
			/* No such task, or no /proc at all? */
			int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

			if (fd < 0) {
				errno = ENOSYS;
				return -1;
			}
			close(fd);
			errno = ESRCH;
		}
		return -1;
	}
	if (n == 0) {	/* an empty NSpid line: not a kernel's */
		errno = ENOSYS;
		return -1;
	}
	set->num_pids = n;
	if ((unsigned int)n > max) {
		errno = ERANGE;
		return -1;
	}
	return n;
}
