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

#endif // HYBRID_CONVERSION_PASSES_TD
