"""Compiles models with `hybrid-opt --target=cpu` and runs the libraries with
`hybrid-run`, the way a user does: the library, the C runtime and .npy files.

    so = compile_library(opt, "model.onnx", "work/model.so")
    outs = run_library(run_tool, so, {"x": x}, ["y"], "work/")

Each run is its own process, so a run-time check that aborts (an out-of-range
index, say) fails that run only.
"""
import os
import shutil
import subprocess
import tempfile

import numpy as np


class RunError(RuntimeError):
    """A failed compile or run; the message holds the tool's stderr."""


def tool_next_to(opt, name):
    """The path of tool `name` built next to hybrid-opt (a bare `opt` is looked up
    on PATH, as lit gives it)."""
    if os.sep not in opt:
        opt = shutil.which(opt) or opt
    return os.path.join(os.path.dirname(os.path.abspath(opt)), name)


def _run(cmd, cwd, timeout):
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RunError(f"{os.path.basename(cmd[0])} timed out after {timeout} s")
    if out.returncode != 0:
        msg = (out.stderr or out.stdout).strip()
        raise RunError(f"{os.path.basename(cmd[0])} exited with {out.returncode}: {msg}")
    return out.stdout


def compile_library(opt, src, so, flags=(), cwd=None, timeout=None):
    """`hybrid-opt SRC FLAGS --target=cpu -o SO` (also writes SO's header)."""
    if os.sep in opt:
        opt = os.path.abspath(opt)
    _run([opt, src] + list(flags) + ["--target=cpu", "-o", so], cwd, timeout)
    return so


def output_file(name, index):
    """The file hybrid-run writes an output to (tools/hybrid-run: '/' becomes '_')."""
    f = name.replace("/", "_")
    return (f if f not in ("", ".", "..") else f"output_{index}") + ".npy"


def run_library(run_tool, so, feeds, out_names, workdir, timeout=None, function=None):
    """Runs the library on `feeds` ({input name: array}); returns the outputs in
    the order of `out_names` (the entry function's outputs)."""
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        cmd = [run_tool, so, "--quiet", "--output-dir", os.path.join(d, "out")]
        if function:
            cmd += ["--function", function]
        for i, (name, value) in enumerate(feeds.items()):
            path = os.path.join(d, f"in{i}.npy")
            np.save(path, np.asarray(value, order="C"))  # keeps rank 0 (ascontiguousarray would not)
            cmd += ["--input", f"{name}={path}"]
        _run(cmd, workdir, timeout)
        return [np.load(os.path.join(d, "out", output_file(n, i)))
                for i, n in enumerate(out_names)]
