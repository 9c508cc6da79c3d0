//===- ExpandArith.cpp - hybrid-expand-arith ------------------------------===//
//
// Expands the arith ops the LLVM lowering cannot take (signed ceil/floor
// division, bf16 extf/truncf) and nothing else. Upstream's arith-expand also
// rewrites float min/max into compare-and-select; kept as ops, they become
// llvm.maximum/maxnum/..., whose reductions (a softmax row's max, ReduceMax)
// LLVM's loop vectoriser recognises, where a compare-and-select chain without
// fast-math flags is left scalar.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDEXPANDARITHPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
struct ExpandArithPass : public hybrid::impl::HybridExpandArithPassBase<ExpandArithPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect>();
    target.addIllegalOp<arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>();
    // bf16 conversions: legal only when neither side is bf16 (the patterns
    // rewrite them into integer shifts and rounding).
    target.addDynamicallyLegalOp<arith::ExtFOp>([](arith::ExtFOp op) {
      return !getElementTypeOrSelf(op.getIn().getType()).isBF16();
    });
    target.addDynamicallyLegalOp<arith::TruncFOp>([](arith::TruncFOp op) {
      return !getElementTypeOrSelf(op.getResult().getType()).isBF16();
    });
    RewritePatternSet patterns(ctx);
    arith::populateCeilFloorDivExpandOpsPatterns(patterns);
    arith::populateExpandBFloat16Patterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
