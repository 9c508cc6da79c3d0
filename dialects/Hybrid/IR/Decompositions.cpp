//===- Decompositions.cpp - hybrid ops into linalg ------------------------===//
//
// `AggregatedOpInterface::decomposeOperation` for the ops whose natural
// fallback is a handful of structured ops: attention (scores, mask, softmax,
// weighted sum), causal_conv1d (concatenated history and a depthwise
// convolution), rms_norm (sum of squares per group, then scale) and rotary (an
// elementwise map). Scans and routing are sequential or data-dependent; their
// fallback is the scalar implementation.
//
// Decompositions work on tensors, accumulate in f32 (f64 for f64 operands)
// and write their results into the op's destinations.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOpUtils.h"
#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace hybrid;

namespace {

using utils::IteratorType;
constexpr IteratorType kPar = IteratorType::parallel;
constexpr IteratorType kRed = IteratorType::reduction;

/// Builders shared by the decompositions.
struct Decomposer {
  OpBuilder &b;
  Location loc;
  Type ct; // compute type

  Decomposer(OpBuilder &b, Location loc, Type elementType)
      : b(b), loc(loc),
        ct(elementType.isF64() ? Type(b.getF64Type()) : b.getF32Type()) {}

  Value cst(double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ct, v));
  }
  Value cstIn(OpBuilder &nb, double v) {
    return arith::ConstantOp::create(nb, loc, nb.getFloatAttr(ct, v));
  }
  Value ext(OpBuilder &nb, Value v) {
    return v.getType() == ct ? v : arith::ExtFOp::create(nb, loc, ct, v);
  }
  Value trunc(OpBuilder &nb, Value v, Type et) {
    return v.getType() == et ? v : arith::TruncFOp::create(nb, loc, et, v);
  }
  Value sigmoid(OpBuilder &nb, Value x) {
    Value one = cstIn(nb, 1.0);
    Value e = math::ExpOp::create(nb, loc, arith::NegFOp::create(nb, loc, x));
    return arith::DivFOp::create(nb, loc, one,
                                 arith::AddFOp::create(nb, loc, one, e));
  }
  Value silu(OpBuilder &nb, Value x) {
    return arith::MulFOp::create(nb, loc, x, sigmoid(nb, x));
  }


  SmallVector<OpFoldResult> sizes(Value v) {
    return tensor::getMixedSizes(b, loc, v);
  }
  /// A tensor of `shape` and type `type` filled with `value`.
  Value filled(ArrayRef<OpFoldResult> shape, Type type, Value value) {
    Value e = tensor::EmptyOp::create(b, loc, shape, type);
    return linalg::FillOp::create(b, loc, value, e).getResult(0);
  }
  Value generic(Type resultType, ValueRange ins, Value out,
                ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iters,
                function_ref<Value(OpBuilder &, ValueRange)> body) {
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange{resultType}, ins, ValueRange{out}, maps, iters,
        [&](OpBuilder &nb, Location, ValueRange args) {
          linalg::YieldOp::create(nb, loc, body(nb, args));
        });
    return op.getResult(0);
  }
  /// A contraction `acc += ext(x) * ext(y)` in the compute type: `ins` are
  /// x and y, `maps` index x, y and `acc` over the loops `iters`.
  Value contract(Value acc, ValueRange ins, ArrayRef<AffineMap> maps,
                 ArrayRef<IteratorType> iters) {
    return generic(acc.getType(), ins, acc, maps, iters,
                   [&](OpBuilder &nb, ValueRange a) -> Value {
                     Value p = arith::MulFOp::create(nb, loc, ext(nb, a[0]),
                                                     ext(nb, a[1]));
                     return arith::AddFOp::create(nb, loc, a[2], p);
                   });
  }
  Value index(OpBuilder &nb, int64_t d) {
    return linalg::IndexOp::create(nb, loc, d);
  }
  /// An index value as a compute-type float.
  Value indexToFloat(Value i) {
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
    return arith::SIToFPOp::create(b, loc, ct, i64);
  }
};

AffineMap mapOf(MLIRContext *ctx, unsigned numDims, ArrayRef<AffineExpr> exprs) {
  return AffineMap::get(numDims, 0, exprs, ctx);
}

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> decomposeAttention(AttentionOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Value q = op.getQ(), k = op.getK(), v = op.getV(), mask = op.getMask(),
        init = op.getOutputs()[0];
  int64_t hq = hybrid::detail::staticDim(q, 1),
          hkv = hybrid::detail::staticDim(k, 1);
  // The kv head of query head h is h floordiv g: an affine map needs g static.
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv))
    return op.emitRemark(
               "not decomposed: the decomposition needs static head counts"),
           failure();
  if (mask && !cast<ShapedType>(mask.getType()).hasStaticShape())
    return op.emitRemark(
               "not decomposed: the decomposition needs a mask of static shape"),
           failure();
  // No query heads: nothing to compute.
  if (hq == 0)
    return SmallVector<Value>{init};
  int64_t g = hq / hkv;
  Type et = getElementTypeOrSelf(q.getType());
  Decomposer d(b, loc, et);
  SmallVector<OpFoldResult> qs = d.sizes(q), ks = d.sizes(k), vs = d.sizes(v);
  // qs = [B, Hq, Sq, Dk]; ks = [B, Hkv, Skv, Dk]; vs = [B, Hkv, Skv, Dv].
  Value sq = getValueOrCreateConstantIndexOp(b, loc, qs[2]);
  Value skv = getValueOrCreateConstantIndexOp(b, loc, ks[2]);
  Value scale =
      op.getScale()
          ? d.cst(op.getScale()->convertToDouble())
          : arith::DivFOp::create(
                b, loc, d.cst(1.0),
                math::SqrtOp::create(
                    b, loc,
                    d.indexToFloat(getValueOrCreateConstantIndexOp(b, loc, qs[3]))));
  double negInf = -std::numeric_limits<double>::infinity();

  AffineExpr bb, h, i, j, x;
  bindDims(ctx, bb, h, i, j, x);
  // 1. Raw scores q k^T: loops (b, h, i, j, dk).
  SmallVector<OpFoldResult> sShape = {qs[0], qs[1], qs[2], ks[2]};
  Value scores = d.filled(sShape, d.ct, d.cst(0.0));
  scores = d.contract(
      scores, {q, k},
      {mapOf(ctx, 5, {bb, h, i, x}), mapOf(ctx, 5, {bb, h.floorDiv(g), j, x}),
       mapOf(ctx, 5, {bb, h, i, j})},
      {kPar, kPar, kPar, kPar, kRed});

  // 2. Scale, softcap, mask, and -inf where a key is not allowed.
  AffineExpr b4, h4, i4, j4;
  bindDims(ctx, b4, h4, i4, j4);
  AffineMap id4 = mapOf(ctx, 4, {b4, h4, i4, j4});
  SmallVector<Value> ins = {scores};
  SmallVector<AffineMap> maps = {id4};
  if (mask) {
    auto mt = cast<ShapedType>(mask.getType());
    AffineExpr target[4] = {b4, h4, i4, j4};
    SmallVector<AffineExpr> exprs;
    for (int64_t dm = 0; dm < mt.getRank(); ++dm) {
      int64_t size = mt.getDimSize(dm); // static: checked above
      exprs.push_back(size == 1 ? b.getAffineConstantExpr(0)
                                : target[4 - mt.getRank() + dm]);
    }
    ins.push_back(mask);
    maps.push_back(mapOf(ctx, 4, exprs));
  }
  maps.push_back(id4);
  bool boolMask = mask && getElementTypeOrSelf(mask.getType()).isInteger(1);
  double softcap = op.getSoftcap().convertToDouble();
  int64_t wl = static_cast<int64_t>(op.getWindowLeft());
  int64_t wr = static_cast<int64_t>(op.getWindowRight());
  Value masked = d.generic(
      scores.getType(), ins, d.filled(sShape, d.ct, d.cst(0.0)), maps,
      {kPar, kPar, kPar, kPar}, [&](OpBuilder &nb, ValueRange a) -> Value {
        Value s = arith::MulFOp::create(nb, loc, scale, a[0]);
        if (softcap > 0.0) {
          Value c = d.cstIn(nb, softcap);
          s = arith::MulFOp::create(
              nb, loc, c,
              math::TanhOp::create(nb, loc, arith::DivFOp::create(nb, loc, s, c)));
        }
        if (mask && !boolMask)
          s = arith::AddFOp::create(nb, loc, s, d.ext(nb, a[1]));
        Value row = d.index(nb, 2), col = d.index(nb, 3);
        Value pos = arith::AddIOp::create(
            nb, loc, arith::SubIOp::create(nb, loc, skv, sq), row);
        Value ok = arith::ConstantIntOp::create(nb, loc, 1, 1);
        auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) {
          return arith::CmpIOp::create(nb, loc, p, l, r).getResult();
        };
        auto both = [&](Value c) {
          ok = arith::AndIOp::create(nb, loc, ok, c);
        };
        if (op.getCausal())
          both(cmp(arith::CmpIPredicate::sle, col, pos));
        // Distances rather than shifted positions: no overflow for any window.
        if (wl >= 0)
          both(cmp(arith::CmpIPredicate::sle,
                   arith::SubIOp::create(nb, loc, pos, col),
                   arith::ConstantIndexOp::create(nb, loc, wl)));
        if (wr >= 0)
          both(cmp(arith::CmpIPredicate::sle,
                   arith::SubIOp::create(nb, loc, col, pos),
                   arith::ConstantIndexOp::create(nb, loc, wr)));
        if (boolMask)
          both(a[1]);
        return arith::SelectOp::create(nb, loc, ok, s, d.cstIn(nb, negInf));
      });

  // 3. Row maximum.
  SmallVector<OpFoldResult> rShape = {qs[0], qs[1], qs[2]};
  AffineMap row4 = mapOf(ctx, 4, {b4, h4, i4});
  Value rowMax = d.generic(
      RankedTensorType::get(
          cast<ShapedType>(scores.getType()).getShape().take_front(3), d.ct),
      {masked}, d.filled(rShape, d.ct, d.cst(negInf)), {id4, row4},
      {kPar, kPar, kPar, kRed}, [&](OpBuilder &nb, ValueRange a) {
        return arith::MaximumFOp::create(nb, loc, a[0], a[1]).getResult();
      });
  // 4. exp(s - max) (0 on rows without an allowed key) and its row sum.
  auto validRow = [&](OpBuilder &nb, Value m) {
    // Rows whose max is -inf have no allowed key; NaN propagates.
    return arith::CmpFOp::create(nb, loc, arith::CmpFPredicate::UNE, m,
                                 d.cstIn(nb, negInf))
        .getResult();
  };
  Value probs = d.generic(
      scores.getType(), {masked, rowMax}, d.filled(sShape, d.ct, d.cst(0.0)),
      {id4, row4, id4}, {kPar, kPar, kPar, kPar},
      [&](OpBuilder &nb, ValueRange a) -> Value {
        Value e = math::ExpOp::create(nb, loc,
                                      arith::SubFOp::create(nb, loc, a[0], a[1]));
        return arith::SelectOp::create(nb, loc, validRow(nb, a[1]), e,
                                       d.cstIn(nb, 0.0));
      });
  Value rowSum = d.generic(
      rowMax.getType(), {probs}, d.filled(rShape, d.ct, d.cst(0.0)),
      {id4, row4}, {kPar, kPar, kPar, kRed}, [&](OpBuilder &nb, ValueRange a) {
        return arith::AddFOp::create(nb, loc, a[1], a[0]).getResult();
      });
  // 5. Weighted sum of values: loops (b, h, i, e, j).
  AffineExpr e5, j5;
  bindDims(ctx, bb, h, i, e5, j5);
  SmallVector<OpFoldResult> oShape = {qs[0], qs[1], qs[2], vs[3]};
  Value acc = d.filled(oShape, d.ct, d.cst(0.0));
  acc = d.contract(
      acc, {probs, v},
      {mapOf(ctx, 5, {bb, h, i, j5}), mapOf(ctx, 5, {bb, h.floorDiv(g), j5, e5}),
       mapOf(ctx, 5, {bb, h, i, e5})},
      {kPar, kPar, kPar, kPar, kRed});
  // 6. Normalize into the destination.
  Value out = d.generic(
      init.getType(), {acc, rowMax, rowSum}, init, {id4, row4, row4, id4},
      {kPar, kPar, kPar, kPar}, [&](OpBuilder &nb, ValueRange a) -> Value {
        Value o = arith::DivFOp::create(nb, loc, a[0], a[2]);
        o = arith::SelectOp::create(nb, loc, validRow(nb, a[1]), o,
                                    d.cstIn(nb, 0.0));
        return d.trunc(nb, o, et);
      });
  return SmallVector<Value>{out};
}

//===----------------------------------------------------------------------===//
// causal_conv1d
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> decomposeCausalConv1d(CausalConv1dOp op,
                                                    OpBuilder &b) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Value x = op.getX(), w = op.getWeight(), bias = op.getBias(),
        init = op.getInitialState(), yInit = op.getOutputs()[0],
        sInit = op.getOutputs()[1];
  Type et = getElementTypeOrSelf(x.getType());
  auto hasEmptyDim = [](Value v) {
    return v && llvm::is_contained(cast<ShapedType>(v.getType()).getShape(), 0);
  };
  // No batch or no channels: both results are empty.
  if (hybrid::detail::staticDim(x, 0) == 0 || hybrid::detail::staticDim(x, 1) == 0)
    return SmallVector<Value>{yInit, sInit};
  Decomposer d(b, loc, et);
  SmallVector<OpFoldResult> xs = d.sizes(x); // [B, C, L]
  OpFoldResult kw = tensor::getMixedSize(b, loc, w, 1);
  AffineExpr s0, s1;
  bindSymbols(ctx, s0, s1);
  OpFoldResult hist = affine::makeComposedFoldedAffineApply(b, loc, s0 - 1, {kw});
  OpFoldResult total =
      affine::makeComposedFoldedAffineApply(b, loc, s0 + s1, {hist, xs[2]});
  // xp = concat(initial_state or zeros, x) along the time dim.
  Value xp = d.filled({xs[0], xs[1], total}, et,
                      arith::ConstantOp::create(b, loc, b.getFloatAttr(et, 0.0)));
  SmallVector<OpFoldResult> zero3(3, b.getIndexAttr(0)), one3(3, b.getIndexAttr(1));
  // (Empty pieces are skipped: extract/insert_slice reject an offset into a
  // dimension of size 0.)
  if (init && !hasEmptyDim(init))
    xp = tensor::InsertSliceOp::create(b, loc, init, xp, zero3,
                                       {xs[0], xs[1], hist}, one3);
  if (!hasEmptyDim(x))
    xp = tensor::InsertSliceOp::create(
        b, loc, x, xp, {b.getIndexAttr(0), b.getIndexAttr(0), hist}, xs, one3);

  AffineExpr bb, c, t, j;
  bindDims(ctx, bb, c, t, j);
  AffineMap id3 = mapOf(ctx, 3, {bb, c, t});
  // Accumulator starting at the bias.
  Value acc = d.filled(xs, d.ct, d.cst(0.0));
  if (bias)
    acc = d.generic(acc.getType(), {bias}, acc, {mapOf(ctx, 3, {c}), id3},
                    {kPar, kPar, kPar},
                    [&](OpBuilder &nb, ValueRange a) { return d.ext(nb, a[0]); });
  acc = d.contract(
      acc, {xp, w},
      {mapOf(ctx, 4, {bb, c, t + j}), mapOf(ctx, 4, {c, j}),
       mapOf(ctx, 4, {bb, c, t})},
      {kPar, kPar, kPar, kRed});
  bool silu = op.getActivation() == Activation::Silu;
  Value y = d.generic(yInit.getType(), {acc}, yInit, {id3, id3},
                      {kPar, kPar, kPar}, [&](OpBuilder &nb, ValueRange a) {
                        Value v = silu ? d.silu(nb, a[0]) : a[0];
                        return d.trunc(nb, v, et);
                      });
  // final_state = xp[:, :, L : L + K - 1]; a width-0 state is the destination.
  if (isConstantIntValue(hist, 0) || hasEmptyDim(sInit))
    return SmallVector<Value>{y, sInit};
  Value tail = tensor::ExtractSliceOp::create(
      b, loc, xp, {b.getIndexAttr(0), b.getIndexAttr(0), xs[2]},
      {xs[0], xs[1], hist}, one3);
  Value fin = linalg::CopyOp::create(b, loc, tail, sInit).getResult(0);
  return SmallVector<Value>{y, fin};
}

//===----------------------------------------------------------------------===//
// rms_norm
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> decomposeRmsNorm(RmsNormOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Value x = op.getX(), w = op.getWeight(), z = op.getZ(),
        init = op.getOutputs()[0];
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t r = xt.getRank();
  Type et = xt.getElementType();
  Decomposer d(b, loc, et);
  SmallVector<OpFoldResult> xs = d.sizes(x);
  // View [..., D] as [..., G, gs] (G = 1 without group_size).
  OpFoldResult gs = op.getGroupSize()
                        ? OpFoldResult(b.getIndexAttr(*op.getGroupSize()))
                        : xs[r - 1];
  if (op.getGroupSize() && ShapedType::isDynamic(xt.getDimSize(r - 1))) {
    Value dn = getValueOrCreateConstantIndexOp(b, loc, xs[r - 1]);
    Value rem = arith::RemUIOp::create(
        b, loc, dn, getValueOrCreateConstantIndexOp(b, loc, gs));
    cf::AssertOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rem,
                              arith::ConstantIndexOp::create(b, loc, 0)),
        "hybrid.rms_norm: group_size must divide the normalized dim");
  }
  AffineExpr s0;
  bindSymbols(ctx, s0);
  OpFoldResult ng =
      op.getGroupSize()
          ? affine::makeComposedFoldedAffineApply(
                b, loc, s0.floorDiv(static_cast<int64_t>(*op.getGroupSize())),
                {xs[r - 1]})
          : OpFoldResult(b.getIndexAttr(1));
  SmallVector<OpFoldResult> es(xs.begin(), xs.end() - 1);
  es.push_back(ng);
  es.push_back(gs);
  SmallVector<ReassociationIndices> reassoc;
  for (int64_t i = 0; i + 1 < r; ++i)
    reassoc.push_back({i});
  reassoc.push_back({r - 1, r});
  auto expand = [&](Value v) -> Value {
    auto [staticShape, dynamic] = decomposeMixedValues(es);
    (void)dynamic;
    auto type = RankedTensorType::get(staticShape, getElementTypeOrSelf(v.getType()));
    return tensor::ExpandShapeOp::create(b, loc, type, v, reassoc, es);
  };
  Value xe = expand(x), ze = z ? expand(z) : Value(), ye = expand(init);
  Value we = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get(
          cast<ShapedType>(ye.getType()).getShape().take_back(2),
          getElementTypeOrSelf(w.getType())),
      w, SmallVector<ReassociationIndices>{{0, 1}}, ArrayRef(es).take_back(2));

  int64_t n = r + 1; // loops: leading dims, group, element
  SmallVector<AffineExpr> all, rows;
  for (int64_t i = 0; i < n; ++i) {
    all.push_back(b.getAffineDimExpr(i));
    if (i + 1 < n)
      rows.push_back(b.getAffineDimExpr(i));
  }
  AffineMap idMap = mapOf(ctx, n, all), rowMap = mapOf(ctx, n, rows);
  AffineMap wMap = mapOf(ctx, n, {all[n - 2], all[n - 1]});
  SmallVector<IteratorType> par(n, kPar), red(n, kPar);
  red.back() = kRed;
  bool before = op.getGateBeforeNorm();
  auto gated = [&](OpBuilder &nb, Value xv, Value zv) {
    return arith::MulFOp::create(nb, loc, d.ext(nb, xv),
                                 d.silu(nb, d.ext(nb, zv)))
        .getResult();
  };
  // u = x, or x * silu(z) when the gate comes first.
  Value u = xe;
  if (z && before)
    u = d.generic(RankedTensorType::get(cast<ShapedType>(xe.getType()).getShape(), d.ct),
                  {xe, ze}, d.filled(es, d.ct, d.cst(0.0)), {idMap, idMap, idMap},
                  par, [&](OpBuilder &nb, ValueRange a) { return gated(nb, a[0], a[1]); });
  // Sum of squares per group.
  SmallVector<OpFoldResult> rs(es.begin(), es.end() - 1);
  Value ss = d.filled(rs, d.ct, d.cst(0.0));
  ss = d.generic(ss.getType(), {u}, ss, {idMap, rowMap}, red,
                 [&](OpBuilder &nb, ValueRange a) {
                   Value v = d.ext(nb, a[0]);
                   return arith::AddFOp::create(
                              nb, loc, a[1], arith::MulFOp::create(nb, loc, v, v))
                       .getResult();
                 });
  Value gsF = d.indexToFloat(getValueOrCreateConstantIndexOp(b, loc, gs));
  Value eps = d.cst(op.getEpsilon().convertToDouble());
  SmallVector<Value> ins = {u, ss, we};
  SmallVector<AffineMap> maps = {idMap, rowMap, wMap};
  bool gateAfter = z && !before;
  if (gateAfter) {
    ins.push_back(ze);
    maps.push_back(idMap);
  }
  maps.push_back(idMap);
  Value ys = d.generic(
      ye.getType(), ins, ye, maps, par, [&](OpBuilder &nb, ValueRange a) {
        Value mean = arith::DivFOp::create(nb, loc, a[1], gsF);
        Value inv = arith::DivFOp::create(
            nb, loc, d.cstIn(nb, 1.0),
            math::SqrtOp::create(nb, loc, arith::AddFOp::create(nb, loc, mean, eps)));
        Value v = arith::MulFOp::create(
            nb, loc, arith::MulFOp::create(nb, loc, d.ext(nb, a[0]), inv),
            d.ext(nb, a[2]));
        if (gateAfter)
          v = arith::MulFOp::create(nb, loc, v, d.silu(nb, d.ext(nb, a[3])));
        return d.trunc(nb, v, et);
      });
  Value y = tensor::CollapseShapeOp::create(b, loc, init.getType(), ys, reassoc);
  return SmallVector<Value>{y};
}

//===----------------------------------------------------------------------===//
// rotary
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> decomposeRotary(RotaryOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Value x = op.getX(), cs = op.getCos(), sn = op.getSin(),
        init = op.getOutputs()[0];
  Type et = getElementTypeOrSelf(x.getType());
  Decomposer d(b, loc, et);
  Value half = getValueOrCreateConstantIndexOp(
      b, loc, tensor::getMixedSize(b, loc, cs, 2));
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  Value c2 = arith::ConstantIndexOp::create(b, loc, 2);
  Value rot = arith::MulIOp::create(b, loc, half, c2);
  // The checks of the scalar implementation, for the sizes only known at run
  // time.
  if (std::optional<uint64_t> rd = op.getRotaryDim())
    cf::AssertOp::create(
        b, loc,
        arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, half,
            arith::ConstantIndexOp::create(b, loc, static_cast<int64_t>(*rd) / 2)),
        "hybrid.rotary: cos/sin must have rotary_dim / 2 columns");
  cf::AssertOp::create(
      b, loc,
      arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ule, rot,
          getValueOrCreateConstantIndexOp(b, loc, tensor::getMixedSize(b, loc, x, 3))),
      "hybrid.rotary: the rotary dim exceeds the head dim");

  Value csBatchIsOne = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      getValueOrCreateConstantIndexOp(b, loc, tensor::getMixedSize(b, loc, cs, 0)),
      c1);
  bool interleaved = op.getInterleaved();
  AffineExpr bb, h, s, e;
  bindDims(ctx, bb, h, s, e);
  AffineMap id4 = mapOf(ctx, 4, {bb, h, s, e});
  Value y = d.generic(
      init.getType(), {x}, init, {id4, id4}, {kPar, kPar, kPar, kPar},
      [&](OpBuilder &nb, ValueRange a) -> Value {
        using P = arith::CmpIPredicate;
        Value bi = d.index(nb, 0), hi = d.index(nb, 1), si = d.index(nb, 2),
              di = d.index(nb, 3);
        Value inRot = arith::CmpIOp::create(nb, loc, P::ult, di, rot);
        auto ifOp = scf::IfOp::create(nb, loc, TypeRange{et}, inRot, true);
        {
          OpBuilder::InsertionGuard g(nb);
          nb.setInsertionPointToStart(ifOp.thenBlock());
          // first: the element pairs with the one after it (it is x0).
          Value first, partner, col;
          if (interleaved) {
            Value rem = arith::RemUIOp::create(nb, loc, di, c2);
            first = arith::CmpIOp::create(
                nb, loc, P::eq, rem, arith::ConstantIndexOp::create(nb, loc, 0));
            partner = arith::SelectOp::create(
                nb, loc, first, arith::AddIOp::create(nb, loc, di, c1),
                arith::SubIOp::create(nb, loc, di, c1));
            col = arith::DivUIOp::create(nb, loc, di, c2);
          } else {
            first = arith::CmpIOp::create(nb, loc, P::ult, di, half);
            partner = arith::SelectOp::create(
                nb, loc, first, arith::AddIOp::create(nb, loc, di, half),
                arith::SubIOp::create(nb, loc, di, half));
            col = arith::SelectOp::create(nb, loc, first, di,
                                          arith::SubIOp::create(nb, loc, di, half));
          }
          Value cb = arith::SelectOp::create(
              nb, loc, csBatchIsOne, arith::ConstantIndexOp::create(nb, loc, 0), bi);
          Value c = d.ext(nb, tensor::ExtractOp::create(nb, loc, cs, ValueRange{cb, si, col}));
          Value sv = d.ext(nb, tensor::ExtractOp::create(nb, loc, sn, ValueRange{cb, si, col}));
          Value other = d.ext(nb, tensor::ExtractOp::create(
                                      nb, loc, x, ValueRange{bi, hi, si, partner}));
          Value self = d.ext(nb, a[0]);
          Value term = arith::MulFOp::create(nb, loc, other, sv);
          Value signedTerm = arith::SelectOp::create(
              nb, loc, first, arith::NegFOp::create(nb, loc, term), term);
          Value out = arith::AddFOp::create(
              nb, loc, arith::MulFOp::create(nb, loc, self, c), signedTerm);
          scf::YieldOp::create(nb, loc, d.trunc(nb, out, et));
          nb.setInsertionPointToStart(ifOp.elseBlock());
          scf::YieldOp::create(nb, loc, a[0]);
        }
        return ifOp.getResult(0);
      });
  return SmallVector<Value>{y};
}

} // namespace

#define HYBRID_DEFINE_DECOMPOSITION(OP, FN)                                    \
  FailureOr<SmallVector<Value>> OP::decomposeOperation(OpBuilder &b) {         \
    if (!hasPureTensorSemantics())                                             \
      return emitRemark("not decomposed: needs tensor operands"), failure();   \
    return FN(*this, b);                                                       \
  }

HYBRID_DEFINE_DECOMPOSITION(AttentionOp, decomposeAttention)
HYBRID_DEFINE_DECOMPOSITION(CausalConv1dOp, decomposeCausalConv1d)
HYBRID_DEFINE_DECOMPOSITION(RmsNormOp, decomposeRmsNorm)
HYBRID_DEFINE_DECOMPOSITION(RotaryOp, decomposeRotary)

#undef HYBRID_DEFINE_DECOMPOSITION
