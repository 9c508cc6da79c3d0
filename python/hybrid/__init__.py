"""Hybrid's Python package: compile ONNX models of hybrid networks and run them.

    import hybrid
    m = hybrid.compile("model.onnx")          # path, bytes or onnx.ModelProto
    y = m(x=np.random.rand(2, 64).astype(np.float32))
    m.save("model.so")                        # AOT library + model.h
    m2 = hybrid.load("model.so")

The compiler and runtime are the `_hybrid` extension (built by `pip install .`
or into build/python by CMake); `hybrid.zoo` (the model zoo) and
`hybrid.onnx_ops` (Hybrid's own ONNX ops and their NumPy references) are plain
Python and work without it. docs/python.md is the guide.
"""
import importlib

_API = {
    "compile": "api", "compile_to": "api", "load": "api", "CompiledModule": "api",
    "TensorSpec": "api", "IR_STAGES": "api",
    "Decoder": "decode", "state_names": "decode", "past_name": "decode",
    "HybridError": "errors", "CompileError": "errors", "Diagnostic": "errors",
    "InvalidArgumentError": "errors", "NotFoundError": "errors", "LoadError": "errors",
    "OutOfMemoryError": "errors", "InternalError": "errors",
}

__all__ = sorted(_API)


def __getattr__(name):
    # The API loads on first use, so the zoo runs where the extension is not
    # built; without it, `hybrid.compile` raises ImportError saying so.
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'hybrid' has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    except ImportError as e:
        if "_hybrid" not in str(e):
            raise
        raise ImportError(f"hybrid.{name} needs the compiled extension hybrid._hybrid, which "
                          "is not built here: `pip install .` from the repository, or build "
                          "the CMake target hybrid-python and put build/python on "
                          "PYTHONPATH") from e
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_API))
