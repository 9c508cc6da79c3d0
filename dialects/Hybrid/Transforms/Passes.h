//===- Passes.h - hybrid dialect passes -------------------------*- C++ -*-===//
#ifndef HYBRID_DIALECTS_HYBRID_TRANSFORMS_PASSES_H
#define HYBRID_DIALECTS_HYBRID_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace hybrid {

/// The module attribute in which hybrid-instrument-kernels records the names
/// of the kernels it numbered.
inline constexpr llvm::StringLiteral kKernelNamesAttr = "hybrid.kernels";

#define GEN_PASS_DECL
#include "dialects/Hybrid/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Hybrid/Transforms/Passes.h.inc"

} // namespace hybrid

#endif // HYBRID_DIALECTS_HYBRID_TRANSFORMS_PASSES_H
