#!/usr/bin/env bash
# The main job:
#  1. generate the Jamba-style language model of the zoo (Mamba-1, attention, MLP
#     and MoE layers), compile its prefill form to a shared library with its C
#     header (hybrid-opt --target=cpu), show its signature and run it through the
#     C runtime (hybrid-run) on random tokens, writing the outputs as .npy; time
#     it on one thread and on all, with its peak memory and a kernel trace;
#  2. greedy decoding: the prefill and decode libraries, 8 tokens, carrying the KV
#     cache, conv and SSM states between calls, every call checked against
#     onnxruntime (test/onnx/decode_loop.py);
#     then the same decoding from Python (hybrid.compile, hybrid.Decoder), which
#     must give the same tokens;
#  3. every Jamba form (fused and decomposed, prefill and decode) compiled, run and
#     checked against onnxruntime at two sizes (test/onnx/check_zoo.py);
#  4. hybrid-op examples (a Mamba-2 scan, a GQA causal attention, a Gated DeltaNet
#     step, a causal conv with state, a routed MoE layer) checked against the NumPy
#     references written from the spec.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"
PYTHONPATH=python .venv/bin/python -m hybrid.zoo --out "$out" --only jamba
build/bin/hybrid-opt "$out/jamba-fused-prefill.onnx" --target=cpu --progress -o "$out/jamba.so"
echo "== $out/jamba.so (header: $out/jamba.h)"
build/bin/hybrid-run "$out/jamba.so" --signature
build/bin/hybrid-run "$out/jamba.so" --random --dim batch=1 --dim seq=16 --int-range 0:256 \
  --output-dir "$out/outputs"
build/bin/hybrid-run "$out/jamba.so" --random --dim batch=1 --dim seq=16 --int-range 0:256 \
  --benchmark 10 --threads 1
build/bin/hybrid-run "$out/jamba.so" --random --dim batch=1 --dim seq=16 --int-range 0:256 \
  --benchmark 10 --memory --profile "$out/jamba-trace.json"
echo "== kernel trace: $out/jamba-trace.json (open in ui.perfetto.dev)"
echo "== greedy decoding with the compiled prefill and decode libraries"
.venv/bin/python test/onnx/decode_loop.py --hybrid-opt build/bin/hybrid-opt --workdir "$out/decode" --steps 8
echo "== the same from Python (hybrid.compile, hybrid.Decoder): the same 8 tokens"
PYTHONPATH=build/python .venv/bin/python - "$out" <<'PY'
import sys, numpy as np, hybrid
out = sys.argv[1]
prefill = hybrid.compile(f"{out}/decode/jamba-fused-prefill.onnx")
decode = hybrid.compile(f"{out}/decode/jamba-fused-decode.onnx")
print(prefill)
tokens = hybrid.Decoder(decode, prefill=prefill).generate(np.array([[1, 17, 42, 99, 7]]), steps=8)
line = "tokens: " + " ".join(str(t) for t in tokens[0])
print(line)
with open(f"{out}/decode/tokens.txt") as f:
    want = f.read().strip()
if line != want:
    sys.exit(f"Python decoding gave '{line}', the C runtime '{want}'")
print("Python and the C runtime agree")
PY
echo "== every Jamba form against onnxruntime"
.venv/bin/python test/onnx/check_zoo.py --hybrid-opt build/bin/hybrid-opt --only jamba -v
echo "== hybrid ops against their NumPy references"
.venv/bin/python test/reference/test_reference.py \
  --hybrid-opt build/bin/hybrid-opt -v \
  -k ssm_scan/everything -k ssm_scan/mamba1_init -k attention/gqa_causal -k linear_attention/gated_delta_gqa \
  -k causal_conv1d/silu_bias_init -k moe/softmax_swiglu -k moe_chain
