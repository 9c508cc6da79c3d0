#!/usr/bin/env python3
"""Imports ONNX models with hybrid-opt, compiles them with the reference pipeline and
checks every output against onnxruntime (or onnx's reference evaluator where
onnxruntime lacks the op) on fresh random inputs.

    check_models.py --hybrid-opt build/bin/hybrid-opt [--only NAME] [-v]

The models come from onnx_cases.py (one small graph per converter family). The last
line is `N passed, M failed`; the exit status is non-zero when anything failed.
"""
import argparse
import ctypes
import os
import sys
import tempfile
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import onnx_cases  # noqa: E402

NP_TO_ETYPE = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
               np.dtype(np.float16): "f16", np.dtype(np.int64): "i64",
               np.dtype(np.int32): "i32", np.dtype(np.int8): "i8",
               np.dtype(np.bool_): "i1",
               # Unsigned results come back in the signless storage, viewed below.
               np.dtype(np.uint8): "i8"}


def run_compiled(model_path, inputs, out_meta, opt, workdir, extra_flags):
    """Imports + lowers the model, calls _mlir_ciface_main, returns the outputs."""
    return call_compiled(_compile(model_path, workdir, opt, extra_flags), inputs, out_meta)


def call_compiled(compiled, inputs, out_meta):
    """Calls _mlir_ciface_main of a library from _compile on `inputs`; `out_meta`
    lists each output's (element type, rank)."""
    so, nparams = compiled
    lib = ctypes.CDLL(so)
    fn = getattr(lib, "_mlir_ciface_main")
    fn.restype = None
    arrs = [np.ascontiguousarray(a) for a in inputs]
    descs = [harness.make_desc(a) for a in arrs]
    n = nparams["main"]
    if n != len(descs) + 1:
        raise RuntimeError(f"_mlir_ciface_main takes {n} parameters for {len(descs)} inputs")
    if len(out_meta) == 1:
        res = harness.desc_type(out_meta[0][1])()
        fn(ctypes.byref(res), *[ctypes.byref(d) for d in descs])
        rdescs = [res]
    else:
        class Res(ctypes.Structure):
            _fields_ = [(f"r{i}", harness.desc_type(rank)) for i, (_, rank) in enumerate(out_meta)]
        res = Res()
        fn(ctypes.byref(res), *[ctypes.byref(d) for d in descs])
        rdescs = [getattr(res, f"r{i}") for i in range(len(out_meta))]
    return [harness.read_desc(d, et) for d, (et, _) in zip(rdescs, out_meta)]


def _compile(model_path, workdir, opt, extra_flags):
    low = os.path.join(workdir, "model.lowered.mlir")
    harness._run_cmd([opt, model_path] + extra_flags +
                     ["--canonicalize", "--hybrid-reference-pipeline", "-o", low], workdir)
    with open(low) as f:
        text = f.read()
    return harness.compile_module(text, workdir, opt_cmd=[])


def run_checks(checks, verbose=False):
    """Runs each (name, check) pair: `check()` raises on a mismatch and may return
    a detail to print. Prints PASS (with -v or a detail) or FAIL lines and the
    `N passed, M failed` summary; returns the exit status."""
    passed = failed = 0
    for name, check in checks:
        try:
            detail = check()
            passed += 1
            if verbose or detail:
                print(f"PASS {name}" + (f": {detail}" if detail else ""))
        except Exception as e:  # noqa: BLE001 - report and continue
            failed += 1
            msg = str(e).strip().splitlines()
            print(f"FAIL {name}: " + ("\n    ".join(msg[:12]) if msg else repr(e)))
            if verbose:
                traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def reference_outputs(model, feeds, use_ort):
    if use_ort:
        import onnxruntime as ort
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        return sess.run(None, feeds)
    from onnx.reference import ReferenceEvaluator
    return ReferenceEvaluator(model).run(None, feeds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hybrid-opt", required=True)
    ap.add_argument("--only", default=None)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    args.hybrid_opt = os.path.abspath(args.hybrid_opt)
    rng = np.random.default_rng(1234)

    def check(case):
        import onnx
        with tempfile.TemporaryDirectory() as wd:
            path = os.path.join(wd, "model.onnx")
            onnx.save(case.model, path)
            feeds = case.make_inputs(rng)
            want = (case.reference(feeds) if case.reference
                    else reference_outputs(case.model, feeds, case.use_ort))
            ins = [feeds[i.name] for i in case.model.graph.input]
            meta = [(NP_TO_ETYPE[np.asarray(w).dtype], np.asarray(w).ndim) for w in want]
            got = run_compiled(path, ins, meta, args.hybrid_opt, wd, case.flags)
        for i, (g, w) in enumerate(zip(got, want)):
            w = np.asarray(w)
            if g.dtype != w.dtype and g.dtype.itemsize == w.dtype.itemsize:
                g = g.view(w.dtype)
            if g.shape != w.shape:
                raise AssertionError(f"output {i}: shape {g.shape}, expected {w.shape}")
            if w.dtype.kind == "f":
                tol = case.tol
                if not np.allclose(g.astype(np.float64), w.astype(np.float64),
                                   rtol=tol, atol=tol, equal_nan=True):
                    err = np.nanmax(np.abs(g.astype(np.float64) - w.astype(np.float64)))
                    raise AssertionError(f"output {i}: max abs error {err:.3g} > {tol}")
            elif not np.array_equal(g, w):
                raise AssertionError(f"output {i}: values differ")

    return run_checks(((c.name, lambda c=c: check(c)) for c in onnx_cases.all_cases()
                       if not args.only or args.only in c.name), args.v)

if __name__ == "__main__":
    sys.exit(main())
