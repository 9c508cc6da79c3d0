#!/usr/bin/env python3
"""Imports, compiles and runs ONNX files that exporters wrote, against onnxruntime.

    check_exported.py --hybrid-opt build/bin/hybrid-opt DIR_OR_FILE... [--vocab 128] [-v]

For files such as scripts/export_torch_models.py writes (torch.onnx output of tiny
Hugging Face models): each is imported by hybrid-opt, compiled with the reference
pipeline and run on fresh random inputs (token ids below --vocab for integer
inputs, floats in [-1, 1) otherwise; symbolic dims sized by --dim NAME=N, default
2), and every output is compared with onnxruntime within 1e-4 of the output's
largest magnitude. The last line is `N passed, M failed`.
"""
import argparse
import glob
import os
import sys
import tempfile

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from check_models import run_checks, run_compiled  # noqa: E402
from check_zoo import assert_close, ort_run  # noqa: E402


def make_inputs(model, rng, vocab, dims):
    feeds = {}
    for vi in model.graph.input:
        t = vi.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else dims.get(d.dim_param, 2) for d in t.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(t.elem_type)
        if np.issubdtype(dtype, np.integer):
            feeds[vi.name] = rng.integers(0, vocab, size=shape).astype(dtype)
        else:
            feeds[vi.name] = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
    return feeds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hybrid-opt", required=True)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--vocab", type=int, default=128)
    ap.add_argument("--dim", action="append", default=[], help="NAME=N for a symbolic dim")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    opt = os.path.abspath(args.hybrid_opt)
    dims = {k: int(v) for k, v in (d.split("=", 1) for d in args.dim)}
    files = []
    for p in args.paths:
        files += sorted(glob.glob(os.path.join(p, "*.onnx"))) if os.path.isdir(p) else [p]
    rng = np.random.default_rng(99)

    def check(path):
        model = onnx.load(path)
        feeds = make_inputs(model, rng, args.vocab, dims)
        want = ort_run(model, feeds)
        with tempfile.TemporaryDirectory() as wd:
            got = run_compiled(os.path.abspath(path), {i.name: feeds[i.name] for i in model.graph.input},
                               [o.name for o in model.graph.output], opt, wd, [])
        assert_close(got, want, [o.name for o in model.graph.output], "")
        return f"{len(model.graph.node)} nodes, outputs " + ", ".join(
            f"{o.name}{list(np.asarray(w).shape)}" for o, w in zip(model.graph.output, want))

    return run_checks(((os.path.basename(p), lambda p=p: check(p)) for p in files), args.v)

if __name__ == "__main__":
    sys.exit(main())
