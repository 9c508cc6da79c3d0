#!/usr/bin/env bash
# README's second command (and CI's): set up, build, and run every test.
#   1. the Release build and its whole lit suite (check-hybrid);
#   2. a build with AddressSanitizer + UndefinedBehaviorSanitizer over Hybrid's
#      own code, and the whole lit suite again under it (the parser, the
#      verifiers, tiling, bufferization and the reference lowering).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ninja -C build check-hybrid
if [ "${HYBRID_SKIP_SANITIZERS:-0}" != 1 ]; then
  bash scripts/build.sh --sanitize
  ninja -C build-asan check-hybrid
fi
