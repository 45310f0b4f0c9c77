#!/usr/bin/env bash
# Builds the web UI (frontend/) into frontend/dist, which the API serves at "/".
# Installs node_modules with `npm ci` only when missing or older than package-lock.json, and
# rebuilds only when a source is newer than the last build, so `make install` is fast when
# nothing changed. Needs Node.js 20.19+ and npm; packages come from the npm registry only.
set -euo pipefail
cd "$(dirname "$0")/../frontend"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "error: Node.js and npm are needed to build the web UI (frontend/): install Node.js 20.19 or newer" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "error: Node.js $(node --version) is too old for the web UI: install Node.js 20.19 or newer" >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install: older than the lock file means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "frontend: installing packages (npm ci)"
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
fi

stamp=dist/index.html
sources=(src public index.html package.json package-lock.json vite.config.ts tsconfig.json tsconfig.app.json tsconfig.node.json)
if [ -f "$stamp" ] && [ -z "$(find "${sources[@]}" -newer "$stamp" -not -name '*.test.ts' -not -name '*.test.tsx' -print -quit 2>/dev/null)" ]; then
  echo "frontend: dist/ is up to date"
  exit 0
fi
echo "frontend: building dist/ (npm run build)"
npm run --silent build
