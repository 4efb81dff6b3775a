# SPDX-License-Identifier: GPL-2.0
#
# clone_with_pids: kernel module (built by Kbuild), userspace library and
# tool, tests in QEMU on stock Debian kernels.
#
#   make module            build clone_with_pids.ko for KERNELRELEASE/KDIR
#   make userspace         library (static + shared) and clone-with-pids
#   make check             every test on every supported kernel, in QEMU
#                          (KERNELS="6.1 7.x" make check for fewer)
#   make check-external    the kernel's own selftests and stress-ng, without
#                          and with the module, on every kernel, in QEMU
#   make demo              show it working in a VM (bookworm's kernel)
#   make install           module, library, header, tool, man pages
#   make dkms              register, build and install with DKMS

VERSION := $(shell cat $(CURDIR)/VERSION)
KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PREFIX ?= /usr/local
DESTDIR ?=
B := build

CC ?= cc
CFLAGS ?= -O2 -g
CWP_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Iinclude/uapi -Iuserspace

ARCH_DIR := userspace/arch/$(shell $(CC) -dumpmachine | sed 's/-.*//; s/^i[3-6]86$$/i386/')
LIB_SRC := userspace/clone_with_pids.c $(ARCH_DIR)/clone_fn.S
HDRS := userspace/clone_with_pids.h include/uapi/linux/clone_with_pids.h
TESTS := $(sort $(basename $(notdir $(wildcard tests/t_*.c))))

.PHONY: all module userspace tests check check-debug check-external demo install \
	install-module install-userspace dkms style clean

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

$(B)/lib/%.o: userspace/%.c userspace/clone_with_pids.h include/uapi/linux/clone_with_pids.h
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

$(B)/lib/clone_fn.o: $(ARCH_DIR)/clone_fn.S
	@mkdir -p $(dir $@)
	$(CC) -fPIC -c -o $@ $<

LIB_OBJ := $(B)/lib/clone_with_pids.o $(B)/lib/clone_fn.o

$(B)/libclone_with_pids.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/libclone_with_pids.so.0: $(LIB_OBJ) userspace/libclone_with_pids.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,libclone_with_pids.so.0 \
		-Wl,--version-script=userspace/libclone_with_pids.map -o $@ $(LIB_OBJ)

$(B)/clone-with-pids: userspace/clone-with-pids.c $(B)/libclone_with_pids.a $(HDRS)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libclone_with_pids.a

$(B)/restore-tree: userspace/examples/restore-tree.c $(B)/libclone_with_pids.a $(HDRS)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -pthread -o $@ $< $(B)/libclone_with_pids.a

userspace: $(B)/libclone_with_pids.a $(B)/libclone_with_pids.so.0 $(B)/clone-with-pids $(B)/restore-tree

# Tests run in an initramfs: static binaries, one per behaviour.
T_SRC := tests/t.c tests/storm.c
T_HDRS := tests/t.h tests/storm.h

$(B)/tests/%: tests/%.c $(T_SRC) $(T_HDRS) $(LIB_SRC) userspace/clone_with_pids.h include/uapi/linux/clone_with_pids.h
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -pthread -o $@ $< $(T_SRC) $(LIB_SRC)

$(B)/tests/clone-with-pids: userspace/clone-with-pids.c $(LIB_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -o $@ userspace/clone-with-pids.c $(LIB_SRC)

$(B)/tests/restore-tree: userspace/examples/restore-tree.c $(LIB_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -pthread -o $@ $< $(LIB_SRC)

$(B)/tests/tree.txt: userspace/examples/tree.txt
	@mkdir -p $(dir $@)
	cp $< $@

# Tests that go through thousands of kernel-chosen pids run last: a kernel
# thread started meanwhile could sit on a pid another test asks for. The
# audit test is the very last: audit cannot be turned off for the tasks
# that exist when it was on.
LAST := t_wrap t_race64 t_fuzz t_monitor_audit

# The same tests as 32-bit programs (compat ioctl path), but the long ones.
M32_SKIP := t_fuzz t_lifecycle t_race64 t_wrap t_monitor_audit
M32_TESTS := $(filter-out $(M32_SKIP),$(TESTS))
M32_SRC := $(T_SRC) userspace/clone_with_pids.c userspace/arch/i386/clone_fn.S

$(B)/tests/m32/%: tests/%.c $(T_HDRS) $(M32_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) -m32 $(CWP_CFLAGS) $(CFLAGS) -static -pthread -o $@ $< $(M32_SRC)

$(B)/tests/timeouts: tests/timeouts
	@mkdir -p $(dir $@)
	cp $< $@

tests: $(addprefix $(B)/tests/,$(TESTS)) $(B)/tests/clone-with-pids $(B)/tests/restore-tree \
	$(B)/tests/tree.txt $(B)/tests/timeouts $(addprefix $(B)/tests/m32/,$(M32_TESTS))
	printf '%s\n' $(filter-out $(LAST),$(TESTS)) $(addprefix m32/,$(M32_TESTS)) $(LAST) > $(B)/tests/list

check:
	tests/vm/deps.sh
	$(MAKE) tests
	tests/vm/check.sh

check-debug:
	tests/vm/deps.sh
	$(MAKE) tests
	tests/vm/check-debug.sh

# The kernel's own selftests and stress-ng with the module loaded, its
# probes live, and under a background load (tests/external/README.md).
$(B)/external/ext_load: tests/external/ext_load.c $(LIB_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -o $@ $< $(LIB_SRC)

check-external:
	tests/vm/deps.sh
	$(MAKE) $(B)/external/ext_load
	tests/external/check-external.sh

$(B)/demo/demo-seed: tests/demo/demo-seed.c $(LIB_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -o $@ $< $(LIB_SRC)

demo:
	tests/vm/deps.sh
	$(MAKE) $(B)/tests/clone-with-pids $(B)/tests/restore-tree $(B)/demo/demo-seed
	tests/vm/demo.sh

# Benchmarks in a VM (bookworm's kernel unless BENCH_KERNEL says otherwise;
# BENCH_SCALE multiplies the rounds): ratios, a table and a plot in
# $(B)/bench/. They report; they never fail on a time.
BENCH_KERNEL ?= 6.1
BENCH_SCALE ?= 1

$(B)/bench/cwp-bench: tests/bench/cwp-bench.c $(LIB_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CWP_CFLAGS) $(CFLAGS) -static -pthread -o $@ $< $(LIB_SRC)

.PHONY: bench
bench:
	tests/vm/deps.sh
	$(MAKE) $(B)/bench/cwp-bench
	BENCH_KERNEL="$(BENCH_KERNEL)" BENCH_SCALE="$(BENCH_SCALE)" tests/bench/bench.sh

install-module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KERNELRELEASE)

install-userspace: userspace
	install -D -m 0644 include/uapi/linux/clone_with_pids.h $(DESTDIR)$(PREFIX)/include/linux/clone_with_pids.h
	install -D -m 0644 userspace/clone_with_pids.h $(DESTDIR)$(PREFIX)/include/clone_with_pids.h
	install -D -m 0644 $(B)/libclone_with_pids.a $(DESTDIR)$(PREFIX)/lib/libclone_with_pids.a
	install -D -m 0755 $(B)/libclone_with_pids.so.0 $(DESTDIR)$(PREFIX)/lib/libclone_with_pids.so.0
	ln -sf libclone_with_pids.so.0 $(DESTDIR)$(PREFIX)/lib/libclone_with_pids.so
	install -D -m 0755 $(B)/clone-with-pids $(DESTDIR)$(PREFIX)/bin/clone-with-pids
	install -D -m 0755 $(B)/restore-tree $(DESTDIR)$(PREFIX)/bin/restore-tree
	for m in man/*.[1-9]; do \
		s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/$${m##*/}; \
	done

install: install-module install-userspace

dkms:
	rm -rf /usr/src/clone_with_pids-$(VERSION)
	mkdir -p /usr/src/clone_with_pids-$(VERSION)
	cp -r Kbuild dkms.conf VERSION module include /usr/src/clone_with_pids-$(VERSION)/
	dkms add -m clone_with_pids -v $(VERSION)
	dkms build -m clone_with_pids -v $(VERSION)
	dkms install -m clone_with_pids -v $(VERSION)

style:
	$(KDIR)/scripts/checkpatch.pl --no-tree --terse -f module/*.c module/*.h include/uapi/linux/*.h

clean:
	rm -rf $(B)
	rm -f module/*.o module/.*.cmd *.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order
