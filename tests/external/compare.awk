# SPDX-License-Identifier: GPL-2.0
# Judge one kernel's check-external results.
#
#   awk -v kernel=K [-v text_off=OFF] -f compare.awk KNOWN RESULTS
#
# KNOWN is tests/external/known, RESULTS the results file of kernel K
# (format: tests/external/README.md); OFF the file offset of stress-ng's
# executable segment. Prints the judgement lines (count, diff,
# unexplained, known, flaky, premodule, stale, ratio, fail, verdict) to
# append to RESULTS. The selftests' runs (none, module, load) must agree
# program by program (exit status) and TAP line by TAP line (ok, not ok,
# skip, xfail), but for what KNOWN calls flaky and for what failed only
# in run none (before the module was loaded) and passed in every run with
# it; whatever else fails or skips must be explained by KNOWN; every
# stressor must succeed, but for a failure whose every user fault is a
# crash KNOWN names; every check must pass.

function kmatch(pats, k,    n, a, i, p) {
	n = split(pats, a, ",")
	for (i = 1; i <= n; i++) {
		p = a[i]
		if (p == "*" || p == k)
			return 1
		if (p ~ /\*$/ && index(k, substr(p, 1, length(p) - 1)) == 1)
			return 1
	}
	return 0
}

# The known entry (index) for program ct, subtest desc ("" for the
# program) numbered num in its TAP output: an entry names a subtest by
# the first word of its description or, for programs whose descriptions
# do not tell their subtests apart, by its number (#N).
function known_for(ct, desc, num,    i) {
	for (i = 1; i <= nk; i++) {
		if (kprog[i] != ct)
			continue
		if (ksub[i] == "" || (desc != "" && ksub[i] == desc) ||
		    (num != "" && ksub[i] == "#" num))
			return i
	}
	return 0
}

function flaky_sub(ct, desc, num,    i) {
	i = known_for(ct, desc, num)
	return i && kkind[i] == "flaky"
}

# A program's failing exit is explained by its TAP lines when it has
# some that are not ok or skipped and known explains every one of them.
function subtests_explain(rn, ct,    i, j, kk, t, n) {
	n = 0
	for (j = 1; j <= ntaps; j++) {
		split(taps[j], kk, SUBSEP)
		if (kk[1] != ct)
			continue
		t = tap[rn, taps[j]]
		if (t == "" || t == "ok")
			continue
		i = known_for(ct, tapdesc[rn, taps[j]], kk[2])
		if (!i || kkind[i] == "flaky-load")
			return 0
		n++
	}
	return n > 0
}

# Run none comes before the module is ever loaded: a result that is not
# ok there only, ok in every compared run with the module (runs 2 to nr),
# is not the module's doing. Reported, not counted. A TAP line missing in
# run none counts as not ok when its program failed there only.
function premodule_exit(ct, nr,    r) {
	if (prog_exit["none", ct] == "" || prog_exit["none", ct] == 0)
		return 0
	for (r = 2; r <= nr; r++)
		if (prog_exit[run[r], ct] != "0")
			return 0
	return 1
}

function premodule_tap(tp, ct, nr,    r) {
	if (tap["none", tp] == "ok" || (tap["none", tp] == "" && !premod[ct]))
		return 0
	for (r = 2; r <= nr; r++)
		if (tap[run[r], tp] != "ok")
			return 0
	return 1
}

function hex(h,    n, i) {
	h = tolower(h)
	sub(/^0x/, "", h)
	n = 0
	for (i = 1; i <= length(h); i++)
		n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
	return n
}

# The known crash entry (index) that explains a user fault of stress-ng's
# stressor s, reported by the kernel line l; sets ufwhere to FILE+0xOFF.
# The line ends "in FILE[OFF,START+SIZE]" where the kernel gives the file
# offset, "in FILE[START+SIZE]" where it does not: then the offset is the
# instruction's in the mapping plus that of stress-ng's executable
# segment (text_off, from check-external.sh).
function ufault_known(s, l,    m, f, ip, off, i) {
	ufwhere = "?"
	if (!match(l, /in [^ []+\[[0-9a-f,+]+\]/))
		return 0
	m = substr(l, RSTART + 3, RLENGTH - 4)
	f = m; sub(/\[.*/, "", f)
	m = substr(m, length(f) + 2)
	if (index(m, ",")) {
		off = hex(substr(m, 1, index(m, ",") - 1))
	} else {
		if (!match(l, /ip:[0-9a-f]+/) || text_off == "")
			return 0
		ip = hex(substr(l, RSTART + 3, RLENGTH - 3))
		sub(/\+.*/, "", m)
		off = ip - hex(m) + hex(text_off)
	}
	ufwhere = sprintf("%s+0x%x", f, off)
	if (f != "stress-ng")
		return 0
	for (i = 1; i <= nk; i++)
		if (kkind[i] == "crash" && kprog[i] == "stress-ng:" s && hex(ksub[i]) == off)
			return i
	return 0
}

BEGIN {
	runs = "none module load"
	nruns = split(runs, run, " ")
	srun = "none module load none2"
	nsruns = split(srun, sr, " ")
}

# The known file.
FNR == NR {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	if (!kmatch($1, kernel))
		next
	nk++
	n = split($2, w, ":")
	kprog[nk] = w[1] ":" w[2]
	ksub[nk] = n > 2 ? w[3] : ""
	kkind[nk] = $3
	r = $0
	sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]*/, "", r)
	kreason[nk] = r
	kused[nk] = 0
	next
}

$1 == "prog" {
	# prog RUN CT EXIT SECONDS
	prog_exit[$2, $3] = $4
	if (!($3 in prog_seen)) {
		prog_seen[$3] = 1
		progs[++nprogs] = $3
	}
	next
}
$1 == "notrun" {
	notrun[$3] = 1
	next
}
$1 == "tap" {
	# tap RUN CT N STATE DESC...
	key = $3 SUBSEP $4
	occ = ++tapocc[$2, key]
	k = $3 SUBSEP $4 SUBSEP occ
	tap[$2, k] = $5
	d = $6
	tapdesc[$2, k] = d
	if (!(k in tapseen)) {
		tapseen[k] = 1
		taps[++ntaps] = k
	}
	next
}
$1 == "stress" {
	# stress RUN STRESSOR RC BOGO_OPS RATE
	src[$2, $3] = $4
	sops[$2, $3] = $5
	srate[$2, $3] = $6
	if (!($3 in sseen)) {
		sseen[$3] = 1
		stressors[++nstress] = $3
	}
	next
}
$1 == "check" {
	checks++
	if ($3 != "PASS") {
		print "fail check " $2 " " $3
		bad++
	}
	next
}
$1 == "splat" {
	splats++
	next
}
$1 == "ufault" {
	# ufault stress RUN STRESSOR: KERNEL-LINE, or ufault RUN CT: ...
	if ($2 != "stress")
		next
	r = $3; s = $4; sub(/:$/, "", s)
	nuf[r, s]++
	i = ufault_known(s, $0)
	if (i) {
		ufk[r, s] = i
		printf "known stress %s %s: user fault at %s (%s)\n", r, s, ufwhere, kreason[i]
	} else {
		printf "unexplained stress %s %s: user fault at %s\n", r, s, ufwhere
		ufbad[r, s]++
	}
	next
}

END {
	# Counts per run.
	for (r = 1; r <= nruns; r++) {
		p = f = s = 0
		to = tn = ts = 0
		for (i = 1; i <= nprogs; i++) {
			e = prog_exit[run[r], progs[i]]
			if (e == "")
				continue
			if (e == 0) p++
			else if (e == 4) s++
			else f++
		}
		for (i = 1; i <= ntaps; i++) {
			t = tap[run[r], taps[i]]
			if (t == "ok") to++
			else if (t == "not-ok") tn++
			else if (t == "skip") ts++
		}
		if (p + f + s)
			printf "count %s programs %d passed %d failed %d skipped; tap %d ok %d not-ok %d skip\n", \
				run[r], p, f, s, to, tn, ts
	}

	# Program exits: identical in every run, explained when not 0.
	for (i = 1; i <= nprogs; i++) {
		ct = progs[i]
		kp = known_for(ct, "")
		if (kp)
			kused[kp] = 1
		if (kp && kkind[kp] == "flaky") {
			printf "flaky %s exit", ct
			for (r = 1; r <= nruns; r++)
				printf " %s=%s", run[r], prog_exit[run[r], ct]
			printf " (not compared: %s)\n", kreason[kp]
			continue
		}
		# flaky-load: the runs without the load are compared and must
		# pass or be explained by another entry; the load run is shown.
		nr = nruns
		if (kp && kkind[kp] == "flaky-load") {
			printf "flaky %s exit load=%s (not compared in run load: %s)\n", ct, \
				prog_exit["load", ct], kreason[kp]
			nr = nruns - 1
			kp = 0
		}
		# A flaky subtest that differs between runs may change the exit.
		skip_exit = 0
		for (j = 1; j <= ntaps; j++) {
			split(taps[j], kk, SUBSEP)
			if (kk[1] != ct)
				continue
			d = ""
			for (r = 1; r <= nr; r++)
				if (tapdesc[run[r], taps[j]] != "")
					d = tapdesc[run[r], taps[j]]
			if (!flaky_sub(ct, d, kk[2]))
				continue
			kf = known_for(ct, d, kk[2])
			kused[kf] = 1
			same = 1
			for (r = 2; r <= nr; r++)
				if (tap[run[r], taps[j]] != tap[run[1], taps[j]])
					same = 0
			printf "flaky %s:%s", ct, d
			for (r = 1; r <= nr; r++)
				printf " %s=%s", run[r], tap[run[r], taps[j]] == "" ? "missing" : tap[run[r], taps[j]]
			printf " (not compared: %s)\n", kreason[kf]
			flakytap[taps[j]] = 1
			if (!same)
				skip_exit = 1
		}
		if (!skip_exit && premodule_exit(ct, nr)) {
			printf "premodule %s exit none=%s (not counted: failed before the module was loaded, passed in every run with it)\n", \
				ct, prog_exit["none", ct]
			premod[ct] = 1
			continue
		}
		same = 1
		for (r = 2; r <= nr; r++)
			if (prog_exit[run[r], ct] != prog_exit[run[1], ct])
				same = 0
		if (!same && !skip_exit) {
			printf "diff %s exit", ct
			for (r = 1; r <= nr; r++)
				printf " %s=%s", run[r], prog_exit[run[r], ct] == "" ? "missing" : prog_exit[run[r], ct]
			printf "\n"
			bad++
		}
		for (r = 1; r <= nr; r++) {
			e = prog_exit[run[r], ct]
			if (e == "" || e == 0 || (skip_exit && !same))
				continue
			if (kp) {
				if (!kshown[kp]++)
					printf "known %s %s: %s\n", ct, kkind[kp], kreason[kp]
			} else if (!subtests_explain(run[r], ct) && !unexp[ct, "exit"]++) {
				printf "unexplained %s exit %s in run %s\n", ct, e, run[r]
				bad++
			}
		}
	}

	# TAP lines: identical in every run, explained when not ok or skipped.
	for (j = 1; j <= ntaps; j++) {
		if (taps[j] in flakytap)
			continue
		split(taps[j], kk, SUBSEP)
		ct = kk[1]
		kp = known_for(ct, "")
		if (kp && kkind[kp] == "flaky")
			continue
		nr = kp && kkind[kp] == "flaky-load" ? nruns - 1 : nruns
		d = ""
		for (r = 1; r <= nr; r++)
			if (tapdesc[run[r], taps[j]] != "")
				d = tapdesc[run[r], taps[j]]
		if (premodule_tap(taps[j], ct, nr)) {
			printf "premodule %s #%s %s none=%s (not counted: before the module was loaded, ok in every run with it)\n", \
				ct, kk[2], d, tap["none", taps[j]] == "" ? "missing" : tap["none", taps[j]]
			continue
		}
		same = 1
		for (r = 2; r <= nr; r++)
			if (tap[run[r], taps[j]] != tap[run[1], taps[j]])
				same = 0
		if (!same) {
			printf "diff %s #%s %s", ct, kk[2], d
			for (r = 1; r <= nr; r++)
				printf " %s=%s", run[r], tap[run[r], taps[j]] == "" ? "missing" : tap[run[r], taps[j]]
			printf "\n"
			bad++
		}
		for (r = 1; r <= nr; r++) {
			t = tap[run[r], taps[j]]
			if (t == "" || t == "ok")
				continue
			ks = known_for(ct, d, kk[2])
			if (ks && kkind[ks] != "flaky-load") {
				kused[ks] = 1
				if (!kshown[ks]++)
					printf "known %s%s %s: %s\n", ct, ksub[ks] == "" ? "" : ":" ksub[ks], \
						kkind[ks], kreason[ks]
			} else if (!unexp[taps[j]]++) {
				printf "unexplained %s #%s %s %s in run %s\n", ct, kk[2], d, t, run[r]
				bad++
			}
		}
	}
	for (i = 1; i <= nk; i++)
		if (!kused[i] && kkind[i] != "notrun" && (kprog[i] in prog_seen))
			printf "stale %s%s %s: did not fail, skip or flake here\n", kprog[i], \
				ksub[i] == "" ? "" : ":" ksub[i], kkind[i]
	for (i = 1; i <= nk; i++)
		if (kkind[i] == "notrun")
			printf "known %s notrun: %s\n", kprog[i], kreason[i]

	# stress-ng: every stressor of every run succeeded; ratios to the base
	# (the mean of the two runs without the module), geometric means.
	nm = nl = 0
	lm = ll = 0
	for (i = 1; i <= nstress; i++) {
		s = stressors[i]
		crashed = 0
		for (r = 1; r <= nsruns; r++) {
			if (ufbad[sr[r], s]) {
				printf "fail stress %s %s: %d user faults not explained by known\n", \
					sr[r], s, ufbad[sr[r], s]
				bad++
				continue
			}
			if (src[sr[r], s] == "" || src[sr[r], s] == 0)
				continue
			# A failure whose every fault is a known crash of
			# stress-ng's own: reported, its rates not compared.
			if (nuf[sr[r], s]) {
				kp = ufk[sr[r], s]
				printf "flaky stress %s %s exit %s (not compared: %s)\n", sr[r], s, \
					src[sr[r], s], kreason[kp]
				crashed = 1
				continue
			}
			printf "fail stress %s %s exit %s\n", sr[r], s, src[sr[r], s]
			bad++
		}
		if (crashed) {
			printf "ratio %s none (a run crashed)\n", s
			continue
		}
		base = (srate["none", s] + srate["none2", s]) / 2
		if (srate["none", s] <= 0 || srate["none2", s] <= 0 || srate["module", s] <= 0 ||
		    srate["load", s] <= 0) {
			printf "ratio %s none (a run made no bogo op)\n", s
			continue
		}
		rm = srate["module", s] / base
		rl = srate["load", s] / base
		noise = srate["none2", s] / srate["none", s]
		# A rate from a handful of operations (clone, whose random flags
		# include CLONE_NEWNET, can make 0 to 70 in 3 s under TCG) is
		# shown, not averaged.
		few = 0
		for (r = 1; r <= nsruns; r++)
			if (sops[sr[r], s] < 10)
				few = 1
		printf "ratio %s module/base %.3f load/base %.3f none2/none %.3f%s\n", s, rm, rl, noise, \
			few ? " (fewer than 10 bogo ops in a run: not in the geometric means)" : ""
		if (few)
			continue
		lm += log(rm); nm++
		ll += log(rl); nl++
		ln += log(noise)
	}
	# The host's load changing between none and none2 (a VM beside this
	# one starting or ending) moves module and load with it: a noise of
	# more than 2 either way makes the means say nothing.
	if (nm) {
		noise = exp(ln / nm)
		moved = noise > 2 || noise < 0.5
		printf "ratio geomean module/base %.3f load/base %.3f none2/none %.3f%s\n", \
			exp(lm / nm), exp(ll / nl), noise, \
			moved ? " (the host's load changed during the run: not a measure)" : ""
	}
	if (splats) {
		printf "fail kernel log: %d splat lines\n", splats
		bad++
	}
	if (!checks) {
		print "fail no check ran"
		bad++
	}
	printf "verdict %s\n", bad ? "FAIL" : "PASS"
}
