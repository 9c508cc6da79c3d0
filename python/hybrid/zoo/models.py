"""The zoo's models: single blocks, hybrid language-model stacks and image models.

Every sequence model comes in four variants, {fused, decomposed} x {prefill,
decode}; image models in two, {fused, decomposed}. See layers.py for what the
forms mean.
"""
from typing import Callable, Dict, List, Tuple

import numpy as np
import onnx

from . import layers as L
from .graph import INT64, Graph, Weights
from .layers import BATCH, DECOMPOSED_OPSET, FUSED, FUSED_OPSET, Config, Ctx

MIXERS = {
    "mamba1": L.mamba1,
    "mamba2": L.mamba2,
    # Mamba-2 whose decomposed prefill is a dynamo while_loop (Nemotron-H's).
    "mamba2_loop": lambda c, h, li: L.mamba2(c, h, li, loop=True),
    "gdn": L.gated_deltanet,
    "attention": L.attention,
}


def _finish(g: Graph, form: str) -> onnx.ModelProto:
    # Real exports list the main output (logits) before the present_* states.
    g.outputs.sort(key=lambda o: o.name.startswith("present"))
    return g.model(FUSED_OPSET if form == FUSED else DECOMPOSED_OPSET)


def _ffn(c: Ctx, kind: str, h: str, li: int, moe_loop: bool = False) -> str:
    if kind == "mlp":
        return L.swiglu_mlp(c, h, f"layers.{li}.mlp", c.cfg.mlp_inter)
    if kind == "relu2":
        return L.relu2_mlp(c, h, f"layers.{li}.mlp", c.cfg.mlp_inter)
    if kind == "moe":
        return L.moe(c, h, li, loop=moe_loop)
    raise ValueError(kind)


def block(kind: str) -> Callable:
    """A pre-norm residual block, x + layer(RMSNorm(x)), over hidden_states [B, S, D]."""
    def build(cfg: Config, form: str, phase: str, seed: int) -> onnx.ModelProto:
        g = Graph(f"{kind}_block", Weights(seed))
        c = Ctx(g, cfg, form, phase)
        x = g.input("hidden_states", [BATCH, c.seq(), cfg.d_model])
        with g.scope("layers.0"):
            h = L.rms_norm(c, x, "layers.0.input_layernorm", cfg.d_model)
            y = MIXERS[kind](c, h, 0) if kind in MIXERS else _ffn(c, kind, h, 0)
            g.output(g.op("Add", x, y), "output", [BATCH, c.seq(), cfg.d_model])
        return _finish(g, form)
    return build


def _language_model(name: str, layers: List[Tuple[str, str]], moe_loop: bool = False) -> Callable:
    """input_ids -> embedding -> layers -> RMSNorm -> lm_head logits. Each layer is
    (mixer, ffn); either may be None (Nemotron-H's layers hold one of the two).
    `moe_loop`: the decomposed MoE layers are the per-expert loop (L.moe)."""
    def build(cfg: Config, form: str, phase: str, seed: int) -> onnx.ModelProto:
        g = Graph(name, Weights(seed))
        c = Ctx(g, cfg, form, phase)
        D, V = cfg.d_model, cfg.vocab
        ids = g.input("input_ids", [BATCH, c.seq()], INT64)
        x = g.op("Gather", g.param("embed_tokens.weight", c.w.normal("embed_tokens.weight", (V, D), 1.0)),
                 ids)
        for li, (mixer, ffn) in enumerate(layers):
            with g.scope(f"layers.{li}"):
                if mixer:
                    h = L.rms_norm(c, x, f"layers.{li}.input_layernorm", D)
                    x = g.op("Add", x, MIXERS[mixer](c, h, li))
                if ffn:
                    h = L.rms_norm(c, x, f"layers.{li}.post_mixer_layernorm", D)
                    x = g.op("Add", x, _ffn(c, ffn, h, li, moe_loop))
        x = L.rms_norm(c, x, "norm", D)
        g.output(L.linear(c, x, "lm_head", D, V), "logits", [BATCH, c.seq(), V])
        return _finish(g, form)
    return build


# Jamba: Mamba-1 everywhere but one attention layer in four; MoE every other layer.
JAMBA_LAYERS = [("mamba1", "mlp"), ("mamba1", "moe"), ("attention", "mlp"), ("mamba1", "moe")]

# Nemotron-H's hybrid_override_pattern, one mixer or FFN per layer:
# M = Mamba-2, * = attention, - = ReLU^2 MLP, E = MoE (Nemotron 3).
NEMOTRON_PATTERN = "M-M*-E"


def _nemotron_layers(pattern: str):
    table = {"M": ("mamba2_loop", None), "*": ("attention", None), "-": (None, "relu2"), "E": (None, "moe")}
    return [table[ch] for ch in pattern]


# -- image models ----------------------------------------------------------------------

def _conv(c: Ctx, x: str, name: str, cin: int, cout: int, k: int, stride: int = 1,
          pad: int = 0, group: int = 1) -> str:
    g = c.g
    w = c.w.normal(f"{name}.weight", (cout, cin // group, k, k), 1.0 / np.sqrt(cin // group * k * k))
    b = c.w.normal(f"{name}.bias", (cout,), 0.05)
    return g.op("Conv", x, g.param(f"{name}.weight", w), g.param(f"{name}.bias", b),
                kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4, group=group)


def _batch_norm(c: Ctx, x: str, name: str, ch: int) -> str:
    g, w = c.g, c.w
    return g.op("BatchNormalization", x,
                g.param(f"{name}.weight", w.norm(f"{name}.weight", ch)),
                g.param(f"{name}.bias", w.normal(f"{name}.bias", (ch,), 0.05)),
                g.param(f"{name}.running_mean", w.normal(f"{name}.running_mean", (ch,), 0.1)),
                g.param(f"{name}.running_var", w.uniform(f"{name}.running_var", (ch,), 0.5, 1.5)),
                epsilon=1e-5)


def _linear_b(c: Ctx, x: str, name: str, din: int, dout: int) -> str:
    return L.linear(c, x, name, din, dout, bias=True)


def convnext(cfg: Config, form: str, phase: str, seed: int) -> onnx.ModelProto:
    """A two-stage ConvNeXt: patchify stem, blocks of depthwise 7x7 conv, LayerNorm,
    GELU MLP and layer scale, a downsampling layer, pooled head."""
    g = Graph("convnext", Weights(seed))
    c = Ctx(g, cfg, form, phase)
    x = g.input("pixel_values", [BATCH, 3, cfg.image_size, cfg.image_size])
    dims = [32, 64]
    with g.scope("stem"):
        x = L.layer_norm(c, _conv(c, x, "stem.conv", 3, dims[0], 4, stride=4), "stem.norm", dims[0], axis=1)
    for si, C in enumerate(dims):
        if si:
            with g.scope(f"stages.{si}.downsample"):
                x = L.layer_norm(c, x, f"stages.{si}.downsample.norm", dims[si - 1], axis=1)
                x = _conv(c, x, f"stages.{si}.downsample.conv", dims[si - 1], C, 2, stride=2)
        for bi in range(2):
            p = f"stages.{si}.blocks.{bi}"
            with g.scope(p):
                y = _conv(c, x, f"{p}.dwconv", C, C, 7, pad=3, group=C)
                y = L.layer_norm(c, L.transpose(g, y, 0, 2, 3, 1), f"{p}.norm", C)
                y = _linear_b(c, L.gelu(c, _linear_b(c, y, f"{p}.pwconv1", C, 4 * C)), f"{p}.pwconv2", 4 * C, C)
                y = g.op("Mul", y, g.param(f"{p}.gamma", c.w.uniform(f"{p}.gamma", (C,), 0.1, 0.5)))
                x = g.op("Add", x, L.transpose(g, y, 0, 3, 1, 2))
    with g.scope("head"):
        x = g.op("Flatten", g.op("GlobalAveragePool", x), axis=1)
        x = _linear_b(c, L.layer_norm(c, x, "head.norm", dims[-1]), "head.fc", dims[-1], cfg.num_classes)
    g.output(x, "logits", [BATCH, cfg.num_classes])
    return _finish(g, form)


def _relative_index(h: int, w: int) -> np.ndarray:
    """Swin/CoAtNet's relative position index: [h*w, h*w] into a (2h-1)(2w-1) table."""
    ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    coords = np.stack([ys.ravel(), xs.ravel()])                       # [2, hw]
    rel = coords[:, :, None] - coords[:, None, :]
    return ((rel[0] + h - 1) * (2 * w - 1) + rel[1] + w - 1).astype(np.int64)


def coatnet(cfg: Config, form: str, phase: str, seed: int) -> onnx.ModelProto:
    """A CoAtNet: conv stem, an MBConv stage (expand, depthwise conv, squeeze-excite,
    project), then transformer blocks whose attention adds a relative-position bias
    gathered from a learned table, pooled head."""
    g = Graph("coatnet", Weights(seed))
    c = Ctx(g, cfg, form, phase)
    x = g.input("pixel_values", [BATCH, 3, cfg.image_size, cfg.image_size])
    C0, C1, heads = 32, 48, 4
    with g.scope("stem"):
        x = L.gelu(c, _batch_norm(c, _conv(c, x, "stem.conv", 3, C0, 3, stride=2, pad=1), "stem.bn", C0))
    p = "stages.0.mbconv"
    with g.scope(p):
        E = 4 * C0
        y = L.gelu(c, _batch_norm(c, _conv(c, x, f"{p}.expand", C0, E, 1), f"{p}.bn1", E))
        y = L.gelu(c, _batch_norm(c, _conv(c, y, f"{p}.dw", E, E, 3, stride=2, pad=1, group=E), f"{p}.bn2", E))
        se = g.op("GlobalAveragePool", y)
        se = L.silu(g, _conv(c, se, f"{p}.se.reduce", E, E // 16, 1))
        y = g.op("Mul", y, g.op("Sigmoid", _conv(c, se, f"{p}.se.expand", E // 16, E, 1)))
        y = _batch_norm(c, _conv(c, y, f"{p}.project", E, C1, 1), f"{p}.bn3", C1)
        short = _conv(c, g.op("AveragePool", x, kernel_shape=[2, 2], strides=[2, 2]), f"{p}.shortcut", C0, C1, 1)
        x = g.op("Add", y, short)
    side = cfg.image_size // 4
    x = L.transpose(g, L.reshape(g, x, 0, C1, -1), 0, 2, 1)               # [B, S, C1] tokens
    table_index = g.const(_relative_index(side, side))
    Dh = C1 // heads
    for bi in range(2):
        p = f"stages.1.blocks.{bi}"
        with g.scope(p):
            h = L.layer_norm(c, x, f"{p}.norm1", C1)
            q, k, v = L.split(g, _linear_b(c, h, f"{p}.attn.qkv", C1, 3 * C1), [C1, C1, C1])
            table = g.param(f"{p}.attn.rel_table",
                            c.w.normal(f"{p}.attn.rel_table", ((2 * side - 1) ** 2, heads), 0.5))
            bias = L.unsqueeze(g, L.transpose(g, g.op("Gather", table, table_index), 2, 0, 1), 0)  # [1,h,S,S]
            scale = 1.0 / np.sqrt(Dh)
            if c.fused:
                a = g.op("Attention", q, k, v, bias, q_num_heads=heads, kv_num_heads=heads, scale=float(scale))
            else:
                def hd(t):
                    return L.transpose(g, L.reshape(g, t, 0, 0, heads, Dh), 0, 2, 1, 3)
                s = g.op("Mul", g.op("MatMul", hd(q), L.transpose(g, hd(k), 0, 1, 3, 2)), g.f32(scale))
                a = g.op("MatMul", g.op("Softmax", g.op("Add", s, bias), axis=-1), hd(v))
                a = L.reshape(g, L.transpose(g, a, 0, 2, 1, 3), 0, 0, C1)
            x = g.op("Add", x, _linear_b(c, a, f"{p}.attn.proj", C1, C1))
            h = L.layer_norm(c, x, f"{p}.norm2", C1)
            h = _linear_b(c, L.gelu(c, _linear_b(c, h, f"{p}.mlp.fc1", C1, 4 * C1)), f"{p}.mlp.fc2", 4 * C1, C1)
            x = g.op("Add", x, h)
    with g.scope("head"):
        x = L.layer_norm(c, g.op("ReduceMean", x, g.i64(1), keepdims=0), "head.norm", C1)
        x = _linear_b(c, x, "head.fc", C1, cfg.num_classes)
    g.output(x, "logits", [BATCH, cfg.num_classes])
    return _finish(g, form)


# -- the registry ------------------------------------------------------------------------

# arch -> (builder, description, sequence model?)
ARCHS: Dict[str, Tuple[Callable, str, bool]] = {
    "mamba1": (block("mamba1"), "Mamba-1 block (selective scan, causal conv)", True),
    "mamba2": (block("mamba2"), "Mamba-2 block (SSD recurrence, gated RMSNorm)", True),
    "gdn": (block("gdn"), "Gated DeltaNet block (Qwen3.5 linear attention)", True),
    "attention": (block("attention"), "attention block (RMSNorm, GQA, RoPE, KV cache)", True),
    "moe": (block("moe"), "MoE block (8 SwiGLU experts, top-2)", True),
    "jamba": (_language_model("jamba", JAMBA_LAYERS, moe_loop=True),
              "Jamba-style LM: Mamba-1, attention, MLP and MoE layers (decomposed: the "
              "per-expert loop)", True),
    "nemotron_h": (_language_model("nemotron_h", _nemotron_layers(NEMOTRON_PATTERN)),
                   f"Nemotron-H-style LM, pattern {NEMOTRON_PATTERN}", True),
    "convnext": (convnext, "ConvNeXt-style image classifier", False),
    "coatnet": (coatnet, "CoAtNet-style image classifier (MBConv + relative attention)", False),
}


def variants(arch: str) -> List[Tuple[str, str]]:
    seq = ARCHS[arch][2]
    return [(f, p) for f in (L.FUSED, L.DECOMPOSED) for p in ((L.PREFILL, L.DECODE) if seq else (L.PREFILL,))]


def model_name(arch: str, form: str, phase: str) -> str:
    return f"{arch}-{form}-{phase}" if ARCHS[arch][2] else f"{arch}-{form}"


def build(arch: str, form: str, phase: str = L.PREFILL, cfg: Config = None, seed: int = 0) -> onnx.ModelProto:
    """Builds one zoo model. The same (arch, phase, seed) gives the same weights in
    both forms."""
    fn = ARCHS[arch][0]
    m = fn(cfg or Config(), form, phase, seed)
    m.doc_string = f"Hybrid zoo: {ARCHS[arch][1]}; {form} form" + (f", {phase}" if ARCHS[arch][2] else "")
    return m


def all_models() -> List[Tuple[str, str, str, str]]:
    """(name, arch, form, phase) for every zoo model."""
    return [(model_name(a, f, p), a, f, p) for a in ARCHS for f, p in variants(a)]


def make_inputs(model: onnx.ModelProto, rng: np.random.Generator, dims: Dict[str, int] = None,
                cfg: Config = None) -> Dict[str, np.ndarray]:
    """Fresh random inputs: token ids below the vocabulary size, floats in [-1, 1).
    `dims` sizes the symbolic dims (default batch 2, seq 7, past_seq 5)."""
    cfg = cfg or Config()
    dims = {"batch": 2, "seq": 7, "past_seq": 5, **(dims or {})}
    feeds = {}
    for vi in model.graph.input:
        shape = [d.dim_value if d.HasField("dim_value") else dims[d.dim_param]
                 for d in vi.type.tensor_type.shape.dim]
        if vi.type.tensor_type.elem_type == INT64:
            feeds[vi.name] = rng.integers(0, cfg.vocab, size=shape).astype(np.int64)
        else:
            feeds[vi.name] = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
    return feeds
