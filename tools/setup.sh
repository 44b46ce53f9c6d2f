#!/usr/bin/env bash
# Set-up: a virtual environment in .venv with the pinned toolchain (constraints.txt), this project
# installed editable with its dev extras, Debian's Chromium for the browser test, and a local MathJax
# for the offline docs site (npm ci in tools/docs_site, from its committed package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q -c constraints.txt pip
.venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" = 0 ] && echo || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f tools/docs_site/node_modules/mathjax/es5/tex-chtml.js ]; then
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=$([ "$(id -u)" = 0 ] && echo || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq npm >/dev/null
  fi
  npm ci --prefix tools/docs_site --no-audit --no-fund --silent
fi
echo "set-up done: activate with 'source .venv/bin/activate'"
