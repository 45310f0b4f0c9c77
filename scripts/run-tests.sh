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
[ $rc -ne 0 ] && exit $rc
if [ -f frontend/package.json ]; then
  (cd frontend && npm run --silent test) || exit $?
fi
exit 0
