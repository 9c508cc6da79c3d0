"""The compile API: `hybrid.compile`, `hybrid.load`, `hybrid.compile_to` and
`CompiledModule`. docs/python.md is the user guide.

Compiling goes through the C++ compiler facade (include/hybrid/Compiler.h) and
calls go through the C runtime, both in the `_hybrid` extension; this file is
the Python-side convenience: models as paths, bytes or `onnx.ModelProto`,
inputs by position or name, NumPy and DLPack tensors, exceptions.
"""
import os
import re
import shutil
import tempfile
import threading
import weakref
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _hybrid
from .errors import (CompileError, Diagnostic, HybridError, InvalidArgumentError,
                     NotFoundError)

__all__ = ["compile", "compile_to", "load", "CompiledModule", "TensorSpec", "IR_STAGES"]

#: The stages `CompiledModule.ir` can show, in pipeline order.
IR_STAGES: Tuple[str, ...] = tuple(_hybrid.IR_STAGES)

# hybrid_dtype codes (ONNX's TensorProto numbering) and the NumPy types that
# carry them. bfloat16 comes from ml_dtypes (an onnx dependency) when present;
# 4-bit types travel one element per byte.
_NUMPY_OF_CODE: Dict[int, Any] = {
    1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32,
    7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32,
    13: np.uint64, 21: np.uint8, 22: np.int8,
}
try:  # pragma: no cover - depends on the environment
    import ml_dtypes
    _NUMPY_OF_CODE[16] = ml_dtypes.bfloat16
except ImportError:  # pragma: no cover
    pass
_CODE_OF_NUMPY = {np.dtype(t): c for c, t in _NUMPY_OF_CODE.items() if c not in (21, 22)}
_CODE_NAMES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32",
               7: "int64", 9: "bool", 10: "float16", 11: "float64", 12: "uint32",
               13: "uint64", 16: "bfloat16", 21: "uint4", 22: "int4"}

_COMPILE_OPTIONS = {
    "cpu": str, "features": str, "opt_level": int, "module_name": str, "linker": str,
    "parallel": bool, "instrument_kernels": bool, "external_weights": bool,
    "fuse_elementwise": bool, "fuse_epilogues": bool, "vectorize": bool, "flash_attention": bool,
    "raise_patterns": bool, "route_moe": bool,
    "approximate_math": bool,
    "external_weights_min_bytes": int,
    "report": (str, os.PathLike),
    # target="cuda" only
    "gpu_arch": str, "cuda_toolkit": str, "gpu_block_size": int,
}
_CUDA_ONLY = ("gpu_arch", "cuda_toolkit", "gpu_block_size")


class TensorSpec(NamedTuple):
    """An input or output of a compiled function. `shape` holds an int for a
    fixed dim, the dim's name ("batch") for a named dynamic one, else None."""
    name: str
    dtype: str
    shape: Tuple[Union[int, str, None], ...]


def _read_model(model) -> Tuple[bytes, str, Optional[str]]:
    """(serialized ModelProto, the name for messages, the file path or None)."""
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        with open(path, "rb") as f:  # FileNotFoundError names the path
            return f.read(), path, path
    if isinstance(model, (bytes, bytearray, memoryview)):
        return bytes(model), "<bytes>", None
    if hasattr(model, "SerializeToString"):  # onnx.ModelProto
        name = getattr(getattr(model, "graph", None), "name", "") or "ModelProto"
        return model.SerializeToString(), f"<{name}>", None
    raise TypeError("model must be a path, bytes or an onnx.ModelProto, not "
                    f"{type(model).__name__}")


def _compile_options(target: str, input_shapes, options: Dict[str, Any]) -> Dict[str, Any]:
    if target != "cpu" and target != "cuda":
        raise ValueError(f"unknown target {target!r} (expected 'cpu' or 'cuda')")
    out: Dict[str, Any] = {"target": target}
    for key, value in options.items():
        kind = _COMPILE_OPTIONS.get(key)
        if kind is None:
            raise TypeError(f"unknown compile option {key!r} (known: "
                            f"{', '.join(sorted(_COMPILE_OPTIONS))})")
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"compile option {key!r} takes an int, not {value!r}")
        if kind is not int and not isinstance(value, kind):
            what = "path" if isinstance(kind, tuple) else kind.__name__
            raise TypeError(f"compile option {key!r} takes a {what}, not {value!r}")
        if key in _CUDA_ONLY and target != "cuda":
            raise TypeError(f"compile option {key!r} applies to target='cuda' only")
        out[key] = os.fspath(value) if key == "report" else value
    if "opt_level" in out and not 0 <= out["opt_level"] <= 3:
        raise ValueError(f"opt_level must be 0-3, not {out['opt_level']}")
    if input_shapes is not None:
        if not isinstance(input_shapes, dict):
            raise TypeError("input_shapes must map input names to shapes")
        shapes = {}
        for name, shape in input_shapes.items():
            dims = []
            for d in shape:
                if d is None or d == -1:
                    dims.append(-1)
                elif isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0:
                    dims.append(int(d))
                else:
                    raise ValueError(f"input_shapes[{name!r}]: {d!r} is not a dim "
                                     "(an int >= 0, or None for a dynamic one)")
            shapes[str(name)] = dims
        out["input_shapes"] = shapes
    return out


def _module_name(label: str, options: Dict[str, Any]) -> str:
    if options.get("module_name"):
        return options["module_name"]
    stem = os.path.splitext(os.path.basename(label.strip("<>")))[0]
    stem = re.sub(r"[^A-Za-z0-9_]", "_", stem) or "model"
    return stem if not stem[0].isdigit() else "m_" + stem


def _raise_for(diagnostics) -> None:
    raise CompileError([Diagnostic(*d) for d in diagnostics])


def compile_to(model, output: Union[str, os.PathLike], *, emit: str = "lib",
               target: str = "cpu", input_shapes=None, **options) -> None:
    """Compiles `model` and writes `output` as `hybrid-opt --target=cpu
    --emit=EMIT -o OUTPUT` would: "lib" a shared library plus its C header
    (model.so -> model.h, and model.weights with external_weights=True);
    "staticlib" an archive plus header; "obj", "llvm" or "mlir"."""
    data, label, _ = _read_model(model)
    opts = _compile_options(target, input_shapes, options)
    output = os.fspath(output)
    ok, diags = _hybrid.compile(data, label, opts, output, emit)
    if not ok:
        _raise_for(diags)


def compile(model, target: str = "cpu", input_shapes=None, *, threads: Optional[int] = None,
            **options) -> "CompiledModule":
    """Compiles an ONNX model (a path, bytes or an onnx.ModelProto) and loads it.

    `input_shapes` pins graph input shapes ({"input_ids": (1, None)}; None keeps
    a dim dynamic). `threads` sizes the thread pool of the module's calls (None:
    the pool of one thread per CPU that such modules share; 0: a pool of one
    per CPU of its own; 1: every call on its calling thread). Other keywords are
    compiler options: cpu ("host", "x86-64-v3", ...), features, opt_level,
    module_name, parallel, instrument_kernels, fuse_elementwise, fuse_epilogues, vectorize,
    flash_attention, raise_patterns, route_moe, approximate_math, external_weights,
    external_weights_min_bytes, and report (a path: also write the compile report,
    an HTML page of what was raised, fused and routed, and why). Raises
    CompileError (with the ONNX node) when the compiler rejects the model."""
    data, label, path = _read_model(model)
    opts = _compile_options(target, input_shapes, options)
    name = _module_name(label, opts)
    workdir = tempfile.mkdtemp(prefix="hybrid-")
    try:
        library = os.path.join(workdir, name + ".so")
        ok, diags = _hybrid.compile(data, label, opts, library, "lib")
        if not ok:
            _raise_for(diags)
        module = CompiledModule(library, threads=threads)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    module._take_workdir(workdir)
    # ir() compiles again from the source: a file is re-read, bytes are kept.
    module._source = (path, None if path else data, label, opts)
    return module


def load(path: Union[str, os.PathLike], *, weights: Optional[str] = None,
         threads: Optional[int] = None, function: Optional[str] = None) -> "CompiledModule":
    """Loads a library that `hybrid.compile_to`, `CompiledModule.save` or
    `hybrid-opt --target=cpu` wrote. `weights` is the side file of a library
    compiled with external weights (default: the one next to it)."""
    return CompiledModule(os.fspath(path), weights=weights, threads=threads, function=function)


class CompiledModule:
    """A compiled model, loaded. Call it with NumPy arrays or DLPack tensors
    (PyTorch tensors work), positionally or by input name: `m(x)`, `m(x=a)`.
    It returns the same kind of tensor: one for one output, else a tuple in the
    graph's output order. Calls from several threads at once are safe; the GIL
    is released while a call runs."""

    def __init__(self, path: str, *, weights: Optional[str] = None,
                 threads: Optional[int] = None, function: Optional[str] = None):
        if threads is not None and (not isinstance(threads, int) or threads < 0):
            raise ValueError(f"threads must be an int >= 0 (0: one per CPU), not {threads!r}")
        if not os.path.exists(path):
            raise FileNotFoundError(2, "No such file", path)
        self._path = os.path.abspath(path)
        self._lib = _hybrid.Library(self._path, weights)
        self._weights = weights
        desc = self._lib.describe()
        self.name: str = desc["name"]
        self.producer: str = desc["producer"]
        self._functions = desc["functions"]
        self._weights_file: Optional[str] = desc.get("weights_file") or None
        names = [f["name"] for f in self._functions]
        if function is None:
            self._index = 0
        elif function in names:
            self._index = names.index(function)
        else:
            raise NotFoundError(f"{path}: no function '{function}' (it has: {', '.join(names)})")
        fn = self._functions[self._index]
        self.function: str = fn["name"]
        self.inputs: Tuple[TensorSpec, ...] = tuple(_spec(t) for t in fn["inputs"])
        self.outputs: Tuple[TensorSpec, ...] = tuple(_spec(t) for t in fn["outputs"])
        self.input_names: Tuple[str, ...] = tuple(t.name for t in self.inputs)
        self.output_names: Tuple[str, ...] = tuple(t.name for t in self.outputs)
        self._in_codes = [t["dtype"] for t in fn["inputs"]]
        # The NumPy dtype of each input for the fast path of calls; None when
        # an input has no NumPy type of its own (4-bit integers, bfloat16
        # without ml_dtypes), which takes the checked path.
        codes_with_type = set(_CODE_OF_NUMPY.values())
        dtypes = [np.dtype(_NUMPY_OF_CODE[c]) if c in codes_with_type else None
                  for c in self._in_codes]
        self._in_dtypes = None if None in dtypes else dtypes
        if threads is None:
            self._executor = _default_executor()
        else:
            self._executor = None if threads == 1 else _hybrid.Executor(threads)
        self._source = None

    def _take_workdir(self, workdir: str) -> None:
        # The temporary directory goes with the module (or at exit).
        weakref.finalize(self, shutil.rmtree, workdir, True)

    @property
    def path(self) -> str:
        """The loaded library (a temporary file for a module from compile())."""
        return self._path

    @property
    def threads(self) -> int:
        """Threads a call's parallel loops use, the calling one included."""
        return self._executor.num_threads if self._executor else 1

    def __repr__(self):
        ins = ", ".join(f"{t.name}: {t.dtype}{list(t.shape)}" for t in self.inputs)
        outs = ", ".join(f"{t.name}: {t.dtype}{list(t.shape)}" for t in self.outputs)
        return f"<hybrid.CompiledModule {self.name}.{self.function}({ins}) -> ({outs})>"

    # -- calls ---------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        outputs, wrap, _ = self._run(args, kwargs, True, False)
        if wrap is _identity:
            return outputs[0] if len(outputs) == 1 else tuple(outputs)
        results = tuple(wrap(o) for o in outputs)
        return results[0] if len(results) == 1 else results

    def run(self, inputs: Union[Sequence[Any], Dict[str, Any]], *,
            memory_plan: bool = True, with_stats: bool = False):
        """Calls the function on `inputs` (a sequence in input order, or a dict
        by name) and returns {output name: tensor}; with `with_stats`, also the
        call's statistics ({output: tensor}, {"peak_bytes": ..., ...}: see
        hybrid_call_stats_t). `memory_plan=False` allocates every buffer on its
        own instead of through the runtime's memory plan."""
        if isinstance(inputs, dict):
            outputs, wrap, stats = self._run((), inputs, memory_plan, with_stats)
        else:
            outputs, wrap, stats = self._run(tuple(inputs), {}, memory_plan, with_stats)
        if wrap is _identity:
            result = dict(zip(self.output_names, outputs))
        else:
            result = {n: wrap(o) for n, o in zip(self.output_names, outputs)}
        return (result, stats) if with_stats else result

    def _run(self, args, kwargs, memory_plan, with_stats):
        names = self.input_names
        # The common call, every input a C-contiguous ndarray of its declared
        # dtype passed by name, takes no detour through the checks below (a
        # decode step's inputs are checked in a few hundred nanoseconds).
        if not args and len(kwargs) == len(names) and self._in_dtypes is not None:
            try:
                arrays = [kwargs[n] for n in names]
            except KeyError:
                arrays = None
            if arrays is not None and all(
                    type(a) is np.ndarray and a.dtype == dtype and a.flags.c_contiguous
                    for a, dtype in zip(arrays, self._in_dtypes)):
                raw, stats = self._lib.call(self._index, arrays, self._in_codes, self._executor,
                                            memory_plan, with_stats)
                return _outputs(raw), _identity, stats
        if len(args) > len(names):
            raise TypeError(f"{self.name}.{self.function}() takes {len(names)} inputs "
                            f"({', '.join(names)}), {len(args)} given")
        values: List[Any] = list(args) + [None] * (len(names) - len(args))
        given = [i < len(args) for i in range(len(names))]
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{self.name}.{self.function}() has no input {key!r} "
                                f"(inputs: {', '.join(names)})")
            i = names.index(key)
            if given[i]:
                raise TypeError(f"input {key!r} given twice")
            values[i], given[i] = value, True
        missing = [n for n, g in zip(names, given) if not g]
        if missing:
            raise TypeError(f"{self.name}.{self.function}() is missing input(s) "
                            f"{', '.join(missing)}")
        arrays, codes, maker = [], [], None
        for spec, code, value in zip(self.inputs, self._in_codes, values):
            array, from_dlpack = _as_array(spec.name, value)
            if maker is None and from_dlpack is not None:
                maker = from_dlpack
            arrays.append(array)
            codes.append(_code_for(spec.name, array, code))
        raw, stats = self._lib.call(self._index, arrays, codes, self._executor, memory_plan,
                                    with_stats)
        return _outputs(raw), (maker if maker is not None else _identity), stats

    # -- artifacts -----------------------------------------------------------

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the AOT library to `path` with its C header next to it
        (model.so -> model.h) and, for a library with external weights, its
        weights file (under the name the library records). The header's C
        identifiers use the module name (`self.name`). Each file goes through a
        temporary file and a rename."""
        path = os.path.abspath(os.fspath(path))
        if os.path.isdir(path):
            raise IsADirectoryError(21, "Is a directory", path)
        if not os.path.isdir(os.path.dirname(path)):
            raise FileNotFoundError(2, "No such directory", os.path.dirname(path))
        src_header = os.path.splitext(self._path)[0] + ".h"
        copies = [(self._path, path)]
        if os.path.exists(src_header):
            copies.append((src_header, os.path.splitext(path)[0] + ".h"))
        if self._weights_file:
            src = self._weights or os.path.join(os.path.dirname(self._path), self._weights_file)
            copies.append((src, os.path.join(os.path.dirname(path), self._weights_file)))
        source = self._source[0] if self._source else None
        for src, dst in copies:
            if os.path.abspath(src) == dst:
                continue
            if source and os.path.exists(dst) and os.path.samefile(source, dst):
                raise HybridError(f"saving to '{dst}' would overwrite the model it was "
                                  "compiled from")
        for src, dst in copies:
            if os.path.abspath(src) == dst:
                continue
            tmp = f"{dst}.tmp-{os.getpid()}"
            try:
                shutil.copyfile(src, tmp)
                shutil.copymode(src, tmp)
                os.replace(tmp, dst)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)

    def ir(self, stage: str = "hybrid") -> str:
        """The model's IR at a pipeline stage: "onnx" (as imported), "hybrid"
        (converted to hybrid and upstream ops), "llvm-dialect" (after the CPU
        pipeline) or "llvm" (optimised LLVM IR). Compiles again from the model,
        with the same options; a module from `hybrid.load` has no model."""
        if stage not in IR_STAGES:
            raise ValueError(f"unknown IR stage {stage!r} (expected one of "
                             f"{', '.join(IR_STAGES)})")
        if self._source is None:
            raise HybridError(f"{self._path} was loaded from a library: its IR is not kept "
                              "(compile the model with hybrid.compile to see it)")
        path, data, label, opts = self._source
        if data is None:
            with open(path, "rb") as f:
                data = f.read()
        ok, diags, text = _hybrid.ir(data, label, opts, stage)
        if not ok:
            _raise_for(diags)
        return text


_DEFAULT_EXECUTOR = None
_DEFAULT_EXECUTOR_LOCK = threading.Lock()


def _default_executor():
    """The thread pool (one thread per CPU) that modules loaded without
    `threads` share, so that many modules do not mean many pools."""
    global _DEFAULT_EXECUTOR
    with _DEFAULT_EXECUTOR_LOCK:
        if _DEFAULT_EXECUTOR is None:
            _DEFAULT_EXECUTOR = _hybrid.Executor(0)
        return _DEFAULT_EXECUTOR


def _identity(a):
    return a


def _spec(t) -> TensorSpec:
    return TensorSpec(t["name"], _CODE_NAMES.get(t["dtype"], f"dtype{t['dtype']}"),
                      tuple(t["shape"]))


def _as_array(name: str, value):
    """(a C-contiguous ndarray over `value`, the from_dlpack that makes outputs
    of the caller's kind, or None for NumPy)."""
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value), None
    if hasattr(value, "__dlpack__") and not isinstance(value, (np.generic, bool, int, float)):
        try:
            array = np.from_dlpack(value)
        except (TypeError, RuntimeError, BufferError) as e:
            raise InvalidArgumentError(f"input '{name}': cannot read the "
                                       f"{type(value).__name__} through DLPack ({e})") from e
        library = __import__(type(value).__module__.split(".")[0])
        maker = getattr(library, "from_dlpack", None)
        return np.ascontiguousarray(array), maker
    try:
        array = np.asarray(value)
    except Exception as e:
        raise InvalidArgumentError(f"input '{name}': {type(value).__name__} is not an array "
                                   f"({e})") from e
    return np.ascontiguousarray(array), None


def _code_for(name: str, array: np.ndarray, expected: int) -> int:
    if expected in (21, 22) and array.dtype == np.dtype(_NUMPY_OF_CODE[expected]):
        return expected  # 4-bit values, one per byte
    code = _CODE_OF_NUMPY.get(array.dtype)
    if code is None:
        raise InvalidArgumentError(f"input '{name}': NumPy dtype {array.dtype} has no "
                                   f"Hybrid equivalent (expected "
                                   f"{_CODE_NAMES.get(expected, expected)})")
    return code


def _outputs(raw) -> List[np.ndarray]:
    """The call's outputs: arrays as the extension made them, or viewed here
    for the dtypes NumPy lacks (the extension's (code, shape, bytes) tuples)."""
    if all(type(o) is np.ndarray for o in raw):
        return raw
    return [o if type(o) is np.ndarray else _view(*o) for o in raw]


def _view(code: int, shape, raw: np.ndarray) -> np.ndarray:
    dtype = _NUMPY_OF_CODE.get(code)
    if dtype is None:
        raise HybridError(f"output dtype code {code} has no NumPy type (install ml_dtypes "
                          "for bfloat16)")
    return raw.view(dtype).reshape(shape)
