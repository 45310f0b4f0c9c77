#!/usr/bin/env bash
# Runs every test; fails loudly if pytest collected nothing (its exit code 5).
# T2T_COVERAGE=1 (what `make coverage` sets) measures coverage too, servers' subprocesses included; it makes the
# suite about a quarter slower, so `make test` leaves it out.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
rm -f .coverage .coverage.*

# Test files run side by side on the machine's cores (pytest-xdist): most of the time is spent waiting for real
# servers to start, so two workers took the suite from 1,118 s to 578-779 s on the 2-core development machine.
# A file stays on one worker (--dist loadfile), so its module-scoped servers start once; each worker has its own
# session-scoped PostgreSQL cluster and its own block of ports. One worker per core, at most 4 unless
# T2T_TEST_WORKERS says how many (1: everything in one process).
if [ -n "${T2T_TEST_WORKERS:-}" ]; then
  case "$T2T_TEST_WORKERS" in
    '' | *[!0-9]* | 0)
      echo "error: T2T_TEST_WORKERS must be a whole number of test processes, 1 or more (got '$T2T_TEST_WORKERS')" >&2
      exit 2 ;;
  esac
  workers=$T2T_TEST_WORKERS
else
  workers=$(nproc 2>/dev/null || echo 1)
  [ "$workers" -gt 4 ] && workers=4
fi
args=()
if [ "$workers" -gt 1 ]; then
  args+=(-n "$workers" --dist loadfile)
fi
if [ "${T2T_COVERAGE:-0}" = "1" ]; then
  args+=(--cov --cov-report=term:skip-covered --cov-report=xml:coverage.xml)
fi
# ${args[@]+...}: an empty array is an unbound variable to `set -u` in bash before 4.4 (macOS).
"$BIN/python" -m pytest ${args[@]+"${args[@]}"} --durations=15 "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
# The checks with the real bundled model are not part of `make test` (tests/conftest.py leaves them out).
if "$BIN/python" -c 'import sys; from tests.local_llm.conftest import real_model_missing; sys.exit(real_model_missing() is not None)' 2>/dev/null; then
  echo "Real-model checks: not run by make test (the bundled model is installed); run them alone with: make test-local"
else
  echo "Real-model checks: not run by make test (the bundled model is not installed); make test-local installs it and runs them"
fi
[ $rc -ne 0 ] && exit $rc
if [ -f frontend/package.json ]; then
  (cd frontend && npm run --silent test) || exit $?
fi
exit 0
