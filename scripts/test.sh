#!/usr/bin/env bash
# Install lc-health with its test tools into .venv, then run every check: lint, formatting,
# types and the whole test suite (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,bench,sso]" 2>&1 \
  | { grep -v -e "BuildBackendWarning" -e "^ " || true; }
# Browser tests use the system Chromium when there is one (Debian: apt-get install chromium),
# otherwise Playwright's own build, downloaded once.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${LC_HEALTH_TEST_CHROMIUM:-}" ]; then
  .venv/bin/python -m playwright install chromium
fi
echo "== ruff"; .venv/bin/ruff check .
echo "== ruff format"; .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
# Two workers (pytest-xdist); a test file stays on one worker, so a module's app server starts once.
# The slowest tests are listed at the end, to keep the whole run within CI's time.
echo "== pytest"; .venv/bin/python -m pytest -n "${LC_HEALTH_TEST_WORKERS:-2}" --dist loadfile --durations=25 "$@"
