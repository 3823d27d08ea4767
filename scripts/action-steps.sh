#!/usr/bin/env bash
# The shell steps of action.yml, as one script a test can run on any machine:
#   action-steps.sh run     the suite; its results decide nothing yet, but a suite that
#                           fails to load (no results file) stops the job here, loudly
#   action-steps.sh check   budgets and regressions against the base branch's baseline,
#                           Markdown to the job summary whatever happens
# Inputs come as environment variables (the action sets them from its inputs):
#   RUN_ARGS, CHECK_ARGS, BASELINE (path in the project), TOLERANCE, STRICT_TOOLCHAIN,
#   BASE_REF (a pull request's base branch), RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
set -uo pipefail
step=${1:?usage: action-steps.sh run|check}
tmp=${RUNNER_TEMP:?RUNNER_TEMP is not set}
out=${GITHUB_OUTPUT:-/dev/null}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
results="$tmp/mcubench-latest.json"

case "$step" in
run)
    # shellcheck disable=SC2086  # RUN_ARGS is a list of words
    mcubench run --junit "$tmp/mcubench-junit.xml" --json-file "$results" \
        --markdown "$tmp/mcubench-latest.md" ${RUN_ARGS:-}
    code=$?
    echo "run-exit-code=$code" >> "$out"
    if [ ! -s "$results" ]; then
        # nothing measured: the suite did not load (its one-line error is above)
        {
            echo "### mcubench: the suite did not run"
            echo
            echo "\`mcubench run\` exited $code without writing results; see the job log."
        } >> "$summary"
        [ "$code" -eq 0 ] && code=2
        exit "$code"
    fi
    exit 0  # budgets and errors are the check's to judge, with the baseline
    ;;
check)
    baseline="${BASELINE:-results/baseline.json}"
    args=()
    if [ -n "${BASE_REF:-}" ]; then
        prefix=$(git rev-parse --show-prefix)
        if git show "origin/$BASE_REF:$prefix$baseline" > "$tmp/mcubench-baseline.json" 2>/dev/null; then
            args+=(--baseline "$tmp/mcubench-baseline.json")
        else
            echo "::warning::no $baseline on $BASE_REF: checking budgets only"
            args+=(--no-baseline)
        fi
    elif [ -f "$baseline" ]; then
        args+=(--baseline "$baseline")
    else
        echo "::warning::no $baseline: checking budgets only"
        args+=(--no-baseline)
    fi
    for t in ${TOLERANCE:-}; do args+=(--tolerance "$t"); done
    [ "${STRICT_TOOLCHAIN:-false}" = "true" ] && args+=(--strict-toolchain)
    # shellcheck disable=SC2206  # CHECK_ARGS is a list of words (--allow-missing, ...)
    args+=(${CHECK_ARGS:-})
    md="$tmp/mcubench-check.md"
    rm -f "$md"
    mcubench check "$results" --markdown "$md" --github-benchmark "$tmp/mcubench-benchmark.json" "${args[@]}"
    code=$?
    if [ -s "$md" ]; then
        cat "$md" >> "$summary"
    else
        {
            echo "### mcubench check: ERROR"
            echo
            echo "\`mcubench check\` exited $code before writing its Markdown; see the job log."
        } >> "$summary"
    fi
    echo "markdown=$md" >> "$out"
    echo "exit-code=$code" >> "$out"
    exit "$code"
    ;;
*)
    echo "action-steps.sh: unknown step '$step' (run or check)" >&2
    exit 2
    ;;
esac
