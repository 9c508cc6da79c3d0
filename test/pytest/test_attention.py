"""ONNX Attention (opset 23) through the CPU pipeline's flash form
(hybrid-flash-attention, on the thread pool), against onnxruntime and, with
the pipeline option off, against the scalar loops: query and key lengths
around the query block (48 rows) and the key block (64 keys), causal and not,
GQA, a KV cache (Skv > Sq), float and boolean masks, and a dynamic sequence
that crosses the 8-row switch between the scalar and the flash form."""
import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

import hybrid


def _model(hq, hkv, sq, skv, d, causal, mask=None, dv=None):
    """Attention over [B, H, S, D] inputs; `mask` is None, "float" or "bool"
    ([sq, skv], broadcast over batch and heads)."""
    dv = dv or d
    inputs = [helper.make_tensor_value_info("q", TensorProto.FLOAT, ["b", hq, sq, d]),
              helper.make_tensor_value_info("k", TensorProto.FLOAT, ["b", hkv, skv, d]),
              helper.make_tensor_value_info("v", TensorProto.FLOAT, ["b", hkv, skv, dv])]
    names = ["q", "k", "v"]
    if mask:
        etype = TensorProto.BOOL if mask == "bool" else TensorProto.FLOAT
        inputs.append(helper.make_tensor_value_info("m", etype, [sq, skv]))
        names.append("m")
    node = helper.make_node("Attention", names, ["y"], is_causal=int(causal))
    graph = helper.make_graph([node], "attn", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])


def _feeds(rng, b, hq, hkv, sq, skv, d, mask=None, dv=None):
    dv = dv or d
    feeds = {"q": rng.standard_normal((b, hq, sq, d)).astype(np.float32),
             "k": rng.standard_normal((b, hkv, skv, d)).astype(np.float32),
             "v": rng.standard_normal((b, hkv, skv, dv)).astype(np.float32)}
    if mask == "bool":
        m = rng.random((sq, skv)) < 0.8
        m[:, 0] = True          # every row sees a key (onnxruntime gives NaN otherwise)
        feeds["m"] = m
    elif mask == "float":
        feeds["m"] = (2.0 * rng.standard_normal((sq, skv))).astype(np.float32)
    return feeds


def _close(got, want, tol=1e-4):
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


CASES = [
    # (b, hq, hkv, sq, skv, d, causal, mask)
    (1, 2, 2, 8, 8, 16, True, None),          # the shortest flash query
    (2, 4, 2, 47, 47, 16, True, None),
    (1, 4, 1, 49, 49, 32, True, None),        # one row over a query block
    (1, 2, 2, 100, 100, 64, False, None),
    (1, 8, 2, 130, 130, 16, True, None),      # two key blocks and a partial one
    (1, 2, 1, 20, 150, 32, True, None),       # a KV cache: Skv > Sq
    (1, 2, 2, 60, 70, 16, False, "float"),
    (2, 2, 1, 65, 65, 16, True, "bool"),
]


@pytest.mark.parametrize("b,hq,hkv,sq,skv,d,causal,mask", CASES)
def test_attention(b, hq, hkv, sq, skv, d, causal, mask, rng):
    model = _model(hq, hkv, sq, skv, d, causal, mask)
    feeds = _feeds(rng, b, hq, hkv, sq, skv, d, mask)
    want = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    flash = hybrid.compile(model)(**feeds)
    _close(flash, want)
    loops = hybrid.compile(model, flash_attention=False)(**feeds)
    _close(flash, loops)


def test_attention_dynamic_seq(rng):
    # One module for every length: under 8 rows the scalar loops, from 8 on
    # the flash form (an scf.if on Sq at run time), and an empty sequence.
    model = _model(4, 2, "s", "s", 16, causal=True, dv=24)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    m = hybrid.compile(model)
    for s in [1, 7, 8, 9, 57, 200]:
        feeds = _feeds(rng, 1, 4, 2, s, s, 16, dv=24)
        _close(m(**feeds), sess.run(None, feeds)[0])
    empty = _feeds(rng, 1, 4, 2, 0, 0, 16, dv=24)
    assert m(**empty).shape == (1, 4, 0, 24)


def test_attention_causal_dynamic_lengths(rng):
    # is_causal with run-time query and key lengths: ONNX's frontier is
    # top-left (key j <= query i). The compiled module takes the causal op when
    # the lengths agree and the frontier as a mask when they differ.
    model = _model(2, 2, "s", "t", 16, causal=True)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    m = hybrid.compile(model)
    for s, t in [(9, 9), (9, 20), (20, 9), (1, 5), (70, 70), (50, 130)]:
        feeds = _feeds(rng, 1, 2, 2, s, t, 16)
        _close(m(**feeds), sess.run(None, feeds)[0])
