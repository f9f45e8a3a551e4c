#!/usr/bin/env bash
# The mutation campaign of paper/calibration.md, module by module, resumable.
#
#   benches/mutants.sh [--mode all|correctness|both] [--only PATTERN] [--list]
#
# Each module listed below is mutated alone (cargo-mutants 27.1.0, the
# `mutants` profile of Cargo.toml) and tested with the test targets that
# cover it. Two scores per module:
#
#   all          every test of those targets, the value-stability pins and
#                golden comparisons included;
#   correctness  the same targets without what only *pins* values: the
#                `value_stability` target is dropped and every test whose
#                name contains `value_stability` or `golden` is skipped.
#                What remains checks the code against an independent oracle
#                (closed form, quadrature, exact law, finite differences,
#                a stated statistical test).
#
# Results go to target/mutants-campaign/<module>/<mode>/ (cargo-mutants'
# own mutants.out, with outcomes.json, and a file `done` once cargo-mutants
# has finished). A finished module is skipped, an unfinished one is redone,
# so an interrupted campaign resumes where it stopped; delete a module's
# folder to redo it. At the end the table of scores is printed in the
# layout of paper/calibration.md.
#
# Mutants are applied in place (--in-place), so run the campaign in a
# clean checkout or a `git worktree` of its own, never in a tree you are
# editing.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=both
ONLY=""
LIST=0
while [ $# -gt 0 ]; do
    case "$1" in
        --mode) MODE="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        --list) LIST=1; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "mutants.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
case "$MODE" in all|correctness|both) ;; *) echo "mutants.sh: --mode is all, correctness or both, not '$MODE'" >&2; exit 2 ;; esac

# module | test targets (--lib for the unit tests inside src/) | timeout (s) | extra test args
MODULES=$(cat <<'EOF'
src/statements/a1.rs|a1|120|
src/statements/a2.rs|--lib assumption2|60|
src/statements/c_eta.rs|c_eta c_width|120|
src/statements/cf.rs|small_ball small_ball_parts|60|--skip brownian_exact_law_above_the_mean
src/statements/l1.rs|lemma1|60|
src/statements/p1.rs|--lib p1|60|
src/statements/t1.rs|theorem1|120|
src/statements/t2.rs|--lib rates|120|
src/dynamics/langevin.rs|value_stability models runner|60|
src/dynamics/pcn.rs|value_stability models runner oracles|180|
src/dynamics/kernel.rs|runner|60|
src/dynamics/runner.rs|runner|60|
src/dynamics/coupling.rs|runner c_eta|120|
src/dynamics/ar1.rs|runner definitions|120|
src/conform.rs|conform|60|
src/conform/statistical.rs|conform|60|
src/spec/mod.rs|conform|60|
src/spec/problem.rs|conform|60|
src/spec/schema.rs|conform|60|
src/oracle.rs|oracles definitions|180|
src/oracle/grid.rs|--lib rates oracles|180|
src/stats.rs|--lib definitions stats|120|
src/space.rs|space models value_stability|60|
src/model/mod.rs|models|60|
src/model/regression.rs|models|60|
src/model/two_layer.rs|models lemma1 value_stability|60|
src/model/reparametrized.rs|--lib|60|
EOF
)

if [ "$LIST" = 1 ]; then
    echo "$MODULES" | cut -d'|' -f1,2
    exit 0
fi

if ! cargo mutants --version 2>/dev/null | grep -q "27.1.0"; then
    echo "mutants.sh: needs cargo-mutants 27.1.0 (cargo install cargo-mutants --version 27.1.0 --locked)" >&2
    exit 2
fi

OUT=target/mutants-campaign
mkdir -p "$OUT"

run_one() { # module targets timeout extra mode
    local module="$1" targets="$2" timeout="$3" extra="$4" mode="$5"
    local slug dir args=() t skips=()
    slug=$(echo "$module" | sed 's|^src/||; s|/|_|g; s|\.rs$||')
    dir="$OUT/$slug/$mode"
    if [ -f "$dir/done" ]; then
        echo "[$module $mode] done before: skipped"
        return
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
    echo "[$module $mode] $(date -u +%H:%M:%S) cargo mutants -f $module --in-place ${args[*]} -- -- ${skips[*]} $extra"
    local start=$SECONDS
    # Exit status 2 (missed mutants) and 3 (timeouts) are results, not errors.
    cargo mutants -f "$module" --in-place --timeout "$timeout" --profile mutants \
        -o "$dir" "${args[@]}" -- -- "${skips[@]}" $extra >"$dir/log.txt" 2>&1 || true
    if [ ! -f "$dir/mutants.out/outcomes.json" ]; then
        echo "[$module $mode] cargo-mutants did not finish; the end of $dir/log.txt:" >&2
        tail -5 "$dir/log.txt" >&2
        rm -rf "$dir"
        return 1
    fi
    touch "$dir/done"
    echo "[$module $mode] $((SECONDS - start)) s"
}

echo "$MODULES" | while IFS='|' read -r module targets timeout extra; do
    [ -z "$module" ] && continue
    if [ -n "$ONLY" ] && [[ "$module" != *"$ONLY"* ]]; then continue; fi
    if [ "$MODE" = both ] || [ "$MODE" = all ]; then run_one "$module" "$targets" "$timeout" "$extra" all; fi
    if [ "$MODE" = both ] || [ "$MODE" = correctness ]; then run_one "$module" "$targets" "$timeout" "$extra" correctness; fi
done

# The table: detected = caught + timeout; score = detected / viable.
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| module | mode | mutants | caught | timeout | missed | unviable | detected / viable |")
print("|---|---|---|---|---|---|---|---|")
for slug in sorted(os.listdir(out)):
    for mode in ("all", "correctness"):
        f = os.path.join(out, slug, mode, "mutants.out", "outcomes.json")
        if not os.path.exists(os.path.join(out, slug, mode, "done")):
            continue
        o = json.load(open(f))
        c = {k: 0 for k in ("CaughtMutant", "Timeout", "MissedMutant", "Unviable")}
        for x in o.get("outcomes", []):
            s = x.get("summary")
            if s in c:
                c[s] += 1
        viable = c["CaughtMutant"] + c["Timeout"] + c["MissedMutant"]
        det = c["CaughtMutant"] + c["Timeout"]
        pct = f"{100.0 * det / viable:.1f} %" if viable else "—"
        print(f"| {slug} | {mode} | {viable + c['Unviable']} | {c['CaughtMutant']} | {c['Timeout']} | {c['MissedMutant']} | {c['Unviable']} | {det}/{viable} = {pct} |")
PY
