#!/usr/bin/env bash
# The mutation campaign of paper/calibration.md, module by module, resumable.
#
#   benches/mutants.sh [--mode all|correctness|both] [--only REGEX] [--list] [--table]
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
# skipped, an unfinished one is redone, so an interrupted campaign resumes
# where it stopped; delete a module's folder to redo it. At the end (or
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
case "$MODE" in all|correctness|both) ;; *) echo "mutants.sh: --mode is all, correctness or both, not '$MODE'" >&2; exit 2 ;; esac

# module | test targets (--lib for the unit tests inside src/) | profile |
# timeout (s) | extra test args | functions (names, comma-separated,
# regexes allowed; empty: the whole file). Rows with functions mutate an experiment's verdict logic
# alone (the functions that turn measurements into checks and a status);
# their results go to <module>-verdict. The profile is `mutants0` where the
# targets' tests take seconds at opt-level 0, `mutants` where they are
# numerical sweeps that take minutes unoptimized. stats.rs is tested by
# tests/stats.rs and its unit tests alone (`definitions` reaches it too, but
# costs 30 s a mutant at opt-level 0; leaving it out can only lower the score).
MODULES=$(cat <<'EOF'
src/statements/a1.rs|a1|mutants|120|
src/statements/a2.rs|--lib assumption2|mutants0|60|
src/statements/c_eta.rs|c_eta c_width|mutants|120|
src/statements/cf.rs|small_ball small_ball_parts|mutants|60|--skip brownian_exact_law_above_the_mean
src/statements/l1.rs|lemma1|mutants0|60|
src/statements/p1.rs|--lib p1|mutants0|60|
src/statements/t1.rs|theorem1|mutants|120|
src/statements/t2.rs|--lib rates|mutants|120|
src/dynamics/langevin.rs|value_stability models runner|mutants0|60|
src/dynamics/pcn.rs|value_stability models runner oracles|mutants|180|
src/dynamics/kernel.rs|runner|mutants0|60|
src/dynamics/runner.rs|runner|mutants0|60|
src/dynamics/coupling.rs|runner c_eta|mutants|120|
src/dynamics/ar1.rs|runner definitions|mutants|120|
src/conform.rs|conform|mutants0|60|
src/conform/statistical.rs|conform|mutants0|60|
src/spec/mod.rs|conform|mutants0|60|
src/spec/problem.rs|conform|mutants0|60|
src/spec/schema.rs|conform|mutants0|60|
src/oracle.rs|oracles definitions|mutants|180|
src/oracle/grid.rs|--lib rates oracles|mutants|180|
src/stats.rs|--lib stats|mutants0|60|
src/space.rs|space models value_stability|mutants0|60|
src/model/mod.rs|models|mutants0|60|
src/model/regression.rs|models|mutants0|60|
src/model/two_layer.rs|models lemma1 value_stability|mutants0|60|
src/model/reparametrized.rs|--lib|mutants0|60|
src/record.rs|controls|mutants0|60||Check::[a-z_]+,Record::status_from_checks
src/experiments/a2_conditions.rs|assumption2|mutants0|60||grid_threshold_check,bernstein_test_set_checks
src/experiments/c_eta/mod.rs|c_eta|mutants|120||zero_loss_mc_check,order_checks
src/experiments/c_eta/two_layer.rs|c_eta|mutants|120||two_layer_cross_check
src/experiments/cf_small_ball.rs|small_ball|mutants|60|--skip brownian_exact_law_above_the_mean|brownian_check,mc_check,mc_compare
src/experiments/p1_minorization.rs|p1 controls|mutants0|60||checks,free_delta_control
src/experiments/s6_scheme.rs|oracles|mutants|180||zero_loss_checks(_on)?
src/experiments/s7_pcn.rs|oracles|mutants|180||posterior_coordinate_checks
src/experiments/t1_gap/mod.rs|theorem1|mutants|120||t1_checks,failure_check,t1_controls,scale_probe_checks,cgap_checks,cgap_quantile_checks
src/experiments/t2r_rate.rs|small_ball|mutants|60|--skip brownian_exact_law_above_the_mean|slope_bound_check,small_ball_checks,net_slope_check,network_checks
src/experiments/t3_classification.rs|classification|mutants|180||decay_check,linearity_check
src/experiments/t3_network.rs|classification|mutants|180||net_decay_check,net_control_check
src/experiments/z_models.rs|zoo|mutants|180||fd_verdict,law_verdict
EOF
)

if [ "$LIST" = 1 ]; then
    echo "$MODULES" | cut -d'|' -f1-3,6
    exit 0
fi

if ! cargo mutants --version 2>/dev/null | grep -q "27.1.0"; then
    echo "mutants.sh: needs cargo-mutants 27.1.0 (cargo install cargo-mutants --version 27.1.0 --locked)" >&2
    exit 2
fi

OUT=${MUTANTS_OUT:-target/mutants-campaign}
mkdir -p "$OUT"

run_one() { # module targets profile timeout extra functions mode
    local module="$1" targets="$2" profile="$3" timeout="$4" extra="$5" functions="$6" mode="$7"
    local slug dir args=() t skips=() filter=()
    slug=$(echo "$module" | sed 's|^src/||; s|/|_|g; s|\.rs$||')
    if [ -n "$functions" ]; then
        slug="$slug-verdict"
        # The mutants inside these functions and those replacing their body.
        filter=(-F "(in |replace )(${functions//,/|})( |\$)")
    fi
    dir="$OUT/$slug/$mode"
    if [ -f "$dir/done" ]; then
        echo "[$module $mode] done before: skipped"
        return
    fi
    if [ "$mode" = all ]; then
        # Only the correctness run's survivors are rerun, with the pins added.
        local missed="$OUT/$slug/correctness/mutants.out/missed.txt"
        if [ ! -f "$OUT/$slug/correctness/done" ]; then
            echo "[$module all] needs the correctness run first: skipped" >&2
            return
        fi
        if [ ! -s "$missed" ]; then
            mkdir -p "$dir" && touch "$dir/done"
            echo "[$module all] no survivors of the correctness run: nothing to rerun"
            return
        fi
        filter=(-F "$(python3 -c 'import re, sys; print("^(" + "|".join(re.escape(l.strip()) for l in open(sys.argv[1]) if l.strip()) + ")$")' "$missed")")
        case " $targets " in *" value_stability "*) ;; *) targets="$targets value_stability" ;; esac
    fi
    rm -rf "$dir"
    for t in $targets; do
        if [ "$t" = "--lib" ]; then
            args+=(-C --lib)
        elif [ "$mode" = correctness ] && [ "$t" = value_stability ]; then
            continue
        else
            args+=(-C --test -C "$t")
        fi
    done
    if [ "$mode" = correctness ]; then
        skips=(--skip value_stability --skip golden)
    fi
    mkdir -p "$dir"
    echo "[$module${functions:+ verdict} $mode] $(date -u +%H:%M:%S) cargo mutants -f $module --in-place --profile $profile ${args[*]} ${filter[*]} -- -- ${skips[*]} $extra" | cut -c1-400
    local start=$SECONDS
    # Exit status 2 (missed mutants) and 3 (timeouts) are results, not errors.
    cargo mutants -f "$module" --in-place --timeout "$timeout" --profile "$profile" \
        -o "$dir" "${filter[@]}" "${args[@]}" -- -- "${skips[@]}" $extra >"$dir/log.txt" 2>&1 || true
    if [ ! -f "$dir/mutants.out/outcomes.json" ]; then
        echo "[$module $mode] cargo-mutants did not finish; the end of $dir/log.txt:" >&2
        tail -5 "$dir/log.txt" >&2
        rm -rf "$dir"
        return 1
    fi
    touch "$dir/done"
    echo "[$module $mode] $((SECONDS - start)) s"
}

if [ "$TABLE" = 0 ]; then
    echo "$MODULES" | while IFS='|' read -r module targets profile timeout extra functions; do
        [ -z "$module" ] && continue
        if [ -n "$ONLY" ] && ! [[ "$module" =~ $ONLY ]]; then continue; fi
        if [ "$MODE" = both ] || [ "$MODE" = correctness ]; then run_one "$module" "$targets" "$profile" "$timeout" "$extra" "$functions" correctness; fi
        if [ "$MODE" = both ] || [ "$MODE" = all ]; then run_one "$module" "$targets" "$profile" "$timeout" "$extra" "$functions" all; fi
    done
fi

# The table: detected = caught + timeout; score = detected / viable. The
# "all" row adds its rerun of the survivors to the correctness run.
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
KEYS = ("CaughtMutant", "Timeout", "MissedMutant", "Unviable")
def counts(slug, mode):
    o = json.load(open(os.path.join(out, slug, mode, "mutants.out", "outcomes.json")))
    c = dict.fromkeys(KEYS, 0)
    for x in o.get("outcomes", []):
        if x.get("summary") in c:
            c[x["summary"]] += 1
    return c
print("| module | mode | mutants | caught | timeout | missed | unviable | detected / viable |")
print("|---|---|---|---|---|---|---|---|")
for slug in sorted(os.listdir(out)):
    if not os.path.exists(os.path.join(out, slug, "correctness", "done")):
        continue
    rows = [("correctness", counts(slug, "correctness"))]
    if os.path.exists(os.path.join(out, slug, "all", "done")):
        c = dict(rows[0][1])
        if os.path.exists(os.path.join(out, slug, "all", "mutants.out", "outcomes.json")):
            r = counts(slug, "all")
            c["CaughtMutant"] += r["CaughtMutant"]
            c["Timeout"] += r["Timeout"]
            c["MissedMutant"] = r["MissedMutant"]
        rows.append(("all", c))
    for mode, c in rows:
        viable = c["CaughtMutant"] + c["Timeout"] + c["MissedMutant"]
        det = c["CaughtMutant"] + c["Timeout"]
        pct = f"{100.0 * det / viable:.1f} %" if viable else "—"
        print(f"| {slug} | {mode} | {viable + c['Unviable']} | {c['CaughtMutant']} | {c['Timeout']} | {c['MissedMutant']} | {c['Unviable']} | {det}/{viable} = {pct} |")
PY
