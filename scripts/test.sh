#!/usr/bin/env bash
# README's second command (and CI's): set up, build, and run every test.
#   1. the Release build and its whole lit suite (check-hybrid), the Python
#      API's pytest suite included;
#   1b. `pip install .` into a fresh virtual environment and two short scripts
#      run from outside the repository (scripts/test_pip_install.sh);
#   2. a build with AddressSanitizer + UndefinedBehaviorSanitizer over Hybrid's
#      own code, and the whole lit suite again under it (the parser, the
#      verifiers, tiling, bufferization and the reference lowering).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ninja -C build check-hybrid
# The Python API as a user installs it: `pip install .` into a fresh venv.
if [ "${HYBRID_SKIP_PIP_INSTALL:-0}" != 1 ]; then
  bash scripts/test_pip_install.sh
fi
if [ "${HYBRID_SKIP_SANITIZERS:-0}" != 1 ]; then
  bash scripts/build.sh --sanitize
  ninja -C build-asan check-hybrid
fi
