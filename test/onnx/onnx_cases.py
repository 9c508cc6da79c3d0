"""Small ONNX graphs, one or more per converter family, for check_models.py.

Each case builds its model with onnx.helper and draws fresh random inputs; the
dynamic dims ("batch", "seq") are left symbolic so the converters' dynamic-shape
paths run too.
"""
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
# The hybrid ops' NumPy references from the spec (test/reference/hybrid_ref.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from hybrid import onnx_ops  # noqa: E402


@dataclass
class Case:
    name: str
    model: onnx.ModelProto
    make_inputs: Callable[[np.random.Generator], Dict[str, np.ndarray]]
    use_ort: bool = True
    tol: float = 1e-4
    flags: List[str] = field(default_factory=list)
    # For ops neither onnxruntime nor onnx.reference knows (ai.hybrid): the feeds ->
    # the expected outputs.
    reference: Optional[Callable[[Dict[str, np.ndarray]], List[np.ndarray]]] = None


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
    # Constant weights, which hybrid-vectorize-contractions packs into panels
    # at compile time: N not a multiple of the tile (a zero-padded last panel),
    # a run-time row count, a single row (64-lane tiles), a transposed Gemm
    # weight with few rows, weights another op also reads (the original stays
    # next to its panels), and batched weights (not packed).
    w = np.random.default_rng(7)
    w_rows = nh.from_array(rnd(w, (37, 300)), "w")
    m = model([h.make_node("MatMul", ["a", "w"], ["y"])], [vi("a", T.FLOAT, ["batch", 7, 37])],
              [vi("y", T.FLOAT, None)], [w_rows])
    out.append(Case("matmul/weights_rows", m, lambda r: {"a": rnd(r, (2, 7, 37))}))
    w_vec = nh.from_array(rnd(w, (300, 520)), "w")
    m = model([h.make_node("MatMul", ["a", "w"], ["y"])], [vi("a", T.FLOAT, [1, 300])],
              [vi("y", T.FLOAT, None)], [w_vec])
    out.append(Case("matmul/weights_matvec", m, lambda r: {"a": rnd(r, (1, 300))}))
    m = model([h.make_node("Gemm", ["a", "w", "c"], ["y"], transB=1)], [vi("a", T.FLOAT, [3, 40])],
              [vi("y", T.FLOAT, None)],
              [nh.from_array(rnd(w, (70, 40)), "w"), nh.from_array(rnd(w, (70,)), "c")])
    out.append(Case("gemm/weights_transB", m, lambda r: {"a": rnd(r, (3, 40))}))
    m = model([h.make_node("MatMul", ["a", "w"], ["p"]), h.make_node("Add", ["p", "w"], ["y"])],
              [vi("a", T.FLOAT, [24, 24])], [vi("y", T.FLOAT, None)],
              [nh.from_array(rnd(w, (24, 24)), "w")])
    out.append(Case("matmul/weights_also_added", m, lambda r: {"a": rnd(r, (24, 24))}))
    m = model([h.make_node("MatMul", ["a", "w"], ["y"])], [vi("a", T.FLOAT, [2, 5, 24])],
              [vi("y", T.FLOAT, None)], [nh.from_array(rnd(w, (2, 24, 20)), "w")])
    out.append(Case("matmul/weights_batched", m, lambda r: {"a": rnd(r, (2, 5, 24))}))
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
    # Starts and ends read at run time (negative ones count from the end).
    m = model([h.make_node("Slice", ["x", "st", "en", "ax"], ["y"])],
              [vi("x", T.FLOAT, ["batch", 8]), vi("st", T.INT64, [1]), vi("en", T.INT64, [1])],
              [vi("y", T.FLOAT, None)], [i64([1], "ax")])
    out.append(Case("shape/slice_runtime_starts", m, lambda r: {
        "x": rnd(r, (3, 8)), "st": r.integers(-9, 4, (1,)).astype(np.int64),
        "en": r.integers(-3, 10, (1,)).astype(np.int64)}))
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
    # Heads split off a Split's slice and merged back after a transpose: the
    # reshapes become views of strided buffers (expand_shape), or a copy where
    # the merged dims are not contiguous (collapse_shape of the transpose).
    nodes = [h.make_node("Split", ["x", "sp"], ["q", "kv"], axis=2),
             h.make_node("Reshape", ["q", "heads"], ["qh"]),
             h.make_node("Transpose", ["qh"], ["qt"], perm=[0, 2, 1, 3]),
             h.make_node("Mul", ["qt", "two"], ["q2"]),
             h.make_node("Transpose", ["q2"], ["back"], perm=[0, 2, 1, 3]),
             h.make_node("Reshape", ["back", "merge"], ["y"]),
             h.make_node("Reshape", ["qt", "flat"], ["z"])]
    m = model(nodes, [vi("x", T.FLOAT, ["batch", 5, 18])],
              [vi("y", T.FLOAT, None), vi("z", T.FLOAT, None)],
              [i64([6, 12], "sp"), i64([0, 0, 3, 2], "heads"), i64([0, 0, 6], "merge"),
               i64([0, 15, 2], "flat"), nh.from_array(np.array(2.0, np.float32), "two")])
    out.append(Case("shape/reshape_heads_of_slice", m, lambda r: {"x": rnd(r, (2, 5, 18))}))
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
    # Statistics given at run time (not folded into one scale and shift).
    m = model([h.make_node("BatchNormalization", ["x", "s", "b", "mu", "var"], ["y"], epsilon=1e-3)],
              [vi("x", T.FLOAT, ["batch", 5, 6]), vi("s", T.FLOAT, [5]), vi("b", T.FLOAT, [5]),
               vi("mu", T.FLOAT, [5]), vi("var", T.FLOAT, [5])], [vi("y", T.FLOAT, None)])
    out.append(Case("norm/BatchNormalization_runtime_stats", m, lambda r: {
        "x": rnd(r, (3, 5, 6)), "s": rnd(r, (5,), lo=0.5, hi=1.5), "b": rnd(r, (5,)),
        "mu": rnd(r, (5,)), "var": rnd(r, (5,), lo=0.5, hi=2.0)}))
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
    # Decode steps over a longer cache (the flash form: k transposed in chunks of
    # 256 keys by a parallel loop, 517 = two full chunks and 5 keys one by one),
    # one query row and three causal ones, 4 query heads per kv head.
    for sq in (1, 3):
        HQ, HK, L, DD = 8, 2, 517, 32
        m = model([h.make_node("Attention", ["q", "k", "v"], ["y"], is_causal=int(sq > 1))],
                  [vi("q", T.FLOAT, [1, HQ, sq, DD]), vi("k", T.FLOAT, [1, HK, L, DD]),
                   vi("v", T.FLOAT, [1, HK, L, DD])], [vi("y", T.FLOAT, None)])
        out.append(Case(f"attention/gqa_decode_{sq}row_long_cache", m, lambda r, sq=sq, HQ=HQ, HK=HK, L=L, DD=DD: {
            "q": rnd(r, (1, HQ, sq, DD)), "k": rnd(r, (1, HK, L, DD)), "v": rnd(r, (1, HK, L, DD))}))
    # com.microsoft GroupQueryAttention as onnxruntime-genai writes it: packed QKV
    # with the fused rotary (prefill), and separate q/k/v with a KV cache (decode).
    DG = 16  # onnxruntime's rotary needs a head size that is a multiple of 16
    i32 = lambda v, name: nh.from_array(np.array(v, np.int32), name)  # noqa: E731
    rng = np.random.default_rng(7)
    cos, sin = (nh.from_array(rng.uniform(-1, 1, (32, DG // 2)).astype(np.float32), n) for n in ("cos", "sin"))
    m = model([h.make_node("GroupQueryAttention", ["qkv", "", "", "", "", "sk", "tot", "cos", "sin"],
                           ["y", "pk", "pv"], domain="com.microsoft", num_heads=H, kv_num_heads=KV, do_rotary=1)],
              [vi("qkv", T.FLOAT, [B, S, (H + 2 * KV) * DG])],
              [vi("y", T.FLOAT, None), vi("pk", T.FLOAT, None), vi("pv", T.FLOAT, None)],
              [i32([S - 1] * B, "sk"), i32(S, "tot"), cos, sin], extra_opsets=[("com.microsoft", 1)])
    out.append(Case("attention/ms_gqa_packed_rotary_prefill", m, lambda r: {"qkv": rnd(r, (B, S, (H + 2 * KV) * DG))}))
    m = model([h.make_node("GroupQueryAttention", ["q", "k", "v", "past_k", "past_v", "sk", "tot", "cos", "sin"],
                           ["y", "pk", "pv"], domain="com.microsoft", num_heads=H, kv_num_heads=KV, do_rotary=1)],
              [vi("q", T.FLOAT, [B, 1, H * DG]), vi("k", T.FLOAT, [B, 1, KV * DG]), vi("v", T.FLOAT, [B, 1, KV * DG]),
               vi("past_k", T.FLOAT, [B, KV, P, DG]), vi("past_v", T.FLOAT, [B, KV, P, DG])],
              [vi("y", T.FLOAT, None), vi("pk", T.FLOAT, None), vi("pv", T.FLOAT, None)],
              [i32([P] * B, "sk"), i32(P + 1, "tot"), cos, sin], extra_opsets=[("com.microsoft", 1)])
    out.append(Case("attention/ms_gqa_rotary_decode", m, lambda r: {
        "q": rnd(r, (B, 1, H * DG)), "k": rnd(r, (B, 1, KV * DG)), "v": rnd(r, (B, 1, KV * DG)),
        "past_k": rnd(r, (B, KV, P, DG)), "past_v": rnd(r, (B, KV, P, DG))}))
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
    # Stride 2 and 3 along the rows (a downsampling stem, a depthwise strided
    # block): full 16-lane tiles read the image row with one (masked) load and
    # a shuffle, a ragged end (19 = 16 + 3 columns) lane by lane. The stride-3
    # rows are exactly one tile whose last tap reads the row's last element,
    # the lanes of the load past it masked off.
    m = model([h.make_node("Conv", ["x", "w", "b"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1])],
              [vi("x", T.FLOAT, ["batch", 3, 37, 37])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.random.default_rng(3).uniform(-1, 1, (8, 3, 3, 3)).astype(np.float32), "w"),
               nh.from_array(np.linspace(-1, 1, 8).astype(np.float32), "b")])
    out.append(Case("conv/2d_stride2_wide_rows", m, lambda r: {"x": rnd(r, (2, 3, 37, 37))}))
    m = model([h.make_node("Conv", ["x", "w"], ["y"], group=6, strides=[1, 3])],
              [vi("x", T.FLOAT, [1, 6, 4, 50])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.random.default_rng(4).uniform(-1, 1, (6, 1, 2, 5)).astype(np.float32), "w")])
    out.append(Case("conv/depthwise_stride3_rows", m, lambda r: {"x": rnd(r, (1, 6, 4, 50))}))
    # 1x1 convolutions (pointwise: MBConv's expansion and projection) are
    # matrix products over the flattened image: grouped with a bias over 5 x 7
    # pixels (two 16-lane tiles and a ragged end; dilated, which a 1x1 kernel
    # ignores), and over a 3-D image with a BatchNormalization and ReLU after it.
    m = model([h.make_node("Conv", ["x", "w", "b"], ["y"], group=2, dilations=[2, 3])],
              [vi("x", T.FLOAT, ["batch", 8, 5, 7])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.random.default_rng(5).uniform(-1, 1, (6, 4, 1, 1)).astype(np.float32), "w"),
               nh.from_array(np.linspace(-1, 1, 6).astype(np.float32), "b")])
    out.append(Case("conv/pointwise_grouped_bias", m, lambda r: {"x": rnd(r, (2, 8, 5, 7))}))
    bn = [nh.from_array(np.random.default_rng(6).uniform(0.5, 1.5, 5).astype(np.float32), n)
          for n in ("scale", "bias", "mean", "var")]
    m = model([h.make_node("Conv", ["x", "w"], ["c"]),
               h.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"]),
               h.make_node("Relu", ["n"], ["y"])],
              [vi("x", T.FLOAT, [1, 3, 4, 3, 5])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.random.default_rng(7).uniform(-1, 1, (5, 3, 1, 1, 1)).astype(np.float32), "w")] + bn)
    out.append(Case("conv/pointwise_3d_batchnorm", m, lambda r: {"x": rnd(r, (1, 3, 4, 3, 5))}))
    # Patch embeddings and downsamplings (stride = kernel, no padding) with
    # output rows under 16 are one copy into patch order and a product: 2x2
    # over a dynamic batch with a bias, and a 3x4 kernel over a 9 x 12 image.
    m = model([h.make_node("Conv", ["x", "w", "b"], ["y"], strides=[2, 2])],
              [vi("x", T.FLOAT, ["batch", 8, 8, 10])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.random.default_rng(8).uniform(-1, 1, (16, 8, 2, 2)).astype(np.float32), "w"),
               nh.from_array(np.linspace(-1, 1, 16).astype(np.float32), "b")])
    out.append(Case("conv/patches_2x2_bias", m, lambda r: {"x": rnd(r, (2, 8, 8, 10))}))
    m = model([h.make_node("Conv", ["x", "w"], ["y"], strides=[3, 4])],
              [vi("x", T.FLOAT, [1, 3, 9, 12])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.random.default_rng(9).uniform(-1, 1, (5, 3, 3, 4)).astype(np.float32), "w")])
    out.append(Case("conv/patches_3x4", m, lambda r: {"x": rnd(r, (1, 3, 9, 12))}))
    # Depthwise 1-D causal convolution as exporters write it: left pad only.
    m = model([h.make_node("Conv", ["x", "w"], ["y"], group=8, pads=[3, 0])],
              [vi("x", T.FLOAT, [1, 8, 12]), vi("w", T.FLOAT, [8, 1, 4])], [vi("y", T.FLOAT, None)])
    out.append(Case("conv/1d_depthwise_causal", m, lambda r: {"x": rnd(r, (1, 8, 12)), "w": rnd(r, (8, 1, 4))}))
    # The same over a dynamic sequence, as decomposed Mamba/LFM2 exports write it:
    # the output length is computed at run time.
    m = model([h.make_node("Conv", ["x", "w", "b"], ["y"], group=8, kernel_shape=[4], pads=[3, 0])],
              [vi("x", T.FLOAT, ["batch", 8, "seq"]), vi("w", T.FLOAT, [8, 1, 4]), vi("b", T.FLOAT, [8])],
              [vi("y", T.FLOAT, None)])
    out.append(Case("conv/1d_depthwise_dynamic_length", m, lambda r: {
        "x": rnd(r, (2, 8, 11)), "w": rnd(r, (8, 1, 4)), "b": rnd(r, (8,))}))
    m = model([h.make_node("Conv", ["x", "w"], ["y"], strides=[2, 3], dilations=[2, 1], pads=[1, 0, 2, 1])],
              [vi("x", T.FLOAT, [1, 3, "h", "w"]), vi("w", T.FLOAT, [4, 3, 3, 2])], [vi("y", T.FLOAT, None)])
    out.append(Case("conv/2d_dynamic_spatial", m, lambda r: {"x": rnd(r, (1, 3, 10, 9)), "w": rnd(r, (4, 3, 3, 2))}))
    # Transposed convolutions (decoders, upsampling): strided with pads, output
    # padding and groups over a dynamic batch and spatial size; dilated 1-D; SAME.
    w_t = np.random.default_rng(2).uniform(-1, 1, (4, 3, 3, 2)).astype(np.float32)
    m = model([h.make_node("ConvTranspose", ["x", "w", "b"], ["y"], group=2, strides=[2, 3],
                           pads=[1, 0, 0, 1], output_padding=[1, 2])],
              [vi("x", T.FLOAT, ["batch", 4, "h", "w"])], [vi("y", T.FLOAT, None)],
              [nh.from_array(w_t, "w"), nh.from_array(np.linspace(-1, 1, 6).astype(np.float32), "b")])
    out.append(Case("conv/transpose_2d_group_stride_pads", m, lambda r: {"x": rnd(r, (2, 4, 5, 4))}))
    m = model([h.make_node("ConvTranspose", ["x", "w"], ["y"], dilations=[2], strides=[2])],
              [vi("x", T.FLOAT, [1, 3, 7]), vi("w", T.FLOAT, [3, 2, 3])], [vi("y", T.FLOAT, None)])
    out.append(Case("conv/transpose_1d_dilated", m, lambda r: {"x": rnd(r, (1, 3, 7)), "w": rnd(r, (3, 2, 3))}))
    m = model([h.make_node("ConvTranspose", ["x", "w"], ["y"], auto_pad="SAME_LOWER", strides=[2, 2])],
              [vi("x", T.FLOAT, [1, 2, 4, 3]), vi("w", T.FLOAT, [2, 3, 3, 3])], [vi("y", T.FLOAT, None)])
    out.append(Case("conv/transpose_same_lower", m, lambda r: {"x": rnd(r, (1, 2, 4, 3)), "w": rnd(r, (2, 3, 3, 3))}))
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


def indexing_cases():
    """Gathers, scatters and index-driven layouts (Indexing.cpp), CumSum and TopK."""
    out = []
    i64 = lambda name, v: nh.from_array(np.array(v, np.int64), name)  # noqa: E731
    # ScatterElements with a reduction; indices drawn per run, negative ones included.
    for red in ["none", "add", "max"]:
        m = model([h.make_node("ScatterElements", ["data", "idx", "upd"], ["y"], axis=1, reduction=red)],
                  [vi("data", T.FLOAT, ["batch", 5]), vi("idx", T.INT64, ["batch", 3]),
                   vi("upd", T.FLOAT, ["batch", 3])], [vi("y", T.FLOAT, None)])
        # Distinct indices per row, so "none" is well defined.
        out.append(Case(f"indexing/scatter_elements_{red}", m, lambda r: {
            "data": rnd(r, (4, 5)), "upd": rnd(r, (4, 3)),
            "idx": np.stack([r.permutation(5)[:3] - 5 * (i % 2) for i in range(4)]).astype(np.int64)}))
    m = model([h.make_node("ScatterND", ["data", "idx", "upd"], ["y"], reduction="mul")],
              [vi("data", T.FLOAT, [4, 3, 2]), vi("idx", T.INT64, [2, 1]), vi("upd", T.FLOAT, [2, 3, 2])],
              [vi("y", T.FLOAT, None)])
    out.append(Case("indexing/scatter_nd_mul", m, lambda r: {
        "data": rnd(r, (4, 3, 2)), "upd": rnd(r, (2, 3, 2)),
        "idx": r.permutation(4)[:2].reshape(2, 1).astype(np.int64)}))
    m = model([h.make_node("GatherND", ["data", "idx"], ["y"], batch_dims=1)],
              [vi("data", T.FLOAT, [3, 4, 5]), vi("idx", T.INT64, [3, 2, 1])], [vi("y", T.FLOAT, None)])
    out.append(Case("indexing/gather_nd_batch", m, lambda r: {
        "data": rnd(r, (3, 4, 5)), "idx": r.integers(-4, 4, (3, 2, 1)).astype(np.int64)}))
    # TensorScatter: a decode step writing one token per batch row at its own position.
    for mode in ["linear", "circular"]:
        m = model([h.make_node("TensorScatter", ["past", "upd", "pos"], ["present"], axis=2, mode=mode)],
                  [vi("past", T.FLOAT, [2, 3, 6, 4]), vi("upd", T.FLOAT, [2, 3, 2, 4]), vi("pos", T.INT64, [2])],
                  [vi("present", T.FLOAT, None)], opset=24)
        hi = 6 if mode == "circular" else 4
        out.append(Case(f"indexing/tensor_scatter_{mode}", m, lambda r, hi=hi: {
            "past": rnd(r, (2, 3, 6, 4)), "upd": rnd(r, (2, 3, 2, 4)),
            "pos": r.integers(0, hi + 1, (2,)).astype(np.int64)}, use_ort=False))
    m = model([h.make_node("OneHot", ["idx", "depth", "vals"], ["y"], axis=1)],
              [vi("idx", T.INT64, ["batch", 3])], [vi("y", T.FLOAT, None)],
              [i64("depth", 5), nh.from_array(np.array([-1.0, 2.0], np.float32), "vals")])
    out.append(Case("indexing/one_hot", m, lambda r: {"idx": r.integers(-5, 5, (2, 3)).astype(np.int64)}))
    m = model([h.make_node("EyeLike", ["x"], ["y"], k=-1, dtype=T.INT32)],
              [vi("x", T.FLOAT, [4, 5])], [vi("y", T.INT32, None)])
    out.append(Case("indexing/eye_like", m, lambda r: {"x": rnd(r, (4, 5))}))
    m = model([h.make_node("ReverseSequence", ["x", "lens"], ["y"], batch_axis=0, time_axis=1)],
              [vi("x", T.FLOAT, [3, 5, 2]), vi("lens", T.INT64, [3])], [vi("y", T.FLOAT, None)])
    out.append(Case("indexing/reverse_sequence", m, lambda r: {
        "x": rnd(r, (3, 5, 2)), "lens": r.integers(0, 6, (3,)).astype(np.int64)}))
    for op, mode in [("DepthToSpace", "DCR"), ("DepthToSpace", "CRD"), ("SpaceToDepth", None)]:
        attrs = dict(blocksize=2, **({"mode": mode} if mode else {}))
        shape = (2, 8, 3, 2) if op == "DepthToSpace" else (2, 2, 4, 6)
        m = model([h.make_node(op, ["x"], ["y"], **attrs)], [vi("x", T.FLOAT, ["batch", *shape[1:]])],
                  [vi("y", T.FLOAT, None)])
        out.append(Case(f"indexing/{op}_{mode}", m, lambda r, shape=shape: {"x": rnd(r, shape)}))
    for op, exclusive, reverse in [("CumSum", 0, 0), ("CumSum", 1, 1)]:
        m = model([h.make_node(op, ["x", "axis"], ["y"], exclusive=exclusive, reverse=reverse)],
                  [vi("x", T.FLOAT, ["batch", 6, 3])], [vi("y", T.FLOAT, None)], [i64("axis", 1)])
        out.append(Case(f"indexing/{op}_ex{exclusive}_rev{reverse}", m, lambda r: {"x": rnd(r, (2, 6, 3))}))
    m = model([h.make_node("CumProd", ["x", "axis"], ["y"])], [vi("x", T.FLOAT, [3, 5])],
              [vi("y", T.FLOAT, None)], [i64("axis", -1)], opset=26)
    out.append(Case("indexing/cumprod", m, lambda r: {"x": rnd(r, (3, 5), lo=0.5, hi=1.5)}, use_ort=False))
    # TopK on MoE-style router logits, largest and smallest, with tied values.
    for largest in [1, 0]:
        m = model([h.make_node("TopK", ["x", "k"], ["v", "i"], axis=-1, largest=largest)],
                  [vi("x", T.FLOAT, ["batch", 8])], [vi("v", T.FLOAT, None), vi("i", T.INT64, None)],
                  [i64("k", [3])])
        out.append(Case(f"indexing/topk_largest{largest}", m, lambda r: {
            "x": r.integers(-3, 4, (5, 8)).astype(np.float32)}))
    return out


def resize_cases():
    """Resize in the modes image models use, with constant scales or sizes and with
    sizes computed at run time (a U-Net skip connection's shape)."""
    out = []
    f = lambda name, v: nh.from_array(np.array(v, np.float32), name)  # noqa: E731
    i64 = lambda v, name: nh.from_array(np.array(v, np.int64), name)  # noqa: E731
    configs = [
        ("linear_half_pixel_up", dict(mode="linear"), [f("sc", [1, 1, 2.0, 1.5])], ["x", "", "sc"]),
        ("nearest_asymmetric_floor", dict(mode="nearest", coordinate_transformation_mode="asymmetric",
                                          nearest_mode="floor"), [i64([2, 3, 9, 4], "sz")], ["x", "", "", "sz"]),
        ("cubic_align_corners_down", dict(mode="cubic", coordinate_transformation_mode="align_corners",
                                          axes=[2, 3]),
         [i64([3, 4], "sz")], ["x", "", "", "sz"]),
        ("linear_antialias_down", dict(mode="linear", antialias=1, axes=[2, 3]),
         [f("sc", [0.5, 0.6])], ["x", "", "sc"]),
        ("cubic_pytorch_half_pixel_exclude", dict(mode="cubic", coordinate_transformation_mode="pytorch_half_pixel",
                                                  exclude_outside=1, cubic_coeff_a=-0.5),
         [f("sc", [1, 1, 1.7, 0.8])], ["x", "", "sc"]),
    ]
    for name, attrs, inits, ins in configs:
        m = model([h.make_node("Resize", ins, ["y"], **attrs)], [vi("x", T.FLOAT, [2, 3, 6, 5])],
                  [vi("y", T.FLOAT, None)], inits, opset=19)
        out.append(Case(f"resize/{name}", m, lambda r: {"x": rnd(r, (2, 3, 6, 5))}))
    # Upsample a feature map to its skip connection's size, known at run time.
    m = model([h.make_node("Shape", ["x"], ["xs"], start=0, end=2), h.make_node("Shape", ["skip"], ["ss"], start=2),
               h.make_node("Concat", ["xs", "ss"], ["sz"], axis=0),
               h.make_node("Resize", ["x", "", "", "sz"], ["up"], mode="linear"),
               h.make_node("Add", ["up", "skip"], ["y"])],
              [vi("x", T.FLOAT, ["batch", 4, "h", "w"]), vi("skip", T.FLOAT, ["batch", 4, "H", "W"])],
              [vi("y", T.FLOAT, None)], opset=19)
    out.append(Case("resize/linear_to_skip_size", m, lambda r: {
        "x": rnd(r, (2, 4, 3, 5)), "skip": rnd(r, (2, 4, 7, 9))}))
    return out


def context_function_cases():
    """Function ops whose bodies depend on the input types, so they are converted
    natively: the losses, GroupNormalization, CenterCropPad."""
    out = []
    w5 = nh.from_array(np.array([0.5, 1.0, 2.0, 0.7, 1.3], np.float32), "w")
    for red in ["mean", "sum", "none"]:
        m = model([h.make_node("NegativeLogLikelihoodLoss", ["x", "t", "w"], ["y"], reduction=red, ignore_index=4)],
                  [vi("x", T.FLOAT, ["batch", 5, 2]), vi("t", T.INT64, ["batch", 2])], [vi("y", T.FLOAT, None)],
                  [w5], opset=13)
        out.append(Case(f"loss/nll_{red}_weight_ignore", m, lambda r: {
            "x": rnd(r, (3, 5, 2), lo=-3, hi=0), "t": r.integers(0, 5, (3, 2)).astype(np.int64)}))
    m = model([h.make_node("SoftmaxCrossEntropyLoss", ["x", "t"], ["y", "logp"])],
              [vi("x", T.FLOAT, ["batch", 6]), vi("t", T.INT64, ["batch"])],
              [vi("y", T.FLOAT, None), vi("logp", T.FLOAT, None)], opset=13)
    out.append(Case("loss/sce_mean_log_prob", m, lambda r: {
        "x": rnd(r, (4, 6), lo=-3, hi=3), "t": r.integers(0, 6, (4,)).astype(np.int64)}))
    m = model([h.make_node("SoftmaxCrossEntropyLoss", ["x", "t", "w"], ["y"], reduction="sum", ignore_index=0)],
              [vi("x", T.FLOAT, [2, 5, 3, 2]), vi("t", T.INT64, [2, 3, 2])], [vi("y", T.FLOAT, None)],
              [w5], opset=13)
    out.append(Case("loss/sce_4d_sum_weight_ignore", m, lambda r: {
        "x": rnd(r, (2, 5, 3, 2), lo=-3, hi=3), "t": r.integers(0, 5, (2, 3, 2)).astype(np.int64)}))
    m = model([h.make_node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=3, epsilon=1e-4)],
              [vi("x", T.FLOAT, ["batch", 6, 4, 3])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.linspace(0.5, 1.5, 6).astype(np.float32), "s"),
               nh.from_array(np.linspace(-0.3, 0.3, 6).astype(np.float32), "b")], opset=21)
    out.append(Case("norm/GroupNormalization", m, lambda r: {"x": rnd(r, (2, 6, 4, 3), lo=-2, hi=3)}))
    m = model([h.make_node("CenterCropPad", ["x", "sh"], ["y"], axes=[0, 1])],
              [vi("x", T.FLOAT, [5, 7, 3])], [vi("y", T.FLOAT, None)], [i64_init([4, 10], "sh")], opset=18)
    out.append(Case("shape/center_crop_pad", m, lambda r: {"x": rnd(r, (5, 7, 3))}))
    return out


def i64_init(v, name):
    return nh.from_array(np.array(v, np.int64), name)


def function_cases():
    """ai.onnx function ops without converters, read as their schemas' bodies."""
    out = []
    m = model([h.make_node("MeanVarianceNormalization", ["x"], ["y"], axes=[0, 2, 3])],
              [vi("x", T.FLOAT, ["batch", 3, 4, 5])], [vi("y", T.FLOAT, None)], opset=18)
    out.append(Case("function/MeanVarianceNormalization", m, lambda r: {"x": rnd(r, (2, 3, 4, 5), lo=-2, hi=3)}))
    for op in ["HannWindow", "HammingWindow", "BlackmanWindow"]:
        m = model([h.make_node(op, ["n"], ["y"], periodic=0)], [], [vi("y", T.FLOAT, None)],
                  [nh.from_array(np.array(10, np.int64), "n")], opset=17)
        out.append(Case(f"function/{op}", m, lambda r: {}))
    return out


def control_flow_cases():
    """Scan (a gated linear recurrence, as decomposed SSM exports write it) and If."""
    out = []
    body = h.make_graph(
        [h.make_node("Mul", ["h_in", "a_t"], ["ha"]), h.make_node("Add", ["ha", "x_t"], ["h_out"]),
         h.make_node("ReduceSum", ["h_out"], ["y_t"], keepdims=0)],
        "body", [vi("h_in", T.FLOAT, [4]), vi("a_t", T.FLOAT, [4]), vi("x_t", T.FLOAT, [4])],
        [vi("h_out", T.FLOAT, [4]), vi("y_t", T.FLOAT, [])])
    for rev in [0, 1]:
        m = model([h.make_node("Scan", ["h0", "a", "x"], ["h", "y"], body=body, num_scan_inputs=2,
                               scan_input_axes=[1, 0], scan_input_directions=[rev, rev],
                               scan_output_directions=[rev])],
                  [vi("h0", T.FLOAT, [4]), vi("a", T.FLOAT, [4, 7]), vi("x", T.FLOAT, [7, 4])],
                  [vi("h", T.FLOAT, None), vi("y", T.FLOAT, None)])
        out.append(Case(f"control/scan_rev{rev}", m, lambda r: {
            "h0": rnd(r, (4,)), "a": rnd(r, (4, 7), lo=0.5, hi=1.0), "x": rnd(r, (7, 4))}))
    # A dynamic batch: the zero state is made from Shape(x) (ConstantOfShape of a
    # Shape/Slice/Concat chain) and each step's output is [batch, 4]; the scan
    # output's batch dim is worked out before the loop.
    body = h.make_graph(
        [h.make_node("Mul", ["h_in", "decay"], ["hd"]), h.make_node("Add", ["hd", "x_t"], ["h_out"]),
         h.make_node("Tanh", ["h_out"], ["y_t"])],
        "body", [vi("h_in", T.FLOAT, None), vi("x_t", T.FLOAT, None)],
        [vi("h_out", T.FLOAT, None), vi("y_t", T.FLOAT, None)])
    m = model([h.make_node("Shape", ["x"], ["b"], start=0, end=1),
               h.make_node("Concat", ["b", "four"], ["s"], axis=0),
               h.make_node("ConstantOfShape", ["s"], ["h0"]),
               h.make_node("Scan", ["h0", "x"], ["h", "y"], body=body, num_scan_inputs=1,
                           scan_input_axes=[1], scan_output_axes=[1])],
              [vi("x", T.FLOAT, ["batch", "seq", 4])], [vi("h", T.FLOAT, None), vi("y", T.FLOAT, None)],
              [nh.from_array(np.array([4], np.int64), "four"),
               nh.from_array(np.array([0.9, 0.5, -0.7, 0.2], np.float32), "decay")])
    out.append(Case("control/scan_dynamic_batch", m, lambda r: {"x": rnd(r, (3, 6, 4))}))
    # Loop with a trip count: a running state over the rows of x, read with a
    # Slice at the iteration number, and a scan output per iteration.
    body = h.make_graph(
        [h.make_node("Unsqueeze", ["i", "zero1"], ["i1"]), h.make_node("Add", ["i1", "one1"], ["i2"]),
         h.make_node("Slice", ["x", "i1", "i2", "zero1"], ["row"]),
         h.make_node("Squeeze", ["row", "zero1"], ["r"]),
         h.make_node("Mul", ["s_in", "half"], ["sh"]), h.make_node("Add", ["sh", "r"], ["s_out"]),
         h.make_node("Identity", ["c_in"], ["c_out"]), h.make_node("Tanh", ["s_out"], ["y"])],
        "body", [vi("i", T.INT64, []), vi("c_in", T.BOOL, []), vi("s_in", T.FLOAT, None)],
        [vi("c_out", T.BOOL, []), vi("s_out", T.FLOAT, None), vi("y", T.FLOAT, None)])
    m = model([h.make_node("Shape", ["x"], ["shp"], start=0, end=1),
               h.make_node("Squeeze", ["shp"], ["n"]),
               h.make_node("Loop", ["n", "", "s0"], ["s", "ys"], body=body)],
              [vi("x", T.FLOAT, ["rows", 5]), vi("s0", T.FLOAT, [5])],
              [vi("s", T.FLOAT, None), vi("ys", T.FLOAT, None)],
              [nh.from_array(np.array([0], np.int64), "zero1"), nh.from_array(np.array([1], np.int64), "one1"),
               nh.from_array(np.array(0.5, np.float32), "half")])
    out.append(Case("control/loop_trip_count", m, lambda r: {"x": rnd(r, (6, 5)), "s0": rnd(r, (5,))}))
    # Loop as a while: double v until its sum passes a limit (condition only), and
    # with both M and the condition (whichever stops first).
    body = h.make_graph(
        [h.make_node("Mul", ["v_in", "two"], ["v_out"]), h.make_node("ReduceSum", ["v_out"], ["sum"], keepdims=0),
         h.make_node("Less", ["sum", "limit"], ["c_out"])],
        "body", [vi("i", T.INT64, []), vi("c_in", T.BOOL, []), vi("v_in", T.FLOAT, None)],
        [vi("c_out", T.BOOL, []), vi("v_out", T.FLOAT, None)])
    for tag, m_in in [("while", ""), ("bounded_while", "max")]:
        m = model([h.make_node("Loop", [m_in, "go", "v0"], ["v"], body=body)],
                  [vi("v0", T.FLOAT, [4])], [vi("v", T.FLOAT, None)],
                  [nh.from_array(np.array(True), "go"), nh.from_array(np.array(2.0, np.float32), "two"),
                   nh.from_array(np.array(100.0, np.float32), "limit"),
                   nh.from_array(np.array(3, np.int64), "max")])
        out.append(Case(f"control/loop_{tag}", m, lambda r: {"v0": rnd(r, (4,), lo=0.1, hi=1.0)}))
    then_g = h.make_graph([h.make_node("Mul", ["x", "x"], ["t"])], "then", [], [vi("t", T.FLOAT, None)])
    else_g = h.make_graph([h.make_node("Neg", ["x"], ["e"])], "else", [], [vi("e", T.FLOAT, None)])
    m = model([h.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
               h.make_node("Greater", ["s", "zero"], ["c"]),
               h.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g)],
              [vi("x", T.FLOAT, ["batch", 3])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.array(0, np.float32), "zero")])
    out.append(Case("control/if", m, lambda r: {"x": rnd(r, (2, 3))}))
    return out


def quantize_cases():
    """Linear (de)quantization and the integer matmul / conv ops (Quantize.cpp)."""
    out = []
    f32 = lambda name, v: nh.from_array(np.array(v, np.float32), name)  # noqa: E731
    m = model([h.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1),
               h.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=1)],
              [vi("x", T.FLOAT, ["batch", 3, 4])], [vi("q", T.INT8, None), vi("y", T.FLOAT, None)],
              [f32("s", [0.02, 0.05, 0.1]), nh.from_array(np.array([-3, 0, 5], np.int8), "z")])
    out.append(Case("quant/per_axis_int8", m, lambda r: {"x": rnd(r, (2, 3, 4), lo=-4, hi=4)}))
    m = model([h.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1, block_size=2)],
              [vi("x", T.FLOAT, [3, 6])], [vi("q", T.UINT8, None)],
              [nh.from_array(np.abs(np.random.default_rng(3).normal(0.05, 0.01, (3, 3))).astype(np.float32), "s"),
               nh.from_array(np.full((3, 3), 128, np.uint8), "z")])
    out.append(Case("quant/blocked_uint8", m, lambda r: {"x": rnd(r, (3, 6), lo=-3, hi=3)}))
    m = model([h.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])],
              [vi("x", T.FLOAT, ["batch", 5])],
              [vi("y", T.UINT8, None), vi("s", T.FLOAT, None), vi("z", T.UINT8, None)])
    out.append(Case("quant/dynamic", m, lambda r: {"x": rnd(r, (3, 5), lo=-2, hi=3)}))
    m = model([h.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])],
              [vi("a", T.UINT8, ["batch", 4, 6]), vi("b", T.INT8, [6, 3])], [vi("y", T.INT32, None)],
              [nh.from_array(np.array(12, np.uint8), "az"), nh.from_array(np.array([1, -2, 3], np.int8), "bz")])
    # NumPy is the reference: onnxruntime 1.32's u8 x s8 kernel saturates
    # intermediate pair sums to int16 (x86 pmaddubsw), so it is off for large
    # products.
    out.append(Case("quant/matmul_integer", m, lambda r: {
        "a": r.integers(0, 256, (2, 4, 6)).astype(np.uint8), "b": r.integers(-128, 128, (6, 3)).astype(np.int8)},
        reference=lambda f: [((f["a"].astype(np.int64) - 12) @ (f["b"].astype(np.int64) - np.array([1, -2, 3])))
                             .astype(np.int32)]))
    m = model([h.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"])],
              [vi("a", T.UINT8, [3, 5]), vi("b", T.UINT8, [5, 2])], [vi("y", T.UINT8, None)],
              [f32("as", 0.02), nh.from_array(np.array(110, np.uint8), "az"), f32("bs", [0.03, 0.01]),
               nh.from_array(np.array([120, 130], np.uint8), "bz"), f32("ys", 0.05),
               nh.from_array(np.array(128, np.uint8), "yz")], opset=21)
    out.append(Case("quant/qlinear_matmul", m, lambda r: {
        "a": r.integers(0, 256, (3, 5)).astype(np.uint8), "b": r.integers(0, 256, (5, 2)).astype(np.uint8)}))
    m = model([h.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], pads=[1, 1, 1, 1])],
              [vi("x", T.UINT8, [1, 2, 5, 5]), vi("w", T.UINT8, [3, 2, 3, 3])], [vi("y", T.INT32, None)],
              [nh.from_array(np.array(7, np.uint8), "xz"), nh.from_array(np.array(9, np.uint8), "wz")])
    out.append(Case("quant/conv_integer", m, lambda r: {
        "x": r.integers(0, 256, (1, 2, 5, 5)).astype(np.uint8), "w": r.integers(0, 256, (3, 2, 3, 3)).astype(np.uint8)}))
    return out


def extra_normalization_cases():
    out = []
    m = model([h.make_node("InstanceNormalization", ["x", "s", "b"], ["y"], epsilon=1e-3)],
              [vi("x", T.FLOAT, ["batch", 3, 5, 4])], [vi("y", T.FLOAT, None)],
              [nh.from_array(np.array([0.5, 1.0, 2.0], np.float32), "s"),
               nh.from_array(np.array([0.1, -0.2, 0.0], np.float32), "b")])
    out.append(Case("norm/instance", m, lambda r: {"x": rnd(r, (2, 3, 5, 4))}))
    for p in [1, 2]:
        m = model([h.make_node("LpNormalization", ["x"], ["y"], axis=1, p=p)],
                  [vi("x", T.FLOAT, ["batch", 6, 2])], [vi("y", T.FLOAT, None)], opset=22)
        out.append(Case(f"norm/lp{p}", m, lambda r: {"x": rnd(r, (3, 6, 2))}))
    # onnxruntime takes odd sizes only; the even (asymmetric window) one is checked
    # against onnx's reference evaluator, whose channel loop runs over range(N)
    # (onnx 1.23), hence a batch equal to the channel count there.
    for size in [5, 4]:
        m = model([h.make_node("LRN", ["x"], ["y"], size=size, alpha=2e-3, beta=0.6, bias=1.5)],
                  [vi("x", T.FLOAT, ["batch", 7, 3, 3])], [vi("y", T.FLOAT, None)])
        out.append(Case(f"norm/lrn{size}", m, lambda r: {"x": rnd(r, (7, 7, 3, 3), lo=-3, hi=3)},
                        use_ort=size % 2 == 1))
    m = model([h.make_node("Einsum", ["q", "k"], ["s"], equation="bhqd,bhkd->bhqk"),
               h.make_node("Einsum", ["s"], ["t"], equation="...ii")],
              [vi("q", T.FLOAT, ["batch", 2, 4, 3]), vi("k", T.FLOAT, ["batch", 2, 4, 3])],
              [vi("s", T.FLOAT, None), vi("t", T.FLOAT, None)])
    out.append(Case("matmul/einsum", m, lambda r: {"q": rnd(r, (2, 2, 4, 3)), "k": rnd(r, (2, 2, 4, 3))}))
    return out


def selective_scan_cases():
    """ai.hybrid SelectiveScan, written by python/hybrid/onnx_ops.py, against its
    NumPy reference (with and without the optional inputs, grouped B/C)."""
    out = []
    f32 = lambda name, v: nh.from_array(np.asarray(v, np.float32), name)  # noqa: E731
    rng = np.random.default_rng(7)
    d, n = 6, 4
    a = -np.exp(rng.uniform(-1, 0.5, (d, n)))
    node = onnx_ops.selective_scan("u", "delta", "A", "B", "C", D="D", z="z", delta_bias="db",
                                   initial_state="s0", delta_softplus=True)
    g = [vi("B", T.FLOAT, ["batch", 2, n, "seq"]), vi("C", T.FLOAT, ["batch", 2, n, "seq"])]
    m = model([node], [vi("u", T.FLOAT, ["batch", d, "seq"]), vi("delta", T.FLOAT, ["batch", d, "seq"]), *g,
                       vi("z", T.FLOAT, ["batch", d, "seq"]), vi("s0", T.FLOAT, ["batch", d, n])],
              [vi("y", T.FLOAT, None), vi("final_state", T.FLOAT, None)],
              [f32("A", a), f32("D", rng.uniform(-1, 1, d)), f32("db", rng.uniform(-0.5, 0.5, d))],
              extra_opsets=[(onnx_ops.DOMAIN, onnx_ops.VERSION)])
    consts = {"A": a.astype(np.float32), "D": nh.to_array(m.graph.initializer[1]),
              "db": nh.to_array(m.graph.initializer[2])}
    out.append(Case("selective_scan/full", m, lambda r: {
        "u": rnd(r, (2, d, 9)), "delta": rnd(r, (2, d, 9)), "B": rnd(r, (2, 2, n, 9)),
        "C": rnd(r, (2, 2, n, 9)), "z": rnd(r, (2, d, 9)), "s0": rnd(r, (2, d, n))},
        reference=lambda f: list(onnx_ops.selective_scan_reference(
            f["u"], f["delta"], consts["A"], f["B"], f["C"], D=consts["D"], z=f["z"],
            delta_bias=consts["db"], initial_state=f["s0"], delta_softplus=True)), tol=1e-4))
    node = onnx_ops.selective_scan("u", "delta", "A", "B", "C", outputs=["y"])
    m = model([node], [vi("u", T.FLOAT, [1, d, 5]), vi("delta", T.FLOAT, [1, d, 5]),
                       vi("B", T.FLOAT, [1, n, 5]), vi("C", T.FLOAT, [1, n, 5])], [vi("y", T.FLOAT, None)],
              [f32("A", a)], extra_opsets=[(onnx_ops.DOMAIN, onnx_ops.VERSION)])
    out.append(Case("selective_scan/minimal", m, lambda r: {
        "u": rnd(r, (1, d, 5)), "delta": rnd(r, (1, d, 5), lo=0.01, hi=0.5), "B": rnd(r, (1, n, 5)),
        "C": rnd(r, (1, n, 5))},
        reference=lambda f: [onnx_ops.selective_scan_reference(
            f["u"], f["delta"], a.astype(np.float32), f["B"], f["C"])[0]]))
    return out


def ssm_scan_cases():
    import hybrid_ref
    """ai.hybrid SsmScan (Mamba-2's token-major layout), written by
    python/hybrid/onnx_ops.py, against the spec's ssm_scan reference (hybrid_ref): A [H] with groups and
    every optional input, and A [H, N] with one channel per head and nothing else."""
    out = []
    f32 = lambda name, v: nh.from_array(np.asarray(v, np.float32), name)  # noqa: E731
    rng = np.random.default_rng(11)
    h, p, n, g = 4, 16, 3, 2
    a = -np.exp(rng.uniform(-1, 1, h)).astype(np.float32)
    d = rng.uniform(-1, 1, (h, p)).astype(np.float32)
    db = rng.uniform(-0.5, 0.5, h).astype(np.float32)
    node = onnx_ops.ssm_scan("x", "dt", "A", "B", "C", D="D", z="z", dt_bias="db",
                             initial_state="s0", dt_softplus=True, dt_min=0.01, dt_max=2.0)
    m = model([node], [vi("x", T.FLOAT, ["batch", "seq", h, p]), vi("dt", T.FLOAT, ["batch", "seq", h]),
                       vi("B", T.FLOAT, ["batch", "seq", g, n]), vi("C", T.FLOAT, ["batch", "seq", g, n]),
                       vi("z", T.FLOAT, ["batch", "seq", h, p]), vi("s0", T.FLOAT, ["batch", h, p, n])],
              [vi("y", T.FLOAT, None), vi("final_state", T.FLOAT, None)],
              [f32("A", a), f32("D", d), f32("db", db)],
              extra_opsets=[(onnx_ops.DOMAIN, onnx_ops.VERSION)])
    out.append(Case("ssm_scan/mamba2_full", m, lambda r: {
        "x": rnd(r, (2, 7, h, p)), "dt": rnd(r, (2, 7, h)), "B": rnd(r, (2, 7, g, n)),
        "C": rnd(r, (2, 7, g, n)), "z": rnd(r, (2, 7, h, p)), "s0": rnd(r, (2, h, p, n))},
        reference=lambda f: list(hybrid_ref.ssm_scan(
            f["x"], f["dt"], a, f["B"], f["C"], D=d, z=f["z"], dt_bias=db, initial_state=f["s0"],
            dt_softplus=True, dt_min=hybrid_ref.f32(0.01), dt_max=hybrid_ref.f32(2.0))), tol=1e-4))
    a2 = -np.exp(rng.uniform(-1, 0.5, (5, n))).astype(np.float32)
    node = onnx_ops.ssm_scan("x", "dt", "A", "B", "C", outputs=["y"])
    m = model([node], [vi("x", T.FLOAT, [1, 6, 5, 1]), vi("dt", T.FLOAT, [1, 6, 5]),
                       vi("B", T.FLOAT, [1, 6, 1, n]), vi("C", T.FLOAT, [1, 6, 1, n])],
              [vi("y", T.FLOAT, None)], [f32("A", a2)],
              extra_opsets=[(onnx_ops.DOMAIN, onnx_ops.VERSION)])
    out.append(Case("ssm_scan/mamba1_minimal", m, lambda r: {
        "x": rnd(r, (1, 6, 5, 1)), "dt": rnd(r, (1, 6, 5), lo=0.01, hi=0.5),
        "B": rnd(r, (1, 6, 1, n)), "C": rnd(r, (1, 6, 1, n))},
        reference=lambda f: [hybrid_ref.ssm_scan(f["x"], f["dt"], a2, f["B"], f["C"])[0]]))
    return out


def onnxscript_cases():
    import onnxscript_cases as osc  # test/onnx/onnxscript_cases.py (needs onnxscript)
    return osc.cases(Case, rnd)


def all_cases() -> List[Case]:
    return (unary_cases() + binary_cases() + matmul_cases() + reduction_cases() + shape_cases()
            + normalization_cases() + attention_cases() + recurrent_cases() + conv_cases()
            + folding_cases() + indexing_cases() + control_flow_cases() + quantize_cases()
            + extra_normalization_cases() + selective_scan_cases() + ssm_scan_cases() + function_cases()
            + resize_cases() + context_function_cases() + onnxscript_cases())
