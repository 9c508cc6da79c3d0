//===- Normalization.cpp - RMS and layer normalization ---------------------===//
//
// RMS norms (ai.onnx RMSNormalization-23, SimplifiedLayerNormalization,
// com.microsoft SkipSimplifiedLayerNormalization and GatedRMSNorm) become
// hybrid.rms_norm: the normalized trailing dims are collapsed into one and the scale
// broadcast to it, so any `axis` works. LayerNormalization, InstanceNormalization,
// LpNormalization and LRN become linalg.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// y = rms_norm(x) * scale over the dims from `axis` on, optionally gated by `z`.
FailureOr<Value> rmsNorm(OnnxNode &node, Value x, Value scale, Value z, int64_t axisAttr,
                         float epsilon) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(x);
  FailureOr<int64_t> axis = normalizeAxis(node, axisAttr, rank);
  if (failed(axis))
    return failure();
  if (!isFloatLike(elementTypeOf(x)))
    return node.emitError() << "needs a floating-point input, got " << x.getType(), failure();
  if (rankOf(scale) > rank - *axis)
    return node.emitError() << "scale " << scale.getType()
                            << " has more dims than the normalized part of " << x.getType(),
           failure();
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, x);
  SmallVector<OpFoldResult> normSizes(sizes.begin() + *axis, sizes.end());
  // Collapse [..., axis.., r-1] to [..., D]; broadcast the scale to the normalized
  // shape and flatten it to [D].
  SmallVector<OpFoldResult> flat(sizes.begin(), sizes.begin() + *axis);
  OpFoldResult d = productOf(b, loc, normSizes);
  flat.push_back(d);
  Value xf = reshapeTo(b, loc, x, flat);
  Value w = castTensor(b, loc, scale, elementTypeOf(x));
  w = broadcastTo(b, loc, w, normSizes);
  w = reshapeTo(b, loc, w, {d});
  Value zf = z ? reshapeTo(b, loc, castTensor(b, loc, z, elementTypeOf(x)), flat) : Value();
  Value init = emptyTensor(b, loc, flat, elementTypeOf(x));
  auto op = hybrid::RmsNormOp::create(b, loc, TypeRange{init.getType()}, xf, w, zf,
                                      ValueRange{init}, b.getF32FloatAttr(epsilon),
                                      IntegerAttr(), UnitAttr());
  return reshapeTo(b, loc, op.getResult(0), sizes);
}

LogicalResult convertRMSNormalization(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "X"), scale = node.rankedInput(1, "scale");
  if (failed(x) || failed(scale))
    return failure();
  FailureOr<Value> y = rmsNorm(node, *x, *scale, nullptr, node.getInt("axis", -1),
                               node.getFloat("epsilon", 1e-5f));
  return appendResult(results, y);
}

LogicalResult convertSimplifiedLayerNorm(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // com.microsoft / ORT: X, scale -> Y, inv_std_var (the latter is training-only).
  FailureOr<Value> x = node.rankedInput(0, "X"), scale = node.rankedInput(1, "scale");
  if (failed(x) || failed(scale))
    return failure();
  if (node.outputUsed(1))
    return node.emitError() << "output inv_std_var is not supported";
  FailureOr<Value> y = rmsNorm(node, *x, *scale, nullptr, node.getInt("axis", -1),
                               node.getFloat("epsilon", 1e-5f));
  return appendResult(results, y);
}

LogicalResult convertSkipSimplifiedLayerNorm(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // input, skip, gamma, bias? -> output, mean, inv_std_var, input_skip_bias_sum.
  FailureOr<Value> x = node.rankedInput(0, "input"), skip = node.rankedInput(1, "skip"),
                   gamma = node.rankedInput(2, "gamma");
  if (failed(x) || failed(skip) || failed(gamma))
    return failure();
  if (node.outputUsed(1) || node.outputUsed(2))
    return node.emitError() << "outputs mean and inv_std_var are not supported";
  SmallVector<Value> addends = {*x, *skip};
  if (node.hasInput(3)) {
    FailureOr<Value> bias = node.rankedInput(3, "bias");
    if (failed(bias))
      return failure();
    addends.push_back(*bias);
  }
  FailureOr<Value> sum = elementwise(node, addends, elementTypeOf(*x), [](OpBuilder &b, Location l, ValueRange v) {
    Value s = v[0];
    for (Value a : v.drop_front())
      s = arith::AddFOp::create(b, l, s, a);
    return s;
  });
  if (failed(sum))
    return failure();
  FailureOr<Value> y = rmsNorm(node, *sum, *gamma, nullptr, -1, node.getFloat("epsilon", 1e-5f));
  if (failed(y))
    return failure();
  results.append({*y, Value(), Value(), *sum});
  return success();
}

LogicalResult convertGatedRMSNorm(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // X, scale [C], gate -> X * rsqrt(mean(X^2) + eps) * scale * silu(gate).
  FailureOr<Value> x = node.rankedInput(0, "X"), scale = node.rankedInput(1, "scale"),
                   gate = node.rankedInput(2, "gate");
  if (failed(x) || failed(scale) || failed(gate))
    return failure();
  if (tensorType(*gate) != tensorType(*x))
    return node.emitError() << "gate " << gate->getType() << " must match X " << x->getType();
  FailureOr<Value> y = rmsNorm(node, *x, *scale, *gate, -1, node.getFloat("epsilon", 1e-5f));
  return appendResult(results, y);
}

/// Mean / variance statistics of `x` over `axes` (kept as unit dims), in `ct`.
struct Moments {
  Value centered; // x - mean
  Value mean;
  Value invStd; // 1 / sqrt(var + eps)
};

FailureOr<Moments> moments(OnnxNode &node, Value x, ArrayRef<int64_t> axes, float eps, Type ct) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value xf = castTensor(b, loc, x, ct);
  Value countF = elementCountAs(b, loc, x, axes, ct);
  auto add = [](OpBuilder &nb, Location l, Value a, Value v) -> Value { return arith::AddFOp::create(nb, l, a, v); };
  Value zero = scalarConstant(b, loc, ct, 0);
  Value sum = reduce(b, loc, xf, axes, true, zero, add);
  FailureOr<Value> mean = elementwise(node, {sum}, ct, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    return arith::DivFOp::create(nb, l, v[0], countF);
  });
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = elementwise(node, {xf, *mean}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
    return arith::SubFOp::create(nb, l, v[0], v[1]);
  });
  if (failed(centered))
    return failure();
  Value sq = reduce(b, loc, *centered, axes, true, zero, add,
                    [](OpBuilder &nb, Location l, Value v) -> Value { return arith::MulFOp::create(nb, l, v, v); });
  FailureOr<Value> invStd = elementwise(node, {sq}, ct, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    Value var = arith::DivFOp::create(nb, l, v[0], countF);
    Value s = math::SqrtOp::create(nb, l, arith::AddFOp::create(nb, l, var, scalarConstant(nb, l, ct, eps)));
    return arith::DivFOp::create(nb, l, scalarConstant(nb, l, ct, 1.0), s);
  });
  if (failed(invStd))
    return failure();
  return Moments{*centered, *mean, *invStd};
}

/// f64 stays f64; every other float computes in f32.
Type statsType(OpBuilder &b, Type elt) { return elt.isF64() ? elt : b.getF32Type(); }

LogicalResult convertLayerNormalization(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "X"), scale = node.rankedInput(1, "Scale");
  if (failed(x) || failed(scale))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(*x);
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt))
    return node.emitError() << "needs a floating-point input";
  Type ct = statsType(b, elt);
  SmallVector<int64_t> axes;
  for (int64_t d = *axis; d < rank; ++d)
    axes.push_back(d);
  FailureOr<Moments> m = moments(node, *x, axes, node.getFloat("epsilon", 1e-5f), ct);
  if (failed(m))
    return failure();
  Value centered = m->centered, mean = m->mean, invStd = m->invStd;
  SmallVector<Value> ins = {centered, invStd, *scale};
  if (node.hasInput(2)) {
    FailureOr<Value> bias = node.rankedInput(2, "B");
    if (failed(bias))
      return failure();
    ins.push_back(*bias);
  }
  FailureOr<Value> y = elementwise(node, ins, elt, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    Value r = arith::MulFOp::create(nb, l, v[0], v[1]);
    r = arith::MulFOp::create(nb, l, r, convertScalar(nb, l, v[2], ct));
    if (v.size() > 3)
      r = arith::AddFOp::create(nb, l, r, convertScalar(nb, l, v[3], ct));
    return convertScalar(nb, l, r, elt);
  });
  if (failed(y))
    return failure();
  results.push_back(*y);
  Type statType = elt;
  if (auto to = node.getInt("stash_type"))
    if (Type t = hybrid::onnx::getElementType(b.getContext(), *to))
      statType = t;
  results.push_back(node.outputUsed(1) ? castTensor(b, loc, mean, statType) : Value());
  results.push_back(node.outputUsed(2) ? castTensor(b, loc, invStd, statType) : Value());
  return success();
}

LogicalResult convertBatchNormalization(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // Inference form: y = (x - mean) / sqrt(var + eps) * scale + B, per channel (dim 1).
  FailureOr<Value> x = node.rankedInput(0, "X");
  if (failed(x))
    return failure();
  if (node.getInt("training_mode", 0))
    return node.emitError() << "training_mode is not supported (inference only)";
  SmallVector<Value> params;
  for (unsigned i = 1; i <= 4; ++i) {
    FailureOr<Value> p = node.rankedInput(i, i == 1 ? "scale" : i == 2 ? "B" : i == 3 ? "mean" : "var");
    if (failed(p))
      return failure();
    if (rankOf(*p) != 1)
      return node.emitError() << "input " << i << " must be 1-D";
    params.push_back(*p);
  }
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(*x);
  if (rank < 2)
    return node.emitError() << "X must have rank >= 2";
  // [C] -> [C, 1, ..., 1] so they broadcast along dim 1.
  SmallVector<int64_t> unit;
  for (int64_t d = 1; d < rank - 1; ++d)
    unit.push_back(d);
  float eps = node.getFloat("epsilon", 1e-5f);
  Type elt = elementTypeOf(*x);
  // Constant statistics and affine parameters (a trained model's inference
  // graph): fold them into one scale and shift per channel at compile time,
  // y = x * s + t with s = scale / sqrt(var + eps) and t = B - mean * s (in
  // double), instead of a square root and a division per element.
  std::optional<SmallVector<double>> scale = node.constantFloats(1), bias = node.constantFloats(2),
                                     mean = node.constantFloats(3), var = node.constantFloats(4);
  if (scale && bias && mean && var && scale->size() == bias->size() &&
      scale->size() == mean->size() && scale->size() == var->size() && isFloatLike(elt)) {
    Type ct = elt.isF64() ? elt : b.getF32Type();
    SmallVector<Attribute> s, t;
    for (size_t c = 0; c < scale->size(); ++c) {
      double k = (*scale)[c] / std::sqrt((*var)[c] + static_cast<double>(eps));
      s.push_back(FloatAttr::get(ct, k));
      t.push_back(FloatAttr::get(ct, (*bias)[c] - (*mean)[c] * k));
    }
    auto vt = RankedTensorType::get({static_cast<int64_t>(s.size())}, ct);
    Value sv = arith::ConstantOp::create(b, loc, vt, DenseElementsAttr::get(vt, s));
    Value tv = arith::ConstantOp::create(b, loc, vt, DenseElementsAttr::get(vt, t));
    SmallVector<Value> folded = {*x, insertUnitDims(b, loc, sv, unit),
                                 insertUnitDims(b, loc, tv, unit)};
    FailureOr<Value> y =
        elementwise(node, folded, elt, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
          Value xv = convertScalar(nb, l, v[0], ct);
          Value r = arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, xv, v[1]), v[2]);
          return convertScalar(nb, l, r, elt);
        });
    return appendResult(results, y);
  }
  SmallVector<Value> ins = {*x};
  for (Value p : params)
    ins.push_back(insertUnitDims(b, loc, p, unit));
  FailureOr<Value> y = elementwise(node, ins, elt, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    Type ct = nb.getF32Type();
    if (elt.isF64())
      ct = elt;
    auto c = [&](Value s) { return convertScalar(nb, l, s, ct); };
    Value s = math::SqrtOp::create(nb, l, arith::AddFOp::create(nb, l, c(v[4]), scalarConstant(nb, l, ct, eps)));
    Value r = arith::DivFOp::create(nb, l, arith::SubFOp::create(nb, l, c(v[0]), c(v[3])), s);
    r = arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, r, c(v[1])), c(v[2]));
    return convertScalar(nb, l, r, elt);
  });
  return appendResult(results, y);
}

LogicalResult convertInstanceNormalization(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // y = scale[c] * (x - mean) / sqrt(var + eps) + B[c], statistics per (n, c) over
  // the spatial dims.
  FailureOr<Value> x = node.rankedInput(0, "input"), scale = node.rankedInput(1, "scale"),
                   bias = node.rankedInput(2, "B");
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  int64_t rank = rankOf(*x);
  Type elt = elementTypeOf(*x);
  if (rank < 3 || !isFloatLike(elt))
    return node.emitError() << "input must be a float tensor of rank >= 3, got " << x->getType();
  if (rankOf(*scale) != 1 || rankOf(*bias) != 1)
    return node.emitError() << "scale and B must be 1-D";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type ct = statsType(b, elt);
  SmallVector<int64_t> spatial;
  for (int64_t d = 2; d < rank; ++d)
    spatial.push_back(d);
  FailureOr<Moments> m = moments(node, *x, spatial, node.getFloat("epsilon", 1e-5f), ct);
  if (failed(m))
    return failure();
  SmallVector<int64_t> unit;
  for (int64_t d = 1; d < rank - 1; ++d)
    unit.push_back(d);
  Value s = insertUnitDims(b, loc, *scale, unit), bb = insertUnitDims(b, loc, *bias, unit);
  FailureOr<Value> y = elementwise(node, {m->centered, m->invStd, s, bb}, elt,
                                   [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    Value r = arith::MulFOp::create(nb, l, v[0], v[1]);
    r = arith::MulFOp::create(nb, l, r, convertScalar(nb, l, v[2], ct));
    r = arith::AddFOp::create(nb, l, r, convertScalar(nb, l, v[3], ct));
    return convertScalar(nb, l, r, elt);
  });
  return appendResult(results, y);
}

LogicalResult convertGroupNormalization(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // y = (x - mean_g) / sqrt(var_g + eps) * scale + bias, the statistics over each
  // group of C / num_groups channels and the spatial dims. scale and bias are
  // per channel [C] since opset 21, per group [num_groups] in opset 18.
  // (Its function body is context-dependent, so it is converted here.)
  FailureOr<Value> x = node.rankedInput(0, "X"), scale = node.rankedInput(1, "scale"),
                   bias = node.rankedInput(2, "bias");
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  int64_t rank = rankOf(*x);
  Type elt = elementTypeOf(*x);
  if (rank < 2 || !isFloatLike(elt))
    return node.emitError() << "X must be a float [N, C, ...] tensor, got " << x->getType();
  std::optional<int64_t> groups = node.getInt("num_groups");
  int64_t c = tensorType(*x).getDimSize(1);
  if (!groups || *groups <= 0)
    return node.emitError() << "num_groups is required and must be positive";
  if (ShapedType::isDynamic(c) || c % *groups)
    return node.emitError() << "num_groups " << *groups << " must divide a static channel count, got "
                            << x->getType();
  bool perChannel = node.version() >= 21;
  int64_t want = perChannel ? c : *groups;
  for (Value v : {*scale, *bias})
    if (rankOf(v) != 1 || tensorType(v).getDimSize(0) != want)
      return node.emitError() << "scale and bias must be [" << want << "], got " << v.getType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type ct = statsType(b, elt);
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, *x);
  SmallVector<OpFoldResult> gs = {xs[0], b.getIndexAttr(*groups), b.getIndexAttr(c / *groups)};
  gs.append(xs.begin() + 2, xs.end());
  Value xg = reshapeTo(b, loc, *x, gs); // [N, G, C/G, S...]
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank + 1; ++d)
    axes.push_back(d);
  FailureOr<Moments> m = moments(node, xg, axes, node.getFloat("epsilon", 1e-5f), ct);
  if (failed(m))
    return failure();
  auto affine = [&](Value t, Value sc, Value bi) -> FailureOr<Value> {
    // t * sc + bi, with sc and bi [K] along dim 1 of t.
    SmallVector<int64_t> unit;
    for (int64_t d = 1; d < rankOf(t) - 1; ++d)
      unit.push_back(d);
    Value s = insertUnitDims(b, loc, sc, unit), bb = insertUnitDims(b, loc, bi, unit);
    return elementwise(node, {t, s, bb}, ct, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
      Value r = arith::MulFOp::create(nb, l, v[0], convertScalar(nb, l, v[1], ct));
      return arith::AddFOp::create(nb, l, r, convertScalar(nb, l, v[2], ct));
    });
  };
  FailureOr<Value> normed = elementwise(node, {m->centered, m->invStd}, ct,
                                        [](OpBuilder &nb, Location l, ValueRange v) -> Value {
                                          return arith::MulFOp::create(nb, l, v[0], v[1]);
                                        });
  if (failed(normed))
    return failure();
  Value y = *normed;
  if (!perChannel) {
    FailureOr<Value> r = affine(y, *scale, *bias);
    if (failed(r))
      return failure();
    y = *r;
  }
  SmallVector<OpFoldResult> outSizes(xs);
  outSizes[1] = b.getIndexAttr(c);
  y = reshapeTo(b, loc, y, outSizes);
  if (perChannel) {
    FailureOr<Value> r = affine(y, *scale, *bias);
    if (failed(r))
      return failure();
    y = *r;
  }
  results.push_back(castTensor(b, loc, y, elt));
  return success();
}

LogicalResult convertLpNormalization(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // y = x / ||x||_p along `axis` (p = 1 or 2).
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt))
    return node.emitError() << "needs a floating-point input";
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", -1), rankOf(*x));
  if (failed(axis))
    return failure();
  int64_t p = node.getInt("p", 2);
  if (p != 1 && p != 2)
    return node.emitError() << "p must be 1 or 2, got " << p;
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type ct = statsType(b, elt);
  Value xf = castTensor(b, loc, *x, ct);
  Value norm = reduce(
      b, loc, xf, {*axis}, true, scalarConstant(b, loc, ct, 0),
      [](OpBuilder &nb, Location l, Value a, Value v) -> Value { return arith::AddFOp::create(nb, l, a, v); },
      [&](OpBuilder &nb, Location l, Value v) -> Value {
        return p == 1 ? Value(math::AbsFOp::create(nb, l, v)) : Value(arith::MulFOp::create(nb, l, v, v));
      });
  FailureOr<Value> y = elementwise(node, {xf, norm}, elt, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    Value n = p == 2 ? Value(math::SqrtOp::create(nb, l, v[1])) : v[1];
    // A zero norm (an all-zero row) leaves the row at zero, as ONNX's reference does.
    Value isZero = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, n, scalarConstant(nb, l, ct, 0));
    n = arith::SelectOp::create(nb, l, isZero, scalarConstant(nb, l, ct, 1), n);
    return convertScalar(nb, l, arith::DivFOp::create(nb, l, v[0], n), elt);
  });
  return appendResult(results, y);
}

LogicalResult convertLRN(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // y = x / (bias + alpha / size * sum_{c' in window(c)} x[c']^2)^beta, the window
  // [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to the channels.
  FailureOr<Value> x = node.rankedInput(0, "X");
  if (failed(x))
    return failure();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt) || rankOf(*x) < 3)
    return node.emitError() << "X must be a float tensor of rank >= 3, got " << x->getType();
  auto size = node.getInt("size");
  if (!size || *size < 1)
    return node.emitError() << "size must be a positive integer";
  float alpha = node.getFloat("alpha", 1e-4f), beta = node.getFloat("beta", 0.75f),
        bias = node.getFloat("bias", 1.0f);
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type ct = statsType(b, elt);
  int64_t lo = (*size - 1) / 2, hi = *size - 1 - lo;
  int64_t r = rankOf(*x);
  Value xv = *x;
  Value channels = tensor::DimOp::create(b, loc, *x, 1);
  Value init = emptyTensor(b, loc, mixedSizes(b, loc, *x), elt);
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  Value y =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{*x}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(r), b.getMultiDimIdentityMap(r)}, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            SmallVector<Value> at;
            for (int64_t d = 0; d < r; ++d)
              at.push_back(linalg::IndexOp::create(nb, l, d));
            Value c = at[1];
            Value zero = arith::ConstantIndexOp::create(nb, l, 0);
            Value first = arith::MaxSIOp::create(
                nb, l, arith::SubIOp::create(nb, l, c, arith::ConstantIndexOp::create(nb, l, lo)), zero);
            Value end = arith::MinSIOp::create(
                nb, l, arith::AddIOp::create(nb, l, c, arith::ConstantIndexOp::create(nb, l, hi + 1)),
                channels);
            auto loop = scf::ForOp::create(
                nb, l, first, end, arith::ConstantIndexOp::create(nb, l, 1),
                ValueRange{scalarConstant(nb, l, ct, 0)},
                [&](OpBuilder &fb, Location fl, Value cc, ValueRange acc) {
                  SmallVector<Value> src(at);
                  src[1] = cc;
                  Value v = convertScalar(fb, fl, tensor::ExtractOp::create(fb, fl, xv, src), ct);
                  scf::YieldOp::create(fb, fl, ValueRange{arith::AddFOp::create(
                                                   fb, fl, acc[0], arith::MulFOp::create(fb, fl, v, v))});
                });
            Value den = arith::AddFOp::create(
                nb, l, scalarConstant(nb, l, ct, bias),
                arith::MulFOp::create(nb, l, scalarConstant(nb, l, ct, alpha / *size), loop.getResult(0)));
            den = math::PowFOp::create(nb, l, den, scalarConstant(nb, l, ct, beta));
            Value out = arith::DivFOp::create(nb, l, convertScalar(nb, l, args[0], ct), den);
            linalg::YieldOp::create(nb, l, ValueRange{convertScalar(nb, l, out, elt)});
          })
          .getResult(0);
  results.push_back(y);
  return success();
}

} // namespace

void hybrid::onnx_conv::populateNormalizationConverters(ConverterTable &t) {
  t.add("", "RMSNormalization", 23, convertRMSNormalization);
  // ORT registers SimplifiedLayerNormalization in the ONNX domain; some files put
  // it in com.microsoft.
  t.add("", "SimplifiedLayerNormalization", 1, convertSimplifiedLayerNorm);
  t.add("com.microsoft", "SimplifiedLayerNormalization", 1, convertSimplifiedLayerNorm);
  t.add("com.microsoft", "SkipSimplifiedLayerNormalization", 1, convertSkipSimplifiedLayerNorm);
  t.add("com.microsoft", "GatedRMSNorm", 1, convertGatedRMSNorm);
  t.add("", "LayerNormalization", 17, convertLayerNormalization);
  t.add("", "BatchNormalization", 9, convertBatchNormalization);
  t.add("", "InstanceNormalization", 6, convertInstanceNormalization);
  t.add("", "GroupNormalization", 18, convertGroupNormalization);
  t.add("", "LpNormalization", 1, convertLpNormalization);
  t.add("", "LRN", 1, convertLRN);
}
