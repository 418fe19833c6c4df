#!/usr/bin/env bash
# Installs the Debian packages qcsim needs (when missing) and builds it (Release) in build/.
# Idempotent: a second run only rebuilds what changed. --packages-only stops after the packages
# (scripts/test.sh --sanitize builds elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(g++ cmake make pkg-config libsystemc-dev libboost-program-options-dev nlohmann-json3-dev
      libonnx-dev libprotobuf-dev libonnx-testdata
      catch2 libspdlog-dev libfmt-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" = "--packages-only" ] && exit 0

build_type=${QCSIM_BUILD_TYPE:-Release}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)"
