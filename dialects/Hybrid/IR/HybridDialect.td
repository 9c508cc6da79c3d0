//===- HybridDialect.td - The hybrid dialect ---------------*- tablegen -*-===//
//
// The `hybrid` dialect: the ops that make hybrid neural networks what they are.
// Their arithmetic is fixed by shared/spec/hybrid-ops.md; docs/Dialects/HybridRationale.md
// lists every numbered constraint that the verifiers cite.
//
//===----------------------------------------------------------------------===//

#ifndef HYBRID_DIALECT_TD
#define HYBRID_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Hybrid_Dialect : Dialect {
  let name = "hybrid";
  let cppNamespace = "::hybrid";
  let summary = "Ops of hybrid neural networks: SSM scans, linear and softmax "
                "attention, causal convolution and mixture of experts";
  let description = [{
    The `hybrid` dialect holds the layers that set hybrid models (Mamba-1, Mamba-2,
    Gated DeltaNet, attention, mixture-of-experts; Jamba, Nemotron-H, Qwen3.5,
    Granite-4.0-H, Falcon-H1, LFM2) apart from plain Transformers, as whole ops that
    passes can see, fuse, route and lower.

    Every op is in destination-passing style: inputs in `ins(...)`, destinations in
    `outs(...)`. On tensors each destination gives one result; on memrefs the op
    writes its destinations and has no result. Every op implements
    `TilingInterface` (including a scalar implementation, which is the reference
    lowering every faster lowering is checked against),
    `ReifyRankedShapedTypeOpInterface` and, through an external model, bufferization.

    Floating-point operands may be f16, bf16, f32 or f64; 16-bit inputs are
    accumulated in f32 and results come back in the input element type.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    // The scalar implementation brackets stack scratch with
    // llvm.intr.stacksave/stackrestore.
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Hybrid_UpdateRule : I32EnumAttr<"UpdateRule",
    "state update rule of linear attention", [
      I32EnumAttrCase<"Linear", 0, "linear">,
      I32EnumAttrCase<"Gated", 1, "gated">,
      I32EnumAttrCase<"Delta", 2, "delta">,
      I32EnumAttrCase<"GatedDelta", 3, "gated_delta">
    ]> {
  let cppNamespace = "::hybrid";
  let genSpecializedAttr = 0;
}
def Hybrid_UpdateRuleAttr : EnumAttr<Hybrid_Dialect, Hybrid_UpdateRule, "update_rule">;

def Hybrid_Activation : I32EnumAttr<"Activation", "activation function", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Silu", 1, "silu">,
      I32EnumAttrCase<"Gelu", 2, "gelu">,
      I32EnumAttrCase<"Relu", 3, "relu">,
      I32EnumAttrCase<"Swiglu", 4, "swiglu">,
      I32EnumAttrCase<"Geglu", 5, "geglu">
    ]> {
  let cppNamespace = "::hybrid";
  let genSpecializedAttr = 0;
}
def Hybrid_ActivationAttr : EnumAttr<Hybrid_Dialect, Hybrid_Activation, "activation">;

def Hybrid_Scoring : I32EnumAttr<"Scoring", "router scoring function", [
      I32EnumAttrCase<"Softmax", 0, "softmax">,
      I32EnumAttrCase<"Sigmoid", 1, "sigmoid">
    ]> {
  let cppNamespace = "::hybrid";
  let genSpecializedAttr = 0;
}
def Hybrid_ScoringAttr : EnumAttr<Hybrid_Dialect, Hybrid_Scoring, "scoring">;

#endif // HYBRID_DIALECT_TD
