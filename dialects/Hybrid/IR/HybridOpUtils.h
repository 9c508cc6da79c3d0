//===- HybridOpUtils.h - helpers shared by the op implementations -*- C++ -*-===//
//
// Small helpers used by the verifiers, the TilingInterface implementation and
// the scalar (reference) implementation of the hybrid ops. Internal to the IR
// library.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_DIALECTS_HYBRID_IR_HYBRIDOPUTILS_H
#define HYBRID_DIALECTS_HYBRID_IR_HYBRIDOPUTILS_H

#include "dialects/Hybrid/IR/HybridOps.h"
#include "mlir/IR/TypeUtilities.h"

namespace hybrid {
namespace detail {

/// Size of dimension `dim` of the tensor or memref `v`: a constant when static,
/// else a `tensor.dim` / `memref.dim`.
mlir::OpFoldResult dimOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                         int64_t dim);
/// Same as `dimOf`, materialized as an index value.
mlir::Value dimValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                     int64_t dim);

/// The static size of dimension `dim` of shaped `v`, or ShapedType::kDynamic.
int64_t staticDim(mlir::Value v, int64_t dim);

/// The scalar implementation of a hybrid op on memrefs at the point `ivs` of
/// its iteration domain (TilingInterface::generateScalarImplementation).
llvm::LogicalResult scalarImplementation(mlir::Operation *op,
                                         mlir::OpBuilder &b,
                                         mlir::Location loc,
                                         mlir::ValueRange ivs);

} // namespace detail
} // namespace hybrid

#endif // HYBRID_DIALECTS_HYBRID_IR_HYBRIDOPUTILS_H
