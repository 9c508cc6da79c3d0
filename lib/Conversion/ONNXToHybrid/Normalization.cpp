//===- Normalization.cpp - RMS and layer normalization ---------------------===//
//
// RMS norms (ai.onnx RMSNormalization-23, SimplifiedLayerNormalization,
// com.microsoft SkipSimplifiedLayerNormalization and GatedRMSNorm) become
// hybrid.rms_norm: the normalized trailing dims are collapsed into one and the scale
// broadcast to it, so any `axis` works. LayerNormalization becomes linalg.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

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
  float eps = node.getFloat("epsilon", 1e-5f);
  Type ct = b.getF32Type();
  if (elt.isF64())
    ct = elt;
  Value xf = castTensor(b, loc, *x, ct);
  SmallVector<int64_t> axes;
  for (int64_t d = *axis; d < rank; ++d)
    axes.push_back(d);
  Value countF = elementCountAs(b, loc, *x, axes, ct);
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
  SmallVector<Value> ins = {*centered, *invStd, *scale};
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
  results.push_back(node.outputUsed(1) ? castTensor(b, loc, *mean, statType) : Value());
  results.push_back(node.outputUsed(2) ? castTensor(b, loc, *invStd, statType) : Value());
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
  SmallVector<Value> ins = {*x};
  for (Value p : params)
    ins.push_back(insertUnitDims(b, loc, p, unit));
  float eps = node.getFloat("epsilon", 1e-5f);
  Type elt = elementTypeOf(*x);
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
}
