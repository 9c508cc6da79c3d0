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
    Transpose of k or from elsewhere) with one standard `Attention` node
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
  let summary = "Raise dense mixtures of experts in an onnx.node graph to one MoE node";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Replaces the
    dense form exporters write for a MoE layer (every expert on every token,
    weighted by `ReduceSum(Cast(Equal(topk_indices, e)) * topk_values)` or its
    `Where` form, summed by a chain of Adds), with softmax routing before or
    after TopK and optional renormalisation of the top-k weights, SwiGLU
    (`silu(x Wg) * (x Wu)`) or Relu/Gelu/silu experts, optional biases, by one
    com.microsoft `MoE` node with the expert weights stacked at compile time.
    The CPU pipeline then computes only each token's top-k experts. Needs
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
  let summary = "Raise the Mamba-1 selective scan written as an ONNX Scan to ai.hybrid SelectiveScan";
  let description = [{
    Runs on the faithful graph, before `hybrid-convert-onnx`. Replaces a
    `Scan` with one state h [B, D, N] and four inputs scanned along axis 1
    (u and delta [B, L, D], B and C [B, L, N]) whose body is the selective
    scan step

    ```
    h' = Exp(Unsqueeze(delta_t, 2) * A) * h
         + Unsqueeze(delta_t * u_t, 2) * Unsqueeze(B_t, 1)
    y_t = Squeeze(MatMul(h', Unsqueeze(C_t, 2)), 2)
    ```

    (A [D, N] from outside the body; Mul and Add in either order) with one
    `ai.hybrid` `SelectiveScan` node (no softplus, D or gate: those stay
    outside), which the converters lower to `hybrid.ssm_scan`. The symbolic
    shapes must show that layout.
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
