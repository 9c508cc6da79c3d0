//===- SinkFills.cpp - hybrid-sink-fills ----------------------------------===//
//
// One linalg.fill per destination use, right before its user. CSE merges
// identical fills (every MatMul of one output shape starts from the same zero
// tensor); bufferization then fills one buffer and copies it into each user's
// buffer, as each user writes its destination in place. Cloned per use, each
// fill bufferizes into its user's own buffer, and adjacent to the user, where
// hybrid-vectorize-contractions folds it into the accumulators' start value.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDSINKFILLSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
struct HybridSinkFillsPass : public hybrid::impl::HybridSinkFillsPassBase<HybridSinkFillsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics())
        fills.push_back(fill);
    });
    OpBuilder b(&getContext());
    for (linalg::FillOp fill : fills) {
      // The destination uses, collected before any is rewritten.
      SmallVector<OpOperand *> destinations;
      for (OpOperand &use : fill->getResult(0).getUses()) {
        auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
        if (dps && dps.isDpsInit(&use))
          destinations.push_back(&use);
      }
      // A single destination use right after the fill is already in place.
      if (destinations.size() == 1 && fill->hasOneUse() &&
          destinations.front()->getOwner() == fill->getNextNode())
        continue;
      for (OpOperand *use : destinations) {
        // The fill dominates its users, so its operands dominate the clone.
        b.setInsertionPoint(use->getOwner());
        use->set(b.clone(*fill)->getResult(0));
      }
      if (fill->use_empty())
        fill->erase();
    }
  }
};
} // namespace
