#!/usr/bin/env bash
# The mutation campaign of paper/calibration.md, module by module, resumable.
#
#   benches/mutants.sh [--mode all|correctness|both|recheck] [--only REGEX] [--list] [--table]
#
# Each module listed below is mutated alone (cargo-mutants 27.1.0) and
# tested with the test targets that cover it, built in the profile of its
# row: `mutants0` (our crate at opt-level 0: a mutant rebuilds in about
# 3 s; for modules whose tests are cheap) or `mutants` (opt-level 1, about
# 12 s; for modules whose tests are numerical sweeps). Two scores per module:
#
#   correctness  the module's targets without what only *pins* values: the
#                `value_stability` target is dropped and every test whose
#                name contains `value_stability` or `golden` is skipped.
#                What remains checks the code against an independent oracle
#                (closed form, quadrature, exact law, finite differences,
#                a stated statistical test).
#   recheck      the survivors of the correctness run (`-F` with their
#                names) rerun with the correctness tests as they are now:
#                after tests are added to kill them. Always rerun; the table
#                counts the latest.
#   all          the same targets plus the value-stability pins
#                (`value_stability`) and the golden comparisons. Every test
#                of the correctness run is also in this one, so a mutant the
#                correctness run detected is detected here too: only the
#                correctness run's survivors (missed) are rerun (`-F` with
#                their names), and the score counts both.
#
# Results go to $MUTANTS_OUT (default target/mutants-campaign) in
# <module>/<mode>/ (cargo-mutants' own mutants.out, with outcomes.json,
# and a file `done` once cargo-mutants has finished). A finished module is
# skipped; an unfinished correctness run is kept as a part
# (<module>/correctness-part-*) and the next run tests only the mutants no
# part has tested, so an interrupted campaign resumes where it stopped;
# delete a module's folder to redo it. At the end (or
# with --table alone) the table of scores is printed in the layout of
# paper/calibration.md.
#
# Mutants are applied in place (--in-place), so run the campaign in a
# clean checkout or a `git worktree` of its own, never in a tree you are
# editing. Two worktrees can share the work: give each its own --only
# and the same MUTANTS_OUT.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=both
ONLY=""
LIST=0
TABLE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --mode) MODE="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --list) LIST=1; shift ;;
        --table) TABLE=1; shift ;;
        -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
        *) echo "mutants.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
case "$MODE" in all|correctness|both|recheck) ;; *) echo "mutants.sh: --mode is all, correctness, both or recheck, not '$MODE'" >&2; exit 2 ;; esac

# module | test targets (--lib for the unit tests inside src/) | profile |
# timeout (s) | extra test args | functions (names, comma-separated,
# regexes allowed; empty: the whole file) | skip (functions, the same
# syntax: their mutants are left to another row) | sample (N: only every
# N-th mutant of the row, cargo-mutants' round-robin shard 0/N).
# A row with a sample is named <module>-every<N>th and one with a skip
# <module>-rest; the table says which functions and what share they cover.
# No row of the recorded campaign is sampled any more: a sample was a
# first look, and its results were then moved into the module's full row
# as its first correctness part (correctness-part-00-every<N>th), so the
# full run tested only the other mutants.
# oracle.rs is split in two rows: LinearGaussian::ar1 and q_and_b return
# tuples of matrices, whose type-guessed replacements make 1 132 mutants,
# almost all unviable, a build each (row oracle-only); the rest of the file
# is row oracle-rest.
# conform/statistical.rs has 358 mutants at 30 s each (the conform
# target's build and run at opt-level 0). spec/zoo.rs is tested by `zoo`
# and `conform`, oracle/minorization.rs (P1's minorization oracle) by the
# two `minorization` tests of `rates`; model/layered.rs and
# model/ot_map.rs by `zoo`.
# Rows with functions (and no sample) under src/experiments/ and
# src/record.rs mutate an experiment's verdict logic alone (the functions
# that turn measurements into checks and a status); their results go to
# <module>-verdict. They are tested by tests/verdicts*.rs alone, which call
# those functions on synthetic measurements (no chains, a second a
# mutant); the experiments' own tests (sweeps, minutes a mutant) could only
# add to their scores. A row with functions in another module goes to
# <module>-only. The profile is `mutants0` where the
# targets' tests take seconds at opt-level 0, `mutants` where they are
# numerical sweeps that take minutes unoptimized. stats.rs is tested by
# tests/stats.rs alone (`definitions` reaches it too, but costs 30 s a
# mutant at opt-level 0; leaving it out can only lower the score). `--lib`
# (the crate's unit tests: the crate built twice a mutant) only where a
# module's own unit tests are its tests.
# The conform, spec and statistical-mode rows skip `numpy_worked_example_conforms`
# (16 s of the conform target's 20 s at opt-level 0: the Python peer's
# worked example end to end); leaving it out can only lower their scores.
MODULES=$(cat <<'EOF'
src/statements/a1.rs|a1|mutants|120|
src/statements/a2.rs|--lib assumption2|mutants0|60|
src/statements/c_eta.rs|c_eta c_width|mutants|120|
src/statements/cf.rs|small_ball small_ball_parts|mutants|60|--skip brownian_exact_law_above_the_mean
src/statements/l1.rs|lemma1|mutants0|60|
src/statements/p1.rs|--lib p1|mutants0|60|
src/statements/t1.rs|theorem1|mutants|120|
src/statements/t2.rs|t2|mutants0|120|
src/dynamics/langevin.rs|value_stability models runner|mutants0|60|
src/dynamics/pcn.rs|runner models|mutants0|60|
src/dynamics/kernel.rs|runner|mutants0|60|
src/dynamics/runner.rs|runner|mutants0|60|
src/dynamics/coupling.rs|runner|mutants0|60|
src/dynamics/ar1.rs|runner|mutants0|60|
src/conform.rs|conform|mutants0|60|--skip numpy_worked_example_conforms
src/conform/statistical.rs|conform|mutants0|60|--skip numpy_worked_example_conforms
src/spec/mod.rs|conform|mutants0|60|--skip numpy_worked_example_conforms
src/spec/problem.rs|conform|mutants0|60|--skip numpy_worked_example_conforms
src/spec/schema.rs|conform|mutants0|60|
src/spec/zoo.rs|zoo conform|mutants0|60|--skip numpy_worked_example_conforms
src/oracle.rs|oracle_forms|mutants0|60|||LinearGaussian::ar1,LinearGaussian::q_and_b
src/oracle.rs|oracle_forms|mutants0|60||LinearGaussian::ar1,LinearGaussian::q_and_b
src/oracle/grid.rs|grid|mutants0|60|
src/oracle/minorization.rs|rates|mutants0|60|minorization
src/stats.rs|stats|mutants0|60|
src/space.rs|space models value_stability|mutants0|60|
src/model/mod.rs|models|mutants0|60|
src/model/regression.rs|models|mutants0|60|
src/model/two_layer.rs|models lemma1 batched value_stability|mutants0|60|
src/model/reparametrized.rs|models|mutants0|60|
src/model/layered.rs|zoo|mutants0|60|
src/model/ot_map.rs|zoo|mutants0|60|
src/record.rs|verdicts|mutants0|60||Check::[a-z_]+,Record::status_from_checks
src/experiments/a2_conditions.rs|verdicts|mutants0|60||grid_threshold_check,bernstein_test_set_checks
src/experiments/c_eta/mod.rs|verdicts|mutants0|60||zero_loss_mc_check,order_checks
src/experiments/c_eta/two_layer.rs|verdicts|mutants0|60||two_layer_cross_check
src/experiments/cf_small_ball.rs|verdicts|mutants0|60||brownian_check,mc_check,mc_compare
src/experiments/p1_minorization.rs|verdicts|mutants0|60||checks,free_delta_control
src/experiments/s6_scheme.rs|verdicts|mutants0|60||zero_loss_checks(_on)?
src/experiments/s7_pcn.rs|verdicts|mutants0|60||posterior_coordinate_checks
src/experiments/t1_gap/mod.rs|verdicts_t1|mutants0|60||t1_checks,failure_check,t1_controls,scale_probe_checks,cgap_checks,cgap_quantile_checks
src/experiments/t2r_rate.rs|verdicts_rates|mutants0|60||slope_bound_check,small_ball_checks,net_slope_check,network_checks,fast_rate_fixed_beta_control
src/experiments/t3_classification.rs|verdicts_rates|mutants0|60||decay_check,linearity_check
src/experiments/t3_network.rs|verdicts_rates|mutants0|60||net_decay_check,net_control_check
src/experiments/z_models.rs|verdicts_rates|mutants0|60||fd_verdict,law_verdict
EOF
)

if [ "$LIST" = 1 ]; then
    echo "$MODULES" | cut -d'|' -f1-3,6-8
    exit 0
fi

if ! cargo mutants --version 2>/dev/null | grep -q "27.1.0"; then
    echo "mutants.sh: needs cargo-mutants 27.1.0 (cargo install cargo-mutants --version 27.1.0 --locked)" >&2
    exit 2
fi

OUT=${MUTANTS_OUT:-target/mutants-campaign}
mkdir -p "$OUT"

# The bookkeeping, in Python: which mutants a module's runs have tested,
# which survived, whether a run finished, and the table. A module's
# correctness run may come in parts (correctness-part-*: runs interrupted
# and resumed, each part excluding what the earlier parts tested).
HELPER="$OUT/.campaign.py"
cat >"$HELPER" <<'PY'
import glob, json, os, re, sys
RANK = {"MissedMutant": 0, "Timeout": 1, "CaughtMutant": 2, "Unviable": 3}
def outcomes(d, need_done=True):
    f = os.path.join(d, "mutants.out", "outcomes.json")
    if not os.path.exists(f) or (need_done and not os.path.exists(os.path.join(d, "done"))):
        return {}
    try:
        o = json.load(open(f))
    except ValueError:
        return {}
    # A verdict row keeps only the mutants of its functions: cargo-mutants
    # 27.1.0 applies neither -F nor -E to "delete field" mutants
    # (sourcefrog/cargo-mutants#632), so those of the whole file come along.
    # Likewise a row with a skip drops the mutants of the skipped functions.
    row = os.path.dirname(os.path.normpath(d))
    keep, drop = (os.path.join(row, f) for f in ("functions", "skip"))
    keep = re.compile(open(keep).read().strip()) if os.path.exists(keep) else None
    drop = re.compile(open(drop).read().strip()) if os.path.exists(drop) else None
    res = {}
    for x in o.get("outcomes", []):
        sc = x.get("scenario")
        if isinstance(sc, dict) and "Mutant" in sc and x.get("summary") in RANK:
            name = sc["Mutant"]["name"]
            if (keep is None or keep.search(name)) and (drop is None or not drop.search(name)):
                res[name] = x["summary"]
    return res
def merge(*runs):
    best = {}
    for r in runs:
        for k, v in r.items():
            if k not in best or RANK[v] > RANK[best[k]]:
                best[k] = v
    return best
def correctness(out, slug, with_recheck=True):
    parts = [outcomes(d, need_done=False) for d in sorted(glob.glob(os.path.join(out, slug, "correctness-part-*")))]
    runs = parts + [outcomes(os.path.join(out, slug, "correctness"))]
    if with_recheck:
        runs.append(outcomes(os.path.join(out, slug, "recheck")))
    return merge(*runs)
def regex(names):
    return "^(" + "|".join(re.escape(n) for n in sorted(names)) + ")$" if names else ""
cmd, out = sys.argv[1], sys.argv[2]
if cmd == "tested":  # a regex of what the parts of a correctness run tested
    slug = sys.argv[3]
    names = set()
    for d in glob.glob(os.path.join(out, slug, "correctness-part-*")):
        names |= set(outcomes(d, need_done=False))
    print(regex(names))
elif cmd == "survivors":  # a regex of the survivors to rerun in MODE
    slug, mode = sys.argv[3], sys.argv[4]
    c = correctness(out, slug, with_recheck=(mode == "all"))
    print(regex([k for k, v in c.items() if v == "MissedMutant"]))
elif cmd == "finished":  # one outcome per mutant besides the baseline
    o = json.load(open(sys.argv[2]))
    sys.exit(sum(1 for x in o["outcomes"] if x["scenario"] != "Baseline") != o["total_mutants"])
elif cmd == "table":
    def row(slug, mode, res):
        c = {k: sum(1 for v in res.values() if v == k) for k in RANK}
        viable = c["CaughtMutant"] + c["Timeout"] + c["MissedMutant"]
        det = c["CaughtMutant"] + c["Timeout"]
        pct = f"{100.0 * det / viable:.1f} %" if viable else "—"
        what = slug
        for f, say in (("functions", "functions"), ("skip", "without"), ("sample", "sample")):
            f = os.path.join(out, slug, f)
            if os.path.exists(f) and not slug.endswith("-verdict"):
                what += f" ({say}: {open(f).read().strip()})"
        print(f"| {what} | {mode} | {len(res)} | {c['CaughtMutant']} | {c['Timeout']} | {c['MissedMutant']} | {c['Unviable']} | {det}/{viable} = {pct} |")
    print("| module | mode | mutants | caught | timeout | missed | unviable | detected / viable |")
    print("|---|---|---|---|---|---|---|---|")
    for slug in sorted(os.listdir(out)):
        if not os.path.isdir(os.path.join(out, slug)) or not os.path.exists(os.path.join(out, slug, "correctness", "done")):
            continue
        corr = correctness(out, slug)
        row(slug, "correctness", corr)
        if os.path.exists(os.path.join(out, slug, "all", "done")):
            row(slug, "all", merge(corr, outcomes(os.path.join(out, slug, "all"))))
PY

run_one() { # module targets profile timeout extra functions skip sample mode
    local module="$1" targets="$2" profile="$3" timeout="$4" extra="$5" functions="$6" skip="$7" sample="$8" mode="$9"
    local slug dir args=() t skips=() filter=()
    slug=$(echo "$module" | sed 's|^src/||; s|/|_|g; s|\.rs$||')
    if [ -n "$sample" ]; then
        slug="$slug-every${sample}th"
    elif [ -n "$functions" ]; then
        case "$module" in
            src/experiments/*|src/record.rs) slug="$slug-verdict" ;;
            *) slug="$slug-only" ;;
        esac
    elif [ -n "$skip" ]; then
        slug="$slug-rest"
    fi
    mkdir -p "$OUT/$slug"
    # The mutants inside these functions and those replacing their body.
    if [ -n "$functions" ]; then
        filter=(-F "(in |replace )(${functions//,/|})( |\$)")
        echo "(in |replace )(${functions//,/|})( |\$)" >"$OUT/$slug/functions"
    fi
    if [ -n "$skip" ]; then
        filter+=(-E "(in |replace )(${skip//,/|})( |\$)")
        echo "(in |replace )(${skip//,/|})( |\$)" >"$OUT/$slug/skip"
    fi
    if [ -n "$sample" ]; then
        filter+=(--shard "0/$sample" --sharding round-robin)
        echo "1 mutant in $sample (round-robin shard 0/$sample)" >"$OUT/$slug/sample"
    fi
    dir="$OUT/$slug/$mode"
    if [ -f "$dir/done" ] && [ "$mode" != recheck ]; then
        echo "[$module $mode] done before: skipped"
        return
    fi
    if [ "$mode" = all ] || [ "$mode" = recheck ]; then
        # Only the survivors are rerun: for recheck, the correctness run's;
        # for all, those left after the latest recheck too.
        if [ ! -f "$OUT/$slug/correctness/done" ]; then
            echo "[$module $mode] needs the correctness run first: skipped" >&2
            return
        fi
        local survivors
        survivors=$(python3 "$HELPER" survivors "$OUT" "$slug" "$mode")
        if [ -z "$survivors" ]; then
            rm -rf "$dir" && mkdir -p "$dir" && git rev-parse --short HEAD >"$dir/commit" && touch "$dir/done"
            echo "[$module $mode] no survivors: nothing to rerun"
            return
        fi
        filter=(-F "$survivors")
    fi
    if [ "$mode" = correctness ]; then
        # Resume: what an interrupted run tested is kept as a part and
        # excluded from this one.
        if [ -f "$dir/mutants.out/outcomes.json" ]; then
            mv "$dir" "$OUT/$slug/correctness-part-$(date -u +%Y%m%d%H%M%S)"
        fi
        local tested
        tested=$(python3 "$HELPER" tested "$OUT" "$slug")
        if [ -n "$tested" ]; then
            filter+=(-E "$tested")
            echo "[$module $mode] resuming: $(ls -d "$OUT/$slug"/correctness-part-* | wc -l) earlier part(s) excluded"
        fi
    fi
    if [ "$mode" = all ]; then
        case " $targets " in *" value_stability "*) ;; *) targets="$targets value_stability" ;; esac
    fi
    rm -rf "$dir"
    for t in $targets; do
        if [ "$t" = "--lib" ]; then
            args+=(-C --lib)
        elif [ "$mode" != all ] && [ "$t" = value_stability ]; then
            continue
        else
            args+=(-C --test -C "$t")
        fi
    done
    if [ "$mode" != all ]; then
        skips=(--skip value_stability --skip golden)
    fi
    mkdir -p "$dir"
    echo "[$module → $slug $mode] $(date -u +%H:%M:%S) cargo mutants -f $module --in-place --profile $profile ${args[*]} ${filter[*]} -- -- ${skips[*]} $extra" | cut -c1-300
    local start=$SECONDS
    # Exit status 2 (missed mutants) and 3 (timeouts) are results, not errors.
    cargo mutants -f "$module" --in-place --timeout "$timeout" --profile "$profile" \
        -o "$dir" "${filter[@]}" "${args[@]}" -- -- "${skips[@]}" $extra >"$dir/log.txt" 2>&1 || true
    # cargo-mutants writes outcomes.json as it goes: finished means one
    # outcome per mutant besides the baseline.
    # (An unfinished correctness run is kept: the next run resumes it.)
    if ! python3 "$HELPER" finished "$dir/mutants.out/outcomes.json" 2>/dev/null; then
        echo "[$module $mode] cargo-mutants did not finish; the end of $dir/log.txt:" >&2
        tail -5 "$dir/log.txt" >&2
        [ "$mode" = correctness ] || rm -rf "$dir"
        return 1
    fi
    git rev-parse --short HEAD >"$dir/commit"
    touch "$dir/done"
    echo "[$module $mode] $((SECONDS - start)) s"
}

if [ "$TABLE" = 0 ]; then
    echo "$MODULES" | while IFS='|' read -r module targets profile timeout extra functions skip sample; do
        [ -z "$module" ] && continue
        if [ -n "$ONLY" ] && ! [[ "$module" =~ $ONLY ]]; then continue; fi
        if [ "$MODE" = both ] || [ "$MODE" = correctness ]; then run_one "$module" "$targets" "$profile" "$timeout" "$extra" "$functions" "$skip" "$sample" correctness; fi
        if [ "$MODE" = both ] || [ "$MODE" = all ]; then run_one "$module" "$targets" "$profile" "$timeout" "$extra" "$functions" "$skip" "$sample" all; fi
        if [ "$MODE" = recheck ]; then run_one "$module" "$targets" "$profile" "$timeout" "$extra" "$functions" "$skip" "$sample" recheck; fi
    done
fi

# The table: detected = caught + timeout; score = detected / viable. Each
# mutant counts once, with its best outcome over the runs of the row: the
# correctness row over the correctness run (and its parts) and the latest
# recheck of its survivors (tests written after the run); the "all" row
# over those and the rerun with the pins.
python3 "$HELPER" table "$OUT"
