#!/usr/bin/env bash
# Create the project's virtual environment, or say in one line what is missing.
set -euo pipefail
VENV=${1:-.venv}
[ -x "$VENV/bin/python" ] && exit 0
PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ]; then
    echo "mcubench: python3 (>= 3.11) is missing: install python3 and python3-venv" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "mcubench: $PYTHON is $("$PYTHON" -V 2>&1); mcubench needs Python 3.11 or newer" >&2
    exit 1
fi
if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    echo "mcubench: '$PYTHON -m venv' failed: install python3-venv" >&2
    exit 1
fi
