#!/usr/bin/env bash
# Configures and builds Hybrid.
#   scripts/build.sh              -> build/      (Release)
#   scripts/build.sh --sanitize   -> build-asan/ (ASan + UBSan over Hybrid's code, built
#                                    with clang-22 plus the libFuzzer target)
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on relative paths under the checkout, so a second clone (CI's
# clean clone next to a working tree) reuses what the first one compiled; the
# debug info's compile directory is not hashed either.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

dir=build
flags=(-DCMAKE_BUILD_TYPE=Release)
targets=(hybrid-opt hybrid-run hybrid_runtime hybrid_runtime_static hybrid-doc hybrid-python)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHYBRID_ENABLE_SANITIZERS=ON -DHYBRID_ENABLE_PYTHON=OFF)
  targets=(hybrid-opt hybrid-run hybrid_runtime hybrid_runtime_static hybrid-doc)
  # Clang builds the sanitizer configuration, so the libFuzzer target over the
  # importer can be built and run there too (scripts/setup.sh installs clang-22).
  if command -v clang++-22 >/dev/null; then
    flags+=(-DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 -DHYBRID_BUILD_FUZZERS=ON)
    targets+=(hybrid-import-fuzzer)
  fi
fi
cmake -G Ninja -S . -B "$dir" "${flags[@]}" \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  -DPython3_EXECUTABLE="$PWD/.venv/bin/python" >/dev/null
ninja -C "$dir" "${targets[@]}"
