#!/usr/bin/env bash
# Builds qcsim if needed (installing its packages on a fresh machine) and runs every test, then
# the CI regression on cycle counts (README "Regression goldens"): `qcsim check` reruns every
# (chip, workload) pair of tests/golden and fails when a number moved. ctest runs the same check
# as a test; running it here again prints its table in the CI log and leaves build/check.json
# and build/check.md (a Markdown table a CI job can post).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build -j"$(nproc)" --output-on-failure "$@"
build/qcsim check --golden tests/golden --json build/check.json --markdown build/check.md
