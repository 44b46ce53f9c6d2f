#!/usr/bin/env bash
# The whole test suite: every notebook through nbdev_test, then pytest for what is not a notebook
# test. Ends with one line "N passed, N failed" and a non-zero exit status on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
log=$(mktemp -d)
start=$(date +%s)
# two notebooks at a time, one thread each: torch threads spinning against each other on 2 cores are 10x slower
OMP_NUM_THREADS=1 nbdev_test --do_print --timing >"$log/nb.out" 2>"$log/nb.err"; nb_rc=$?
cat "$log/nb.out"; cat "$log/nb.err" >&2
nb_total=$(grep -c '^Starting ' "$log/nb.out")
nb_failed=$(sed -n '/^=====/,$p' "$log/nb.err" | grep -c '\.ipynb')
[ "$nb_rc" -ne 0 ] && [ "$nb_failed" -eq 0 ] && nb_failed=1  # nbdev_test failed before naming a notebook
# two pytest-xdist workers, one thread each, for the same reason; a module's shared fixtures stay in one worker
OMP_NUM_THREADS=1 python -m pytest tests -q -p no:cacheprovider -n 2 --dist loadgroup 2>&1 | tee "$log/py.out"; py_rc=${PIPESTATUS[0]}
py_passed=$(grep -oE '[0-9]+ passed' "$log/py.out" | tail -1 | grep -oE '[0-9]+' || echo 0)
py_failed=$(grep -oE '[0-9]+ (failed|error|errors)' "$log/py.out" | awk '{s+=$1} END {print s+0}')
[ "$py_rc" -ne 0 ] && [ "${py_failed:-0}" -eq 0 ] && py_failed=1  # pytest failed without a count (collection error)
echo "notebooks: $((nb_total - nb_failed)) passed, $nb_failed failed; pytest: ${py_passed} passed, ${py_failed:-0} failed; $(( $(date +%s) - start ))s"
passed=$((nb_total - nb_failed + py_passed)); failed=$((nb_failed + ${py_failed:-0}))
echo "$passed passed, $failed failed"
[ "$nb_rc" -eq 0 ] && [ "$py_rc" -eq 0 ]
