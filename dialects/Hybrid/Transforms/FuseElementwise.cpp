//===- FuseElementwise.cpp - hybrid-fuse-elementwise ----------------------===//
//
// Fuses chains of elementwise linalg.generic ops on tensors into their
// consumers with upstream's elementwise fusion patterns, under a control that
// keeps what later passes rely on:
//
// - a producer is fused only into its single use, and only through a
//   permutation map: a producer read through a broadcast would be recomputed
//   for every broadcast element;
// - nothing is fused into a mul-add contraction, which must stay recognisable
//   for hybrid-vectorize-contractions (a transpose fused into a MatMul would
//   make its B operand strided).
//
// The same pattern set folds splat constant operands into the bodies, after
// which math's algebraic simplifications turn a Pow by 2 (RMSNorm's square)
// into a multiply, a Pow by 0.5 into a sqrt, and so on.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"
#include "hybrid/NodeName.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDFUSEELEMENTWISEPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
bool shouldFuse(OpOperand *use) {
  Operation *producer = use->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::GenericOp>(use->getOwner());
  if (!producer || !consumer || !producer->hasOneUse())
    return false;
  if (!consumer.getMatchingIndexingMap(use).isPermutation())
    return false;
  if (hybrid::isMulAddContraction(consumer))
    return false;
  // For the compile report: a remark on both ONNX nodes when the fusion joins
  // two of them (no-ops without a remark engine).
  std::string from = hybrid::onnxNodeOf(producer->getLoc()),
              into = hybrid::onnxNodeOf(consumer.getLoc());
  if (!from.empty() && !into.empty() && from != into) {
    auto opts = remark::RemarkOpts::name("fused").category("hybrid-fuse-elementwise");
    remark::passed(producer->getLoc(), opts) << "elementwise code fused into " + into;
    remark::passed(consumer.getLoc(), opts) << "fused with the elementwise code of " + from;
  }
  return true;
}

struct FuseElementwisePass
    : public hybrid::impl::HybridFuseElementwisePassBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, shouldFuse);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    populateMathAlgebraicSimplificationPatterns(patterns);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
