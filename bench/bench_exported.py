#!/usr/bin/env python3
"""Hybrid against onnxruntime on ONNX files real exporters wrote, on the CPU.

    PYTHONPATH=build/python python3 bench/bench_exported.py [PATH ...] [--threads N]
        [--runs 30] [--warmup 5] [--batch 1] [--seq 8] [--vocab 128]

Each file (default: test/data/exported/*.onnx; directories are searched for
*.onnx, such as what scripts/export_torch_models.py writes) is compiled by
hybrid.compile (the default CPU pipeline, raising on) and loaded by
onnxruntime with bench_zoo's settings (ORT_ENABLE_ALL, intra-op threads = N,
sequential execution). Both get the same fresh random inputs: token ids below
--vocab for integer inputs, normal floats otherwise; a symbolic first dim is
--batch, any other symbolic dim --seq (exports from tracing often fix the
sequence length: their static dims are kept). The outputs are compared first
(max |difference| is printed), then each engine's median latency over --runs
calls after --warmup, and the ratio onnxruntime / Hybrid (above 1: Hybrid is
faster). A benchmark, not a test: it asserts nothing about speed.
"""
import argparse
import glob
import os
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import hybrid  # noqa: E402
from bench_zoo import cpu_name, ort_session, time_calls  # noqa: E402


def make_feeds(model, rng, batch, seq, vocab):
    feeds = {}
    for vi in model.graph.input:
        t = vi.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else (batch if i == 0 else seq)
                 for i, d in enumerate(t.shape.dim)]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(t.elem_type)
        if np.issubdtype(dtype, np.integer):
            feeds[vi.name] = rng.integers(0, vocab, size=shape).astype(dtype)
        else:
            feeds[vi.name] = rng.standard_normal(shape).astype(dtype)
    return feeds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*",
                    default=[os.path.join(HERE, "..", "test", "data", "exported")])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=8)
    ap.add_argument("--vocab", type=int, default=128)
    args = ap.parse_args()
    files = []
    for p in args.paths:
        files += sorted(glob.glob(os.path.join(p, "*.onnx"))) if os.path.isdir(p) else [p]
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs; {args.threads} threads; "
          f"median of {args.runs} runs after {args.warmup} warm-up")
    print(f"{'model':40s} {'hybrid ms':>10s} {'ort ms':>10s} {'ort/hyb':>8s} {'max|diff|':>10s}")
    ratios = []
    rng = np.random.default_rng(0)
    for path in files:
        model = onnx.load(path)
        feeds = make_feeds(model, rng, args.batch, args.seq, args.vocab)
        m = hybrid.compile(path, threads=args.threads)
        sess = ort_session(model, args.threads)
        got = m(**feeds)
        got = got if isinstance(got, (list, tuple)) else [got]
        want = sess.run(None, feeds)
        diff = max(float(np.max(np.abs(g - w))) if w.size else 0.0 for g, w in zip(got, want))
        th = time_calls(lambda: m(**feeds), args.warmup, args.runs) * 1e3
        to = time_calls(lambda: sess.run(None, feeds), args.warmup, args.runs) * 1e3
        ratios.append(to / th)
        name = os.path.relpath(path, os.path.dirname(os.path.dirname(os.path.abspath(path))))
        print(f"{name:40s} {th:10.3f} {to:10.3f} {to / th:7.2f}x {diff:10.1e}")
    if ratios:
        print(f"geometric mean ort/hybrid: {float(np.exp(np.mean(np.log(ratios)))):.2f}x "
              f"over {len(ratios)} models")


if __name__ == "__main__":
    main()
