//===- Loss.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss -------===//
//
// Both are ONNX function ops whose bodies depend on the input types (context-
// dependent functions), so the importer cannot inline them; they are converted
// here. SoftmaxCrossEntropyLoss is LogSoftmax over axis 1 (its optional second
// output) followed by the negative log-likelihood:
//
//   loss[n, d...] = -input[n, t, d...] * w[t]   with t = target[n, d...]
//                   (0 where t == ignore_index; w = 1 without weights)
//   reduction none: that tensor; sum: its sum; mean: its sum divided by the sum
//   of the w[t] that were not ignored (the count of those without weights).
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// The negative log-likelihood of `logp` [N, C, D...] at `target` [N, D...] with
/// optional class `weight` [C], reduced as `reduction` says.
FailureOr<Value> nllLoss(OnnxNode &node, Value logp, Value target, Value weight) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(logp);
  Type elt = elementTypeOf(logp);
  if (rank < 2 || !isFloatLike(elt))
    return node.emitError() << "input must be a float [N, C, D...] tensor, got " << logp.getType(), failure();
  if (rankOf(target) != rank - 1 || !isa<IntegerType>(elementTypeOf(target)))
    return node.emitError() << "target must be an integer [N, D...] tensor, got " << target.getType(), failure();
  if (weight && (rankOf(weight) != 1 || elementTypeOf(weight) != elt))
    return node.emitError() << "weight must be a 1-D [C] tensor of the input's type, got " << weight.getType(),
           failure();
  std::string reduction = node.getString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return node.emitError() << "unknown reduction '" << reduction << "'", failure();
  std::optional<int64_t> ignore = node.getInt("ignore_index");
  Type ct = computeType(b, elt);
  Value classes = tensor::DimOp::create(b, loc, logp, 1);
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, target);
  // (loss, weight) per target position.
  auto perPosition = [&](bool wantWeight) {
    return generateTensor(b, loc, sizes, ct, [&](OpBuilder &nb, Location l, ValueRange iv) -> Value {
      Value t = tensor::ExtractOp::create(nb, l, target, iv);
      Value valid = arith::ConstantOp::create(nb, l, nb.getBoolAttr(true));
      if (ignore)
        valid = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ne, t,
                                      arith::ConstantOp::create(nb, l, IntegerAttr::get(t.getType(), *ignore)));
      // Clamped, so an ignored (or out-of-range) class reads a valid element.
      Value ti = arith::IndexCastOp::create(nb, l, nb.getIndexType(), t);
      Value last = arith::SubIOp::create(nb, l, classes, arith::ConstantIndexOp::create(nb, l, 1));
      ti = arith::MinSIOp::create(nb, l, arith::MaxSIOp::create(nb, l, ti, arith::ConstantIndexOp::create(nb, l, 0)),
                                  last);
      Value w = scalarConstant(nb, l, ct, 1.0);
      if (weight)
        w = convertScalar(nb, l, tensor::ExtractOp::create(nb, l, weight, ValueRange{ti}), ct);
      Value zero = scalarConstant(nb, l, ct, 0.0);
      if (wantWeight)
        return arith::SelectOp::create(nb, l, valid, w, zero);
      SmallVector<Value> at = {iv[0], ti};
      at.append(iv.begin() + 1, iv.end());
      Value x = convertScalar(nb, l, tensor::ExtractOp::create(nb, l, logp, at), ct);
      Value loss = arith::NegFOp::create(nb, l, arith::MulFOp::create(nb, l, x, w));
      return arith::SelectOp::create(nb, l, valid, loss, zero);
    });
  };
  Value loss = perPosition(false);
  if (reduction == "none")
    return castTensor(b, loc, loss, elt);
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < rankOf(loss); ++d)
    all.push_back(d);
  auto add = [](OpBuilder &nb, Location l, Value a, Value v) -> Value { return arith::AddFOp::create(nb, l, a, v); };
  Value total = reduce(b, loc, loss, all, /*keepDims=*/false, scalarConstant(b, loc, ct, 0.0), add);
  if (reduction == "mean") {
    Value denom = reduce(b, loc, perPosition(true), all, /*keepDims=*/false, scalarConstant(b, loc, ct, 0.0), add);
    FailureOr<Value> mean = elementwise(node, {total, denom}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
      return arith::DivFOp::create(nb, l, v[0], v[1]);
    });
    if (failed(mean))
      return failure();
    total = *mean;
  }
  return castTensor(b, loc, total, elt);
}

LogicalResult convertNLLLoss(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input"), t = node.rankedInput(1, "target");
  if (failed(x) || failed(t))
    return failure();
  Value w;
  if (node.hasInput(2)) {
    FailureOr<Value> wv = node.rankedInput(2, "weight");
    if (failed(wv))
      return failure();
    w = *wv;
  }
  return appendResult(results, nllLoss(node, *x, *t, w));
}

LogicalResult convertSoftmaxCrossEntropyLoss(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "scores"), t = node.rankedInput(1, "labels");
  if (failed(x) || failed(t))
    return failure();
  Type elt = elementTypeOf(*x);
  if (rankOf(*x) < 2 || !isFloatLike(elt))
    return node.emitError() << "scores must be a float [N, C, D...] tensor, got " << x->getType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type ct = computeType(b, elt);
  // log_prob = x - max - log(sum(exp(x - max))) over the classes (axis 1).
  Value xf = castTensor(b, loc, *x, ct);
  Value mx = reduce(b, loc, xf, {1}, /*keepDims=*/true, lowestScalar(b, loc, ct),
                    [](OpBuilder &nb, Location l, Value a, Value v) { return maxScalar(nb, l, a, v); });
  FailureOr<Value> shifted = elementwise(node, {xf, mx}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
    return arith::SubFOp::create(nb, l, v[0], v[1]);
  });
  if (failed(shifted))
    return failure();
  Value sum = reduce(b, loc, *shifted, {1}, /*keepDims=*/true, scalarConstant(b, loc, ct, 0.0),
                     [](OpBuilder &nb, Location l, Value a, Value v) -> Value { return arith::AddFOp::create(nb, l, a, v); },
                     [](OpBuilder &nb, Location l, Value v) -> Value { return math::ExpOp::create(nb, l, v); });
  FailureOr<Value> logp = elementwise(node, {*shifted, sum}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
    return arith::SubFOp::create(nb, l, v[0], math::LogOp::create(nb, l, v[1]));
  });
  if (failed(logp))
    return failure();
  Value w;
  if (node.hasInput(2)) {
    FailureOr<Value> wv = node.rankedInput(2, "weights");
    if (failed(wv))
      return failure();
    w = castTensor(b, loc, *wv, ct);
  }
  FailureOr<Value> loss = nllLoss(node, *logp, *t, w);
  if (failed(loss))
    return failure();
  results.push_back(castTensor(b, loc, *loss, elt));
  results.push_back(node.outputUsed(1) ? castTensor(b, loc, *logp, elt) : Value());
  return success();
}

} // namespace

void hybrid::onnx_conv::populateLossConverters(ConverterTable &t) {
  t.add("", "NegativeLogLikelihoodLoss", 12, convertNLLLoss);
  t.add("", "SoftmaxCrossEntropyLoss", 12, convertSoftmaxCrossEntropyLoss);
}
