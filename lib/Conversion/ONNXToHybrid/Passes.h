//===- Passes.h - ONNX conversion passes ------------------------*- C++ -*-===//
#ifndef HYBRID_LIB_CONVERSION_ONNXTOHYBRID_PASSES_H
#define HYBRID_LIB_CONVERSION_ONNXTOHYBRID_PASSES_H

#include "dialects/Hybrid/IR/HybridDialect.h"
#include "mlir/Pass/Pass.h"

namespace hybrid {

#define GEN_PASS_DECL
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"

/// Converts every onnx.node in `module`; on failure the diagnostics name the nodes.
mlir::LogicalResult convertOnnxToHybrid(mlir::ModuleOp module);

} // namespace hybrid

#endif // HYBRID_LIB_CONVERSION_ONNXTOHYBRID_PASSES_H
