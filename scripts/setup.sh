#!/usr/bin/env bash
# Installs the Debian 12 packages convlstm needs (idempotent, quiet; as root) and builds it in build/.
# Usage: scripts/setup.sh [--deps-only] [--test]
#   --deps-only  install, do not build
#   --test       also the test suite's tools: clang and its fuzzing runtime (scripts/fuzz.sh, the fuzz replay),
#                and what reads the georeferenced forecasts back (GDAL's tools, python3-xarray, -netcdf4, -rasterio)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers
  libhdf5-dev
  libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev catch2
  libpng-dev libgif-dev
  libnetcdf-dev zlib1g-dev libgdal-dev libfftw3-dev
  libopenmpi-dev openmpi-bin
  libopencv-video-dev
  python3-matplotlib
)
deps_only=0
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=1 ;;
    --test) packages+=(clang-14 libclang-rt-14-dev python3-xarray python3-netcdf4 python3-rasterio gdal-bin) ;;
    *) echo "setup.sh: unknown option $arg (expected --deps-only or --test)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: missing packages (${missing[*]}); run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$deps_only" = 1 ] && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" >/dev/null
cmake --build build -j"${JOBS:-2}"
