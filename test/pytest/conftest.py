"""pytest setup for the Python API tests (test/Python/pytest.test runs them).

`hybrid` must be importable with its extension: the build tree's
build/python (lit puts it on PYTHONPATH) or an installed package. The helpers
of test/onnx (onnxruntime runs, the closeness check) are shared with the lit
suite's zoo check.
"""
import os
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "onnx"))


@pytest.fixture
def rng(request):
    # A fresh seed per test, printed on failure, so runs differ but replay.
    seed = int.from_bytes(os.urandom(4), "little")
    request.node.user_properties.append(("seed", seed))
    return np.random.default_rng(seed)


def make_mlp(path=None, name_prefix=""):
    """y = Relu(x @ W + b) @ W2: one float32 input x [batch, 16], one output."""
    g = np.random.default_rng(7)
    w = g.standard_normal((16, 32)).astype(np.float32)
    b = g.standard_normal(32).astype(np.float32)
    w2 = g.standard_normal((32, 8)).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["h"], name=name_prefix + "mm1"),
        helper.make_node("Add", ["h", "b"], ["hb"], name=name_prefix + "bias"),
        helper.make_node("Relu", ["hb"], ["r"], name=name_prefix + "relu"),
        helper.make_node("MatMul", ["r", "w2"], ["y"], name=name_prefix + "mm2"),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])],
        [onnx.numpy_helper.from_array(w, "w"), onnx.numpy_helper.from_array(b, "b"),
         onnx.numpy_helper.from_array(w2, "w2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if path:
        onnx.save(model, path)
    return model


def mlp_reference(model, x):
    import onnxruntime as ort
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x})[0]


@pytest.fixture(scope="session")
def mlp_model():
    return make_mlp()
