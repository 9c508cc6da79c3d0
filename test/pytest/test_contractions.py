"""Matmuls and convolutions through the CPU pipeline's vector microkernels
(hybrid-vectorize-contractions), against NumPy in float64 and, with the
pipeline option off, against the loop lowering: shapes around the register
tile (6 rows x 16 columns), the row block (48 rows) and the packed panel,
batch dims that broadcast, 16-bit inputs, Gemm's transposes, and
convolutions (depthwise, grouped, dilated, padded, strided)."""
import numpy as np
import pytest
from onnx import TensorProto, helper

import hybrid


def _model(nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])


def _close(got, want, tol=1e-4):
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


MATMUL_SHAPES = [
    # (A shape, B shape): rows and columns at, below and above the tiles.
    ((1, 7), (7, 1)),
    ((1, 64), (64, 256)),       # a decode step: one row, 16 column tiles
    ((5, 3), (3, 15)),          # fewer rows than a microkernel, one masked tile
    ((6, 16), (16, 16)),        # exactly one microkernel
    ((7, 33), (33, 17)),        # one row and one column over
    ((25, 40), (40, 48)),       # a packed panel, then single rows
    ((49, 40), (40, 48)),       # one row over a row block
    ((64, 64), (64, 40)),
    ((2, 3, 13, 9), (2, 3, 9, 20)),   # batch dims on both
    ((3, 13, 9), (9, 31)),            # activations [b, s, d] x weights
    ((1, 13, 9), (4, 9, 31)),         # A's batch broadcast against B's
    ((4, 1, 5, 8), (3, 8, 18)),       # both broadcast
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb, rng):
    a = rng.standard_normal(sa).astype(np.float32)
    b = rng.standard_normal(sb).astype(np.float32)
    model = _model([helper.make_node("MatMul", ["a", "b"], ["y"])],
                   [helper.make_tensor_value_info("a", TensorProto.FLOAT, sa),
                    helper.make_tensor_value_info("b", TensorProto.FLOAT, sb)],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    want = np.matmul(a.astype(np.float64), b.astype(np.float64))
    fast = hybrid.compile(model)(a, b)
    _close(fast, want)
    loops = hybrid.compile(model, vectorize=False)(a, b)
    _close(fast, loops)


def test_matmul_dynamic_rows_constant_weights(rng):
    # The usual layer: dynamic [batch, seq] activations, weights in the model.
    w = rng.standard_normal((24, 40)).astype(np.float32)
    model = _model([helper.make_node("MatMul", ["x", "w"], ["y"])],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", 24])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                   [helper.make_tensor("w", TensorProto.FLOAT, w.shape, w.flatten())])
    m = hybrid.compile(model)
    for shape in [(1, 1, 24), (2, 7, 24), (3, 29, 24), (1, 0, 24)]:
        x = rng.standard_normal(shape).astype(np.float32)
        _close(m(x), x.astype(np.float64) @ w.astype(np.float64))


@pytest.mark.parametrize("trans_a,trans_b", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_gemm(trans_a, trans_b, rng):
    # transB=1 is how nn.Linear exports: B read lane by lane.
    a = rng.standard_normal((11, 20)).astype(np.float32)
    b = rng.standard_normal((20, 35)).astype(np.float32)
    c = rng.standard_normal((35,)).astype(np.float32)
    at = a.T.copy() if trans_a else a
    bt = b.T.copy() if trans_b else b
    model = _model([helper.make_node("Gemm", ["a", "b", "c"], ["y"], alpha=0.5, beta=2.0,
                                     transA=trans_a, transB=trans_b)],
                   [helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape)
                    for n, v in (("a", at), ("b", bt), ("c", c))],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    want = 0.5 * (a.astype(np.float64) @ b) + 2.0 * c
    _close(hybrid.compile(model)(at, bt, c), want)


def test_bf16_matmul(rng):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    a = rng.standard_normal((9, 24)).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal((24, 21)).astype(ml_dtypes.bfloat16)
    model = _model([helper.make_node("MatMul", ["a", "b"], ["y"])],
                   [helper.make_tensor_value_info("a", TensorProto.BFLOAT16, a.shape),
                    helper.make_tensor_value_info("b", TensorProto.BFLOAT16, b.shape)],
                   [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, None)])
    got = hybrid.compile(model)(a, b).astype(np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    _close(got, want, tol=2e-2)


def _conv_reference(x, w, b, group, stride, pads, dilation):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (xp.shape[2] - dilation * (kh - 1) - 1) // stride + 1
    ow = (xp.shape[3] - dilation * (kw - 1) - 1) // stride + 1
    y = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i * dilation: i * dilation + stride * (oh - 1) + 1: stride,
                           j * dilation: j * dilation + stride * (ow - 1) + 1: stride]
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch,
                                                       w[g * mg:(g + 1) * mg, :, i, j])
    return y + b.reshape(1, -1, 1, 1)


CONVS = [
    # (x shape, w shape, group, stride, pads, dilation)
    ((1, 8, 9, 9), (16, 8, 3, 3), 1, 1, (1, 1, 1, 1), 1),       # regular, padded
    ((2, 12, 10, 19), (12, 1, 7, 7), 12, 1, (3, 3, 3, 3), 1),   # depthwise 7x7 (ConvNeXt)
    ((1, 8, 6, 6), (8, 4, 3, 3), 2, 1, (0, 0, 0, 0), 2),        # grouped, dilated
    ((1, 16, 5, 7), (24, 16, 1, 1), 1, 1, (0, 0, 0, 0), 1),     # pointwise
    ((1, 4, 11, 11), (6, 4, 3, 3), 1, 2, (1, 1, 1, 1), 1),      # stride 2: lanes one by one
    ((1, 3, 16, 37), (8, 3, 4, 4), 1, 4, (0, 0, 0, 0), 1),      # a 4x4/4 patchify stem
    ((3, 8, 4, 4), (8, 1, 7, 7), 8, 1, (3, 3, 3, 3), 1),        # depthwise on 4x4 planes: 4 lanes,
                                                                # rows = batch x 4 output rows
    ((1, 6, 5, 3), (6, 1, 3, 3), 6, 1, (1, 1, 1, 1), 1),        # 5 rows (a 4-row kernel, then one),
                                                                # 3 of a 4-lane tile (masked)
]


@pytest.mark.parametrize("sx,sw,group,stride,pads,dilation", CONVS)
def test_conv(sx, sw, group, stride, pads, dilation, rng):
    x = rng.standard_normal(sx).astype(np.float32)
    w = rng.standard_normal(sw).astype(np.float32)
    b = rng.standard_normal(sw[0]).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], group=group, strides=[stride] * 2,
                            pads=list(pads), dilations=[dilation] * 2)
    model = _model([node],
                   [helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape)
                    for n, v in (("x", x), ("w", w), ("b", b))],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    want = _conv_reference(x, w, b, group, stride, pads, dilation)
    _close(hybrid.compile(model)(x, w, b), want)


@pytest.mark.parametrize("batch", [1, 2, 5])
def test_depthwise_dynamic_batch(batch, rng):
    # ConvNeXt's depthwise 7x7 with a dynamic batch: the microkernel's rows
    # are batch x output rows, an 8x8 plane (8 rows of 8 lanes) and a 4x4 one.
    for hw, c in ((8, 16), (4, 8)):
        x = rng.standard_normal((batch, c, hw, hw)).astype(np.float32)
        w = rng.standard_normal((c, 1, 7, 7)).astype(np.float32)
        b = rng.standard_normal(c).astype(np.float32)
        node = helper.make_node("Conv", ["x", "w", "b"], ["y"], group=c, pads=[3] * 4)
        model = _model([node],
                       [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", c, hw, hw])],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                       [helper.make_tensor("w", TensorProto.FLOAT, w.shape, w.ravel()),
                        helper.make_tensor("b", TensorProto.FLOAT, b.shape, b.ravel())])
        want = _conv_reference(x, w, b, c, 1, (3, 3, 3, 3), 1)
        _close(hybrid.compile(model)(x), want)


EPILOGUE_SHAPES = [
    # (rows, k, n): a decode row, masked column tiles, several row blocks.
    (1, 32, 40),
    (7, 24, 16),
    (50, 40, 72),
]


@pytest.mark.parametrize("m,k,n", EPILOGUE_SHAPES)
def test_matmul_epilogues(m, k, n, rng):
    # MatMul + bias + exact GELU (as exporters decompose it) + residual Add +
    # a per-row scale: the elementwise code runs on the microkernels'
    # accumulators (hybrid-vectorize-contractions' epilogues), checked against
    # NumPy and against the same model with the epilogues as kernels of their
    # own.
    w = rng.standard_normal((k, n)).astype(np.float32) / np.sqrt(k)
    bias = rng.standard_normal((n,)).astype(np.float32)
    f = TensorProto.FLOAT
    inits = [helper.make_tensor("w", f, w.shape, w.flatten()),
             helper.make_tensor("bias", f, bias.shape, bias),
             helper.make_tensor("sqrt2", f, [], [np.sqrt(2.0)]),
             helper.make_tensor("one", f, [], [1.0]),
             helper.make_tensor("half", f, [], [0.5])]
    nodes = [helper.make_node("MatMul", ["x", "w"], ["mm"]),
             helper.make_node("Add", ["mm", "bias"], ["h"]),
             helper.make_node("Div", ["h", "sqrt2"], ["hs"]),
             helper.make_node("Erf", ["hs"], ["e"]),
             helper.make_node("Add", ["e", "one"], ["e1"]),
             helper.make_node("Mul", ["h", "e1"], ["g"]),
             helper.make_node("Mul", ["g", "half"], ["gelu"]),
             helper.make_node("MatMul", ["gelu", "w2"], ["mm2"]),
             helper.make_node("Add", ["r", "mm2"], ["res"]),
             helper.make_node("Mul", ["res", "scale"], ["y"])]
    w2 = rng.standard_normal((n, n)).astype(np.float32) / np.sqrt(n)
    inits.append(helper.make_tensor("w2", f, w2.shape, w2.flatten()))
    model = _model(nodes,
                   [helper.make_tensor_value_info("x", f, ["rows", k]),
                    helper.make_tensor_value_info("r", f, ["rows", n]),
                    helper.make_tensor_value_info("scale", f, ["rows", 1])],
                   [helper.make_tensor_value_info("y", f, None)], inits)
    x = rng.standard_normal((m, k)).astype(np.float32)
    r = rng.standard_normal((m, n)).astype(np.float32)
    scale = rng.standard_normal((m, 1)).astype(np.float32)

    from math import erf
    h = x.astype(np.float64) @ w + bias
    gelu = h * 0.5 * (1.0 + np.vectorize(erf)(h / np.sqrt(2.0)))
    want = (r + gelu @ w2) * scale
    r0 = r.copy()
    got = hybrid.compile(model)(x, r, scale)
    _close(got, want)
    np.testing.assert_array_equal(r, r0)  # the residual input is not written
    _close(got, hybrid.compile(model, fuse_epilogues=False)(x, r, scale))

