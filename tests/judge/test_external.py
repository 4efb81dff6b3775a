# SPDX-License-Identifier: GPL-2.0
"""Unit tests of tests/judge/external.py, check-external's judge.

The judge's cases are those of tests/host/compare.sh, on made-up results:
a program that differs between runs fails the kernel, unless known
explains it, or it failed only in run none, before the module was loaded;
a flaky-load entry lets only the load run differ; a stressor's failure is
forgiven only when each of its user faults is a crash known names, at that
offset (given by the kernel, or computed from the mapping and the
executable segment's offset); the stress-ng means say when none2/none moved
beyond a factor of 2. The extraction's cases are a small made-up VM log.

    python3 -m unittest discover -s tests/judge -p 'test_*.py'
"""

import os
import subprocess
import sys
import tempfile
import unittest

import external

HERE = os.path.dirname(os.path.abspath(__file__))

KNOWN = [
    "*\ta:racy\tflaky-load\tlists /proc while the load's children exit",
    "*\ta:coin\tflaky\tvaries, module or not",
    "*\tstress-ng:pthread:2a32f2\tcrash\tstress-ng's own bug",
]


def res(none, module, load, p_none="0", p_module="0", p_load="0"):
    """Results: the exits of a:racy and a:plain in the three runs, a:coin
    exiting 1 in run module only."""
    return [
        "check insmod PASS",
        "prog none a:racy %s 1" % none,
        "prog module a:racy %s 1" % module,
        "prog load a:racy %s 1" % load,
        "prog none a:coin 0 1",
        "prog module a:coin 1 1",
        "prog load a:coin 0 1",
        "prog none a:plain %s 1" % p_none,
        "prog module a:plain %s 1" % p_module,
        "prog load a:plain %s 1" % p_load,
    ]


def taps(exit_none, exit_module, tap_none, tap_module):
    """res's programs all passing; b:harness exits 0 in load and exit_none,
    exit_module in none, module; its TAP line #1 is ok everywhere, #2 is
    tap_none in none, tap_module in module, ok in load ("-": missing, the
    program aborted before it)."""
    lines = res(0, 0, 0) + [
        "prog none b:harness %s 1" % exit_none,
        "prog module b:harness %s 1" % exit_module,
        "prog load b:harness 0 1",
    ]
    lines += ["tap %s b:harness 1 ok global.first" % r for r in ("none", "module", "load")]
    if tap_none != "-":
        lines.append("tap none b:harness 2 %s global.second" % tap_none)
    if tap_module != "-":
        lines.append("tap module b:harness 2 %s global.second" % tap_module)
    lines.append("tap load b:harness 2 ok global.second")
    return lines


NEW = "ip:561c189b32f2 sp:7fdfd2107d40 error:0 in stress-ng[2a32f2,561c18758000+50b000]"
OLD = "ip:561c189b32f2 sp:7fdfd2107d40 error:0 in stress-ng[561c18758000+50b000]"
OTHER = "ip:561c189b32f6 sp:7fdfd2107d40 error:0 in stress-ng[2a32f6,561c18758000+50b000]"
LIBC = "ip:7f00000012f2 sp:7fdfd2107d40 error:0 in libc.so.6[2a32f2,7f0000000000+50b000]"


def stress(rc, *faults):
    """res's programs all passing, the pthread stressor exiting rc in run
    none (0 in the others), with these user faults in run none."""
    lines = res(0, 0, 0)
    for r in ("none", "module", "load", "none2"):
        lines.append("stress %s pthread %s 100 10.0" % (r, rc if r == "none" else 0))
    for f in faults:
        lines.append("ufault stress none pthread: [  125.6] traps: stress-ng-pthre[7969] "
                     "general protection fault " + f)
    return lines


def geomean(none2):
    """res's programs all passing; fork and kill make 100 bogo ops/s in run
    none, 100 in module and load, none2 in none2."""
    lines = res(0, 0, 0)
    for s in ("fork", "kill"):
        lines += [
            "stress none %s 0 300 100.0" % s,
            "stress module %s 0 300 100.0" % s,
            "stress load %s 0 300 100.0" % s,
            "stress none2 %s 0 300 %s" % (s, none2),
        ]
    return lines


def judge(results, text_off="0x048000", known=None):
    """The judgement of results, known being compare.sh's entries."""
    return external.judge(KNOWN if known is None else known, results, "6.1", text_off)


def verdict(results):
    lines = judge(results)
    return [line for line in lines if line.startswith("verdict ")][0][len("verdict "):]


class CompareVerdicts(unittest.TestCase):
    """The cases of tests/host/compare.sh: made-up results, their verdicts."""

    def check(self, expected, results):
        self.assertEqual(verdict(results), expected, "\n".join(judge(results)))

    def test_all_pass(self):
        self.check("PASS", res(0, 0, 0))

    def test_flaky_load_fails_under_load_only(self):
        self.check("PASS", res(0, 0, 134))

    def test_flaky_load_differs_without_the_load(self):
        self.check("FAIL", res(0, 134, 0))

    def test_flaky_load_fails_in_every_run(self):
        # The entry does not explain it.
        self.check("FAIL", res(134, 134, 134))

    def test_program_without_entry_fails_under_load(self):
        self.check("FAIL", res(0, 0, 0, 0, 0, 134))

    def test_program_without_entry_fails_everywhere(self):
        self.check("FAIL", res(0, 0, 0, 1, 1, 1))

    def test_program_fails_only_before_the_module_is_loaded(self):
        self.check("PASS", res(0, 0, 0, 134, 0, 0))

    def test_program_fails_only_with_the_module(self):
        self.check("FAIL", res(0, 0, 0, 0, 134, 0))

    def test_program_fails_before_and_with_the_module(self):
        self.check("FAIL", res(0, 0, 0, 134, 134, 0))

    def test_program_fails_before_the_module_and_under_load(self):
        self.check("FAIL", res(0, 0, 0, 134, 0, 1))

    def test_every_subtest_ok(self):
        self.check("PASS", taps(0, 0, "ok", "ok"))

    def test_subtest_fails_only_before_the_module_is_loaded(self):
        self.check("PASS", taps(1, 0, "not-ok", "ok"))

    def test_program_aborts_only_before_the_module_is_loaded(self):
        self.check("PASS", taps(134, 0, "-", "ok"))

    def test_subtest_fails_only_with_the_module(self):
        self.check("FAIL", taps(0, 1, "ok", "not-ok"))

    def test_program_aborts_only_with_the_module(self):
        self.check("FAIL", taps(0, 134, "ok", "-"))

    def test_subtest_fails_before_and_with_the_module(self):
        self.check("FAIL", taps(1, 1, "not-ok", "not-ok"))

    def test_subtest_skips_only_before_the_module_is_loaded(self):
        self.check("PASS", taps(0, 0, "skip", "ok"))

    def test_every_stressor_passes(self):
        self.check("PASS", stress(0))

    def test_stressor_fails_without_a_user_fault(self):
        self.check("FAIL", stress(2))

    def test_stressor_fails_with_a_known_crash_file_offset_given(self):
        self.check("PASS", stress(2, NEW))

    def test_stressor_fails_with_a_known_crash_mapping_only(self):
        self.check("PASS", stress(2, OLD))

    def test_known_crash_and_another_fault(self):
        self.check("FAIL", stress(2, NEW, OTHER))

    def test_fault_at_the_known_offset_of_another_file(self):
        self.check("FAIL", stress(2, LIBC))

    def test_unknown_user_fault_of_a_stressor_that_exits_0(self):
        self.check("FAIL", stress(0, OTHER))


class CompareNoise(unittest.TestCase):
    """compare.sh's geomean cases: the line says whether the host's load
    moved (none2/none beyond a factor of 2)."""

    def check(self, none2, noise, marked):
        lines = [line for line in external.judge(KNOWN, geomean(none2), "6.1", "")
                 if line.startswith("ratio geomean ")]
        self.assertEqual(len(lines), 1)
        expected = "ratio geomean module/base %s load/base %s none2/none %s" % (
            "%.3f" % (2 / (1 + noise)), "%.3f" % (2 / (1 + noise)), "%.3f" % noise)
        if marked:
            expected += " (the host's load changed during the run: not a measure)"
        self.assertEqual(lines[0], expected)

    def test_none2_a_tenth_faster_is_a_measure(self):
        self.check("110.0", 1.1, False)

    def test_none2_four_times_faster_the_hosts_load_moved(self):
        self.check("400.0", 4.0, True)

    def test_none2_five_times_slower_the_hosts_load_moved(self):
        self.check("20.0", 0.2, True)


class CompareLines(unittest.TestCase):
    """The judgement's lines themselves, on some of compare.sh's cases."""

    def test_flaky_load_under_load(self):
        self.assertEqual(judge(res(0, 0, 134)), [
            "count none programs 3 passed 0 failed 0 skipped; tap 0 ok 0 not-ok 0 skip",
            "count module programs 2 passed 1 failed 0 skipped; tap 0 ok 0 not-ok 0 skip",
            "count load programs 2 passed 1 failed 0 skipped; tap 0 ok 0 not-ok 0 skip",
            "flaky a:racy exit load=134 (not compared in run load: lists /proc while the load's children exit)",
            "flaky a:coin exit none=0 module=1 load=0 (not compared: varies, module or not)",
            "verdict PASS",
        ])

    def test_premodule_exit(self):
        lines = judge(res(0, 0, 0, 134, 0, 0))
        self.assertIn("premodule a:plain exit none=134 (not counted: failed before the module was "
                      "loaded, passed in every run with it)", lines)

    def test_unexplained_exit(self):
        lines = judge(res(0, 0, 0, 1, 1, 1))
        self.assertIn("unexplained a:plain exit 1 in run none", lines)
        self.assertNotIn("unexplained a:plain exit 1 in run module", lines)

    def test_diff_exit(self):
        lines = judge(res(0, 134, 0))
        self.assertIn("diff a:racy exit none=0 module=134", lines)

    def test_premodule_tap_missing(self):
        lines = judge(taps(134, 0, "-", "ok"))
        self.assertIn("premodule b:harness exit none=134 (not counted: failed before the module "
                      "was loaded, passed in every run with it)", lines)
        self.assertIn("premodule b:harness #2 global.second none=missing (not counted: before the "
                      "module was loaded, ok in every run with it)", lines)

    def test_diff_tap_missing(self):
        lines = judge(taps(0, 134, "ok", "-"))
        self.assertIn("diff b:harness #2 global.second none=ok module=missing load=ok", lines)

    def test_known_crash_offsets(self):
        self.assertEqual(judge(stress(2, NEW, OLD))[:2], [
            "known stress none pthread: user fault at stress-ng+0x2a32f2 (stress-ng's own bug)",
            "known stress none pthread: user fault at stress-ng+0x2a32f2 (stress-ng's own bug)",
        ])
        lines = judge(stress(2, NEW))
        self.assertIn("flaky stress none pthread exit 2 (not compared: stress-ng's own bug)", lines)
        self.assertIn("ratio pthread none (a run crashed)", lines)

    def test_mapping_only_without_text_off(self):
        lines = judge(stress(2, OLD), text_off="")
        self.assertEqual(lines[0], "unexplained stress none pthread: user fault at ?")
        self.assertIn("fail stress none pthread: 1 user faults not explained by known", lines)

    def test_fault_of_another_file(self):
        lines = judge(stress(2, LIBC))
        self.assertEqual(lines[0], "unexplained stress none pthread: user fault at libc.so.6+0x2a32f2")

    def test_no_check_and_splats(self):
        lines = judge(["prog none a:plain 0 1", "splat [ 1.0] BUG: x", "splat [ 1.0] Call Trace:"])
        self.assertEqual(lines[-3:], ["fail kernel log: 2 splat lines", "fail no check ran", "verdict FAIL"])

    def test_warmup_fault_reported_not_failing(self):
        # The warm-up run is no run of the verdict: its faults are shown only.
        lines = judge(res(0, 0, 0) + ["stress warmup fork 0 10 3.0",
                                      "ufault stress warmup fork: [ 1.0] traps: x[1] general protection fault " + OTHER])
        self.assertEqual(lines[0], "unexplained stress warmup fork: user fault at stress-ng+0x2a32f6")
        self.assertIn("ratio fork none (a run made no bogo op)", lines)
        self.assertEqual(lines[-1], "verdict PASS")

    def test_empty_known_file(self):
        # compare.awk tells the files apart by FNR == NR: with an empty
        # known file, the results are taken for known entries.
        self.assertEqual(external.judge([], res(0, 0, 0), "6.1", ""), ["fail no check ran", "verdict FAIL"])

    def test_known_subtest_and_stale(self):
        known = [
            "6.1,7.x*\tb:harness:global.second\tfail\tthe kernel's own",
            "7.x*\tb:harness:global.first\tfail\tnot this kernel",
            "6.1*\tb:harness:#1\tskip\tnever skips",
            "*\tc:gone\tnotrun\ttoo slow",
        ]
        lines = external.judge(known, taps(1, 1, "not-ok", "not-ok") + ["tap load b:harness 2 not-ok x"],
                               "6.1", "")
        self.assertIn("known b:harness:global.second fail: the kernel's own", lines)
        self.assertIn("stale b:harness:#1 skip: did not fail, skip or flake here", lines)
        self.assertIn("known c:gone notrun: too slow", lines)
        self.assertIn("diff b:harness exit none=1 module=1 load=0", lines)
        self.assertEqual(lines[-1], "verdict FAIL")


LOG = "\n".join([
    "[    0.0] Linux version 6.1.0\r",
    "EXT-KERNEL 6.1.0-28-amd64\r",
    "EXT-PHASE selftests none 1000\r",
    "EXT-OUT none b:harness: TAP version 13\r",
    "EXT-OUT none b:harness: ok 1 global.first\r",
    "EXT-OUT none b:harness: not ok 2 global.second # TODO later\r",
    "EXT-OUT none b:harness: ok 3 global.third # SKIP no such feature\r",
    "EXT-OUT none b:harness: ok 4 # xfail known bug\r",
    "EXT-OUT none b:harness: ok 8 # SKIP reason\r",
    "EXT-OUT none b:harness: not ok 9\r",
    "EXT-OUT none b:harness: # BUG: only the test's own output\r",
    "EXT-PROG none b:harness 1 12\r",
    "EXT-NOTRUN none c:slow\r",
    "EXT-PHASE stress none 1012\r",
    "EXT-SOUT none pthread: stress-ng: debug: [12] killed by signal 11\r",
    "EXT-UFAULT stress none pthread: [  125.6] traps: stress-ng-pthre[7969] general protection fault " + NEW + "\r",
    "[  125.6] traps: stress-ng-pthre[7969] general protection fault " + NEW + "\r",
    "EXT-STRESS none pthread 2 100 33.5\r",
    "EXT-CHECK insmod PASS\r",
    "EXT-CHECK divert-probe-armed FAIL a  b\tc\r",
    "EXT-KPROBE ffffffff81234560  k  kernel_clone+0x0    [FTRACE]\r",
    "EXT-LOAD verdict:  PASS\r",
    "[  130.0] WARNING: CPU: 1 PID: 7 at kernel/fork.c:1 copy_process+0x1/0x2\r",
    "[  130.0] nothing to see\r",
])

EXTRACTED = [
    "tap none b:harness 1 ok global.first",
    "tap none b:harness 2 not-ok global.second",
    "tap none b:harness 3 skip global.third",
    "tap none b:harness 4 xfail known bug",
    "tap none b:harness 8 skip reason",
    "tap none b:harness 9 not-ok 9",
    "prog none b:harness 1 12",
    "notrun none c:slow",
    "time selftests-none 12",
    "ufault stress none pthread: [  125.6] traps: stress-ng-pthre[7969] general protection fault " + NEW,
    "stress none pthread 2 100 33.5",
    "check insmod PASS",
    "check divert-probe-armed FAIL a b c",
    "kprobe ffffffff81234560  k  kernel_clone+0x0    [FTRACE]",
    "load verdict:  PASS",
    "splat [  130.0] WARNING: CPU: 1 PID: 7 at kernel/fork.c:1 copy_process+0x1/0x2",
]

SPLATS = ["# the kernel log's splats", "", "BUG:", "WARNING:", "general protection", "Call Trace"]


class Extract(unittest.TestCase):
    """extract on a small made-up VM log."""

    def extract(self, log):
        splats = [external.re.compile(external.ere(p)) for p in SPLATS if p and not p.startswith("#")]
        return external.extract(log.split("\n"), splats)

    def test_unfinished_log(self):
        self.assertEqual(self.extract(LOG), EXTRACTED + ["check vm-finished FAIL"])

    def test_finished_log(self):
        self.assertEqual(self.extract(LOG + "\nEXT-DONE 1100\r\n")[-2:],
                         ["splat [  130.0] WARNING: CPU: 1 PID: 7 at kernel/fork.c:1 copy_process+0x1/0x2",
                          "time stress-none 88"])

    def test_user_fault_is_no_splat(self):
        out = self.extract(LOG)
        self.assertFalse([line for line in out if line.startswith("splat") and "traps:" in line])

    def test_skip_reason_describes(self):
        out = self.extract("EXT-OUT load a:b: ok 8 # SKIP reason\nEXT-DONE 1")
        self.assertEqual(out, ["tap load a:b 8 skip reason"])

    def test_posix_class(self):
        self.assertEqual(external.ere("[[:digit:]]+ []x] [^]]"), "[0-9]+ [\\]x] [^\\]]")

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "vm.log")
            splat = os.path.join(tmp, "splat")
            with open(log, "wb") as f:
                f.write(LOG.encode() + b"\n\xe9\xff BUG: bytes kept\r\n")
            with open(splat, "w") as f:
                f.write("\n".join(SPLATS) + "\n")
            out = subprocess.run([sys.executable, os.path.join(HERE, "external.py"), "extract",
                                  "--splat-file", splat, log], stdout=subprocess.PIPE, check=True).stdout
        self.assertEqual(out, ("\n".join(EXTRACTED) + "\n").encode() +
                         b"splat \xe9\xff BUG: bytes kept\ncheck vm-finished FAIL\n")


class JudgeCommandLine(unittest.TestCase):
    """judge as check-external.sh runs it."""

    def test_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            known = os.path.join(tmp, "known")
            results = os.path.join(tmp, "results")
            with open(known, "w") as f:
                f.write("# comment\n\n" + "\n".join(KNOWN) + "\n")
            with open(results, "w") as f:
                f.write("\n".join(stress(2, OLD)) + "\n")
            p = subprocess.run([sys.executable, os.path.join(HERE, "external.py"), "judge", "--kernel", "6.1",
                                "--text-off", "0x048000", known, results], stdout=subprocess.PIPE, check=True)
        self.assertEqual(p.stdout.decode().splitlines(), judge(stress(2, OLD)))
        self.assertEqual(p.stdout.decode().splitlines()[-1], "verdict PASS")


class AwkValues(unittest.TestCase):
    """How the awk programs compare and print values."""

    def test_compare(self):
        self.assertEqual(external.compare(None, "0"), 0)     # never set: 0 and ""
        self.assertEqual(external.compare("", "0"), -1)      # an empty field: a string
        self.assertEqual(external.compare("0.0", 0), 0)
        self.assertEqual(external.compare("splat", 0), 1)    # "splat" > "0"
        self.assertEqual(external.compare("6.10", "6.1"), 0)  # both look numeric
        self.assertEqual(external.compare("0x10", 16), 0)    # strtod() reads hex

    def test_num_to_str(self):
        self.assertEqual(external.num_to_str(12.0), "12")
        self.assertEqual(external.num_to_str(-2147483648.0), "-2.14748e+09")
        self.assertEqual(external.num_to_str(0.5), "0.5")


if __name__ == "__main__":
    unittest.main()
