#!/usr/bin/env bash
# Installs the Debian packages qcsim needs (when missing) and builds it (Release) in build/.
# Idempotent: a second run only rebuilds what changed. --packages-only stops after the packages
# (scripts/test.sh --sanitize builds elsewhere). --plots also installs the optional
# python3-matplotlib of scripts/plot_sweep.py (about 220 MB with numpy and scipy, so not by
# default; its smoke test is skipped without it).
set -euo pipefail
cd "$(dirname "$0")/.."

packages_only=0
plots=0
for a in "$@"; do
  case "$a" in
    --packages-only) packages_only=1 ;;
    --plots) plots=1 ;;
    *) echo "setup: unknown option $a (expected --packages-only, --plots)" >&2; exit 2 ;;
  esac
done

pkgs=(g++ cmake make pkg-config libsystemc-dev libboost-program-options-dev nlohmann-json3-dev
      catch2 libspdlog-dev libfmt-dev libmuparser-dev)
[ "$plots" = 1 ] && pkgs+=(python3-matplotlib)
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

if [ "$plots" = 0 ] &&
  ! dpkg-query -W -f='${Status}' python3-matplotlib 2>/dev/null | grep -q "install ok installed"; then
  echo "setup: python3-matplotlib (scripts/plot_sweep.py, optional, ~220 MB) is not installed;" \
    "scripts/setup.sh --plots installs it"
fi

[ "$packages_only" = 1 ] && exit 0

build_type=${QCSIM_BUILD_TYPE:-Release}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)"
