//===- Passes.td - ONNX conversion passes ------------------*- tablegen -*-===//
#ifndef HYBRID_CONVERSION_PASSES_TD
#define HYBRID_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertONNX : Pass<"hybrid-convert-onnx", "::mlir::ModuleOp"> {
  let summary = "Convert imported onnx.node ops into upstream dialects and hybrid ops";
  let description = [{
    Rewrites every `onnx.node` that the ONNX importer wrote into linalg, tensor,
    arith, math and hybrid ops. Each node is handled by the converter registered for
    its (domain, op type) with the greatest since-version not above the node's opset
    version; the converter infers the result types, which are checked against any
    type the file declared (a contradiction is an error naming the node).

    Nodes without a converter are all listed in one error (node name, domain, op
    type and version) before anything is rewritten. Unsigned ONNX integer types
    become signless MLIR integers; the converters remember the signedness.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::hybrid::HybridDialect"
  ];
}

def RaiseAttention : Pass<"hybrid-raise-attention", "::mlir::ModuleOp"> {
  let summary = "Raise decomposed softmax attention in an onnx.node graph to one Attention node";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Replaces

    ```
    MatMul(Softmax(Add(Mul(MatMul(q, Transpose(k)), c), mask)), v)
    ```

    and its variants (Div instead of Mul, the scale on q and kᵀ, no scale, no
    mask, a boolean mask through `Where(cond, s, -inf)`, kᵀ from any
    Transpose of k, from onnxscript's `Reshape(Transpose(Reshape(k, [-1, S,
    D]), [0, 2, 1]), [B, H, D, S])` or from elsewhere, the probabilities
    under onnxscript's `Where(IsNaN(p), 0, p)` guard) with one standard `Attention` node
    (opset 23, 4-D inputs) carrying the combined `scale`, which the converters
    then lower to `hybrid.attention`. It needs every intermediate to have one
    use, the softmax on the last axis, and q, kᵀ and v provably 4-D; ranks are
    read from declared types or inferred through Reshape, Transpose,
    Unsqueeze, Expand, ConstantOfShape, MatMul and broadcasting ops. A row
    whose every score is -inf gives zeros instead of the decomposed form's
    NaN; sums are re-associated.

    Two idioms are folded into the node where symbolic shapes (sizes as
    constants or symbols, traced through Shape, Gather, Concat, Squeeze,
    Range, Reshape, Transpose, MatMul, Scan bodies and broadcasting) prove
    them exact: GQA's repeat of k and v
    (`Reshape(Expand(Unsqueeze(t, 2), [1, 1, rep, 1, 1]), [B, H*rep, S, D])`)
    is dropped, the node taking the unrepeated heads; and a causal mask made
    from `Trilu` over a square whose side is the query and key length (0 on
    and below the diagonal and at most -1e4 above it, or true on and below
    as Where's condition) becomes `is_causal = 1`.
  }];
}

def RaiseMoe : Pass<"hybrid-raise-moe", "::mlir::ModuleOp"> {
  let summary = "Raise mixtures of experts (dense, or a loop over the experts) in an onnx.node graph to one MoE node";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Replaces the
    dense form exporters write for a MoE layer (every expert on every token,
    weighted by `ReduceSum(Cast(Equal(topk_indices, e)) * topk_values)` or its
    `Where` form, summed by a chain of Adds), with softmax routing before or
    after TopK and optional renormalisation of the top-k weights, SwiGLU
    (`silu(x Wg) * (x Wu)`) or Relu/Gelu/silu experts, optional biases, by one
    com.microsoft `MoE` node with the expert weights stacked at compile time.
    The sparse form HF's eager expert loop exports to (each expert on the
    tokens that chose it: `NonZero` of its slice of the one-hot TopK indices,
    the rows gathered, the output weighted by `v[token, slot]` and added back
    by ScatterND/ScatterElements with reduction add, or TorchScript's
    `Add(acc, ScatterElements(zeros, ...))`, from zeros) becomes the same node;
    its experts may be slices of 3-D weights and a SwiGLU's gate and up the
    halves of one projection. The CPU pipeline then computes only each
    token's top-k experts. Needs
    every expert 0..E-1 once (E read from the router's constant weight),
    constant weights of one shape, and single-use per-expert intermediates.
  }];
}

def RaiseRmsNorm : Pass<"hybrid-raise-rms-norm", "::mlir::ModuleOp"> {
  let summary = "Raise RMSNorm written out node by node in an onnx.node graph to RMSNormalization";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Replaces

    ```
    Mul(Mul(x, Reciprocal(Sqrt(Add(ReduceMean(Pow(x, 2), axes), eps)))), w)
    ```

    and its variants (`Mul(x, x)` for the square, `Div(x, Sqrt(...))` or
    `Div(1, Sqrt(...))` for the reciprocal, the weight on either side or
    absent) with one standard `RMSNormalization` node (opset 23) over the
    reduced trailing axes, which the converters lower to `hybrid.rms_norm`.
    The reduced axes must be the trailing dims of x, every intermediate must
    have one use, and the symbolic shapes must show the result has x's shape.
  }];
}

def RaiseScans : Pass<"hybrid-raise-scans", "::mlir::ModuleOp"> {
  let summary = "Raise SSM and linear-attention recurrences written as ONNX Scan or Loop";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Reads a
    recurrence from a `Scan` (one state, inputs scanned along axis 1, one
    output stacked along axis 1) or from a `Loop` as torch.onnx's dynamo
    exporter writes a while_loop (a trip count the symbolic shapes prove to be
    the sequence length, no condition, `Gather(x, i, axis = 1)` slices, one
    output stacked along axis 0 and transposed back), or from a one-token
    decode step written out in the graph (the step's nodes on a past state
    that is a graph input, `Squeeze(x, [1])` slices of [B, 1, ...] tensors),
    and replaces it when the step is one of

    ```
    Mamba-1  h' = Exp(Unsqueeze(delta_t, 2) * A) * h
                  + Unsqueeze(delta_t * u_t, 2) * Unsqueeze(B_t, 1)
             y_t = Squeeze(MatMul(h', Unsqueeze(C_t, 2)), 2)
    Mamba-2  h' = Unsqueeze(Exp(dt_t * A), [2, 3]) * h
                  + Unsqueeze(x_t * Unsqueeze(dt_t, 2), 3) * Unsqueeze(B_t, [1, 2])
             y_t = Squeeze(MatMul(h', Unsqueeze(C_t, [1, 3])), 3)
    linear   S1 = S * Unsqueeze(Exp(g_t), [2, 3])                (gated rules)
    attention u = (v_t - Squeeze(MatMul(Unsqueeze(k_t, 2), S1), 2))
                  * Unsqueeze(beta_t, 2)                 (delta rules; else v_t)
             S' = S1 + MatMul(Unsqueeze(k_t, 3), Unsqueeze(u, 2))
             o_t = Squeeze(MatMul(Unsqueeze(q_t * s, 2), S'), 2)  (or s * o_t)
    ```

    (A from outside the body; Mul and Add in either order; Identity nodes
    looked through). The two SSM forms become one `ai.hybrid` `SsmScan` node
    (no softplus, D or gate: those stay outside), hence `hybrid.ssm_scan`;
    the linear-attention family becomes a com.microsoft `LinearAttention`
    with the update rule `linear`, `gated`, `delta` or `gated_delta` (Gated
    DeltaNet's), hence `hybrid.linear_attention`. The symbolic shapes must
    show the layout each op reads.

    Mamba-1 unrolled by tracing (HF's slow path over a fixed number of steps
    L: `dA = Exp(A[:, None] * dt[..., None])` and `dBu = dt[..., None] *
    B[:, None] * x[..., None]` for all steps, then L steps `h = Gather(dA, i,
    2) * h + Gather(dBu, i, 2)` whose read-outs `MatMul(h, C[:, i][..., None])`
    a Concat stacks on the last axis) becomes the same `SsmScan`.

    Mamba-2's chunked scan (the state-space-dual algorithm of transformers'
    `torch_forward`, with broadcast Mul + ReduceSum, and of mamba_ssm's
    `ssd_minimal_discrete`, with Einsum), anchored on the Add of its
    intra-chunk and inter-chunk outputs. Over chunks X [b, c, l, h, p],
    a [b, h, c, l], B and C [b, c, l, h, n], with `A_cs = CumSum(a, -1)`:

    ```
    Y_diag = sum_{s,n} C[bclhn] B[bcshn] Exp(segsum(a))[bhcls] X[bcshp]
    S      = sum_l B[bclhn] Exp(A_cs[..., -1:] - A_cs)[bhcl] X[bclhp]
    N      = sum_y Exp(segsum(Pad(A_cs[..., -1], 1 before)))[bhzy]
                   Concat(S0, S, axis 1)[byhpn]
    Y_off  = sum_n C[bclhn] N[:, :-1][bchpn] Exp(A_cs)[bhcl]
    ```

    (every contraction read as a sum of products over index labels, so
    either spelling matches; segment sums as Expand + strict lower mask +
    CumSum or as differences of a CumSum, masks constant or Trilu of ones;
    S0 zeros or a past state) becomes one `gated` com.microsoft
    `LinearAttention` (q = C, k = B, v = X, decay a, scale 1) on the chunks
    flattened to [b, c*l, ...], its present state transposed standing for
    `N[:, -1]`.
  }];
}

def RaiseCausalConv : Pass<"hybrid-raise-causal-conv", "::mlir::ModuleOp"> {
  let summary = "Raise depthwise causal convolutions written with Pad/Concat, Conv and Slice";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Replaces a
    depthwise `Conv` (group = C, weight [C, 1, K], K >= 2, unit strides and
    dilations) over x [B, C, L] made causal by

    ```
    Conv(Pad(x, [0, 0, K-1, 0, 0, 0]), W, b)              prefill
    Conv(x, W, b, pads = [K-1, 0])
    Slice(Conv(x, W, b, pads = [K-1, K-1]), 0, L, axis 2)  HF's [..., :seq_len]
    Conv(Concat(past, x, axis 2), W, b)                    decode, past [B, C, K-1]
    ```

    with one com.microsoft `CausalConvWithState` node, hence
    `hybrid.causal_conv1d`. A `Slice` of the padded or concatenated input's
    last K-1 steps becomes its `present_state` output, and a SiLU of the
    result alone (`Mul(y, Sigmoid(y))`) its `activation = "silu"`. The
    symbolic shapes must prove C, K and past's shape.
  }];
}

def RaiseRotary : Pass<"hybrid-raise-rotary", "::mlir::ModuleOp"> {
  let summary = "Raise the half-rotation rotary embedding in an onnx.node graph to RotaryEmbedding";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Replaces HF's
    `apply_rotary_pos_emb` on a [B, H, S, D] tensor,

    ```
    Add(Mul(t, cos), Mul(Concat(Neg(Slice(t, D/2, D)), Slice(t, 0, D/2)), sin))
    ```

    where cos and sin repeat their first half (`Concat(c, c)` on the last
    axis, possibly under Unsqueeze, Cos/Sin or Cast) and are the same for every
    head, with one standard `RotaryEmbedding` node (opset 23) taking cos and
    sin as [B or 1, S, D/2], which the converters lower to `hybrid.rotary`.
  }];
}

#endif // HYBRID_CONVERSION_PASSES_TD
