#!/usr/bin/env bash
# The main job, for now:
#  1. generate the Jamba-style language model of the zoo (Mamba-1, attention, MLP
#     and MoE layers) in its fused and decomposed forms, prefill and one-token
#     decode; import each with hybrid-opt, compile it through the reference
#     pipeline to native code, run it on fresh random inputs and check every
#     output (logits and present_* state) against onnxruntime;
#  2. lower hybrid-op examples (a Mamba-2 scan, a GQA causal attention, a Gated
#     DeltaNet step, a causal conv with state, a routed MoE layer) the same way and
#     check them against the NumPy references written from the spec.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/zoo
PYTHONPATH=python .venv/bin/python -m hybrid.zoo --out build/zoo --only jamba
.venv/bin/python test/onnx/check_zoo.py --hybrid-opt build/bin/hybrid-opt --only jamba -v
.venv/bin/python test/reference/test_reference.py \
  --hybrid-opt build/bin/hybrid-opt -v \
  -k ssm_scan/everything -k ssm_scan/mamba1_init -k attention/gqa_causal -k linear_attention/gated_delta_gqa \
  -k causal_conv1d/silu_bias_init -k moe/softmax_swiglu -k moe_chain
