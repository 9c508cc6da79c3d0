"""The zoo's layers, each written in two forms.

``fused``: the one-node form of each block (ONNX Attention-23, RMSNormalization-23,
RotaryEmbedding-23, LinearAttention-27, CausalConvWithState-27, com.microsoft MoE and
GatedRMSNorm, Hybrid's ai.hybrid SelectiveScan, LayerNormalization, Gelu-20), as
onnxruntime-genai's builder, mobius and torch.onnx's dynamo exporter write them.

``decomposed``: the primitive ops exporters fall back to (research notes,
``onnx-hybrid-ops.md`` sections 3 to 6): MatMul/Softmax attention with a Trilu/Where
causal mask and Unsqueeze/Expand/Reshape GQA; Pow/ReduceMean RMSNorm; rotary with
Slice/Neg/Concat; Pad or Concat, grouped Conv and Slice causal convolutions; the
SSM and delta-rule recurrences as a Scan over time (prefill) or as explicit ops for
one token (decode); Softmax/TopK MoE routing with Equal masks over every expert
(or, with ``loop``, each expert on the tokens that chose it: NonZero, GatherND,
ScatterND, as torch.onnx writes HF's eager expert loop);
ReduceMean/Sub/Pow LayerNorm and Erf GELU.

Both forms compute the same function with the same weights (drawn by name, see
graph.Weights), and have the same inputs and outputs, so either checks the other.
State inputs and outputs carry the names real exports use: ``past_key_values.N.key``
/ ``.value`` -> ``present.N.key`` / ``.value``, ``past_conv.N`` -> ``present_conv.N``,
``past_ssm.N`` -> ``present_ssm.N`` (Mamba) and ``past_recurrent.N`` ->
``present_recurrent.N`` (Gated DeltaNet).
"""
from dataclasses import dataclass

import numpy as np

from onnx import TensorProto, helper

from .. import onnx_ops
from .graph import BOOL, FLOAT, INT64, Graph

FUSED, DECOMPOSED = "fused", "decomposed"
PREFILL, DECODE = "prefill", "decode"

FUSED_OPSET = 27       # LinearAttention and CausalConvWithState are opset 27
DECOMPOSED_OPSET = 18  # what torch.onnx's TorchScript exporter writes

# Symbolic dims of the graph inputs.
BATCH, SEQ, PAST = "batch", "seq", "past_seq"


@dataclass
class Config:
    """Sizes of the zoo models (small defaults, so the test suite runs them quickly)."""
    d_model: int = 64
    vocab: int = 256
    eps: float = 1e-5
    # Attention (GQA + RoPE).
    n_heads: int = 4
    n_kv_heads: int = 2
    head_dim: int = 16
    rope_theta: float = 10000.0
    max_positions: int = 512
    # Mamba-1.
    m1_expand: int = 2
    m1_state: int = 8
    m1_conv: int = 4
    m1_dt_rank: int = 8
    # Mamba-2 (one B/C group).
    m2_heads: int = 4
    m2_head_dim: int = 32
    m2_state: int = 16
    m2_conv: int = 4
    m2_chunk: int = 16     # the decomposed prefill's chunk (HF's chunk_size)
    # Gated DeltaNet.
    gdn_heads: int = 4
    gdn_key_dim: int = 16
    gdn_value_dim: int = 16
    gdn_conv: int = 4
    # Feed-forward and MoE.
    mlp_inter: int = 128
    n_experts: int = 8
    top_k: int = 2
    moe_inter: int = 96
    # Image models.
    image_size: int = 32
    num_classes: int = 10


class Ctx:
    """What every layer needs: the graph, the sizes, the form and the phase."""

    def __init__(self, g: Graph, cfg: Config, form: str, phase: str):
        assert form in (FUSED, DECOMPOSED) and phase in (PREFILL, DECODE)
        self.g, self.cfg, self.form, self.phase = g, cfg, form, phase
        self.w = g.weights
        self.opset = FUSED_OPSET if form == FUSED else DECOMPOSED_OPSET

    @property
    def fused(self):
        return self.form == FUSED

    @property
    def decode(self):
        return self.phase == DECODE

    def seq(self):
        """The sequence dim of the token inputs: symbolic for prefill, 1 for decode."""
        return 1 if self.decode else SEQ


# -- small helpers ----------------------------------------------------------------

def linear(c: Ctx, x: str, name: str, din: int, dout: int, bias: bool = False) -> str:
    g = c.g
    y = g.op("MatMul", x, g.param(f"{name}.weight", c.w.linear(f"{name}.weight", din, dout)))
    if bias:
        y = g.op("Add", y, g.param(f"{name}.bias", c.w.normal(f"{name}.bias", (dout,), 0.02)))
    return y


def silu(g: Graph, x: str) -> str:
    return g.op("Mul", x, g.op("Sigmoid", x))


def unsqueeze(g: Graph, x: str, *axes: int) -> str:
    return g.op("Unsqueeze", x, g.i64(*axes))


def squeeze(g: Graph, x: str, *axes: int) -> str:
    return g.op("Squeeze", x, g.i64(*axes))


def reshape(g: Graph, x: str, *shape: int) -> str:
    return g.op("Reshape", x, g.i64(*shape))


def transpose(g: Graph, x: str, *perm: int) -> str:
    return g.op("Transpose", x, perm=list(perm))


def split(g: Graph, x: str, sizes, axis: int = -1):
    return g.op("Split", x, g.i64(*sizes), outputs=len(sizes), axis=axis)


def rms_norm(c: Ctx, x: str, name: str, dim: int) -> str:
    """RMSNorm over the last axis: RMSNormalization-23, or HF's Pow/ReduceMean chain."""
    g = c.g
    w = g.param(f"{name}.weight", c.w.norm(f"{name}.weight", dim))
    with g.scope(name):
        if c.fused:
            return g.op("RMSNormalization", x, w, axis=-1, epsilon=c.cfg.eps)
        ms = g.op("ReduceMean", g.op("Pow", x, g.f32(2.0)), g.i64(-1), keepdims=1)
        inv = g.op("Reciprocal", g.op("Sqrt", g.op("Add", ms, g.f32(c.cfg.eps))))
        return g.op("Mul", g.op("Mul", x, inv), w)


def layer_norm(c: Ctx, x: str, name: str, dim: int, axis: int = -1) -> str:
    """LayerNorm over one axis (last, or 1 for channels-first feature maps):
    LayerNormalization, or the ReduceMean/Sub/Pow/Sqrt/Div chain."""
    g = c.g
    w = c.w.norm(f"{name}.weight", dim)
    b = c.w.normal(f"{name}.bias", (dim,), 0.05)
    with g.scope(name):
        if c.fused:
            if axis == -1:
                return g.op("LayerNormalization", x, g.param(f"{name}.weight", w),
                            g.param(f"{name}.bias", b), axis=-1, epsilon=1e-6)
            # timm's LayerNorm2d: to channels-last and back.
            y = transpose(g, x, 0, 2, 3, 1)
            y = g.op("LayerNormalization", y, g.param(f"{name}.weight", w),
                     g.param(f"{name}.bias", b), axis=-1, epsilon=1e-6)
            return transpose(g, y, 0, 3, 1, 2)
        shape = (dim,) if axis == -1 else (dim, 1, 1)
        mean = g.op("ReduceMean", x, g.i64(axis), keepdims=1)
        d = g.op("Sub", x, mean)
        var = g.op("ReduceMean", g.op("Pow", d, g.f32(2.0)), g.i64(axis), keepdims=1)
        y = g.op("Div", d, g.op("Sqrt", g.op("Add", var, g.f32(1e-6))))
        y = g.op("Mul", y, g.param(f"{name}.weight_{axis}", w.reshape(shape)))
        return g.op("Add", y, g.param(f"{name}.bias_{axis}", b.reshape(shape)))


def gelu(c: Ctx, x: str) -> str:
    """Exact GELU: Gelu-20, or x * 0.5 * (1 + erf(x / sqrt 2))."""
    g = c.g
    if c.fused:
        return g.op("Gelu", x)
    e = g.op("Erf", g.op("Div", x, g.f32(np.sqrt(2.0))))
    return g.op("Mul", g.op("Mul", x, g.op("Add", e, g.f32(1.0))), g.f32(0.5))


# -- causal depthwise convolution -------------------------------------------------

def causal_conv(c: Ctx, x: str, name: str, channels: int, k: int, li: int) -> str:
    """SiLU(causal depthwise conv1d(x) + bias) over x [B, L, C], carrying the last
    k - 1 inputs in past_conv.li / present_conv.li ([B, C, k - 1])."""
    g = c.g
    weight = c.w.normal(f"{name}.weight", (channels, 1, k), 1.0 / np.sqrt(k))
    bias = c.w.normal(f"{name}.bias", (channels,), 0.1)
    past = g.input(f"past_conv.{li}", [BATCH, channels, k - 1]) if c.decode else None
    with g.scope(name):
        xt = transpose(g, x, 0, 2, 1)
        if c.fused:
            y, present = g.op("CausalConvWithState", xt, g.param(f"{name}.weight", weight),
                              g.param(f"{name}.bias", bias), past, outputs=2, activation="silu")
        else:
            if c.decode:
                full = g.op("Concat", past, xt, axis=2)
            else:
                full = g.op("Pad", xt, g.i64(0, 0, k - 1, 0, 0, 0), mode="constant")
            y = g.op("Conv", full, g.param(f"{name}.weight", weight), g.param(f"{name}.bias", bias),
                     group=channels, kernel_shape=[k], pads=[0, 0])
            y = silu(g, y)
            present = g.op("Slice", full, g.i64(-(k - 1)), g.i64(np.iinfo(np.int64).max), g.i64(2))
        g.output(present, f"present_conv.{li}", [BATCH, channels, k - 1])
        return transpose(g, y, 0, 2, 1)


def _scan(c: Ctx, name: str, states, scans, step, n_out: int):
    """A Scan over axis 1 of every `scans` input: `step(body, states, slices)` writes
    one step into the body and returns (new states, per-step outputs)."""
    g = c.g
    name = g.root._unique(name)
    body = g.subgraph(f"{name}_body")
    with body.scope(name + "_body"):
        s_in = [body.input(f"{name}_state{i}", None) for i in range(len(states))]
        x_in = [body.input(f"{name}_x{i}", None) for i in range(len(scans))]
        new_states, outs = step(body, s_in, x_in)
        for i, v in enumerate(new_states):
            body.output(v, f"{name}_state{i}_out")
        for i, v in enumerate(outs):
            body.output(v, f"{name}_y{i}")
    return g.op("Scan", *states, *scans, outputs=len(states) + n_out,
                body=body.graph_proto(), num_scan_inputs=len(scans),
                scan_input_axes=[1] * len(scans), scan_output_axes=[1] * n_out)


def _loop(c: Ctx, name: str, states, seqs, consts, step, out_ranks):
    """The same recurrence as a Loop, as torch.onnx's dynamo exporter writes a
    while_loop: trip count = the sequence length, the body one call of a
    model-local function `step` (which sees no outer scope, so the per-step slices
    and the loop-invariant `consts` are its inputs). Scan outputs come back
    [L, B, ...] and are moved to axis 1 (`out_ranks`: each per-step output's rank)."""
    n_out = len(out_ranks)
    g = c.g
    name = g.root._unique(name)
    fn = g.function_body(f"{name}_step")
    with fn.scope(name + "_step"):
        f_states = [fn.input(f"state{i}", None) for i in range(len(states))]
        f_xs = [fn.input(f"x{i}", None) for i in range(len(seqs))]
        f_consts = [fn.input(f"c{i}", None) for i in range(len(consts))]
        new_states, outs = step(fn, f_states, f_xs, f_consts)
        for i, v in enumerate(new_states + outs):
            fn.output(v, f"out{i}")
    domain = "pkg.hybrid.zoo"
    g.add_function(fn, domain, c.opset)
    body = g.subgraph(f"{name}_body")
    with body.scope(name + "_body"):
        it = body.input(f"{name}_i", [], elem=INT64)
        cond = body.input(f"{name}_cond", [], elem=BOOL)
        s_in = [body.input(f"{name}_state{i}", None) for i in range(len(states))]
        xs = [body.op("Gather", x, it, axis=1) for x in seqs]
        res = body.op(fn.name, *s_in, *xs, *consts, outputs=len(states) + n_out, domain=domain)
        res = res if isinstance(res, list) else [res]
        body.output(body.op("Identity", cond), f"{name}_cond_out", elem=BOOL)
        for i, v in enumerate(res):
            body.output(v, f"{name}_out{i}")
    trip = squeeze(g, g.shape_dim(seqs[0], 1), 0)
    res = g.op("Loop", trip, None, *states, outputs=len(states) + n_out, body=body.graph_proto())
    finals, ys = res[:len(states)], res[len(states):]
    ys = [g.op("Transpose", y, perm=[1, 0] + list(range(2, r + 1))) for y, r in zip(ys, out_ranks)]
    return finals + ys


# -- Mamba-1 ----------------------------------------------------------------------

def mamba1(c: Ctx, h: str, li: int) -> str:
    """Jamba's / FalconMamba's Mamba-1 mixer over h [B, L, D]."""
    g, cfg = c.g, c.cfg
    D, N, k, R = cfg.d_model, cfg.m1_state, cfg.m1_conv, cfg.m1_dt_rank
    Di = cfg.m1_expand * D
    p = f"layers.{li}.mamba"
    with g.scope(p):
        x, z = split(g, linear(c, h, f"{p}.in_proj", D, 2 * Di), [Di, Di])
        xc = causal_conv(c, x, f"{p}.conv1d", Di, k, li)
        dt_r, Bm, Cm = split(g, linear(c, xc, f"{p}.x_proj", Di, R + 2 * N), [R, N, N])
        dt = linear(c, dt_r, f"{p}.dt_proj", R, Di)
        a_log = np.log(np.tile(np.arange(1, N + 1, dtype=np.float32), (Di, 1)))
        A = g.op("Neg", g.op("Exp", g.param(f"{p}.A_log", a_log)))
        Dp = g.param(f"{p}.D", c.w.uniform(f"{p}.D", (Di,), 0.5, 1.5))
        dt0 = np.exp(c.w.uniform(f"{p}.dt_init", (Di,), np.log(1e-3), np.log(1e-1)))
        dt_bias = g.param(f"{p}.dt_bias", (dt0 + np.log(-np.expm1(-dt0))).astype(np.float32))
        past = g.input(f"past_ssm.{li}", [BATCH, Di, N]) if c.decode else None
        if c.fused:
            # ai.hybrid SelectiveScan takes mamba_ssm's channels-first layout.
            t = lambda v: transpose(g, v, 0, 2, 1)  # noqa: E731
            y, state = g.op("SelectiveScan", t(xc), t(dt), A, t(Bm), t(Cm), Dp, t(z), dt_bias, past,
                            outputs=2, domain=onnx_ops.DOMAIN, delta_softplus=1)
            y = t(y)
        else:
            delta = g.op("Softplus", g.op("Add", dt, dt_bias))

            def step(b, states, xs):
                (hs,), (u, d, Bt, Ct) = states, xs
                dA = b.op("Exp", b.op("Mul", unsqueeze(b, d, 2), A))
                dBu = b.op("Mul", unsqueeze(b, b.op("Mul", d, u), 2), unsqueeze(b, Bt, 1))
                hn = b.op("Add", b.op("Mul", dA, hs), dBu)
                return [hn], [squeeze(b, b.op("MatMul", hn, unsqueeze(b, Ct, 2)), 2)]

            if c.decode:
                xs = [squeeze(g, v, 1) for v in (xc, delta, Bm, Cm)]
                (state,), (y,) = step(g, [past], xs)
                y = unsqueeze(g, y, 1)
            else:
                h0 = g.op("ConstantOfShape", g.op("Concat", g.shape_dim(h, 0), g.i64(Di, N), axis=0))
                state, y = _scan(c, "ssm", [h0], [xc, delta, Bm, Cm], step, 1)
            y = g.op("Add", y, g.op("Mul", xc, Dp))
            y = g.op("Mul", y, silu(g, z))
        g.output(state, f"present_ssm.{li}", [BATCH, Di, N])
        return linear(c, y, f"{p}.out_proj", Di, D)


# -- Mamba-2 ----------------------------------------------------------------------

def _ssd_chunked(c: Ctx, x4: str, dt: str, A: str, Bm: str, Cm: str):
    """Mamba-2's scan as transformers' Mamba2Mixer.torch_forward computes it, chunk
    by chunk (the state-space-dual algorithm): x [B, L, H, P], dt [B, L, H], A [H],
    B and C [B, L, N] (one group, tiled to the heads); the sequence padded to a
    multiple of the chunk by a Pad computed from L; every contraction a broadcast
    Mul and a ReduceSum. Returns y [B, L, H, P] and the final state [B, H, P, N]."""
    g, cfg = c.g, c.cfg
    H, P, N, cs = cfg.m2_heads, cfg.m2_head_dim, cfg.m2_state, cfg.m2_chunk
    seq = g.shape_dim(x4, 1)
    csz = g.i64(cs)
    pad = g.op("Mod", g.op("Sub", csz, g.op("Mod", seq, csz)), csz)
    pads = {4: g.op("Concat", g.i64(0, 0, 0, 0, 0), pad, g.i64(0, 0), axis=0),
            3: g.op("Concat", g.i64(0, 0, 0, 0), pad, g.i64(0), axis=0)}

    def chunks(t, tail):  # [B, L, ...] -> [B, L / cs, cs, ...]
        return reshape(g, g.op("Pad", t, pads[2 + len(tail)]), 0, -1, cs, *tail)

    def rsum(t, *axes):
        return g.op("ReduceSum", t, g.i64(*axes), keepdims=0)

    def segsum(t, rank, size=None):
        """t[..., j+1] + ... + t[..., i] at [..., i, j] for j <= i, -inf above (t of
        rank `rank`): the masks constants for a known size, else Trilu of ones
        over t's last dim."""
        m = g.shape_dim(t, rank - 1)
        if size is None:
            ones = g.op("ConstantOfShape", g.op("Concat", m, m, axis=0),
                        value=helper.make_tensor("one", TensorProto.BOOL, [1], [True]))
            masks = [g.op("Not", g.op("Trilu", ones, g.i64(k), upper=0)) for k in (-1, 0)]
        else:
            masks = [g.const(~np.tril(np.ones((size, size), dtype=bool), k)) for k in (-1, 0)]
        e = g.op("Expand", unsqueeze(g, t, -1), g.op("Concat", g.op("Shape", t), m, axis=0))
        summed = g.op("CumSum", g.op("Where", masks[0], g.f32(0.0), e), g.i64(-2))
        return g.op("Where", masks[1], g.f32(-np.inf), summed)

    xc = chunks(g.op("Mul", x4, unsqueeze(g, dt, 3)), (H, P))               # [B, c, l, H, P]
    a = transpose(g, chunks(g.op("Mul", A, dt), (H,)), 0, 3, 1, 2)          # [B, H, c, l]
    bc, cc = (chunks(g.op("Tile", unsqueeze(g, t, 2), g.i64(1, 1, H, 1)), (H, N))
              for t in (Bm, Cm))                                            # [B, c, l, H, N]
    acs = g.op("CumSum", a, g.i64(-1))
    # The diagonal blocks: C B^T masked by the decays within the chunk, times x.
    L = g.op("Exp", segsum(a, 4, cs))                                          # [B, H, c, l, s]
    G = rsum(g.op("Mul", unsqueeze(g, cc, 3), unsqueeze(g, bc, 2)), -1)    # [B, c, l, s, H]
    M = rsum(g.op("Mul", unsqueeze(g, G, -1), unsqueeze(g, transpose(g, L, 0, 2, 3, 4, 1), -1)), -1)
    y_diag = rsum(g.op("Mul", unsqueeze(g, M, -1), unsqueeze(g, xc, 2)), 3)  # [B, c, l, H, P]
    # Each chunk's state, then the states between chunks from a zero one.
    last = g.op("Slice", acs, g.i64(-1), g.i64(2 ** 62), g.i64(3))
    decay = transpose(g, g.op("Exp", g.op("Sub", last, acs)), 0, 2, 3, 1)  # [B, c, l, H]
    b_decay = g.op("Mul", bc, unsqueeze(g, decay, -1))
    states = rsum(g.op("Mul", unsqueeze(g, b_decay, -2), unsqueeze(g, xc, -1)), 2)  # [B, c, H, P, N]
    first = g.op("Slice", states, g.i64(0), g.i64(1), g.i64(1))
    states = g.op("Concat", g.op("ConstantOfShape", g.op("Shape", first)), states, axis=1)
    totals = g.op("Pad", g.op("Gather", acs, g.const(np.array(-1, dtype=np.int64)), axis=3),
                  g.i64(0, 0, 1, 0, 0, 0))                                 # [B, H, c + 1]
    between = transpose(g, g.op("Exp", segsum(totals, 3)), 0, 3, 2, 1)       # [B, c', z, H]
    new = rsum(g.op("Mul", unsqueeze(g, between, 4, 5), unsqueeze(g, states, 2)), 1)
    before = g.op("Slice", new, g.i64(0), g.i64(-1), g.i64(1))            # [B, c, H, P, N]
    final = g.op("Gather", new, g.const(np.array(-1, dtype=np.int64)), axis=1)
    # The states' read-out within each chunk.
    out_decay = transpose(g, g.op("Exp", acs), 0, 2, 3, 1)                 # [B, c, l, H]
    y_off = g.op("Mul", rsum(g.op("Mul", unsqueeze(g, cc, -2), unsqueeze(g, before, 2)), -1),
                 unsqueeze(g, out_decay, -1))
    y = reshape(g, g.op("Add", y_diag, y_off), 0, -1, H, P)
    return g.op("Slice", y, g.i64(0), seq, g.i64(1)), final


def mamba2(c: Ctx, h: str, li: int, loop: bool = False) -> str:
    """Nemotron-H's / Bamba's Mamba-2 mixer (one B/C group) over h [B, L, D].

    Fused as mobius writes it: LinearAttention(update_rule="gated", q=C, k=B,
    v=dt*x, decay=dt*A, scale=1); the state is exposed in HF's [B, H, P, N] layout.
    The decomposed prefill is HF's chunked scan, or with `loop` the recurrence
    as a Loop the way torch.onnx's dynamo exporter writes a while_loop (a
    scan-based implementation; Nemotron-H's layers use it, so the zoo holds
    both); the decomposed decode is the step written out.
    """
    g, cfg = c.g, c.cfg
    D, H, P, N, k = cfg.d_model, cfg.m2_heads, cfg.m2_head_dim, cfg.m2_state, cfg.m2_conv
    Di = H * P
    conv_dim = Di + 2 * N
    p = f"layers.{li}.mamba"
    with g.scope(p):
        z, xBC, dt = split(g, linear(c, h, f"{p}.in_proj", D, Di + conv_dim + H), [Di, conv_dim, H])
        xBC = causal_conv(c, xBC, f"{p}.conv1d", conv_dim, k, li)
        x, Bm, Cm = split(g, xBC, [Di, N, N])
        dt0 = np.exp(c.w.uniform(f"{p}.dt_init", (H,), np.log(1e-3), np.log(1e-1)))
        dt_bias = g.param(f"{p}.dt_bias", (dt0 + np.log(-np.expm1(-dt0))).astype(np.float32))
        dt = g.op("Softplus", g.op("Add", dt, dt_bias))                    # [B, L, H]
        a_log = np.log(c.w.uniform(f"{p}.A_init", (H,), 1.0, 16.0))
        A = g.op("Neg", g.op("Exp", g.param(f"{p}.A_log", a_log)))        # [H]
        x4 = reshape(g, x, 0, 0, H, P)                                      # [B, L, H, P]
        past = g.input(f"past_ssm.{li}", [BATCH, H, P, N]) if c.decode else None
        if c.fused:
            q = g.op("Tile", Cm, g.i64(1, 1, H))
            kk = g.op("Tile", Bm, g.i64(1, 1, H))
            v = reshape(g, g.op("Mul", x4, unsqueeze(g, dt, 3)), 0, 0, Di)
            decay = g.op("Mul", dt, A)
            s0 = transpose(g, past, 0, 1, 3, 2) if past else None
            y, s = g.op("LinearAttention", q, kk, v, s0, decay, None, outputs=2,
                        q_num_heads=H, kv_num_heads=H, update_rule="gated", scale=1.0)
            state = transpose(g, s, 0, 1, 3, 2)
            y = reshape(g, y, 0, 0, H, P)
        else:
            def step(b, states, xs, consts=(A,)):
                (hs,), (xt, dtt, Bt, Ct), (Av,) = states, xs, consts      # [B,H,P], [B,H], [B,N]
                dA = unsqueeze(b, b.op("Exp", b.op("Mul", dtt, Av)), 2, 3)
                dBx = b.op("Mul", unsqueeze(b, b.op("Mul", xt, unsqueeze(b, dtt, 2)), 3),
                           unsqueeze(b, Bt, 1, 2))
                hn = b.op("Add", b.op("Mul", dA, hs), dBx)
                return [hn], [squeeze(b, b.op("MatMul", hn, unsqueeze(b, Ct, 1, 3)), 3)]

            if c.decode:
                xs = [squeeze(g, v, 1) for v in (x4, dt, Bm, Cm)]
                (state,), (y,) = step(g, [past], xs)
                y = unsqueeze(g, y, 1)
            elif loop:
                h0 = g.op("ConstantOfShape", g.op("Concat", g.shape_dim(h, 0), g.i64(H, P, N), axis=0))
                state, y = _loop(c, "ssd", [h0], [x4, dt, Bm, Cm], [A], step, [3])
            else:
                # The chunked scan of HF's torch_forward (what both torch.onnx
                # exporters write for its Mamba-2, Bamba and Nemotron-H).
                y, state = _ssd_chunked(c, x4, dt, A, Bm, Cm)
        Dp = g.param(f"{p}.D", c.w.uniform(f"{p}.D", (H, 1), 0.5, 1.5))
        y = reshape(g, g.op("Add", y, g.op("Mul", x4, Dp)), 0, 0, Di)
        # Mamba-2's gated norm multiplies by SiLU(z) before normalizing.
        y = rms_norm(c, g.op("Mul", y, silu(g, z)), f"{p}.norm", Di)
        g.output(state, f"present_ssm.{li}", [BATCH, H, P, N])
        return linear(c, y, f"{p}.out_proj", Di, D)


# -- Gated DeltaNet -----------------------------------------------------------------

def gated_deltanet(c: Ctx, h: str, li: int) -> str:
    """Qwen3.5's Gated DeltaNet mixer over h [B, L, D]: conv over q|k|v, L2-normed
    q and k, gated delta rule, and a gated RMSNorm (normalize, then SiLU(z) gate)."""
    g, cfg = c.g, c.cfg
    D, H, dk, dv, k = cfg.d_model, cfg.gdn_heads, cfg.gdn_key_dim, cfg.gdn_value_dim, cfg.gdn_conv
    kd, vd = H * dk, H * dv
    p = f"layers.{li}.linear_attn"
    with g.scope(p):
        qkv = causal_conv(c, linear(c, h, f"{p}.in_proj_qkv", D, 2 * kd + vd), f"{p}.conv1d",
                          2 * kd + vd, k, li)
        z = linear(c, h, f"{p}.in_proj_z", D, vd)
        beta = g.op("Sigmoid", linear(c, h, f"{p}.in_proj_b", D, H))
        a = linear(c, h, f"{p}.in_proj_a", D, H)
        a_log = np.log(c.w.uniform(f"{p}.A_init", (H,), 1.0, 16.0))
        dt_bias = g.param(f"{p}.dt_bias", c.w.uniform(f"{p}.dt_bias", (H,), -1.0, 1.0))
        gate = g.op("Mul", g.op("Neg", g.op("Exp", g.param(f"{p}.A_log", a_log))),
                    g.op("Softplus", g.op("Add", a, dt_bias)))               # [B, L, H]
        q, kk, v = split(g, qkv, [kd, kd, vd])

        def l2(v4):
            if c.fused:
                return g.op("LpNormalization", v4, axis=-1, p=2)
            return g.op("Div", v4, g.op("Sqrt", g.op("ReduceSum", g.op("Mul", v4, v4), g.i64(-1),
                                                     keepdims=1)))

        q4, k4 = l2(reshape(g, q, 0, 0, H, dk)), l2(reshape(g, kk, 0, 0, H, dk))
        v4 = reshape(g, v, 0, 0, H, dv)
        scale = 1.0 / np.sqrt(dk)
        past = g.input(f"past_recurrent.{li}", [BATCH, H, dk, dv]) if c.decode else None
        if c.fused:
            o, state = g.op("LinearAttention", reshape(g, q4, 0, 0, kd), reshape(g, k4, 0, 0, kd), v,
                            past, gate, beta, outputs=2, q_num_heads=H, kv_num_heads=H,
                            update_rule="gated_delta", scale=float(scale))
            o4 = reshape(g, o, 0, 0, H, dv)
            nw = g.param(f"{p}.norm.weight", c.w.norm(f"{p}.norm.weight", dv))
            o4 = g.op("GatedRMSNorm", o4, nw, reshape(g, z, 0, 0, H, dv), domain="com.microsoft",
                      epsilon=cfg.eps)
        else:
            def step(b, states, xs):
                (S,), (qt, kt, vt, gt, bt) = states, xs           # [B,H,dk] x2, [B,H,dv], [B,H] x2
                S1 = b.op("Mul", S, unsqueeze(b, b.op("Exp", gt), 2, 3))
                mem = squeeze(b, b.op("MatMul", unsqueeze(b, kt, 2), S1), 2)          # [B,H,dv]
                delta = b.op("Mul", b.op("Sub", vt, mem), unsqueeze(b, bt, 2))
                Sn = b.op("Add", S1, b.op("MatMul", unsqueeze(b, kt, 3), unsqueeze(b, delta, 2)))
                qs = unsqueeze(b, b.op("Mul", qt, b.f32(scale)), 2)
                return [Sn], [squeeze(b, b.op("MatMul", qs, Sn), 2)]

            if c.decode:
                xs = [squeeze(g, t, 1) for t in (q4, k4, v4, gate, beta)]
                (state,), (o4,) = step(g, [past], xs)
                o4 = unsqueeze(g, o4, 1)
            else:
                s0 = g.op("ConstantOfShape", g.op("Concat", g.shape_dim(h, 0), g.i64(H, dk, dv), axis=0))
                state, o4 = _scan(c, "delta", [s0], [q4, k4, v4, gate, beta], step, 1)
            o4 = rms_norm(c, o4, f"{p}.norm", dv)
            o4 = g.op("Mul", o4, silu(g, reshape(g, z, 0, 0, H, dv)))
        g.output(state, f"present_recurrent.{li}", [BATCH, H, dk, dv])
        return linear(c, reshape(g, o4, 0, 0, vd), f"{p}.out_proj", vd, D)


# -- attention ---------------------------------------------------------------------

def _rope_tables(cfg: Config):
    inv = 1.0 / cfg.rope_theta ** (np.arange(0, cfg.head_dim, 2, dtype=np.float64) / cfg.head_dim)
    f = np.outer(np.arange(cfg.max_positions, dtype=np.float64), inv)
    return np.cos(f).astype(np.float32), np.sin(f).astype(np.float32)


def attention(c: Ctx, h: str, li: int, causal: bool = True) -> str:
    """GQA self-attention with RoPE over h [B, S, D], with a KV cache."""
    g, cfg = c.g, c.cfg
    D, Hq, Hkv, Dh = cfg.d_model, cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
    p = f"layers.{li}.self_attn"
    cos, sin = _rope_tables(cfg)
    with g.scope(p):
        def heads(v, n):
            return transpose(g, reshape(g, v, 0, 0, n, Dh), 0, 2, 1, 3)       # [B, n, S, Dh]

        q = heads(linear(c, h, f"{p}.q_proj", D, Hq * Dh), Hq)
        k = heads(linear(c, h, f"{p}.k_proj", D, Hkv * Dh), Hkv)
        v = heads(linear(c, h, f"{p}.v_proj", D, Hkv * Dh), Hkv)
        cache = [BATCH, Hkv, PAST, Dh]
        past_k = g.input(f"past_key_values.{li}.key", cache) if c.decode else None
        past_v = g.input(f"past_key_values.{li}.value", cache) if c.decode else None
        # Positions past_len .. past_len + S - 1.
        S = squeeze(g, g.shape_dim(h, 1), 0)
        start = squeeze(g, g.shape_dim(past_k, 2), 0) if c.decode else g.const(np.int64(0))
        pos = g.op("Range", start, g.op("Add", start, S), g.const(np.int64(1)))
        cos_c, sin_c = g.param("rope.cos_cache", cos), g.param("rope.sin_cache", sin)
        if c.fused:
            ids = g.op("Expand", unsqueeze(g, pos, 0),
                       g.op("Concat", g.shape_dim(h, 0), g.shape_dim(h, 1), axis=0))
            q = g.op("RotaryEmbedding", q, cos_c, sin_c, ids)
            k = g.op("RotaryEmbedding", k, cos_c, sin_c, ids)
        else:
            half = Dh // 2
            cs = [unsqueeze(g, g.op("Concat", t, t, axis=-1), 0, 1)
                  for t in (g.op("Gather", cos_c, pos), g.op("Gather", sin_c, pos))]

            def rope(t):
                x1 = g.op("Slice", t, g.i64(0), g.i64(half), g.i64(3))
                x2 = g.op("Slice", t, g.i64(half), g.i64(Dh), g.i64(3))
                rot = g.op("Concat", g.op("Neg", x2), x1, axis=3)
                return g.op("Add", g.op("Mul", t, cs[0]), g.op("Mul", rot, cs[1]))

            q, k = rope(q), rope(k)
        scale = 1.0 / np.sqrt(Dh)
        if c.fused:
            if c.decode:
                y, pk, pv = g.op("Attention", q, k, v, None, past_k, past_v, outputs=3,
                                 scale=float(scale))
            else:
                y = g.op("Attention", q, k, v, is_causal=int(causal), scale=float(scale))
                pk, pv = k, v
        else:
            pk = g.op("Concat", past_k, k, axis=2) if c.decode else k
            pv = g.op("Concat", past_v, v, axis=2) if c.decode else v
            rep = Hq // Hkv

            def repeat_kv(t):
                if rep == 1:
                    return t
                t = g.op("Expand", unsqueeze(g, t, 2), g.i64(1, 1, rep, 1, 1))
                return reshape(g, t, 0, Hq, -1, Dh)

            scores = g.op("Mul", g.op("MatMul", q, transpose(g, repeat_kv(pk), 0, 1, 3, 2)),
                          g.f32(scale))
            if causal and not c.decode:
                n = g.shape_dim(h, 1)
                ones = g.op("ConstantOfShape", g.op("Concat", n, n, axis=0),
                            value=helper.make_tensor("", FLOAT, [1], [1.0]))
                tri = g.op("Trilu", ones, upper=0)
                mask = g.op("Where", g.op("Equal", tri, g.f32(0.0)),
                            g.f32(np.finfo(np.float32).min), g.f32(0.0))
                scores = g.op("Add", scores, mask)
            y = g.op("MatMul", g.op("Softmax", scores, axis=-1), repeat_kv(pv))
        g.output(pk, f"present.{li}.key", [BATCH, Hkv, None, Dh])
        g.output(pv, f"present.{li}.value", [BATCH, Hkv, None, Dh])
        y = reshape(g, transpose(g, y, 0, 2, 1, 3), 0, 0, Hq * Dh)
        return linear(c, y, f"{p}.o_proj", Hq * Dh, D)


# -- feed-forward layers --------------------------------------------------------------

def swiglu_mlp(c: Ctx, h: str, name: str, inter: int) -> str:
    g, D = c.g, c.cfg.d_model
    with g.scope(name):
        gate = silu(g, linear(c, h, f"{name}.gate_proj", D, inter))
        return linear(c, g.op("Mul", gate, linear(c, h, f"{name}.up_proj", D, inter)),
                      f"{name}.down_proj", inter, D)


def _moe_loop(c: Ctx, p: str, x2: str, topv: str, topi: str, wg, wu, wd) -> str:
    """The experts of moe(loop=True): y [T, D] from x2 [T, D] and the top-k
    values and indices [T, k]."""
    g, E = c.g, c.cfg.n_experts
    hot = g.op("Cast", g.op("Equal", unsqueeze(g, topi, -1), g.const(np.arange(E, dtype=np.int64))),
               to=7)
    mask = transpose(g, hot, 2, 1, 0)                                        # [E, k, T]
    values = unsqueeze(g, topv, -1)                                          # [T, k, 1]
    y = g.op("Expand", g.f32(0.0), g.op("Shape", x2))
    for e in range(E):
        with g.scope(f"experts.{e}"):
            pairs = transpose(g, g.op("NonZero", g.op("Gather", mask, g.const(np.int64(e)), axis=0)), 1, 0)
            slot = squeeze(g, g.op("Slice", pairs, g.i64(0), g.i64(1), g.i64(1)), 1)
            tok = unsqueeze(g, squeeze(g, g.op("Slice", pairs, g.i64(1), g.i64(2), g.i64(1)), 1), -1)
            xe = g.op("GatherND", x2, tok)                                   # [n, D]
            gate = silu(g, g.op("MatMul", xe, g.param(f"{p}.experts.{e}.gate", wg[e])))
            up = g.op("MatMul", xe, g.param(f"{p}.experts.{e}.up", wu[e]))
            out = g.op("MatMul", g.op("Mul", gate, up), g.param(f"{p}.experts.{e}.down", wd[e]))
            w = g.op("GatherND", values, g.op("Concat", tok, unsqueeze(g, slot, -1), axis=-1))
            y = g.op("ScatterND", y, tok, g.op("Mul", out, w), reduction="add")
    return y


def relu2_mlp(c: Ctx, h: str, name: str, inter: int) -> str:
    """Nemotron-H's MLP: down(relu(up(x))^2)."""
    g, D = c.g, c.cfg.d_model
    with g.scope(name):
        r = g.op("Relu", linear(c, h, f"{name}.up_proj", D, inter))
        return linear(c, g.op("Mul", r, r), f"{name}.down_proj", inter, D)


def moe(c: Ctx, h: str, li: int, loop: bool = False) -> str:
    """A top-k SwiGLU mixture of experts over h [B, S, D]: softmax routing, top-k,
    renormalized weights (Qwen3-MoE / Mixtral).

    Fused: com.microsoft MoE (fc1 rows interleaving gate and up, swiglu_fusion=1).
    Decomposed: mobius's dense fallback, every expert on every token, masked by
    Equal(selected, e) and summed; with `loop`, HF's eager loop over the experts
    as torch.onnx's dynamo exporter writes it when every expert is visited (each
    expert on the tokens NonZero of its one-hot slice selects, gathered with
    GatherND, weighted by GatherND of the top-k values, added back by
    ScatterND(reduction="add") into zeros)."""
    g, cfg = c.g, c.cfg
    D, E, K, I = cfg.d_model, cfg.n_experts, cfg.top_k, cfg.moe_inter
    p = f"layers.{li}.moe"
    wg = c.w.normal(f"{p}.experts.gate", (E, D, I), 1.0 / np.sqrt(D))
    wu = c.w.normal(f"{p}.experts.up", (E, D, I), 1.0 / np.sqrt(D))
    wd = c.w.normal(f"{p}.experts.down", (E, I, D), 1.0 / np.sqrt(I))
    with g.scope(p):
        x2 = reshape(g, h, -1, D)                                            # [T, D]
        logits = linear(c, x2, f"{p}.router", D, E)                          # [T, E]
        if c.fused:
            # fc1 rows interleave gate and up (swiglu_fusion=1, what onnxruntime's
            # CPU MoE takes), in ORT's [out, in] layout.
            fc1 = np.stack([wg.transpose(0, 2, 1), wu.transpose(0, 2, 1)], axis=2).reshape(E, 2 * I, D)
            y = g.op("MoE", x2, logits, g.param(f"{p}.fc1", fc1), None,
                     g.param(f"{p}.fc2", np.ascontiguousarray(wd.transpose(0, 2, 1))),
                     domain="com.microsoft", k=K, activation_type="swiglu", swiglu_fusion=1,
                     normalize_routing_weights=1, activation_alpha=1.0, activation_beta=0.0)
        else:
            probs = g.op("Softmax", logits, axis=-1)
            topv, topi = g.op("TopK", probs, g.i64(K), outputs=2, axis=-1)
            topv = g.op("Div", topv, g.op("ReduceSum", topv, g.i64(-1), keepdims=1))
            if loop:
                return g.op("Reshape", _moe_loop(c, p, x2, topv, topi, wg, wu, wd), g.op("Shape", h))
            y = None
            for e in range(E):
                with g.scope(f"experts.{e}"):
                    hit = g.op("Cast", g.op("Equal", topi, g.const(np.int64(e))), to=1)
                    we = g.op("ReduceSum", g.op("Mul", hit, topv), g.i64(-1), keepdims=1)  # [T, 1]
                    gate = silu(g, g.op("MatMul", x2, g.param(f"{p}.experts.{e}.gate", wg[e])))
                    up = g.op("MatMul", x2, g.param(f"{p}.experts.{e}.up", wu[e]))
                    out = g.op("MatMul", g.op("Mul", gate, up), g.param(f"{p}.experts.{e}.down", wd[e]))
                    out = g.op("Mul", out, we)
                    y = out if y is None else g.op("Add", y, out)
        return g.op("Reshape", y, g.op("Shape", h))
