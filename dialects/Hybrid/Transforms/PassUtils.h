//===- PassUtils.h - helpers shared by the hybrid passes --------*- C++ -*-===//
#ifndef HYBRID_DIALECTS_HYBRID_TRANSFORMS_PASSUTILS_H
#define HYBRID_DIALECTS_HYBRID_TRANSFORMS_PASSUTILS_H

#include "dialects/Hybrid/IR/HybridDialect.h"

#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace mlir {
class IRMapping;
class OpBuilder;
namespace linalg {
class GenericOp;
} // namespace linalg
} // namespace mlir

namespace hybrid {

/// The profiler's brackets around each kernel (hybrid-instrument-kernels);
/// passes that run after it step over them or remove them with a kernel.
constexpr llvm::StringLiteral kKernelBegin = "__hybrid_kernel_begin";
constexpr llvm::StringLiteral kKernelEnd = "__hybrid_kernel_end";

/// The hybrid ops under `root` that implement `OpInterface`, on tensors
/// (`onTensors`) or on memrefs, in walk order. Collected first so that a pass
/// can rewrite them without disturbing the walk.
template <typename OpInterface>
llvm::SmallVector<OpInterface> collectHybridOps(mlir::Operation *root,
                                                bool onTensors) {
  llvm::SmallVector<OpInterface> ops;
  root->walk([&](OpInterface op) {
    auto dps =
        llvm::dyn_cast<mlir::DestinationStyleOpInterface>(op.getOperation());
    if (!llvm::isa<HybridDialect>(op->getDialect()) || !dps)
      return;
    if (onTensors ? dps.hasPureTensorSemantics() : dps.hasPureBufferSemantics())
      ops.push_back(op);
  });
  return ops;
}

/// Whether `op` is a float contraction `out += a * b` (inputs optionally
/// widened with arith.extf) over plain dims, with at least one reduction dim:
/// what hybrid-vectorize-contractions turns into microkernels when its layout
/// fits, and what elementwise fusion must therefore leave alone.
bool isMulAddContraction(mlir::linalg::GenericOp op);

/// Whether every op in `op`'s body is an arith or math op that
/// vectorizeElementwiseBody can clone on vectors: elementwise-mappable, one
/// result, on f32, f64 or integers of up to 64 bits, no integer division (a
/// masked-off lane would divide by zero).
bool isVectorizableElementwiseBody(mlir::linalg::GenericOp op);

/// Clones the body of `op` (isVectorizableElementwiseBody) at `b` on vectors
/// of `lanes` elements and returns the vectors it yields. `values` maps the
/// block arguments the body uses to vectors; scalars defined above the op are
/// broadcast. A float division by a constant becomes a multiplication by its
/// reciprocal (up to 1 ulp from the division); everything else computes what
/// the scalar body computes, lane by lane.
llvm::SmallVector<mlir::Value> vectorizeElementwiseBody(mlir::OpBuilder &b,
                                                        mlir::linalg::GenericOp op,
                                                        mlir::IRMapping &values,
                                                        int64_t lanes);

} // namespace hybrid

#endif // HYBRID_DIALECTS_HYBRID_TRANSFORMS_PASSUTILS_H
