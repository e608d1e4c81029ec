#!/usr/bin/env bash
# Set up fairrec with its test tools and a real browser, lint fairrec_core (ruff, mypy),
# then run the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# System packages: Debian's Chromium for the browser tests, poppler-utils (pdftoppm) for
# rendering PDF reports. Playwright's own browser download does not work offline.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# A CJK font for Chinese PDF reports (fonts-wqy-microhei, 5 MB).
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

FAIRREC_EXTRAS=dev bash scripts/setup.sh
# Lints first (settings in pyproject.toml): an error stops the run before the tests.
echo "ruff check fairrec_core" >&2
.venv/bin/ruff check fairrec_core
echo "mypy fairrec_core" >&2
.venv/bin/mypy fairrec_core
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit $rc
