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
// The clamp is two compares and selects that let NaN through (one vmaxps and
// one vminps on x86, and no NaN test at the end), and erf(s x) for a constant
// s > 0 (GELU's erf(x / sqrt(2)), a multiplication once vectorised) takes s
// into the bounds and coefficients (rounded to f32 once, from double). A GELU
// over 32768 floats: 19 -> 16 us (the clamp) -> 15 us (the scale). The
// scaled coefficients round differently: erf(x / sqrt(2)) is off by 3.7e-7
// at most (6.2 ulp; measured on 2^20 points over [-9, 9]), and saturates
// at 1 - 6e-8 instead of 1.
//
// P of degree 6 and Q of degree 5 (Q(0) = 1) were fitted for this function
// (a weighted least-squares fit iterated towards the minimax error on
// [0, 4], Lawson's method, then the coefficients rounded to f32). 14
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
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>
#include <tuple>

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

/// A positive finite constant (a scalar or a splat) `v` is multiplied by, and
/// the other factor.
static std::optional<std::pair<Value, double>> scaledBy(Value v) {
  auto mul = v.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return std::nullopt;
  for (auto [x, c] : {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
    Attribute attr;
    if (!matchPattern(c, m_Constant(&attr)))
      continue;
    if (auto splat = dyn_cast<SplatElementsAttr>(attr))
      attr = splat.getSplatValue<Attribute>();
    auto f = dyn_cast<FloatAttr>(attr);
    if (!f)
      continue;
    double s = f.getValueAsDouble();
    if (std::isfinite(s) && s > 0.0)
      return std::pair(x, s);
  }
  return std::nullopt;
}

/// f32 math.erf (scalar or vector) as c * P(c^2) / Q(c^2), see the header.
struct ErfRational : public OpRewritePattern<math::ErfOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ErfOp op, PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return failure();
    // Highest degree first (Horner).
    static constexpr double kP[] = {-1.36668161e-08, 4.78054471e-06, 0.000382692553,
                                    0.00383953471,   0.0543326177,   0.184710473,
                                    1.12837923};
    static constexpr double kQ[] = {6.40093203e-05, 0.00130958064, 0.0154535286,
                                    0.113826364,    0.497028947,   1.0};
    Location loc = op.getLoc();
    auto cst = [&](double v) -> Value {
      auto attr = rewriter.getF32FloatAttr(static_cast<float>(v));
      if (auto vecTy = dyn_cast<VectorType>(type))
        return arith::ConstantOp::create(rewriter, loc, vecTy, DenseElementsAttr::get(vecTy, attr));
      return arith::ConstantOp::create(rewriter, loc, attr);
    };
    // erf(s x) for a constant s > 0 (GELU's x / sqrt(2), which
    // hybrid-vectorize-elementwise makes a multiplication) takes s into the
    // coefficients instead: s c P(s^2 c^2) / Q(s^2 c^2) with c = x clamped to
    // +-4 / s; the coefficient of t^k becomes p_k s^(2k+1) and q_k s^(2k)
    // (rounded to f32 once, from double).
    Value x = op.getOperand();
    double s = 1.0;
    if (auto scaled = scaledBy(x))
      std::tie(x, s) = *scaled;
    auto horner = [&](ArrayRef<double> coeffs, double odd, Value t) {
      int64_t k = static_cast<int64_t>(coeffs.size()) - 1;
      auto coeff = [&](double c) {
        double v = c * std::pow(s, 2.0 * static_cast<double>(k--) + odd);
        return cst(v);
      };
      Value acc = coeff(coeffs.front());
      for (double c : coeffs.drop_front())
        acc = math::FmaOp::create(rewriter, loc, acc, t, coeff(c));
      return acc;
    };
    // c = clamp(x, -4 / s, 4 / s) by compares and selects that let NaN
    // through (each is one vmaxps / vminps on x86, and no NaN test is left
    // to do at the end): NaN > b and NaN < -b are both false.
    Value bound = cst(4.0 / s), negBound = cst(-4.0 / s);
    Value below = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OLT, x, negBound);
    Value c = arith::SelectOp::create(rewriter, loc, below, negBound, x);
    Value above = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OGT, c, bound);
    c = arith::SelectOp::create(rewriter, loc, above, bound, c);
    Value t = arith::MulFOp::create(rewriter, loc, c, c);
    Value num = arith::MulFOp::create(rewriter, loc, c, horner(kP, 1.0, t));
    rewriter.replaceOpWithNewOp<arith::DivFOp>(op, num, horner(kQ, 0.0, t));
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
