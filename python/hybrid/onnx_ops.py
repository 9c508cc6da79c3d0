"""Hybrid's custom ONNX ops (domain ``ai.hybrid``): node builders and NumPy references.

ONNX has no op for Mamba-1's selective scan, so Hybrid reads one in its own domain
(``docs/onnx-import.md``, "The Mamba-1 selective scan"). An exporter writes it with
:func:`selective_scan` and imports the domain with :func:`opset_import`::

    import onnx
    from onnx import helper
    from hybrid import onnx_ops

    node = onnx_ops.selective_scan("u", "delta", "A", "B", "C", D="D", z="z",
                                   delta_bias="dt_bias", delta_softplus=True,
                                   outputs=("y", "last_state"))
    graph = helper.make_graph([node], "mamba", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23),
                                                    onnx_ops.opset_import()])

:func:`selective_scan_reference` computes the op with NumPy, loop by loop (as
mamba_ssm's ``selective_scan_ref`` does), to check compiled results.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
from onnx import NodeProto, OperatorSetIdProto
from onnx import helper

DOMAIN = "ai.hybrid"
VERSION = 1

# SelectiveScan's inputs, in order; the first five are required.
SELECTIVE_SCAN_INPUTS = ("u", "delta", "A", "B", "C", "D", "z", "delta_bias", "initial_state")


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
