"""Compile-once / run-many harness for tensor-level MLIR test functions.

Every test case becomes one public function of ONE module:

    func.func @case_<i>(%a0: tensor<...>, ..., %o0: tensor<...>, ...)
        -> (tensor<...>, ...) attributes {llvm.emit_c_interface} {
      %r:N = <op> ... outs(%o0, ... : ...) ... -> ...
      return %r#0, ... : ...
    }

The module is lowered with `<opt command> in.mlir -o lowered.mlir` (by default
`hybrid-opt --hybrid-reference-pipeline`), then mlir-translate, llc and cc build a
shared object, and each `_mlir_ciface_case_<i>` is called through ctypes with MLIR
ranked memref descriptors.

Two C calling conventions are accepted, told apart from the parameter count of the
`_mlir_ciface_` definition in the LLVM IR:

  * results dropped (drop-equivalent-buffer-results did its job):
        void f(Desc *a0, ..., Desc *o0, ...)
    and the outputs are read back from the output buffers;
  * results kept (MLIR 22's drop-equivalent-buffer-results leaves *public*
    functions alone):
        void f(Res *r, Desc *a0, ..., Desc *o0, ...)
    with Res the single result descriptor or a struct of them; the outputs are
    read from the returned descriptors (normally the output buffers themselves).

Element types: f32, f16 (numpy float16), bf16 (numpy uint16 holding the bits),
f64, i1 (numpy bool, one byte), i8, i32, i64.

By default each case runs in a forked child, so a crash or a run-time assertion in
one case fails that case only.  If the whole module fails to compile, every case
is compiled on its own to tell which ones fail.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence

import numpy as np

DEFAULT_LLVM_BIN = "/usr/lib/llvm-22/bin"

# MLIR element type -> numpy storage dtype
STORAGE = {
    "f32": np.dtype(np.float32),
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.uint16),
    "f64": np.dtype(np.float64),
    "i1": np.dtype(np.bool_),
    "i8": np.dtype(np.int8),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
}
FLOAT_TYPES = ("f32", "f16", "bf16", "f64")


# ----------------------------------------------------------------------------
# bf16 / storage conversions
# ----------------------------------------------------------------------------

def f32_to_bf16_bits(a) -> np.ndarray:
    """float32 -> bf16 bits (uint16), round to nearest even; NaN stays NaN."""
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float32))
    u = a.view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    out = rounded.astype(np.uint16)
    nan = np.isnan(a)
    if nan.any():
        out[nan] = ((u[nan] >> 16) | 0x40).astype(np.uint16)
    return out


def bf16_bits_to_f32(b) -> np.ndarray:
    b = np.ascontiguousarray(np.asarray(b, dtype=np.uint16))
    return (b.astype(np.uint32) << 16).view(np.float32)


def to_storage(values, etype: str) -> np.ndarray:
    """Numbers (any dtype) -> contiguous storage array of the MLIR element type."""
    if etype == "bf16":
        return f32_to_bf16_bits(np.asarray(values, dtype=np.float64).astype(np.float32))
    return np.ascontiguousarray(np.asarray(values).astype(STORAGE[etype]))


def to_f64(storage: np.ndarray, etype: str) -> np.ndarray:
    """Storage array -> float64 values (what the stored numbers really are)."""
    if etype == "bf16":
        return bf16_bits_to_f32(storage).astype(np.float64)
    return np.asarray(storage).astype(np.float64)


def sentinel_fill(etype: str, shape) -> np.ndarray:
    """An output buffer pre-filled with garbage, so unwritten elements show."""
    if etype in ("f32", "f16", "f64"):
        return np.full(shape, np.nan, dtype=STORAGE[etype])
    if etype == "bf16":
        return np.full(shape, 0x7FC0, dtype=np.uint16)
    if etype == "i1":
        return np.ones(shape, dtype=np.bool_)
    return np.full(shape, -1234567, dtype=STORAGE[etype]) if etype != "i8" else \
        np.full(shape, -99, dtype=np.int8)


# ----------------------------------------------------------------------------
# Function description
# ----------------------------------------------------------------------------

@dataclass
class Tensor:
    """One function argument: an input (data given) or an output (shape given)."""
    etype: str
    shape: tuple = None
    data: Optional[np.ndarray] = None      # storage array for inputs
    dyn: tuple = ()                         # axes that are dynamic ('?') in the type

    def __post_init__(self):
        if self.etype not in STORAGE:
            raise ValueError(f"unsupported element type {self.etype}")
        if self.data is not None:
            self.data = np.ascontiguousarray(self.data, dtype=STORAGE[self.etype])
            if self.shape is None:
                self.shape = tuple(self.data.shape)
            assert tuple(self.data.shape) == tuple(self.shape), (self.data.shape, self.shape)
        self.shape = tuple(int(d) for d in self.shape)
        self.dyn = tuple(sorted(set(int(a) for a in self.dyn)))

    @property
    def type(self) -> str:
        dims = ["?" if i in self.dyn else str(d) for i, d in enumerate(self.shape)]
        return "tensor<" + "".join(d + "x" for d in dims) + self.etype + ">"


@dataclass
class Val:
    name: str   # SSA name with '%'
    type: str   # MLIR type

    def __str__(self):
        return self.name


def group(vals: Sequence[Val]) -> str:
    """'%a, %b : t1, t2' -- the inside of ins(...)/outs(...)/mask(...)."""
    return ", ".join(v.name for v in vals) + " : " + ", ".join(v.type for v in vals)


@dataclass
class Func:
    label: str                      # human readable case name
    inputs: List[Tensor]
    outputs: List[Tensor]           # data ignored; shapes/types used
    op: Callable[[List[Val], List[Val]], str]   # (ins, outs) -> op text (RHS)
    fill: str = "sentinel"          # 'sentinel' or 'zero' for the output buffers

    def text(self, fname: str) -> str:
        ins = [Val(f"%a{i}", t.type) for i, t in enumerate(self.inputs)]
        outs = [Val(f"%o{i}", t.type) for i, t in enumerate(self.outputs)]
        args = ", ".join(f"{v.name}: {v.type}" for v in ins + outs)
        rtypes = ", ".join(v.type for v in outs)
        n = len(outs)
        body = self.op(ins, outs).strip()
        if n == 1:
            lhs, rets = "%r", "%r"
        else:
            lhs, rets = f"%r:{n}", ", ".join(f"%r#{i}" for i in range(n))
        return (f"func.func @{fname}({args}) -> ({rtypes}) "
                f"attributes {{llvm.emit_c_interface}} {{\n"
                f"  {lhs} = {body}\n"
                f"  return {rets} : {rtypes}\n"
                f"}}\n")


# ----------------------------------------------------------------------------
# Compilation
# ----------------------------------------------------------------------------

class CompileError(RuntimeError):
    def __init__(self, msg, tool="", stderr=""):
        super().__init__(msg)
        self.tool, self.stderr = tool, stderr

    def brief(self, max_lines=8):
        """The error lines (and the source line each points at), for per-case reports."""
        lines = self.stderr.splitlines()
        keep = []
        for i, l in enumerate(lines):
            if "error:" in l or "Assertion" in l or "LLVM ERROR" in l or "undefined" in l:
                keep.append(l.strip())
                if i + 1 < len(lines) and "error:" not in lines[i + 1] and \
                        lines[i + 1].strip() and "note:" not in lines[i + 1]:
                    keep.append("  " + lines[i + 1].strip())
        if not keep:
            keep = [l.strip() for l in lines if l.strip()]
        keep = keep[:max_lines] or ["(no output)"]
        return f"{self.tool} failed: " + "\n".join(keep)


def _run_cmd(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        msg = (f"command failed (exit {p.returncode}):\n  {shlex.join(cmd)}\n"
               f"{p.stderr}{p.stdout}")
        raise CompileError(msg, os.path.basename(cmd[0]), p.stderr + p.stdout)


_CIFACE_RE = re.compile(r"^define\s+[^@]*@_mlir_ciface_([A-Za-z0-9_.$]+)\((.*)\)", re.M)


_ALLOC_STUB = r"""
#include <stdint.h>
#include <stdlib.h>
__attribute__((weak)) void *_mlir_memref_to_llvm_alloc(uint64_t n) { return malloc(n ? n : 1); }
__attribute__((weak)) void *_mlir_memref_to_llvm_aligned_alloc(uint64_t a, uint64_t n) {
  return aligned_alloc(a, (n + a - 1) / a * a);
}
__attribute__((weak)) void _mlir_memref_to_llvm_free(void *p) { free(p); }
"""


def compile_module(text: str, workdir: str, opt_cmd: Sequence[str],
                   llvm_bin: str = DEFAULT_LLVM_BIN, tag: str = "m"):
    """Lower `text` to a shared object in `workdir` (an empty `opt_cmd` means `text`
    is already in the LLVM dialect).

    Returns (path to .so, {function name: number of ciface parameters}).
    Raises CompileError with the failing command and its stderr."""
    src = os.path.join(workdir, f"{tag}.in.mlir")
    low = os.path.join(workdir, f"{tag}.lowered.mlir")
    ll = os.path.join(workdir, f"{tag}.ll")
    obj = os.path.join(workdir, f"{tag}.o")
    so = os.path.join(workdir, f"{tag}.so")
    with open(src, "w") as f:
        f.write(text)
    if opt_cmd:
        _run_cmd(list(opt_cmd) + [src, "-o", low], workdir)
    else:
        low = src  # already lowered to the LLVM dialect
    _run_cmd([os.path.join(llvm_bin, "mlir-translate"), "--mlir-to-llvmir", low, "-o", ll],
             workdir)
    _run_cmd([os.path.join(llvm_bin, "llc"), "-O2", "-filetype=obj",
              "-relocation-model=pic", ll, "-o", obj], workdir)
    # The CPU pipeline allocates through MLIR's generic allocation functions,
    # which a compiled model gets from the runtime; here, plain libc.
    stub = os.path.join(workdir, f"{tag}.alloc.c")
    with open(stub, "w") as f:
        f.write(_ALLOC_STUB)
    # memref.copy of strided views calls memrefCopy from MLIR's C runner utils.
    llvm_lib = os.path.join(os.path.dirname(os.path.abspath(llvm_bin)), "lib")
    _run_cmd(["cc", "-shared", "-fPIC", obj, stub, "-o", so, f"-L{llvm_lib}",
              "-lmlir_c_runner_utils", f"-Wl,-rpath,{llvm_lib}", "-lm"], workdir)
    with open(ll) as f:
        lltext = f.read()
    nparams = {}
    for m in _CIFACE_RE.finditer(lltext):
        params = m.group(2).strip()
        nparams[m.group(1)] = 0 if not params else len(params.split(","))
    return so, nparams


# ----------------------------------------------------------------------------
# Descriptors and calls
# ----------------------------------------------------------------------------

_DESC_TYPES = {}


def desc_type(rank: int):
    if rank not in _DESC_TYPES:
        class Desc(ctypes.Structure):
            _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                        ("offset", ctypes.c_int64),
                        ("sizes", ctypes.c_int64 * rank),
                        ("strides", ctypes.c_int64 * rank)]
        Desc.__name__ = f"MemRefDesc{rank}"
        _DESC_TYPES[rank] = Desc
    return _DESC_TYPES[rank]


def row_major_strides(shape):
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= int(d)
    return list(reversed(strides))


def make_desc(arr: np.ndarray):
    assert arr.flags["C_CONTIGUOUS"]
    d = desc_type(arr.ndim)()
    d.allocated = arr.ctypes.data
    d.aligned = arr.ctypes.data
    d.offset = 0
    for i, (s, st) in enumerate(zip(arr.shape, row_major_strides(arr.shape))):
        d.sizes[i] = s
        d.strides[i] = st
    return d


def read_desc(d, etype: str) -> np.ndarray:
    """Copy the memref a descriptor describes into a fresh numpy array."""
    dt = STORAGE[etype]
    rank = len(d.sizes)
    shape = [int(d.sizes[i]) for i in range(rank)]
    strides = [int(d.strides[i]) for i in range(rank)]
    if any(s == 0 for s in shape):
        return np.zeros(shape, dtype=dt)
    span = 1 + sum((s - 1) * st for s, st in zip(shape, strides))
    if any(st < 0 for st in strides):
        raise RuntimeError("negative strides in a returned descriptor")
    base = int(d.aligned) + int(d.offset) * dt.itemsize
    raw = np.frombuffer(ctypes.string_at(base, span * dt.itemsize), dtype=dt)
    view = np.lib.stride_tricks.as_strided(
        raw, shape=shape, strides=[st * dt.itemsize for st in strides])
    return np.array(view, copy=True)


def call_function(lib, fname: str, nparams: int, inputs: Sequence[Tensor],
                  outputs: Sequence[Tensor], fill: str = "sentinel"):
    """Call _mlir_ciface_<fname>; return the output storage arrays."""
    fn = getattr(lib, "_mlir_ciface_" + fname)
    fn.restype = None
    in_arrs = [np.ascontiguousarray(t.data, dtype=STORAGE[t.etype]) for t in inputs]
    if fill == "zero":
        out_arrs = [np.zeros(t.shape, dtype=STORAGE[t.etype]) for t in outputs]
    else:
        out_arrs = [sentinel_fill(t.etype, t.shape) for t in outputs]
    descs = [make_desc(a) for a in in_arrs + out_arrs]
    nargs = len(descs)
    if nparams == nargs:
        res = None
        fn(*[ctypes.byref(d) for d in descs])
    elif nparams == nargs + 1:
        if len(outputs) == 1:
            res = desc_type(len(outputs[0].shape))()
        else:
            class Res(ctypes.Structure):
                _fields_ = [(f"r{i}", desc_type(len(t.shape))) for i, t in enumerate(outputs)]
            res = Res()
        fn(ctypes.byref(res), *[ctypes.byref(d) for d in descs])
    else:
        raise RuntimeError(
            f"_mlir_ciface_{fname} takes {nparams} parameters; expected {nargs} "
            f"(results dropped) or {nargs + 1} (results returned)")
    if res is None:
        got = [a.copy() for a in out_arrs]
    else:
        rdescs = [res] if len(outputs) == 1 else [getattr(res, f"r{i}")
                                                  for i in range(len(outputs))]
        got = []
        for a, rd, t in zip(out_arrs, rdescs, outputs):
            if (int(rd.aligned or 0) == a.ctypes.data and rd.offset == 0
                    and list(rd.sizes) == list(a.shape)
                    and list(rd.strides) == row_major_strides(a.shape)):
                got.append(a.copy())
            else:
                got.append(read_desc(rd, t.etype))
    # keep every buffer alive until here
    del in_arrs, out_arrs, descs
    return got


def _unbuffer_c_stdout():
    """Makes C's stdout unbuffered: a failed cf.assert prints its message
    with puts and then aborts, which would lose a buffered message."""
    try:
        libc = ctypes.CDLL(None)
        stdout = ctypes.c_void_p.in_dll(libc, "stdout")
        libc.setvbuf(stdout, None, 2, 0)  # _IONBF
    except (OSError, ValueError, AttributeError):
        pass


def _call_forked(lib, fname, nparams, func: Func, timeout_s: int):
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    # The child's stdout and stderr go to a file, so that what a failed
    # run-time check (cf.assert) prints comes back with the crash report.
    err = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        os.dup2(err.fileno(), 1)
        os.dup2(err.fileno(), 2)
        _unbuffer_c_stdout()
        try:
            signal.alarm(timeout_s)
            got = call_function(lib, fname, nparams, func.inputs, func.outputs, func.fill)
            payload = pickle.dumps(("ok", got))
        except BaseException:
            payload = pickle.dumps(("err", traceback.format_exc()))
        with os.fdopen(w, "wb") as f:
            f.write(payload)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        payload = f.read()
    _, status = os.waitpid(pid, 0)
    err.seek(0)
    stderr = err.read().decode(errors="replace").strip()
    err.close()
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        what = "timed out" if sig == signal.SIGALRM else f"crashed ({signal.Signals(sig).name})"
        raise RuntimeError(f"case {what}" + (f"; output: {stderr}" if stderr else ""))
    if not payload:
        raise RuntimeError(f"case child exited with status {os.WEXITSTATUS(status)} "
                           f"without a result")
    kind, val = pickle.loads(payload)
    if kind != "ok":
        raise RuntimeError(val)
    return val


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------

@dataclass
class Result:
    outputs: Optional[List[np.ndarray]] = None   # storage arrays
    error: Optional[str] = None


def module_text(funcs: Sequence[Func], names: Sequence[str]) -> str:
    return "module {\n" + "\n".join(f.text(n) for f, n in zip(funcs, names)) + "}\n"


def _shorten(msg: str, max_lines: int) -> str:
    lines = msg.splitlines()
    if len(lines) <= max_lines:
        return msg
    return "\n".join(lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"])


class CaseError(RuntimeError):
    pass


class Module:
    """All functions compiled into one shared object; run any of them, any number of
    times, with their own or with new input data.  Use as a context manager."""

    def __init__(self, funcs: Sequence[Func], opt_cmd: Sequence[str],
                 llvm_bin: str = DEFAULT_LLVM_BIN, fork: bool = True,
                 isolate: bool = True, keep_dir: Optional[str] = None,
                 timeout_s: int = 120, log=print, jobs: int = 2,
                 fill: Optional[str] = None):
        self.funcs = list(funcs)
        self.fill = fill            # overrides every Func.fill when given
        self.names = [f"case_{i}" for i in range(len(self.funcs))]
        self.opt_cmd, self.llvm_bin = list(opt_cmd), llvm_bin
        self.fork, self.isolate, self.keep_dir = fork, isolate, keep_dir
        self.timeout_s, self.log, self.jobs = timeout_s, log, jobs
        self.libs = [None] * len(self.funcs)          # (CDLL, nparams) per function
        self.compile_errors = [None] * len(self.funcs)
        self._tmp = None

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="hybrid-ref-")
        self.workdir = self.keep_dir or self._tmp.name
        os.makedirs(self.workdir, exist_ok=True)
        self._compile()
        return self

    def __exit__(self, *exc):
        self._tmp.cleanup()
        return False

    def _compile(self):
        funcs, names = self.funcs, self.names
        if not funcs:
            return
        try:
            so, nparams = compile_module(module_text(funcs, names), self.workdir,
                                         self.opt_cmd, self.llvm_bin, "all")
            lib = ctypes.CDLL(so)
            self.libs = [(lib, nparams)] * len(funcs)
            return
        except (CompileError, OSError) as e:
            self.log("=" * 78)
            self.log("COMPILE FAILURE of the whole module:")
            self.log(_shorten(str(e), 200))
            self.log("=" * 78)
            if not self.isolate:
                self.compile_errors = ["module failed to compile"] * len(funcs)
                return
            self.log("compiling every case on its own to find the failing ones ...")

        def one(i):
            d = os.path.join(self.workdir, names[i])
            os.makedirs(d, exist_ok=True)
            try:
                so_i, np_i = compile_module(module_text([funcs[i]], [names[i]]), d,
                                            self.opt_cmd, self.llvm_bin, names[i])
                return i, (ctypes.CDLL(so_i), np_i), None
            except CompileError as err:
                return i, None, err.brief()
            except OSError as err:
                return i, None, str(err)

        with ThreadPoolExecutor(max_workers=max(1, self.jobs)) as ex:
            for i, lb, err in ex.map(one, range(len(funcs))):
                if err is not None:
                    self.compile_errors[i] = "compile failed: " + err
                else:
                    self.libs[i] = lb

    def run(self, i: int, inputs: Optional[Sequence[np.ndarray]] = None):
        """Run function i; `inputs` (storage arrays) replace its input data.
        Returns the output storage arrays; raises CaseError."""
        if self.compile_errors[i] is not None:
            raise CaseError(self.compile_errors[i])
        lib, nparams = self.libs[i]
        name = self.names[i]
        if name not in nparams:
            raise CaseError(f"no _mlir_ciface_{name} in the LLVM IR")
        f = self.funcs[i]
        if inputs is not None:
            ins = []
            for t, a in zip(f.inputs, inputs):
                a = np.ascontiguousarray(a, dtype=STORAGE[t.etype])
                if tuple(a.shape) != t.shape:
                    raise CaseError(f"input shape {a.shape} != declared {t.shape}")
                ins.append(Tensor(t.etype, data=a, dyn=t.dyn))
            f = Func(f.label, ins, f.outputs, f.op, f.fill)
        if self.fill and self.fill != f.fill:
            f = Func(f.label, f.inputs, f.outputs, f.op, self.fill)
        try:
            if self.fork:
                return _call_forked(lib, name, nparams[name], f, self.timeout_s)
            return call_function(lib, name, nparams[name], f.inputs, f.outputs, f.fill)
        except Exception as e:  # noqa: BLE001
            raise CaseError("run failed: " + str(e)) from None


def run_funcs(funcs: Sequence[Func], opt_cmd: Sequence[str],
              llvm_bin: str = DEFAULT_LLVM_BIN, fork: bool = True,
              isolate: bool = True, keep_dir: Optional[str] = None,
              timeout_s: int = 120, log=print, jobs: int = 2) -> List[Result]:
    """Compile every function into one module, run each once, one Result each."""
    results: List[Result] = []
    with Module(funcs, opt_cmd, llvm_bin, fork, isolate, keep_dir, timeout_s, log,
                jobs) as mod:
        for i in range(len(funcs)):
            try:
                results.append(Result(outputs=mod.run(i)))
            except CaseError as e:
                results.append(Result(error=str(e)))
    return results


def add_common_args(ap, default_opt_env: str = "HYBRID_OPT"):
    ap.add_argument("--hybrid-opt", default=os.environ.get(default_opt_env),
                    help="path of hybrid-opt (default: $HYBRID_OPT)")
    ap.add_argument("--opt-cmd", default=None,
                    help="full lowering command (shell-quoted) used instead of "
                         "'<hybrid-opt> --hybrid-reference-pipeline'; the harness "
                         "appends 'in.mlir -o lowered.mlir'")
    ap.add_argument("--llvm-bin", default=DEFAULT_LLVM_BIN)
    ap.add_argument("--keep", default=None, metavar="DIR",
                    help="keep the intermediate files in DIR")
    ap.add_argument("--no-fork", action="store_true",
                    help="run cases in this process (a crash stops everything)")
    ap.add_argument("--zero-outputs", action="store_true",
                    help="pass zero-filled output buffers instead of NaN/garbage-"
                         "filled ones (by default an op must write every output "
                         "element and never read its destinations)")
    ap.add_argument("--no-isolate", action="store_true",
                    help="on a module compile failure, do not compile cases one by one")


def opt_command(args) -> List[str]:
    if args.opt_cmd:
        return shlex.split(args.opt_cmd)
    if not args.hybrid_opt:
        raise SystemExit("error: give --hybrid-opt PATH (or set HYBRID_OPT), or --opt-cmd")
    # Compiles run in a temporary folder: resolve the tool first.
    tool = args.hybrid_opt
    if os.path.exists(tool):
        tool = os.path.abspath(tool)
    else:
        tool = shutil.which(tool) or tool
    return [tool, "--hybrid-reference-pipeline"]
