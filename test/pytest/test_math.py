"""The CPU pipeline's polynomial math (hybrid-approximate-math) against
Python's double-precision functions on dense grids: erf (one rational
function of x^2, our own fit) and GELU through it, with NaN and infinities."""
import math

import numpy as np
from onnx import TensorProto, helper

import hybrid


def _unary(op, opset=21, **attrs):
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    graph = helper.make_graph([node], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_erf_accuracy():
    x = np.linspace(-8, 8, 400_001, dtype=np.float32)
    want = np.array([math.erf(v) for v in x.astype(np.float64)])
    got = hybrid.compile(_unary("Erf"))(x)
    err = np.abs(got.astype(np.float64) - want)
    # The fit's bound in f32 with FMAs is 2.9e-7 (about 5 ulp near 1).
    assert err.max() < 4e-7, (float(err.max()), float(x[err.argmax()]))
    # Odd, and exactly 0 at 0; tiny arguments keep their relative accuracy.
    np.testing.assert_array_equal(got, -got[::-1])
    tiny = np.array([1e-30, -3e-20, 1e-10, 2e-6], dtype=np.float32)
    got_tiny = hybrid.compile(_unary("Erf"))(tiny)
    np.testing.assert_allclose(got_tiny, [math.erf(v) for v in tiny.astype(np.float64)], rtol=4e-7)


def test_erf_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 4.0, -4.0, 1e30, 0.0], dtype=np.float32)
    got = hybrid.compile(_unary("Erf"))(x)
    assert np.isnan(got[0])
    np.testing.assert_allclose(got[1:], [1, -1, 1, -1, 1, 0], atol=1e-7)


def test_gelu_accuracy():
    x = np.linspace(-10, 10, 200_001, dtype=np.float32)
    want = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(np.float64)])
    got = hybrid.compile(_unary("Gelu", opset=20))(x)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)
