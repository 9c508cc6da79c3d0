"""com.microsoft MoE layers through the CPU pipeline's routed form
(hybrid-route-moe: top-k, dispatch, one matrix product per expert over its
rows with weights transposed at compile time, combine), against onnxruntime
and, with `route_moe=False`, against the per-token loops of hybrid.moe:
token counts from a decode step to several hundred (uneven groups, experts
with no rows), top-1 to top-4, SwiGLU with interleaved gate/up rows and
plain activations, with and without renormalised routing weights."""
import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import hybrid


def _model(rng, hd, inter, experts, k, act, normalize):
    """y = MoE(x [T, hd], router(x)) with random weights; the router is a
    MatMul so that routing depends on the input."""
    glu = act == "swiglu"
    fc1 = rng.standard_normal((experts, (2 if glu else 1) * inter, hd)).astype(np.float32)
    fc2 = rng.standard_normal((experts, hd, inter)).astype(np.float32)
    router = rng.standard_normal((hd, experts)).astype(np.float32)
    inits = [numpy_helper.from_array((fc1 / np.sqrt(hd)).astype(np.float32), "fc1"),
             numpy_helper.from_array((fc2 / np.sqrt(inter)).astype(np.float32), "fc2"),
             numpy_helper.from_array(router, "router")]
    attrs = dict(k=k, activation_type=act, normalize_routing_weights=int(normalize))
    if glu:
        attrs.update(swiglu_fusion=1, activation_alpha=1.0, activation_beta=0.0)
    nodes = [helper.make_node("MatMul", ["x", "router"], ["logits"]),
             helper.make_node("MoE", ["x", "logits", "fc1", "", "fc2"], ["y"],
                              domain="com.microsoft", **attrs)]
    graph = helper.make_graph(
        nodes, "moe", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["t", hd])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20),
                                                   helper.make_opsetid("com.microsoft", 1)])


def _close(got, want, tol=1e-4):
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


CASES = [
    # (tokens, hd, inter, experts, k, act, normalize)
    (1, 32, 48, 8, 2, "swiglu", True),       # a decode step: 2 rows, 6 empty experts
    (7, 24, 40, 4, 1, "swiglu", False),
    (64, 64, 96, 8, 2, "swiglu", True),      # the zoo block's sizes
    (300, 48, 80, 16, 4, "swiglu", True),    # many rows, uneven groups
    (37, 40, 56, 6, 3, "relu", False),
    (19, 16, 24, 5, 2, "silu", True),
]


@pytest.mark.parametrize("t,hd,inter,experts,k,act,normalize", CASES)
def test_moe(t, hd, inter, experts, k, act, normalize, rng):
    model = _model(rng, hd, inter, experts, k, act, normalize)
    x = rng.standard_normal((t, hd)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    _close(hybrid.compile(model)(x), want)
    _close(hybrid.compile(model, route_moe=False)(x), want)


def test_routed_ir_and_dynamic_tokens(rng):
    """One compiled module serves any token count; the routed form is what
    the pipeline compiles (and not with route_moe=False)."""
    model = _model(rng, 32, 64, 8, 2, "swiglu", True)
    m = hybrid.compile(model)
    # The kernel table names each kernel after its op.
    assert "hybrid.moe_topk" in m.ir("llvm-dialect")
    assert "hybrid.moe_topk" not in hybrid.compile(model, route_moe=False).ir("llvm-dialect")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for t in (1, 5, 130):
        x = rng.standard_normal((t, 32)).astype(np.float32)
        _close(m(x), sess.run(None, {"x": x})[0])
