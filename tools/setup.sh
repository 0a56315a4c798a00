#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test gnnrec, and
# only that: each package is checked first and apt-get runs only for the
# missing ones. Called by tools/run_main.sh and tools/run_tests.sh; other
# scripts name their extra packages as arguments (tools/fuzz.sh: clang).
#   tools/setup.sh [EXTRA_PACKAGE...]
#
# Not installed here: the CUDA toolkit (nvcc). Without it gnnrec builds its
# CPU backend only (GNNREC_CUDA=AUTO).
set -euo pipefail

packages=(
  cmake g++ ninja-build ccache      # build
  libgtest-dev libgmock-dev         # tests
  libbenchmark-dev                  # bench/
  libcli11-dev                      # command lines
  libsimdjson-dev                   # Spotify MPD JSON slices
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if ! command -v apt-get >/dev/null; then
  echo "setup: error: apt-get not found; install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    sudo="sudo"
  else
    echo "setup: error: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
