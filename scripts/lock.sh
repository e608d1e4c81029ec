#!/usr/bin/env bash
# Regenerate requirements.lock: every package the two README commands install (the
# project, its dev extras and their dependencies), pinned with hashes, for CPython 3.11
# on Linux x86-64. torch itself is left out (scripts/setup.sh installs the build the
# machine needs first, CPU or CUDA); its dependencies are resolved from the CPU build,
# so no CUDA libraries enter the lock. Needs uv (pip install uv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "torch==2.13.0+cpu" > "$tmp/torch.txt"
uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
  --python-platform x86_64-manylinux_2_28 --find-links /opt/wheels -c "$tmp/torch.txt" \
  --no-emit-package torch --no-header -o requirements.lock
