//===- MoE.cpp - com.microsoft MoE ------------------------------------------===//
//
// ORT's MoE (softmax routing over router logits, top-k, optional renormalization;
// fc1 [E, f*I, H], fc2 [E, H, I], fc3 [E, I, H], all [out, in]) becomes hybrid.moe.
// With swiglu, fc1 holds the gate (and, fused, the up projection: interleaved rows
// for swiglu_fusion = 1, concatenated halves for 2); unfused swiglu takes up from fc3.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// Rows [start, start + count) with `stride` of dim 1 of a [E, R, ...] tensor.
Value rowSlice(OpBuilder &b, Location loc, Value t, int64_t start, int64_t count, int64_t stride) {
  int64_t r = rankOf(t);
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, t);
  SmallVector<OpFoldResult> off(r, b.getIndexAttr(0)), st(r, b.getIndexAttr(1));
  off[1] = b.getIndexAttr(start);
  sizes[1] = b.getIndexAttr(count);
  st[1] = b.getIndexAttr(stride);
  return tensor::ExtractSliceOp::create(b, loc, t, off, sizes, st);
}

LogicalResult convertMoE(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input"), logits = node.rankedInput(1, "router_probs"),
                   fc1 = node.rankedInput(2, "fc1_experts_weights"), fc2 = node.rankedInput(4, "fc2_experts_weights");
  if (failed(x) || failed(logits) || failed(fc1) || failed(fc2))
    return failure();
  if (node.getInt("use_sparse_mixer", 0))
    return node.emitError() << "use_sparse_mixer is not supported";
  if (node.getFloat("activation_alpha", 1.0f) != 1.0f || node.getFloat("activation_beta", 0.0f) != 0.0f ||
      (node.has("swiglu_limit") && std::isfinite(node.getFloat("swiglu_limit", 0.0f)) &&
       node.getFloat("swiglu_limit", 0.0f) != 0.0f))
    return node.emitError() << "clamped SwiGLU (activation_alpha/beta, swiglu_limit) is not supported";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  std::string actName = node.getString("activation_type", "relu");
  int64_t fusion = node.getInt("swiglu_fusion", 0);
  hybrid::Activation act;
  if (actName == "relu")
    act = hybrid::Activation::Relu;
  else if (actName == "gelu")
    act = hybrid::Activation::Gelu;
  else if (actName == "silu")
    act = hybrid::Activation::Silu;
  else if (actName == "swiglu")
    act = hybrid::Activation::Swiglu;
  else
    return node.emitError() << "activation_type '" << actName << "' is not supported";
  if (rankOf(*fc1) != 3 || rankOf(*fc2) != 3)
    return node.emitError() << "expert weights must be 3-D";
  // ONNX's type constraint: one float type for the input, the router
  // probabilities and every expert weight and bias.
  Type et = elementTypeOf(*x);
  for (unsigned i = 1; i < node.numInputs() && i < 8; ++i)
    if (Value v = node.input(i); v && elementTypeOf(v) != et)
      return node.emitError() << "input " << i << " has element type " << elementTypeOf(v)
                              << ", input 0 has " << et << " (one type for all)";
  int64_t rows = tensorType(*fc1).getDimSize(1);
  Value wUp = *fc1, wGate, bUp, bGate;
  Value b1 = node.input(3);
  if (act == hybrid::Activation::Swiglu) {
    if (fusion == 0) {
      FailureOr<Value> fc3 = node.rankedInput(6, "fc3_experts_weights");
      if (failed(fc3))
        return failure();
      wGate = *fc1, bGate = b1;
      wUp = *fc3, bUp = node.input(7);
    } else {
      if (ShapedType::isDynamic(rows) || rows % 2)
        return node.emitError() << "fused swiglu needs an even, static fc1 row count";
      int64_t inter = rows / 2;
      bool interleaved = fusion == 1;
      auto split = [&](Value t, int which) {
        return interleaved ? rowSlice(b, loc, t, which, inter, 2) : rowSlice(b, loc, t, which * inter, inter, 1);
      };
      wGate = split(*fc1, 0), wUp = split(*fc1, 1);
      if (b1) {
        Value b3 = insertUnitDims(b, loc, b1, {2});
        bGate = dropUnitDims(b, loc, split(b3, 0), {2});
        bUp = dropUnitDims(b, loc, split(b3, 1), {2});
      }
    }
  } else {
    bUp = b1;
  }
  // [B, S, H] inputs are flattened to tokens.
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, *x);
  Value tokens = *x;
  if (rankOf(*x) == 3) {
    tokens = reshapeTo(b, loc, *x, {mulSizes(b, loc, xs[0], xs[1]), xs[2]});
  } else if (rankOf(*x) != 2) {
    return node.emitError() << "input must be [tokens, H] or [B, S, H]";
  }
  SmallVector<OpFoldResult> ts = mixedSizes(b, loc, tokens);
  Value r2 = *logits;
  if (rankOf(r2) != 2) {
    SmallVector<OpFoldResult> ls = mixedSizes(b, loc, r2);
    r2 = reshapeTo(b, loc, r2, {ts[0], ls.back()});
  }
  Value init = emptyTensor(b, loc, ts, elementTypeOf(tokens));
  auto op = hybrid::MoeOp::create(
      b, loc, TypeRange{init.getType()}, tokens, r2, wUp, *fc2, wGate, Value(), bGate, bUp, node.input(5),
      ValueRange{init}, b.getI64IntegerAttr(node.getInt("k", 1)),
      hybrid::ScoringAttr::get(b.getContext(), hybrid::Scoring::Softmax),
      hybrid::ActivationAttr::get(b.getContext(), act),
      node.getInt("normalize_routing_weights", 0) ? b.getUnitAttr() : UnitAttr(), b.getF32FloatAttr(1.0f));
  results.push_back(reshapeTo(b, loc, op.getResult(0), xs));
  return success();
}

} // namespace

void hybrid::onnx_conv::populateMoEConverters(ConverterTable &t) {
  t.add("com.microsoft", "MoE", 1, convertMoE);
}
