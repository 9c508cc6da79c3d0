"""NumPy references of the hybrid ops, written from shared/spec/hybrid-ops.md.

Everything is computed in float64 from whatever the inputs are (callers pass the
values the kernel really sees, e.g. already rounded to f16/bf16).  Float attributes
of the dialect are f32 attributes: pass their f32-rounded values (see `f32`).
"""

import math

import numpy as np


def f32(x):
    """The value an MLIR f32 attribute really holds."""
    return None if x is None else float(np.float32(x))


def _f(a):
    return None if a is None else np.asarray(a, dtype=np.float64)


def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))),
                    np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


def silu(x):
    return x * sigmoid(x)


def softplus(x):
    # log(1 + exp(x)), stably
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x):
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def relu(x):
    return np.maximum(x, 0.0)


# ----------------------------------------------------------------------------
# 1. attention
# ----------------------------------------------------------------------------

def attention(q, k, v, mask=None, scale=None, causal=False, window_left=-1,
              window_right=-1, softcap=0.0):
    """q [B,Hq,Sq,Dk], k [B,Hkv,Skv,Dk], v [B,Hkv,Skv,Dv] -> o [B,Hq,Sq,Dv].

    mask: None, a bool array (True = may attend) or a float array (added after the
    softcap), broadcastable (numpy rules) to [B,Hq,Sq,Skv]."""
    q, k, v = _f(q), _f(k), _f(v)
    B, Hq, Sq, Dk = q.shape
    Hkv, Skv = k.shape[1], k.shape[2]
    assert Hq % Hkv == 0
    g = Hq // Hkv
    if scale is None:
        scale = 1.0 / math.sqrt(Dk)
    kk = np.repeat(k, g, axis=1)          # query head h reads kv head h // g
    vv = np.repeat(v, g, axis=1)
    s = scale * np.einsum("bhid,bhjd->bhij", q, kk)
    if softcap and softcap > 0:
        s = softcap * np.tanh(s / softcap)
    i = np.arange(Sq)[:, None]
    j = np.arange(Skv)[None, :]
    p = Skv - Sq + i
    allowed = np.ones((Sq, Skv), dtype=bool)
    if causal:
        allowed &= j <= p
    if window_left is not None and window_left >= 0:
        allowed &= j >= p - window_left
    if window_right is not None and window_right >= 0:
        allowed &= j <= p + window_right
    allowed = np.broadcast_to(allowed, s.shape).copy()
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            allowed &= np.broadcast_to(mask, s.shape)
        else:
            s = s + np.broadcast_to(mask.astype(np.float64), s.shape)
    s = np.where(allowed, s, -np.inf)
    m = np.max(s, axis=-1, keepdims=True)
    finite = np.isfinite(m)
    e = np.where(np.isneginf(s), 0.0, np.exp(s - np.where(finite, m, 0.0)))
    den = e.sum(axis=-1, keepdims=True)
    pr = np.where(finite & (den > 0), e / np.where(den > 0, den, 1.0), 0.0)
    return np.einsum("bhij,bhjd->bhid", pr, vv)


# ----------------------------------------------------------------------------
# 2. ssm_scan
# ----------------------------------------------------------------------------

def ssm_scan(x, dt, A, Bm, Cm, D=None, z=None, dt_bias=None, initial_state=None,
             dt_softplus=False, dt_min=None, dt_max=None):
    """Returns (y [B,L,H,P], final_state [B,H,P,N])."""
    x, dt, A, Bm, Cm = _f(x), _f(dt), _f(A), _f(Bm), _f(Cm)
    Bsz, L, H, P = x.shape
    G, N = Bm.shape[2], Bm.shape[3]
    assert H % G == 0
    grp = np.arange(H) // (H // G)
    Bh = Bm[:, :, grp, :]                    # [B,L,H,N]
    Ch = Cm[:, :, grp, :]
    delta = dt.copy()
    if dt_bias is not None:
        delta = delta + _f(dt_bias)[None, None, :]
    if dt_softplus:
        delta = softplus(delta)
    if dt_min is not None:
        delta = np.maximum(delta, dt_min)
    if dt_max is not None:
        delta = np.minimum(delta, dt_max)
    Af = np.broadcast_to(A[:, None], (H, N)) if A.ndim == 1 else A
    if D is not None:
        D = _f(D)
        Df = np.broadcast_to(D[:, None], (H, P)) if D.ndim == 1 else D
    s = (np.zeros((Bsz, H, P, N)) if initial_state is None
         else _f(initial_state).copy())
    y = np.zeros((Bsz, L, H, P))
    for t in range(L):
        d = delta[:, t]                                   # [B,H]
        dA = np.exp(d[:, :, None] * Af[None])             # [B,H,N]
        s = (dA[:, :, None, :] * s
             + (d[:, :, None] * Bh[:, t])[:, :, None, :] * x[:, t][:, :, :, None])
        yt = np.einsum("bhpn,bhn->bhp", s, Ch[:, t])
        if D is not None:
            yt = yt + Df[None] * x[:, t]
        y[:, t] = yt
    if z is not None:
        y = y * silu(_f(z))
    return y, s


# ----------------------------------------------------------------------------
# 3. linear_attention
# ----------------------------------------------------------------------------

def linear_attention(rule, q, k, v, decay=None, beta=None, initial_state=None,
                     scale=None):
    """rule in linear|gated|delta|gated_delta. Returns (o [B,T,Hq,Dv], S [B,Hkv,Dk,Dv])."""
    q, k, v = _f(q), _f(k), _f(v)
    Bsz, T, Hq, Dk = q.shape
    Hkv, Dv = k.shape[2], v.shape[3]
    assert Hq % Hkv == 0
    g = Hq // Hkv
    if scale is None:
        scale = 1.0 / math.sqrt(Dk)
    gated = rule in ("gated", "gated_delta")
    deltar = rule in ("delta", "gated_delta")
    assert rule in ("linear", "gated", "delta", "gated_delta")
    if gated:
        decay = _f(decay)
    if deltar:
        beta = _f(beta)
    S = (np.zeros((Bsz, Hkv, Dk, Dv)) if initial_state is None
         else _f(initial_state).copy())
    o = np.zeros((Bsz, T, Hq, Dv))
    head = np.arange(Hq) // g
    for t in range(T):
        kt, vt = k[:, t], v[:, t]                         # [B,Hkv,Dk], [B,Hkv,Dv]
        if gated:
            f = np.exp(decay[:, t])
            S = S * (f[:, :, None, None] if f.ndim == 2 else f[:, :, :, None])
        if deltar:
            pred = np.einsum("bhkv,bhk->bhv", S, kt)
            S = S + beta[:, t][:, :, None, None] * (kt[:, :, :, None]
                                                     * (vt - pred)[:, :, None, :])
        else:
            S = S + kt[:, :, :, None] * vt[:, :, None, :]
        o[:, t] = scale * np.einsum("bhkv,bhk->bhv", S[:, head], q[:, t])
    return o, S


# ----------------------------------------------------------------------------
# 4. causal_conv1d
# ----------------------------------------------------------------------------

def causal_conv1d(x, weight, bias=None, initial_state=None, activation="none"):
    """x [B,C,L], weight [C,K] -> (y [B,C,L], final_state [B,C,K-1])."""
    x, weight = _f(x), _f(weight)
    Bsz, C, L = x.shape
    K = weight.shape[1]
    init = (np.zeros((Bsz, C, K - 1)) if initial_state is None
            else _f(initial_state))
    xp = np.concatenate([init, x], axis=2)
    y = np.zeros((Bsz, C, L))
    for j in range(K):
        y += weight[None, :, j, None] * xp[:, :, j:j + L]
    if bias is not None:
        y += _f(bias)[None, :, None]
    if activation == "silu":
        y = silu(y)
    else:
        assert activation == "none"
    return y, xp[:, :, L:L + K - 1].copy()


# ----------------------------------------------------------------------------
# 5. moe
# ----------------------------------------------------------------------------

def moe_route(router_logits, top_k, scoring="softmax", normalize=False, scaling=1.0,
              selection_bias=None):
    """Returns (ids [T,top_k] int64, weights [T,top_k] float64)."""
    lg = _f(router_logits)
    if scoring == "softmax":
        e = np.exp(lg - lg.max(axis=-1, keepdims=True))
        scores = e / e.sum(axis=-1, keepdims=True)
    else:
        assert scoring == "sigmoid"
        scores = sigmoid(lg)
    sel_key = scores if selection_bias is None else scores + _f(selection_bias)[None]
    order = np.argsort(-sel_key, axis=-1, kind="stable")   # ties: lower index first
    ids = order[:, :top_k].astype(np.int64)
    w = np.take_along_axis(scores, ids, axis=-1)
    if normalize:
        w = w / w.sum(axis=-1, keepdims=True)
    return ids, w * scaling


def expert_hidden(xe, e, w_up, w_gate=None, b_gate=None, b_up=None, activation="swiglu"):
    """h_e(x) for rows xe [n,Hd] of expert e."""
    up = xe @ w_up[e].T
    if b_up is not None:
        up = up + b_up[e]
    if activation in ("swiglu", "geglu"):
        gate = xe @ w_gate[e].T
        if b_gate is not None:
            gate = gate + b_gate[e]
        return (silu(gate) if activation == "swiglu" else gelu(gate)) * up
    return {"silu": silu, "gelu": gelu, "relu": relu}[activation](up)


def moe(x, router_logits, w_up, w_down, top_k, scoring="softmax", activation="swiglu",
        w_gate=None, selection_bias=None, b_gate=None, b_up=None, b_down=None,
        normalize=False, scaling=1.0):
    x, w_up, w_down = _f(x), _f(w_up), _f(w_down)
    w_gate, b_gate, b_up, b_down = _f(w_gate), _f(b_gate), _f(b_up), _f(b_down)
    T, Hd = x.shape
    ids, w = moe_route(router_logits, top_k, scoring, normalize, scaling, selection_bias)
    y = np.zeros((T, Hd))
    for t in range(T):
        for kk in range(top_k):
            e = ids[t, kk]
            h = expert_hidden(x[t:t + 1], e, w_up, w_gate, b_gate, b_up, activation)
            out = h @ w_down[e].T
            if b_down is not None:
                out = out + b_down[e]
            y[t] += w[t, kk] * out[0]
    return y


# ----------------------------------------------------------------------------
# 6. routed form
# ----------------------------------------------------------------------------

def moe_dispatch(x, ids, num_experts):
    """-> (rows [T*K,Hd], offsets [E+1] int64, sources [T*K] int64)."""
    x = np.asarray(x)
    ids = np.asarray(ids).astype(np.int64)
    T, K = ids.shape
    flat = ids.reshape(-1)
    assert np.all((flat >= 0) & (flat < num_experts))
    order = np.argsort(flat, kind="stable")
    rows = x[order // K]
    counts = np.bincount(flat, minlength=num_experts)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return rows, offsets, order.astype(np.int64)


def grouped_matmul(rows, weights, offsets):
    rows, weights = _f(rows), _f(weights)
    offsets = np.asarray(offsets).astype(np.int64)
    M = rows.shape[0]
    E, N = weights.shape[0], weights.shape[1]
    out = np.zeros((M, N))
    for e in range(E):
        lo, hi = int(offsets[e]), int(offsets[e + 1])
        if hi > lo:
            out[lo:hi] = rows[lo:hi] @ weights[e].T
    return out


def moe_combine(expert_out, sources, weights):
    expert_out, weights = _f(expert_out), _f(weights)
    sources = np.asarray(sources).astype(np.int64)
    T, K = weights.shape
    y = np.zeros((T, expert_out.shape[1]))
    np.add.at(y, sources // K, weights[sources // K, sources % K][:, None] * expert_out)
    return y


def moe_routed(x, router_logits, w_up, w_down, top_k, scoring="softmax",
               activation="swiglu", w_gate=None, selection_bias=None, b_gate=None,
               b_up=None, b_down=None, normalize=False, scaling=1.0, gmm=None,
               dispatch=None, combine=None):
    """moe through dispatch -> grouped matmuls -> combine.  gmm/dispatch/combine may
    be replaced (e.g. by compiled kernels); they default to the references."""
    gmm = gmm or grouped_matmul
    dispatch = dispatch or moe_dispatch
    combine = combine or moe_combine
    x, w_up, w_down = _f(x), _f(w_up), _f(w_down)
    w_gate, b_gate, b_up, b_down = _f(w_gate), _f(b_gate), _f(b_up), _f(b_down)
    E = w_up.shape[0]
    ids, w = moe_route(router_logits, top_k, scoring, normalize, scaling, selection_bias)
    rows, offsets, src = dispatch(x, ids, E)
    expert_of_row = np.searchsorted(offsets, np.arange(rows.shape[0]), side="right") - 1
    up = gmm(rows, w_up, offsets)
    if b_up is not None:
        up = up + b_up[expert_of_row]
    if activation in ("swiglu", "geglu"):
        gate = gmm(rows, w_gate, offsets)
        if b_gate is not None:
            gate = gate + b_gate[expert_of_row]
        h = (silu(gate) if activation == "swiglu" else gelu(gate)) * up
    else:
        h = {"silu": silu, "gelu": gelu, "relu": relu}[activation](up)
    out = gmm(h, w_down, offsets)
    if b_down is not None:
        out = out + b_down[expert_of_row]
    return combine(out, src, w)


# ----------------------------------------------------------------------------
# supporting ops
# ----------------------------------------------------------------------------

def rms_norm(x, weight, z=None, epsilon=f32(1e-6), group_size=None,
             gate_before_norm=False):
    x, weight = _f(x), _f(weight)
    D = x.shape[-1]
    gs = D if group_size is None else group_size
    assert D % gs == 0
    u = x * silu(_f(z)) if (z is not None and gate_before_norm) else x
    ug = u.reshape(u.shape[:-1] + (D // gs, gs))
    y = ug / np.sqrt(np.mean(ug * ug, axis=-1, keepdims=True) + epsilon)
    y = y.reshape(u.shape) * weight
    if z is not None and not gate_before_norm:
        y = y * silu(_f(z))
    return y


def rotary(x, cos, sin, interleaved=False, rotary_dim=None):
    """x [B,H,S,D], cos/sin [B or 1, S, R/2]."""
    x, cos, sin = _f(x), _f(cos), _f(sin)
    R = 2 * cos.shape[2] if rotary_dim is None else rotary_dim
    h = R // 2
    c = cos[:, None, :, :h]
    s = sin[:, None, :, :h]
    out = x.copy()
    if interleaved:
        x0, x1 = x[..., 0:R:2], x[..., 1:R:2]
        out[..., 0:R:2] = x0 * c - x1 * s
        out[..., 1:R:2] = x1 * c + x0 * s
    else:
        x0, x1 = x[..., :h], x[..., h:R]
        out[..., :h] = x0 * c - x1 * s
        out[..., h:R] = x1 * c + x0 * s
    return out


# ----------------------------------------------------------------------------
# self-consistency checks (pure numpy)
# ----------------------------------------------------------------------------

def _self_check():
    rng = np.random.default_rng(1)
    T, Hd, I, E = 7, 6, 5, 4
    x = rng.standard_normal((T, Hd))
    lg = rng.standard_normal((T, E))
    wu, wg = rng.standard_normal((2, E, I, Hd))
    wd = rng.standard_normal((E, Hd, I))
    bg, bu = rng.standard_normal((2, E, I))
    bd = rng.standard_normal((E, Hd))
    sb = rng.standard_normal(E)
    for act in ("swiglu", "geglu", "silu", "gelu", "relu"):
        for scoring in ("softmax", "sigmoid"):
            for k in (1, 2, E):
                kw = dict(top_k=k, scoring=scoring, activation=act, w_gate=wg,
                          selection_bias=sb, b_gate=bg, b_up=bu, b_down=bd,
                          normalize=True, scaling=f32(1.7))
                a = moe(x, lg, wu, wd, **kw)
                b = moe_routed(x, lg, wu, wd, **kw)
                assert np.allclose(a, b, rtol=1e-12, atol=1e-12), (act, scoring, k)
    # ties: lower expert index first
    ids, _ = moe_route(np.zeros((1, 4)), 2)
    assert list(ids[0]) == [0, 1]
    # linear attention: gated with decay 0 == linear, delta with beta... sanity
    q, kk, v = rng.standard_normal((3, 1, 5, 2, 4))
    o1, s1 = linear_attention("linear", q, kk, v)
    o2, s2 = linear_attention("gated", q, kk, v, decay=np.zeros((1, 5, 2)))
    o3, s3 = linear_attention("gated", q, kk, v, decay=np.zeros((1, 5, 2, 4)))
    assert np.allclose(o1, o2) and np.allclose(s1, s3) and np.allclose(o1, o3)
    # Mamba-2 head == gated linear attention (spec section 3)
    Bsz, L, H, P, N = 1, 6, 2, 3, 4
    xx = rng.standard_normal((Bsz, L, H, P))
    dt = rng.standard_normal((Bsz, L, H))
    A = -np.exp(rng.standard_normal(H))
    Bm, Cm = rng.standard_normal((2, Bsz, L, 1, N))
    y, st = ssm_scan(xx, dt, A, Bm, Cm, dt_softplus=True)
    delta = softplus(dt)
    for h in range(H):
        o, s = linear_attention(
            "gated", Cm[:, :, 0:1, :], Bm[:, :, 0:1, :], (delta[:, :, h, None] * xx[:, :, h])
            [:, :, None, :], decay=(delta[:, :, h] * A[h])[:, :, None], scale=1.0)
        assert np.allclose(o[:, :, 0], y[:, :, h])
        assert np.allclose(s[:, 0].transpose(0, 2, 1), st[:, h])
    # attention: full mask == no mask
    q = rng.standard_normal((1, 2, 3, 4))
    kk = rng.standard_normal((1, 1, 5, 4))
    v = rng.standard_normal((1, 1, 5, 3))
    assert np.allclose(attention(q, kk, v), attention(q, kk, v, mask=np.ones((3, 5), bool)))
    assert np.allclose(attention(q, kk, v, mask=np.zeros((3, 5))), attention(q, kk, v))
    o = attention(q, kk, v, mask=np.full((3, 5), -np.inf))
    assert np.all(o == 0)
    # causal conv: state chaining
    xc = rng.standard_normal((2, 3, 9))
    wc = rng.standard_normal((3, 4))
    y_all, s_all = causal_conv1d(xc, wc, activation="silu")
    y1, s1 = causal_conv1d(xc[:, :, :5], wc, activation="silu")
    y2, s2 = causal_conv1d(xc[:, :, 5:], wc, initial_state=s1, activation="silu")
    assert np.allclose(np.concatenate([y1, y2], 2), y_all) and np.allclose(s2, s_all)
    return True


if __name__ == "__main__":
    _self_check()
    print("hybrid_ref self-check OK")
