#!/usr/bin/env bash
# Configures and builds Hybrid.
#   scripts/build.sh              -> build/      (Release)
#   scripts/build.sh --sanitize   -> build-asan/ (ASan + UBSan over Hybrid's code)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
flags=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHYBRID_ENABLE_SANITIZERS=ON)
fi
cmake -G Ninja -S . -B "$dir" "${flags[@]}" \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  -DPython3_EXECUTABLE="$PWD/.venv/bin/python" >/dev/null
ninja -C "$dir" hybrid-opt hybrid-doc
