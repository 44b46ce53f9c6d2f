#!/usr/bin/env bash
# The docs command: README.md from nbs/index.ipynb and the offline site in _docs/ (see tools/docs.py --help).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python tools/docs.py "$@"
