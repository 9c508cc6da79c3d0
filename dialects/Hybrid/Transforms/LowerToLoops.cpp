//===- LowerToLoops.cpp - hybrid-lower-to-loops ---------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDLOWERTOLOOPSPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// One scf.parallel over the whole iteration domain (every hybrid op's
/// dimensions are parallel: the sequential parts live inside each point) around
/// the op's scalar implementation.
LogicalResult lowerToParallelLoop(RewriterBase &rewriter, TilingInterface op) {
  Location loc = op.getLoc();
  SmallVector<Range> domain = op.getIterationDomain(rewriter);
  assert(llvm::all_of(op.getLoopIteratorTypes(),
                      [](utils::IteratorType t) { return t == utils::IteratorType::parallel; }) &&
         "hybrid ops iterate over parallel dimensions only");
  if (domain.empty())
    return op.generateScalarImplementation(rewriter, loc, {});
  SmallVector<Value> lbs, ubs, steps;
  for (const Range &r : domain) {
    lbs.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, r.offset));
    ubs.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, r.size));
    steps.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, r.stride));
  }
  LogicalResult result = success();
  scf::ParallelOp::create(rewriter, loc, lbs, ubs, steps,
                          [&](OpBuilder &b, Location nested, ValueRange ivs) {
                            result = op.generateScalarImplementation(b, nested, ivs);
                          });
  return result;
}

struct HybridLowerToLoopsPass
    : public hybrid::impl::HybridLowerToLoopsPassBase<HybridLowerToLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<TilingInterface> ops =
        hybrid::collectHybridOps<TilingInterface>(getOperation(), /*onTensors=*/false);
    IRRewriter rewriter(&getContext());
    for (TilingInterface op : ops) {
      rewriter.setInsertionPoint(op);
      LogicalResult lowered =
          parallel ? lowerToParallelLoop(rewriter, op)
                   : LogicalResult(scf::lowerToLoopsUsingSCFForOp(rewriter, op));
      if (failed(lowered)) {
        op->emitOpError("could not be lowered to loops");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
    }
  }
};
} // namespace
