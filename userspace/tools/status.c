// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * clone-with-pids status and load: the module's state through libkmod
 * (opened with dlopen(), as the library does), for a person or as JSON,
 * with what to do when something is wrong.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/clone_with_pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cwp_internal.h"
#include "status.h"

#define CWP_MODULE	"clone_with_pids"
#define CWP_PACKAGE	"clone-with-pids-dkms"
#define CWP_MOK_PUB	"/var/lib/dkms/mok.pub"

struct cwp_status {
	char kernel[65];
	bool libkmod;
	/* Installed for this kernel (modules.dep). */
	char path[4096];
	char version[64];
	char signer[256];
	bool dkms_sources;	/* /usr/src/clone_with_pids-* */
	char others[1024];	/* other kernels that have it, space-separated */
	bool blacklisted;
	/* Loaded. */
	const char *state;	/* "live", "coming", "going", "builtin", NULL: not loaded */
	int refcnt;
	char loaded_version[64];
	/* Device node. */
	bool node;
	struct stat st;
	/* The module's own report. */
	bool queried;
	struct cwp_query q;
	/* The kernel. */
	int secure_boot;	/* 1 on, 0 off, -1 unknown (no EFI) */
	char lockdown[32];	/* "none", "integrity", "confidentiality", "" unknown */
	int kprobes;		/* CONFIG_KPROBES: 1, 0, -1 unknown */
};

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok = f && fgets(buf, len, f);

	if (f)
		fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A module file of ours under /lib/modules/KVER (DKMS's or make install's). */
static bool has_module_file(const char *kver)
{
	static const char * const dirs[] = { "updates/dkms", "updates", "extra" };
	static const char * const exts[] = { "", ".xz", ".zst", ".gz" };
	char p[512];
	size_t i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++) {
			snprintf(p, sizeof(p), "/lib/modules/%s/%s/" CWP_MODULE ".ko%s",
				 kver, dirs[i], exts[j]);
			if (!access(p, F_OK))
				return true;
		}
	return false;
}

static void find_other_kernels(struct cwp_status *s)
{
	DIR *d = opendir("/lib/modules");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, s->kernel) ||
		    !has_module_file(e->d_name))
			continue;
		n += snprintf(s->others + n, sizeof(s->others) - n, "%s%s", n ? " " : "", e->d_name);
		if (n >= sizeof(s->others))
			break;
	}
	closedir(d);
}

static void find_dkms_sources(struct cwp_status *s)
{
	DIR *d = opendir("/usr/src");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, CWP_MODULE "-", sizeof(CWP_MODULE)))
			s->dkms_sources = true;
	closedir(d);
}

static void kmod_facts(struct cwp_status *s)
{
	const struct cwp_kmod *k = cwp_kmod_open();
	struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	struct kmod_config_iter *it;
	struct kmod_ctx *ctx;
	const char *p;
	int st;

	if (!k)
		return;
	s->libkmod = true;
	ctx = k->new(NULL, NULL);
	if (!ctx)
		return;
	if (k->module_new_from_name(ctx, CWP_MODULE, &mod) < 0)
		goto out;
	p = k->module_get_path(mod);
	if (p)
		snprintf(s->path, sizeof(s->path), "%s", p);
	if (p && k->module_get_info(mod, &info) >= 0) {
		for (l = info; l; l = k->list_next(info, l)) {
			const char *key = k->module_info_get_key(l);
			const char *val = k->module_info_get_value(l);

			if (!val)
				continue;
			if (!strcmp(key, "version"))
				snprintf(s->version, sizeof(s->version), "%s", val);
			else if (!strcmp(key, "signer"))
				snprintf(s->signer, sizeof(s->signer), "%s", val);
		}
		k->module_info_free_list(info);
	}
	st = k->module_get_initstate(mod);
	switch (st) {
	case KMOD_MODULE_LIVE: s->state = "live"; break;
	case KMOD_MODULE_COMING: s->state = "coming"; break;
	case KMOD_MODULE_GOING: s->state = "going"; break;
	case KMOD_MODULE_BUILTIN: s->state = "builtin"; break;
	default: s->state = NULL;
	}
	if (s->state)
		s->refcnt = k->module_get_refcnt(mod);
	it = k->config_get_blacklists(ctx);
	while (it && k->config_iter_next(it))
		if (!strcmp(k->config_iter_get_key(it), CWP_MODULE))
			s->blacklisted = true;
	if (it)
		k->config_iter_free_iter(it);
	k->module_unref(mod);
out:
	k->unref(ctx);
}

static void kernel_facts(struct cwp_status *s)
{
	char buf[256], *a, *b;
	unsigned char sb[5];
	FILE *f;
	int fd;

	s->secure_boot = -1;
	fd = open("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
		  O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, sb, sizeof(sb)) == sizeof(sb))
			s->secure_boot = sb[4] == 1;
		close(fd);
	} else if (!access("/sys/firmware/efi", F_OK)) {
		s->secure_boot = 0;
	}
	/* "none [integrity] confidentiality": the bracketed one is in force. */
	if (!read_line("/sys/kernel/security/lockdown", buf, sizeof(buf)) &&
	    (a = strchr(buf, '[')) && (b = strchr(a, ']'))) {
		*b = '\0';
		snprintf(s->lockdown, sizeof(s->lockdown), "%s", a + 1);
	}
	s->kprobes = -1;
	snprintf(buf, sizeof(buf), "/boot/config-%s", s->kernel);
	f = fopen(buf, "re");
	if (f) {
		s->kprobes = 0;
		while (fgets(buf, sizeof(buf), f))
			if (!strcmp(buf, "CONFIG_KPROBES=y\n"))
				s->kprobes = 1;
		fclose(f);
	}
}

static void gather(struct cwp_status *s)
{
	struct utsname u;
	int fd;

	memset(s, 0, sizeof(*s));
	uname(&u);
	snprintf(s->kernel, sizeof(s->kernel), "%s", u.release);
	kmod_facts(s);
	if (!s->libkmod) {
		/* Without libkmod: the state from sysfs and the file system. */
		if (has_module_file(s->kernel))
			snprintf(s->path, sizeof(s->path), "/lib/modules/%s/...", s->kernel);
		if (!access("/sys/module/" CWP_MODULE, F_OK))
			s->state = "live";
	}
	find_other_kernels(s);
	find_dkms_sources(s);
	read_line("/sys/module/" CWP_MODULE "/version", s->loaded_version,
		  sizeof(s->loaded_version));
	s->node = !stat(CWP_DEVICE_PATH, &s->st);
	kernel_facts(s);
	/* Only a loaded module is asked: opening the node would load it. */
	if (s->state && s->node) {
		fd = open(CWP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		s->q.size = sizeof(s->q);
		if (fd >= 0 && !ioctl(fd, CWP_IOC_QUERY, &s->q))
			s->queried = true;
		if (fd >= 0)
			close(fd);
	}
}

/* Exit status and diagnoses of a gathered state. */
static int verdict(const struct cwp_status *s, const char **why, const char **todo)
{
	*why = *todo = NULL;
	if (s->state && strcmp(s->state, "going")) {
		if (!s->node) {
			*why = "the module is loaded but " CWP_DEVICE_PATH " does not exist";
			*todo = "check udev and devtmpfs (the module creates the node when it loads)";
		} else if ((s->st.st_mode & 0666) != 0666) {
			*why = CWP_DEVICE_PATH " is not usable by every user";
			*todo = "install the udev rule and tmpfiles entry (" CWP_PACKAGE
				", or make install), or chmod 0666 " CWP_DEVICE_PATH;
		}
		return CWP_STATUS_OK;
	}
	if (!s->path[0]) {
		if (s->others[0]) {
			*why = "the module is installed for other kernels only";
			*todo = s->dkms_sources ?
				"install the headers of this kernel (apt install linux-headers-$(uname -r)); "
				"DKMS then builds it (or run dkms autoinstall)" :
				"build it for this kernel: make install, or the " CWP_PACKAGE " package";
		} else if (s->dkms_sources) {
			*why = "DKMS has the sources but did not build the module for this kernel";
			*todo = "install the headers of this kernel (apt install linux-headers-$(uname -r)), "
				"then dkms autoinstall";
		} else {
			*why = "the module is not installed";
			*todo = "apt install " CWP_PACKAGE " (or make install, or make dkms)";
		}
		return CWP_STATUS_NOT_INSTALLED;
	}
	if (s->blacklisted) {
		*why = "the module is blacklisted (modprobe.d)";
		*todo = "remove the 'blacklist " CWP_MODULE "' line from /etc/modprobe.d to load it";
		return CWP_STATUS_BLACKLISTED;
	}
	if (s->kprobes == 0) {
		*why = "this kernel has no kprobes (CONFIG_KPROBES): the module cannot load";
		*todo = "use a kernel built with CONFIG_KPROBES=y (every Debian kernel is)";
		return CWP_STATUS_REFUSED;
	}
	if (s->secure_boot == 1 && !s->signer[0]) {
		*why = "Secure Boot is on and the module is not signed: the kernel will reject it";
		*todo = "let DKMS sign it (dkms 3.0.4 and later sign with /var/lib/dkms/mok.key), "
			"then enrol the key: mokutil --import " CWP_MOK_PUB ", reboot, confirm in MokManager";
		return CWP_STATUS_NOT_LOADED;
	}
	if (!s->node)
		*todo = "no " CWP_DEVICE_PATH " yet (made at boot from modules.devname): "
			"clone-with-pids load, or modprobe " CWP_MODULE;
	else
		*todo = "it loads when a program opens " CWP_DEVICE_PATH
			", or now with clone-with-pids load";
	*why = "the module is installed for this kernel and not loaded";
	return CWP_STATUS_NOT_LOADED;
}

/*
 * The name of @id in /etc/passwd or /etc/group, read by hand: NSS would
 * need the shared C library in the static build of the tool.
 */
static const char *id_name(const char *file, unsigned int id, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(file, "re");

	snprintf(buf, len, "%u", id);
	while (f && fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *num = strtok(NULL, ":");

		if (name && pw && num && strtoul(num, NULL, 10) == id) {
			snprintf(buf, len, "%s", name);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

static void json_str(int indent, const char *key, const char *v, const char *sep)
{
	printf("%*s\"%s\": ", indent, "", key);
	if (!v) {
		printf("null%s\n", sep);
		return;
	}
	putchar('"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", *v);
		else
			putchar(*v);
	}
	printf("\"%s\n", sep);
}

/*
 * The names of the uapi header's CWP_FEATURE_* bits, the one table the
 * tool prints them from (--query, status, status --json). A bit added to
 * the header needs its name here: tests/host/features.sh checks it.
 */
static const struct {
	unsigned long long bit;
	const char *name;
} feature_names[] = {
	{ CWP_FEATURE_CLONE,		"clone" },
	{ CWP_FEATURE_ZERO_ANY_LEVEL,	"zero-any-level" },
	{ CWP_FEATURE_CHECKPOINT_RESTORE, "cap-checkpoint-restore" },
	{ CWP_FEATURE_SET_NEXT,		"set-next" },
	{ CWP_FEATURE_QUOTA,		"quota" },
	{ CWP_FEATURE_MONITORS,		"monitors" },
	{ CWP_FEATURE_RESERVE,		"reserve" },
	{ CWP_FEATURE_SET_NEXT_LIST,	"set-next-list" },
};

void cwp_print_features(unsigned long long features, const char *sep, int quote)
{
	const char *s = "";
	unsigned long long known = 0;
	size_t i;

	for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		known |= feature_names[i].bit;
		if (features & feature_names[i].bit) {
			printf(quote ? "%s\"%s\"" : "%s%s", s, feature_names[i].name);
			s = sep;
		}
	}
	for (i = 0; i < 64; i++)
		if (features & ~known & (1ULL << i)) {
			printf(quote ? "%s\"bit-%zu\"" : "%sbit-%zu", s, i);
			s = sep;
		}
}

static void print_json(const struct cwp_status *s, int rc, const char *why, const char *todo)
{
	char mode[8];

	printf("{\n");
	json_str(2, "kernel", s->kernel, ",");
	printf("  \"libkmod\": %s,\n", s->libkmod ? "true" : "false");
	printf("  \"installed\": {\n");
	json_str(4, "path", s->path[0] ? s->path : NULL, ",");
	json_str(4, "version", s->version[0] ? s->version : NULL, ",");
	json_str(4, "signer", s->signer[0] ? s->signer : NULL, ",");
	json_str(4, "other_kernels", s->others, ",");
	printf("    \"dkms_sources\": %s,\n", s->dkms_sources ? "true" : "false");
	printf("    \"blacklisted\": %s\n  },\n", s->blacklisted ? "true" : "false");
	printf("  \"loaded\": {\n");
	json_str(4, "state", s->state, ",");
	printf("    \"refcount\": %d,\n", s->state ? s->refcnt : 0);
	json_str(4, "version", s->loaded_version[0] ? s->loaded_version : NULL, "");
	printf("  },\n");
	printf("  \"device\": {\n");
	json_str(4, "path", CWP_DEVICE_PATH, ",");
	printf("    \"exists\": %s", s->node ? "true" : "false");
	if (s->node) {
		char u[64], g[64];

		snprintf(mode, sizeof(mode), "%04o", s->st.st_mode & 07777);
		printf(",\n");
		json_str(4, "mode", mode, ",");
		json_str(4, "owner", id_name("/etc/passwd", s->st.st_uid, u, sizeof(u)), ",");
		json_str(4, "group", id_name("/etc/group", s->st.st_gid, g, sizeof(g)), ",");
		printf("    \"rdev\": \"%u:%u\"\n", major(s->st.st_rdev), minor(s->st.st_rdev));
	} else {
		printf("\n");
	}
	printf("  },\n");
	if (s->queried) {
		const struct cwp_query *q = &s->q;

		printf("  \"module\": {\n    \"abi\": %u,\n    \"max_pids\": %u,\n    \"features\": [",
		       q->abi_version, q->max_pids);
		cwp_print_features(q->features, ", ", 1);
		printf("],\n    \"call\": \"%s\",\n", q->call_method == CWP_CALL_STATIC_CALL ?
		       "static_call" : q->call_method == CWP_CALL_POINTER ? "pointer" : "unknown");
		printf("    \"ibt\": { \"kernel\": %s, \"cpu\": %s, \"sealed\": %s, \"safe\": %s },\n",
		       q->ibt & CWP_IBT_KERNEL ? "true" : "false",
		       q->ibt & CWP_IBT_CPU ? "true" : "false",
		       q->ibt & CWP_IBT_SEALED ? "true" : "false",
		       q->ibt & CWP_IBT_SAFE ? "true" : "false");
		printf("    \"bti\": { \"kernel\": %s, \"cpu\": %s, \"landing_pad\": %s },\n",
		       q->ibt & CWP_BTI_KERNEL ? "true" : "false",
		       q->ibt & CWP_BTI_CPU ? "true" : "false",
		       q->ibt & CWP_BTI_LANDING ? "true" : "false");
		printf("    \"pac\": { \"kernel\": %s, \"cpu\": %s },\n",
		       q->ibt & CWP_PAC_KERNEL ? "true" : "false",
		       q->ibt & CWP_PAC_CPU ? "true" : "false");
		printf("    \"armed\": %u,\n    \"max_requests\": %u", q->nr_requests, q->max_requests);
		if (q->size >= CWP_QUERY_SIZE_VER1)
			printf(",\n    \"user_requests\": %u,\n    \"divert_ttl_ms\": %u,\n"
			       "    \"mem_bytes\": %llu", q->user_requests, q->divert_ttl_ms,
			       (unsigned long long)q->mem_bytes);
		if (q->size >= CWP_QUERY_SIZE_VER2)
			printf(",\n    \"reserved\": %u", q->nr_reserved);
		printf("\n  },\n");
	} else {
		printf("  \"module\": null,\n");
	}
	printf("  \"secure_boot\": %s,\n", s->secure_boot < 0 ? "null" :
	       s->secure_boot ? "true" : "false");
	json_str(2, "lockdown", s->lockdown[0] ? s->lockdown : NULL, ",");
	printf("  \"kprobes\": %s,\n", s->kprobes < 0 ? "null" : s->kprobes ? "true" : "false");
	json_str(2, "problem", why, ",");
	json_str(2, "todo", todo, ",");
	printf("  \"status\": %d\n}\n", rc);
}

static void print_human(const struct cwp_status *s, const char *why, const char *todo)
{
	printf("kernel:      %s\n", s->kernel);
	if (s->path[0])
		printf("installed:   %s (version %s%s%s)\n", s->path,
		       s->version[0] ? s->version : "?", s->signer[0] ? ", signed by " : "",
		       s->signer);
	else
		printf("installed:   no%s%s%s\n", s->others[0] ? " (other kernels: " : "",
		       s->others, s->others[0] ? ")" : "");
	if (s->blacklisted)
		printf("blacklisted: yes\n");
	if (s->state)
		printf("loaded:      %s, refcount %d, version %s\n", s->state, s->refcnt,
		       s->loaded_version[0] ? s->loaded_version : "?");
	else
		printf("loaded:      no\n");
	if (s->node) {
		char u[64], g[64];

		printf("device:      %s, char %u:%u, mode %04o, %s:%s\n", CWP_DEVICE_PATH,
		       major(s->st.st_rdev), minor(s->st.st_rdev), s->st.st_mode & 07777,
		       id_name("/etc/passwd", s->st.st_uid, u, sizeof(u)),
		       id_name("/etc/group", s->st.st_gid, g, sizeof(g)));
	} else {
		printf("device:      no %s\n", CWP_DEVICE_PATH);
	}
	if (s->queried) {
		printf("abi:         %u, features: ", s->q.abi_version);
		cwp_print_features(s->q.features, " ", 0);
		printf("\ncall:        %s; %s %s\n", s->q.call_method == CWP_CALL_STATIC_CALL ?
		       "static_call (direct jump)" : s->q.call_method == CWP_CALL_POINTER ?
		       "pointer (indirect call)" : "unknown",
		       s->q.call_method == CWP_CALL_POINTER ? "BTI" : "IBT",
		       s->q.ibt & CWP_IBT_SAFE ? "safe" : "NOT SAFE");
		printf("armed sets:  %u of %u", s->q.nr_requests, s->q.max_requests);
		if (s->q.size >= CWP_QUERY_SIZE_VER1)
			printf(", %u per unprivileged user", s->q.user_requests);
		printf("\n");
		if (s->q.size >= CWP_QUERY_SIZE_VER2)
			printf("reserved:    %u sets (counted in the same limits)\n",
			       s->q.nr_reserved);
	}
	if (s->secure_boot == 1 || s->lockdown[0])
		printf("kernel:      Secure Boot %s, lockdown %s\n",
		       s->secure_boot == 1 ? "on" : s->secure_boot == 0 ? "off" : "unknown",
		       s->lockdown[0] ? s->lockdown : "unknown");
	if (!s->libkmod)
		printf("libkmod:     not available (libkmod.so.2): partial report\n");
	if (why)
		printf("problem:     %s\n", why);
	if (todo)
		printf("to do:       %s\n", todo);
}

int cwp_cmd_status(int json)
{
	const char *why, *todo;
	struct cwp_status s;
	int rc;

	gather(&s);
	rc = verdict(&s, &why, &todo);
	if (json)
		print_json(&s, rc, why, todo);
	else
		print_human(&s, why, todo);
	return rc;
}

int cwp_cmd_load(void)
{
	struct cwp_status s;
	const char *why, *todo;
	int ret;

	if (!cwp_kmod_open()) {
		fprintf(stderr, "clone-with-pids: libkmod (libkmod.so.2) is not available: "
			"modprobe " CWP_MODULE " instead\n");
		return CWP_STATUS_NO_LIBKMOD;
	}
	ret = cwp_kmod_load();
	if (ret == 0)
		return CWP_STATUS_OK;
	gather(&s);
	verdict(&s, &why, &todo);
	switch (ret) {
	case CWP_KMOD_BLACKLISTED:
		fprintf(stderr, "clone-with-pids: " CWP_MODULE " is blacklisted (modprobe.d): "
			"not loaded\n");
		return CWP_STATUS_BLACKLISTED;
	case -ENOENT:
		fprintf(stderr, "clone-with-pids: %s\n  %s\n", why ? why : "module not found",
			todo ? todo : "");
		return CWP_STATUS_NOT_INSTALLED;
	case -EKEYREJECTED:
	case -ENOKEY:
	case -EKEYEXPIRED:
		fprintf(stderr, "clone-with-pids: the kernel rejected the module's signature "
			"(Secure Boot):\n"
			"  enrol the key DKMS signs with: mokutil --import " CWP_MOK_PUB "\n"
			"  then reboot and confirm the enrolment in MokManager\n");
		return CWP_STATUS_REFUSED;
	case -EPERM:
		if (s.lockdown[0] && strcmp(s.lockdown, "none"))
			fprintf(stderr, "clone-with-pids: the kernel is locked down (%s): it loads "
				"only signed modules; see the Secure Boot steps in the README\n",
				s.lockdown);
		else
			fprintf(stderr, "clone-with-pids: not permitted: loading a module needs "
				"CAP_SYS_MODULE (run as root)\n");
		return CWP_STATUS_REFUSED;
	default:
		fprintf(stderr, "clone-with-pids: loading " CWP_MODULE ": %s%s\n", strerror(-ret),
			s.kprobes == 0 ? " (this kernel has no kprobes)" :
			"; the kernel log says why (dmesg | grep " CWP_MODULE ")");
		return CWP_STATUS_REFUSED;
	}
}
