#!/usr/bin/env bash
# Proof that lc-health installs like a product: build the wheel and install it into a fresh
# virtualenv in a temporary folder that holds no checkout (scripts/install-wheel.sh, the same
# steps as the Dockerfile), run `lc-health serve --demo` from there with an empty home, wait
# for the health check, then open the demo survey in Chromium and check that the instrument and
# the theme arrived (scripts/wheel_check_page.py, with Playwright from the checkout's .venv).
# Fails loudly; removes everything it made. WHEEL_CHECK_VENV reuses an installed virtualenv;
# REPO_PYTHON is the Python with Playwright (default: the checkout's .venv).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
py="${REPO_PYTHON:-$repo/.venv/bin/python}"
started=$(date +%s)
tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "wheel-check: FAILED: $*" >&2; [ -f "$tmp/serve.log" ] && tail -n 40 "$tmp/serve.log" >&2; exit 1; }

venv="${WHEEL_CHECK_VENV:-$tmp/venv}"
[ -n "${WHEEL_CHECK_VENV:-}" ] || "$repo/scripts/install-wheel.sh" "$venv"
mkdir "$tmp/work" "$tmp/user"
port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# A clean environment: no LC_HEALTH_* of the caller, a new user whose data folder is empty.
cd "$tmp/work"
env -i PATH=/usr/bin:/bin HOME="$tmp/user" XDG_DATA_HOME="$tmp/user/data" LANG=C.UTF-8 \
  "$venv/bin/lc-health" serve --demo --port "$port" --address 127.0.0.1 >"$tmp/serve.log" 2>&1 &
server=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 180); do
  kill -0 "$server" 2>/dev/null || fail "lc-health serve exited"
  if "$py" -c "import urllib.request as u; u.urlopen('$url/_stcore/health', timeout=2)" 2>/dev/null; then
    break
  fi
  sleep 1
done
"$py" -c "import urllib.request as u; u.urlopen('$url/_stcore/health', timeout=2)" \
  || fail "no answer on $url/_stcore/health"
"$py" "$repo/scripts/wheel_check_page.py" "$url" "$repo" || fail "the page check"
[ -f "$tmp/user/data/lc-health/lc-health.db" ] || fail "the database is not in the user data folder"
[ -z "$(ls -A "$tmp/work")" ] || fail "serve wrote into the working folder: $(ls -A "$tmp/work")"
echo "wheel-check: ok in $(( $(date +%s) - started )) s (installed wheel served the demo from a folder without a checkout)"
