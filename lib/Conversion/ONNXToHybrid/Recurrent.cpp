//===- Recurrent.cpp - LinearAttention, CausalConvWithState, SelectiveScan --===//
//
//   ai.onnx LinearAttention-27 / com.microsoft LinearAttention -> hybrid.linear_attention
//   ai.onnx CausalConvWithState-27 / com.microsoft CausalConvWithState -> hybrid.causal_conv1d
//   ai.hybrid SelectiveScan-1 (ours, docs/onnx-import.md)          -> hybrid.ssm_scan
//   ai.hybrid SsmScan-1 (ours, the spec's layout)                   -> hybrid.ssm_scan
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// [B, T, H*D] -> [B, T, H, D] (no transpose: linear attention is token-major).
FailureOr<Value> unpackHeads(OnnxNode &node, Value x, int64_t heads, StringRef what) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  if (rankOf(x) != 3)
    return node.emitError() << what << " must be 3-D [B, T, H*D], got " << x.getType(), failure();
  SmallVector<OpFoldResult> s = mixedSizes(b, loc, x);
  auto hd = getConstantIntValue(s[2]);
  if (!hd)
    return node.emitError() << what << " needs a static hidden size", failure();
  if (*hd % heads)
    return node.emitError() << what << " hidden size " << *hd << " is not a multiple of " << heads
                            << " heads",
           failure();
  return reshapeTo(b, loc, x, {s[0], s[1], b.getIndexAttr(heads), b.getIndexAttr(*hd / heads)});
}

/// [B, T, 1] -> [B, T, n].
Value broadcastLastDim(OpBuilder &b, Location loc, Value x, int64_t n) {
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, x);
  sizes[2] = b.getIndexAttr(n);
  Value init = emptyTensor(b, loc, sizes, elementTypeOf(x));
  MLIRContext *ctx = b.getContext();
  AffineMap in = AffineMap::get(3, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1),
                                       b.getAffineConstantExpr(0)}, ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{in, b.getMultiDimIdentityMap(3)},
             SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange a) { linalg::YieldOp::create(nb, l, a[0]); })
      .getResult(0);
}

LogicalResult convertLinearAttention(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> q = node.rankedInput(0, "query"), k = node.rankedInput(1, "key"),
                   v = node.rankedInput(2, "value");
  if (failed(q) || failed(k) || failed(v))
    return failure();
  std::optional<int64_t> hq = node.getInt("q_num_heads"), hkv = node.getInt("kv_num_heads");
  if (!hq || !hkv || *hq <= 0 || *hkv <= 0)
    return node.emitError() << "q_num_heads and kv_num_heads are required and positive";
  if (node.getInt("state_window", 0) != 0)
    return node.emitError() << "state_window (speculative rollback) is not supported";
  std::string ruleName = node.getString("update_rule", "gated_delta");
  std::optional<hybrid::UpdateRule> rule = hybrid::symbolizeUpdateRule(ruleName);
  if (!rule)
    return node.emitError() << "unknown update_rule '" << ruleName << "'";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  FailureOr<Value> q4 = unpackHeads(node, *q, *hq, "query"), k4 = unpackHeads(node, *k, *hkv, "key"),
                   v4 = unpackHeads(node, *v, *hkv, "value");
  if (failed(q4) || failed(k4) || failed(v4))
    return failure();
  int64_t dk = tensorType(*k4).getDimSize(3);
  Value state = node.hasInput(3) ? node.input(3) : Value();
  Value decay, beta;
  bool gated = *rule == hybrid::UpdateRule::Gated || *rule == hybrid::UpdateRule::GatedDelta;
  bool delta = *rule == hybrid::UpdateRule::Delta || *rule == hybrid::UpdateRule::GatedDelta;
  if (gated) {
    FailureOr<Value> d = node.rankedInput(4, "decay");
    if (failed(d))
      return failure();
    // [B, T, Hkv] (one gate per head) or [B, T, Hkv*dk] (per key channel).
    int64_t last = tensorType(*d).getDimSize(2);
    decay = *d;
    if (last != *hkv) {
      FailureOr<Value> d4 = unpackHeads(node, *d, *hkv, "decay");
      if (failed(d4))
        return failure();
      if (tensorType(*d4).getDimSize(3) != dk)
        return node.emitError() << "decay " << d->getType() << " is neither [B, T, Hkv] nor [B, T, Hkv*dk]";
      decay = *d4;
    }
  }
  if (delta) {
    FailureOr<Value> bt = node.rankedInput(5, "beta");
    if (failed(bt))
      return failure();
    beta = *bt;
    // [B, T, 1]: one beta shared by every head.
    if (rankOf(beta) == 3 && tensorType(beta).getDimSize(2) == 1 && *hkv != 1)
      beta = broadcastLastDim(b, loc, beta, *hkv);
  }
  SmallVector<OpFoldResult> qs = mixedSizes(b, loc, *q4), ks = mixedSizes(b, loc, *k4),
                            vs = mixedSizes(b, loc, *v4);
  Type elt = elementTypeOf(*q);
  Value o = emptyTensor(b, loc, {qs[0], qs[1], qs[2], vs[3]}, elt);
  Value s = emptyTensor(b, loc, {qs[0], ks[2], ks[3], vs[3]}, state ? elementTypeOf(state) : elt);
  float scale = node.getFloat("scale", 0.0f);
  auto op = hybrid::LinearAttentionOp::create(
      b, loc, TypeRange{o.getType(), s.getType()}, *rule, *q4, *k4, *v4, decay, beta, state,
      ValueRange{o, s}, scale != 0.0f ? b.getF32FloatAttr(scale) : FloatAttr());
  SmallVector<OpFoldResult> os = mixedSizes(b, loc, op.getResult(0));
  auto h = getConstantIntValue(os[2]), dv = getConstantIntValue(os[3]);
  results.push_back(reshapeTo(b, loc, op.getResult(0), {os[0], os[1], b.getIndexAttr(*h * *dv)}));
  results.push_back(op.getResult(1));
  return success();
}

LogicalResult convertCausalConv(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input"), w = node.rankedInput(1, "weight");
  if (failed(x) || failed(w))
    return failure();
  if (node.getInt("ndim", 1) != 1 || node.getInt("channels_last", 0) != 0 ||
      node.getInt("dilation", 1) != 1 || node.getInt("state_window", 0) != 0)
    return node.emitError() << "only 1-D, channels-first, undilated causal convolution is supported";
  std::string act = node.getString("activation", "none");
  hybrid::Activation activation;
  if (act == "none")
    activation = hybrid::Activation::None;
  else if (act == "silu" || act == "swish")
    activation = hybrid::Activation::Silu;
  else
    return node.emitError() << "activation '" << act << "' is not supported (none, silu, swish)";
  if (rankOf(*x) != 3 || rankOf(*w) != 3 || tensorType(*w).getDimSize(1) != 1)
    return node.emitError() << "input must be [B, C, L] and weight [C, 1, K], got " << x->getType()
                            << " and " << w->getType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value w2 = dropUnitDims(b, loc, *w, {1});
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, *x), ws = mixedSizes(b, loc, w2);
  OpFoldResult km1;
  if (auto kk = getConstantIntValue(ws[1]))
    km1 = b.getIndexAttr(*kk - 1);
  else
    km1 = arith::SubIOp::create(b, loc, indexValue(b, loc, ws[1]), arith::ConstantIndexOp::create(b, loc, 1)).getResult();
  Type elt = elementTypeOf(*x);
  Value y = emptyTensor(b, loc, xs, elt);
  Value st = emptyTensor(b, loc, {xs[0], xs[1], km1}, elt);
  auto op = hybrid::CausalConv1dOp::create(b, loc, TypeRange{y.getType(), st.getType()}, activation,
                                           *x, w2, node.input(2), node.input(3), ValueRange{y, st});
  results.push_back(op.getResult(0));
  results.push_back(op.getResult(1));
  return success();
}

/// ai.hybrid SelectiveScan (Mamba-1, mamba_ssm's selective_scan_fn layout):
///   u, delta [B, D, L]; A [D, N]; B, C [B, N, L] or [B, G, N, L]; D [D]?; z [B, D, L]?;
///   delta_bias [D]?; initial_state [B, D, N]?  ->  y [B, D, L], final_state [B, D, N].
/// Each channel is a head with one element (P = 1).
LogicalResult convertSelectiveScan(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> u = node.rankedInput(0, "u"), delta = node.rankedInput(1, "delta"),
                   a = node.rankedInput(2, "A"), bm = node.rankedInput(3, "B"),
                   cm = node.rankedInput(4, "C");
  if (failed(u) || failed(delta) || failed(a) || failed(bm) || failed(cm))
    return failure();
  if (rankOf(*u) != 3 || rankOf(*delta) != 3 || rankOf(*a) != 2)
    return node.emitError() << "u and delta must be [B, D, L] and A [D, N]";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  // [B, D, L] -> [B, L, D] -> [B, L, D, 1].
  auto tokenMajor = [&](Value t) { return transposeTensor(b, loc, t, {0, 2, 1}); };
  Value x = insertUnitDims(b, loc, tokenMajor(*u), {3});
  Value dt = tokenMajor(*delta);
  auto groups = [&](Value t, StringRef what) -> FailureOr<Value> {
    // [B, N, L] -> [B, L, 1, N]; [B, G, N, L] -> [B, L, G, N].
    if (rankOf(t) == 3)
      return insertUnitDims(b, loc, transposeTensor(b, loc, t, {0, 2, 1}), {2});
    if (rankOf(t) == 4)
      return transposeTensor(b, loc, t, {0, 3, 1, 2});
    return node.emitError() << what << " must be [B, N, L] or [B, G, N, L]", failure();
  };
  FailureOr<Value> bg = groups(*bm, "B"), cg = groups(*cm, "C");
  if (failed(bg) || failed(cg))
    return failure();
  Value z = node.hasInput(6) ? insertUnitDims(b, loc, tokenMajor(node.input(6)), {3}) : Value();
  Value init = node.hasInput(8) ? insertUnitDims(b, loc, node.input(8), {2}) : Value();
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, x), as = mixedSizes(b, loc, *a);
  Type elt = elementTypeOf(*u);
  Value y = emptyTensor(b, loc, xs, elt);
  Value st = emptyTensor(b, loc, {xs[0], xs[2], b.getIndexAttr(1), as[1]},
                         init ? elementTypeOf(init) : elt);
  bool softplus = node.getInt("delta_softplus", 0) != 0;
  auto op = hybrid::SsmScanOp::create(b, loc, TypeRange{y.getType(), st.getType()}, x, dt, *a, *bg, *cg,
                                      node.input(5), z, node.input(7), init, ValueRange{y, st},
                                      softplus ? b.getUnitAttr() : UnitAttr(), FloatAttr(), FloatAttr());
  Value yOut = transposeTensor(b, loc, dropUnitDims(b, loc, op.getResult(0), {3}), {0, 2, 1});
  results.push_back(yOut);
  results.push_back(dropUnitDims(b, loc, op.getResult(1), {2}));
  return success();
}

/// ai.hybrid SsmScan: hybrid.ssm_scan itself, in the spec's token-major layout
/// (mamba_ssm's mamba_chunk_scan_combined order):
///   x [B, L, H, P]; dt [B, L, H]; A [H] or [H, N]; B, C [B, L, G, N]; D [H] or
///   [H, P]?; z [B, L, H, P]?; dt_bias [H]?; initial_state [B, H, P, N]?
///   -> y [B, L, H, P], final_state [B, H, P, N].
/// Attributes: dt_softplus (0), dt_min and dt_max (no clamp when absent).
LogicalResult convertSsmScan(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "x"), dt = node.rankedInput(1, "dt"),
                   a = node.rankedInput(2, "A"), bm = node.rankedInput(3, "B"),
                   cm = node.rankedInput(4, "C");
  if (failed(x) || failed(dt) || failed(a) || failed(bm) || failed(cm))
    return failure();
  if (rankOf(*x) != 4 || rankOf(*dt) != 3 || (rankOf(*a) != 1 && rankOf(*a) != 2) ||
      rankOf(*bm) != 4 || rankOf(*cm) != 4)
    return node.emitError() << "x must be [B, L, H, P], dt [B, L, H], A [H] or [H, N] and B, C "
                               "[B, L, G, N], got "
                            << x->getType() << ", " << dt->getType() << ", " << a->getType()
                            << ", " << bm->getType() << ", " << cm->getType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, *x), bs = mixedSizes(b, loc, *bm);
  Value init = node.hasInput(8) ? node.input(8) : Value();
  Type elt = elementTypeOf(*x);
  Value y = emptyTensor(b, loc, xs, elt);
  Value st = emptyTensor(b, loc, {xs[0], xs[2], xs[3], bs[3]}, init ? elementTypeOf(init) : elt);
  auto bound = [&](StringRef name) {
    std::optional<float> v = node.getFloat(name);
    return v ? b.getF32FloatAttr(*v) : FloatAttr();
  };
  auto op = hybrid::SsmScanOp::create(
      b, loc, TypeRange{y.getType(), st.getType()}, *x, *dt, *a, *bm, *cm, node.input(5),
      node.input(6), node.input(7), init, ValueRange{y, st},
      node.getInt("dt_softplus", 0) != 0 ? b.getUnitAttr() : UnitAttr(), bound("dt_min"),
      bound("dt_max"));
  results.push_back(op.getResult(0));
  results.push_back(op.getResult(1));
  return success();
}

} // namespace

void hybrid::onnx_conv::populateRecurrentConverters(ConverterTable &t) {
  t.add("", "LinearAttention", 27, convertLinearAttention);
  t.add("com.microsoft", "LinearAttention", 1, convertLinearAttention);
  t.add("", "CausalConvWithState", 27, convertCausalConv);
  t.add("com.microsoft", "CausalConvWithState", 1, convertCausalConv);
  t.add("ai.hybrid", "SelectiveScan", 1, convertSelectiveScan);
  t.add("ai.hybrid", "SsmScan", 1, convertSsmScan);
}
