#!/usr/bin/env bash
# Installs everything Hybrid needs on Debian 12, idempotently:
#   - Debian packages: LLVM/MLIR 22, the build tools, protobuf (the ONNX importer
#     compiles ONNX's schema with protoc), clang-22 with libFuzzer (the sanitizer
#     build and the importer's fuzz target), Python's venv, Graphviz's library
#     (the compile report draws the graph with it, loaded at run time);
#   - a Python virtual environment in .venv with numpy, onnx, onnxruntime, lit,
#     pytest and pybind11 (the Python API's build and tests)
#     (Debian's system Python refuses pip installs, PEP 668).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  cmake ninja-build ccache g++ git python3 python3-venv python3-pip python3-dev
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  libprotobuf-dev protobuf-compiler
  clang-22 libclang-rt-22-dev
  libgvc6
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's python3, not whatever a version manager put first on PATH: the venv
# must work for CMake, lit and the scripts alike.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import numpy, onnx, onnxruntime, lit, pytest, pybind11" 2>/dev/null; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
fi
# ONNX 1.22.0's node tests for the conformance run (12 MB from PyPI, checked
# against its SHA-256, unpacked once into ${HYBRID_CACHE:-~/.cache/hybrid}).
.venv/bin/python test/onnx/conformance.py --fetch-only >/dev/null
echo "setup: done (LLVM $(/usr/lib/llvm-22/bin/llvm-config --version), $(.venv/bin/python --version))"
