#!/usr/bin/env python3
"""Self-test of harness.py with upstream mlir-opt and linalg ops (no hybrid dialect).

Checks descriptor marshalling (static and dynamic dims, ranks 1..4), every element
type (f32, f16, bf16, f64, i1, i32, i64), multi-result functions, both ciface
conventions (results kept / results dropped), compile-failure isolation and crash
isolation.

    python3 selftest_upstream.py [--llvm-bin DIR]
"""
import argparse
import os
import sys
import tempfile
import ctypes

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

PIPELINE = [
    "--one-shot-bufferize=bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map",
    "--drop-equivalent-buffer-results",
    "--convert-linalg-to-loops",
    "--convert-scf-to-cf",
    "--expand-strided-metadata",
    "--lower-affine",
    "--arith-emulate-unsupported-floats=source-types=bf16 target-type=f32",
    "--arith-expand=include-bf16=true include-f8e8m0=false",
    "--convert-math-to-llvm",
    "--finalize-memref-to-llvm",
    "--convert-to-llvm",
    "--reconcile-unrealized-casts",
]


def upstream_opt(llvm_bin):
    return [os.path.join(llvm_bin, "mlir-opt")] + PIPELINE


def binop(opname):
    def op(ins, outs):
        return (f"linalg.{opname} ins({H.group(ins)}) outs({H.group(outs)}) "
                f"-> {outs[0].type}")
    return op


def select_op(ins, outs):
    # out = mask ? a : b   (i1 marshalling)
    m, a, b = ins
    rank = len(outs[0].type.split("x")) - 1
    idx = ", ".join(f"d{i}" for i in range(rank))
    amap = f"affine_map<({idx}) -> ({idx})>"
    it = ", ".join(['"parallel"'] * rank)
    et = outs[0].type.rsplit("x", 1)[1][:-1]
    return (f"linalg.generic {{indexing_maps = [{amap}, {amap}, {amap}, {amap}], "
            f"iterator_types = [{it}]}} ins({H.group(ins)}) outs({H.group(outs)}) {{\n"
            f"  ^bb0(%m: i1, %x: {et}, %y: {et}, %o: {et}):\n"
            f"    %s = arith.select %m, %x, %y : {et}\n"
            f"    linalg.yield %s : {et}\n"
            f"  }} -> {outs[0].type}")


def two_results(ins, outs):
    # (sum, product) of two f32 tensors of rank 2, second result f64 (extf)
    a, b = ins
    amap = "affine_map<(d0, d1) -> (d0, d1)>"
    return (f"linalg.generic {{indexing_maps = [{amap}, {amap}, {amap}, {amap}], "
            f"iterator_types = [\"parallel\", \"parallel\"]}} ins({H.group(ins)}) "
            f"outs({H.group(outs)}) {{\n"
            f"  ^bb0(%x: f32, %y: f32, %q1: f32, %q2: f64):\n"
            f"    %s = arith.addf %x, %y : f32\n"
            f"    %p = arith.mulf %x, %y : f32\n"
            f"    %pd = arith.extf %p : f32 to f64\n"
            f"    linalg.yield %s, %pd : f32, f64\n"
            f"  }} -> ({outs[0].type}, {outs[1].type})")


def bf16_math(ins, outs):
    # out = bf16(exp(f32(x)))   (bf16 ext/trunc + math through f32)
    rank = len(outs[0].type.split("x")) - 1
    idx = ", ".join(f"d{i}" for i in range(rank))
    amap = f"affine_map<({idx}) -> ({idx})>"
    it = ", ".join(['"parallel"'] * rank)
    return (f"linalg.generic {{indexing_maps = [{amap}, {amap}], "
            f"iterator_types = [{it}]}} ins({H.group(ins)}) outs({H.group(outs)}) {{\n"
            f"  ^bb0(%x: bf16, %o: bf16):\n"
            f"    %e = arith.extf %x : bf16 to f32\n"
            f"    %y = math.exp %e : f32\n"
            f"    %t = arith.truncf %y : f32 to bf16\n"
            f"    linalg.yield %t : bf16\n"
            f"  }} -> {outs[0].type}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--llvm-bin", default=H.DEFAULT_LLVM_BIN)
    ap.add_argument("--no-fork", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    cases = []  # (Func, [reference storage arrays or float64], etypes, tol)

    def add(label, etype_in, ins_f64, out_shapes, op, ref_fn, dyn=(), out_etypes=None,
            tol=0.0, in_etypes=None):
        in_etypes = in_etypes or [etype_in] * len(ins_f64)
        out_etypes = out_etypes or [etype_in] * len(out_shapes)
        ins = [H.Tensor(et, data=H.to_storage(a, et), dyn=dyn) for a, et in
               zip(ins_f64, in_etypes)]
        outs = [H.Tensor(et, shape=s, dyn=dyn) for s, et in zip(out_shapes, out_etypes)]
        ref = ref_fn(*[H.to_f64(t.data, t.etype) for t in ins])
        cases.append((H.Func(label, ins, outs, op), ref, out_etypes, tol))

    for et, tol in (("f32", 1e-6), ("f16", 1e-3), ("bf16", 1e-2), ("f64", 1e-14)):
        a, b = rng.standard_normal((2, 3, 5))
        add(f"add_{et}", et, [a, b], [(3, 5)], binop("add"), lambda x, y: [x + y], tol=tol)
        a, b = rng.standard_normal((2, 2, 3, 4, 5))
        add(f"add_dyn_{et}", et, [a, b], [(2, 3, 4, 5)], binop("add"),
            lambda x, y: [x + y], dyn=(0, 2), tol=tol)
    for et in ("i32", "i64"):
        a, b = rng.integers(-1000, 1000, (2, 7))
        add(f"add_{et}", et, [a, b], [(7,)], binop("add"), lambda x, y: [x + y], dyn=(0,))
    a = rng.standard_normal((5, 7))
    b = rng.standard_normal((7, 3))
    add("matmul_dyn_f32", "f32", [a, b], [(5, 3)],
        binop("matmul"), lambda x, y: [x @ y], dyn=(0, 1), tol=1e-5)
    # matmul accumulates into outs: zero-filled outputs
    cases[-1][0].fill = "zero"
    a = rng.standard_normal((5, 7))
    b = rng.standard_normal((7, 3))
    add("matmul_f64", "f64", [a, b], [(5, 3)], binop("matmul"), lambda x, y: [x @ y],
        tol=1e-13)
    cases[-1][0].fill = "zero"
    m = rng.random((2, 3, 4)) < 0.5
    x, y = rng.standard_normal((2, 2, 3, 4))
    for et, tol in (("f32", 0), ("f16", 1e-3), ("bf16", 1e-2)):
        add(f"select_i1_{et}", et, [m, x, y], [(2, 3, 4)], select_op,
            lambda mm, xx, yy: [np.where(mm != 0, xx, yy)],
            in_etypes=["i1", et, et], dyn=(1,), tol=tol)
    a, b = rng.standard_normal((2, 4, 6))
    add("two_results_dyn", "f32", [a, b], [(4, 6), (4, 6)], two_results,
        lambda x, y: [x + y, x * y], out_etypes=["f32", "f64"], dyn=(0, 1), tol=1e-6)
    a = rng.standard_normal((3, 8))
    add("bf16_exp", "bf16", [a], [(3, 8)], bf16_math, lambda x: [np.exp(x)], tol=1e-2)

    # result written into the first *input* buffer: exercises reading the returned
    # descriptor (results-kept convention) instead of the output buffer
    a, b = rng.standard_normal((2, 3, 4))
    add("result_elsewhere_dyn", "f32", [a, b], [(3, 4)],
        lambda ins, outs: (f"linalg.add ins({H.group(ins)}) outs({H.group(ins[:1])}) "
                           f"-> {ins[0].type}"),
        lambda x, y: [x + y], dyn=(1,), tol=1e-6)
    funcs = [c[0] for c in cases]
    results = H.run_funcs(funcs, upstream_opt(args.llvm_bin), args.llvm_bin,
                          fork=not args.no_fork)
    npass = nfail = 0
    for (func, ref, etypes, tol), res in zip(cases, results):
        ok = res.error is None
        msg = res.error or ""
        if ok:
            for got, r, et in zip(res.outputs, ref, etypes):
                g = H.to_f64(got, et) if et in H.FLOAT_TYPES else got.astype(np.float64)
                if g.shape != r.shape or not np.all(np.abs(g - r) <= tol * (1 + np.abs(r))):
                    ok = False
                    msg = f"mismatch ({et}): max err {np.max(np.abs(g - r)):.3g}"
        print(f"{'PASS' if ok else 'FAIL'}: {func.label} {msg}")
        npass += ok
        nfail += not ok

    # --- results-dropped convention: a memref-level module with void functions
    with tempfile.TemporaryDirectory() as d:
        text = """
        func.func @case_0(%a: memref<?x3xf32>, %o: memref<?x3xf32>) attributes {llvm.emit_c_interface} {
          linalg.add ins(%a, %a : memref<?x3xf32>, memref<?x3xf32>) outs(%o : memref<?x3xf32>)
          return
        }"""
        so, nparams = H.compile_module(text, d, upstream_opt(args.llvm_bin), args.llvm_bin)
        lib = ctypes.CDLL(so)
        a = rng.standard_normal((4, 3)).astype(np.float32)
        got = H.call_function(lib, "case_0", nparams["case_0"],
                              [H.Tensor("f32", data=a)], [H.Tensor("f32", shape=(4, 3))])
        ok = nparams["case_0"] == 2 and np.array_equal(got[0], a + a)
        print(f"{'PASS' if ok else 'FAIL'}: void_convention (nparams={nparams['case_0']})")
        npass += ok
        nfail += not ok

    # --- isolation: one case that does not compile, one that crashes
    bad = H.Func("bad", [H.Tensor("f32", data=np.ones((2,), np.float32))],
                 [H.Tensor("f32", shape=(2,))], lambda i, o: "linalg.bogus_op")
    good = cases[0][0]
    res = H.run_funcs([good, bad], upstream_opt(args.llvm_bin), args.llvm_bin,
                      log=lambda *a: None)
    ok = res[0].error is None and res[1].error is not None and "compile" in res[1].error
    print(f"{'PASS' if ok else 'FAIL'}: compile_isolation")
    npass += ok
    nfail += not ok

    def crash_op(ins, outs):  # reads far out of bounds through a dynamic index
        return (f"linalg.add ins({H.group(ins)}) outs({H.group(outs)}) -> {outs[0].type}")
    # sizes lie about the buffer: descriptor says 1<<40 rows -> segfault
    huge = H.Func("crash", [H.Tensor("f32", data=np.ones((2, 1), np.float32), dyn=(0,)),
                            H.Tensor("f32", data=np.ones((2, 1), np.float32), dyn=(0,))],
                  [H.Tensor("f32", shape=(2, 1), dyn=(0,))], crash_op)
    orig = H.make_desc

    def lying_desc(arr):
        dsc = orig(arr)
        if arr.ndim == 2:
            dsc.sizes[0] = 1 << 40
        return dsc
    H.make_desc = lying_desc
    try:
        res = H.run_funcs([huge, good], upstream_opt(args.llvm_bin), args.llvm_bin,
                          timeout_s=20)
    finally:
        H.make_desc = orig
    ok = res[0].error is not None and ("crash" in res[0].error or "timed out" in res[0].error)
    print(f"{'PASS' if ok else 'FAIL'}: crash_isolation ({res[0].error})")
    npass += ok
    nfail += not ok

    print(f"{npass} passed, {nfail} failed")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
