#!/usr/bin/env bash
# Set up fairrec and open the dashboard with the bundled sample data loaded.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/fairrec app --sample "$@"
