#!/usr/bin/env bash
# `make test`: the tests in two parts, each part's failures rerun once, alone.
#
#   tools/run_tests.sh WORKERS [PYTEST_ARGS...]
#
# With no PYTEST_ARGS: every test but the chaos ones on WORKERS workers, then the chaos tests
# one at a time, alone on the machine. With PYTEST_ARGS: only those, on WORKERS workers.
#
# A test that fails is run once more, in one process, after its part: a failure that comes
# back is a failure (exit 1); one that does not is printed under "FLAKY" for someone to fix,
# since a test must pass on a loaded machine too, but a suite of two thousand tests on shared
# CI hardware must not be thrown away for one late timer.
set -uo pipefail

workers=$1
shift
run=(${UV_RUN:-uv run --frozen})
cache=$PWD/.pytest_cache
lastfailed=$cache/v/cache/lastfailed
flaky=()

# run_part NAME PARALLEL_ARGS... -- SELECTION...: 0 when every test passed at once or on its
# rerun, else pytest's exit code (5: nothing collected, which also fails).
run_part() {
    local name=$1
    shift
    local parallel=()
    while [[ $1 != -- ]]; do parallel+=("$1"); shift; done
    shift
    local rc=0
    rm -f "$lastfailed"  # so that it lists this part's failures only
    "${run[@]}" pytest -o cache_dir="$cache" "${parallel[@]}" "$@" || rc=$?
    if [[ $rc -eq 5 ]]; then
        echo "pytest collected no tests ($name): failing"
    fi
    if [[ $rc -ne 1 ]]; then
        return $rc
    fi
    local failed
    failed=$(python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' \
        "$lastfailed" 2>/dev/null)
    echo
    echo "== $name: the failed tests, once more, in one process =="
    echo "$failed"
    rc=0
    "${run[@]}" pytest -o cache_dir="$cache" -n 0 --last-failed --last-failed-no-failures none "$@" || rc=$?
    if [[ $rc -eq 0 ]]; then
        while IFS= read -r test; do [[ -n $test ]] && flaky+=("$test"); done <<< "$failed"
    fi
    return $rc
}

rc=0
if [[ $# -eq 0 ]]; then
    run_part "tests" -n "$workers" --dist loadfile --durations=30 -- --ignore=tests/chaos || rc=$?
    chaos=0
    run_part "chaos tests" -n 0 --durations=10 -- tests/chaos || chaos=$?
    [[ $rc -ne 0 ]] || rc=$chaos
else
    run_part "tests" -n "$workers" --dist loadfile --durations=30 -- "$@" || rc=$?
fi

if [[ ${#flaky[@]} -gt 0 ]]; then
    echo
    echo "FLAKY: failed, then passed when run again alone (fix them):"
    printf '  %s\n' "${flaky[@]}"
fi
exit $rc
