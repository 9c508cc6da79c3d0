//===- Decompose.cpp - hybrid-decompose -----------------------------------===//
#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/PatternMatch.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDDECOMPOSEPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
struct HybridDecomposePass
    : public hybrid::impl::HybridDecomposePassBase<HybridDecomposePass> {
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> ops =
        hybrid::collectHybridOps<linalg::AggregatedOpInterface>(getOperation(), /*onTensors=*/true);
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : ops) {
      rewriter.setInsertionPoint(op);
      // A failed decomposition has said why (a remark); the op stays.
      FailureOr<SmallVector<Value>> values = op.decomposeOperation(rewriter);
      if (failed(values))
        continue;
      rewriter.replaceOp(op, *values);
    }
  }
};
} // namespace
