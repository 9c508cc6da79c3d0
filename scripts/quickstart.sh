#!/usr/bin/env bash
# README's first command: set up a fresh Debian 12 machine, build, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/demo.sh
