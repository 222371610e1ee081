#!/usr/bin/env bash
# Build lc-health's wheel from this source tree and install it into a new virtualenv VENV with
# the exact versions of constraints.txt. These are the only install steps of a deployment: the
# Dockerfile runs this script, and CI runs it through scripts/wheel-check.sh.
#   scripts/install-wheel.sh VENV        (PYTHON chooses the interpreter; default python3)
set -euo pipefail
venv="${1:?usage: scripts/install-wheel.sh VENV}"
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Build from a clean copy: setuptools would also ship files left over in an old build/ folder.
mkdir "$work/src"
tar -C "$src" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist \
  --exclude=./data --exclude=./tests --exclude='*.egg-info' --exclude=__pycache__ \
  --exclude=.mypy_cache --exclude=.ruff_cache --exclude=.pytest_cache --exclude=.hypothesis \
  -cf - . | tar -C "$work/src" -xf -

"${PYTHON:-python3}" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" wheel --no-deps --wheel-dir "$work/wheel" "$work/src"
"${pip[@]}" install -c "$src/constraints.txt" "$work"/wheel/lc_health-*.whl
"$venv/bin/lc-health" --help >/dev/null
echo "installed $(basename "$work"/wheel/lc_health-*.whl) into $venv"
