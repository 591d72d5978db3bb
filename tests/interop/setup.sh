#!/usr/bin/env bash
# Makes a virtual environment with Alibaba's OSS and SLS gateway packages and SDKs at the versions
# (and file hashes) in requirements.lock, and prints the path of its python on the last line.
# Default place: ~/.cache/acs-interop-oss-sls (override with ACS_INTEROP_VENV).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${ACS_INTEROP_VENV:-$HOME/.cache/acs-interop-oss-sls}"
PY="${PYTHON:-python3}"
STAMP="$VENV/.requirements.lock.sha256"
want="$(sha256sum "$HERE/requirements.lock" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
    -r "$HERE/requirements.lock" >&2
  echo "$want" >"$STAMP"
fi
echo "$VENV/bin/python"
