"""A small ONNX graph builder for the model zoo.

It names nodes and values the way torch.onnx does (``/layers.0/mixer/MatMul`` and
``/layers.0/mixer/MatMul_output_0``), so error messages about a zoo model point at
a readable place, and it draws every weight from a generator seeded by the weight's
name. The fused and the decomposed form of a model therefore hold the same weights
whenever they ask for the same names, which is what lets one form check the other.
"""
import contextlib
import zlib
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64
BOOL = TensorProto.BOOL

Shape = Sequence[Union[int, str, None]]


class Weights:
    """Random parameters, each drawn from its own generator seeded by (seed, name)."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self._cache: Dict[str, np.ndarray] = {}

    def _rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])

    def _get(self, name, make):
        if name not in self._cache:
            self._cache[name] = np.ascontiguousarray(make(self._rng(name)), dtype=np.float32)
        return self._cache[name]

    def normal(self, name: str, shape: Sequence[int], std: float) -> np.ndarray:
        return self._get(name, lambda r: r.normal(0.0, std, size=tuple(shape)))

    def uniform(self, name: str, shape: Sequence[int], lo: float, hi: float) -> np.ndarray:
        return self._get(name, lambda r: r.uniform(lo, hi, size=tuple(shape)))

    def linear(self, name: str, din: int, dout: int) -> np.ndarray:
        """A [din, dout] MatMul weight with 1/sqrt(din) scale (outputs stay O(1))."""
        return self.normal(name, (din, dout), 1.0 / np.sqrt(din))

    def norm(self, name: str, dim: int) -> np.ndarray:
        """A normalization scale near one."""
        return self._get(name, lambda r: 1.0 + 0.1 * r.standard_normal(dim))


class Graph:
    """Collects nodes, initializers and graph inputs/outputs.

    A subgraph (a Scan body) is made with :meth:`subgraph`; its constants and
    parameters go to the root graph's initializers, which the body reads from the
    outer scope, as exporters write them.
    """

    def __init__(self, name: str, weights: Weights, parent: Optional["Graph"] = None,
                 function: bool = False):
        self.name = name
        self.weights = weights
        self.parent = parent
        self.root: Graph = parent.root if parent else self
        self.nodes: List[onnx.NodeProto] = []
        self.inputs: List[onnx.ValueInfoProto] = []
        self.outputs: List[onnx.ValueInfoProto] = []
        self.initializers: List[onnx.TensorProto] = []
        self.domains: Dict[str, int] = {}
        self._scope: List[str] = list(parent._scope) if parent else []
        self._used: Dict[str, int] = parent.root._used if parent else {}
        self._consts: Dict[tuple, str] = {}
        self._init_names: Dict[str, np.ndarray] = {}
        # A FunctionProto body sees no outer scope: its constants are Constant nodes.
        self.function = function
        self.functions: List[onnx.FunctionProto] = []

    # -- names ---------------------------------------------------------------
    @contextlib.contextmanager
    def scope(self, name: str):
        self._scope.append(name)
        try:
            yield
        finally:
            self._scope.pop()

    def _unique(self, base: str) -> str:
        n = self._used.get(base, 0)
        self._used[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    # -- values --------------------------------------------------------------
    def op(self, op_type: str, *inputs: Optional[str], outputs: int = 1, domain: str = "",
           **attrs) -> Union[str, List[str]]:
        """Appends a node; returns its output name (or names when outputs > 1)."""
        inputs = list(inputs)
        while inputs and inputs[-1] is None:  # trailing optional inputs are left out
            inputs.pop()
        name = self._unique("/" + "/".join(self._scope + [op_type]))
        outs = [f"{name}_output_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, ["" if i is None else i for i in inputs], outs,
                                           name=name, domain=domain or None,
                                           **{k: v for k, v in attrs.items() if v is not None}))
        if domain:
            self.root.domains[domain] = 1
        return outs[0] if outputs == 1 else outs

    def param(self, name: str, value: np.ndarray) -> str:
        """An initializer named `name` (a model parameter)."""
        root = self.root
        if name in root._init_names:
            if root._init_names[name] is not value and not np.array_equal(root._init_names[name], value):
                raise ValueError(f"parameter {name} defined twice with different values")
            return name
        root._init_names[name] = value
        root.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def const(self, value, dtype=None) -> str:
        """An unnamed constant (shared between uses with the same value)."""
        arr = np.asarray(value, dtype=dtype)
        if self.function:
            key = (arr.dtype.str, arr.shape, arr.tobytes())
            if key not in self._consts:
                self._consts[key] = self.op("Constant", value=numpy_helper.from_array(arr))
            return self._consts[key]
        root = self.root
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        if key not in root._consts:
            root._consts[key] = self.param(root._unique("const"), arr)
        return root._consts[key]

    def i64(self, *values: int) -> str:
        return self.const(np.array(values, dtype=np.int64))

    def f32(self, value: float) -> str:
        return self.const(np.array(value, dtype=np.float32))

    def input(self, name: str, shape: Shape, elem: int = FLOAT) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem, None if shape is None else list(shape)))
        return name

    def output(self, value: str, name: str, shape: Optional[Shape] = None, elem: int = FLOAT) -> str:
        """Exposes `value` as graph output `name` (through an Identity when renamed)."""
        if value != name:
            self.nodes.append(helper.make_node("Identity", [value], [name],
                                               name=self._unique(f"/{name}/Identity")))
        self.outputs.append(helper.make_tensor_value_info(name, elem, None if shape is None else list(shape)))
        return name

    def subgraph(self, name: str) -> "Graph":
        return Graph(name, self.weights, parent=self)

    def function_body(self, name: str) -> "Graph":
        """A graph whose nodes become a model-local function (see add_function)."""
        return Graph(name, self.weights, parent=self, function=True)

    def add_function(self, body: "Graph", domain: str, opset: int) -> None:
        """Makes `body` the model-local function `domain`.`body.name` (inputs and
        outputs by name, as torch.onnx's dynamo exporter writes loop bodies)."""
        fn = helper.make_function(domain, body.name, [i.name for i in body.inputs],
                                  [o.name for o in body.outputs], body.nodes,
                                  [helper.make_opsetid("", opset)])
        self.root.functions.append(fn)
        self.root.domains[domain] = 1

    def graph_proto(self) -> onnx.GraphProto:
        return helper.make_graph(self.nodes, self.name, self.inputs, self.outputs,
                                 self.initializers if self.parent is None else [])

    def model(self, opset: int, producer: str = "hybrid.zoo") -> onnx.ModelProto:
        opsets = [helper.make_opsetid("", opset)]
        opsets += [helper.make_opsetid(d, v) for d, v in sorted(self.domains.items())]
        m = helper.make_model(self.graph_proto(), opset_imports=opsets, producer_name=producer,
                              functions=self.functions)
        m.ir_version = 10
        return m

    # -- common idioms ---------------------------------------------------------
    def shape_dim(self, x: str, axis: int) -> str:
        """Shape(x)[axis] as a 1-element int64 tensor."""
        return self.op("Shape", x, start=axis, end=axis + 1)
