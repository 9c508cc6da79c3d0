"""The raising passes on decomposed exports written here, node by node, in shapes
the lit tests do not use: the compiled model must contain the fused op (in the
"hybrid" IR stage), match onnxruntime on the decomposed graph, and match the same
model compiled with raise_patterns=False. Near misses must stay decomposed and
still be right."""
import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import hybrid


def _close(got, want, tol=1e-4):
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


def _const(name, value, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(value, dtype=dtype), name)


def _attention_block(variant, hidden=48, heads=3, kv_heads=3):
    """A self-attention block as exporters write it: projections, head split,
    q.kᵀ, scale, mask, softmax, times v, head merge. `variant` picks the scale,
    mask and layout forms."""
    d = hidden // heads
    rng = np.random.default_rng(11)
    w = {n: (rng.standard_normal((hidden, (heads if n == "q" else kv_heads) * d)) /
             np.sqrt(hidden)).astype(np.float32) for n in "qkv"}
    inits = [_const(f"w{n}", w[n]) for n in "qkv"]
    inits += [_const("shape_q", [0, 0, heads, d], np.int64),
              _const("shape_kv", [0, 0, kv_heads, d], np.int64),
              _const("shape_out", [0, 0, hidden], np.int64)]
    nodes = []
    for n, shape in (("q", "shape_q"), ("k", "shape_kv"), ("v", "shape_kv")):
        nodes += [helper.make_node("MatMul", ["x", f"w{n}"], [f"{n}_proj"]),
                  helper.make_node("Reshape", [f"{n}_proj", shape], [f"{n}_4d"])]
    nodes += [helper.make_node("Transpose", ["q_4d"], ["q"], perm=[0, 2, 1, 3]),
              helper.make_node("Transpose", ["v_4d"], ["v"], perm=[0, 2, 1, 3])]
    if variant == "kt_direct":
        # [B, S, H, D] straight to kᵀ [B, H, D, S].
        nodes.append(helper.make_node("Transpose", ["k_4d"], ["kt"], perm=[0, 2, 3, 1]))
    else:
        nodes += [helper.make_node("Transpose", ["k_4d"], ["k"], perm=[0, 2, 1, 3]),
                  helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2])]
    if variant == "sqrt_scale":
        inits.append(_const("quarter", d ** -0.25))
        nodes += [helper.make_node("Mul", ["q", "quarter"], ["q_s"]),
                  helper.make_node("Mul", ["kt", "quarter"], ["kt_s"]),
                  helper.make_node("MatMul", ["q_s", "kt_s"], ["scores"])]
        last = "scores"
    else:
        nodes.append(helper.make_node("MatMul", ["q", "kt"], ["scores"]))
        inits.append(_const("root", np.sqrt(d)))
        nodes.append(helper.make_node("Div", ["scores", "root"], ["scaled"]))
        last = "scaled"
    if variant in ("causal_add", "kt_direct"):
        # A float causal mask built from the sequence length: Trilu of ones,
        # 0 on and below the diagonal, the lowest float above.
        inits += [_const("zero", 0.0), _const("lowest", np.finfo(np.float32).min),
                  _const("one_axis", [1], np.int64)]
        nodes += [helper.make_node("Shape", ["x"], ["x_shape"], start=1, end=2),
                  helper.make_node("Concat", ["x_shape", "x_shape"], ["sq"], axis=0),
                  helper.make_node("ConstantOfShape", ["sq"], ["ones"],
                                   value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0])),
                  helper.make_node("Trilu", ["ones"], ["tril"], upper=0),
                  helper.make_node("Equal", ["tril", "zero"], ["above"]),
                  helper.make_node("Where", ["above", "lowest", "zero"], ["mask"]),
                  helper.make_node("Add", [last, "mask"], ["masked"])]
        last = "masked"
    elif variant == "bool_where":
        inits += [_const("ninf", -np.inf)]
        nodes += [helper.make_node("Where", ["keep", last, "ninf"], ["masked"])]
        last = "masked"
    nodes += [helper.make_node("Softmax", [last], ["probs"], axis=-1),
              helper.make_node("MatMul", ["probs", "v"], ["ctx"]),
              helper.make_node("Transpose", ["ctx"], ["ctx_t"], perm=[0, 2, 1, 3]),
              helper.make_node("Reshape", ["ctx_t", "shape_out"], ["y"])]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", hidden])]
    if variant == "bool_where":
        inputs.append(helper.make_tensor_value_info("keep", TensorProto.BOOL, ["batch", 1, 1, "seq"]))
    graph = helper.make_graph(nodes, "block", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("variant", ["causal_add", "sqrt_scale", "kt_direct", "bool_where"])
def test_raise_attention(variant, rng):
    model = _attention_block(variant)
    raised = hybrid.compile(model)
    assert "hybrid.attention" in raised.ir("hybrid")
    plain = hybrid.compile(model, raise_patterns=False)
    assert "hybrid.attention" not in plain.ir("hybrid")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for batch, seq in [(1, 5), (2, 19), (1, 70)]:
        feeds = {"x": rng.standard_normal((batch, seq, 48)).astype(np.float32)}
        if variant == "bool_where":
            keep = rng.random((batch, 1, 1, seq)) < 0.7
            keep[..., 0] = True   # every row sees a key
            feeds["keep"] = keep
        want = sess.run(None, feeds)[0]
        _close(raised(**feeds), want)
        _close(plain(**feeds), want)


def test_raise_attention_keeps_probs_output(rng):
    # The probabilities are also a graph output: nothing is raised, and both
    # outputs stay right.
    model = _attention_block("sqrt_scale")
    model.graph.output.append(helper.make_tensor_value_info("probs", TensorProto.FLOAT, None))
    m = hybrid.compile(model)
    assert "hybrid.attention" not in m.ir("hybrid")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {"x": rng.standard_normal((2, 9, 48)).astype(np.float32)}
    for got, want in zip(m(**feeds), sess.run(None, feeds)):
        _close(got, want)


def _dense_moe(variant, hidden=20, inter=28, experts=5, k=2, layers=1, residual=False):
    """A mixture of experts as exporters' dense fallbacks write it: router,
    softmax and TopK, each expert on every token weighted by its share of the
    top-k weights, summed. `variant` picks the routing, mask, activation and
    bias forms; `layers` stacks several, each reading the previous one's output
    (plus its input with `residual`)."""
    rng = np.random.default_rng(5)
    nodes, inits, x = [], [], "x"
    for li in range(layers):
        n, i, y = _dense_moe_layer(rng, f"l{li}_", x, variant, hidden, inter, experts, k)
        nodes += n
        inits += i
        if residual:
            nodes.append(helper.make_node("Add", [x, y], [f"l{li}_res"]))
            y = f"l{li}_res"
        x = y
    nodes.append(helper.make_node("Identity", [x], ["y"]))
    graph = helper.make_graph(
        nodes, "dense_moe", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["t", hidden])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["t", hidden])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])


def _dense_moe_layer(rng, pre, x, variant, hidden, inter, experts, k):
    """One dense MoE layer reading `x`; names start with `pre`. Returns the
    nodes, the initializers and the output's name."""
    glu = variant in ("swiglu_norm", "swiglu_plain", "mixtral")
    act = {"relu_bias": "Relu", "gelu": "Gelu", "silu": "silu"}.get(variant, "swiglu")
    inits = [_const(pre + "router", rng.standard_normal((hidden, experts)) / np.sqrt(hidden)),
             _const(pre + "k", [k], np.int64), _const(pre + "axes", [-1], np.int64),
             _const(pre + "zero", 0.0)]
    nodes = [helper.make_node("MatMul", [x, pre + "router"], [pre + "logits"])]
    if variant == "mixtral":       # TopK of the logits, softmax of the k values
        nodes += [helper.make_node("TopK", [pre + "logits", pre + "k"], [pre + "topv_raw", pre + "topi"], axis=-1),
                  helper.make_node("Softmax", [pre + "topv_raw"], [pre + "topv"], axis=-1)]
    else:
        nodes += [helper.make_node("Softmax", [pre + "logits"], [pre + "probs"], axis=-1),
                  helper.make_node("TopK", [pre + "probs", pre + "k"], [pre + "topv_raw", pre + "topi"], axis=-1)]
        if variant == "swiglu_plain":
            nodes += [helper.make_node("Identity", [pre + "topv_raw"], [pre + "topv"])]
        else:
            nodes += [helper.make_node("ReduceSum", [pre + "topv_raw", pre + "axes"], [pre + "topv_sum"], keepdims=1),
                      helper.make_node("Div", [pre + "topv_raw", pre + "topv_sum"], [pre + "topv"])]
    total = None
    for e in range(experts):
        p = f"{pre}e{e}_"
        inits.append(_const(p + "id", e, np.int64))
        nodes.append(helper.make_node("Equal", [pre + "topi", p + "id"], [p + "hit"]))
        if variant == "mixtral":
            nodes.append(helper.make_node("Where", [p + "hit", pre + "topv", pre + "zero"], [p + "masked"]))
        else:
            nodes += [helper.make_node("Cast", [p + "hit"], [p + "hitf"], to=TensorProto.FLOAT),
                      helper.make_node("Mul", [pre + "topv", p + "hitf"], [p + "masked"])]
        nodes.append(helper.make_node("ReduceSum", [p + "masked", pre + "axes"], [p + "w"], keepdims=1))
        inits.append(_const(p + "up", rng.standard_normal((hidden, inter)) / np.sqrt(hidden)))
        inits.append(_const(p + "down", rng.standard_normal((inter, hidden)) / np.sqrt(inter)))
        nodes.append(helper.make_node("MatMul", [x, p + "up"], [p + "u"]))
        if glu:
            inits.append(_const(p + "gate", rng.standard_normal((hidden, inter)) / np.sqrt(hidden)))
            nodes += [helper.make_node("MatMul", [x, p + "gate"], [p + "g"]),
                      helper.make_node("Sigmoid", [p + "g"], [p + "sg"]),
                      helper.make_node("Mul", [p + "g", p + "sg"], [p + "silu"]),
                      helper.make_node("Mul", [p + "silu", p + "u"], [p + "h"])]
        elif act == "silu":
            nodes += [helper.make_node("Sigmoid", [p + "u"], [p + "su"]),
                      helper.make_node("Mul", [p + "su", p + "u"], [p + "h"])]
        else:
            src = p + "u"
            if variant == "relu_bias":
                inits.append(_const(p + "bu", rng.standard_normal(inter)))
                nodes.append(helper.make_node("Add", [p + "u", p + "bu"], [p + "ub"]))
                src = p + "ub"
            nodes.append(helper.make_node(act, [src], [p + "h"]))
        nodes.append(helper.make_node("MatMul", [p + "h", p + "down"], [p + "d"]))
        if variant == "relu_bias":
            inits.append(_const(p + "bd", rng.standard_normal(hidden)))
            nodes.append(helper.make_node("Add", [p + "bd", p + "d"], [p + "db"]))
            nodes.append(helper.make_node("Mul", [p + "db", p + "w"], [p + "out"]))
        else:
            nodes.append(helper.make_node("Mul", [p + "w", p + "d"], [p + "out"]))
        if total is None:
            total = p + "out"
        else:
            nodes.append(helper.make_node("Add", [total, p + "out"], [p + "sum"]))
            total = p + "sum"
    return nodes, inits, total


@pytest.mark.parametrize("variant", ["swiglu_norm", "swiglu_plain", "mixtral", "relu_bias",
                                     "gelu", "silu"])
def test_raise_moe(variant, rng):
    model = _dense_moe(variant)
    raised = hybrid.compile(model)
    assert "hybrid.moe" in raised.ir("hybrid"), variant
    plain = hybrid.compile(model, raise_patterns=False)
    assert "hybrid.moe" not in plain.ir("hybrid")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for t in (1, 9, 70):
        x = rng.standard_normal((t, 20)).astype(np.float32)
        want = sess.run(None, {"x": x})[0]
        _close(raised(x), want)
        _close(plain(x), want)


def test_raise_moe_top1_many_experts(rng):
    """k = 1 of 12 experts, wider layers."""
    model = _dense_moe("swiglu_norm", hidden=36, inter=44, experts=12, k=1)
    m = hybrid.compile(model)
    assert "hybrid.moe" in m.ir("hybrid")
    x = rng.standard_normal((33, 36)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    _close(m(x), want)


def test_raise_moe_stacked_layers(rng):
    """Two layers in a row (the second reads the first's sum directly), then
    two with residual Adds: every layer is raised."""
    for residual in (False, True):
        model = _dense_moe("swiglu_norm", layers=2, residual=residual)
        m = hybrid.compile(model)
        assert m.ir("hybrid").count("hybrid.moe ") == 2, residual
        x = rng.standard_normal((17, 20)).astype(np.float32)
        want = ort.InferenceSession(model.SerializeToString(),
                                    providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
        _close(m(x), want)
