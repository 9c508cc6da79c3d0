#!/usr/bin/env python3
"""Imports, compiles and runs every zoo model (python/hybrid/zoo), checking it.

    check_zoo.py --hybrid-opt build/bin/hybrid-opt [--only SUBSTRING] [--seed N] [-v]

For each model (both forms, prefill and decode):
  1. hybrid-opt imports it; a fused form must turn into the hybrid ops its layers
     are made of (hybrid.ssm_scan, hybrid.linear_attention, hybrid.attention, ...);
     a decomposed form must hold no hybrid op with --raise=false (and, for a
     prefill with a recurrence, its loop: a Scan as scf.for, Mamba-2's Loop as
     scf.while), and by default its attention, RMSNorms, rotary embeddings, MoE,
     recurrences and Mamba-2's chunked scan raised into the hybrid ops
     (RAISED_OPS and RAISED_PREFILL below);
  2. it is compiled once (`hybrid-opt --target=cpu`: a shared library and its C
     header) and run through the C runtime (hybrid-run, .npy files) on fresh random
     inputs at two sets of sizes for its symbolic dims (batch, seq, past_seq), so
     the dynamic shapes are exercised;
  3. every output is compared with onnxruntime running the *decomposed* form of the
     same model (same weights, same inputs: standard ops only, which onnxruntime
     runs), within 1e-4 relative to the output's largest magnitude
     (|got - want| <= 1e-4 * (|want| + max|want|)).

So the fused form is checked against an independent evaluation of the primitive
graph exporters write. The generator itself is checked too: before compiling,
each fused form is run by onnxruntime (or by onnx's reference evaluator with
hybrid.onnx_ops' NumPy SelectiveScan, for the ai.hybrid op) and must agree with
the decomposed form, so the two forms really are the same function. Only
jamba's fused form, which mixes ai.hybrid and com.microsoft ops, has no runtime
for that check; its layers are checked as blocks. The last line is
`N passed, M failed`; the exit status is non-zero when anything failed.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)

import runlib  # noqa: E402
from check_models import run_checks  # noqa: E402
from hybrid import zoo  # noqa: E402

# The hybrid ops each fused architecture must import into.
FUSED_OPS = {
    "mamba1": ["hybrid.ssm_scan", "hybrid.causal_conv1d", "hybrid.rms_norm"],
    "mamba2": ["hybrid.linear_attention", "hybrid.causal_conv1d", "hybrid.rms_norm"],
    "gdn": ["hybrid.linear_attention", "hybrid.causal_conv1d", "hybrid.rms_norm"],
    "attention": ["hybrid.attention", "hybrid.rotary", "hybrid.rms_norm"],
    "moe": ["hybrid.moe", "hybrid.rms_norm"],
    "jamba": ["hybrid.ssm_scan", "hybrid.causal_conv1d", "hybrid.attention", "hybrid.rotary",
              "hybrid.moe", "hybrid.rms_norm"],
    "nemotron_h": ["hybrid.linear_attention", "hybrid.causal_conv1d", "hybrid.attention",
                   "hybrid.moe", "hybrid.rms_norm"],
    "convnext": [],
    "coatnet": ["hybrid.attention"],
}
# The hybrid ops the raising passes make of each decomposed form (every phase):
# the recurrences (a Scan or Loop in a prefill, the step written out in a
# decode) become the selective scan or linear attention, the causal
# convolutions causal_conv1d.
RAISED_OPS = {"mamba1": ["hybrid.rms_norm", "hybrid.causal_conv1d", "hybrid.ssm_scan"],
              "mamba2": ["hybrid.rms_norm", "hybrid.causal_conv1d", "hybrid.ssm_scan"],
              "gdn": ["hybrid.rms_norm", "hybrid.causal_conv1d", "hybrid.linear_attention"],
              "attention": ["hybrid.attention", "hybrid.rotary", "hybrid.rms_norm"],
              "moe": ["hybrid.moe", "hybrid.rms_norm"],
              "jamba": ["hybrid.attention", "hybrid.moe", "hybrid.rms_norm", "hybrid.causal_conv1d",
                        "hybrid.ssm_scan"],
              "nemotron_h": ["hybrid.attention", "hybrid.moe", "hybrid.rotary", "hybrid.rms_norm",
                             "hybrid.causal_conv1d", "hybrid.ssm_scan"],
              "coatnet": ["hybrid.attention", "hybrid.rms_norm"]}
# Where a prefill's recurrence is raised to another op than its decode step's:
# the Mamba-2 block's chunked scan (HF's torch_forward) becomes a gated
# linear attention, its decode step the selective scan.
RAISED_PREFILL = {"mamba2": ["hybrid.rms_norm", "hybrid.causal_conv1d", "hybrid.linear_attention"]}
# Decomposed prefill models whose causal attention must be raised with the
# causal flag (the Trilu mask dropped) and GQA's repeat removed.
RAISED_CAUSAL = ["attention", "jamba", "nemotron_h"]
# Sizes of the symbolic dims in the two runs of each compiled model.
DIMS = [{"batch": 2, "seq": 7, "past_seq": 5}, {"batch": 1, "seq": 12, "past_seq": 9}]
# Decomposed prefill models and the loop their recurrence imports into (checked
# with --raise=false): an ONNX Scan becomes scf.for; Nemotron-H's Mamba-2 Loop (a
# while_loop as dynamo writes it, its body a model-local function) becomes
# scf.while. (The Mamba-2 block's chunked scan has no loop.)
RECURRENCE_LOOPS = {"mamba1": ["scf.for"], "gdn": ["scf.for"], "jamba": ["scf.for"],
                    "nemotron_h": ["scf.while"]}


def _import(opt, path, workdir, *flags):
    out = subprocess.run([opt, path, *flags], cwd=workdir, capture_output=True, text=True)
    if out.returncode:
        raise AssertionError(f"import failed:\n{out.stderr.strip()}")
    return out.stdout


def check_import(opt, path, arch, form, phase, workdir):
    ir = _import(opt, path, workdir)
    want = FUSED_OPS[arch] if form == zoo.FUSED else []
    if form == zoo.DECOMPOSED:
        # Without raising, the decomposed form is standard ops only; with it
        # (the default), its attention is one hybrid.attention (causal, with
        # the kv heads unrepeated, in a prefill), its RMSNorms hybrid.rms_norm
        # and its rotary embeddings hybrid.rotary.
        plain = _import(opt, path, workdir, "--raise=false")
        if "hybrid." in plain.replace("hybrid.zoo", ""):
            raise AssertionError("a decomposed form imported into hybrid ops with --raise=false")
        want = list(RAISED_OPS.get(arch, []))
        if phase == zoo.PREFILL:
            want = list(RAISED_PREFILL.get(arch, want))
            # The recurrence's loop, as imported without raising.
            lost = [op for op in RECURRENCE_LOOPS.get(arch, []) if op not in plain]
            if lost:
                raise AssertionError(f"with --raise=false the IR lacks {', '.join(lost)}")
            if arch in RAISED_CAUSAL and "{causal," not in ir:
                raise AssertionError("the causal mask was not raised to the causal flag")
    missing = [op for op in want if op + " " not in ir and op + "(" not in ir]
    if missing:
        raise AssertionError(f"the imported IR lacks {', '.join(missing)}")


class _SelectiveScan:
    """onnx.reference kernel for ai.hybrid SelectiveScan (the NumPy reference)."""

    @staticmethod
    def make():
        from onnx.reference.op_run import OpRun
        from hybrid import onnx_ops

        class SelectiveScan(OpRun):
            op_domain = onnx_ops.DOMAIN

            def _run(self, u, delta, A, B, C, D=None, z=None, delta_bias=None,
                     initial_state=None, delta_softplus=0):
                return onnx_ops.selective_scan_reference(u, delta, A, B, C, D, z, delta_bias,
                                                         initial_state, bool(delta_softplus))
        return SelectiveScan


def run_fused_reference(model, feeds):
    """The fused form evaluated without Hybrid, or None when no runtime has all its ops."""
    domains = {o.domain for o in model.opset_import}
    if "ai.hybrid" in domains:
        if "com.microsoft" in domains:
            return None
        from onnx.reference import ReferenceEvaluator
        return ReferenceEvaluator(model, new_ops=[_SelectiveScan.make()]).run(None, feeds)
    return ort_run(model, feeds)


def assert_close(got, want, names, where):
    for oname, g, w in zip(names, got, want):
        g, w = np.asarray(g), np.asarray(w)
        if g.shape != w.shape:
            raise AssertionError(f"{oname}{where}: shape {g.shape}, expected {w.shape}")
        scale = np.abs(w) + np.abs(w).max()
        if not np.all(np.abs(g - w) <= 1e-4 * scale):
            err = np.max(np.abs(g.astype(np.float64) - w) / scale)
            raise AssertionError(f"{oname}{where}: error {err:.3g} relative to max|want|, > 1e-4")


def ort_run(model, feeds):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hybrid-opt", required=True)
    ap.add_argument("--only", default=None)
    ap.add_argument("--seed", type=int, default=0, help="weight seed")
    ap.add_argument("--compile-flag", action="append", default=[],
                    help="an extra hybrid-opt flag for the libraries (repeatable)")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    opt = os.path.abspath(args.hybrid_opt)
    run_tool = runlib.tool_next_to(opt, "hybrid-run")
    rng = np.random.default_rng(4321 + args.seed)

    def check(name, arch, form, phase):
        model = zoo.build(arch, form, phase, seed=args.seed)
        twin = zoo.build(arch, zoo.DECOMPOSED, phase, seed=args.seed)
        out_names = [o.name for o in model.graph.output]
        if out_names != [o.name for o in twin.graph.output]:
            raise AssertionError("the two forms have different outputs")
        with tempfile.TemporaryDirectory() as wd:
            path = os.path.join(wd, name + ".onnx")
            onnx.save(model, path)
            check_import(opt, path, arch, form, phase, wd)
            so = runlib.compile_library(opt, path, os.path.join(wd, name + ".so"),
                                        flags=args.compile_flag, cwd=wd)
            for i, dims in enumerate(DIMS):
                feeds = zoo.make_inputs(model, rng, dims)
                want = ort_run(twin, feeds)
                if form == zoo.FUSED and i == 0:
                    ref = run_fused_reference(model, feeds)
                    if ref is not None:
                        assert_close(ref, want, out_names, " (zoo self-check: forms disagree)")
                got = runlib.run_library(run_tool, so, {v.name: feeds[v.name] for v in model.graph.input},
                                         out_names, wd)
                assert_close(got, want, out_names, f" at {dims}")

    return run_checks(((m[0], lambda m=m: check(*m)) for m in zoo.all_models()
                       if not args.only or args.only in m[0]), args.v)

if __name__ == "__main__":
    sys.exit(main())
