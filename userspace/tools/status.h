/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clone-with-pids status and load (status.c). */
#ifndef CWP_STATUS_H
#define CWP_STATUS_H

/* Exit statuses of both, documented in clone-with-pids(1). */
#define CWP_STATUS_OK			0	/* loaded */
#define CWP_STATUS_ERROR		1	/* anything else */
#define CWP_STATUS_USAGE		2
#define CWP_STATUS_NOT_LOADED		3	/* installed for this kernel, not loaded */
#define CWP_STATUS_BLACKLISTED		4
#define CWP_STATUS_NOT_INSTALLED	5	/* not for this kernel */
#define CWP_STATUS_REFUSED		6	/* the kernel refused to load it */
#define CWP_STATUS_NO_LIBKMOD		7

/*
 * Print the names of the CWP_FEATURE_* bits set in @features, separated
 * by @sep, each in double quotes if @quote; a bit this program does not
 * know as "bit-N".
 */
void cwp_print_features(unsigned long long features, const char *sep, int quote);

/* Print the module's state (as JSON if @json); returns an exit status. */
int cwp_cmd_status(int json);
/* Load the module through libkmod; returns an exit status. */
int cwp_cmd_load(void);

#endif /* CWP_STATUS_H */
