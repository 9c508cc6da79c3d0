//===- LowerToLoops.cpp - hybrid-lower-to-loops ---------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDLOWERTOLOOPSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
struct HybridLowerToLoopsPass
    : public hybrid::impl::HybridLowerToLoopsPassBase<HybridLowerToLoopsPass> {
  void runOnOperation() override {
    SmallVector<TilingInterface> ops =
        hybrid::collectHybridOps<TilingInterface>(getOperation(), /*onTensors=*/false);
    IRRewriter rewriter(&getContext());
    for (TilingInterface op : ops) {
      rewriter.setInsertionPoint(op);
      if (failed(scf::lowerToLoopsUsingSCFForOp(rewriter, op))) {
        op->emitOpError("could not be lowered to loops");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
    }
  }
};
} // namespace
