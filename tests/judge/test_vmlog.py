# SPDX-License-Identifier: GPL-2.0
"""vmlog.py on made-up VM logs: the kernel-log verdict, the emulator-fault
rule for stale int3s, and the counting of KTAP results."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmlog  # noqa: E402


def int3_log(rip, code, trace="try_to_wake_up+0x2a1/0x6a0"):
    """An int3 oops on 7.x: its RIP, its code bytes (or none), a line of its trace."""
    lines = [
        "EXT-OUT load seccomp:seccomp_bpf: ok 106 UPROBE.uprobe_attached.uprobe_block_syscall",
        "[  336.510289] Oops: int3: 0000 [#1] SMP NOPTI",
        "[  336.510301] CPU: 1 UID: 0 PID: 4711 Comm: seccomp_bpf Not tainted 7.2.13+deb14-cloud-amd64 #1",
        "[  336.510310] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1",
        "[  336.510320] RIP: 0010:" + rip,
    ]
    if code:
        lines.append("[  336.510330] Code: 48 89 df e8 4c 2e 00 00 48 8b 43 10 41 89 c4 48 85 c0 74 1b "
                     "4c 89 e6 48 89 df 5b 5d 41 5c 41 5d e9 a1 fe ff ff 66 0f 1f 44 00 00 "
                     + code + " c3 cc cc cc cc 0f 1f 00")
    lines += [
        "[  336.510340] RSP: 0018:ffffb3c0c0ffbd48 EFLAGS: 00000046",
        "[  336.512126] Call Trace:",
        "[  336.512130]  <TASK>",
        "[  336.512140]  " + trace,
        "[  336.512150]  </TASK>",
        "[  336.514444] Kernel panic - not syncing: Fatal exception in interrupt",
    ]
    return lines


class EmulatorFault(unittest.TestCase):
    def test_nop_where_the_int3_was(self):
        self.assertTrue(vmlog.emulator_int3(int3_log("ttwu_do_activate+0x5e/0x1c0", "0f <1f>")))

    def test_jmp_where_the_int3_was(self):
        self.assertTrue(vmlog.emulator_int3(int3_log("ttwu_do_activate+0x5e/0x1c0", "e9 <44>")))

    def test_int3_still_in_memory(self):
        self.assertFalse(vmlog.emulator_int3(int3_log("ttwu_do_activate+0x5e/0x1c0", "cc <1f>")))

    def test_rip_in_the_module(self):
        self.assertFalse(vmlog.emulator_int3(
            int3_log("cwp_kernel_clone_entry+0x12/0x90 [clone_with_pids]", "0f <1f>")))

    def test_no_code_bytes_no_text_patching(self):
        self.assertFalse(vmlog.emulator_int3(int3_log("ttwu_do_activate+0x5e/0x1c0", "")))

    def test_no_code_bytes_text_patching_in_the_log(self):
        self.assertTrue(vmlog.emulator_int3(int3_log(
            "ttwu_do_activate+0x5e/0x1c0", "", "smp_text_poke_batch_finish+0x1f2/0x3c0")))

    def test_int3_in_memory_text_patching_in_the_log(self):
        self.assertFalse(vmlog.emulator_int3(int3_log(
            "ttwu_do_activate+0x5e/0x1c0", "cc <1f>", "smp_text_poke_batch_finish+0x1f2/0x3c0")))

    def test_not_an_int3_oops(self):
        log = [l.replace("int3: 0000", "general protection fault: 0000")
               for l in int3_log("ttwu_do_activate+0x5e/0x1c0", "0f <1f>")]
        self.assertFalse(vmlog.emulator_int3(log))


class Verdict(unittest.TestCase):
    def setUp(self):
        self.pat = vmlog.load_patterns()

    def test_every_required_pattern(self):
        for line in ["BUG: unable to handle page fault", "WARNING: CPU: 0 PID: 1 at x",
                     "Oops: 0000 [#1]", "Call Trace:", "general protection fault, probably",
                     "BUG: KASAN: use-after-free", "UBSAN: shift-out-of-bounds",
                     "WARNING: possible recursive locking detected",
                     "WARNING: possible circular locking dependency detected",
                     "WARNING: inconsistent lock state", "WARNING: suspicious RCU usage",
                     "rcu: INFO: rcu_sched self-detected stall on CPU",
                     "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
                     "INFO: task t_x:123 blocked for more than 120 seconds.",
                     "hung_task: blocked tasks", "traps: PANIC: double fault, error_code: 0x0",
                     "Kernel panic - not syncing: Fatal exception"]:
            self.assertTrue(vmlog.splats(["[ 1.0] " + line], self.pat), line)

    def test_clean_log(self):
        log = ["[    0.000000] Linux version 6.1.0-57-cloud-amd64",
               "[    1.100000] clone_with_pids: version 0.5.0 loaded", "ok 1 t_x", "# done"]
        self.assertEqual(vmlog.splats(log, self.pat), [])

    def test_user_fault_is_no_splat(self):
        log = ["[ 9.1] traps: stress-ng[1234] general protection fault ip:4a32f2 "
               "sp:7ffd1 error:0 in stress-ng[400000+2a0000]"]
        self.assertEqual(vmlog.splats(log, self.pat), [])

    def test_what_a_test_printed_is_no_splat(self):
        log = ["# t_x: kernel log after t_x:", "# t_x: [ 3.2] WARNING: CPU: 1 PID: 9 at x"]
        self.assertEqual(vmlog.splats(log, self.pat), [])

    def test_what_an_external_program_printed_is_no_splat(self):
        log = ["EXT-OUT module proc:read: WARNING: Call Trace in its own output"]
        self.assertEqual(vmlog.splats(log, self.pat), [])

    def test_splat_found(self):
        log = ["ok 1 t_x", "[ 3.2] WARNING: CPU: 1 PID: 9 at kernel/fork.c:1", "ok 2 t_y"]
        self.assertEqual(vmlog.splats(log, self.pat), [1])


class Results(unittest.TestCase):
    def write(self, lines):
        f = tempfile.NamedTemporaryFile("w", delete=False, suffix=".log")
        f.write("\r\n".join(lines) + "\r\n")
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_counts(self):
        log = self.write(["KTAP version 1", "# kernel 6.1.0-57-cloud-amd64", "1..3",
                          "# run t_a", "# time t_a 3", "ok 1 t_a",
                          "# run t_b", "# t_b: t_b.c:12: pid 97, expected 96", "# time t_b 1",
                          "not ok 2 t_b", "# run m32/t_c", "ok 3 m32/t_c # SKIP", "# done"])
        out, details, p, f, s = vmlog.report([log], [], vmlog.load_patterns())
        self.assertEqual((p, f, s), (1, 1, 1))
        self.assertIn("  t_b FAIL", out)
        self.assertIn("  m32/t_c SKIP", out)
        self.assertIn("  t_b.c:12: pid 97, expected 96", details)

    def test_unfinished_vm(self):
        log = self.write(["KTAP version 1", "1..2", "# run t_a", "ok 1 t_a", "# run t_b"])
        out, details, p, f, s = vmlog.report([log], [], vmlog.load_patterns())
        self.assertEqual((p, f, s), (1, 1, 0))
        self.assertIn("  vm-finished(t_b) FAIL", out)

    def test_splat_fails_the_kernel(self):
        log = self.write(["ok 1 t_a", "[ 5.0] BUG: kernel NULL pointer dereference", "# done"])
        out, details, p, f, s = vmlog.report([log], [], vmlog.load_patterns())
        self.assertEqual((p, f), (1, 1))
        self.assertIn("  kernel-log-clean FAIL", out)

    def test_host_failure(self):
        out, details, p, f, s = vmlog.report([], ["module-build"], vmlog.load_patterns())
        self.assertEqual((p, f, s), (0, 1, 0))

    def test_two_logs_read_as_one(self):
        a = self.write(["ok 1 t_a", "# done"])
        b = self.write(["ok 1 t_tracepoint", "# done"])
        out, details, p, f, s = vmlog.report([a, b], [], vmlog.load_patterns())
        self.assertEqual((p, f, s), (2, 0, 0))


if __name__ == "__main__":
    unittest.main()
