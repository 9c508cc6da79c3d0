#!/usr/bin/env python3
"""Checks the hybrid dialect's reference lowering against the NumPy references.

    python3 test_reference.py --hybrid-opt build/bin/hybrid-opt [-k substring] [-v]

All selected cases are compiled into one module (hybrid-opt
--hybrid-reference-pipeline, mlir-translate, llc, cc) and run through ctypes.  The
last line printed is `N passed, M failed`; the exit status is non-zero on any
failure.  See harness.py for the calling convention and hybrid_ref.py for the
references.
"""

import argparse
import math
import os
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import hybrid_ref as R  # noqa: E402
from hybrid_ref import f32  # noqa: E402

TOL = {"f32": 1e-5, "f64": 1e-10, "f16": 1e-2, "bf16": 3e-2}


# ----------------------------------------------------------------------------
# Case machinery
# ----------------------------------------------------------------------------

def fmt_attr(name, val):
    if val is True:
        return name
    if isinstance(val, (int, np.integer)) and not isinstance(val, bool):
        return f"{name} = {int(val)} : i64"
    if isinstance(val, float):
        return f"{name} = {val:.9e} : f32"
    raise TypeError((name, val))


def fmt_attrs(attrs):
    items = [fmt_attr(k, v) for k, v in attrs.items() if v is not None and v is not False]
    return "{" + ", ".join(items) + "}" if items else ""


def compare(got, ref, etype):
    """None when `got` (storage) matches `ref`, else a message."""
    if etype in H.FLOAT_TYPES:
        g = H.to_f64(got, etype)
        ref = np.asarray(ref, dtype=np.float64)
    else:
        g = np.asarray(got).astype(np.int64)
        ref = np.asarray(ref).astype(np.int64)
    if g.shape != ref.shape:
        return f"shape {g.shape}, expected {ref.shape}"
    if g.size == 0:
        return None
    if etype not in H.FLOAT_TYPES:
        bad = g != ref
        if not bad.any():
            return None
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return (f"{int(bad.sum())}/{bad.size} elements differ; first at {idx}: "
                f"got {g[idx]}, expected {ref[idx]}")
    tol = TOL[etype]
    atol = tol * max(1.0, float(np.max(np.abs(ref))))
    err = np.abs(g - ref)
    bad = ~(err <= atol + tol * np.abs(ref))        # NaN counts as bad
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return (f"{int(bad.sum())}/{bad.size} elements off (tol {tol:g}, atol {atol:.3g}); "
            f"max |err| {np.nanmax(np.where(np.isnan(err), np.inf, err)):.3g}; "
            f"first at {idx}: got {g[idx]!r}, expected {ref[idx]!r}")


class Case:
    """One test: one or more functions plus a check.

    Single-op cases: add inputs with `input`, outputs with `output`, then `op`.
    """

    def __init__(self, name, dtype="f32", dyn=""):
        self.name = name
        self.dtype = dtype
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))
        self.dyn = set(dyn.replace(",", " ").split())
        self.inputs, self.slot = [], {}
        self.outputs, self.refs = [], []
        # Why the op cannot be tiled along its third domain dim, if it cannot
        # (--tile-sizes then leaves the case out and says so).
        self.untileable_dim2 = None
        # Why the case cannot be tiled at all, if it cannot.
        self.untileable = None
        self.funcs = []
        self.check = self._check_single

    # -- data ---------------------------------------------------------------
    def normal(self, *shape, scale=1.0):
        return self.rng.standard_normal(shape) * scale

    def _dyn_axes(self, labels):
        return tuple(i for i, l in enumerate(labels) if isinstance(l, str) and l in self.dyn)

    def input(self, name, labels, values, etype=None):
        """Add input `name`; returns the values the kernel sees (f64 or ints)."""
        et = etype or self.dtype
        values = np.asarray(values)
        assert values.ndim == len(labels), (name, values.shape, labels)
        st = H.to_storage(values, et)
        self.slot[name] = len(self.inputs)
        self.inputs.append(H.Tensor(et, data=st, dyn=self._dyn_axes(labels)))
        if et == "i1":
            return st.astype(np.bool_)
        return H.to_f64(st, et) if et in H.FLOAT_TYPES else st.astype(np.int64)

    def output(self, labels, ref, etype=None):
        et = etype or self.dtype
        ref = np.asarray(ref)
        assert ref.ndim == len(labels)
        self.outputs.append(H.Tensor(et, shape=ref.shape, dyn=self._dyn_axes(labels)))
        self.refs.append((ref, et))

    # -- op text ------------------------------------------------------------
    def op(self, head, segments, attrs=None):
        """head: 'hybrid.x kw' text; segments: [(keyword, [operand names])] in
        assembly order; absent optional operands are skipped."""
        slot = dict(self.slot)
        attr_text = fmt_attrs(attrs or {})

        def text(ins, outs):
            parts = [head]
            for kw, names in segments:
                if not all(n in slot for n in names):
                    assert not any(n in slot for n in names), (kw, names)
                    continue
                parts.append(f"{kw}({H.group([ins[slot[n]] for n in names])})")
            parts.append(f"outs({H.group(outs)})")
            if attr_text:
                parts.append(attr_text)
            parts.append("-> " + ", ".join(o.type for o in outs))
            return " ".join(parts)

        self.funcs.append(H.Func(self.name, self.inputs, self.outputs, text))
        return self

    def _check_single(self, run):
        got = run(0)
        msgs = []
        for i, (g, (ref, et)) in enumerate(zip(got, self.refs)):
            m = compare(g, ref, et)
            if m:
                msgs.append(f"output {i} ({et}): {m}")
        return msgs


CASES = []


def case(c):
    CASES.append(c)
    return c


def neg_decay(c, *shape, scale=0.3):
    """log-space decays, strictly negative."""
    return -np.abs(c.normal(*shape)) * scale - 0.02


# ----------------------------------------------------------------------------
# attention
# ----------------------------------------------------------------------------

def attention(name, B=1, Hq=2, Hkv=2, Sq=4, Skv=4, Dk=8, Dv=8, dtype="f32", dyn="",
              mask=None, mask_labels=None, scale=None, causal=False, window_left=None,
              window_right=None, softcap=None):
    c = Case("attention/" + name, dtype, dyn)
    q = c.input("q", ("B", "Hq", "Sq", "Dk"), c.normal(B, Hq, Sq, Dk))
    k = c.input("k", ("B", "Hkv", "Skv", "Dk"), c.normal(B, Hkv, Skv, Dk))
    v = c.input("v", ("B", "Hkv", "Skv", "Dv"), c.normal(B, Hkv, Skv, Dv))
    m = None
    if mask is not None:
        sizes = dict(B=B, Hq=Hq, Sq=Sq, Skv=Skv)
        labels = mask_labels or ("B", "Hq", "Sq", "Skv")
        shape = [sizes[l] if isinstance(l, str) else l for l in labels]
        if mask.startswith("bool"):
            mv = c.rng.random(shape) < 0.7
            if mask == "bool_empty_row":
                mv[..., 0, :] = False
            m = c.input("mask", labels, mv, "i1")
        else:
            mv = c.normal(*shape, scale=2.0)
            if mask == "float_neginf":
                mv[c.rng.random(shape) < 0.2] = -np.inf
                mv[..., min(1, shape[-2] - 1), :] = -np.inf   # one fully masked row
            m = c.input("mask", labels, mv)
            if dtype in ("f16", "bf16"):
                m = m.astype(np.float64)
    ref = R.attention(q, k, v, mask=m, scale=f32(scale), causal=causal,
                      window_left=-1 if window_left is None else window_left,
                      window_right=-1 if window_right is None else window_right,
                      softcap=f32(softcap) or 0.0)
    c.output(("B", "Hq", "Sq", "Dv"), ref)
    if not causal and (window_left is not None or window_right is not None):
        c.untileable_dim2 = "a non-causal windowed attention is not tiled along Sq"
    return case(c.op("hybrid.attention", [("ins", ["q", "k", "v"]), ("mask", ["mask"])],
                     dict(causal=causal, window_left=window_left,
                          window_right=window_right,
                          softcap=None if softcap is None else float(softcap),
                          scale=None if scale is None else float(scale))))


def attention_cases():
    attention("mha", B=2, Sq=5, Skv=5)
    attention("mha_causal", B=2, Sq=5, Skv=5, causal=True)
    attention("gqa", Hq=4, Hkv=2, Sq=5, Skv=6)
    attention("gqa_causal", B=2, Hq=4, Hkv=2, Sq=6, Skv=6, causal=True)
    attention("mqa_causal", Hq=4, Hkv=1, Sq=5, Skv=5, causal=True)
    attention("mqa", Hq=3, Hkv=1, Sq=2, Skv=7)
    attention("causal_sq_lt_skv", Hq=4, Hkv=2, Sq=3, Skv=10, causal=True)
    attention("decode_causal", Hq=4, Hkv=2, Sq=1, Skv=9, causal=True)
    attention("decode", Hq=2, Hkv=1, Sq=1, Skv=7)
    attention("causal_sq_gt_skv_empty_rows", Sq=6, Skv=4, causal=True)
    attention("window_left", Sq=8, Skv=8, causal=True, window_left=2)
    attention("window_left_noncausal", Sq=6, Skv=6, window_left=1)
    attention("window_right", Sq=6, Skv=6, window_right=1)
    attention("window_both", Sq=7, Skv=7, window_left=2, window_right=1)
    attention("window_causal_sq_lt_skv", Hq=4, Hkv=2, Sq=3, Skv=9, causal=True,
              window_left=3)
    attention("window_decode", Sq=1, Skv=9, causal=True, window_left=4)
    attention("softcap", Sq=5, Skv=5, causal=True, softcap=2.0)
    attention("scale", Sq=4, Skv=6, scale=0.3)
    attention("softcap_scale_float_mask", Sq=4, Skv=5, softcap=5.0, scale=0.5,
              mask="float", mask_labels=(1, 1, "Sq", "Skv"))
    attention("bool_mask_rank4", B=2, Hq=2, Hkv=1, Sq=4, Skv=5, mask="bool")
    attention("bool_mask_rank2", Hq=4, Hkv=2, Sq=4, Skv=6, mask="bool",
              mask_labels=("Sq", "Skv"))
    attention("bool_mask_padding_bcast", B=2, Sq=3, Skv=5, mask="bool",
              mask_labels=("B", 1, 1, "Skv"))
    attention("bool_mask_causal_gqa", Hq=4, Hkv=2, Sq=5, Skv=5, causal=True, mask="bool",
              mask_labels=("B", 1, "Sq", "Skv"))
    attention("bool_mask_empty_row", Sq=4, Skv=5, mask="bool_empty_row",
              mask_labels=("Sq", "Skv"))
    # Masks that differ per query head over GQA groups (the flash form runs a
    # group's heads as the rows of one block: each row's mask is its head's).
    attention("float_mask_per_head_gqa", B=2, Hq=4, Hkv=2, Sq=3, Skv=7, causal=True,
              mask="float")
    attention("bool_mask_per_head_gqa_decode", Hq=6, Hkv=2, Sq=1, Skv=9, mask="bool")
    attention("float_mask_rank4", B=2, Sq=4, Skv=4, mask="float")
    attention("float_mask_bcast_heads", B=2, Hq=4, Hkv=2, Sq=3, Skv=5, mask="float",
              mask_labels=("B", 1, "Sq", "Skv"))
    attention("float_mask_bcast_1_1", Sq=4, Skv=6, mask="float",
              mask_labels=(1, 1, "Sq", "Skv"))
    attention("float_mask_neginf_rows", Sq=4, Skv=5, mask="float_neginf",
              mask_labels=(1, 1, "Sq", "Skv"))
    attention("float_mask_causal_softcap", Sq=5, Skv=7, causal=True, softcap=3.0,
              mask="float", mask_labels=(1, "Hq", "Sq", "Skv"))
    # Float masks over key rows longer than the flash form's 16-lane vectors:
    # one value per row (a last dim of 1), and dynamic mask dims (1 or not is
    # decided at run time).
    attention("long_float_mask_bcast_keys", Sq=18, Skv=35, mask="float",
              mask_labels=(1, 1, "Sq", 1))
    attention("long_causal_window_dyn_float_mask", Hq=4, Hkv=2, Sq=21, Skv=40, causal=True,
              window_left=17, mask="float", mask_labels=(1, 1, "Sq", "Skv"), dyn="Sq Skv")
    attention("dk_ne_dv", Hq=2, Hkv=1, Sq=4, Skv=5, Dk=8, Dv=4, causal=True)
    attention("dk_lt_dv", Sq=3, Skv=3, Dk=4, Dv=12)
    attention("dyn_seq", Hq=4, Hkv=2, Sq=5, Skv=5, causal=True, dyn="Sq Skv")
    attention("dyn_all_bool_mask_rank2", B=2, Hq=4, Hkv=2, Sq=3, Skv=6, Dk=8, Dv=4,
              causal=True, mask="bool", mask_labels=("Sq", "Skv"),
              dyn="B Hq Hkv Sq Skv Dk Dv")
    # Past one query block (48 rows) and one key block (64 keys) of the CPU
    # pipeline's flash form, which the cases above take only when it is forced
    # (flash-min-query-rows=0).
    attention("long_causal_gqa", Hq=4, Hkv=2, Sq=100, Skv=140, Dk=16, Dv=24, causal=True)
    attention("long_window_left", Sq=97, Skv=97, causal=True, window_left=30)
    attention("long_window_both", Sq=60, Skv=130, window_left=20, window_right=70)
    attention("long_float_mask_neginf", Sq=50, Skv=70, mask="float_neginf",
              mask_labels=(1, 1, "Sq", "Skv"))
    attention("long_bool_mask_padding", B=2, Sq=49, Skv=65, mask="bool",
              mask_labels=("B", 1, 1, "Skv"))
    attention("long_softcap", Sq=64, Skv=64, causal=True, softcap=4.0, Dk=32, Dv=32)
    attention("long_empty_rows", Sq=70, Skv=20, causal=True)
    attention("long_f16", Hq=2, Hkv=1, Sq=55, Skv=80, causal=True, dtype="f16")
    attention("long_bf16", Sq=50, Skv=66, dtype="bf16")
    attention("long_dyn_seq", Hq=2, Hkv=1, Sq=50, Skv=90, causal=True, dyn="Sq Skv")
    attention("dyn_decode", Hq=2, Hkv=1, Sq=1, Skv=8, causal=True, window_left=3,
              dyn="Sq Skv")
    attention("dyn_float_mask", B=2, Sq=3, Skv=4, mask="float",
              mask_labels=("B", 1, "Sq", "Skv"), dyn="B Sq Skv")
    attention("larger_gqa_window", Hq=4, Hkv=2, Sq=16, Skv=16, Dk=16, Dv=16, causal=True,
              window_left=5)
    attention("f16_gqa_causal", Hq=4, Hkv=2, Sq=5, Skv=7, causal=True, dtype="f16")
    attention("f16_float_mask", Sq=4, Skv=5, mask="float", dtype="f16",
              mask_labels=(1, 1, "Sq", "Skv"))
    attention("f16_bool_mask_softcap", Sq=4, Skv=4, mask="bool", softcap=4.0, dtype="f16")
    attention("bf16_gqa_causal_window", Hq=4, Hkv=2, Sq=6, Skv=6, causal=True,
              window_left=2, dtype="bf16")
    attention("bf16_bool_mask", Sq=3, Skv=5, mask="bool", mask_labels=("Sq", "Skv"),
              dtype="bf16")
    attention("f64_mha_causal", B=2, Sq=5, Skv=5, Dk=16, Dv=8, causal=True, dtype="f64")
    attention("f64_softcap_float_mask", Hq=4, Hkv=2, Sq=3, Skv=6, Dk=16, softcap=2.0,
              scale=0.25, mask="float", mask_labels=(1, 1, "Sq", "Skv"), dtype="f64")
    attention("f64_empty_rows", Sq=5, Skv=3, Dk=4, causal=True, dtype="f64")


# ----------------------------------------------------------------------------
# ssm_scan
# ----------------------------------------------------------------------------

def ssm_scan(name, B=1, L=5, H=4, P=3, N=4, G=1, A="H", D=None, z=False, dt_bias=False,
             init=False, dt_softplus=True, dt_min=None, dt_max=None, dtype="f32", dyn=""):
    c = Case("ssm_scan/" + name, dtype, dyn)
    x = c.input("x", ("B", "L", "H", "P"), c.normal(B, L, H, P))
    if dt_softplus:
        dtv = c.normal(B, L, H)
    else:
        dtv = np.abs(c.normal(B, L, H)) * 0.5 + 0.05
    dt = c.input("dt", ("B", "L", "H"), dtv)
    if A == "H":
        a = c.input("A", ("H",), -np.exp(c.normal(H, scale=0.5)))
    else:
        a = c.input("A", ("H", "N"), -np.exp(c.normal(H, N, scale=0.5)))
    bm = c.input("Bm", ("B", "L", "G", "N"), c.normal(B, L, G, N))
    cm = c.input("Cm", ("B", "L", "G", "N"), c.normal(B, L, G, N))
    dv = zv = bv = sv = None
    if D == "H":
        dv = c.input("D", ("H",), c.normal(H))
    elif D == "HP":
        dv = c.input("D", ("H", "P"), c.normal(H, P))
    if z:
        zv = c.input("z", ("B", "L", "H", "P"), c.normal(B, L, H, P))
    if dt_bias:
        bv = c.input("dt_bias", ("H",), c.normal(H, scale=0.5))
    if init:
        sv = c.input("initial_state", ("B", "H", "P", "N"), c.normal(B, H, P, N))
    y, s = R.ssm_scan(x, dt, a, bm, cm, D=dv, z=zv, dt_bias=bv, initial_state=sv,
                      dt_softplus=dt_softplus, dt_min=f32(dt_min), dt_max=f32(dt_max))
    c.output(("B", "L", "H", "P"), y)
    c.output(("B", "H", "P", "N"), s)
    return case(c.op("hybrid.ssm_scan",
                     [("ins", ["x", "dt", "A", "Bm", "Cm"]), ("D", ["D"]), ("z", ["z"]),
                      ("dt_bias", ["dt_bias"]), ("initial_state", ["initial_state"])],
                     dict(dt_softplus=dt_softplus, dt_min=dt_min, dt_max=dt_max)))


def ssm_cases():
    ssm_scan("mamba2_basic", D="H", dt_bias=True)
    ssm_scan("minimal_no_softplus", dt_softplus=False)
    ssm_scan("softplus_only")
    ssm_scan("A_HN", A="HN", D="H")
    ssm_scan("groups2", G=2, H=4, D="H", dt_bias=True)
    ssm_scan("groups4", G=4, H=4)
    ssm_scan("D_HP", D="HP")
    ssm_scan("z_gate", D="H", z=True)
    ssm_scan("initial_state", D="H", init=True, B=2)
    ssm_scan("dt_min", dt_min=0.6)
    ssm_scan("dt_max", dt_max=0.5)
    ssm_scan("dt_min_max", dt_bias=True, dt_min=0.3, dt_max=0.9)
    ssm_scan("dt_bias_no_softplus", dt_softplus=False, dt_bias=False, D="H")
    ssm_scan("decode_L1", L=1, D="H", init=True, dt_bias=True)
    ssm_scan("decode_L1_no_init", L=1, G=2, D="HP")
    # Mamba-1's form (P = 1, A [H, N], one group): the CPU pipeline runs it in
    # vector lanes of channels (hybrid-vectorize-scans), with a masked last
    # block when H is not a multiple of the lanes.
    ssm_scan("mamba1_lanes", B=2, L=7, H=37, P=1, N=5, A="HN", D="H", z=True, dt_bias=True,
             init=True)
    ssm_scan("mamba1_lanes_full_block", L=4, H=16, P=1, N=16, A="HN", D="HP", dt_min=0.2,
             dt_max=0.8)
    ssm_scan("mamba1_lanes_short", L=3, H=3, P=1, N=2, A="HN", dt_softplus=False)
    ssm_scan("mamba1_lanes_dyn", B=2, L=6, H=21, P=1, N=4, A="HN", D="H", z=True, init=True,
             dyn="B L H")
    # Mamba-2's form (P a multiple of the lanes): one head's channels in the
    # lanes, one decay per step for A [H], groups, D [H] or [H, P].
    ssm_scan("mamba2_lanes", B=2, L=6, H=4, P=32, N=5, G=2, D="H", z=True, dt_bias=True,
             init=True)
    ssm_scan("mamba2_lanes_HP", L=5, H=3, P=16, N=3, D="HP", dt_min=0.2, dt_max=0.8)
    ssm_scan("mamba2_lanes_A_HN", B=2, L=4, H=2, P=16, N=4, A="HN", G=2, init=True,
             dt_softplus=False)
    ssm_scan("mamba2_lanes_dyn", B=2, L=7, H=6, P=16, N=4, G=3, D="H", z=True, init=True,
             dt_bias=True, dyn="B L H")
    ssm_scan("mamba1", H=6, P=1, N=4, A="HN", D="H", z=True, dt_bias=True)
    ssm_scan("mamba1_init", B=2, H=5, P=1, N=3, A="HN", D="H", z=True, dt_bias=True,
             init=True)
    ssm_scan("everything", B=2, L=6, G=2, D="HP", z=True, dt_bias=True, init=True,
             dt_min=0.1, dt_max=1.5)
    ssm_scan("long", L=24, H=2, P=2, N=8, D="H", dt_bias=True)
    ssm_scan("dyn_L", L=7, D="H", dt_bias=True, init=True, dyn="L")
    ssm_scan("dyn_all", B=2, L=4, H=4, P=2, N=3, G=2, D="HP", z=True, dt_bias=True,
             init=True, dyn="B L H P N G")
    ssm_scan("mamba1_dyn", H=6, P=1, N=4, A="HN", D="H", z=True, dt_bias=True,
             dyn="L H")
    ssm_scan("f16_mamba2", G=2, D="H", dt_bias=True, init=True, dtype="f16")
    ssm_scan("f16_mamba1", H=4, P=1, N=4, A="HN", D="H", z=True, dt_bias=True,
             dtype="f16")
    ssm_scan("bf16_mamba2", D="H", dt_bias=True, init=True, dt_max=1.0, dtype="bf16")
    ssm_scan("bf16_mamba1", H=4, P=1, N=4, A="HN", D="H", z=True, dt_bias=True,
             dtype="bf16")
    ssm_scan("f64_mamba2", G=2, D="HP", z=True, dt_bias=True, init=True, dt_min=0.2,
             dtype="f64")


# ----------------------------------------------------------------------------
# linear_attention
# ----------------------------------------------------------------------------

def linear_attention(name, rule, B=1, T=5, Hq=2, Hkv=2, Dk=4, Dv=3, decay="scalar",
                     init=False, scale=None, dtype="f32", dyn=""):
    c = Case(f"linear_attention/{rule}_{name}", dtype, dyn)
    deltar = rule in ("delta", "gated_delta")
    gated = rule in ("gated", "gated_delta")
    q = c.input("q", ("B", "T", "Hq", "Dk"), c.normal(B, T, Hq, Dk))
    kv = c.normal(B, T, Hkv, Dk)
    if deltar:     # L2-normalised keys keep the delta rule contractive
        kv = kv / np.linalg.norm(kv, axis=-1, keepdims=True)
    k = c.input("k", ("B", "T", "Hkv", "Dk"), kv)
    v = c.input("v", ("B", "T", "Hkv", "Dv"), c.normal(B, T, Hkv, Dv))
    dec = beta = s0 = None
    if gated:
        if decay == "scalar":
            dec = c.input("decay", ("B", "T", "Hkv"), neg_decay(c, B, T, Hkv))
        else:
            dec = c.input("decay", ("B", "T", "Hkv", "Dk"), neg_decay(c, B, T, Hkv, Dk))
    if deltar:
        beta = c.input("beta", ("B", "T", "Hkv"), R.sigmoid(c.normal(B, T, Hkv)))
    if init:
        s0 = c.input("initial_state", ("B", "Hkv", "Dk", "Dv"),
                     c.normal(B, Hkv, Dk, Dv, scale=0.5))
    o, s = R.linear_attention(rule, q, k, v, decay=dec, beta=beta, initial_state=s0,
                              scale=f32(scale))
    c.output(("B", "T", "Hq", "Dv"), o)
    c.output(("B", "Hkv", "Dk", "Dv"), s)
    return case(c.op(f"hybrid.linear_attention {rule}",
                     [("ins", ["q", "k", "v"]), ("decay", ["decay"]), ("beta", ["beta"]),
                      ("initial_state", ["initial_state"])],
                     dict(scale=None if scale is None else float(scale))))


def linear_attention_cases():
    for rule in ("linear", "gated", "delta", "gated_delta"):
        linear_attention("mha", rule)
        linear_attention("gqa", rule, Hq=4, Hkv=2)
        linear_attention("init", rule, B=2, Hq=4, Hkv=2, init=True)
        linear_attention("scale", rule, Dk=8, Dv=4, scale=0.7)
        linear_attention("decode_init", rule, T=1, Hq=2, Hkv=1, init=True)
    for rule in ("gated", "gated_delta"):
        linear_attention("row_decay", rule, decay="row")
        linear_attention("row_decay_gqa_init", rule, B=2, Hq=4, Hkv=2, Dk=6, Dv=5,
                         decay="row", init=True)
    linear_attention("long", "gated_delta", T=20, Hq=2, Hkv=1, Dk=8, Dv=8, init=True)
    # Dv a multiple of the vector lanes: hybrid-vectorize-scans puts columns of
    # the state in lanes (every rule, GQA, per-row decay, the default scale).
    for rule in ("linear", "gated", "delta", "gated_delta"):
        linear_attention("lanes", rule, B=2, T=7, Hq=4, Hkv=2, Dk=5, Dv=32, init=True)
    linear_attention("lanes_row_decay", "gated_delta", T=6, Hq=3, Hkv=3, Dk=4, Dv=16,
                     decay="row", scale=0.4)
    linear_attention("lanes_dyn", "gated_delta", B=2, T=5, Hq=2, Hkv=2, Dk=3, Dv=16,
                     init=True, dyn="B T")
    linear_attention("dyn_T", "gated_delta", T=6, Hq=4, Hkv=2, init=True, dyn="T")
    linear_attention("dyn_T", "linear", T=4, dyn="T")
    linear_attention("dyn_all", "gated", B=2, T=3, Hq=4, Hkv=2, Dk=4, Dv=5,
                     decay="row", init=True, dyn="B T Hq Hkv Dk Dv")
    linear_attention("dyn_all", "delta", B=2, T=3, Hq=2, Hkv=1, Dk=4, Dv=2, init=True,
                     dyn="B T Hq Hkv Dk Dv")
    linear_attention("bf16", "gated_delta", Hq=4, Hkv=2, init=True, dtype="bf16")
    linear_attention("bf16", "linear", dtype="bf16")
    linear_attention("bf16_row_decay", "gated", decay="row", dtype="bf16")
    linear_attention("f16", "delta", Hq=4, Hkv=2, init=True, dtype="f16")
    linear_attention("f16", "gated", dtype="f16")
    linear_attention("f64", "gated_delta", Dk=16, Hq=4, Hkv=2, init=True, dtype="f64")
    linear_attention("f64_row", "gated", Dk=4, decay="row", dtype="f64")


# ----------------------------------------------------------------------------
# causal_conv1d
# ----------------------------------------------------------------------------

def causal_conv1d(name, B=2, C=3, L=6, K=4, bias=False, init=False, act="none",
                  dtype="f32", dyn=""):
    c = Case("causal_conv1d/" + name, dtype, dyn)
    x = c.input("x", ("B", "C", "L"), c.normal(B, C, L))
    w = c.input("weight", ("C", "K"), c.normal(C, K, scale=0.5))
    b = s0 = None
    if bias:
        b = c.input("bias", ("C",), c.normal(C))
    if init:
        s0 = c.input("initial_state", ("B", "C", "K1"), c.normal(B, C, K - 1))
    y, s = R.causal_conv1d(x, w, bias=b, initial_state=s0, activation=act)
    c.output(("B", "C", "L"), y)
    c.output(("B", "C", "K1"), s)
    return case(c.op(f"hybrid.causal_conv1d {act}",
                     [("ins", ["x", "weight"]), ("bias", ["bias"]),
                      ("initial_state", ["initial_state"])]))


def conv_cases():
    causal_conv1d("plain")
    causal_conv1d("silu_bias_init", act="silu", bias=True, init=True)
    causal_conv1d("silu", act="silu")
    causal_conv1d("bias", bias=True)
    causal_conv1d("init", init=True)
    causal_conv1d("silu_init", act="silu", init=True)
    causal_conv1d("K2_silu_bias_init", K=2, act="silu", bias=True, init=True)
    causal_conv1d("K2", K=2)
    causal_conv1d("K1_bias", K=1, bias=True)
    causal_conv1d("K1_silu", K=1, act="silu", L=3)
    causal_conv1d("K3_decode_no_init", K=3, L=1, act="silu")
    causal_conv1d("decode_L1", L=1, act="silu", bias=True, init=True)
    causal_conv1d("decode_L1_none", L=1, init=True)
    causal_conv1d("L2_lt_K_init", L=2, K=4, act="silu", bias=True, init=True)
    causal_conv1d("L2_lt_K", L=2, K=4)
    causal_conv1d("L3_eq_K1_init", L=3, K=4, init=True)
    causal_conv1d("dyn_L", L=7, act="silu", bias=True, init=True, dyn="L")
    causal_conv1d("dyn_all", B=2, C=5, L=4, K=4, act="silu", bias=True, init=True,
                  dyn="B C L")
    # Long enough for whole vectors of time steps and a masked tail.
    causal_conv1d("long_silu_bias_init", B=2, C=5, L=37, K=4, act="silu", bias=True, init=True)
    causal_conv1d("long_K2", C=3, L=33, K=2)
    causal_conv1d("long_dyn", B=2, C=4, L=40, K=3, act="silu", init=True, dyn="B C L")
    causal_conv1d("f16", act="silu", bias=True, init=True, dtype="f16")
    causal_conv1d("bf16", act="silu", bias=True, init=True, dtype="bf16")
    causal_conv1d("f64", act="silu", bias=True, init=True, dtype="f64")


# ----------------------------------------------------------------------------
# moe
# ----------------------------------------------------------------------------

def moe_inputs(c, T, Hd, I, E, act, biases=False, sel_bias=False, tie=False):
    x = c.input("x", ("T", "Hd"), c.normal(T, Hd))
    if tie:
        lg = c.rng.integers(-1, 2, (T, E)).astype(np.float64)
    else:
        lg = c.normal(T, E)
    logits = c.input("router_logits", ("T", "E"), lg)
    w_up = c.input("w_up", ("E", "I", "Hd"), c.normal(E, I, Hd, scale=1 / math.sqrt(Hd)))
    w_down = c.input("w_down", ("E", "Hd", "I"), c.normal(E, Hd, I, scale=1 / math.sqrt(I)))
    d = dict(w_gate=None, selection_bias=None, b_gate=None, b_up=None, b_down=None)
    if act in ("swiglu", "geglu"):
        d["w_gate"] = c.input("w_gate", ("E", "I", "Hd"),
                              c.normal(E, I, Hd, scale=1 / math.sqrt(Hd)))
    if sel_bias:
        d["selection_bias"] = c.input("selection_bias", ("E",), c.normal(E, scale=0.3))
    if biases:
        if act in ("swiglu", "geglu"):
            d["b_gate"] = c.input("b_gate", ("E", "I"), c.normal(E, I, scale=0.5))
        d["b_up"] = c.input("b_up", ("E", "I"), c.normal(E, I, scale=0.5))
        d["b_down"] = c.input("b_down", ("E", "Hd"), c.normal(E, Hd, scale=0.5))
    return x, logits, w_up, w_down, d


def moe(name, T=5, Hd=6, I=4, E=4, top_k=2, scoring="softmax", act="swiglu",
        normalize=False, scaling=None, sel_bias=False, biases=False, tie=False,
        dtype="f32", dyn=""):
    c = Case("moe/" + name, dtype, dyn)
    x, logits, w_up, w_down, d = moe_inputs(c, T, Hd, I, E, act, biases, sel_bias, tie)
    ref = R.moe(x, logits, w_up, w_down, top_k, scoring, act, normalize=normalize,
                scaling=1.0 if scaling is None else f32(scaling), **d)
    c.output(("T", "Hd"), ref)
    return case(c.op(f"hybrid.moe top_k({top_k}) scoring = {scoring} activation = {act}",
                     [("ins", ["x", "router_logits", "w_up", "w_down"]),
                      ("w_gate", ["w_gate"]), ("selection_bias", ["selection_bias"]),
                      ("b_gate", ["b_gate"]), ("b_up", ["b_up"]), ("b_down", ["b_down"])],
                     dict(normalize=normalize,
                          scaling=None if scaling is None else float(scaling))))


def moe_cases():
    moe("softmax_swiglu_top2_norm", normalize=True)
    moe("softmax_swiglu_top2", normalize=False)
    moe("sigmoid_swiglu_norm_selbias_scaling", scoring="sigmoid", normalize=True,
        sel_bias=True, scaling=2.5)
    moe("sigmoid_silu", scoring="sigmoid", act="silu")
    for act in ("geglu", "silu", "gelu", "relu"):
        moe(f"softmax_{act}", act=act, normalize=True)
    moe("top1", top_k=1, E=4)
    moe("top1_norm", top_k=1, normalize=True, act="relu")
    moe("topE", top_k=4, E=4)
    moe("topE_norm_sigmoid", top_k=3, E=3, scoring="sigmoid", normalize=True, act="gelu")
    moe("biases_swiglu", biases=True, normalize=True)
    moe("biases_geglu_selbias", act="geglu", biases=True, sel_bias=True)
    moe("biases_relu", act="relu", biases=True)
    moe("selbias_softmax", sel_bias=True, E=6, top_k=2)
    moe("scaling_no_norm", scaling=0.75, act="silu")
    moe("ties_softmax", tie=True, E=5, top_k=2, act="relu")
    moe("ties_sigmoid", tie=True, E=5, top_k=3, scoring="sigmoid", act="silu")
    moe("T1", T=1, normalize=True)
    moe("dyn_T", T=6, normalize=True, dyn="T")
    moe("dyn_all", T=3, Hd=4, I=5, E=4, top_k=2, biases=True, sel_bias=True,
        dyn="T Hd I E")
    moe("f16_swiglu", normalize=True, dtype="f16")
    moe("f16_gelu_biases", act="gelu", biases=True, dtype="f16")
    moe("bf16_swiglu", normalize=True, scoring="sigmoid", sel_bias=True, dtype="bf16")
    moe("f64_relu", act="relu", biases=True, normalize=True, dtype="f64")


def moe_topk(name, T=5, E=4, top_k=2, scoring="softmax", normalize=False, scaling=None,
             sel_bias=False, tie=False, itype="i64", dtype="f32", dyn=""):
    c = Case("moe_topk/" + name, dtype, dyn)
    if tie:
        lg = c.rng.integers(-1, 2, (T, E)).astype(np.float64)
    else:
        lg = c.normal(T, E)
    logits = c.input("router_logits", ("T", "E"), lg)
    bias = c.input("selection_bias", ("E",), c.normal(E, scale=0.3)) if sel_bias else None
    ids, w = R.moe_route(logits, top_k, scoring, normalize,
                         1.0 if scaling is None else f32(scaling), bias)
    c.output(("T", "K"), ids, itype)
    c.output(("T", "K"), w)
    return case(c.op(f"hybrid.moe_topk scoring = {scoring}",
                     [("ins", ["router_logits"]), ("selection_bias", ["selection_bias"])],
                     dict(normalize=normalize,
                          scaling=None if scaling is None else float(scaling))))


def moe_topk_cases():
    moe_topk("softmax_top2", normalize=True)
    moe_topk("sigmoid_selbias_scaling", scoring="sigmoid", sel_bias=True, scaling=2.5,
             normalize=True)
    moe_topk("top1_i32", top_k=1, itype="i32")
    moe_topk("topE", top_k=4, E=4)
    moe_topk("ties", tie=True, E=5, top_k=3, scoring="sigmoid")
    moe_topk("dyn_all", T=6, E=5, top_k=2, normalize=True, dyn="T E")
    moe_topk("f16", normalize=True, dtype="f16")
    moe_topk("bf16_selbias", sel_bias=True, dtype="bf16")
    moe_topk("f64", scaling=0.5, dtype="f64")


# ----------------------------------------------------------------------------
# routed form
# ----------------------------------------------------------------------------

def random_ids(c, T, K, E):
    return np.stack([c.rng.permutation(E)[:K] for _ in range(T)]).astype(np.int64)


def moe_dispatch(name, T=5, Hd=6, K=2, E=4, itype="i64", dtype="f32", dyn="", ids=None):
    c = Case("moe_dispatch/" + name, dtype, dyn)
    x = c.input("x", ("T", "Hd"), c.normal(T, Hd))
    ids = c.input("ids", ("T", "K"), random_ids(c, T, K, E) if ids is None else ids, itype)
    rows, offsets, src = R.moe_dispatch(x, ids, E)
    c.output(("TK", "Hd"), rows)
    c.output(("E1",), offsets, itype)
    c.output(("TK",), src, itype)
    return case(c.op(f"hybrid.moe_dispatch num_experts({E})", [("ins", ["x", "ids"])]))


def offsets_for(c, M, E, pad=0, empty=()):
    counts = c.rng.multinomial(M - pad, np.ones(E) / E)
    for e in empty:
        counts[e] = 0
    counts[[e for e in range(E) if e not in empty][0]] += M - pad - counts.sum()
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def grouped_matmul(name, M=10, Kd=6, N=5, E=4, pad=0, empty=(), itype="i64",
                   dtype="f32", dyn=""):
    c = Case("grouped_matmul/" + name, dtype, dyn)
    rows = c.input("rows", ("M", "K"), c.normal(M, Kd))
    w = c.input("weights", ("E", "N", "K"), c.normal(E, N, Kd))
    off = c.input("offsets", ("E1",), offsets_for(c, M, E, pad, empty), itype)
    c.output(("M", "N"), R.grouped_matmul(rows, w, off))
    return case(c.op("hybrid.grouped_matmul", [("ins", ["rows", "weights", "offsets"])]))


def moe_combine(name, T=5, Hd=6, K=2, itype="i64", dtype="f32", dyn=""):
    c = Case("moe_combine/" + name, dtype, dyn)
    out = c.input("expert_out", ("TK", "Hd"), c.normal(T * K, Hd))
    src = c.input("sources", ("TK",), c.rng.permutation(T * K), itype)
    w = c.input("weights", ("T", "K"), c.rng.random((T, K)))
    c.output(("T", "Hd"), R.moe_combine(out, src, w))
    return case(c.op("hybrid.moe_combine", [("ins", ["expert_out", "sources", "weights"])]))


def routed_cases():
    moe_dispatch("basic")
    moe_dispatch("i32", itype="i32")
    moe_dispatch("empty_experts", T=3, K=2, E=8)
    moe_dispatch("k1", T=6, K=1, E=3)
    moe_dispatch("all_one_expert", T=4, K=1, E=3, ids=np.full((4, 1), 1))
    moe_dispatch("repeated_expert_per_token", T=3, K=2, E=3,
                 ids=np.array([[2, 2], [0, 2], [1, 0]]))
    moe_dispatch("dyn_T", T=7, K=2, E=4, dyn="T TK")
    moe_dispatch("dyn_all", T=4, Hd=3, K=2, E=5, dyn="T Hd K TK")
    moe_dispatch("f16", dtype="f16")
    moe_dispatch("bf16_i32", dtype="bf16", itype="i32")
    grouped_matmul("basic")
    grouped_matmul("empty_groups", M=8, E=5, empty=(0, 3))
    grouped_matmul("padding_rows", M=12, E=3, pad=3)
    grouped_matmul("padding_and_empty_i32", M=9, E=4, pad=2, empty=(2,), itype="i32")
    grouped_matmul("one_expert", M=5, E=1)
    grouped_matmul("dyn_M", M=11, dyn="M")
    grouped_matmul("dyn_all", M=7, Kd=3, N=4, E=3, pad=1, dyn="M K N E E1")
    grouped_matmul("f16", dtype="f16")
    grouped_matmul("bf16", M=6, dtype="bf16")
    grouped_matmul("f64", dtype="f64", pad=2)
    moe_combine("basic")
    moe_combine("i32", itype="i32")
    moe_combine("k1", K=1)
    moe_combine("k3", T=3, K=3)
    moe_combine("dyn_T", T=6, dyn="T TK")
    moe_combine("dyn_all", T=4, Hd=3, K=2, dyn="T TK Hd K")
    moe_combine("f16", dtype="f16")
    moe_combine("f64", dtype="f64")


def moe_chain(name, T=6, Hd=5, I=4, E=4, top_k=2, scoring="softmax", normalize=True,
              act="relu", dtype="f32"):
    """dispatch -> grouped_matmul(up) -> act (numpy) -> grouped_matmul(down) -> combine,
    each a compiled function, composed in numpy, checked against the moe reference."""
    c = Case("moe_chain/" + name, dtype)
    assert act in ("relu", "silu", "gelu")
    et, it = dtype, "i64"
    x = c.normal(T, Hd)
    lg = c.normal(T, E)
    w_up = c.normal(E, I, Hd, scale=1 / math.sqrt(Hd))
    w_down = c.normal(E, Hd, I, scale=1 / math.sqrt(I))
    xs, w_up_s, w_down_s = (H.to_storage(a, et) for a in (x, w_up, w_down))
    xv, w_upv, w_downv = (H.to_f64(a, et) for a in (xs, w_up_s, w_down_s))
    ref = R.moe(xv, lg, w_upv, w_downv, top_k, scoring, act, normalize=normalize)
    ids, w = R.moe_route(lg, top_k, scoring, normalize)
    ws = H.to_storage(w, et)
    M = T * top_k

    def func(label, inputs, outputs, head, kw):
        ins = [H.Tensor(e, data=np.zeros(s, H.STORAGE[e])) for e, s in inputs]
        outs = [H.Tensor(e, shape=s) for e, s in outputs]

        def text(iv, ov):
            return (f"{head} {kw}({H.group(iv)}) outs({H.group(ov)}) -> "
                    + ", ".join(o.type for o in ov))
        c.funcs.append(H.Func(f"{c.name}:{label}", ins, outs, text))

    func("dispatch", [(et, (T, Hd)), (it, (T, top_k))],
         [(et, (M, Hd)), (it, (E + 1,)), (it, (M,))],
         f"hybrid.moe_dispatch num_experts({E})", "ins")
    func("gmm_up", [(et, (M, Hd)), (et, (E, I, Hd)), (it, (E + 1,))], [(et, (M, I))],
         "hybrid.grouped_matmul", "ins")
    func("gmm_down", [(et, (M, I)), (et, (E, Hd, I)), (it, (E + 1,))], [(et, (M, Hd))],
         "hybrid.grouped_matmul", "ins")
    func("combine", [(et, (M, Hd)), (it, (M,)), (et, (T, top_k))], [(et, (T, Hd))],
         "hybrid.moe_combine", "ins")

    def check(run):
        msgs = []
        rows, offsets, src = run(0, [xs, ids])
        for got, r, e, what in zip((rows, offsets, src), R.moe_dispatch(xv, ids, E),
                                   (et, it, it), ("rows", "offsets", "sources")):
            m = compare(got, r, e)
            if m:
                msgs.append(f"dispatch {what}: {m}")
        if msgs:
            return msgs
        (up,) = run(1, [rows, w_up_s, offsets])
        h = {"relu": R.relu, "silu": R.silu, "gelu": R.gelu}[act](H.to_f64(up, et))
        (down,) = run(2, [H.to_storage(h, et), w_down_s, offsets])
        (y,) = run(3, [down, src, ws])
        m = compare(y, ref, et)
        if m:
            msgs.append(f"composition vs moe reference: {m}")
        # and the numpy composition agrees with the moe reference too
        alt = R.moe_routed(xv, lg, w_upv, w_downv, top_k, scoring, act,
                           normalize=normalize)
        if not np.allclose(alt, ref, rtol=1e-12, atol=1e-12):
            msgs.append("hybrid_ref.moe_routed disagrees with hybrid_ref.moe")
        return msgs

    c.check = check
    return case(c)


def chain_cases():
    moe_chain("relu_top2")
    moe_chain("relu_top1_sigmoid", top_k=1, E=3, scoring="sigmoid", normalize=False)
    moe_chain("silu_topE", top_k=4, E=4, act="silu")
    moe_chain("f64_gelu", act="gelu", dtype="f64")


# ----------------------------------------------------------------------------
# rms_norm and rotary
# ----------------------------------------------------------------------------

def rms_norm(name, shape=(4, 16), z=False, before=False, group_size=None, epsilon=None,
             dtype="f32", dyn="", labels=None):
    c = Case("rms_norm/" + name, dtype, dyn)
    labels = labels or tuple(f"X{i}" for i in range(len(shape) - 1)) + ("D",)
    D = shape[-1]
    x = c.input("x", labels, c.normal(*shape) * 2.0 + 0.3)
    w = c.input("weight", ("D",), c.normal(D))
    zv = c.input("z", labels, c.normal(*shape)) if z else None
    eps = f32(1e-6) if epsilon is None else f32(epsilon)
    ref = R.rms_norm(x, w, zv, eps, group_size, before)
    c.output(labels, ref)
    return case(c.op("hybrid.rms_norm", [("ins", ["x", "weight"]), ("gate", ["z"])],
                     dict(epsilon=None if epsilon is None else float(epsilon),
                          group_size=group_size, gate_before_norm=before)))


def norm_cases():
    rms_norm("plain_rank2")
    rms_norm("plain_rank3", shape=(2, 3, 8))
    rms_norm("plain_rank1", shape=(12,))
    rms_norm("epsilon", shape=(3, 8), epsilon=1e-2)
    rms_norm("gated_after", shape=(2, 3, 16), z=True)
    rms_norm("gated_before", shape=(2, 3, 16), z=True, before=True)
    rms_norm("grouped", shape=(3, 16), group_size=4)
    rms_norm("grouped_gated_after", shape=(2, 2, 16), z=True, group_size=4,
             epsilon=1e-5)
    rms_norm("grouped_gated_before", shape=(2, 2, 16), z=True, before=True, group_size=8)
    rms_norm("group_size_D", shape=(3, 8), group_size=8)
    rms_norm("dyn_rank3", shape=(2, 3, 16), z=True, group_size=4, dyn="X0 X1")
    rms_norm("dyn_D", shape=(3, 16), group_size=4, dyn="X0 D")
    # Rows longer than the CPU pipeline's 16 vector lanes (hybrid-vectorize-scans):
    # whole vectors, then a masked tail, per row and per group.
    rms_norm("lanes_tail", shape=(3, 37))
    rms_norm("lanes_exact", shape=(2, 5, 64), epsilon=1e-5)
    rms_norm("lanes_grouped_tail", shape=(2, 48), z=True, group_size=24)
    rms_norm("lanes_gated_before_tail", shape=(2, 3, 40), z=True, before=True)
    rms_norm("lanes_dyn", shape=(3, 50), z=True, group_size=25, dyn="X0 D")
    rms_norm("f16", shape=(2, 3, 16), dtype="f16")
    rms_norm("f16_gated_grouped", shape=(3, 16), z=True, group_size=4, dtype="f16")
    rms_norm("bf16_gated_before", shape=(3, 16), z=True, before=True, dtype="bf16")
    rms_norm("f64_grouped_gated", shape=(2, 16), z=True, group_size=4, dtype="f64")


def rotary(name, B=2, Hh=2, S=3, D=8, R_=None, cos_b=1, interleaved=False,
           explicit_dim=False, dtype="f32", dyn=""):
    c = Case("rotary/" + name, dtype, dyn)
    Rd = D if R_ is None else R_
    x = c.input("x", ("B", "H", "S", "D"), c.normal(B, Hh, S, D))
    theta = c.rng.uniform(-math.pi, math.pi, (cos_b, S, Rd // 2))
    cb = "B" if cos_b == B and cos_b != 1 else 1
    cs = c.input("cos", (cb, "S", "R2"), np.cos(theta))
    sn = c.input("sin", (cb, "S", "R2"), np.sin(theta))
    ref = R.rotary(x, cs, sn, interleaved, Rd if explicit_dim else None)
    c.output(("B", "H", "S", "D"), ref)
    return case(c.op("hybrid.rotary", [("ins", ["x", "cos", "sin"])],
                     dict(interleaved=interleaved,
                          rotary_dim=Rd if explicit_dim else None)))


def rotary_cases():
    rotary("half")
    rotary("interleaved", interleaved=True)
    rotary("half_partial", D=12, R_=8)
    rotary("interleaved_partial", D=12, R_=4, interleaved=True)
    rotary("half_partial_explicit_dim", D=10, R_=6, explicit_dim=True)
    rotary("interleaved_explicit_full_dim", D=8, interleaved=True, explicit_dim=True)
    rotary("cos_batch_B", B=2, cos_b=2)
    rotary("cos_batch_B_interleaved_partial", B=3, cos_b=3, D=8, R_=4, interleaved=True)
    rotary("single_token", S=1, B=1)
    rotary("dyn_S", S=5, dyn="S")
    rotary("dyn_all", B=2, Hh=3, S=4, D=8, R_=4, cos_b=2, dyn="B H S D R2")
    # More rotated pairs than the 16 vector lanes, then a masked tail; pass-through
    # channels after them.
    rotary("lanes_tail", S=2, D=40)
    rotary("lanes_partial", S=2, D=56, R_=40, cos_b=2)
    rotary("lanes_dyn", S=3, D=48, R_=36, dyn="S D R2")
    rotary("f16", dtype="f16")
    rotary("f16_interleaved_partial", D=12, R_=8, interleaved=True, dtype="f16")
    rotary("bf16", cos_b=2, dtype="bf16")
    rotary("f64_partial", D=12, R_=8, dtype="f64")


# ----------------------------------------------------------------------------
# Edge cases: huge windows, empty key sets, dynamic dims that broadcast at run
# time, empty dimensions, kernel width 1 known only at run time.
# ----------------------------------------------------------------------------

def edge_attention(name, B=1, Hq=2, Hkv=2, Sq=4, Skv=4, Dk=4, Dv=4, dyn="", causal=False,
        wl=None, wr=None, mask=None, mask_labels=None, mask_shape=None, ref_wr=None, ref_wl=None):
    c = Case("edge/attention_" + name, "f32", dyn)
    q = c.input("q", ("B", "Hq", "Sq", "Dk"), c.normal(B, Hq, Sq, Dk))
    k = c.input("k", ("B", "Hkv", "Skv", "Dk"), c.normal(B, Hkv, Skv, Dk))
    v = c.input("v", ("B", "Hkv", "Skv", "Dv"), c.normal(B, Hkv, Skv, Dv))
    m = None
    if mask:
        mv = c.rng.random(mask_shape) < 0.7 if mask == "bool" else c.normal(*mask_shape)
        m = c.input("mask", mask_labels, mv, "i1" if mask == "bool" else None)
    ref = np.zeros((B, Hq, Sq, Dv)) if Skv == 0 else R.attention(q, k, v, mask=m, causal=causal,
                      window_left=-1 if (ref_wl if ref_wl is not None else wl) is None else (ref_wl if ref_wl is not None else wl),
                      window_right=-1 if (ref_wr if ref_wr is not None else wr) is None else (ref_wr if ref_wr is not None else wr))
    c.output(("B", "Hq", "Sq", "Dv"), ref)
    if not causal and (wl is not None or wr is not None):
        c.untileable_dim2 = "a non-causal windowed attention is not tiled along Sq"
    return case(c.op("hybrid.attention", [("ins", ["q", "k", "v"]), ("mask", ["mask"])],
                     dict(causal=causal, window_left=wl, window_right=wr)))


def edge_cases():
    # Windows of INT64_MAX are unbounded in effect (the reference gets -1).
    edge_attention("wr_int64max", Sq=4, Skv=4, wr=2**63 - 1, ref_wr=-1)
    edge_attention("wl_int64max_sq_gt_skv", Sq=6, Skv=3, wl=2**63 - 1, ref_wl=-1)
    # dynamic mask dims that are 1 at run time, tiled
    edge_attention("dyn_bcast_mask_causal", B=2, Hq=4, Hkv=2, Sq=5, Skv=7, causal=True,
        mask="bool", mask_shape=(1, 1, 5, 7), mask_labels=("M0", "M1", "Sq", "Skv"),
        dyn="M0 M1")
    edge_attention("dyn_bcast_mask_keydim1", B=2, Hq=2, Hkv=1, Sq=5, Skv=7, causal=True,
        mask="float", mask_shape=(2, 1, 5, 1), mask_labels=("B", "M1", "Sq", "M3"),
        dyn="M1 M3 Sq")
    edge_attention("skv0_causal", Sq=3, Skv=0, causal=True)
    # rotary, dynamic cos batch that is 1 at run time
    c = Case("edge/rotary_dyn_cos_batch1", "f32", "CB")
    x = c.input("x", ("B", "H", "S", "D"), c.normal(3, 2, 4, 8))
    th = c.rng.uniform(-3, 3, (1, 4, 2))
    cs = c.input("cos", ("CB", "S", "R2"), np.cos(th))
    sn = c.input("sin", ("CB", "S", "R2"), np.sin(th))
    c.output(("B", "H", "S", "D"), R.rotary(x, cs, sn, True, None))
    case(c.op("hybrid.rotary", [("ins", ["x", "cos", "sin"])], dict(interleaved=True)))
    # rms_norm with D = 0
    c = Case("edge/rms_norm_D0", "f32")
    x = c.input("x", ("X0", "D"), np.zeros((3, 0)))
    w = c.input("weight", ("D",), np.zeros((0,)))
    c.output(("X0", "D"), np.zeros((3, 0)))
    case(c.op("hybrid.rms_norm", [("ins", ["x", "weight"])]))
    # ssm_scan with L = 0: final_state = initial_state
    c = Case("edge/ssm_scan_L0", "f32")
    B_, L_, H_, P_, N_ = 1, 0, 2, 2, 3
    xv = c.input("x", ("B", "L", "H", "P"), np.zeros((B_, L_, H_, P_)))
    dt = c.input("dt", ("B", "L", "H"), np.zeros((B_, L_, H_)))
    a = c.input("A", ("H",), -np.ones(H_))
    bm = c.input("Bm", ("B", "L", "G", "N"), np.zeros((B_, L_, 1, N_)))
    cm = c.input("Cm", ("B", "L", "G", "N"), np.zeros((B_, L_, 1, N_)))
    s0 = c.input("initial_state", ("B", "H", "P", "N"), c.normal(B_, H_, P_, N_))
    c.output(("B", "L", "H", "P"), np.zeros((B_, L_, H_, P_)))
    c.output(("B", "H", "P", "N"), s0)
    case(c.op("hybrid.ssm_scan", [("ins", ["x", "dt", "A", "Bm", "Cm"]),
                                  ("initial_state", ["initial_state"])], {}))
    # causal_conv1d with dynamic K = 1 (and K=2)
    for K in (1, 2):
        c = Case(f"edge/causal_conv1d_dynK{K}_init", "f32", "K K1")
        xv = c.input("x", ("B", "C", "L"), c.normal(2, 3, 5))
        w = c.input("weight", ("C", "K"), c.normal(3, K))
        s0 = c.input("initial_state", ("B", "C", "K1"), c.normal(2, 3, K - 1))
        y, s = R.causal_conv1d(xv, w, initial_state=s0)
        c.output(("B", "C", "L"), y); c.output(("B", "C", "K1"), s)
        case(c.op("hybrid.causal_conv1d none", [("ins", ["x", "weight"]),
                                               ("initial_state", ["initial_state"])]))


# ----------------------------------------------------------------------------
# Run-time checks: inputs the verifier cannot reject (dynamic sizes, data) stop
# the generated code with a message instead of reading or writing out of bounds.
# ----------------------------------------------------------------------------

def expect_abort(c, message):
    """`c` must stop at a run-time check (SIGABRT) that prints `message`."""
    c.abort_message = message

    def check(run):
        try:
            run(0)
        except H.CaseError as e:
            if "SIGABRT" in str(e) and message in str(e):
                return []
            return [f"expected an abort with '{message}', got: {e}"]
        return [f"expected an abort with '{message}', but the call returned"]
    c.check = check
    return case(c)


def abort_cases():
    c = Case("abort/rotary_dim_exceeds_head_dim", "f32", "D R2")
    c.input("x", ("B", "H", "S", "D"), c.normal(1, 1, 2, 4))
    c.input("cos", (1, "S", "R2"), c.normal(1, 2, 3))
    c.input("sin", (1, "S", "R2"), c.normal(1, 2, 3))
    c.output(("B", "H", "S", "D"), np.zeros((1, 1, 2, 4)))
    expect_abort(c.op("hybrid.rotary", [("ins", ["x", "cos", "sin"])]),
                 "hybrid.rotary: the rotary dim exceeds the head dim")

    c = Case("abort/rms_norm_group_size", "f32", "D")
    c.input("x", ("R", "D"), c.normal(2, 10))
    c.input("weight", ("D",), c.normal(10))
    c.output(("R", "D"), np.zeros((2, 10)))
    expect_abort(c.op("hybrid.rms_norm", [("ins", ["x", "weight"])], dict(group_size=4)),
                 "hybrid.rms_norm: group_size must divide the normalized dim")

    c = Case("abort/attention_heads_not_multiple", "f32", "Hq Hkv")
    c.input("q", ("B", "Hq", "S", "D"), c.normal(1, 3, 2, 4))
    c.input("k", ("B", "Hkv", "S", "D"), c.normal(1, 2, 2, 4))
    c.input("v", ("B", "Hkv", "S", "D"), c.normal(1, 2, 2, 4))
    c.output(("B", "Hq", "S", "D"), np.zeros((1, 3, 2, 4)))
    expect_abort(c.op("hybrid.attention", [("ins", ["q", "k", "v"])]),
                 "hybrid.attention: query heads must be a multiple of key/value heads")

    c = Case("abort/ssm_scan_heads_not_multiple", "f32", "H G")
    c.input("x", ("B", "L", "H", "P"), c.normal(1, 2, 3, 2))
    c.input("dt", ("B", "L", "H"), c.normal(1, 2, 3))
    c.input("A", ("H",), -np.ones(3))
    c.input("Bm", ("B", "L", "G", "N"), c.normal(1, 2, 2, 4))
    c.input("Cm", ("B", "L", "G", "N"), c.normal(1, 2, 2, 4))
    c.output(("B", "L", "H", "P"), np.zeros((1, 2, 3, 2)))
    c.output(("B", "H", "P", "N"), np.zeros((1, 3, 2, 4)))
    expect_abort(c.op("hybrid.ssm_scan", [("ins", ["x", "dt", "A", "Bm", "Cm"])]),
                 "hybrid.ssm_scan: heads must be a multiple of groups")

    c = Case("abort/moe_dispatch_expert_out_of_range", "f32")
    c.input("x", ("T", "Hd"), c.normal(3, 4))
    c.input("ids", ("T", "K"), np.array([[0, 1], [2, 4], [1, 3]]), "i64")
    c.output(("TK", "Hd"), np.zeros((6, 4)))
    c.output(("E1",), np.zeros(5), "i64")
    c.output(("TK",), np.zeros(6), "i64")
    expect_abort(c.op("hybrid.moe_dispatch num_experts(4)", [("ins", ["x", "ids"])]),
                 "hybrid.moe_dispatch: expert id out of range")

    c = Case("abort/moe_combine_source_out_of_range", "f32")
    c.input("expert_out", ("R", "Hd"), c.normal(4, 3))
    c.input("sources", ("R",), np.array([0, 1, 7, 2]), "i64")
    c.input("weights", ("T", "K"), c.normal(2, 2))
    c.output(("T", "Hd"), np.zeros((2, 3)))
    expect_abort(c.op("hybrid.moe_combine", [("ins", ["expert_out", "sources", "weights"])]),
                 "hybrid.moe_combine: row source out of range")

    c = Case("abort/moe_topk_k_exceeds_experts", "f32", "E")
    c.input("router_logits", ("T", "E"), c.normal(2, 2))
    c.output(("T", "K"), np.zeros((2, 3)), "i64")
    c.output(("T", "K"), np.zeros((2, 3)))
    expect_abort(c.op("hybrid.moe_topk scoring = softmax", [("ins", ["router_logits"])]),
                 "hybrid.moe_topk: top_k exceeds the number of experts")

    # grouped_matmul over 4 rows and 2 experts with offsets that break a check.
    for name, offsets, message in [
            ("offset0_nonzero", [1, 3, 4], "offsets[0] must be 0"),
            ("offsets_past_rows", [0, 3, 5], "offsets must be non-decreasing"),
            ("offsets_decrease", [0, 3, 2], "offsets must be non-decreasing")]:
        c = Case("abort/grouped_matmul_" + name, "f32")
        c.input("rows", ("M", "K"), c.normal(4, 3))
        c.input("weights", ("E", "N", "K"), c.normal(2, 2, 3))
        c.input("offsets", ("E1",), np.array(offsets), "i64")
        c.output(("M", "N"), np.zeros((4, 2)))
        expect_abort(c.op("hybrid.grouped_matmul", [("ins", ["rows", "weights", "offsets"])]),
                     "hybrid.grouped_matmul: " + message)


def build_cases():
    CASES.clear()
    attention_cases()
    ssm_cases()
    linear_attention_cases()
    conv_cases()
    moe_cases()
    moe_topk_cases()
    routed_cases()
    chain_cases()
    norm_cases()
    rotary_cases()
    edge_cases()
    abort_cases()
    names = [c.name for c in CASES]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"duplicate case names: {sorted(dup)}"
    return CASES


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    H.add_common_args(ap)
    ap.add_argument("-k", dest="filter", action="append", default=[],
                    help="run only cases whose name contains this substring "
                         "(repeatable: any of them)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--print-module", action="store_true",
                    help="print the MLIR module of the selected cases and exit")
    ap.add_argument("--decompose", action="store_true",
                    help="decompose ops into linalg with --hybrid-decompose "
                         "before the reference pipeline (ops without a "
                         "decomposition keep their scalar implementation)")
    ap.add_argument("--tile-sizes", default=None, metavar="S0,S1,...",
                    help="tile every op with --hybrid-tile=tile-sizes=... before "
                         "the reference pipeline (checks that tiling keeps the "
                         "results)")
    ap.add_argument("--cpu-pipeline", default=None, metavar="OPTIONS",
                    help="compile with --hybrid-cpu-pipeline='OPTIONS' (e.g. "
                         "'parallel=0 instrument-kernels=0') instead of the "
                         "reference pipeline: checks the fast paths")
    args = ap.parse_args(argv)

    if not R._self_check():
        print("hybrid_ref self-check failed")
        return 1
    cases = [c for c in build_cases()
             if not args.filter or any(f in c.name for f in args.filter)]
    if args.list:
        for c in cases:
            print(c.name)
        print(f"{len(cases)} cases")
        return 0
    nskip = 0
    if args.tile_sizes:
        sizes = [int(x) for x in args.tile_sizes.split(",")]
        if len(sizes) > 2 and sizes[2]:
            for c in cases:
                if c.untileable_dim2:
                    print(f"SKIP: {c.name}: {c.untileable_dim2}")
            nskip = sum(1 for c in cases if c.untileable_dim2)
            cases = [c for c in cases if not c.untileable_dim2]
        for c in cases:
            if c.untileable:
                print(f"SKIP: {c.name}: {c.untileable}")
        nskip += sum(1 for c in cases if c.untileable)
        cases = [c for c in cases if not c.untileable]
    funcs, first = [], []
    for c in cases:
        first.append(len(funcs))
        funcs.extend(c.funcs)
    if args.print_module:
        print(H.module_text(funcs, [f"case_{i}" for i in range(len(funcs))]))
        return 0
    if not cases:
        print("no case matches")
        print("0 passed, 0 failed")
        return 1
    opt = H.opt_command(args)
    if args.cpu_pipeline is not None:
        opt = opt[:1] + [f"--hybrid-cpu-pipeline={args.cpu_pipeline}"]
    if args.tile_sizes:
        opt = opt[:1] + [f"--hybrid-tile=tile-sizes={args.tile_sizes}"] + opt[1:]
    if args.decompose:
        opt = opt[:1] + ["--hybrid-decompose"] + opt[1:]
    npass = nfail = 0
    with H.Module(funcs, opt, args.llvm_bin, fork=not args.no_fork,
                  isolate=not args.no_isolate, keep_dir=args.keep,
                  fill="zero" if args.zero_outputs else None) as mod:
        for c, base in zip(cases, first):
            def run(j, inputs=None, _base=base):
                return mod.run(_base + j, inputs)
            try:
                msgs = c.check(run)
            except H.CaseError as e:
                msgs = [str(e)]
            if msgs:
                nfail += 1
                print(f"FAIL: {c.name}")
                for m in msgs:
                    print("    " + m.replace("\n", "\n    "))
            else:
                npass += 1
                if args.verbose:
                    print(f"PASS: {c.name}")
    print(f"{npass} passed, {nfail} failed" + (f", {nskip} skipped" if nskip else ""))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
