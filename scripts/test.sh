#!/usr/bin/env bash
# Builds qcsim if needed (installing its packages on a fresh machine) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build -j"$(nproc)" --output-on-failure "$@"
