#!/usr/bin/env bash
# Set up fairrec and open the dashboard with the bundled sample data loaded.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# The dashboard listens on 127.0.0.1 only (uploads are customer data); pass
# --host ADDRESS to open it to a network, --port N to move it. Ctrl-C stops it.
exec .venv/bin/fairrec app --sample "$@"
