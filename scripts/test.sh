#!/usr/bin/env bash
# Builds qcsim if needed (installing its packages on a fresh machine) and runs every test, then
# the CI regression on cycle counts (README "Regression goldens"): `qcsim check` reruns every
# (chip, workload) pair of tests/golden and fails when a number moved. ctest runs the same check
# as a test; running it here again prints its table in the CI log and leaves build/check.json
# and build/check.md (a Markdown table a CI job can post).
#
#   scripts/test.sh [CTEST ARGS...]
#   scripts/test.sh --sanitize [CTEST ARGS...]
#
# --sanitize builds with AddressSanitizer and UndefinedBehaviorSanitizer
# (-fsanitize=address,undefined, -O1 -g) into build-asan/ and runs the same tests and check
# there; any error a sanitizer reports fails the run (README "Working on qcsim").
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--sanitize" ]; then
  shift
  scripts/setup.sh --packages-only
  flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
  cmake --build build-asan -j"$(nproc)"
  # SystemC runs every process on a coroutine stack of its own and does not tell ASan when it
  # switches: use-after-return detection (fake stacks) is off, and scripts/asan.supp suppresses
  # the one false report the switches cause. Leaks are checked (none to suppress).
  export ASAN_OPTIONS="detect_stack_use_after_return=0:halt_on_error=1:detect_leaks=1:suppressions=$PWD/scripts/asan.supp"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  ctest --test-dir build-asan -j"$(nproc)" --output-on-failure "$@"
  build-asan/qcsim check --golden tests/golden --json build-asan/check.json \
    --markdown build-asan/check.md
  exit 0
fi

scripts/setup.sh
ctest --test-dir build -j"$(nproc)" --output-on-failure "$@"
build/qcsim check --golden tests/golden --json build/check.json --markdown build/check.md
