#!/usr/bin/env bash
# The main job, for now: lower hybrid-op examples (a Mamba-2 scan, a GQA causal
# attention, a Gated DeltaNet step, a causal conv with state, a routed MoE layer)
# through the reference pipeline to native code, run them on fresh random inputs
# and check them against the NumPy references written from the spec.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python test/reference/test_reference.py \
  --hybrid-opt build/bin/hybrid-opt -v \
  -k ssm_scan/everything -k ssm_scan/mamba1_init -k attention/gqa_causal -k linear_attention/gated_delta_gqa \
  -k causal_conv1d/silu_bias_init -k moe/softmax_swiglu -k moe_chain
