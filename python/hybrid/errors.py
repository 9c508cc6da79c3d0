"""Exceptions of the Python API.

Every error Hybrid raises is a `HybridError`. The runtime's status codes map to
subclasses that also derive from the matching built-in exception, so code that
catches `ValueError` or `OSError` keeps working:

    HybridError
    +-- CompileError            the compiler rejected the model (.diagnostics, .node)
    +-- InvalidArgumentError    ValueError: an input's dtype, rank, dim or count
    +-- NotFoundError           KeyError: no such function in the library
    +-- LoadError               OSError: a library or weights file cannot be loaded
    +-- OutOfMemoryError        MemoryError
    +-- InternalError           RuntimeError: compiled code broke its contract

Mistakes in how a Python function is called (an unknown keyword, a missing or
repeated input) raise `TypeError`, as Python does.
"""
from typing import List, NamedTuple


class HybridError(Exception):
    """Base of every error Hybrid raises."""


class Diagnostic(NamedTuple):
    """One compiler message. `node` is the ONNX node it is about ('' if none),
    `file` the model's path as given."""
    severity: str
    message: str
    file: str
    node: str

    def __str__(self):
        where = f"{self.file}: " if self.file else ""
        node = f" [node {self.node}]" if self.node and self.node not in self.message else ""
        return f"{where}{self.severity}: {self.message}{node}"


class CompileError(HybridError):
    """The compiler rejected the model. `diagnostics` holds every message;
    `file` is the first error's, `node` the ONNX node of the first error (or,
    for a summary such as "2 nodes cannot be converted", of its first note),
    and `nodes` every node the messages name, in order."""

    def __init__(self, diagnostics: List[Diagnostic]):
        self.diagnostics = list(diagnostics)
        first = next((i for i, d in enumerate(self.diagnostics) if d.severity == "error"), None)
        if first is None:
            self.diagnostics.insert(0, Diagnostic("error", "compilation failed", "", ""))
            first = 0
        self.file = self.diagnostics[first].file
        self.node = self.diagnostics[first].node
        for d in self.diagnostics[first + 1:]:
            if self.node or d.severity != "note":
                break
            self.node = d.node
        self.nodes = list(dict.fromkeys(d.node for d in self.diagnostics if d.node))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class InvalidArgumentError(HybridError, ValueError):
    """An input the compiled function cannot take: dtype, rank, dim or count."""


class NotFoundError(HybridError, KeyError):
    """No function of that name in the library."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class LoadError(HybridError, OSError):
    """A library (or its weights file) cannot be loaded, or is not Hybrid's."""


class OutOfMemoryError(HybridError, MemoryError):
    """The runtime could not allocate memory."""


class InternalError(HybridError, RuntimeError):
    """The compiled code broke its own contract (a bug: please report it)."""


_BY_CODE = {
    1: InvalidArgumentError,
    2: NotFoundError,
    3: LoadError,
    4: OutOfMemoryError,
    5: InternalError,
}


def error_for_code(code: int) -> type:
    """The exception class for a runtime status code (hybrid_status_code)."""
    return _BY_CODE.get(code, HybridError)
