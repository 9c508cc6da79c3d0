"""The raising passes on decomposed exports written here, node by node, in shapes
the lit tests do not use: the compiled model must contain the fused op (in the
"hybrid" IR stage), match onnxruntime on the decomposed graph, and match the same
model compiled with raise_patterns=False. Near misses must stay decomposed and
still be right."""
import os

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
              helper.make_node("Transpose", ["v_4d"], ["v_kv"], perm=[0, 2, 1, 3])]
    rep = heads // kv_heads

    def repeat_kv(src, n):
        """HF's repeat_kv: Unsqueeze, Expand by rep on the new axis, Reshape
        the two head axes into one. The near miss "gqa_tiled" adds the axis
        before the heads instead: query head h reads kv head h % kv_heads (a
        tile, not GQA's repeat), so k and v must stay as they are."""
        if rep == 1:
            return [helper.make_node("Identity", [src], [n])]
        return [helper.make_node("Unsqueeze", [src, "axis2"], [f"{n}_5d"]),
                helper.make_node("Expand", [f"{n}_5d", "rep_shape"], [f"{n}_rep"]),
                helper.make_node("Reshape", [f"{n}_rep", "gqa_shape"], [n])]

    if rep > 1:
        tiled = variant == "gqa_tiled"
        inits += [_const("axis2", [1 if tiled else 2], np.int64),
                  _const("rep_shape", [1, rep, 1, 1, 1] if tiled else [1, 1, rep, 1, 1], np.int64),
                  _const("gqa_shape", [0, heads, -1, d], np.int64)]
    nodes += repeat_kv("v_kv", "v")
    if variant == "kt_direct":
        # [B, S, H, D] straight to kᵀ [B, H, D, S].
        nodes.append(helper.make_node("Transpose", ["k_4d"], ["kt"], perm=[0, 2, 3, 1]))
    else:
        nodes.append(helper.make_node("Transpose", ["k_4d"], ["k_kv"], perm=[0, 2, 1, 3]))
        nodes += repeat_kv("k_kv", "k")
        nodes.append(helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]))
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
    if variant in ("causal_add", "kt_direct", "gqa_causal", "gqa_tiled", "triu_diag"):
        # A float causal mask built from the sequence length: Trilu of ones,
        # 0 on and below the diagonal, the lowest float above. The near miss
        # "triu_diag" masks the diagonal too (triu with k = 0, one row all
        # -big: not causal attention).
        inits += [_const("zero", 0.0), _const("lowest", np.finfo(np.float32).min),
                  _const("one_axis", [1], np.int64)]
        nodes += [helper.make_node("Shape", ["x"], ["x_shape"], start=1, end=2),
                  helper.make_node("Concat", ["x_shape", "x_shape"], ["sq"], axis=0),
                  helper.make_node("ConstantOfShape", ["sq"], ["ones"],
                                   value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0]))]
        if variant == "triu_diag":
            nodes += [helper.make_node("Trilu", ["ones"], ["triu"], upper=1),
                      helper.make_node("Mul", ["triu", "lowest"], ["mask"])]
        else:
            nodes += [helper.make_node("Trilu", ["ones"], ["tril"], upper=0),
                      helper.make_node("Equal", ["tril", "zero"], ["above"]),
                      helper.make_node("Where", ["above", "lowest", "zero"], ["mask"])]
        nodes.append(helper.make_node("Add", [last, "mask"], ["masked"]))
        last = "masked"
    elif variant == "causal_bool":
        # Where's keep-condition straight from Trilu of true.
        inits += [_const("ninf", -np.inf)]
        nodes += [helper.make_node("Shape", ["x"], ["x_shape"], start=1, end=2),
                  helper.make_node("Concat", ["x_shape", "x_shape"], ["sq"], axis=0),
                  helper.make_node("ConstantOfShape", ["sq"], ["ones"],
                                   value=helper.make_tensor("v", TensorProto.BOOL, [1], [True])),
                  helper.make_node("Trilu", ["ones"], ["keep"], upper=0),
                  helper.make_node("Where", ["keep", last, "ninf"], ["masked"])]
        last = "masked"
    elif variant == "runtime_side":
        # Near miss: the triangle's side is an input the caller sets to seq;
        # nothing proves it is the sequence length, so it stays a mask.
        inits += [_const("zero", 0.0), _const("lowest", np.finfo(np.float32).min)]
        nodes += [helper.make_node("Concat", ["side", "side"], ["sq"], axis=0),
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
    if variant == "runtime_side":
        inputs.append(helper.make_tensor_value_info("side", TensorProto.INT64, [1]))
    graph = helper.make_graph(nodes, "block", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


# variant: (kv_heads of 6 heads, whether the mask must become is_causal, whether
# the GQA repeat must be dropped).
ATTENTION_VARIANTS = {
    "causal_add": (6, True, False), "sqrt_scale": (6, False, False),
    "kt_direct": (6, True, False), "bool_where": (6, False, False),
    "gqa_causal": (2, True, True), "causal_bool": (3, True, True),
    "gqa_tiled": (2, True, False), "triu_diag": (6, False, False),
    "runtime_side": (6, False, False),
}


@pytest.mark.parametrize("variant", list(ATTENTION_VARIANTS))
def test_raise_attention(variant, rng):
    kv_heads, causal, gqa = ATTENTION_VARIANTS[variant]
    model = _attention_block(variant, heads=6, kv_heads=kv_heads)
    raised = hybrid.compile(model)
    ir = raised.ir("hybrid")
    assert "hybrid.attention" in ir
    # A causal mask is dropped for the causal flag (no mask operand on the
    # Sq == Sk path); GQA keeps k and v at kv_heads.
    assert ("causal," in ir) == causal, variant
    if kv_heads != 6:
        assert (f"x{kv_heads}x?x8xf32>, tensor<?x{kv_heads}x?x8xf32>) outs" in ir) == gqa, variant
    plain = hybrid.compile(model, raise_patterns=False)
    assert "hybrid.attention" not in plain.ir("hybrid")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for batch, seq in [(1, 5), (2, 19), (1, 70)]:
        feeds = {"x": rng.standard_normal((batch, seq, 48)).astype(np.float32)}
        if variant == "bool_where":
            keep = rng.random((batch, 1, 1, seq)) < 0.7
            keep[..., 0] = True   # every row sees a key
            feeds["keep"] = keep
        if variant == "runtime_side":
            feeds["side"] = np.array([seq], np.int64)
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


def _sparse_moe(form, hidden=20, inter=28, experts=5, k=2, miss=None):
    """A mixture of experts as exporters write HF's per-expert loop with every
    expert visited (optimum's patched Qwen3-MoE / Mixtral forward): the tokens
    that chose expert e found with NonZero over its one-hot mask, gathered,
    run through it, weighted and scattered back into zeros. x is [b, l,
    hidden], viewed as [b*l, hidden]. `form` is the exporter's spelling:

    - "scatternd" (torch.onnx dynamo): Gemm projections (transB), one-hot as
      Equal(Unsqueeze(i, -1), arange), Slice + Squeeze of NonZero's transpose,
      GatherND for the rows and the weights, ScatterND(reduction=add) into an
      Expand of 0;
    - "scatter_elements" (TorchScript): MatMul, OneHot, Split + Squeeze, Gather
      of Unsqueeze(x, 0) along axis 1, the weight a Gather of the flattened
      values at tok * k + slot (k read with Shape), index_add_ as Add(acc,
      ScatterElements(zeros like acc, Expand(tok[:, None]), Expand(o))) into a
      ConstantOfShape;
    - "plain": Equal(i, e) masks, Gather(nz, r) rows, Gather(x, tok),
      ReLU experts with biases (MatMul + Add), ScatterElements(reduction=add).

    `miss` makes a near miss that must not be raised: "probs" weights read
    from the router's probabilities (probs[tok, slot]) instead of the TopK
    values; "rows" scatters to the slot indices instead of the tokens;
    "base" starts the sum from ones."""
    rng = np.random.default_rng(11)
    D, I, E, K = hidden, inter, experts, k
    nodes, inits = [], []
    n = nodes.append

    def c(name, value, dtype=np.int64):
        inits.append(_const(name, value, dtype))
        return name

    def w(name, *shape):
        return c(name, rng.standard_normal(shape) / np.sqrt(shape[-1 if form == "scatternd" else 0]),
                 np.float32)

    gemm = form == "scatternd"

    def linear(x, wname, out, din, dout, pre):
        if gemm:
            n(helper.make_node("Gemm", [x, w(wname, dout, din)], [out], transB=1))
        elif form == "plain":
            n(helper.make_node("MatMul", [x, w(wname, din, dout)], [pre + "mm"]))
            n(helper.make_node("Add", [pre + "mm", c(wname + "_b", rng.standard_normal(dout), np.float32)], [out]))
        else:
            n(helper.make_node("MatMul", [x, w(wname, din, dout)], [out]))

    # x [b, l, D] -> [b*l, D]; b and l for the zeros' shape.
    n(helper.make_node("Shape", ["x"], ["b1"], start=0, end=1))
    n(helper.make_node("Shape", ["x"], ["l1"], start=1, end=2))
    n(helper.make_node("Mul", ["b1", "l1"], ["bl"]))
    n(helper.make_node("Reshape", ["x", c("view", [-1, D])], ["h"]))
    linear("h", "router", "logits", D, E, "r_")
    n(helper.make_node("Softmax", ["logits"], ["probs"], axis=1))
    n(helper.make_node("TopK", ["probs", c("k", [K])], ["topv_raw", "topi"], axis=-1))
    n(helper.make_node("ReduceSum", ["topv_raw", c("axes_last", [-1])], ["topv_sum"], keepdims=1))
    n(helper.make_node("Div", ["topv_raw", "topv_sum"], ["topv"]))
    if form == "scatternd":
        n(helper.make_node("Unsqueeze", ["topi", c("ax_m1", [-1])], ["topi_u"]))
        n(helper.make_node("Equal", ["topi_u", c("arange", np.arange(E))], ["eq"]))
        n(helper.make_node("Cast", ["eq"], ["hot"], to=TensorProto.INT64))
        n(helper.make_node("Transpose", ["hot"], ["mask"], perm=[2, 1, 0]))      # [E, k, T]
        n(helper.make_node("Concat", ["bl", c("dcol", [D])], ["zshape"], axis=0))
        n(helper.make_node("Expand", [c("zero", 0.0, np.float32), "zshape"], ["acc_init"]))
        n(helper.make_node("Unsqueeze", ["probs" if miss == "probs" else "topv", c("ax_m1b", [-1])],
                           ["topv_u"]))
        n(helper.make_node("Unsqueeze", ["h", c("ax0", [0])], ["h_u"]))
        n(helper.make_node("Transpose", ["h_u"], ["h_t"], perm=[1, 0, 2]))
    elif form == "scatter_elements":
        n(helper.make_node("OneHot", ["topi", c("depth", E), c("onoff", [0, 1])], ["hot"], axis=-1))
        n(helper.make_node("Transpose", ["hot"], ["mask"], perm=[2, 1, 0]))
        n(helper.make_node("Concat", ["bl", c("dcol", [D])], ["zshape"], axis=0))
        n(helper.make_node("ConstantOfShape", ["zshape"], ["acc_init"],
                           value=helper.make_tensor("v", TensorProto.FLOAT, [1], [0.0])))
        n(helper.make_node("Unsqueeze", ["h", c("ax0", [0])], ["h_u"]))
        n(helper.make_node("Unsqueeze", ["topv", c("ax2", [2])], ["topv_u"]))
        n(helper.make_node("Shape", ["topv_u"], ["topv_shape"]))
        n(helper.make_node("Gather", ["topv_shape", c("one", 1)], ["kk"], axis=0))
        n(helper.make_node("Flatten", ["topv_u"], ["topv_flat"], axis=2))
    else:
        n(helper.make_node("Shape", ["h"], ["hshape"]))
        n(helper.make_node("ConstantOfShape", ["hshape"], ["acc_init"],
                           value=helper.make_tensor("v", TensorProto.FLOAT, [1],
                                                    [1.0 if miss == "base" else 0.0])))
        n(helper.make_node("Reshape", ["topv", c("flat", [-1])], ["topv_flat"]))
    acc = "acc_init"
    for e in range(E):
        p = f"e{e}_"
        # The rows: tok and slot of the pairs where topi == e.
        if form == "plain":
            n(helper.make_node("Equal", ["topi", c(p + "id", e)], [p + "m"]))        # [T, k]
            n(helper.make_node("NonZero", [p + "m"], [p + "nz"]))
            n(helper.make_node("Gather", [p + "nz", c(p + "r0", 0)], [p + "tok"], axis=0))
            n(helper.make_node("Gather", [p + "nz", c(p + "r1", 1)], [p + "slot"], axis=0))
        else:
            n(helper.make_node("Gather", ["mask", c(p + "id", e)], [p + "m"], axis=0))  # [k, T]
            if form == "scatter_elements":
                n(helper.make_node("Cast", [p + "m"], [p + "mb"], to=TensorProto.BOOL))
                n(helper.make_node("NonZero", [p + "mb"], [p + "nz"]))
            else:
                n(helper.make_node("NonZero", [p + "m"], [p + "nz"]))
            n(helper.make_node("Transpose", [p + "nz"], [p + "nzt"], perm=[1, 0]))
            if form == "scatternd":
                n(helper.make_node("Slice", [p + "nzt", c(p + "s0", [0]), c(p + "e0", [1]), c(p + "a0", [1])], [p + "slot2"]))
                n(helper.make_node("Slice", [p + "nzt", c(p + "s1", [1]), c(p + "e1", [2]), c(p + "a1", [1])], [p + "tok2"]))
            else:
                n(helper.make_node("Split", [p + "nzt", c(p + "sp", [1, 1])], [p + "slot2", p + "tok2"], axis=1))
            n(helper.make_node("Squeeze", [p + "slot2", c(p + "q0", [1])], [p + "slot"]))
            n(helper.make_node("Squeeze", [p + "tok2", c(p + "q1", [1])], [p + "tok"]))
        tok = p + "slot" if miss == "rows" else p + "tok"
        # x's rows.
        if form == "scatternd":
            n(helper.make_node("Unsqueeze", [p + "tok", c(p + "u", [-1])], [p + "tokc"]))
            n(helper.make_node("GatherND", ["h_t", p + "tokc"], [p + "g"]))
            n(helper.make_node("Transpose", [p + "g"], [p + "gt"], perm=[1, 0, 2]))
            n(helper.make_node("Reshape", [p + "gt", c(p + "v", [-1, D])], [p + "xe"]))
        elif form == "scatter_elements":
            n(helper.make_node("Gather", ["h_u", p + "tok"], [p + "g"], axis=1))
            n(helper.make_node("Reshape", [p + "g", c(p + "v", [-1, D])], [p + "xe"]))
        else:
            n(helper.make_node("Gather", ["h", p + "tok"], [p + "xe"], axis=0))
        # The expert.
        if form == "plain":
            linear(p + "xe", p + "up", p + "u1", D, I, p + "up_")
            n(helper.make_node("Relu", [p + "u1"], [p + "hid"]))
        else:
            linear(p + "xe", p + "gate", p + "g1", D, I, p + "gate_")
            linear(p + "xe", p + "up", p + "u1", D, I, p + "up_")
            n(helper.make_node("Sigmoid", [p + "g1"], [p + "sg"]))
            n(helper.make_node("Mul", [p + "g1", p + "sg"], [p + "silu"]))
            n(helper.make_node("Mul", [p + "silu", p + "u1"], [p + "hid"]))
        linear(p + "hid", p + "down", p + "o", I, D, p + "down_")
        # Its routing weight, [n, 1].
        first, second = p + "tok", p + "slot"
        if form == "scatternd":
            n(helper.make_node("Unsqueeze", [first, c(p + "w0", [-1])], [p + "ic0"]))
            n(helper.make_node("Unsqueeze", [second, c(p + "w1", [-1])], [p + "ic1"]))
            n(helper.make_node("Concat", [p + "ic0", p + "ic1"], [p + "ic"], axis=-1))
            n(helper.make_node("GatherND", ["topv_u", p + "ic"], [p + "wt"]))
        else:
            kk = "kk" if form == "scatter_elements" else c(p + "kc", K)
            n(helper.make_node("Mul", [first, kk], [p + "fk"]))
            n(helper.make_node("Add", [second, p + "fk"], [p + "fi"]))
            n(helper.make_node("Gather", ["topv_flat", p + "fi"], [p + "wg"], axis=0))
            n(helper.make_node("Reshape", [p + "wg", c(p + "wr", [-1, 1])], [p + "wt"]))
        n(helper.make_node("Mul", [p + "o", p + "wt"], [p + "upd"]))
        # Scattered back.
        nxt = p + "acc"
        if form == "scatternd":
            n(helper.make_node("Unsqueeze", [tok, c(p + "su", [-1])], [p + "sidx"]))
            n(helper.make_node("ScatterND", [acc, p + "sidx", p + "upd"], [nxt], reduction="add"))
        else:
            n(helper.make_node("Unsqueeze", [tok, c(p + "su", [1])], [p + "tu"]))
            n(helper.make_node("Shape", [p + "upd"], [p + "us"]))
            n(helper.make_node("Expand", [p + "tu", p + "us"], [p + "sidx"]))
            if form == "plain":
                n(helper.make_node("ScatterElements", [acc, p + "sidx", p + "upd"], [nxt], axis=0,
                                   reduction="add"))
            else:
                n(helper.make_node("Cast", [p + "upd"], [p + "updc"], to=TensorProto.FLOAT))
                n(helper.make_node("Shape", [acc], [p + "accs"]))
                n(helper.make_node("ConstantOfShape", [p + "accs"], [p + "z"],
                                   value=helper.make_tensor("v", TensorProto.FLOAT, [1], [0.0])))
                n(helper.make_node("ScatterElements", [p + "z", p + "sidx", p + "updc"], [p + "sc"], axis=0))
                n(helper.make_node("Add", [acc, p + "sc"], [nxt]))
        acc = nxt
    n(helper.make_node("Shape", ["x"], ["xshape"]))
    n(helper.make_node("Reshape", [acc, "xshape"], ["y"]))
    graph = helper.make_graph(
        nodes, "sparse_moe", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "l", D])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "l", D])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


@pytest.mark.parametrize("form,shape", [("scatternd", (20, 28, 5, 2)),
                                        ("scatter_elements", (24, 20, 6, 3)),
                                        ("plain", (12, 36, 7, 1))])
def test_raise_sparse_moe(form, shape, rng):
    hidden, inter, experts, k = shape
    model = _sparse_moe(form, hidden, inter, experts, k)
    raised = hybrid.compile(model)
    ir = raised.ir("hybrid")
    assert ir.count("hybrid.moe ") == 1, form
    # Unraised, NonZero and the scatters run as written.
    plain = hybrid.compile(model, raise_patterns=False)
    assert "hybrid.moe" not in plain.ir("hybrid")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for b, l in ((1, 1), (2, 7), (3, 25)):
        x = rng.standard_normal((b, l, hidden)).astype(np.float32)
        want = sess.run(None, {"x": x})[0]
        _close(raised(x), want)
        _close(plain(x), want)


@pytest.mark.parametrize("miss", ["probs", "rows", "base"])
def test_raise_sparse_moe_near_miss(miss, rng):
    """Weights read from the probabilities, outputs scattered to the slot
    indices, a sum that starts from ones: left as written, and still right."""
    form = "plain" if miss == "base" else "scatternd"
    model = _sparse_moe(form, 16, 24, 4, 2, miss=miss)
    m = hybrid.compile(model)
    assert "hybrid.moe" not in m.ir("hybrid"), miss
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for b, l in ((1, 3), (2, 9)):
        x = rng.standard_normal((b, l, 16)).astype(np.float32)
        _close(m(x), sess.run(None, {"x": x})[0])


EXPORTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "exported")


@pytest.mark.parametrize("exporter", ["dynamo", "torchscript"])
def test_raise_moe_exported(exporter, rng):
    """Qwen3-MoE's block as torch.onnx wrote it (test/data/exported): every
    expert's NonZero, gathers, the fused gate_up projection split in two (a
    Split, or TorchScript's two Slices at (n + 1) / 2) and index_add_ become
    one hybrid.moe."""
    path = os.path.join(EXPORTED, f"qwen3_moe_block.{exporter}.onnx")
    m = hybrid.compile(path)
    assert m.ir("hybrid").count("hybrid.moe ") == 1
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    for b, l in ((1, 1), (2, 8), (3, 21)):
        x = rng.standard_normal((b, l, 8)).astype(np.float32)
        _close(m(x), sess.run(None, {name: x})[0])


def _raised_and_reference(model, op, expect_raised):
    """Compiles `model`, checks that `op` is in its hybrid IR exactly when
    `expect_raised` (and never with raise_patterns=False), and returns the
    compiled module with an onnxruntime session on the same model."""
    raised = hybrid.compile(model)
    assert (op in raised.ir("hybrid")) == expect_raised
    assert op not in hybrid.compile(model, raise_patterns=False).ir("hybrid")
    return raised, ort.InferenceSession(model.SerializeToString(),
                                        providers=["CPUExecutionProvider"])


def _rms_norm_model(variant, hidden=40):
    """RMSNorm as exporters write it (HF's LlamaRMSNorm and variants), over
    x [batch, seq, hidden] (or [batch, seq, 4, hidden/4] for "two_axes")."""
    rng = np.random.default_rng(5)
    shape = ["batch", "seq", hidden] if variant != "two_axes" else ["batch", "seq", 4, hidden // 4]
    w = (1.0 + 0.1 * rng.standard_normal(shape[2:])).astype(np.float32)
    axes = {"two_axes": [-2, -1], "middle_axis": [1]}.get(variant, [-1])
    inits = [_const("w", w), _const("eps", 1e-5), _const("two", 2.0), _const("three", 3.0),
             _const("one", 1.0), _const("axes", axes, np.int64)]
    nodes = []
    if variant == "div_square":
        nodes.append(helper.make_node("Mul", ["x", "x"], ["sq"]))
    else:
        nodes.append(helper.make_node("Pow", ["x", "three" if variant == "cube" else "two"], ["sq"]))
    nodes += [helper.make_node("ReduceMean", ["sq", "axes"], ["ms"], keepdims=1),
              helper.make_node("Add", ["eps", "ms"] if variant == "div_square" else ["ms", "eps"],
                               ["ms_eps"]),
              helper.make_node("Sqrt", ["ms_eps"], ["rms"])]
    if variant == "div_square":
        nodes.append(helper.make_node("Div", ["x", "rms"], ["y"]))        # no weight
    else:
        if variant == "two_axes":
            nodes += [helper.make_node("Div", ["one", "rms"], ["inv"]),
                      helper.make_node("Mul", ["inv", "x"], ["n"])]
        else:
            nodes += [helper.make_node("Reciprocal", ["rms"], ["inv"]),
                      helper.make_node("Mul", ["x", "inv"], ["n"])]
        nodes.append(helper.make_node("Mul", ["w", "n"], ["y"]))
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]
    if variant == "shared_mean":
        # Near miss: the mean of squares is also an output.
        outputs.append(helper.make_tensor_value_info("ms", TensorProto.FLOAT, None))
    graph = helper.make_graph(nodes, "norm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              outputs, initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# variant: whether it must become hybrid.rms_norm.
RMS_NORM_VARIANTS = {"hf": True, "div_square": True, "two_axes": True,
                     "middle_axis": False, "cube": False, "shared_mean": False}


@pytest.mark.parametrize("variant", list(RMS_NORM_VARIANTS))
def test_raise_rms_norm(variant, rng):
    model = _rms_norm_model(variant)
    raised, sess = _raised_and_reference(model, "hybrid.rms_norm", RMS_NORM_VARIANTS[variant])
    shape = model.graph.input[0].type.tensor_type.shape.dim
    for batch, seq in [(1, 3), (2, 17)]:
        dims = [batch, seq] + [d.dim_value for d in shape[2:]]
        x = (3.0 * rng.standard_normal(dims)).astype(np.float32)
        want = sess.run(None, {"x": x})
        got = raised(x=x)
        for g, w_ in zip(got if isinstance(got, (list, tuple)) else [got], want):
            _close(g, w_)


def _rotary_model(variant, heads=3, d=16, max_pos=64):
    """HF's apply_rotary_pos_emb on t [batch, heads, seq, d], positions 0..seq-1."""
    rng = np.random.default_rng(9)
    h = d // 2
    inv = 1.0 / 10000 ** (np.arange(0, d, 2) / d)
    f = np.outer(np.arange(max_pos), inv)
    inits = [_const("i0", [0], np.int64), _const("zero", np.int64(0), np.int64),
             _const("one", np.int64(1), np.int64), _const("axes01", [0, 1], np.int64),
             _const("axis0", [0], np.int64), _const("axis1", [1], np.int64),
             _const("last", [3], np.int64), _const("half", [h], np.int64),
             _const("end", [np.iinfo(np.int64).max], np.int64),
             _const("split", [6 if variant == "uneven_split" else h], np.int64),
             _const("inv_freq", inv.astype(np.float32))]
    nodes = [helper.make_node("Shape", ["t"], ["s1"], start=2, end=3),
             helper.make_node("Squeeze", ["s1", "i0"], ["s"]),
             helper.make_node("Range", ["zero", "s", "one"], ["pos"])]
    for name, fn in (("cos", np.cos), ("sin", np.sin)):
        if variant == "hf_cos":
            # emb = cat(freqs, freqs); emb.cos(), unsqueezed to [1, 1, S, d].
            if name == "cos":
                nodes += [helper.make_node("Cast", ["pos"], ["pos_f"], to=TensorProto.FLOAT),
                          helper.make_node("Unsqueeze", ["pos_f", "axis1"], ["pos_col"]),
                          helper.make_node("Mul", ["pos_col", "inv_freq"], ["freqs"]),
                          helper.make_node("Concat", ["freqs", "freqs"], ["emb"], axis=-1)]
            nodes += [helper.make_node(name.capitalize(), ["emb"], [f"{name}_2d"]),
                      helper.make_node("Unsqueeze", [f"{name}_2d", "axis0"], [f"{name}_3d"]),
                      helper.make_node("Unsqueeze", [f"{name}_3d", "axis1"], [name])]
        elif variant == "distinct_halves":
            # Near miss: a [max_pos, d] table whose halves differ.
            tab = fn(np.concatenate([f, 1.5 * f], 1))
            inits.append(_const(f"{name}_tab", tab.astype(np.float32)))
            nodes += [helper.make_node("Gather", [f"{name}_tab", "pos"], [f"{name}_2d"]),
                      helper.make_node("Unsqueeze", [f"{name}_2d", "axes01"], [name])]
        elif variant == "per_head":
            # Near miss: a table per head ([heads, max_pos, d/2]), [1, H, S, d].
            tab = fn(f[None] * (1.0 + np.arange(heads))[:, None, None])
            inits.append(_const(f"{name}_tab", tab.astype(np.float32)))
            nodes += [helper.make_node("Gather", [f"{name}_tab", "pos"], [f"{name}_h"], axis=1),
                      helper.make_node("Concat", [f"{name}_h", f"{name}_h"], [f"{name}_3d"], axis=-1),
                      helper.make_node("Unsqueeze", [f"{name}_3d", "axis0"], [name])]
        else:
            # The zoo's form: rows of a [max_pos, d/2] cache, duplicated.
            inits.append(_const(f"{name}_tab", fn(f).astype(np.float32)))
            nodes += [helper.make_node("Gather", [f"{name}_tab", "pos"], [f"{name}_half"]),
                      helper.make_node("Concat", [f"{name}_half", f"{name}_half"], [f"{name}_2d"], axis=-1)]
            if variant == "rank2_tables":
                nodes.append(helper.make_node("Identity", [f"{name}_2d"], [name]))
            else:
                nodes.append(helper.make_node("Unsqueeze", [f"{name}_2d", "axes01"], [name]))
    nodes += [helper.make_node("Slice", ["t", "i0", "split", "last"], ["x1"]),
              helper.make_node("Slice", ["t", "split", "end", "last"], ["x2"]),
              helper.make_node("Neg", ["x2"], ["nx2"])]
    rot = ["x1", "nx2"] if variant == "swapped" else ["nx2", "x1"]
    nodes += [helper.make_node("Concat", rot, ["rot"], axis=-1),
              helper.make_node("Mul", ["t", "cos"], ["tc"]),
              helper.make_node("Mul", ["sin", "rot"], ["rs"]),
              helper.make_node("Add", ["tc", "rs"], ["y"])]
    graph = helper.make_graph(
        nodes, "rope", [helper.make_tensor_value_info("t", TensorProto.FLOAT, ["batch", heads, "seq", d])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# variant: whether it must become hybrid.rotary.
ROTARY_VARIANTS = {"zoo": True, "hf_cos": True, "rank2_tables": True, "swapped": False,
                   "uneven_split": False, "distinct_halves": False, "per_head": False}


@pytest.mark.parametrize("variant", list(ROTARY_VARIANTS))
def test_raise_rotary(variant, rng):
    model = _rotary_model(variant)
    raised, sess = _raised_and_reference(model, "hybrid.rotary", ROTARY_VARIANTS[variant])
    for batch, seq in [(1, 1), (2, 13), (1, 40)]:
        t = rng.standard_normal((batch, 3, seq, 16)).astype(np.float32)
        _close(raised(t=t), sess.run(None, {"t": t})[0])


def _ssm_scan_model(variant, d=20, n=6):
    """Mamba-1's selective scan as an ONNX Scan over axis 1 (the zoo's decomposed
    form, written independently): state h [B, D, N]; per step
    h' = exp(delta * A) * h + (delta * u) * B and y = h' . C."""
    rng = np.random.default_rng(3)
    a = -np.exp(0.5 * rng.standard_normal((d, n))).astype(np.float32)
    inits = [_const("A", a), _const("ax1", [1], np.int64), _const("ax2", [2], np.int64)]
    body_nodes = [helper.make_node("Unsqueeze", ["d_t", "ax2"], ["d3"]),
                  helper.make_node("Mul", ["A", "d3"] if variant == "swapped" else ["d3", "A"], ["dA0"]),
                  helper.make_node("Exp", ["dA0"], ["dA"]),
                  helper.make_node("Mul", ["u_t", "u_t"] if variant == "u_squared" else ["d_t", "u_t"],
                                   ["du"]),
                  helper.make_node("Unsqueeze", ["du", "ax2"], ["du3"]),
                  helper.make_node("Unsqueeze", ["b_t", "ax1"], ["b3"]),
                  helper.make_node("Mul", ["b3", "du3"] if variant == "swapped" else ["du3", "b3"],
                                   ["dBu"]),
                  helper.make_node("Mul", ["h", "dA"] if variant == "swapped" else ["dA", "h"], ["hd"]),
                  helper.make_node("Add", ["dBu", "hd"] if variant == "swapped" else ["hd", "dBu"],
                                   ["h_new"]),
                  helper.make_node("Unsqueeze", ["c_t", "ax2"], ["c3"]),
                  # Near miss "old_state": the read-out uses the state before the update.
                  helper.make_node("MatMul", ["h" if variant == "old_state" else "h_new", "c3"], ["y3"]),
                  helper.make_node("Squeeze", ["y3", "ax2"], ["y_t"]),
                  helper.make_node("Identity", ["h_new"], ["h_out"])]
    vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, None)  # noqa: E731
    body = helper.make_graph(body_nodes, "ssm_body", [vi("h"), vi("u_t"), vi("d_t"), vi("b_t"), vi("c_t")],
                             [vi("h_out"), vi("y_t")])
    scan = helper.make_node("Scan", ["h0", "u", "delta", "Bm", "Cm"], ["h_final", "y"], body=body,
                            num_scan_inputs=4, scan_input_axes=[1, 1, 1, 1], scan_output_axes=[1])
    inputs = [helper.make_tensor_value_info("h0", TensorProto.FLOAT, ["batch", d, n]),
              helper.make_tensor_value_info("u", TensorProto.FLOAT, ["batch", "seq", d]),
              helper.make_tensor_value_info("delta", TensorProto.FLOAT, ["batch", "seq", d]),
              helper.make_tensor_value_info("Bm", TensorProto.FLOAT, ["batch", "seq", n]),
              helper.make_tensor_value_info("Cm", TensorProto.FLOAT, ["batch", "seq", n])]
    graph = helper.make_graph([scan], "scan", inputs, [vi("y"), vi("h_final")], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# variant: whether it must become hybrid.ssm_scan.
SCAN_VARIANTS = {"plain": True, "swapped": True, "old_state": False, "u_squared": False}


@pytest.mark.parametrize("variant", list(SCAN_VARIANTS))
def test_raise_ssm_scan(variant, rng):
    model = _ssm_scan_model(variant)
    raised, sess = _raised_and_reference(model, "hybrid.ssm_scan", SCAN_VARIANTS[variant])
    for batch, seq in [(1, 1), (2, 9), (3, 40)]:
        feeds = {"h0": rng.standard_normal((batch, 20, 6)).astype(np.float32),
                 "u": rng.standard_normal((batch, seq, 20)).astype(np.float32),
                 "delta": (0.05 + 0.5 * rng.random((batch, seq, 20))).astype(np.float32),
                 "Bm": rng.standard_normal((batch, seq, 6)).astype(np.float32),
                 "Cm": rng.standard_normal((batch, seq, 6)).astype(np.float32)}
        for got, want in zip(raised(**feeds), sess.run(None, feeds)):
            _close(got, want)


def _unrolled_mamba1_model(variant, d=12, n=5, steps=6):
    """Mamba-1's selective scan as tracing unrolls HF's slow path (a Python loop
    over a fixed number of steps): dA = exp(A[:, None] * dt[..., None]) and
    dBu = dt[..., None] * B[:, None] * x[..., None] for every step first, then
    h = dA[:, :, i] * h + dBu[:, :, i] and y_i = (h @ C[:, i][..., None])[..., 0]
    per step, stacked on the last axis. x, dt [B, D, L]; B, C [B, L, N].

    "plain": zeros for h_0, A as Unsqueeze(A, 1), Gather read-outs;
    "folded": A[None, :, None] a constant (an exporter folded it), Squeeze
    read-outs, dBu grouped the other way;
    "state": h_0 a graph input and the last h a second output (a cache);
    "casts": the TorchScript exporter's spelling: `.to(float)` Casts on every
    state and on dBu's B and x factors, A[None, :, None] as two Unsqueezes.
    Near misses: "shifted_c" reads C at step i + 1; "two_dt": dBu's dt is not
    dA's."""
    rng = np.random.default_rng(4)
    a = -np.exp(0.5 * rng.standard_normal((d, n))).astype(np.float32)
    nodes, inits = [], []
    n_ = nodes.append

    def c(name, value, dtype=np.int64):
        inits.append(_const(name, value, dtype))
        return name

    if variant == "folded":
        a4 = c("A4", a[None, :, None, :], np.float32)
    elif variant == "casts":
        n_(helper.make_node("Unsqueeze", [c("A", a, np.float32), c("ax0", [0])], ["A3"]))
        n_(helper.make_node("Unsqueeze", ["A3", c("ax2", [2])], ["A4"]))
        a4 = "A4"
    else:
        n_(helper.make_node("Unsqueeze", [c("A", a, np.float32), c("ax1", [1])], ["A4"]))
        a4 = "A4"
    n_(helper.make_node("Unsqueeze", ["dt", c("axm1", [-1])], ["dt4"]))
    n_(helper.make_node("Mul", [a4, "dt4"], ["dAx"]))
    n_(helper.make_node("Exp", ["dAx"], ["dA"]))
    n_(helper.make_node("Unsqueeze", ["Bm", c("ax1b", [1])], ["B4"]))
    n_(helper.make_node("Unsqueeze", ["x", c("axm1b", [-1])], ["x4"]))
    dt_b = "dt4"
    if variant == "two_dt":
        n_(helper.make_node("Unsqueeze", ["dt2", c("axm1c", [-1])], ["dt4b"]))
        dt_b = "dt4b"
    if variant == "casts":
        n_(helper.make_node("Cast", ["B4"], ["B4c"], to=TensorProto.FLOAT))
        n_(helper.make_node("Cast", ["x4"], ["x4c"], to=TensorProto.FLOAT))
        n_(helper.make_node("Mul", [dt_b, "B4c"], ["dB"]))
        n_(helper.make_node("Mul", ["dB", "x4c"], ["dBu"]))
    elif variant == "folded":
        n_(helper.make_node("Mul", ["B4", "x4"], ["Bx"]))
        n_(helper.make_node("Mul", [dt_b, "Bx"], ["dBu"]))
    else:
        n_(helper.make_node("Mul", [dt_b, "B4"], ["dB"]))
        n_(helper.make_node("Mul", ["dB", "x4"], ["dBu"]))
    if variant == "state":
        h = "h0"
    else:
        n_(helper.make_node("Shape", ["x"], ["xs"]))
        n_(helper.make_node("Gather", ["xs", c("first", [0, 1])], ["bd"], axis=0))
        n_(helper.make_node("Concat", ["bd", c("ncol", [n])], ["hshape"], axis=0))
        n_(helper.make_node("Expand", [c("zero", 0.0, np.float32), "hshape"], ["h_init"]))
        h = "h_init"
    outs = []
    for i in range(steps):
        p = f"s{i}_"
        n_(helper.make_node("Gather", ["dA", c(p + "i", i)], [p + "dA"], axis=2))
        n_(helper.make_node("Mul", [p + "dA", h], [p + "hd"]))
        n_(helper.make_node("Gather", ["dBu", c(p + "i2", i)], [p + "dBu"], axis=2))
        n_(helper.make_node("Add", [p + "hd", p + "dBu"], [p + "h"]))
        h = p + "h"
        if variant == "casts":
            n_(helper.make_node("Cast", [h], [p + "hc"], to=TensorProto.FLOAT))
            h = p + "hc"
        ci = (i + 1) % steps if variant == "shifted_c" else i
        n_(helper.make_node("Gather", ["Cm", c(p + "ci", ci)], [p + "c"], axis=1))
        n_(helper.make_node("Unsqueeze", [p + "c", c(p + "u", [-1])], [p + "c3"]))
        n_(helper.make_node("MatMul", [h, p + "c3"], [p + "y3"]))
        if variant == "folded":
            n_(helper.make_node("Squeeze", [p + "y3", c(p + "q", [2])], [p + "y"]))
        else:
            n_(helper.make_node("Gather", [p + "y3", c(p + "z", 0)], [p + "y"], axis=2))
        n_(helper.make_node("Unsqueeze", [p + "y", c(p + "uy", [-1])], [p + "yu"]))
        outs.append(p + "yu")
    n_(helper.make_node("Concat", outs, ["y"], axis=-1))
    f = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)  # noqa: E731
    inputs = [f("x", ["batch", d, steps]), f("dt", ["batch", d, steps]), f("Bm", ["batch", steps, n]),
              f("Cm", ["batch", steps, n])]
    outputs = [f("y", ["batch", d, steps])]
    if variant == "state":
        inputs.append(f("h0", ["batch", d, n]))
        nodes.append(helper.make_node("Identity", [h], ["h_last"]))
        outputs.append(f("h_last", ["batch", d, n]))
    if variant == "two_dt":
        inputs.append(f("dt2", ["batch", d, steps]))
    graph = helper.make_graph(nodes, "unrolled", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# variant: whether it must become hybrid.ssm_scan.
UNROLLED_VARIANTS = {"plain": True, "folded": True, "state": True, "casts": True,
                     "shifted_c": False, "two_dt": False}


@pytest.mark.parametrize("variant", list(UNROLLED_VARIANTS))
def test_raise_unrolled_mamba1(variant, rng):
    model = _unrolled_mamba1_model(variant)
    raised, sess = _raised_and_reference(model, "hybrid.ssm_scan", UNROLLED_VARIANTS[variant])
    names = [i.name for i in model.graph.input]
    for batch in (1, 3):
        feeds = {"x": rng.standard_normal((batch, 12, 6)).astype(np.float32),
                 "dt": (0.05 + 0.5 * rng.random((batch, 12, 6))).astype(np.float32),
                 "Bm": rng.standard_normal((batch, 6, 5)).astype(np.float32),
                 "Cm": rng.standard_normal((batch, 6, 5)).astype(np.float32),
                 "h0": rng.standard_normal((batch, 12, 5)).astype(np.float32),
                 "dt2": (0.05 + 0.5 * rng.random((batch, 12, 6))).astype(np.float32)}
        feeds = {k: v for k, v in feeds.items() if k in names}
        got = raised(**feeds)
        got = got if isinstance(got, (list, tuple)) else [got]
        for g, want in zip(got, sess.run(None, feeds)):
            _close(g, want)


def _linear_attention_scan_model(variant, heads=3, dk=8, dv=6):
    """The linear-attention family as an ONNX Scan over axis 1 (Gated DeltaNet's
    recurrence as exporters' fallbacks write it, independently of the zoo): state
    S [B, H, Dk, Dv]; per step, with g the log decay and beta the write strength,
        S1 = S * exp(g)                                   (gated rules)
        u  = (v - k^T S1) * beta                          (delta rules; else v)
        S' = S1 + k u^T;   o = (q * scale)^T S'
    `variant` picks the rule and the near misses."""
    gated = variant in ("gated_delta", "gated", "scale_after", "mem_before_gate", "old_readout")
    delta = variant in ("gated_delta", "delta", "scale_after", "mem_before_gate", "old_readout")
    scale = 0.3
    inits = [_const("scale", scale), _const("ax1", [1], np.int64), _const("ax2", [2], np.int64),
             _const("ax3", [3], np.int64), _const("ax23", [2, 3], np.int64)]
    nodes = []
    state = "S"
    if gated:
        nodes += [helper.make_node("Exp", ["g_t"], ["f"]),
                  helper.make_node("Unsqueeze", ["f", "ax23"], ["f4"]),
                  helper.make_node("Mul", ["f4", "S"], ["S1"])]
        state = "S1"
    if delta:
        # Near miss "mem_before_gate": the memory read uses the state before
        # the decay (another recurrence).
        mem_src = "S" if variant == "mem_before_gate" else state
        nodes += [helper.make_node("Unsqueeze", ["k_t", "ax2"], ["k_row"]),
                  helper.make_node("MatMul", ["k_row", mem_src], ["mem3"]),
                  helper.make_node("Squeeze", ["mem3", "ax2"], ["mem"]),
                  helper.make_node("Sub", ["v_t", "mem"], ["err"]),
                  helper.make_node("Unsqueeze", ["b_t", "ax2"], ["b3"]),
                  helper.make_node("Mul", ["b3", "err"], ["u"])]
        u = "u"
    else:
        u = "v_t"
    nodes += [helper.make_node("Unsqueeze", ["k_t", "ax3"], ["k_col"]),
              helper.make_node("Unsqueeze", [u, "ax2"], ["u_row"]),
              helper.make_node("MatMul", ["k_col", "u_row"], ["kv"]),
              helper.make_node("Add", ["kv", state], ["S_new"])]
    # Near miss "old_readout": the output reads the state before the update.
    readout = "S" if variant == "old_readout" else "S_new"
    if variant == "scale_after":
        nodes += [helper.make_node("Unsqueeze", ["q_t", "ax2"], ["q_row"]),
                  helper.make_node("MatMul", ["q_row", readout], ["o3"]),
                  helper.make_node("Squeeze", ["o3", "ax2"], ["o_raw"]),
                  helper.make_node("Mul", ["o_raw", "scale"], ["o_t"])]
    else:
        nodes += [helper.make_node("Mul", ["scale", "q_t"], ["qs"]),
                  helper.make_node("Unsqueeze", ["qs", "ax2"], ["q_row"]),
                  helper.make_node("MatMul", ["q_row", readout], ["o3"]),
                  helper.make_node("Squeeze", ["o3", "ax2"], ["o_t"])]
    nodes.append(helper.make_node("Identity", ["S_new"], ["S_out"]))
    vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, None)  # noqa: E731
    scanned = ["q", "k", "v"] + (["g"] if gated else []) + (["beta"] if delta else [])
    step_names = {"q": "q_t", "k": "k_t", "v": "v_t", "g": "g_t", "beta": "b_t"}
    body = helper.make_graph(nodes, "la_body", [vi("S")] + [vi(step_names[s]) for s in scanned],
                             [vi("S_out"), vi("o_t")])
    scan = helper.make_node("Scan", ["S0"] + scanned, ["S_final", "o"], body=body,
                            num_scan_inputs=len(scanned), scan_input_axes=[1] * len(scanned),
                            scan_output_axes=[1])
    shapes = {"q": ["batch", "seq", heads, dk], "k": ["batch", "seq", heads, dk],
              "v": ["batch", "seq", heads, dv], "g": ["batch", "seq", heads],
              "beta": ["batch", "seq", heads]}
    inputs = [helper.make_tensor_value_info("S0", TensorProto.FLOAT, ["batch", heads, dk, dv])]
    inputs += [helper.make_tensor_value_info(s, TensorProto.FLOAT, shapes[s]) for s in scanned]
    graph = helper.make_graph([scan], "la_scan", inputs, [vi("o"), vi("S_final")], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# variant: whether it must become hybrid.linear_attention.
LINEAR_ATTENTION_VARIANTS = {"gated_delta": True, "delta": True, "gated": True, "linear": True,
                             "scale_after": True, "mem_before_gate": False, "old_readout": False}


@pytest.mark.parametrize("variant", list(LINEAR_ATTENTION_VARIANTS))
def test_raise_linear_attention_scan(variant, rng):
    model = _linear_attention_scan_model(variant)
    raised, sess = _raised_and_reference(model, "hybrid.linear_attention",
                                         LINEAR_ATTENTION_VARIANTS[variant])
    names = [i.name for i in model.graph.input]
    for batch, seq in [(1, 1), (2, 9), (3, 33)]:
        feeds = {"S0": 0.5 * rng.standard_normal((batch, 3, 8, 6)).astype(np.float32),
                 "q": rng.standard_normal((batch, seq, 3, 8)).astype(np.float32),
                 "k": 0.3 * rng.standard_normal((batch, seq, 3, 8)).astype(np.float32),
                 "v": rng.standard_normal((batch, seq, 3, 6)).astype(np.float32),
                 "g": -(0.02 + 0.3 * rng.random((batch, seq, 3))).astype(np.float32),
                 "beta": rng.random((batch, seq, 3)).astype(np.float32)}
        feeds = {k: v for k, v in feeds.items() if k in names}
        for got, want in zip(raised(**feeds), sess.run(None, feeds)):
            _close(got, want)


def _ssd_loop_model(variant, heads=2, p=16, n=5):
    """Mamba-2's recurrence (one B/C group) as a Loop the way torch.onnx's dynamo
    exporter writes a while_loop: the trip count is the sequence length, the body
    Gathers step i of x [B, L, H, P], dt [B, L, H], B and C [B, L, N] and stacks
    y_t [B, H, P] along axis 0, transposed back to [B, L, H, P] after the loop:
        h' = exp(dt A) h + (x dt) B^T;   y = h' C."""
    rng = np.random.default_rng(5)
    a = -np.exp(0.5 * rng.standard_normal(heads)).astype(np.float32)
    inits = [_const("A", a), _const("one", 1, np.int64), _const("ax2", [2], np.int64),
             _const("ax3", [3], np.int64), _const("ax12", [1, 2], np.int64),
             _const("ax13", [1, 3], np.int64), _const("ax23", [2, 3], np.int64)]
    x_term = ["x_t", "x_t"] if variant == "x_squared" else ["x_t", "dt3"]
    nodes = [helper.make_node("Gather", [src, "i"], [dst], axis=1)
             for src, dst in [("x", "x_t"), ("dt", "dt_t"), ("Bm", "b_t"), ("Cm", "c_t")]]
    mul = (lambda u, v, o: helper.make_node("Mul", [v, u] if variant == "swapped" else [u, v], [o]))
    nodes += [mul("dt_t", "A", "dA0"),
              helper.make_node("Exp", ["dA0"], ["dA1"]),
              helper.make_node("Unsqueeze", ["dA1", "ax23"], ["dA"]),
              helper.make_node("Unsqueeze", ["dt_t", "ax2"], ["dt3"]),
              mul(*x_term, "xdt"),
              helper.make_node("Unsqueeze", ["xdt", "ax3"], ["xdt4"]),
              helper.make_node("Unsqueeze", ["b_t", "ax12"], ["b4"]),
              mul("xdt4", "b4", "dBx"),
              mul("dA", "h", "hd"),
              helper.make_node("Add", ["dBx", "hd"] if variant == "swapped" else ["hd", "dBx"],
                               ["h_new"]),
              helper.make_node("Unsqueeze", ["c_t", "ax13"], ["c4"]),
              helper.make_node("MatMul", ["h_new", "c4"], ["y4"]),
              helper.make_node("Squeeze", ["y4", "ax3"], ["y_t"]),
              helper.make_node("Identity", ["cond"], ["cond_out"]),
              helper.make_node("Identity", ["h_new"], ["h_out"])]
    vi = lambda name, elem=TensorProto.FLOAT: helper.make_tensor_value_info(name, elem, None)  # noqa: E731
    body = helper.make_graph(nodes, "ssd_body",
                             [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                              helper.make_tensor_value_info("cond", TensorProto.BOOL, []), vi("h")],
                             [vi("cond_out", TensorProto.BOOL), vi("h_out"), vi("y_t")])
    # Near miss "trip_heads": the loop runs H times, not L.
    graph_nodes = [helper.make_node("Shape", ["h0" if variant == "trip_heads" else "x"], ["x_shape"]),
                   helper.make_node("Gather", ["x_shape", "one"], ["trip"], axis=0),
                   helper.make_node("Loop", ["trip", "", "h0"], ["h_final", "y_tm"], body=body),
                   helper.make_node("Transpose", ["y_tm"], ["y"], perm=[1, 0, 2, 3])]
    inputs = [helper.make_tensor_value_info("h0", TensorProto.FLOAT, ["batch", heads, p, n]),
              helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", heads, p]),
              helper.make_tensor_value_info("dt", TensorProto.FLOAT, ["batch", "seq", heads]),
              helper.make_tensor_value_info("Bm", TensorProto.FLOAT, ["batch", "seq", n]),
              helper.make_tensor_value_info("Cm", TensorProto.FLOAT, ["batch", "seq", n])]
    graph = helper.make_graph(graph_nodes, "ssd_loop", inputs, [vi("y"), vi("h_final")],
                              initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# variant: whether it must become hybrid.ssm_scan.
SSD_VARIANTS = {"plain": True, "swapped": True, "x_squared": False, "trip_heads": False}


@pytest.mark.parametrize("variant", list(SSD_VARIANTS))
def test_raise_ssd_loop(variant, rng):
    model = _ssd_loop_model(variant)
    raised, sess = _raised_and_reference(model, "hybrid.ssm_scan", SSD_VARIANTS[variant])
    for batch, seq in [(1, 2), (2, 9), (3, 30)]:
        feeds = {"h0": rng.standard_normal((batch, 2, 16, 5)).astype(np.float32),
                 "x": rng.standard_normal((batch, seq, 2, 16)).astype(np.float32),
                 "dt": (0.05 + 0.5 * rng.random((batch, seq, 2))).astype(np.float32),
                 "Bm": rng.standard_normal((batch, seq, 5)).astype(np.float32),
                 "Cm": rng.standard_normal((batch, seq, 5)).astype(np.float32)}
        for got, want in zip(raised(**feeds), sess.run(None, feeds)):
            _close(got, want)


def _chunked_ssd_model(form, variant="plain", heads=3, p=4, n=5, groups=1, cs=4):
    """Mamba-2's SSD computed chunk by chunk, as the two PyTorch paths write it
    (written here from the algorithm, node by node, the way torch.onnx exports
    it), over x [B, L, H, P], dt [B, L, H] (already positive), B and C
    [B, L, G, N], with A and D per head:

        hf      transformers' Mamba2Mixer.torch_forward: the sequence padded to
                a multiple of the chunk (a Pad whose size the graph computes
                from L), segment sums by Expand, a strict lower mask and
                CumSum, and every contraction as broadcast Mul + ReduceSum;
                groups repeated to the heads by Tile; D's skip, the padding
                sliced off.
        einsum  mamba_ssm's ssd_minimal_discrete: Einsum contractions, segment
                sums as differences of a CumSum, L a multiple of the chunk.

    Outputs y [B, L, H*P] (hf) or [B, L, H, P] (einsum), and the final state
    [B, H, P, N]. The inter-chunk segment sum's mask is built at run time
    (Trilu of ones over the chunk count + 1); the intra-chunk one is a
    constant, as constant folding leaves it. With "past_state" the state
    before the first chunk is an input h0 [B, H, P, N] (a cache's) instead of
    zeros; "dynamo" builds the run-time mask's ones and the zero initial
    state by Expand of a scalar, as torch.onnx's dynamo exporter writes
    torch.ones and zeros_like. Near misses (must stay as written): "diag0" masks the first segment-sum step with the diagonal kept
    (hf), "first_decay" decays the chunk states from the chunk's first step,
    "shifted" reads the states after each chunk instead of before it."""
    rng = np.random.default_rng(17)
    rep = heads // groups
    a = -np.exp(0.5 * rng.standard_normal(heads)).astype(np.float32)
    d = rng.standard_normal(heads).astype(np.float32)
    tril = lambda k: np.tril(np.ones((cs, cs), dtype=bool), k)  # noqa: E731
    inits = [_const("A", a), _const("D", d), _const("zero_f", 0.0), _const("neg_inf", -np.inf),
             _const("cs_i", cs, np.int64), _const("last", -1, np.int64),
             _const("ax_m1", [-1], np.int64), _const("ax_m2", [-2], np.int64),
             _const("ax_1", [1], np.int64), _const("ax_2", [2], np.int64),
             _const("ax_3", [3], np.int64), _const("ax_45", [4, 5], np.int64),
             _const("axis_m1", -1, np.int64), _const("axis_m2", -2, np.int64),
             _const("i0", [0], np.int64), _const("i1", [1], np.int64),
             _const("im1", [-1], np.int64), _const("big", [2 ** 62], np.int64),
             _const("rep", [1, 1, rep, 1], np.int64),
             _const("pad_left1", [0, 0, 1, 0, 0, 0], np.int64), _const("kk", -1, np.int64), _const("one_s", 1, np.int64),
             _const("true", True, bool),
             _const("i2", [2], np.int64), _const("i3", [3], np.int64),
             _const("not_tril0", ~tril(0), bool),
             _const("not_tril_m1", ~tril(0 if variant == "diag0" else -1), bool)]
    nodes = []

    def node(op, ins, out=None, **attrs):
        out = out or f"t{len(nodes)}"
        nodes.append(helper.make_node(op, ins, [out], **attrs))
        return out

    def unsq(x, axes):
        return node("Unsqueeze", [x, axes])

    def tr(x, perm):
        return node("Transpose", [x], perm=perm)

    def rsum(x, axes):
        return node("ReduceSum", [x, axes], keepdims=0)

    def run_time_mask(x, k):
        """~tril(ones(m, m), k) over x's last dim m, built at run time."""
        m = unsq(node("Gather", [node("Shape", [x]), "last"], axis=0), "i0")
        if variant == "dynamo":
            ones = node("Expand", ["true", node("Concat", [m, m], axis=0)])
        else:
            ones = node("ConstantOfShape", [node("Concat", [m, m], axis=0)],
                        value=helper.make_tensor("one", TensorProto.BOOL, [1], [True]))
        return node("Not", [node("Trilu", [ones, "kk" if k else ""], upper=0)])

    def segsum(x, constant_masks):
        """segsum(x)[..., i, j] = x[j+1] + ... + x[i] for j <= i, else -inf."""
        if form == "hf":
            shape = node("Concat", [node("Shape", [x]),
                                    unsq(node("Gather", [node("Shape", [x]), "last"], axis=0), "i0")],
                         axis=0)
            e = node("Expand", [unsq(x, "ax_m1"), shape])
            strict = "not_tril_m1" if constant_masks else run_time_mask(x, -1)
            masked = node("Where", [strict, "zero_f", e])
            summed = node("CumSum", [masked, "axis_m2"])
        else:
            c = node("CumSum", [x, "axis_m1"])
            summed = node("Sub", [unsq(c, "ax_m1"), unsq(c, "ax_m2")])
        upper = "not_tril0" if constant_masks else run_time_mask(x, 0)
        return node("Where", [upper, "neg_inf", summed])

    xdt = node("Mul", ["x", unsq("dt", "ax_m1")])
    adt = node("Mul", ["A", "dt"])
    bh = node("Tile", ["Bg", "rep"])
    ch = node("Tile", ["Cg", "rep"])
    if form == "hf":
        shape = node("Shape", ["x"])
        bsz = node("Gather", [shape, "i0"], axis=0)
        seq = node("Gather", [shape, "one_s"], axis=0)  # a scalar
        pad = node("Mod", [node("Sub", ["cs_i", node("Mod", [seq, "cs_i"])]), "cs_i"])
        inits += [_const("zeros5", [0] * 5, np.int64), _const("zeros4", [0] * 4, np.int64),
                  _const("zeros2", [0] * 2, np.int64)]
        # F.pad's (0, 0, .., pad, 0, 0): pad at the end of axis 1.
        pads4 = node("Concat", ["zeros5", unsq(pad, "i0"), "zeros2"], axis=0)
        pads3 = node("Concat", ["zeros4", unsq(pad, "i0"), "i0"], axis=0)
        d_res = node("Mul", [unsq("D", "ax_m1"), node("Pad", ["x", pads4])])

        def chunks(t, rank):
            padded = node("Pad", [t, pads4 if rank == 4 else pads3])
            pshape = node("Shape", [padded])
            dims = [node("Gather", [pshape, "i0"], axis=0), "im1", unsq("cs_i", "i0")]
            dims += [node("Gather", [pshape, f"i{k}"], axis=0) for k in range(2, rank)]
            return node("Reshape", [padded, node("Concat", dims, axis=0)])

        xc, ac, bc, cc = chunks(xdt, 4), chunks(adt, 3), chunks(bh, 4), chunks(ch, 4)
    else:
        inits += [_const("chunk5", [0, -1, cs, heads, p], np.int64),
                  _const("chunk5n", [0, -1, cs, heads, n], np.int64),
                  _const("chunk4", [0, -1, cs, heads], np.int64)]
        xc = node("Reshape", [xdt, "chunk5"])
        ac = node("Reshape", [adt, "chunk4"])
        bc = node("Reshape", [bh, "chunk5n"])
        cc = node("Reshape", [ch, "chunk5n"])
    a4 = tr(ac, [0, 3, 1, 2])
    acs = node("CumSum", [a4, "axis_m1"])
    big_l = node("Exp", [segsum(a4, True)])
    if form == "hf":
        g = rsum(node("Mul", [unsq(cc, "ax_3"), unsq(bc, "ax_2")]), "ax_m1")
        m = rsum(node("Mul", [unsq(g, "ax_m1"), unsq(tr(big_l, [0, 2, 3, 4, 1]), "ax_m1")]),
                 "ax_m1")
        y_diag = rsum(node("Mul", [unsq(m, "ax_m1"), unsq(xc, "ax_2")]), "ax_3")
    else:
        y_diag = node("Einsum", [cc, bc, big_l, xc], equation="bclhn,bcshn,bhcls,bcshp->bclhp")
    edge = "i0" if variant == "first_decay" else "im1"
    edge_end = "i1" if variant == "first_decay" else "big"
    decay = node("Exp", [node("Sub", [node("Slice", [acs, edge, edge_end, "ax_3"]), acs])])
    if form == "hf":
        b_decay = node("Mul", [bc, unsq(tr(decay, [0, 2, 3, 1]), "ax_m1")])
        states = rsum(node("Mul", [unsq(b_decay, "ax_m2"), unsq(xc, "ax_m1")]), "ax_2")
    else:
        states = node("Einsum", [bc, decay, xc], equation="bclhn,bhcl,bclhp->bchpn")
    if variant == "past_state":
        # A cache's state [B, H, P, N] as the state before the first chunk.
        prev = unsq("h0", "ax_1")
    elif variant == "dynamo":
        prev = node("Expand", ["zero_f", node("Shape", [node("Slice", [states, "i0", "i1", "ax_1"])])])
    else:
        prev = node("ConstantOfShape", [node("Shape", [node("Slice", [states, "i0", "i1", "ax_1"])])])
    states = node("Concat", [prev, states], axis=1)
    last_a = node("Gather", [acs, "last"], axis=3)
    dchunk = node("Exp", [segsum(node("Pad", [last_a, "pad_left1"]), False)])
    if form == "hf":
        dchunk = tr(dchunk, [0, 3, 2, 1])
        new = rsum(node("Mul", [unsq(dchunk, "ax_45"), unsq(states, "ax_2")]), "ax_1")
    else:
        new = node("Einsum", [dchunk, states], equation="bhzc,bchpn->bzhpn")
    if variant == "shifted":
        before = node("Slice", [new, "i1", "big", "ax_1"])
    else:
        before = node("Slice", [new, "i0", "im1", "ax_1"])
    node("Gather", [new, "last"], "state", axis=1)
    out_decay = node("Exp", [acs])
    if form == "hf":
        cts = node("Mul", [unsq(cc, "ax_m2"), unsq(before, "ax_2")])
        y_off = node("Mul", [rsum(cts, "ax_m1"), unsq(tr(out_decay, [0, 2, 3, 1]), "ax_m1")])
    else:
        y_off = node("Einsum", [cc, before, out_decay], equation="bclhn,bchpn,bhcl->bclhp")
    y = node("Add", [y_diag, y_off])
    if form == "hf":
        inits.append(_const("hp", [heads, p], np.int64))
        yr = node("Reshape", [y, node("Concat", [bsz, "im1", "hp"],
                                      axis=0)])
        ys = node("Slice", [node("Add", [yr, d_res]), "i0", unsq(seq, "i0"), "ax_1"])
        node("Reshape", [ys, node("Concat", [bsz, unsq(seq, "i0"), "im1"], axis=0)], "y")
    else:
        inits.append(_const("out4", [0, -1, heads, p], np.int64))
        node("Reshape", [y, "out4"], "y")
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", heads, p]),
              helper.make_tensor_value_info("dt", TensorProto.FLOAT, ["batch", "seq", heads]),
              helper.make_tensor_value_info("Bg", TensorProto.FLOAT, ["batch", "seq", groups, n]),
              helper.make_tensor_value_info("Cg", TensorProto.FLOAT, ["batch", "seq", groups, n])]
    if variant == "past_state":
        inputs.append(helper.make_tensor_value_info("h0", TensorProto.FLOAT, ["batch", heads, p, n]))
    outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in ("y", "state")]
    graph = helper.make_graph(nodes, "chunked_ssd", inputs, outputs, initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# (form, variant): whether it must become hybrid.linear_attention.
CHUNKED_SSD = {("hf", "plain"): True, ("einsum", "plain"): True, ("hf", "past_state"): True,
               ("hf", "dynamo"): True, ("hf", "groups"): True, ("einsum", "groups"): True,
               ("hf", "diag0"): False,
               ("einsum", "first_decay"): False, ("hf", "shifted"): False}


@pytest.mark.parametrize("form,variant", list(CHUNKED_SSD))
def test_raise_chunked_ssd(form, variant, rng):
    # "groups": 4 heads sharing 2 B/C groups (tiled to the heads), head dim 3,
    # state 2, chunks of 8; the others 3 heads, one group, head dim 4, state 5,
    # chunks of 4.
    h, g, p, n, cs = (4, 2, 3, 2, 8) if variant == "groups" else (3, 1, 4, 5, 4)
    model = _chunked_ssd_model(form, "plain" if variant == "groups" else variant,
                               heads=h, p=p, n=n, groups=g, cs=cs)
    raised, sess = _raised_and_reference(model, "hybrid.linear_attention",
                                         CHUNKED_SSD[(form, variant)])
    # Lengths that are and are not multiples of the chunk; the einsum form
    # needs multiples.
    lengths = [cs, 2 * cs, 5 * cs] if form == "einsum" else [1, cs, 2 * cs - 1, 4 * cs + 2]
    for batch, seq in zip([1, 2, 3, 1], lengths):
        feeds = {"x": rng.standard_normal((batch, seq, h, p)).astype(np.float32),
                 "dt": (0.05 + 0.5 * rng.random((batch, seq, h))).astype(np.float32),
                 "Bg": rng.standard_normal((batch, seq, g, n)).astype(np.float32),
                 "Cg": rng.standard_normal((batch, seq, g, n)).astype(np.float32)}
        if variant == "past_state":
            feeds["h0"] = rng.standard_normal((batch, h, p, n)).astype(np.float32)
        for got, want in zip(raised(**feeds), sess.run(None, feeds)):
            _close(got, want)


def _causal_conv_model(variant, c=12, k=4):
    """A depthwise causal convolution over x [B, L, C] written with standard ops
    (independently of the zoo), its result through SiLU and back to [B, L, C]:
        pad         Conv(Pad(x^T, K-1 on the left)); the state Slice(padded, -(K-1):)
        conv_pads   Conv(x^T, pads = [K-1, 0])
        hf          Conv(x^T, pads = [K-1, K-1])[..., :L]
        decode      Conv(Concat(past, x^T)); the state Slice(concat, -(K-1):)
                    (one token or several: a chunk after a prefix)
        silu_shared as pad, y also an output of its own (no SiLU folded)
    and the near misses pad_right (padded on both sides: not causal),
    not_depthwise (group = 1) and hf_offset (HF's slice starting at 1)."""
    rng = np.random.default_rng(9)
    depthwise = variant != "not_depthwise"
    w = rng.standard_normal((c, 1 if depthwise else c, k)).astype(np.float32) / np.sqrt(k)
    inits = [_const("W", w), _const("bias", 0.1 * rng.standard_normal(c)),
             _const("zero", [0], np.int64), _const("one", [1], np.int64), _const("two", [2], np.int64),
             _const("tail", [-(k - 1)], np.int64), _const("big", [2 ** 62], np.int64)]
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 2, 1])]
    outputs = ["y"]
    conv = dict(group=c if depthwise else 1, kernel_shape=[k])
    if variant in ("pad", "silu_shared", "pad_right", "not_depthwise"):
        right = 1 if variant == "pad_right" else 0
        inits.append(_const("pads", [0, 0, k - 1, 0, 0, right], np.int64))
        nodes += [helper.make_node("Pad", ["xt", "pads"], ["full"]),
                  helper.make_node("Conv", ["full", "W", "bias"], ["conv"], pads=[0, 0], **conv),
                  helper.make_node("Slice", ["full", "tail", "big", "two"], ["state"])]
        outputs.append("state")
    elif variant == "conv_pads":
        nodes.append(helper.make_node("Conv", ["xt", "W", "bias"], ["conv"], pads=[k - 1, 0], **conv))
    elif variant in ("hf", "hf_offset"):
        start = "one" if variant == "hf_offset" else "zero"
        nodes += [helper.make_node("Conv", ["xt", "W", "bias"], ["conv_full"], pads=[k - 1, k - 1],
                                   **conv),
                  helper.make_node("Shape", ["xt"], ["len"], start=2, end=3),
                  helper.make_node("Slice", ["conv_full", start, "len", "two"], ["conv"])]
    elif variant == "decode":
        nodes += [helper.make_node("Concat", ["past", "xt"], ["full"], axis=2),
                  helper.make_node("Conv", ["full", "W", "bias"], ["conv"], **conv),
                  helper.make_node("Slice", ["full", "tail", "big", "two"], ["state"])]
        outputs.append("state")
    nodes += [helper.make_node("Sigmoid", ["conv"], ["sig"]),
              helper.make_node("Mul", ["sig", "conv"], ["act"]),
              helper.make_node("Transpose", ["act"], ["y"], perm=[0, 2, 1])]
    if variant == "silu_shared":
        outputs.append("conv")
    vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, None)  # noqa: E731
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", c])]
    if variant == "decode":
        inputs.append(helper.make_tensor_value_info("past", TensorProto.FLOAT, ["batch", c, k - 1]))
    graph = helper.make_graph(nodes, "causal_conv", inputs, [vi(o) for o in outputs],
                              initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# variant: whether it must become hybrid.causal_conv1d.
CAUSAL_CONV_VARIANTS = {"pad": True, "conv_pads": True, "hf": True, "decode": True,
                        "silu_shared": True, "pad_right": False, "not_depthwise": False,
                        "hf_offset": False}


@pytest.mark.parametrize("variant", list(CAUSAL_CONV_VARIANTS))
def test_raise_causal_conv(variant, rng):
    model = _causal_conv_model(variant)
    raised, sess = _raised_and_reference(model, "hybrid.causal_conv1d",
                                         CAUSAL_CONV_VARIANTS[variant])
    for batch, seq in [(1, 1), (2, 5), (3, 37)]:
        feeds = {"x": rng.standard_normal((batch, seq, 12)).astype(np.float32)}
        if variant == "decode":
            feeds["past"] = rng.standard_normal((batch, 12, 3)).astype(np.float32)
        got = raised(**feeds)
        got = list(got) if isinstance(got, (list, tuple)) else [got]
        want = sess.run(None, feeds)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _close(g, w)


def _scan_to_decode_step(model):
    """The one-token decode step of a Scan model above, written out as explicit
    ops the way exporters write a decode graph: each scanned input [B, 1, ...]
    Squeezed on axis 1 into the body's input, the body's nodes at the top level
    on the past state (a graph input), its output Unsqueezed back to [B, 1, ...]
    and its new state a graph output."""
    g = model.graph
    scan = next(n for n in g.node if n.op_type == "Scan")
    body = next(a.g for a in scan.attribute if a.name == "body")
    state_in, *scanned = scan.input
    nodes = [helper.make_node("Squeeze", [outer, "ax1"], [step.name])
             for outer, step in zip(scanned, body.input[1:])]
    nodes += [helper.make_node("Identity", [state_in], [body.input[0].name])]
    nodes += list(body.node)
    nodes += [helper.make_node("Identity", [body.output[0].name], [scan.output[0]]),
              helper.make_node("Unsqueeze", [body.output[1].name, "ax1"], [scan.output[1]])]
    inputs = []
    for vi in g.input:
        dims = [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]
        inputs.append(helper.make_tensor_value_info(
            vi.name, TensorProto.FLOAT, [1 if d == "seq" else d for d in dims]))
    inits = [i for i in g.initializer if i.name != "ax1"] + [_const("ax1", [1], np.int64)]
    graph = helper.make_graph(nodes, "decode_step", inputs, list(g.output), initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


# (builder, its variant, the op it must become or None for a near miss).
DECODE_STEPS = {"mamba1": (_ssm_scan_model, "swapped", "hybrid.ssm_scan"),
                "mamba1_old_state": (_ssm_scan_model, "old_state", None),
                "gated_delta": (_linear_attention_scan_model, "gated_delta", "hybrid.linear_attention"),
                "scale_after": (_linear_attention_scan_model, "scale_after", "hybrid.linear_attention"),
                "linear": (_linear_attention_scan_model, "linear", "hybrid.linear_attention"),
                "mem_before_gate": (_linear_attention_scan_model, "mem_before_gate", None)}


@pytest.mark.parametrize("name", list(DECODE_STEPS))
def test_raise_decode_step(name, rng):
    build, variant, op = DECODE_STEPS[name]
    model = _scan_to_decode_step(build(variant))
    raised, sess = _raised_and_reference(model, op or "hybrid.ssm_scan", op is not None)
    if op is None:
        assert "hybrid.linear_attention" not in raised.ir("hybrid")
    names = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim] for i in model.graph.input}
    for batch in (1, 3):
        feeds = {}
        for n, dims in names.items():
            shape = [batch] + [d if d else 1 for d in dims[1:]]
            v = rng.standard_normal(shape).astype(np.float32)
            if n in ("delta", "beta"):
                v = 0.05 + 0.5 * np.abs(v)
            elif n == "g":
                v = -0.3 * np.abs(v)
            elif n == "k":
                v = 0.3 * v
            feeds[n] = v
        for got, want in zip(raised(**feeds), sess.run(None, feeds)):
            _close(got, want)
