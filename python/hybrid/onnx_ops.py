"""Hybrid's custom ONNX ops (domain ``ai.hybrid``): node builders and NumPy references.

ONNX has no op for the selective scan of Mamba-1 and Mamba-2, so Hybrid reads two
in its own domain (``docs/onnx-import.md``): ``SelectiveScan`` in mamba_ssm's
``selective_scan_fn`` layout (Mamba-1) and ``SsmScan`` in the token-major layout of
``mamba_chunk_scan_combined`` (Mamba-2, and Mamba-1 with one channel per head). An
exporter writes them with :func:`selective_scan` or :func:`ssm_scan` and imports the
domain with :func:`opset_import`::

    import onnx
    from onnx import helper
    from hybrid import onnx_ops

    node = onnx_ops.selective_scan("u", "delta", "A", "B", "C", D="D", z="z",
                                   delta_bias="dt_bias", delta_softplus=True,
                                   outputs=("y", "last_state"))
    graph = helper.make_graph([node], "mamba", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23),
                                                    onnx_ops.opset_import()])

:func:`selective_scan_reference` computes SelectiveScan with NumPy, loop by loop (as
mamba_ssm's ``selective_scan_ref`` does), to check compiled results; SsmScan is
``hybrid.ssm_scan`` itself, whose NumPy reference is the spec's
(``test/reference/hybrid_ref.py``, ``ssm_scan``).
"""
from typing import Optional, Sequence, Tuple

import numpy as np
from onnx import NodeProto, OperatorSetIdProto
from onnx import helper

DOMAIN = "ai.hybrid"
VERSION = 1

# SelectiveScan's inputs, in order; the first five are required.
SELECTIVE_SCAN_INPUTS = ("u", "delta", "A", "B", "C", "D", "z", "delta_bias", "initial_state")
# SsmScan's inputs, in order; the first five are required.
SSM_SCAN_INPUTS = ("x", "dt", "A", "B", "C", "D", "z", "dt_bias", "initial_state")


def opset_import() -> OperatorSetIdProto:
    """The opset import a model with ``ai.hybrid`` nodes needs."""
    return helper.make_opsetid(DOMAIN, VERSION)


def selective_scan(u: str, delta: str, A: str, B: str, C: str, D: Optional[str] = None,
                   z: Optional[str] = None, delta_bias: Optional[str] = None,
                   initial_state: Optional[str] = None, *,
                   outputs: Sequence[str] = ("y", "final_state"), delta_softplus: bool = False,
                   name: Optional[str] = None) -> NodeProto:
    """An ``ai.hybrid`` ``SelectiveScan`` node over the named values.

    Shapes (mamba_ssm's ``selective_scan_fn`` layout): u, delta, z ``[B, D, L]``;
    A ``[D, N]``; B, C ``[B, N, L]`` or ``[B, G, N, L]`` (D divisible by G);
    D, delta_bias ``[D]``; initial_state ``[B, D, N]``. Outputs: y ``[B, D, L]`` and,
    when a second name is given, the final state ``[B, D, N]``.
    """
    names = [u, delta, A, B, C, D, z, delta_bias, initial_state]
    for i, n in enumerate(names[:5]):
        if not n:
            raise ValueError(f"SelectiveScan input {SELECTIVE_SCAN_INPUTS[i]} is required")
    while names and names[-1] is None:
        names.pop()
    outputs = list(outputs)
    if not 1 <= len(outputs) <= 2:
        raise ValueError("SelectiveScan has one or two outputs (y, final_state)")
    return helper.make_node("SelectiveScan", ["" if n is None else n for n in names], outputs,
                            name=name, domain=DOMAIN, delta_softplus=int(bool(delta_softplus)))


def _softplus(x):
    # log(1 + exp(x)) without overflow.
    return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))


def selective_scan_reference(u, delta, A, B, C, D=None, z=None, delta_bias=None,
                             initial_state=None, delta_softplus: bool = False
                             ) -> Tuple[np.ndarray, np.ndarray]:
    """``SelectiveScan`` in NumPy (float64 inside), returning ``(y, final_state)``.

    For every batch b, channel d and state n, from ``s = initial_state`` (or 0)::

        dt = delta[b, d, t] + delta_bias[d]       (softplus'd if delta_softplus)
        s[n] = exp(dt * A[d, n]) * s[n] + dt * B[b, g(d), n, t] * u[b, d, t]
        y[b, d, t] = sum_n C[b, g(d), n, t] * s[n] + D[d] * u[b, d, t]
        y[b, d, t] *= silu(z[b, d, t])           (when z is given)

    where ``g(d) = d // (D / G)`` picks the B/C group.
    """
    dtype = np.asarray(u).dtype
    u, delta, A = (np.asarray(a, np.float64) for a in (u, delta, A))
    B, C = np.asarray(B, np.float64), np.asarray(C, np.float64)
    batch, dim, length = u.shape
    n_state = A.shape[1]
    if B.ndim == 3:
        B, C = B[:, None], C[:, None]
    groups = B.shape[1]
    per_group = dim // groups
    dt = delta + (0 if delta_bias is None else np.asarray(delta_bias, np.float64)[None, :, None])
    if delta_softplus:
        dt = _softplus(dt)
    s = (np.zeros((batch, dim, n_state)) if initial_state is None
         else np.array(initial_state, np.float64))
    g = np.arange(dim) // per_group
    y = np.zeros((batch, dim, length))
    for t in range(length):
        bt, ct = B[:, :, :, t][:, g], C[:, :, :, t][:, g]         # [batch, dim, N]
        s = np.exp(dt[:, :, t, None] * A[None]) * s + dt[:, :, t, None] * bt * u[:, :, t, None]
        y[:, :, t] = np.sum(ct * s, axis=-1)
    if D is not None:
        y = y + np.asarray(D, np.float64)[None, :, None] * u
    if z is not None:
        zz = np.asarray(z, np.float64)
        y = y * zz / (1 + np.exp(-zz))
    return y.astype(dtype), s.astype(dtype)


def ssm_scan(x: str, dt: str, A: str, B: str, C: str, D: Optional[str] = None,
             z: Optional[str] = None, dt_bias: Optional[str] = None,
             initial_state: Optional[str] = None, *,
             outputs: Sequence[str] = ("y", "final_state"), dt_softplus: bool = False,
             dt_min: Optional[float] = None, dt_max: Optional[float] = None,
             name: Optional[str] = None) -> NodeProto:
    """An ``ai.hybrid`` ``SsmScan`` node over the named values: Hybrid's
    ``hybrid.ssm_scan`` as an ONNX op.

    Shapes (token-major, as mamba_ssm's ``mamba_chunk_scan_combined``): x, z
    ``[B, L, H, P]``; dt ``[B, L, H]``; A ``[H]`` (Mamba-2) or ``[H, N]``; B, C
    ``[B, L, G, N]`` (H divisible by G); D ``[H]`` or ``[H, P]``; dt_bias ``[H]``;
    initial_state ``[B, H, P, N]``. Outputs: y ``[B, L, H, P]`` and, when a second
    name is given, the final state ``[B, H, P, N]``. ``dt_min``/``dt_max`` clamp the
    step after the softplus.
    """
    names = [x, dt, A, B, C, D, z, dt_bias, initial_state]
    for i, n in enumerate(names[:5]):
        if not n:
            raise ValueError(f"SsmScan input {SSM_SCAN_INPUTS[i]} is required")
    while names and names[-1] is None:
        names.pop()
    outputs = list(outputs)
    if not 1 <= len(outputs) <= 2:
        raise ValueError("SsmScan has one or two outputs (y, final_state)")
    attrs = {"dt_softplus": int(bool(dt_softplus))}
    if dt_min is not None:
        attrs["dt_min"] = float(dt_min)
    if dt_max is not None:
        attrs["dt_max"] = float(dt_max)
    return helper.make_node("SsmScan", ["" if n is None else n for n in names], outputs,
                            name=name, domain=DOMAIN, **attrs)
