//===- ExpandStridedCopies.cpp - hybrid-expand-strided-copies -------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDEXPANDSTRIDEDCOPIESPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

/// The memref-to-LLVM lowering copies these with one memcpy; any other copy
/// becomes a `memrefCopy` library call (MemRefCopyOpLowering).
static bool isContiguous(BaseMemRefType type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return false;
  return memref.getLayout().isIdentity() ||
         (memref.hasStaticShape() && memref.getNumElements() > 0 &&
          memref::isStaticShapeAndContiguousRowMajor(memref));
}

namespace {
struct HybridExpandStridedCopiesPass
    : public hybrid::impl::HybridExpandStridedCopiesPassBase<
          HybridExpandStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp op) {
      if (!isContiguous(op.getSource().getType()) || !isContiguous(op.getTarget().getType()))
        copies.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp op : copies) {
      // An unranked copy has no static loop structure; it stays a library call.
      if (!isa<MemRefType>(op.getSource().getType()) ||
          !isa<MemRefType>(op.getTarget().getType())) {
        op.emitOpError("copies an unranked buffer, which compiled code cannot do "
                       "without MLIR's runtime library");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(), op.getTarget());
    }
  }
};
} // namespace
