# SPDX-License-Identifier: GPL-2.0
#
# clone_with_pids: kernel module (built by Kbuild), userspace library and
# tool, tests in QEMU on stock Debian kernels.
#
#   make deps              install what the build needs (apt, as root)
#   make module            build clone_with_pids.ko for KERNELRELEASE/KDIR
#   make userspace         library (static + shared) and clone-with-pids
#   make check             CI's gate: host checks, the suite on 5.10, 7.x-rt
#                          and arm64/7.x in QEMU, the fallback pass, make deb
#                          (KERNELS="6.1 arm64/6.1" make check: any mix)
#   make check-all         everything: the suite on every kernel of the
#                          matrix, check-debug, check-packages, check-external
#   make check-debug       the suite on a debug build of 6.1 (KASAN, lockdep)
#   make check-external    the kernel's own selftests and stress-ng, without
#                          and with the module, in QEMU
#   make demo              show it working in a VM (bookworm's kernel;
#                          DEMO_KERNEL=arm64/6.1 for its arm64 one)
#   make install           module, library, headers, tool, man pages,
#                          pkg-config file, udev rule, tmpfiles entry
#                          (DESTDIR, PREFIX, LIBDIR...; depmod without DESTDIR)
#   make uninstall         remove what make install installed
#   make dkms              register, build and install with DKMS
#   make deb               Debian packages in build/deb (as root on Debian)
#   make check-packages    install the packages in bookworm and trixie VMs

VERSION := $(shell cat $(CURDIR)/VERSION)
KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# udev and systemd-tmpfiles read these, whatever PREFIX is.
UDEVDIR ?= /lib/udev
TMPFILESDIR ?= /usr/lib/tmpfiles.d
B := build

CC ?= cc
CFLAGS ?= -O2 -g
CWP_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Iinclude/uapi -Iuserspace/lib

ARCH_DIR := userspace/lib/arch/$(shell $(CC) -dumpmachine | sed 's/-.*//; s/^i[3-6]86$$/i386/')
LIB_C := userspace/lib/clone_with_pids.c userspace/lib/fallback.c userspace/lib/kmod.c \
	userspace/lib/nspid.c userspace/lib/sets.c
LIB_SRC := $(LIB_C) $(ARCH_DIR)/clone_fn.S
HDRS := userspace/lib/clone_with_pids.h include/uapi/linux/clone_with_pids.h \
	userspace/lib/cwp_internal.h
TOOL_SRC := userspace/tools/clone-with-pids.c userspace/tools/status.c
TESTS := $(sort $(basename $(notdir $(wildcard tests/t_*.c))))

.PHONY: all deps module userspace tests tests-arm64 check check-debug check-external demo install install-module \
	install-userspace install-system install-dkms-src uninstall dkms deb check-packages style clean

all: module userspace

# What plain make needs, installed with apt (as root on Debian): a C
# compiler, libkmod's header (the library opens libkmod with dlopen() but
# takes its types from there), pkgconf, the running kernel's headers.
BUILD_DEPS := make gcc libc6-dev libkmod-dev pkgconf
deps:
	apt-get install -y --no-install-recommends $(BUILD_DEPS) \
		$(shell apt-cache show linux-headers-$(KERNELRELEASE) > /dev/null 2>&1 && \
			echo linux-headers-$(KERNELRELEASE))

# A missing libkmod.h, said in one line rather than by the compiler.
.PHONY: check-libkmod
check-libkmod:
	@echo '#include <libkmod.h>' | $(CC) $(CPPFLAGS) -E -x c - > /dev/null 2>&1 || \
		{ echo "libkmod.h not found: apt-get install libkmod-dev (make deps installs every build dependency)" >&2; \
		  exit 1; }

$(B)/lib/kmod.o $(B)/tobj/kmod.o $(B)/tobj32/kmod.o: | check-libkmod

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

$(B)/lib/%.o: userspace/lib/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CPPFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

$(B)/lib/clone_fn.o: $(ARCH_DIR)/clone_fn.S
	@mkdir -p $(dir $@)
	$(CC) -fPIC -c -o $@ $<

LIB_OBJ := $(patsubst userspace/lib/%.c,$(B)/lib/%.o,$(LIB_C)) $(B)/lib/clone_fn.o

$(B)/libclone_with_pids.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/libclone_with_pids.so.0: $(LIB_OBJ) userspace/lib/libclone_with_pids.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libclone_with_pids.so.0 \
		-Wl,--version-script=userspace/lib/libclone_with_pids.map -o $@ $(LIB_OBJ)

$(B)/clone-with-pids: $(TOOL_SRC) userspace/tools/status.h $(B)/libclone_with_pids.a $(HDRS)
	$(CC) $(CWP_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SRC) $(B)/libclone_with_pids.a

$(B)/restore-tree: userspace/examples/restore-tree.c $(B)/libclone_with_pids.a $(HDRS)
	$(CC) $(CWP_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $< $(B)/libclone_with_pids.a

$(B)/dump-tree: userspace/examples/dump-tree.c $(B)/libclone_with_pids.a $(HDRS)
	$(CC) $(CWP_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libclone_with_pids.a

$(B)/libclone_with_pids.pc: userspace/lib/libclone_with_pids.pc.in VERSION
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< > $@

# Rebuilt every time: it holds the install paths of this make's command line.
.PHONY: $(B)/libclone_with_pids.pc

userspace: $(B)/libclone_with_pids.a $(B)/libclone_with_pids.so.0 $(B)/clone-with-pids $(B)/restore-tree \
	$(B)/dump-tree

# Tests run in an initramfs: static binaries, one per behaviour. The
# library and the tests' helpers are compiled once per architecture into
# libcwp-test.a, which every test program, tool and example of the VMs
# links.
T_SRC := tests/t.c tests/storm.c
T_HDRS := tests/t.h tests/storm.h tests/raw.h
T_OBJ := $(patsubst %.c,$(B)/tobj/%.o,$(notdir $(T_SRC) $(LIB_C))) $(B)/tobj/clone_fn.o
T_LIB := $(B)/tobj/libcwp-test.a

$(B)/tobj/%.o: tests/%.c $(T_HDRS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -pthread -c -o $@ $<

$(B)/tobj/%.o: userspace/lib/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/tobj/clone_fn.o: $(ARCH_DIR)/clone_fn.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(T_LIB): $(T_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/tests/%: tests/%.c $(T_LIB) $(T_HDRS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -pthread -o $@ $< $(T_LIB)

$(B)/tests/clone-with-pids: $(TOOL_SRC) userspace/tools/status.h $(T_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -o $@ $(TOOL_SRC) $(T_LIB)

$(B)/tests/restore-tree: userspace/examples/restore-tree.c $(T_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -pthread -o $@ $< $(T_LIB)

$(B)/tests/dump-tree: userspace/examples/dump-tree.c $(T_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -o $@ $< $(T_LIB)

$(B)/tests/tree.txt: userspace/examples/tree.txt
	@mkdir -p $(dir $@)
	cp $< $@

# Tests that go through thousands of kernel-chosen pids run last: a kernel
# thread started meanwhile could sit on a pid another test asks for. The
# audit test is the very last: audit cannot be turned off for the tasks
# that exist when it was on.
LAST := t_wrap t_race64 t_fuzz t_monitor_audit

# The library without the module (clone3() set_tid): a pass of their own,
# where the module is never loaded (tests/vm/check-fallback.sh).
FALLBACK_TESTS := $(filter t_fallback_%,$(TESTS))
MAIN_TESTS := $(filter-out $(FALLBACK_TESTS),$(TESTS))

# Tests that make the kernel patch hot text at run time (a syscall trace
# event flips a static key that every system call reads): a boot of their
# own with one vCPU. Under TCG, with two, a vCPU has been seen running the
# temporary int3 of a site another had finished patching (an oops in the
# kernel's own code), or wedging (tests/vm/check.sh).
SMP1 := t_monitor_tracepoint

# The same tests as 32-bit programs (compat ioctl path), but the long ones.
M32_SKIP := t_fuzz t_lifecycle t_race64 t_wrap t_monitor_audit t_restart_owed t_restart_ioctl \
	t_dump_restore
M32_TESTS := $(filter-out $(M32_SKIP),$(MAIN_TESTS))
# The 32-bit programs (the compat ioctl path): i386 ones with $(CC) -m32 on
# x86-64; on arm64, armhf ones when M32_CC names an armhf compiler
# (cross-tests.sh does), with M32_ARCH=arm and their own M32_CFLAGS.
ifeq ($(notdir $(ARCH_DIR)),x86_64)
M32_CC ?= $(CC) -m32
M32_ARCH ?= i386
endif
M32_CFLAGS ?= $(CFLAGS)
ifeq ($(M32_CC),)
M32_TESTS :=
endif
M32_AR ?= $(AR)
M32_OBJ := $(patsubst $(B)/tobj/%,$(B)/tobj32/%,$(T_OBJ))
M32_LIB := $(B)/tobj32/libcwp-test.a

$(B)/tobj32/%.o: tests/%.c $(T_HDRS) $(HDRS)
	@mkdir -p $(dir $@)
	$(M32_CC) $(CWP_CFLAGS) $(M32_CFLAGS) -pthread -c -o $@ $<

$(B)/tobj32/%.o: userspace/lib/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(M32_CC) $(CWP_CFLAGS) $(M32_CFLAGS) -c -o $@ $<

$(B)/tobj32/clone_fn.o: userspace/lib/arch/$(M32_ARCH)/clone_fn.S
	@mkdir -p $(dir $@)
	$(M32_CC) $(M32_CFLAGS) -c -o $@ $<

$(M32_LIB): $(M32_OBJ)
	rm -f $@
	$(M32_AR) rcs $@ $^

$(B)/tests/m32/%: tests/%.c $(M32_LIB) $(T_HDRS) $(HDRS)
	@mkdir -p $(dir $@)
	$(M32_CC) $(CWP_CFLAGS) $(M32_CFLAGS) -static -pthread -o $@ $< $(M32_LIB)

$(B)/tests/timeouts: tests/timeouts
	@mkdir -p $(dir $@)
	cp $< $@

tests: $(addprefix $(B)/tests/,$(TESTS)) $(B)/tests/clone-with-pids $(B)/tests/restore-tree \
	$(B)/tests/dump-tree \
	$(B)/tests/tree.txt $(B)/tests/timeouts $(addprefix $(B)/tests/m32/,$(M32_TESTS))
	printf '%s\n' $(filter-out $(LAST) $(SMP1),$(MAIN_TESTS)) \
		$(addprefix m32/,$(filter-out $(SMP1),$(M32_TESTS))) $(LAST) > $(B)/tests/list
	printf '%s\n' $(SMP1) $(addprefix m32/,$(filter $(SMP1),$(M32_TESTS))) > $(B)/tests/list-smp1
	printf '%s\n' $(FALLBACK_TESTS) > $(B)/tests/list-fallback

# The arm64 test programs in $(B)/arm64/tests: cross-built, static, with
# -mbranch-protection=standard, in trixie's arm64 cross chroot.
tests-arm64:
	tests/vm/deps.sh
	tests/vm/cross-tests.sh arm64

# make check, the README's test command and CI's: the host checks, the
# suite on the three kernels that differ most (5.10, 7.x-rt, arm64/7.x:
# tests/vm/lib.sh), the library's fallback pass and make deb, prepared and
# run side by side (tests/vm/check.sh). KERNELS="6.1 arm64/6.12" make
# check: those kernels instead; KERNELS=all: every kernel.
check:
	tests/vm/check.sh

# Everything: make check on every kernel of the matrix, then the debug
# kernel, the packages booted, and the external suites (the kernels' own
# selftests and stress-ng) on the oldest and newest kernels. Run before
# resolving an issue that changes module/, include/ or the library.
.PHONY: check-all
check-all:
	KERNELS=all tests/vm/check.sh
	$(MAKE) check-debug
	$(MAKE) check-packages
	KERNELS="5.10 7.x" $(MAKE) check-external

check-debug:
	tests/vm/deps.sh
	$(MAKE) -j"$$(nproc)" tests
	tests/vm/check-debug.sh

# The kernel's own selftests and stress-ng with the module loaded, its
# probes live, and under a background load (tests/external/README.md).
$(B)/external/ext_load: tests/external/ext_load.c $(T_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -o $@ $< $(T_LIB)

check-external:
	tests/vm/deps.sh
	$(MAKE) $(B)/external/ext_load
	tests/external/check-external.sh

$(B)/demo/demo-seed: tests/demo/demo-seed.c $(T_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -o $@ $< $(T_LIB)

demo:
	tests/vm/deps.sh
	$(if $(filter arm64/%,$(DEMO_KERNEL)), \
		tests/vm/cross-tests.sh arm64 $(B)/arm64/tests/clone-with-pids \
			$(B)/arm64/tests/restore-tree $(B)/arm64/demo/demo-seed, \
		$(MAKE) $(B)/tests/clone-with-pids $(B)/tests/restore-tree $(B)/demo/demo-seed)
	tests/vm/demo.sh

# Benchmarks in a VM (bookworm's kernel unless BENCH_KERNEL says otherwise;
# BENCH_SCALE multiplies the rounds): ratios, a table and a plot in
# $(B)/bench/. They report; they never fail on a time.
BENCH_KERNEL ?= 6.1
BENCH_SCALE ?= 1

$(B)/bench/cwp-bench: tests/bench/cwp-bench.c tests/raw.h $(T_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -pthread -o $@ $< $(T_LIB)

.PHONY: bench
bench:
	tests/vm/deps.sh
	$(if $(filter arm64/%,$(BENCH_KERNEL)), \
		tests/vm/cross-tests.sh arm64 $(B)/arm64/bench/cwp-bench, \
		$(MAKE) $(B)/bench/cwp-bench)
	BENCH_KERNEL="$(BENCH_KERNEL)" BENCH_SCALE="$(BENCH_SCALE)" tests/bench/bench.sh

# DKMS's source tree: what dkms.conf builds from, with its version filled in.
DKMS_FILES := Kbuild VERSION module include

install-module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR))
	$(if $(DESTDIR),,depmod -a $(KERNELRELEASE))

# The udev rule and tmpfiles entry give the boot-time node (made from
# modules.devname before the module is loaded) mode 0666, so that any
# user's first open loads the module.
install-system:
	install -D -m 0644 userspace/system/clone-with-pids.rules $(DESTDIR)$(UDEVDIR)/rules.d/60-clone-with-pids.rules
	install -D -m 0644 userspace/system/clone-with-pids.tmpfiles $(DESTDIR)$(TMPFILESDIR)/clone-with-pids.conf
	$(if $(DESTDIR),,-command -v systemd-tmpfiles > /dev/null && systemd-tmpfiles --create $(TMPFILESDIR)/clone-with-pids.conf)

install-userspace: userspace $(B)/libclone_with_pids.pc
	install -D -m 0644 include/uapi/linux/clone_with_pids.h $(DESTDIR)$(INCLUDEDIR)/linux/clone_with_pids.h
	install -D -m 0644 userspace/lib/clone_with_pids.h $(DESTDIR)$(INCLUDEDIR)/clone_with_pids.h
	install -D -m 0644 $(B)/libclone_with_pids.a $(DESTDIR)$(LIBDIR)/libclone_with_pids.a
	install -D -m 0644 $(B)/libclone_with_pids.so.0 $(DESTDIR)$(LIBDIR)/libclone_with_pids.so.0
	ln -sf libclone_with_pids.so.0 $(DESTDIR)$(LIBDIR)/libclone_with_pids.so
	install -D -m 0644 $(B)/libclone_with_pids.pc $(DESTDIR)$(PKGCONFIGDIR)/libclone_with_pids.pc
	install -D -m 0755 $(B)/clone-with-pids $(DESTDIR)$(BINDIR)/clone-with-pids
	install -D -m 0755 $(B)/restore-tree $(DESTDIR)$(BINDIR)/restore-tree
	install -D -m 0755 $(B)/dump-tree $(DESTDIR)$(BINDIR)/dump-tree
	for m in man/*.[1-9]; do \
		s=$${m##*.}; d=$(DESTDIR)$(MANDIR)/man$$s; \
		install -d $$d && sed 's/@VERSION@/$(VERSION)/' $$m > $$d/$${m##*/} && \
		chmod 0644 $$d/$${m##*/} || exit 1; \
	done
	$(if $(DESTDIR),,-ldconfig)

# DKMS's source tree under $(DESTDIR)/usr/src, dkms.conf with its version.
install-dkms-src:
	rm -rf $(DESTDIR)/usr/src/clone_with_pids-$(VERSION)
	mkdir -p $(DESTDIR)/usr/src/clone_with_pids-$(VERSION)
	cp -r $(DKMS_FILES) $(DESTDIR)/usr/src/clone_with_pids-$(VERSION)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DESTDIR)/usr/src/clone_with_pids-$(VERSION)/dkms.conf

install: install-module install-system install-userspace

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/linux/clone_with_pids.h $(DESTDIR)$(INCLUDEDIR)/clone_with_pids.h
	rm -f $(DESTDIR)$(LIBDIR)/libclone_with_pids.a $(DESTDIR)$(LIBDIR)/libclone_with_pids.so.0
	rm -f $(DESTDIR)$(LIBDIR)/libclone_with_pids.so $(DESTDIR)$(PKGCONFIGDIR)/libclone_with_pids.pc
	rm -f $(DESTDIR)$(BINDIR)/clone-with-pids $(DESTDIR)$(BINDIR)/restore-tree $(DESTDIR)$(BINDIR)/dump-tree
	for m in man/*.[1-9]; do \
		s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; \
	done
	rm -f $(DESTDIR)$(UDEVDIR)/rules.d/60-clone-with-pids.rules $(DESTDIR)$(TMPFILESDIR)/clone-with-pids.conf
	rm -f $(DESTDIR)/lib/modules/$(KERNELRELEASE)/updates/clone_with_pids.ko* \
		$(DESTDIR)/lib/modules/$(KERNELRELEASE)/extra/clone_with_pids.ko*
	$(if $(DESTDIR),,depmod -a $(KERNELRELEASE) && ldconfig)

dkms:
	$(MAKE) install-dkms-src DESTDIR=
	dkms add -m clone_with_pids -v $(VERSION)
	dkms build -m clone_with_pids -v $(VERSION)
	dkms install -m clone_with_pids -v $(VERSION)

# Debian packages (debian/), built from a copy of the tree in build/deb
# so that nothing is written beside the checkout; as root on Debian, with
# the build dependencies installed first. lintian must report no error.
deb:
	tests/pkg/deb.sh

# The packages installed and booted: bookworm and trixie, with DKMS,
# systemd and udev, in QEMU (tests/pkg/).
check-packages: deb
	tests/pkg/check-packages.sh

style:
	$(KDIR)/scripts/checkpatch.pl --no-tree --terse -f module/*.c module/*.h include/uapi/linux/*.h

clean:
	rm -rf $(B)
	rm -f module/*.o module/.*.cmd *.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order
