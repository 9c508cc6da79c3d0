"""Models written with onnxscript, the way its users write them, for check_models.py.

onnxscript is one of the exporters Hybrid reads (alongside torch.onnx, whose
dynamo exporter is built on it, and onnxruntime-genai's builder): its converter
turns Python functions into ONNX graphs, Python `for` loops into Loop nodes whose
accumulators grow by Concat, and Python constants into Constant nodes. These
graphs are its real output, not hand-written protos.
"""
from onnxscript import FLOAT, opset18 as op, script


@script()
def rms_gqa_decode(x: FLOAT["B", "S", 32], w: FLOAT[32], wq: FLOAT[32, 32], wk: FLOAT[32, 16],
                   wv: FLOAT[32, 16], past_k: FLOAT["B", 2, "P", 8], past_v: FLOAT["B", 2, "P", 8]
                   ) -> tuple[FLOAT["B", "S", 32], FLOAT["B", 2, "T", 8], FLOAT["B", 2, "T", 8]]:
    """RMSNorm, then grouped-query attention (4 query heads, 2 KV heads) over a KV cache."""
    ms = op.ReduceMean(x * x, [-1], keepdims=1)
    h = x * op.Reciprocal(op.Sqrt(ms + 1e-5)) * w
    q = op.Transpose(op.Reshape(op.MatMul(h, wq), [0, 0, 4, 8]), perm=[0, 2, 1, 3])
    k = op.Transpose(op.Reshape(op.MatMul(h, wk), [0, 0, 2, 8]), perm=[0, 2, 1, 3])
    v = op.Transpose(op.Reshape(op.MatMul(h, wv), [0, 0, 2, 8]), perm=[0, 2, 1, 3])
    kk = op.Concat(past_k, k, axis=2)
    vv = op.Concat(past_v, v, axis=2)
    kr = op.Reshape(op.Expand(op.Unsqueeze(kk, [2]), [1, 1, 2, 1, 1]), [0, 4, -1, 8])
    vr = op.Reshape(op.Expand(op.Unsqueeze(vv, [2]), [1, 1, 2, 1, 1]), [0, 4, -1, 8])
    p = op.Softmax(op.MatMul(q, op.Transpose(kr, perm=[0, 1, 3, 2])) * 0.35355339, axis=-1)
    y = op.Reshape(op.Transpose(op.MatMul(p, vr), perm=[0, 2, 1, 3]), [0, 0, 32])
    return y, kk, vv


@script()
def selective_scan_loop(u: FLOAT["L", "D"], delta: FLOAT["L", "D"], A: FLOAT["D", 4],
                        B: FLOAT["L", 4], C: FLOAT["L", 4]) -> FLOAT["L", "D"]:
    """Mamba-1's recurrence as a Python for loop: a Loop whose output grows by Concat."""
    n = op.Squeeze(op.Shape(u, start=0, end=1))
    h = op.Expand(op.Mul(op.ReduceSum(A, [1], keepdims=1), 0.0), op.Shape(A))
    ys = op.Slice(u, [0], [0], [0])
    for t in range(n):
        tt = op.Unsqueeze(t, [0])
        d_t = op.Squeeze(op.Slice(delta, tt, tt + 1, [0]), [0])
        u_t = op.Squeeze(op.Slice(u, tt, tt + 1, [0]), [0])
        b_t = op.Gather(B, t, axis=0)
        c_t = op.Gather(C, t, axis=0)
        h = op.Exp(op.Unsqueeze(d_t, [1]) * A) * h + op.Unsqueeze(d_t * u_t, [1]) * b_t
        ys = op.Concat(ys, op.Unsqueeze(op.ReduceSum(h * c_t, [1], keepdims=0), [0]), axis=0)
    return ys


@script()
def topk_router(x: FLOAT["T", 16], wr: FLOAT[16, 6]) -> FLOAT["T", 6]:
    """MoE routing: softmax, top-2, renormalized, scattered back to a dense [T, E]."""
    probs = op.Softmax(op.MatMul(x, wr), axis=-1)
    vals, idx = op.TopK(probs, [2], axis=-1)
    vals = vals / op.ReduceSum(vals, [-1], keepdims=1)
    return op.ScatterElements(op.Mul(probs, 0.0), idx, vals, axis=1)


def cases(Case, rnd):
    """check_models Cases for the models above (Case and rnd from onnx_cases)."""
    def u(r, shape, lo=-1.0, hi=1.0):
        return rnd(r, shape, lo=lo, hi=hi)
    return [
        Case("onnxscript/rms_gqa_decode", rms_gqa_decode.to_model_proto(), lambda r: {
            "x": u(r, (2, 3, 32)), "w": u(r, (32,), 0.5, 1.5), "wq": u(r, (32, 32), -0.3, 0.3),
            "wk": u(r, (32, 16), -0.3, 0.3), "wv": u(r, (32, 16), -0.3, 0.3),
            "past_k": u(r, (2, 2, 4, 8)), "past_v": u(r, (2, 2, 4, 8))}),
        Case("onnxscript/selective_scan_loop", selective_scan_loop.to_model_proto(), lambda r: {
            "u": u(r, (6, 5)), "delta": u(r, (6, 5), 0.0, 0.5), "A": u(r, (5, 4), -2.0, -0.5),
            "B": u(r, (6, 4)), "C": u(r, (6, 4))}),
        Case("onnxscript/topk_router", topk_router.to_model_proto(), lambda r: {
            "x": u(r, (7, 16)), "wr": u(r, (16, 6))}),
    ]
