//===- HybridOps.td - hybrid dialect ops -------------------*- tablegen -*-===//
//
// One op per section of shared/spec/hybrid-ops.md plus the supporting ops
// (rms_norm, rotary). Constraints are numbered `<op>_cN`; the verifiers in
// HybridVerifiers.cpp cite them and test/Dialect/Hybrid/invalid.mlir has a
// negative test named after each.
//
//===----------------------------------------------------------------------===//

#ifndef HYBRID_OPS_TD
#define HYBRID_OPS_TD

include "dialects/Hybrid/IR/HybridDialect.td"
include "mlir/Dialect/Linalg/IR/LinalgInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/TilingInterface.td"

class Hybrid_Op<string mnemonic, list<Trait> traits = []> :
    Op<Hybrid_Dialect, mnemonic, traits>;

// Base class of every hybrid op: destination-passing style over tensors or memrefs,
// tileable, shape-reifiable, verified. `outputs` are the destinations. Ops with
// optional operands add AttrSizedOperandSegments.
class Hybrid_DpsOp<string mnemonic, list<Trait> traits = []> :
    Hybrid_Op<mnemonic, !listconcat([
      DestinationStyleOpInterface,
      DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
      DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>,
      DeclareOpInterfaceMethods<TilingInterface,
        ["getIterationDomain", "getLoopIteratorTypes", "getResultTilePosition",
         "getTiledImplementation", "generateResultTileValue",
         "generateScalarImplementation"]>
    ], traits)> {
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let hasVerifier = 1;
  code baseClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getOutputsMutable(); }
  }];
  let extraClassDeclaration = baseClassDeclaration;
}

//===----------------------------------------------------------------------===//
// attention (spec section 1)
//===----------------------------------------------------------------------===//

def Hybrid_AttentionOp : Hybrid_DpsOp<"attention", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>]> {
  let summary = "multi-head, grouped-query and multi-query softmax attention";
  let description = [{
    Computes `o = softmax(scale * q k^T [softcapped] [+ mask]) v` per query head,
    where query head `h` reads key/value head `h / (Hq / Hkv)`.

    | operand | shape |
    |---|---|
    | q | [B, Hq, Sq, Dk] |
    | k | [B, Hkv, Skv, Dk] |
    | v | [B, Hkv, Skv, Dv] |
    | mask (optional) | broadcastable to [B, Hq, Sq, Skv]; i1 (true = may attend) or float (added) |
    | outputs | [B, Hq, Sq, Dv] |

    Query row `i` sits at absolute position `p(i) = Skv - Sq + i` (bottom-right
    alignment). Key `j` is allowed when `!causal || j <= p(i)`, `window_left < 0 ||
    j >= p(i) - window_left`, `window_right < 0 || j <= p(i) + window_right` and the
    boolean mask allows it. `scale` defaults to `1/sqrt(Dk)`; `softcap > 0` applies
    `softcap * tanh(s / softcap)` before the float mask. A row with no allowed key
    gives zeros.

    Tiling: the iteration domain is `[B, Hq, Sq]`. Head tiles must be multiples or
    divisors of the group size `Hq / Hkv`; query tiles of a causal op slice the keys
    so the tile keeps its absolute positions.

    Example:

    ```mlir
    %o = hybrid.attention ins(%q, %k, %v : tensor<1x8x128x64xf16>,
                              tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>)
           outs(%init : tensor<1x8x128x64xf16>) {causal, window_left = 64 : i64}
           -> tensor<1x8x128x64xf16>
    ```
  }];
  let arguments = (ins AnyShaped:$q, AnyShaped:$k, AnyShaped:$v,
                       Optional<AnyShaped>:$mask,
                       Variadic<AnyShaped>:$outputs,
                       OptionalAttr<F32Attr>:$scale,
                       UnitAttr:$causal,
                       DefaultValuedAttr<I64Attr, "-1">:$window_left,
                       DefaultValuedAttr<I64Attr, "-1">:$window_right,
                       DefaultValuedAttr<F32Attr, "0.0f">:$softcap);
  let assemblyFormat = [{
    `ins` `(` $q `,` $k `,` $v `:` type($q) `,` type($k) `,` type($v) `)`
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

//===----------------------------------------------------------------------===//
// ssm_scan (spec section 2)
//===----------------------------------------------------------------------===//

def Hybrid_SsmScanOp : Hybrid_DpsOp<"ssm_scan", [AttrSizedOperandSegments]> {
  let summary = "selective state-space scan (Mamba-1 and Mamba-2)";
  let description = [{
    For every batch `b`, head `h`, channel `p` and state `n`, with the state starting
    at `initial_state` (or zero), for `t = 0 .. L-1`:

    ```
    delta = dt[b,t,h] + dt_bias[h];  softplus if dt_softplus;  clamp to [dt_min, dt_max]
    s[p,n] = exp(delta * A[h(,n)]) * s[p,n] + delta * Bm[b,t,g(h),n] * x[b,t,h,p]
    y[b,t,h,p] = sum_n Cm[b,t,g(h),n] * s[p,n] + D[h(,p)] * x[b,t,h,p]   (* silu(z))
    ```

    | operand | shape |
    |---|---|
    | x | [B, L, H, P] |
    | dt | [B, L, H] |
    | A | [H] (Mamba-2) or [H, N] (Mamba-1) |
    | Bm, Cm | [B, L, G, N], H % G == 0 |
    | D (optional) | [H] or [H, P] |
    | z (optional) | [B, L, H, P] |
    | dt_bias (optional) | [H] |
    | initial_state (optional) | [B, H, P, N] |
    | outputs | y [B, L, H, P], final_state [B, H, P, N] |

    The iteration domain is `[B, H, P]` (all parallel); the time loop is sequential
    inside each point. Head tiles must be multiples or divisors of `H / G`.

    Example:

    ```mlir
    %y, %s = hybrid.ssm_scan ins(%x, %dt, %A, %B, %C : tensor<1x64x8x32xf32>,
                 tensor<1x64x8xf32>, tensor<8xf32>, tensor<1x64x1x16xf32>,
                 tensor<1x64x1x16xf32>)
               D(%D : tensor<8xf32>) dt_bias(%bias : tensor<8xf32>)
               outs(%y0, %s0 : tensor<1x64x8x32xf32>, tensor<1x8x32x16xf32>)
               {dt_softplus} -> tensor<1x64x8x32xf32>, tensor<1x8x32x16xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$x, AnyShaped:$dt, AnyShaped:$A, AnyShaped:$Bm,
                       AnyShaped:$Cm,
                       Optional<AnyShaped>:$D, Optional<AnyShaped>:$z,
                       Optional<AnyShaped>:$dt_bias,
                       Optional<AnyShaped>:$initial_state,
                       Variadic<AnyShaped>:$outputs,
                       UnitAttr:$dt_softplus,
                       OptionalAttr<F32Attr>:$dt_min,
                       OptionalAttr<F32Attr>:$dt_max);
  let assemblyFormat = [{
    `ins` `(` $x `,` $dt `,` $A `,` $Bm `,` $Cm `:` type($x) `,` type($dt) `,`
              type($A) `,` type($Bm) `,` type($Cm) `)`
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`dt_bias` `(` $dt_bias^ `:` type($dt_bias) `)`)?
    (`initial_state` `(` $initial_state^ `:` type($initial_state) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

//===----------------------------------------------------------------------===//
// linear_attention (spec section 3)
//===----------------------------------------------------------------------===//

def Hybrid_LinearAttentionOp : Hybrid_DpsOp<"linear_attention", [AttrSizedOperandSegments]> {
  let summary = "gated / delta-rule linear attention recurrence";
  let description = [{
    Per batch and key/value head, with `S` [Dk, Dv] starting at `initial_state` (or
    zero) and `f = exp(decay_t)` (a scalar, or a per-row [Dk] factor):

    ```
    linear:      S = S + outer(k_t, v_t)
    gated:       S = f * S + outer(k_t, v_t)
    delta:       S = S + beta_t * outer(k_t, v_t - S^T k_t)
    gated_delta: S' = f * S;  S = S' + beta_t * outer(k_t, v_t - S'^T k_t)
    o_t[hq] = scale * S^T q_t[hq]   for every query head hq reading this kv head
    ```

    | operand | shape |
    |---|---|
    | q | [B, T, Hq, Dk] |
    | k | [B, T, Hkv, Dk] |
    | v | [B, T, Hkv, Dv] |
    | decay (gated rules) | [B, T, Hkv] or [B, T, Hkv, Dk] |
    | beta (delta rules) | [B, T, Hkv] |
    | initial_state (optional) | [B, Hkv, Dk, Dv] |
    | outputs | o [B, T, Hq, Dv], final_state [B, Hkv, Dk, Dv] |

    The iteration domain is `[B, Hkv, Dv]`: each column of the state evolves on
    its own under all four rules.

    Example:

    ```mlir
    %o, %s = hybrid.linear_attention gated_delta
               ins(%q, %k, %v : tensor<1x32x4x64xf32>, tensor<1x32x2x64xf32>,
                   tensor<1x32x2x64xf32>)
               decay(%g : tensor<1x32x2xf32>) beta(%b : tensor<1x32x2xf32>)
               outs(%o0, %s0 : tensor<1x32x4x64xf32>, tensor<1x2x64x64xf32>)
               -> tensor<1x32x4x64xf32>, tensor<1x2x64x64xf32>
    ```
  }];
  let arguments = (ins Hybrid_UpdateRuleAttr:$update_rule,
                       AnyShaped:$q, AnyShaped:$k, AnyShaped:$v,
                       Optional<AnyShaped>:$decay, Optional<AnyShaped>:$beta,
                       Optional<AnyShaped>:$initial_state,
                       Variadic<AnyShaped>:$outputs,
                       OptionalAttr<F32Attr>:$scale);
  let assemblyFormat = [{
    $update_rule
    `ins` `(` $q `,` $k `,` $v `:` type($q) `,` type($k) `,` type($v) `)`
    (`decay` `(` $decay^ `:` type($decay) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`initial_state` `(` $initial_state^ `:` type($initial_state) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

//===----------------------------------------------------------------------===//
// causal_conv1d (spec section 4)
//===----------------------------------------------------------------------===//

def Hybrid_CausalConv1dOp : Hybrid_DpsOp<"causal_conv1d", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>]> {
  let summary = "depthwise causal 1-D convolution with carried state";
  let description = [{
    ```
    xp = concat(initial_state or zeros, x, axis = 2)            ; [B, C, K-1+L]
    y[b,c,t] = act(bias[c] + sum_{j<K} weight[c,j] * xp[b,c,t+j])
    final_state = xp[:, :, L : L+K-1]
    ```

    | operand | shape |
    |---|---|
    | x | [B, C, L] |
    | weight | [C, K] |
    | bias (optional) | [C] |
    | initial_state (optional) | [B, C, K-1] |
    | outputs | y [B, C, L], final_state [B, C, K-1] |

    `activation` is `none` or `silu`. The iteration domain is `[B, C]`.

    Example:

    ```mlir
    %y, %s = hybrid.causal_conv1d silu
               ins(%x, %w : tensor<1x256x64xf32>, tensor<256x4xf32>)
               bias(%b : tensor<256xf32>)
               outs(%y0, %s0 : tensor<1x256x64xf32>, tensor<1x256x3xf32>)
               -> tensor<1x256x64xf32>, tensor<1x256x3xf32>
    ```
  }];
  let arguments = (ins Hybrid_ActivationAttr:$activation,
                       AnyShaped:$x, AnyShaped:$weight,
                       Optional<AnyShaped>:$bias,
                       Optional<AnyShaped>:$initial_state,
                       Variadic<AnyShaped>:$outputs);
  let assemblyFormat = [{
    $activation
    `ins` `(` $x `,` $weight `:` type($x) `,` type($weight) `)`
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`initial_state` `(` $initial_state^ `:` type($initial_state) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

//===----------------------------------------------------------------------===//
// moe (spec section 5)
//===----------------------------------------------------------------------===//

def Hybrid_MoeOp : Hybrid_DpsOp<"moe", [AttrSizedOperandSegments]> {
  let summary = "routed mixture-of-experts feed-forward layer";
  let description = [{
    ```
    scores = softmax(router_logits) or sigmoid(router_logits)
    sel(t) = top_k experts by scores[t] + selection_bias   (ties: lower index)
    w(t,e) = scores[t,e] (normalized over sel(t) if `normalize`) * scaling
    h_e(x) = swiglu: silu(gate) * up | geglu: gelu(gate) * up | silu/gelu/relu: act(up)
             with gate = w_gate[e] x + b_gate[e], up = w_up[e] x + b_up[e]
    y[t] = sum_{e in sel(t)} w(t,e) * (w_down[e] h_e(x[t]) + b_down[e])
    ```

    | operand | shape |
    |---|---|
    | x | [T, Hd] |
    | router_logits | [T, E] |
    | w_up | [E, I, Hd] |
    | w_down | [E, Hd, I] |
    | w_gate (swiglu, geglu) | [E, I, Hd] |
    | selection_bias (optional) | [E] |
    | b_gate, b_up (optional) | [E, I] |
    | b_down (optional) | [E, Hd] |
    | outputs | [T, Hd] |

    The iteration domain is `[T]`. The routing pass (`hybrid-route-moe`) lowers
    this op into `moe_topk`, `moe_dispatch`, `grouped_matmul` and `moe_combine`.

    Example:

    ```mlir
    %y = hybrid.moe top_k(2) scoring = softmax activation = swiglu
           ins(%x, %logits, %w_up, %w_down : tensor<16x64xf32>, tensor<16x8xf32>,
               tensor<8x128x64xf32>, tensor<8x64x128xf32>)
           w_gate(%w_gate : tensor<8x128x64xf32>)
           outs(%init : tensor<16x64xf32>) {normalize} -> tensor<16x64xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$x, AnyShaped:$router_logits,
                       AnyShaped:$w_up, AnyShaped:$w_down,
                       Optional<AnyShaped>:$w_gate,
                       Optional<AnyShaped>:$selection_bias,
                       Optional<AnyShaped>:$b_gate,
                       Optional<AnyShaped>:$b_up,
                       Optional<AnyShaped>:$b_down,
                       Variadic<AnyShaped>:$outputs,
                       I64Attr:$top_k,
                       Hybrid_ScoringAttr:$scoring,
                       Hybrid_ActivationAttr:$activation,
                       UnitAttr:$normalize,
                       DefaultValuedAttr<F32Attr, "1.0f">:$scaling);
  let assemblyFormat = [{
    `top_k` `(` $top_k `)` `scoring` `=` `` $scoring `activation` `=` `` $activation
    `ins` `(` $x `,` $router_logits `,` $w_up `,` $w_down `:` type($x) `,`
              type($router_logits) `,` type($w_up) `,` type($w_down) `)`
    (`w_gate` `(` $w_gate^ `:` type($w_gate) `)`)?
    (`selection_bias` `(` $selection_bias^ `:` type($selection_bias) `)`)?
    (`b_gate` `(` $b_gate^ `:` type($b_gate) `)`)?
    (`b_up` `(` $b_up^ `:` type($b_up) `)`)?
    (`b_down` `(` $b_down^ `:` type($b_down) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

//===----------------------------------------------------------------------===//
// The routed form (spec section 6)
//===----------------------------------------------------------------------===//

def Hybrid_MoeTopkOp : Hybrid_DpsOp<"moe_topk", [AttrSizedOperandSegments]> {
  let summary = "router scores and top-k expert selection";
  let description = [{
    The routing step of `hybrid.moe`, on its own so that the routing pass can
    feed `moe_dispatch` and `moe_combine`:

    ```
    scores = softmax(router_logits) or sigmoid(router_logits)   (per token)
    sel(t) = top_k experts by scores[t] + selection_bias   (ties: lower index)
    w(t,e) = scores[t,e] (normalized over sel(t) if `normalize`) * scaling
    ```

    `expert_ids[t, j]` is the j-th selected expert of token `t` (in order of
    decreasing biased score) and `weights[t, j]` its weight. `top_k` is the
    second dimension of both results.

    | operand | shape |
    |---|---|
    | router_logits | [T, E] |
    | selection_bias (optional) | [E] |
    | outputs | expert_ids [T, top_k] (integer), weights [T, top_k] (float) |

    The iteration domain is `[T]`.

    Example:

    ```mlir
    %ids, %w = hybrid.moe_topk scoring = softmax
        ins(%logits : tensor<16x8xf32>)
        outs(%i0, %w0 : tensor<16x2xi64>, tensor<16x2xf32>) {normalize}
        -> tensor<16x2xi64>, tensor<16x2xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$router_logits,
                       Optional<AnyShaped>:$selection_bias,
                       Variadic<AnyShaped>:$outputs,
                       Hybrid_ScoringAttr:$scoring,
                       UnitAttr:$normalize,
                       DefaultValuedAttr<F32Attr, "1.0f">:$scaling);
  let assemblyFormat = [{
    `scoring` `=` `` $scoring
    `ins` `(` $router_logits `:` type($router_logits) `)`
    (`selection_bias` `(` $selection_bias^ `:` type($selection_bias) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

def Hybrid_MoeDispatchOp : Hybrid_DpsOp<"moe_dispatch"> {
  let summary = "group token rows by expert (dropless)";
  let description = [{
    Given tokens `x` [T, Hd] and the experts chosen for them `expert_ids`
    [T, top_k], writes

    - `rows` [T*top_k, Hd]: the token rows grouped by expert in ascending expert
      order, stable in token order;
    - `offsets` [num_experts + 1]: the first row of each expert's group, with
      `offsets[0] = 0` and `offsets[num_experts] = T*top_k`;
    - `sources` [T*top_k]: for every row, the flat assignment index
      `t * top_k + slot` it came from (its token is `sources[r] / top_k`).

    An expert id outside `[0, num_experts)` is a run-time error (an assertion in
    the generated code). Routing is data-dependent, so the op has an empty
    iteration domain and is not tiled.

    Example:

    ```mlir
    %rows, %offsets, %src = hybrid.moe_dispatch num_experts(8)
        ins(%x, %ids : tensor<16x64xf32>, tensor<16x2xi64>)
        outs(%r0, %o0, %s0 : tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>)
        -> tensor<32x64xf32>, tensor<9xi64>, tensor<32xi64>
    ```
  }];
  let arguments = (ins AnyShaped:$x, AnyShaped:$expert_ids,
                       Variadic<AnyShaped>:$outputs,
                       I64Attr:$num_experts);
  let assemblyFormat = [{
    `num_experts` `(` $num_experts `)`
    `ins` `(` $x `,` $expert_ids `:` type($x) `,` type($expert_ids) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

def Hybrid_GroupedMatmulOp : Hybrid_DpsOp<"grouped_matmul"> {
  let summary = "per-expert matmul over rows grouped by expert";
  let description = [{
    `out[m, n] = sum_k rows[m, k] * weights[e, n, k]` for the expert `e` with
    `offsets[e] <= m < offsets[e+1]`; rows at or past `offsets[E]` (padding) are
    zero.

    | operand | shape |
    |---|---|
    | rows | [M, K] |
    | weights | [E, N, K] |
    | offsets | [E + 1], integer |
    | outputs | [M, N] |

    The iteration domain is `[N]`: a row's expert depends on the data in
    `offsets`, so rows are not tiled.

    Example:

    ```mlir
    %h = hybrid.grouped_matmul
           ins(%rows, %w, %offsets : tensor<32x64xf32>, tensor<8x128x64xf32>, tensor<9xi64>)
           outs(%init : tensor<32x128xf32>) -> tensor<32x128xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$rows, AnyShaped:$weights, AnyShaped:$offsets,
                       Variadic<AnyShaped>:$outputs);
  let assemblyFormat = [{
    `ins` `(` $rows `,` $weights `,` $offsets `:` type($rows) `,` type($weights)
              `,` type($offsets) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

def Hybrid_MoeCombineOp : Hybrid_DpsOp<"moe_combine"> {
  let summary = "weighted sum of each token's expert rows";
  let description = [{
    `y[t] = sum_{r : sources[r] / top_k == t} weights[t, sources[r] % top_k] * expert_out[r]`
    where `top_k` is `weights`' second dimension and `sources` is the third result
    of `moe_dispatch`. A source outside `[0, T*top_k)` is a run-time error.

    | operand | shape |
    |---|---|
    | expert_out | [T*top_k, Hd] |
    | sources | [T*top_k], integer |
    | weights | [T, top_k] |
    | outputs | [T, Hd] |

    The iteration domain is `[Hd]`.

    Example:

    ```mlir
    %y = hybrid.moe_combine
           ins(%out, %src, %w : tensor<32x64xf32>, tensor<32xi64>, tensor<16x2xf32>)
           outs(%init : tensor<16x64xf32>) -> tensor<16x64xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$expert_out, AnyShaped:$sources, AnyShaped:$weights,
                       Variadic<AnyShaped>:$outputs);
  let assemblyFormat = [{
    `ins` `(` $expert_out `,` $sources `,` $weights `:` type($expert_out) `,`
              type($sources) `,` type($weights) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

//===----------------------------------------------------------------------===//
// Supporting ops
//===----------------------------------------------------------------------===//

def Hybrid_RmsNormOp : Hybrid_DpsOp<"rms_norm", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>]> {
  let summary = "RMS normalization with an optional SiLU gate and groups";
  let description = [{
    Over the last dimension `D`, split into groups of `group_size` (default `D`):

    ```
    u = gate_before_norm ? x * silu(z) : x
    y = u * rsqrt(mean_group(u^2) + epsilon) * weight
    y = z && !gate_before_norm ? y * silu(z) : y
    ```

    | operand | shape |
    |---|---|
    | x | [..., D] |
    | weight | [D] |
    | z (optional gate) | same as x |
    | outputs | same as x |

    The iteration domain is every dimension but the last. Mamba-2 and Gated
    DeltaNet use the gated, grouped form; RMSNormalization and
    SimplifiedLayerNormalization the plain one.

    Example:

    ```mlir
    %y = hybrid.rms_norm ins(%x, %w : tensor<1x64x512xf32>, tensor<512xf32>)
           gate(%z : tensor<1x64x512xf32>)
           outs(%init : tensor<1x64x512xf32>) {epsilon = 1.0e-05 : f32, group_size = 128 : i64}
           -> tensor<1x64x512xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$x, AnyShaped:$weight, Optional<AnyShaped>:$z,
                       Variadic<AnyShaped>:$outputs,
                       DefaultValuedAttr<F32Attr, "1.0e-6f">:$epsilon,
                       OptionalAttr<I64Attr>:$group_size,
                       UnitAttr:$gate_before_norm);
  let assemblyFormat = [{
    `ins` `(` $x `,` $weight `:` type($x) `,` type($weight) `)`
    (`gate` `(` $z^ `:` type($z) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

def Hybrid_RotaryOp : Hybrid_DpsOp<"rotary", [
    DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>]> {
  let summary = "rotary position embedding (interleaved or half-rotated, partial)";
  let description = [{
    For the first `rotary_dim` = R channels of each head (default `2 * cos.dim(2)`),
    with `c = cos[b, s, i]`, `s = sin[b, s, i]`, `i < R/2`:

    ```
    half-rotated: (x_i, x_{i+R/2}) -> (x_i c - x_{i+R/2} s, x_{i+R/2} c + x_i s)
    interleaved:  (x_{2i}, x_{2i+1}) -> (x_{2i} c - x_{2i+1} s, x_{2i+1} c + x_{2i} s)
    ```

    Channels from R on pass through. `cos` and `sin` are already gathered at the
    tokens' positions (batch 1 broadcasts).

    | operand | shape |
    |---|---|
    | x | [B, H, S, D] |
    | cos, sin | [B or 1, S, R/2] |
    | outputs | [B, H, S, D] |

    The iteration domain is `[B, H, S]`.

    Example:

    ```mlir
    %y = hybrid.rotary ins(%x, %cos, %sin : tensor<1x8x64x128xf32>,
             tensor<1x64x32xf32>, tensor<1x64x32xf32>)
           outs(%init : tensor<1x8x64x128xf32>) -> tensor<1x8x64x128xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$x, AnyShaped:$cos, AnyShaped:$sin,
                       Variadic<AnyShaped>:$outputs,
                       UnitAttr:$interleaved,
                       OptionalAttr<I64Attr>:$rotary_dim);
  let assemblyFormat = [{
    `ins` `(` $x `,` $cos `,` $sin `:` type($x) `,` type($cos) `,` type($sin) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($results)^)?
  }];
}

#endif // HYBRID_OPS_TD
