#!/usr/bin/env bash
# Create .venv and install fairrec into it. Sourced by run.sh and test.sh.
#   FAIRREC_TORCH   pip requirement for torch (default torch==2.13.0). On Linux x86_64 the
#                   PyPI wheel of that release is a CUDA build, so GPU machines get CUDA;
#                   point it at a specific CUDA or CPU wheel index with extra pip arguments,
#                   e.g. FAIRREC_TORCH="torch==2.13.0 --index-url <your wheel index>".
#   FAIRREC_EXTRAS  pip extras to install (default: none; test.sh uses "dev").
# On CPython 3.11 / Linux x86-64 everything but torch comes from requirements.lock
# (exact versions, hashes checked; scripts/lock.sh regenerates it); elsewhere pip
# resolves the ranges in pyproject.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned: an unpinned torch would pull a multi-GB build on CPU-only machines.
# shellcheck disable=SC2086
.venv/bin/python -m pip install --quiet ${FAIRREC_TORCH:-torch==2.13.0}
extras=${FAIRREC_EXTRAS:-}
locked=$(.venv/bin/python -c 'import platform, sys; print(sys.version_info[:2] == (3, 11) and platform.system() == "Linux" and platform.machine() == "x86_64")')
if [ "$locked" = "True" ] && [ -f requirements.lock ]; then
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps -e ".${extras:+[$extras]}"
else
  .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
fi
