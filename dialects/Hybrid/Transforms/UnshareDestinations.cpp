//===- UnshareDestinations.cpp - hybrid-unshare-destinations --------------===//
//
// One tensor.empty or linalg.fill per destination use, right before its
// user. CSE merges identical ones (every MatMul of one output shape starts
// from the same zero tensor; every result of one shape from the same empty
// tensor). One-shot bufferization then fills one buffer and copies it into
// each user's buffer, and puts a later result into an earlier one's buffer
// once that is dead, which keeps hybrid-fold-transposes from reading the
// earlier one through a view. Unshared, each user bufferizes into a buffer of
// its own, its fill adjacent to it, where hybrid-vectorize-contractions folds
// the fill into the accumulators' start value. Buffer reuse is left to the
// runtime's memory plan (after hybrid-free-early).
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDUNSHAREDESTINATIONSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// The uses of `v` as the destination of a destination-style op.
SmallVector<OpOperand *> destinationUses(Value v) {
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : v.getUses()) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    if (dps && dps.isDpsInit(&use))
      uses.push_back(&use);
  }
  return uses;
}

/// Gives each destination use of `op`'s result a clone of `op` right before
/// its user (`cloneAt` makes it), and erases `op` when nothing else uses it.
/// A single destination use right after `op` is left as it is.
void unshare(Operation *op, function_ref<Value(OpBuilder &, Operation *)> cloneAt) {
  SmallVector<OpOperand *> uses = destinationUses(op->getResult(0));
  if (uses.empty() ||
      (uses.size() == 1 && op->hasOneUse() && uses.front()->getOwner() == op->getNextNode()))
    return;
  OpBuilder b(op->getContext());
  for (OpOperand *use : uses) {
    // `op` dominates its users, so its operands dominate the clone.
    b.setInsertionPoint(use->getOwner());
    use->set(cloneAt(b, op));
  }
  if (op->use_empty())
    op->erase();
}

struct HybridUnshareDestinationsPass
    : public hybrid::impl::HybridUnshareDestinationsPassBase<HybridUnshareDestinationsPass> {
  void runOnOperation() override {
    // Fills first, each clone on an empty tensor of its own.
    SmallVector<linalg::FillOp> fills;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
      unshare(fill, [&](OpBuilder &b, Operation *op) -> Value {
        auto clone = cast<linalg::FillOp>(b.clone(*op));
        if (empty) {
          b.setInsertionPoint(clone);
          clone.getOutputsMutable()[0].set(b.clone(*empty)->getResult(0));
        }
        return clone.getResult(0);
      });
      if (empty && empty->use_empty())
        empty->erase();
    }
    // Then the empty tensors still shared by several destinations.
    SmallVector<tensor::EmptyOp> empties;
    getOperation()->walk([&](tensor::EmptyOp empty) { empties.push_back(empty); });
    for (tensor::EmptyOp empty : empties)
      unshare(empty, [](OpBuilder &b, Operation *op) { return b.clone(*op)->getResult(0); });
  }
};
} // namespace
