"""Small ONNX graphs, one or more per converter family, for check_models.py.

Each case builds its model with onnx.helper and draws fresh random inputs; the
dynamic dims ("batch", "seq") are left symbolic so the converters' dynamic-shape
paths run too.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, List

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh


@dataclass
class Case:
    name: str
    model: onnx.ModelProto
    make_inputs: Callable[[np.random.Generator], Dict[str, np.ndarray]]
    use_ort: bool = True
    tol: float = 1e-4
    flags: List[str] = field(default_factory=list)


def model(nodes, inputs, outputs, inits=(), opset=23, extra_opsets=()):
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    ops = [h.make_opsetid("", opset)] + [h.make_opsetid(d, v) for d, v in extra_opsets]
    m = h.make_model(g, opset_imports=ops)
    m.ir_version = 10
    return m


def vi(name, elt, shape):
    return h.make_tensor_value_info(name, elt, shape)


def rnd(rng, shape, dtype=np.float32, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def unary_cases():
    out = []
    ops = {"Exp": (-2, 2), "Log": (0.1, 3), "Sqrt": (0.1, 3), "Tanh": (-3, 3), "Sigmoid": (-4, 4),
           "Relu": (-2, 2), "Abs": (-2, 2), "Neg": (-2, 2), "Erf": (-2, 2), "Softplus": (-5, 5),
           "Softsign": (-3, 3), "Reciprocal": (0.5, 3), "Floor": (-3, 3), "Ceil": (-3, 3),
           "Sin": (-3, 3), "Cos": (-3, 3), "Atan": (-3, 3), "Sign": (-2, 2), "Round": (-3, 3),
           "Mish": (-3, 3)}
    for op, (lo, hi) in ops.items():
        m = model([h.make_node(op, ["x"], ["y"])], [vi("x", T.FLOAT, ["batch", 5, 7])],
                  [vi("y", T.FLOAT, None)])
        out.append(Case(f"unary/{op}", m, lambda r, lo=lo, hi=hi: {"x": rnd(r, (2, 5, 7), lo=lo, hi=hi)}))
    for op, attrs in [("LeakyRelu", {"alpha": 0.2}), ("Elu", {"alpha": 0.7}), ("Selu", {}),
                      ("HardSigmoid", {}), ("HardSwish", {}), ("Gelu", {}),
                      ("Gelu", {"approximate": "tanh"}), ("Celu", {"alpha": 0.5})]:
        m = model([h.make_node(op, ["x"], ["y"], **attrs)], [vi("x", T.FLOAT, [3, 4])],
                  [vi("y", T.FLOAT, None)])
        tag = "_".join(f"{k}" for k in attrs)
        out.append(Case(f"unary/{op}{'_' + tag if tag else ''}", m,
                        lambda r: {"x": rnd(r, (3, 4), lo=-3, hi=3)}))
    return out


def binary_cases():
    out = []
    for op in ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"]:
        m = model([h.make_node(op, ["a", "b"], ["y"])],
                  [vi("a", T.FLOAT, ["batch", 4, 6]), vi("b", T.FLOAT, [1, 6])],
                  [vi("y", T.FLOAT, None)])
        pos = op in ("Pow", "Div")
        out.append(Case(f"binary/{op}", m, lambda r, pos=pos: {
            "a": rnd(r, (3, 4, 6), lo=0.5 if pos else -2, hi=2),
            "b": rnd(r, (1, 6), lo=0.5 if pos else -2, hi=2)}))
    for op in ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"]:
        m = model([h.make_node(op, ["a", "b"], ["y"])],
                  [vi("a", T.INT64, [4, 5]), vi("b", T.INT64, [5])], [vi("y", T.BOOL, None)])
        out.append(Case(f"compare/{op}", m, lambda r: {
            "a": r.integers(-3, 3, size=(4, 5)), "b": r.integers(-3, 3, size=(5,))}))
    m = model([h.make_node("Where", ["c", "a", "b"], ["y"])],
              [vi("c", T.BOOL, [4, 1]), vi("a", T.FLOAT, [4, 5]), vi("b", T.FLOAT, [5])],
              [vi("y", T.FLOAT, None)])
    out.append(Case("binary/Where", m, lambda r: {
        "c": r.integers(0, 2, size=(4, 1)).astype(bool), "a": rnd(r, (4, 5)), "b": rnd(r, (5,))}))
    m = model([h.make_node("Mod", ["a", "b"], ["y"])],
              [vi("a", T.INT64, [6]), vi("b", T.INT64, [6])], [vi("y", T.INT64, None)])
    out.append(Case("binary/Mod", m, lambda r: {
        "a": r.integers(-9, 9, size=(6,)), "b": np.array([3, -3, 4, -4, 5, 7])}))
    m = model([h.make_node("Cast", ["x"], ["y"], to=T.INT32), h.make_node("Cast", ["y"], ["z"], to=T.FLOAT)],
              [vi("x", T.FLOAT, [8])], [vi("z", T.FLOAT, None)])
    out.append(Case("cast/float_int_float", m, lambda r: {"x": rnd(r, (8,), lo=-5, hi=5)}))
    m = model([h.make_node("Clip", ["x", "lo", "hi"], ["y"])], [vi("x", T.FLOAT, [3, 4])],
              [vi("y", T.FLOAT, None)],
              [nh.from_array(np.array(-0.5, np.float32), "lo"), nh.from_array(np.array(0.25, np.float32), "hi")])
    out.append(Case("clip/inputs", m, lambda r: {"x": rnd(r, (3, 4))}))
    return out


def matmul_cases():
    out = []
    for name, a, b in [("2d", (5, 7), (7, 3)), ("batched", (2, 5, 7), (7, 3)),
                       ("broadcast", (2, 1, 5, 7), (3, 7, 4)), ("vec_mat", (7,), (7, 3)),
                       ("mat_vec", (5, 7), (7,))]:
        m = model([h.make_node("MatMul", ["a", "b"], ["y"])],
                  [vi("a", T.FLOAT, list(a)), vi("b", T.FLOAT, list(b))], [vi("y", T.FLOAT, None)])
        out.append(Case(f"matmul/{name}", m, lambda r, a=a, b=b: {"a": rnd(r, a), "b": rnd(r, b)}))
    m = model([h.make_node("Gemm", ["a", "b", "c"], ["y"], alpha=0.5, beta=2.0, transB=1)],
              [vi("a", T.FLOAT, [4, 6]), vi("b", T.FLOAT, [3, 6])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.arange(3, dtype=np.float32), "c")])
    out.append(Case("gemm/transB_bias", m, lambda r: {"a": rnd(r, (4, 6)), "b": rnd(r, (3, 6))}))
    return out


def reduction_cases():
    out = []
    for op in ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2",
               "ReduceSumSquare", "ReduceLogSumExp"]:
        for keep in (0, 1):
            m = model([h.make_node(op, ["x", "axes"], ["y"], keepdims=keep)],
                      [vi("x", T.FLOAT, ["batch", 4, 5])], [vi("y", T.FLOAT, None)],
                      [nh.from_array(np.array([1, -1], np.int64), "axes")], opset=18)
            out.append(Case(f"reduce/{op}_keep{keep}", m, lambda r: {"x": rnd(r, (2, 4, 5), lo=0.2, hi=1.5)}))
    for op in ["Softmax", "LogSoftmax"]:
        for axis in (-1, 1):
            m = model([h.make_node(op, ["x"], ["y"], axis=axis)], [vi("x", T.FLOAT, [2, 3, 6])],
                      [vi("y", T.FLOAT, None)])
            out.append(Case(f"softmax/{op}_axis{axis}", m, lambda r: {"x": rnd(r, (2, 3, 6), lo=-4, hi=4)}))
    for op in ["ArgMax", "ArgMin"]:
        m = model([h.make_node(op, ["x"], ["y"], axis=1, keepdims=0)], [vi("x", T.FLOAT, [3, 7])],
                  [vi("y", T.INT64, None)])
        out.append(Case(f"arg/{op}", m, lambda r: {"x": rnd(r, (3, 7))}))
    return out


def shape_cases():
    out = []
    i64 = lambda v, n: nh.from_array(np.array(v, np.int64), n)  # noqa: E731
    m = model([h.make_node("Reshape", ["x", "s"], ["y"])], [vi("x", T.FLOAT, ["batch", 4, 6])],
              [vi("y", T.FLOAT, None)], [i64([0, -1, 3], "s")])
    out.append(Case("shape/reshape_0_-1", m, lambda r: {"x": rnd(r, (2, 4, 6))}))
    # The dynamic-batch export pattern: Shape -> Gather -> Concat -> Reshape.
    nodes = [h.make_node("Shape", ["x"], ["sh"]),
             h.make_node("Gather", ["sh", "zero"], ["b"], axis=0),
             h.make_node("Unsqueeze", ["b", "ax0"], ["b1"]),
             h.make_node("Concat", ["b1", "rest"], ["s"], axis=0),
             h.make_node("Reshape", ["x", "s"], ["y"])]
    m = model(nodes, [vi("x", T.FLOAT, ["batch", 4, 6])], [vi("y", T.FLOAT, None)],
              [i64(0, "zero"), i64([0], "ax0"), i64([8, 3], "rest")])
    out.append(Case("shape/dynamic_reshape_chain", m, lambda r: {"x": rnd(r, (3, 4, 6))}))
    m = model([h.make_node("Transpose", ["x"], ["y"], perm=[2, 0, 1])], [vi("x", T.FLOAT, [2, 3, 4])],
              [vi("y", T.FLOAT, None)])
    out.append(Case("shape/transpose", m, lambda r: {"x": rnd(r, (2, 3, 4))}))
    m = model([h.make_node("Concat", ["a", "b"], ["y"], axis=1)],
              [vi("a", T.FLOAT, ["batch", 2, 3]), vi("b", T.FLOAT, ["batch", 4, 3])], [vi("y", T.FLOAT, None)])
    out.append(Case("shape/concat", m, lambda r: {"a": rnd(r, (2, 2, 3)), "b": rnd(r, (2, 4, 3))}))
    m = model([h.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], [vi("x", T.FLOAT, [6, 8])],
              [vi("y", T.FLOAT, None)], [i64([1, -1], "st"), i64([5, -9], "en"), i64([0, 1], "ax"), i64([2, -2], "sp")])
    out.append(Case("shape/slice_negative_step", m, lambda r: {"x": rnd(r, (6, 8))}))
    m = model([h.make_node("Slice", ["x", "st", "en"], ["y"])], [vi("x", T.FLOAT, ["batch", 8])],
              [vi("y", T.FLOAT, None)], [i64([1, 2], "st"), i64([100, -1], "en")])
    out.append(Case("shape/slice_dynamic", m, lambda r: {"x": rnd(r, (4, 8))}))
    m = model([h.make_node("Split", ["x", "sp"], ["a", "b"], axis=1)], [vi("x", T.FLOAT, [2, 7])],
              [vi("a", T.FLOAT, None), vi("b", T.FLOAT, None)], [i64([3, 4], "sp")])
    out.append(Case("shape/split", m, lambda r: {"x": rnd(r, (2, 7))}))
    m = model([h.make_node("Gather", ["x", "i"], ["y"], axis=1)], [vi("x", T.FLOAT, [3, 5, 2]), vi("i", T.INT64, [2, 2])],
              [vi("y", T.FLOAT, None)])
    out.append(Case("shape/gather", m, lambda r: {"x": rnd(r, (3, 5, 2)), "i": np.array([[0, -1], [4, 2]])}))
    m = model([h.make_node("Unsqueeze", ["x", "ax"], ["u"]), h.make_node("Squeeze", ["u", "ax"], ["y"])],
              [vi("x", T.FLOAT, [3, 4])], [vi("y", T.FLOAT, None)], [i64([0, 3], "ax")])
    out.append(Case("shape/unsqueeze_squeeze", m, lambda r: {"x": rnd(r, (3, 4))}))
    m = model([h.make_node("Expand", ["x", "s"], ["y"])], [vi("x", T.FLOAT, [3, 1])],
              [vi("y", T.FLOAT, None)], [i64([2, 3, 4], "s")])
    out.append(Case("shape/expand", m, lambda r: {"x": rnd(r, (3, 1))}))
    m = model([h.make_node("Tile", ["x", "rp"], ["y"])], [vi("x", T.FLOAT, [2, 3])],
              [vi("y", T.FLOAT, None)], [i64([2, 3], "rp")])
    out.append(Case("shape/tile", m, lambda r: {"x": rnd(r, (2, 3))}))
    m = model([h.make_node("Trilu", ["x"], ["y"], upper=0)], [vi("x", T.FLOAT, [2, 4, 4])], [vi("y", T.FLOAT, None)])
    out.append(Case("shape/trilu_lower", m, lambda r: {"x": rnd(r, (2, 4, 4))}))
    for mode in ("constant", "edge", "reflect"):
        m = model([h.make_node("Pad", ["x", "p"], ["y"], mode=mode)], [vi("x", T.FLOAT, [3, 4])],
                  [vi("y", T.FLOAT, None)], [i64([1, 2, 2, 1], "p")])
        out.append(Case(f"shape/pad_{mode}", m, lambda r: {"x": rnd(r, (3, 4))}))
    m = model([h.make_node("Flatten", ["x"], ["y"], axis=2)], [vi("x", T.FLOAT, [2, 3, 4, 5])], [vi("y", T.FLOAT, None)])
    out.append(Case("shape/flatten", m, lambda r: {"x": rnd(r, (2, 3, 4, 5))}))
    return out


def normalization_cases():
    out = []
    f32 = lambda a, n: nh.from_array(np.asarray(a, np.float32), n)  # noqa: E731
    rng = np.random.default_rng(7)
    m = model([h.make_node("RMSNormalization", ["x", "w"], ["y"], epsilon=1e-5)],
              [vi("x", T.FLOAT, ["batch", 5, 16])], [vi("y", T.FLOAT, None)], [f32(rng.uniform(0.5, 1.5, 16), "w")])
    out.append(Case("norm/RMSNormalization", m, lambda r: {"x": rnd(r, (2, 5, 16))}))
    m = model([h.make_node("RMSNormalization", ["x", "w"], ["y"], axis=1)],
              [vi("x", T.FLOAT, [2, 3, 4])], [vi("y", T.FLOAT, None)], [f32(rng.uniform(0.5, 1.5, (3, 4)), "w")])
    out.append(Case("norm/RMSNormalization_axis1", m, lambda r: {"x": rnd(r, (2, 3, 4))}))
    m = model([h.make_node("LayerNormalization", ["x", "w", "b"], ["y"], epsilon=1e-5)],
              [vi("x", T.FLOAT, ["batch", 5, 16])], [vi("y", T.FLOAT, None)],
              [f32(rng.uniform(0.5, 1.5, 16), "w"), f32(rng.uniform(-0.5, 0.5, 16), "b")])
    out.append(Case("norm/LayerNormalization", m, lambda r: {"x": rnd(r, (2, 5, 16))}))
    m = model([h.make_node("BatchNormalization", ["x", "s", "b", "mu", "var"], ["y"])],
              [vi("x", T.FLOAT, [2, 3, 4, 4])], [vi("y", T.FLOAT, None)],
              [f32(rng.uniform(0.5, 1.5, 3), "s"), f32(rng.uniform(-1, 1, 3), "b"),
               f32(rng.uniform(-1, 1, 3), "mu"), f32(rng.uniform(0.5, 2, 3), "var")])
    out.append(Case("norm/BatchNormalization", m, lambda r: {"x": rnd(r, (2, 3, 4, 4))}))
    m = model([h.make_node("SkipSimplifiedLayerNormalization", ["x", "s", "w"], ["y", "", "", "sum"],
                           domain="com.microsoft", epsilon=1e-6)],
              [vi("x", T.FLOAT, [2, 5, 8]), vi("s", T.FLOAT, [2, 5, 8])],
              [vi("y", T.FLOAT, None), vi("sum", T.FLOAT, None)], [f32(rng.uniform(0.5, 1.5, 8), "w")],
              extra_opsets=[("com.microsoft", 1)])
    out.append(Case("norm/SkipSimplifiedLayerNormalization", m,
                    lambda r: {"x": rnd(r, (2, 5, 8)), "s": rnd(r, (2, 5, 8))}))
    return out


def attention_cases():
    out = []
    B, H, KV, S, D = 2, 4, 2, 6, 8
    for causal in (0, 1):
        m = model([h.make_node("Attention", ["q", "k", "v"], ["y"], is_causal=causal)],
                  [vi("q", T.FLOAT, [B, H, S, D]), vi("k", T.FLOAT, [B, KV, S, D]), vi("v", T.FLOAT, [B, KV, S, D])],
                  [vi("y", T.FLOAT, None)])
        out.append(Case(f"attention/gqa_4d_causal{causal}", m, lambda r: {
            "q": rnd(r, (B, H, S, D)), "k": rnd(r, (B, KV, S, D)), "v": rnd(r, (B, KV, S, D))}))
    m = model([h.make_node("Attention", ["q", "k", "v", "mask"], ["y"], q_num_heads=H, kv_num_heads=KV)],
              [vi("q", T.FLOAT, [B, S, H * D]), vi("k", T.FLOAT, [B, S, KV * D]), vi("v", T.FLOAT, [B, S, KV * D]),
               vi("mask", T.FLOAT, [S, S])], [vi("y", T.FLOAT, None)])
    out.append(Case("attention/3d_float_mask", m, lambda r: {
        "q": rnd(r, (B, S, H * D)), "k": rnd(r, (B, S, KV * D)), "v": rnd(r, (B, S, KV * D)),
        "mask": rnd(r, (S, S))}))
    P = 5
    m = model([h.make_node("Attention", ["q", "k", "v", "", "pk", "pv"], ["y", "present_key", "present_value"])],
              [vi("q", T.FLOAT, [B, H, 1, D]), vi("k", T.FLOAT, [B, KV, 1, D]), vi("v", T.FLOAT, [B, KV, 1, D]),
               vi("pk", T.FLOAT, [B, KV, P, D]), vi("pv", T.FLOAT, [B, KV, P, D])],
              [vi("y", T.FLOAT, None), vi("present_key", T.FLOAT, None), vi("present_value", T.FLOAT, None)])
    out.append(Case("attention/decode_with_past", m, lambda r: {
        "q": rnd(r, (B, H, 1, D)), "k": rnd(r, (B, KV, 1, D)), "v": rnd(r, (B, KV, 1, D)),
        "pk": rnd(r, (B, KV, P, D)), "pv": rnd(r, (B, KV, P, D))}))
    # RotaryEmbedding with position ids.
    m = model([h.make_node("RotaryEmbedding", ["x", "cos", "sin", "pos"], ["y"])],
              [vi("x", T.FLOAT, [B, H, S, D]), vi("cos", T.FLOAT, [16, D // 2]), vi("sin", T.FLOAT, [16, D // 2]),
               vi("pos", T.INT64, [B, S])], [vi("y", T.FLOAT, None)])
    out.append(Case("rotary/onnx_position_ids", m, lambda r: {
        "x": rnd(r, (B, H, S, D)), "cos": rnd(r, (16, D // 2)), "sin": rnd(r, (16, D // 2)),
        "pos": r.integers(0, 16, size=(B, S))}))
    return out


def recurrent_cases():
    out = []
    B, C, L, K = 2, 6, 7, 4
    m = model([h.make_node("CausalConvWithState", ["x", "w", "b", "st"], ["y", "present"], activation="silu")],
              [vi("x", T.FLOAT, [B, C, L]), vi("w", T.FLOAT, [C, 1, K]), vi("b", T.FLOAT, [C]),
               vi("st", T.FLOAT, [B, C, K - 1])], [vi("y", T.FLOAT, None), vi("present", T.FLOAT, None)], opset=27)
    out.append(Case("recurrent/CausalConvWithState", m, lambda r: {
        "x": rnd(r, (B, C, L)), "w": rnd(r, (C, 1, K)), "b": rnd(r, (C,)), "st": rnd(r, (B, C, K - 1))},
        use_ort=False))
    Hq, Hkv, T_, dk, dv = 4, 2, 5, 4, 3
    for rule in ("linear", "gated", "delta", "gated_delta"):
        ins = [vi("q", T.FLOAT, [B, T_, Hq * dk]), vi("k", T.FLOAT, [B, T_, Hkv * dk]),
               vi("v", T.FLOAT, [B, T_, Hkv * dv]), vi("s", T.FLOAT, [B, Hkv, dk, dv])]
        names = ["q", "k", "v", "s", "", ""]
        if rule in ("gated", "gated_delta"):
            ins.append(vi("g", T.FLOAT, [B, T_, Hkv]))
            names[4] = "g"
        if rule in ("delta", "gated_delta"):
            ins.append(vi("beta", T.FLOAT, [B, T_, Hkv]))
            names[5] = "beta"
        while names and names[-1] == "":
            names.pop()
        m = model([h.make_node("LinearAttention", names, ["o", "present"], q_num_heads=Hq, kv_num_heads=Hkv,
                               update_rule=rule)], ins, [vi("o", T.FLOAT, None), vi("present", T.FLOAT, None)], opset=27)

        def mk(r, rule=rule):
            d = {"q": rnd(r, (B, T_, Hq * dk)), "k": rnd(r, (B, T_, Hkv * dk)) * 0.5,
                 "v": rnd(r, (B, T_, Hkv * dv)), "s": rnd(r, (B, Hkv, dk, dv))}
            if rule in ("gated", "gated_delta"):
                d["g"] = rnd(r, (B, T_, Hkv), lo=-1, hi=0)
            if rule in ("delta", "gated_delta"):
                d["beta"] = rnd(r, (B, T_, Hkv), lo=0, hi=1)
            return d
        out.append(Case(f"recurrent/LinearAttention_{rule}", m, mk, use_ort=False, tol=1e-4))
    return out


def conv_cases():
    out = []
    # Grouped, strided, dilated 2-D convolution with bias and explicit pads.
    m = model([h.make_node("Conv", ["x", "w", "b"], ["y"], group=2, strides=[2, 1],
                           dilations=[1, 2], pads=[1, 2, 0, 1])],
              [vi("x", T.FLOAT, ["batch", 4, 9, 8])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.random.default_rng(1).uniform(-1, 1, (6, 2, 3, 3)).astype(np.float32), "w"),
               nh.from_array(np.linspace(-1, 1, 6).astype(np.float32), "b")])
    out.append(Case("conv/2d_group_stride_dilation", m, lambda r: {"x": rnd(r, (2, 4, 9, 8))}))
    # Depthwise 1-D causal convolution as exporters write it: left pad only.
    m = model([h.make_node("Conv", ["x", "w"], ["y"], group=8, pads=[3, 0])],
              [vi("x", T.FLOAT, [1, 8, 12]), vi("w", T.FLOAT, [8, 1, 4])], [vi("y", T.FLOAT, None)])
    out.append(Case("conv/1d_depthwise_causal", m, lambda r: {"x": rnd(r, (1, 8, 12)), "w": rnd(r, (8, 1, 4))}))
    m = model([h.make_node("Conv", ["x", "w"], ["y"], auto_pad="SAME_UPPER", strides=[2, 2])],
              [vi("x", T.FLOAT, [1, 3, 7, 7]), vi("w", T.FLOAT, [5, 3, 3, 3])], [vi("y", T.FLOAT, None)])
    out.append(Case("conv/same_upper", m, lambda r: {"x": rnd(r, (1, 3, 7, 7)), "w": rnd(r, (5, 3, 3, 3))}))
    for op, attrs in [("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)),
                      ("AveragePool", dict(kernel_shape=[3, 2], strides=[2, 1], pads=[1, 0, 1, 1])),
                      ("AveragePool", dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1)),
                      ("LpPool", dict(kernel_shape=[2, 2], p=3))]:
        m = model([h.make_node(op, ["x"], ["y"], **attrs)], [vi("x", T.FLOAT, ["batch", 3, 7, 6])],
                  [vi("y", T.FLOAT, None)], opset=22 if op == "LpPool" else 23)
        tag = "_".join(sorted(k for k in attrs if k not in ("kernel_shape",)))
        out.append(Case(f"pool/{op}_{tag}", m, lambda r: {"x": rnd(r, (2, 3, 7, 6))}))
    for op in ["GlobalAveragePool", "GlobalMaxPool"]:
        m = model([h.make_node(op, ["x"], ["y"])], [vi("x", T.FLOAT, ["batch", 4, 5, 3])],
                  [vi("y", T.FLOAT, None)])
        out.append(Case(f"pool/{op}", m, lambda r: {"x": rnd(r, (2, 4, 5, 3))}))
    return out


def folding_cases():
    """Integer shape arithmetic that conversion evaluates (Shape -> Gather ->
    Concat -> Reshape, Size -> Range -> reduce axes) on static shapes."""
    out = []
    i64 = lambda name, v: nh.from_array(np.array(v, np.int64), name)  # noqa: E731
    nodes = [h.make_node("Shape", ["x"], ["s"]),
             h.make_node("Gather", ["s", "i0"], ["d0"], axis=0),
             h.make_node("Slice", ["s", "one", "three"], ["rest"]),
             h.make_node("ReduceProd", ["rest"], ["inner"], keepdims=1),
             h.make_node("Concat", ["d0", "inner"], ["shape"], axis=0),
             h.make_node("Reshape", ["x", "shape"], ["flat"]),
             h.make_node("Size", ["s"], ["rank"]),
             h.make_node("Sub", ["rank", "one_s"], ["last"]),
             h.make_node("Range", ["one_s", "rank2", "one_s"], ["axes"]),
             h.make_node("ReduceMean", ["x", "axes"], ["mean"], keepdims=0),
             h.make_node("Cast", ["last"], ["lastf"], to=T.FLOAT),
             h.make_node("Mul", ["mean", "lastf"], ["y2"])]
    m = model(nodes, [vi("x", T.FLOAT, [2, 3, 4])], [vi("flat", T.FLOAT, None), vi("y2", T.FLOAT, None)],
              [nh.from_array(np.array([0], np.int64), "i0"), i64("one", [1]), i64("three", [3]),
               i64("one_s", 1), i64("rank2", 3)])
    out.append(Case("fold/shape_chain", m, lambda r: {"x": rnd(r, (2, 3, 4))}))
    return out


def all_cases() -> List[Case]:
    return (unary_cases() + binary_cases() + matmul_cases() + reduction_cases() + shape_cases()
            + normalization_cases() + attention_cases() + recurrent_cases() + conv_cases()
            + folding_cases())
