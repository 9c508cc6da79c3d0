#!/usr/bin/env python3
"""Compiles ONNX models with `hybrid-opt --target=cpu`, runs the libraries with
hybrid-run (the C runtime) and checks every output against onnxruntime (or onnx's reference evaluator where
onnxruntime lacks the op) on fresh random inputs.

    check_models.py --hybrid-opt build/bin/hybrid-opt [--only NAME] [-v]

The models come from onnx_cases.py (one small graph per converter family). The last
line is `N passed, M failed`; the exit status is non-zero when anything failed.
"""
import argparse
import os
import sys
import tempfile
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
sys.path.insert(0, HERE)

import onnx_cases  # noqa: E402
import runlib  # noqa: E402


def run_compiled(model_path, feeds, out_names, opt, workdir, extra_flags):
    """Compiles the model with `hybrid-opt --target=cpu` and runs it with hybrid-run
    on `feeds` ({input name: array}); returns the outputs named `out_names`."""
    so = runlib.compile_library(opt, model_path, os.path.join(workdir, "model.so"),
                                extra_flags, cwd=workdir)
    return runlib.run_library(runlib.tool_next_to(opt, "hybrid-run"), so, feeds, out_names,
                              workdir)


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
            ins = {i.name: feeds[i.name] for i in case.model.graph.input}
            got = run_compiled(path, ins, [o.name for o in case.model.graph.output],
                               args.hybrid_opt, wd, case.flags)
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
