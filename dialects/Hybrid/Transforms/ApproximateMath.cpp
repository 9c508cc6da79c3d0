//===- ApproximateMath.cpp - hybrid-approximate-math ----------------------===//
//
// Rewrites f32 transcendental math ops into upstream's polynomial
// approximations (arith and math.fma/floor only), so that the loops around
// them vectorise instead of calling libm once per element. Only functions
// whose approximations are accurate to a few ulp over their whole range are
// taken: exp, expm1, log, log1p, log2, tanh and erf. Everything else (and
// every f64 op) stays a libm call.
//
// The pipeline lowers math to LLVM intrinsics before it lowers what is left to
// libm calls, so the math.fma and math.floor these expansions use become
// vfmadd and vroundps, not calls.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDAPPROXIMATEMATHPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
bool approximated(StringRef name) {
  name.consume_front("math.");
  return llvm::is_contained({"exp", "expm1", "log", "log1p", "log2", "tanh", "erf"}, name);
}

struct ApproximateMathPass
    : public hybrid::impl::HybridApproximateMathPassBase<ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    // Only the selected ops and what their rewrites create, without folding:
    // the rest of the module is not this pass's business.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (op->getName().getDialectNamespace() == "math" &&
          approximated(op->getName().getStringRef()))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      return signalPassFailure();
  }
};
} // namespace
