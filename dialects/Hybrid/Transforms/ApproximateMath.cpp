//===- ApproximateMath.cpp - hybrid-approximate-math ----------------------===//
//
// Rewrites f32 transcendental math ops into polynomial approximations (arith
// and math.fma/floor only), so that the loops around them vectorise instead
// of calling libm once per element. Only functions whose approximations are
// accurate to a few ulp over their whole range are taken: exp, expm1, log,
// log1p, log2 and tanh through upstream's patterns, and erf through our own
// (below). Everything else (and every f64 op) stays a libm call.
//
// erf (GELU's, the largest elementwise cost of the CNN hybrids) is one
// rational function of x^2 on [-4, 4] instead of upstream's three intervals,
// each with its own coefficients chosen per lane by selects:
//
//   erf(x) = c * P(c^2) / Q(c^2),  c = clamp(x, -4, 4),  NaN stays NaN
//
// P of degree 6 and Q of degree 5 (Q(0) = 1) were fitted for this function
// (a weighted least-squares fit iterated towards the minimax error on
// [0, 4], Lawson's method, then the coefficients rounded to f32). 16
// operations instead of about 45 (18 of them blends); measured in f32 with
// FMAs against a double-precision erf over [-8, 8]: at most 2.9e-7 absolute
// error, 4.9 ulp (upstream's: 2.4e-7, 4.0 ulp; erf(4) rounds to 1 in f32).
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
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDAPPROXIMATEMATHPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// The ops upstream's patterns approximate here.
bool upstreamApproximated(StringRef name) {
  name.consume_front("math.");
  return llvm::is_contained({"exp", "expm1", "log", "log1p", "log2", "tanh"}, name);
}

bool approximated(StringRef name) {
  return upstreamApproximated(name) || name == "math.erf";
}

/// f32 math.erf (scalar or vector) as c * P(c^2) / Q(c^2), see the header.
struct ErfRational : public OpRewritePattern<math::ErfOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ErfOp op, PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return failure();
    // Highest degree first (Horner).
    static constexpr float kP[] = {-1.36668161e-08f, 4.78054471e-06f, 0.000382692553f,
                                   0.00383953471f,   0.0543326177f,   0.184710473f,
                                   1.12837923f};
    static constexpr float kQ[] = {6.40093203e-05f, 0.00130958064f, 0.0154535286f,
                                   0.113826364f,    0.497028947f,   1.0f};
    Location loc = op.getLoc();
    auto cst = [&](float v) -> Value {
      auto attr = rewriter.getF32FloatAttr(v);
      if (auto vecTy = dyn_cast<VectorType>(type))
        return arith::ConstantOp::create(rewriter, loc, vecTy, DenseElementsAttr::get(vecTy, attr));
      return arith::ConstantOp::create(rewriter, loc, attr);
    };
    auto horner = [&](ArrayRef<float> coeffs, Value t) {
      Value acc = cst(coeffs.front());
      for (float c : coeffs.drop_front())
        acc = math::FmaOp::create(rewriter, loc, acc, t, cst(c));
      return acc;
    };
    Value x = op.getOperand();
    // maxnumf/minnumf turn NaN into a bound; the select at the end gives NaN
    // back.
    Value c = arith::MinNumFOp::create(rewriter, loc,
                                       arith::MaxNumFOp::create(rewriter, loc, x, cst(-4.0f)),
                                       cst(4.0f));
    Value t = arith::MulFOp::create(rewriter, loc, c, c);
    Value num = arith::MulFOp::create(rewriter, loc, c, horner(kP, t));
    Value r = arith::DivFOp::create(rewriter, loc, num, horner(kQ, t));
    Value isNan = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, x, x);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, isNan, x, r);
    return success();
  }
};

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
    populateMathPolynomialApproximationPatterns(patterns, upstreamApproximated);
    patterns.add<ErfRational>(&getContext());
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      return signalPassFailure();
  }
};
} // namespace
