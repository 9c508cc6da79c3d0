#!/usr/bin/env python3
"""Writes one small ONNX file for the importer's lit tests.

    make_model.py KIND OUT.onnx

KIND is one of the names in MAKERS below; some kinds write a broken file on purpose
(truncated, corrupt, missing external data, unknown ops, bad attributes,
inconsistent shapes) to check the importer's error messages.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh


def vi(name, elt, shape):
    return h.make_tensor_value_info(name, elt, shape)


def model(nodes, inputs, outputs, inits=(), opsets=(("", 23),), functions=()):
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid(d, v) for d, v in opsets],
                     functions=list(functions))
    m.ir_version = 10
    return m


def small():
    w = nh.from_array(np.arange(16 * 8, dtype=np.float32).reshape(16, 8) / 100, "proj.weight")
    s = nh.from_array(np.ones(8, np.float32), "norm.weight")
    nodes = [h.make_node("MatMul", ["x", "proj.weight"], ["h"], name="proj"),
             h.make_node("RMSNormalization", ["h", "norm.weight"], ["y"], name="norm", epsilon=1e-6)]
    return model(nodes, [vi("x", T.FLOAT, ["batch", "seq", 16])], [vi("y", T.FLOAT, None)], [w, s])


def function():
    # A model-local function with an attribute reference, called twice.
    fn = h.make_function("local", "ScaledTanh", ["x"], ["y"],
                         [h.make_node("Constant", [], ["c"], value_float=0.0),
                          h.make_node("Tanh", ["x"], ["t"]),
                          h.make_node("Mul", ["t", "s"], ["y"])],
                         [h.make_opsetid("", 23)], attributes=[])
    fn.node[0].CopyFrom(h.make_node("Constant", [], ["s"]))
    ref = onnx.AttributeProto()
    ref.name = "value_float"
    ref.ref_attr_name = "scale"
    ref.type = onnx.AttributeProto.FLOAT
    fn.node[0].attribute.append(ref)
    fn.attribute.append("scale")
    nodes = [h.make_node("ScaledTanh", ["x"], ["a"], domain="local", name="first", scale=2.0),
             h.make_node("ScaledTanh", ["a"], ["y"], domain="local", name="second", scale=0.5)]
    return model(nodes, [vi("x", T.FLOAT, [4])], [vi("y", T.FLOAT, [4])],
                 opsets=(("", 23), ("local", 1)), functions=[fn])


def subgraph():
    then_g = h.make_graph([h.make_node("Neg", ["x"], ["t"])], "then", [], [vi("t", T.FLOAT, [3])])
    else_g = h.make_graph([h.make_node("Abs", ["x"], ["e"])], "else", [], [vi("e", T.FLOAT, [3])])
    nodes = [h.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g, else_branch=else_g)]
    return model(nodes, [vi("c", T.BOOL, []), vi("x", T.FLOAT, [3])], [vi("y", T.FLOAT, [3])])


def external(out):
    w = nh.from_array(np.arange(128, dtype=np.float32), "w")
    m = model([h.make_node("Add", ["x", "w"], ["y"])], [vi("x", T.FLOAT, [128])],
              [vi("y", T.FLOAT, None)], [w])
    onnx.save_model(m, out, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=os.path.basename(out) + ".data", size_threshold=0)
    return None


def missing_external(out):
    external(out)
    os.remove(out + ".data")
    return None


def escaping_external(out):
    external(out)
    m = onnx.load(out, load_external_data=False)
    for kv in m.graph.initializer[0].external_data:
        if kv.key == "location":
            kv.value = "../secret.bin"
    onnx.save(m, out)
    return None


def unknown_ops():
    nodes = [h.make_node("Relu", ["x"], ["a"], name="ok"),
             h.make_node("FancyOp", ["a"], ["b"], name="fancy", domain="com.example"),
             h.make_node("NotAnOnnxOp", ["b"], ["y"], name="bogus")]
    return model(nodes, [vi("x", T.FLOAT, [2])], [vi("y", T.FLOAT, None)],
                 opsets=(("", 23), ("com.example", 1)))


def bad_attr():
    return model([h.make_node("Softmax", ["x"], ["y"], name="sm", axis="last")],
                 [vi("x", T.FLOAT, [2, 3])], [vi("y", T.FLOAT, None)])


def inconsistent_shapes():
    return model([h.make_node("MatMul", ["a", "b"], ["y"], name="mm")],
                 [vi("a", T.FLOAT, [2, 3]), vi("b", T.FLOAT, [4, 5])], [vi("y", T.FLOAT, None)])


def wrong_declared():
    return model([h.make_node("Relu", ["x"], ["y"], name="act")],
                 [vi("x", T.FLOAT, [2, 3])], [vi("y", T.FLOAT, [3, 2])])


def undefined_input():
    return model([h.make_node("Relu", ["nowhere"], ["y"], name="act")],
                 [vi("x", T.FLOAT, [2])], [vi("y", T.FLOAT, None)])


def scan_state_shape():
    """A Scan body whose state leaves with a different shape than it entered."""
    body = h.make_graph([h.make_node("Concat", ["s_in", "x_t"], ["s_out"], axis=0)], "body",
                        [vi("s_in", T.FLOAT, [2]), vi("x_t", T.FLOAT, [1])], [vi("s_out", T.FLOAT, None)])
    return model([h.make_node("Scan", ["s0", "x"], ["s"], name="scan", body=body, num_scan_inputs=1)],
                 [vi("s0", T.FLOAT, [2]), vi("x", T.FLOAT, [5, 1])], [vi("s", T.FLOAT, None)])


def loop_cond_scan():
    """A condition-only Loop with a scan output: nothing sizes the output."""
    body = h.make_graph([h.make_node("Identity", ["c_in"], ["c_out"]), h.make_node("Identity", ["x"], ["y"])],
                        "body", [vi("i", T.INT64, []), vi("c_in", T.BOOL, [])],
                        [vi("c_out", T.BOOL, []), vi("y", T.FLOAT, None)])
    return model([h.make_node("Loop", ["", "c"], ["ys"], name="loop", body=body)],
                 [vi("c", T.BOOL, []), vi("x", T.FLOAT, [3])], [vi("ys", T.FLOAT, None)])


def chunk_dynamic_batch():
    """torch.chunk(x, 2, dim=1) as the TorchScript exporter writes it: the chunk size
    from Shape -> Gather -> Add -> Div over a tensor whose batch is dynamic."""
    c = lambda name, v: nh.from_array(np.array(v, np.int64), name)  # noqa: E731
    nodes = [h.make_node("Shape", ["x"], ["s"]), h.make_node("Gather", ["s", "one"], ["n"], axis=0),
             h.make_node("Add", ["n", "one"], ["n1"]), h.make_node("Div", ["n1", "two"], ["k"]),
             h.make_node("Mul", ["k", "two"], ["k2"]),
             h.make_node("Slice", ["x", "zero", "k", "one"], ["a"], name="first"),
             h.make_node("Slice", ["x", "k", "k2", "one"], ["b"], name="second")]
    return model(nodes, [vi("x", T.FLOAT, ["batch", 8, 6])], [vi("a", T.FLOAT, None), vi("b", T.FLOAT, None)],
                 [c("one", [1]), c("two", [2]), c("zero", [0])])


def loop_unbounded_scan():
    """A while loop written as TorchScript does (M = INT64_MAX plus a condition)
    with a scan output: M cannot size it."""
    body = h.make_graph([h.make_node("Identity", ["c_in"], ["c_out"]), h.make_node("Identity", ["x"], ["y"])],
                        "body", [vi("i", T.INT64, []), vi("c_in", T.BOOL, [])],
                        [vi("c_out", T.BOOL, []), vi("y", T.FLOAT, None)])
    return model([h.make_node("Loop", ["m", "c"], ["ys"], name="loop", body=body)],
                 [vi("c", T.BOOL, []), vi("x", T.FLOAT, [3])], [vi("ys", T.FLOAT, None)],
                 [nh.from_array(np.array(np.iinfo(np.int64).max, np.int64), "m")])


def resize_both():
    """Resize given both scales and sizes."""
    return model([h.make_node("Resize", ["x", "", "sc", "sz"], ["y"], name="up")],
                 [vi("x", T.FLOAT, [1, 1, 2, 2])], [vi("y", T.FLOAT, None)],
                 [nh.from_array(np.array([1, 1, 2, 2], np.float32), "sc"),
                  nh.from_array(np.array([1, 1, 4, 4], np.int64), "sz")], opsets=(("", 19),))


def schema_function():
    """MeanVarianceNormalization: an ai.onnx function op without a converter of its
    own, read as its schema's function body."""
    return model([h.make_node("MeanVarianceNormalization", ["x"], ["y"], name="mvn", axes=[0, 2])],
                 [vi("x", T.FLOAT, [3, 4, 5])], [vi("y", T.FLOAT, None)], opsets=(("", 18),))


def scan_varying_output():
    """A Scan whose per-step output grows with its state: Range(0, s) for a counter
    s, so its size is not known before the loop."""
    body = h.make_graph([h.make_node("Add", ["s_in", "one"], ["s_out"]),
                         h.make_node("Range", ["zero", "s_out", "one"], ["r"])], "body",
                        [vi("s_in", T.INT64, []), vi("x_t", T.FLOAT, [1])],
                        [vi("s_out", T.INT64, []), vi("r", T.INT64, None)])
    return model([h.make_node("Scan", ["s0", "x"], ["s", "y"], name="scan", body=body, num_scan_inputs=1)],
                 [vi("s0", T.INT64, []), vi("x", T.FLOAT, [5, 1])],
                 [vi("s", T.INT64, None), vi("y", T.INT64, None)],
                 [nh.from_array(np.array(1, np.int64), "one"), nh.from_array(np.array(0, np.int64), "zero")])


def conv_pointwise():
    """A 1x1 convolution (flattened to a product over the image) and a strided
    1x1 one (a near miss: it keeps the windowed form)."""
    w = nh.from_array(np.ones((6, 4, 1, 1), np.float32), "w")
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="pw"),
                  h.make_node("Conv", ["x", "w"], ["z"], name="strided", strides=[2, 2])],
                 [vi("x", T.FLOAT, ["batch", 4, 5, 7])],
                 [vi("y", T.FLOAT, None), vi("z", T.FLOAT, None)], [w])


def conv_patches():
    """A 2x2 stride-2 convolution (a patch embedding: one copy into patch order,
    then a product) and a padded one (a near miss: windowed)."""
    w = nh.from_array(np.ones((6, 4, 2, 2), np.float32), "w")
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="patch", strides=[2, 2]),
                  h.make_node("Conv", ["x", "w"], ["z"], name="padded", strides=[2, 2],
                              pads=[1, 1, 1, 1])],
                 [vi("x", T.FLOAT, ["batch", 4, 6, 8])],
                 [vi("y", T.FLOAT, None), vi("z", T.FLOAT, None)], [w])


def conv_same_dynamic():
    """SAME padding needs the input size, here a dynamic dim."""
    return model([h.make_node("Conv", ["x", "w"], ["y"], name="conv", auto_pad="SAME_UPPER")],
                 [vi("x", T.FLOAT, [1, 2, "len"]), vi("w", T.FLOAT, [2, 2, 3])], [vi("y", T.FLOAT, None)])


def if_mismatch():
    """If branches whose outputs differ in rank."""
    then_g = h.make_graph([h.make_node("Neg", ["x"], ["t"])], "then", [], [vi("t", T.FLOAT, None)])
    else_g = h.make_graph([h.make_node("Unsqueeze", ["x", "zero"], ["e"])], "else", [],
                          [vi("e", T.FLOAT, None)])
    return model([h.make_node("If", ["c"], ["y"], name="branch", then_branch=then_g, else_branch=else_g)],
                 [vi("c", T.BOOL, []), vi("x", T.FLOAT, [3])], [vi("y", T.FLOAT, None)],
                 [nh.from_array(np.array([0], np.int64), "zero")])


def runtime_k():
    """TopK with K as a graph input: the output shape depends on its value."""
    return model([h.make_node("TopK", ["x", "k"], ["v", "i"], name="topk")],
                 [vi("x", T.FLOAT, [2, 8]), vi("k", T.INT64, [1])],
                 [vi("v", T.FLOAT, None), vi("i", T.INT64, None)])


def missing_domain():
    return model([h.make_node("MoE", ["x"], ["y"], name="moe", domain="com.microsoft")],
                 [vi("x", T.FLOAT, [2])], [vi("y", T.FLOAT, None)])


def moe_mixed_types():
    """A com.microsoft MoE whose weights are double while its input is float."""
    fc1 = nh.from_array(np.zeros((2, 4, 3), np.float64), "fc1")
    fc2 = nh.from_array(np.zeros((2, 3, 4), np.float64), "fc2")
    return model([h.make_node("MoE", ["x", "r", "fc1", "", "fc2"], ["y"], name="moe",
                              domain="com.microsoft", k=1, activation_type="relu")],
                 [vi("x", T.FLOAT, [5, 3]), vi("r", T.FLOAT, [5, 2])], [vi("y", T.FLOAT, None)],
                 inits=[fc1, fc2], opsets=(("", 23), ("com.microsoft", 1)))


def float_and():
    return model([h.make_node("And", ["a", "b"], ["y"], name="and")],
                 [vi("a", T.FLOAT, [2]), vi("b", T.FLOAT, [2])], [vi("y", T.FLOAT, None)])


def repeated_axes():
    axes = nh.from_array(np.array([1, -1], np.int64), "axes")
    return model([h.make_node("ReduceSum", ["x", "axes"], ["y"], name="sum")],
                 [vi("x", T.FLOAT, [2, 3])], [vi("y", T.FLOAT, None)], [axes])


def shape_chain():
    """Shape -> Gather -> Concat -> Reshape and Size -> Range -> ReduceMean axes."""
    i64 = lambda name, v: nh.from_array(np.array(v, np.int64), name)  # noqa: E731
    nodes = [h.make_node("Shape", ["x"], ["s"], name="shape"),
             h.make_node("Gather", ["s", "zero"], ["d0"], axis=0, name="batch"),
             h.make_node("Concat", ["d0", "minus1"], ["shape2"], axis=0, name="cat"),
             h.make_node("Reshape", ["x", "shape2"], ["flat"], name="flatten"),
             h.make_node("Size", ["s"], ["rank"], name="rank"),
             h.make_node("Range", ["one", "rank", "one"], ["axes"], name="axes"),
             h.make_node("ReduceMean", ["x", "axes"], ["mean"], keepdims=0, name="mean")]
    return model(nodes, [vi("x", T.FLOAT, [2, 3, 4])],
                 [vi("flat", T.FLOAT, None), vi("mean", T.FLOAT, None)],
                 [i64("zero", [0]), i64("minus1", [-1]), i64("one", 1)])


def reshapes():
    """Reshapes of a dynamic batch: split the last dim into heads (after a Split,
    a slice of a wider tensor), merge heads back, a no-op reshape, and targets
    that do not prove a grouping (a shape read at run time, a -1 against a
    dynamic dim)."""
    i64 = lambda name, v: nh.from_array(np.array(v, np.int64), name)  # noqa: E731
    nodes = [h.make_node("Split", ["x", "sizes"], ["q", "kv"], axis=2, name="split"),
             h.make_node("Reshape", ["q", "heads"], ["split_heads"], name="split_heads"),
             h.make_node("Reshape", ["split_heads", "merge"], ["merged"], name="merge_heads"),
             h.make_node("Reshape", ["x", "same"], ["same_shape"], name="same"),
             h.make_node("Reshape", ["q", "shape"], ["runtime"], name="runtime"),
             h.make_node("Reshape", ["split_heads", "infer"], ["inferred"], name="inferred"),
             h.make_node("Reshape", ["x", "flat"], ["flat_x"], name="flatten")]
    return model(nodes, [vi("x", T.FLOAT, ["b", 6, 144]), vi("shape", T.INT64, [3])],
                 [vi("split_heads", T.FLOAT, None), vi("merged", T.FLOAT, None),
                  vi("same_shape", T.FLOAT, None), vi("runtime", T.FLOAT, None),
                  vi("inferred", T.FLOAT, None), vi("flat_x", T.FLOAT, None)],
                 [i64("sizes", [48, 96]), i64("heads", [0, 0, 4, 12]), i64("merge", [0, 0, 48]),
                  i64("same", [0, 6, 144]), i64("infer", [0, -1, 12]), i64("flat", [0, 864])])


def runtime_axes():
    """Axes as a graph input, as ONNX's node tests feed them; needs --bind-input."""
    return model([h.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0, name="sum")],
                 [vi("x", T.FLOAT, [2, 3, 4]), vi("axes", T.INT64, [1])], [vi("y", T.FLOAT, None)])


def axes_value(out):
    with open(out, "wb") as f:
        f.write(nh.from_array(np.array([1], np.int64), "axes").SerializeToString())


def wrong_axes_value(out):
    with open(out, "wb") as f:
        f.write(nh.from_array(np.array([1.0], np.float32), "axes").SerializeToString())


def running_sum():
    """A Scan whose step is a running sum: not a recurrence the raising passes know."""
    body = h.make_graph([h.make_node("Add", ["s", "x_t"], ["s2"]),
                         h.make_node("Identity", ["s2"], ["y_t"])], "body",
                        [vi("s", T.FLOAT, None), vi("x_t", T.FLOAT, None)],
                        [vi("s2", T.FLOAT, None), vi("y_t", T.FLOAT, None)])
    scan = h.make_node("Scan", ["s0", "x"], ["s", "y"], body=body, num_scan_inputs=1,
                       scan_input_axes=[1], scan_output_axes=[1])
    return model([scan], [vi("s0", T.FLOAT, ["b", 4]), vi("x", T.FLOAT, ["b", "l", 4])],
                 [vi("s", T.FLOAT, None), vi("y", T.FLOAT, None)])


MAKERS = {
    "running_sum": running_sum,
    "shape_chain": shape_chain, "reshapes": reshapes, "runtime_axes": runtime_axes, "axes_value": axes_value,
    "wrong_axes_value": wrong_axes_value,
    "float_and": float_and,
    "moe_mixed_types": moe_mixed_types,
    "repeated_axes": repeated_axes,
    "small": small, "function": function, "subgraph": subgraph, "external": external,
    "missing_external": missing_external, "escaping_external": escaping_external,
    "unknown_ops": unknown_ops, "bad_attr": bad_attr, "inconsistent_shapes": inconsistent_shapes,
    "wrong_declared": wrong_declared, "undefined_input": undefined_input,
    "missing_domain": missing_domain,
    "scan_state_shape": scan_state_shape, "if_mismatch": if_mismatch, "runtime_k": runtime_k,
    "scan_varying_output": scan_varying_output, "schema_function": schema_function,
    "loop_cond_scan": loop_cond_scan, "resize_both": resize_both,
    "loop_unbounded_scan": loop_unbounded_scan, "chunk_dynamic_batch": chunk_dynamic_batch, "conv_same_dynamic": conv_same_dynamic,
    "conv_pointwise": conv_pointwise, "conv_patches": conv_patches,
}


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind in ("truncated", "corrupt"):
        data = small().SerializeToString()
        if kind == "truncated":
            data = data[: len(data) // 2]
        else:
            data = bytes([0x08, 0x0a]) + bytes((b * 7 + 3) % 256 for b in data[2:200]) + b"\xff" * 16
        with open(out, "wb") as f:
            f.write(data)
        return
    if kind == "corpus":
        # A seed corpus for the importer's fuzz target: every model kind above
        # that builds a model in memory.
        os.makedirs(out, exist_ok=True)
        for name, fn in MAKERS.items():
            if fn.__code__.co_argcount == 0:
                with open(os.path.join(out, name + ".onnx"), "wb") as f:
                    f.write(fn().SerializeToString())
        return
    fn = MAKERS[kind]
    m = fn(out) if fn.__code__.co_argcount == 1 else fn()
    if m is not None:
        onnx.save(m, out)


if __name__ == "__main__":
    main()
