//===- HybridUtils.h - helpers for passes over hybrid ops -------*- C++ -*-===//
//
// What the op implementations, the passes, the ONNX raising and the CPU
// target share: the arithmetic of a MoE expert's activation and the raw bytes
// of constant data.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_DIALECTS_HYBRID_IR_HYBRIDUTILS_H
#define HYBRID_DIALECTS_HYBRID_IR_HYBRIDUTILS_H

#include "dialects/Hybrid/IR/HybridOps.h"

#include <optional>

namespace hybrid {

/// A MoE expert's hidden value (spec section 5) from scalars of one float
/// type: swiglu silu(gate) * up, geglu gelu(gate) * up, else act(up); `gate`
/// is null for the non-GLU activations.
mlir::Value moeActivation(mlir::OpBuilder &b, mlir::Location loc, Activation act,
                          mlir::Value gate, mlir::Value up);

/// The bytes of `value`'s elements as stored, element by element: a non-splat
/// dense attribute or a dense_resource blob of a static shape with integer or
/// float elements of whole bytes, whose size matches the type. nullopt
/// otherwise (splats, packed bits, a missing blob).
std::optional<llvm::ArrayRef<char>> rawElementBytes(mlir::Attribute value);

} // namespace hybrid

#endif // HYBRID_DIALECTS_HYBRID_IR_HYBRIDUTILS_H
