#!/usr/bin/env bash
# Runs every test; fails loudly if pytest collected nothing (its exit code 5).
# T2T_COVERAGE=1 (what `make coverage` sets) measures coverage too, servers' subprocesses included; it makes the
# suite about a quarter slower, so `make test` leaves it out.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
rm -f .coverage .coverage.*

cov=()
if [ "${T2T_COVERAGE:-0}" = "1" ]; then
  cov=(--cov --cov-report=term:skip-covered --cov-report=xml:coverage.xml)
fi
# Test files run side by side on up to 4 cores (pytest-xdist): most of the time is spent waiting for real servers
# to start, so two workers took the suite from 1,118 s to 710 s on the 2-core development machine. A file stays
# on one worker (--dist loadfile), so its module-scoped servers start once; each worker has its own
# session-scoped PostgreSQL cluster and ports. T2T_TEST_WORKERS=1 runs everything in one process.
workers="${T2T_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}"
[ "$workers" -gt 4 ] 2>/dev/null && workers=4
parallel=()
if [ "$workers" -gt 1 ] 2>/dev/null; then
  parallel=(-n "$workers" --dist loadfile)
fi
"$BIN/python" -m pytest "${parallel[@]}" "${cov[@]}" --durations=15 "$@"
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
