#!/usr/bin/env python3
"""Single-op kernels through Hybrid and onnxruntime: GFLOP/s against the FMA peak.

Each case is a one-node ONNX model (a MatMul with its weights as an initializer,
as in a linear layer, a Conv, or an Attention over [B, H, S, D] inputs), compiled by `hybrid.compile` (the default CPU
pipeline) and loaded by onnxruntime (ORT_ENABLE_ALL, the same intra-op thread
count, sequential execution). Both get the same fresh random inputs; the table
shows the median of --runs calls after --warmup, each engine's GFLOP/s, its
share of the FMA peak that bench/peak.c measures in the same run, and
`ort/hyb`, the latency ratio (above 1, Hybrid is faster). Issue 6's goal for
matmuls is 60% of the measured peak; no test asserts a speed.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import hybrid  # noqa: E402  (build/python or an installed package)
from bench_zoo import cpu_name, machine_peak, ort_session, time_calls  # noqa: E402

# (name, kind, shapes): matmul (M, K, N): activations [M, K] x weights [K, N];
# conv (N, C, H, W, M, kernel, stride, group).
CASES = [
    ("matmul 64x64x64", "matmul", (64, 64, 64)),
    ("matmul 64x256x1024", "matmul", (64, 256, 1024)),
    ("matmul 256x256x256", "matmul", (256, 256, 256)),
    ("matmul 512x512x512", "matmul", (512, 512, 512)),
    ("matmul 128x1024x1024", "matmul", (128, 1024, 1024)),
    ("matvec 1x1024x1024", "matmul", (1, 1024, 1024)),
    ("conv 3x3 64->64 28x28", "conv", (1, 64, 30, 30, 64, 3, 1, 1)),
    ("conv dw 7x7 128 14x14", "conv", (1, 128, 20, 20, 128, 7, 1, 128)),
    ("conv 4x4/4 3->64 64x64", "conv", (1, 3, 64, 64, 64, 4, 4, 1)),
    ("attn causal 8h 512x64", "attention", (1, 8, 8, 512, 64, 1)),
    ("attn gqa 8/2h 256x128", "attention", (1, 8, 2, 256, 128, 0)),
    ("attn causal 4h 2048x64", "attention", (1, 4, 4, 2048, 64, 1)),
]


def build(kind, shape, rng):
    """Returns (model, feeds, flops)."""
    if kind == "matmul":
        m, k, n = shape
        w = rng.standard_normal((k, n)).astype(np.float32)
        node = helper.make_node("MatMul", ["x", "w"], ["y"])
        graph = helper.make_graph([node], "mm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
                                  initializer=[numpy_helper.from_array(w, "w")])
        feeds = {"x": rng.standard_normal((m, k)).astype(np.float32)}
        flops = 2.0 * m * k * n
    elif kind == "attention":
        # ONNX Attention (opset 23) on [B, H, S, D] inputs.
        b, h, hkv, sl, d, causal = shape
        names = {"q": h, "k": hkv, "v": hkv}
        node = helper.make_node("Attention", ["q", "k", "v"], ["y"], is_causal=causal)
        graph = helper.make_graph(
            [node], "attn",
            [helper.make_tensor_value_info(x, TensorProto.FLOAT, [b, nh, sl, d])
             for x, nh in names.items()],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [b, h, sl, d])])
        feeds = {x: rng.standard_normal((b, nh, sl, d)).astype(np.float32)
                 for x, nh in names.items()}
        # q.k^T and p.v; a causal mask halves both (the diagonal aside).
        flops = 4.0 * b * h * sl * sl * d * (0.5 if causal else 1.0)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)]), feeds, flops
    else:
        n, c, h, wd, m, ks, stride, group = shape
        w = rng.standard_normal((m, c // group, ks, ks)).astype(np.float32)
        node = helper.make_node("Conv", ["x", "w"], ["y"], group=group, strides=[stride, stride])
        graph = helper.make_graph([node], "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, c, h, wd])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                                  initializer=[numpy_helper.from_array(w, "w")])
        feeds = {"x": rng.standard_normal((n, c, h, wd)).astype(np.float32)}
        oh, ow = (h - ks) // stride + 1, (wd - ks) // stride + 1
        flops = 2.0 * n * m * oh * ow * (c // group) * ks * ks
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]), feeds, flops


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--only", help="substring of the case names to run")
    ap.add_argument("--json", help="also write the table here")
    args = ap.parse_args()

    peak = machine_peak(args.threads)
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs; {args.threads} threads; measured "
          f"{peak['fma_gflops']:.1f} GFLOP/s FMA peak ({peak['isa']})")
    print(f"{'case':<26} {'hybrid ms':>10} {'ort ms':>9} {'ort/hyb':>8} "
          f"{'hyb GFLOP/s':>12} {'%peak':>6} {'ort GFLOP/s':>12} {'%peak':>6}")
    print("-" * 96)
    rng = np.random.default_rng()
    rows = []
    for name, kind, shape in CASES:
        if args.only and args.only not in name:
            continue
        model, feeds, flops = build(kind, shape, rng)
        # Hybrid is timed before onnxruntime runs at all in this round: ORT's
        # intra-op threads spin for a while after each run, which would take
        # the cores from whatever is timed next.
        m = hybrid.compile(model, threads=args.threads)
        got = m(**feeds)
        hyb = time_calls(lambda: m(**feeds), args.warmup, args.runs)
        sess = ort_session(model, args.threads)
        want = sess.run(None, feeds)[0]
        # The timing is only worth reading if both compute the same thing.
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3 * float(np.abs(want).max()))
        ort = time_calls(lambda: sess.run(None, feeds), args.warmup, args.runs)
        del sess
        hg, og = flops / hyb / 1e9, flops / ort / 1e9
        row = {"case": name, "hybrid_ms": hyb * 1e3, "ort_ms": ort * 1e3, "ratio": ort / hyb,
               "hybrid_gflops": hg, "hybrid_pct_peak": 100 * hg / peak["fma_gflops"],
               "ort_gflops": og, "ort_pct_peak": 100 * og / peak["fma_gflops"]}
        rows.append(row)
        print(f"{name:<26} {row['hybrid_ms']:10.3f} {row['ort_ms']:9.3f} {row['ratio']:7.2f}x "
              f"{hg:12.1f} {row['hybrid_pct_peak']:5.1f}% {og:12.1f} {row['ort_pct_peak']:5.1f}%")
    if rows:
        geo = float(np.exp(np.mean([np.log(r["ratio"]) for r in rows])))
        print(f"geometric mean ort/hybrid: {geo:.2f}x over {len(rows)} cases")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": cpu_name(), "threads": args.threads, "peak": peak, "rows": rows},
                      f, indent=1)


if __name__ == "__main__":
    main()
