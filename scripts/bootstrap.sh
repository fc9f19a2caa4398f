#!/usr/bin/env bash
# Install what thuvien needs on a Debian 12 machine, skipping what is already there:
# Debian packages, uv, the project's virtualenv (from uv.lock), front-end assets and translations.
# As a normal user it uses sudo for apt-get (and says so).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need=()
for pkg in postgresql yaz chromium gettext; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(npm)
python3 -m venv --help >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  [ -n "$SUDO" ] && echo "bootstrap: installing Debian packages with sudo: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1 && [ ! -x .tools/bin/uv ]; then
  echo "bootstrap: installing uv into .tools/"
  python3 -m venv .tools
  .tools/bin/pip install -q uv
fi
UV=$(command -v uv || echo .tools/bin/uv)
UV_PYTHON_DOWNLOADS=never "$UV" sync --frozen --quiet
[ -f node_modules/htmx.org/dist/htmx.min.js ] || npm ci --no-audit --no-fund --silent
"$UV" run --frozen thuvien compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v 0
