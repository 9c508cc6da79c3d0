#!/usr/bin/env python3
"""The model zoo on the CUDA target: compile everywhere, run where there is a GPU.

    cuda_zoo.py build --hybrid-opt build/bin/hybrid-opt --arch sm_90 --out DIR
                      [--only SUBSTRING] [--ptxas PATH] [--no-library] [-v]
    cuda_zoo.py run --dir DIR [--hybrid-run PATH] [--only SUBSTRING] [-v]

`build` (any machine with hybrid-opt; no GPU needed) takes every zoo model
(python/hybrid/zoo: both forms, prefill and decode) and
  1. compiles its PTX (`hybrid-opt --target=cuda --gpu-arch=ARCH --emit=ptx`)
     and has ptxas compile every kernel module of it for ARCH (`ptxas -v`),
     reporting per model the kernels, the most registers a kernel uses, the
     bytes spilled and the most shared memory (when ptxas is found: --ptxas,
     $CUDA_HOME/bin, /usr/local/cuda/bin or PATH; otherwise the PTX is only
     checked to be there);
  2. unless --no-library, compiles the library (`--target=cuda -o NAME.so`,
     a fatbin through the toolkit when it has one) and saves, next to it, the
     model's decomposed twin (NAME.ref.onnx) for `run`.
Each model's line is `PASS NAME: K kernels, R registers max, S bytes
spilled, M bytes smem max`; the last line is `N passed, M failed`.

`run` (on the GPU machine: it needs only hybrid-run, the hybrid Python package,
numpy, onnx and onnxruntime, no LLVM) runs each library in DIR on fresh random
inputs at two sets of sizes for its symbolic dims and compares every output
with onnxruntime on the decomposed twin, within 1e-4 relative to the output's
largest magnitude, as test/onnx/check_zoo.py does on the CPU. The last line is
`N passed, M failed`.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)

import runlib  # noqa: E402
from check_models import run_checks  # noqa: E402
from check_zoo import DIMS, assert_close, ort_run  # noqa: E402
from hybrid import zoo  # noqa: E402


def find_ptxas(explicit):
    if explicit:
        return explicit
    for root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"):
        if root and os.access(os.path.join(root, "bin", "ptxas"), os.X_OK):
            return os.path.join(root, "bin", "ptxas")
    return shutil.which("ptxas")


def ptxas_report(ptxas, ptx_path, arch, workdir):
    """Runs ptxas -v on every PTX module of the file; returns (kernels, max
    registers, spilled bytes, max shared memory bytes)."""
    text = open(ptx_path).read()
    modules = [m for m in re.split(r"^// gpu\.module @\S+\n", text, flags=re.M) if m.strip()]
    if not modules:
        raise AssertionError("the PTX file holds no kernel module")
    kernels = regs = spills = smem = 0
    for i, m in enumerate(modules):
        path = os.path.join(workdir, f"module{i}.ptx")
        with open(path, "w") as f:
            f.write(m)
        if not ptxas:
            continue
        out = subprocess.run([ptxas, "-v", f"-arch={arch}", path, "-o", path + ".cubin"],
                             capture_output=True, text=True)
        if out.returncode:
            raise AssertionError(f"ptxas rejected kernel module {i}:\n{out.stderr.strip()}")
        log = out.stderr + out.stdout
        kernels += len(re.findall(r"Compiling entry function", log))
        for r in re.findall(r"Used (\d+) registers", log):
            regs = max(regs, int(r))
        for s in re.findall(r"(\d+) bytes spill stores", log):
            spills += int(s)
        for s in re.findall(r"(\d+) bytes smem", log):
            smem = max(smem, int(s))
    return (kernels if ptxas else len(modules)), regs, spills, smem


def build(args):
    opt = os.path.abspath(args.hybrid_opt) if os.sep in args.hybrid_opt else args.hybrid_opt
    ptxas = find_ptxas(args.ptxas)
    os.makedirs(args.out, exist_ok=True)
    manifest = {}

    def compile_one(name, arch_name, form, phase):
        model = zoo.build(arch_name, form, phase, seed=args.seed)
        twin = zoo.build(arch_name, zoo.DECOMPOSED, phase, seed=args.seed)
        path = os.path.join(args.out, name + ".onnx")
        onnx.save(model, path)
        wd = os.path.join(args.out, name + ".work")
        os.makedirs(wd, exist_ok=True)
        ptx = os.path.join(wd, name + ".ptx")
        base = [opt, path, "--target=cuda", f"--gpu-arch={args.arch}"]
        runlib._run(base + ["--emit=ptx", "-o", ptx], args.out, None)
        kernels, regs, spills, smem = ptxas_report(ptxas, ptx, args.arch, wd)
        if not args.no_library:
            runlib._run(base + ["-o", os.path.join(args.out, name + ".so")], args.out, None)
            onnx.save(twin, os.path.join(args.out, name + ".ref.onnx"))
            manifest[name] = {"inputs": [v.name for v in model.graph.input],
                              "outputs": [o.name for o in model.graph.output]}
        shutil.rmtree(wd)
        return (f"{kernels} kernels, {regs} registers max, {spills} bytes spilled, "
                f"{smem} bytes smem max")

    print(f"ptxas: {ptxas or 'not found (PTX not assembled)'}; arch {args.arch}")
    status = run_checks(((m[0], lambda m=m: compile_one(*m)) for m in zoo.all_models()
                         if not args.only or args.only in m[0]), verbose=True)
    if not args.no_library:
        with open(os.path.join(args.out, "manifest.json"), "w") as f:
            json.dump({"arch": args.arch, "models": manifest}, f, indent=1)
    return status


def run(args):
    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    run_tool = os.path.abspath(args.hybrid_run or
                               os.path.join(HERE, "..", "..", "build", "bin", "hybrid-run"))
    rng = np.random.default_rng(4321 + args.seed)

    def check(name, entry):
        model = onnx.load(os.path.join(args.dir, name + ".onnx"))
        twin = onnx.load(os.path.join(args.dir, name + ".ref.onnx"))
        so = os.path.join(args.dir, name + ".so")
        for dims in DIMS:
            feeds = zoo.make_inputs(model, rng, dims)
            want = ort_run(twin, feeds)
            got = runlib.run_library(run_tool, so, {n: feeds[n] for n in entry["inputs"]},
                                     entry["outputs"], args.dir)
            assert_close(got, want, entry["outputs"], f" at {dims}")

    return run_checks(((name, lambda n=name, e=entry: check(n, e))
                       for name, entry in sorted(manifest["models"].items())
                       if not args.only or args.only in name), args.v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--hybrid-opt", required=True)
    b.add_argument("--arch", default="sm_90")
    b.add_argument("--out", required=True)
    b.add_argument("--ptxas", default=None)
    b.add_argument("--no-library", action="store_true",
                   help="PTX and the ptxas report only (no .so, no manifest)")
    r = sub.add_parser("run")
    r.add_argument("--dir", required=True)
    r.add_argument("--hybrid-run", default=None)
    for p in (b, r):
        p.add_argument("--only", default=None)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("-v", action="store_true")
    args = ap.parse_args()
    return build(args) if args.command == "build" else run(args)


if __name__ == "__main__":
    sys.exit(main())
