#!/usr/bin/env bash
# Install what thuvien needs on a Debian 12 machine, skipping what is already there:
# Debian packages, uv, the project's virtualenv (from uv.lock), front-end assets and translations.
# As a normal user it uses sudo for apt-get (and says so).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Debian packages: PostgreSQL (second test run), yaz (Z39.50/SRU client), Chromium (browser tests),
# gettext; the digital library's OCR and imaging (Tesseract with Vietnamese and traditional Chinese,
# libvips, OCRmyPDF, Ghostscript); poppler and zbar to read back rendered reports and labels; DejaVu
# fonts (Vietnamese glyphs) for generated PDFs.
need=()
for pkg in postgresql yaz chromium gettext tesseract-ocr tesseract-ocr-vie tesseract-ocr-chi-tra \
           libvips42 ocrmypdf ghostscript poppler-utils zbar-tools fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(npm)
python3 -m venv --help >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  [ -n "$SUDO" ] && echo "bootstrap: installing Debian packages with sudo: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A freshly booted Debian often runs apt itself (unattended upgrades): wait for its locks, bounded.
  lock_timeout=${THUVIEN_APT_LOCK_TIMEOUT:-600}
  apt_opts=(-o "DPkg::Lock::Timeout=$lock_timeout")
  if command -v fuser >/dev/null 2>&1 && fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1; then
    echo "bootstrap: another apt/dpkg is running; waiting up to ${lock_timeout}s for its lock"
  fi
  $SUDO apt-get "${apt_opts[@]}" update -qq
  $SUDO apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1 && [ ! -x .tools/bin/uv ]; then
  echo "bootstrap: installing uv into .tools/"
  python3 -m venv .tools
  .tools/bin/pip install -q uv
fi
UV=$(command -v uv || echo .tools/bin/uv)
UV_PYTHON_DOWNLOADS=never "$UV" sync --frozen --quiet
{ [ -f node_modules/htmx.org/dist/htmx.min.js ] && [ -f node_modules/chart.js/dist/chart.umd.min.js ] \
  && [ -f node_modules/sortablejs/Sortable.min.js ] && [ -f node_modules/trix/dist/trix.umd.min.js ] \
  && [ -f node_modules/axe-core/axe.min.js ] && [ -f node_modules/s3rver/bin/s3rver.js ]; } \
  || npm ci --no-audit --no-fund --silent   # s3rver: the S3 server the preservation tests start
"$UV" run --frozen thuvien compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v 0
"$UV" run --frozen thuvien collectstatic --no-input -v 0   # production serves hashed, compressed files
