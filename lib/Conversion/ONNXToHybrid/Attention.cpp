//===- Attention.cpp - Attention, GroupQueryAttention, MultiHeadAttention ---===//
//
// All three become hybrid.attention on [B, H, S, D] operands. 3-D [B, S, H*D]
// inputs are split into heads (reshape + transpose) and the output merged back;
// past keys/values are concatenated in front of the new ones and returned as the
// present outputs. Causal masks are bottom-right aligned (query i sits at absolute
// position Skv - Sq + i), which is what decoding with a KV cache needs.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace hybrid::onnx_conv {

/// [B, S, H*D] -> [B, H, S, D].
FailureOr<Value> splitHeads(OnnxNode &node, Value x, int64_t heads, StringRef what) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  if (rankOf(x) != 3)
    return node.emitError() << what << " must be 3-D [B, S, H*D], got " << x.getType(), failure();
  if (heads <= 0)
    return node.emitError() << "the head count for " << what << " must be positive", failure();
  SmallVector<OpFoldResult> s = mixedSizes(b, loc, x);
  OpFoldResult d;
  if (auto hd = getConstantIntValue(s[2])) {
    if (*hd % heads)
      return node.emitError() << what << " hidden size " << *hd << " is not a multiple of "
                              << heads << " heads",
             failure();
    d = b.getIndexAttr(*hd / heads);
  } else {
    d = arith::DivUIOp::create(b, loc, indexValue(b, loc, s[2]),
                               arith::ConstantIndexOp::create(b, loc, heads))
            .getResult();
  }
  Value r = reshapeTo(b, loc, x, {s[0], s[1], b.getIndexAttr(heads), d});
  return transposeTensor(b, loc, r, {0, 2, 1, 3});
}

/// [B, H, S, D] -> [B, S, H*D].
Value mergeHeads(OpBuilder &b, Location loc, Value x) {
  Value t = transposeTensor(b, loc, x, {0, 2, 1, 3});
  SmallVector<OpFoldResult> s = mixedSizes(b, loc, t);
  return reshapeTo(b, loc, t, {s[0], s[1], mulSizes(b, loc, s[2], s[3])});
}

/// Concatenates `past` and `cur` along dim 2 ([B, H, S, D]).
Value concatSeq(OpBuilder &b, Location loc, Value past, Value cur) {
  SmallVector<OpFoldResult> ps = mixedSizes(b, loc, past), cs = mixedSizes(b, loc, cur);
  SmallVector<OpFoldResult> out = cs;
  out[2] = addSizes(b, loc, ps[2], cs[2]);
  for (int d : {0, 1, 3})
    if (!getConstantIntValue(out[d]) && getConstantIntValue(ps[d]))
      out[d] = ps[d];
  Value r = emptyTensor(b, loc, out, elementTypeOf(cur));
  SmallVector<OpFoldResult> zeros(4, b.getIndexAttr(0)), ones(4, b.getIndexAttr(1));
  SmallVector<OpFoldResult> psz = out, csz = out;
  psz[2] = ps[2];
  csz[2] = cs[2];
  r = tensor::InsertSliceOp::create(b, loc, refineToSizes(b, loc, past, psz), r, zeros, psz, ones);
  SmallVector<OpFoldResult> off = zeros;
  off[2] = ps[2];
  return tensor::InsertSliceOp::create(b, loc, refineToSizes(b, loc, cur, csz), r, off, csz, ones);
}

/// Builds hybrid.attention; `mask` must already be rank 4 (or null).
Value buildAttention(OpBuilder &b, Location loc, Value q, Value k, Value v, Value mask,
                     std::optional<float> scale, bool causal, int64_t windowLeft,
                     int64_t windowRight, float softcap) {
  SmallVector<OpFoldResult> qs = mixedSizes(b, loc, q), vs = mixedSizes(b, loc, v);
  SmallVector<OpFoldResult> out = {qs[0], qs[1], qs[2], vs[3]};
  Value init = emptyTensor(b, loc, out, elementTypeOf(q));
  return hybrid::AttentionOp::create(
             b, loc, TypeRange{init.getType()}, q, k, v, mask, ValueRange{init},
             scale ? b.getF32FloatAttr(*scale) : FloatAttr(), causal ? b.getUnitAttr() : UnitAttr(),
             b.getI64IntegerAttr(windowLeft), b.getI64IntegerAttr(windowRight),
             b.getF32FloatAttr(softcap))
      .getResult(0);
}

} // namespace hybrid::onnx_conv

namespace {

/// Brings a mask to rank 4 (numpy broadcasting prepends unit dims).
FailureOr<Value> rank4Mask(OnnxNode &node, Value mask, Value q) {
  int64_t r = rankOf(mask);
  if (r > 4)
    return node.emitError() << "attn_mask has rank " << r << "; at most 4 is allowed", failure();
  SmallVector<int64_t> lead;
  for (int64_t d = 0; d < 4 - r; ++d)
    lead.push_back(d);
  Value m = insertUnitDims(node.builder(), node.loc(), mask, lead);
  Type elt = elementTypeOf(m);
  if (!elt.isInteger(1) && elt != elementTypeOf(q))
    m = castTensor(node.builder(), node.loc(), m, elementTypeOf(q));
  return m;
}

/// `allowed` (i1) and `mask` (i1, float or null) into one mask: a logical and, or
/// the float mask with disallowed entries at -inf.
FailureOr<Value> combineMask(OnnxNode &node, Value allowed, Value mask) {
  if (!mask)
    return allowed;
  Type mt = elementTypeOf(mask);
  return elementwise(node, {allowed, mask}, mt,
                     [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       if (mt.isInteger(1))
                         return arith::AndIOp::create(nb, l, a[0], a[1]);
                       return arith::SelectOp::create(nb, l, a[0], a[1], lowestScalar(nb, l, mt));
                     });
}

/// [1, 1, Sq, Skv] i1: key j is visible to query i when j <= i + past.
Value causalFrontier(OpBuilder &b, Location loc, Value q, Value k, OpFoldResult past) {
  SmallVector<OpFoldResult> qs = mixedSizes(b, loc, q), ks = mixedSizes(b, loc, k);
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1), qs[2], ks[2]};
  Value init = emptyTensor(b, loc, sizes, b.getI1Type());
  Value pastV = getValueOrCreateConstantIndexOp(b, loc, past);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
             SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               Value i = linalg::IndexOp::create(nb, l, 2), j = linalg::IndexOp::create(nb, l, 3);
               Value limit = arith::AddIOp::create(nb, l, i, pastV);
               linalg::YieldOp::create(
                   nb, l, ValueRange{arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ule, j, limit)});
             })
      .getResult(0);
}

/// Pads the last dim of a rank-4 mask with `extra` masked-out entries (false or -inf).
Value padLastDim(OpBuilder &b, Location loc, Value mask, int64_t extra) {
  Type mt = elementTypeOf(mask);
  Value fill = mt.isInteger(1) ? Value(arith::ConstantOp::create(b, loc, b.getBoolAttr(false)))
                               : lowestScalar(b, loc, mt);
  SmallVector<OpFoldResult> low(4, b.getIndexAttr(0)), high(4, b.getIndexAttr(0));
  high[3] = b.getIndexAttr(extra);
  SmallVector<int64_t> shape(tensorType(mask).getShape());
  shape[3] += extra;
  return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, mt), mask, low, high, fill)
      .getResult();
}

/// Attention's optional qk_matmul_output [B, Hq, Sq, Skv], computed beside the
/// fused hybrid.attention (it is a debugging output; nothing else reads it). The
/// stages follow onnx 1.22's reference implementation, which the node tests
/// encode: modes 0 and 1 give scale * Q K^T after the softcap (when there is one),
/// mode 2 adds the mask (bias, causal frontier, padding; -inf where a boolean mask
/// is false), mode 3 is the softmax of that (rows with no allowed key are zeros).
FailureOr<Value> attentionScores(OnnxNode &node, Value q, Value k, Value mask,
                                 std::optional<float> scale, float softcap, int64_t mode) {
  if (mode < 0 || mode > 3)
    return node.emitError() << "qk_matmul_output_mode must be 0 to 3, got " << mode, failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t hq = tensorType(q).getDimSize(1), hkv = tensorType(k).getDimSize(1);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) || hkv == 0 || hq % hkv)
    return node.emitError() << "qk_matmul_output needs static head counts with Hq % Hkv == 0, got "
                            << q.getType() << " and " << k.getType(),
           failure();
  Type elt = elementTypeOf(q);
  Type ct = computeType(b, elt);
  int64_t dk = tensorType(q).getDimSize(3);
  float s = scale ? *scale
                  : (ShapedType::isDynamic(dk) ? 0.0f : 1.0f / std::sqrt(static_cast<float>(dk)));
  if (!scale && ShapedType::isDynamic(dk))
    return node.emitError() << "qk_matmul_output needs a static head size or a scale", failure();
  // scores[b, h, i, j] = sum_d q[b, h, i, d] * k[b, h / g, j, d]
  SmallVector<OpFoldResult> qs = mixedSizes(b, loc, q), ks = mixedSizes(b, loc, k);
  Value acc = filledTensor(b, loc, {qs[0], qs[1], qs[2], ks[2]}, scalarConstant(b, loc, ct, 0));
  MLIRContext *ctx = b.getContext();
  AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1), d2 = b.getAffineDimExpr(2),
             d3 = b.getAffineDimExpr(3), d4 = b.getAffineDimExpr(4);
  SmallVector<AffineMap> maps = {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
                                 AffineMap::get(5, 0, {d0, d1.floorDiv(hq / hkv), d3, d4}, ctx),
                                 AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)};
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value scores = linalg::GenericOp::create(
                     b, loc, TypeRange{acc.getType()}, ValueRange{q, k}, ValueRange{acc}, maps, iters,
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       Value x = convertScalar(nb, l, a[0], ct), y = convertScalar(nb, l, a[1], ct);
                       Value m = arith::MulFOp::create(nb, l, x, y);
                       linalg::YieldOp::create(nb, l, ValueRange{arith::AddFOp::create(nb, l, a[2], m)});
                     })
                     .getResult(0);
  FailureOr<Value> staged = elementwise(node, {scores}, ct, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    Value x = arith::MulFOp::create(nb, l, a[0], scalarConstant(nb, l, ct, s));
    if (softcap > 0) {
      Value c = scalarConstant(nb, l, ct, softcap);
      x = arith::MulFOp::create(nb, l, c, math::TanhOp::create(nb, l, arith::DivFOp::create(nb, l, x, c)));
    }
    return x;
  });
  if (failed(staged))
    return failure();
  if (mode >= 2 && mask) {
    Type mt = elementTypeOf(mask);
    staged = elementwise(node, {*staged, mask}, ct, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      if (mt.isInteger(1))
        return arith::SelectOp::create(nb, l, a[1], a[0], lowestScalar(nb, l, ct));
      return arith::AddFOp::create(nb, l, a[0], convertScalar(nb, l, a[1], ct));
    });
    if (failed(staged))
      return failure();
  }
  if (mode == 3) {
    // Softmax over keys; a row that is all -inf gives zeros.
    Value x = *staged;
    Value mx = reduce(b, loc, x, {3}, /*keepDims=*/true, lowestScalar(b, loc, ct),
                      [](OpBuilder &nb, Location l, Value a, Value v) { return maxScalar(nb, l, a, v); });
    FailureOr<Value> e = elementwise(node, {x, mx}, ct, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      Value dead = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, a[1], lowestScalar(nb, l, ct));
      Value ex = math::ExpOp::create(nb, l, arith::SubFOp::create(nb, l, a[0], a[1]));
      return arith::SelectOp::create(nb, l, dead, scalarConstant(nb, l, ct, 0), ex);
    });
    if (failed(e))
      return failure();
    Value sum = reduce(b, loc, *e, {3}, /*keepDims=*/true, scalarConstant(b, loc, ct, 0),
                       [](OpBuilder &nb, Location l, Value a, Value v) -> Value {
                         return arith::AddFOp::create(nb, l, a, v);
                       });
    staged = elementwise(node, {*e, sum}, ct, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      Value zero = scalarConstant(nb, l, ct, 0);
      Value empty = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, a[1], zero);
      Value safe = arith::SelectOp::create(nb, l, empty, scalarConstant(nb, l, ct, 1), a[1]);
      return arith::DivFOp::create(nb, l, a[0], safe);
    });
    if (failed(staged))
      return failure();
  }
  return castTensor(b, loc, *staged, elt);
}

LogicalResult convertAttention(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> q = node.rankedInput(0, "Q"), k = node.rankedInput(1, "K"), v = node.rankedInput(2, "V");
  if (failed(q) || failed(k) || failed(v))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  bool threeD = rankOf(*q) == 3;
  if (!threeD && rankOf(*q) != 4)
    return node.emitError() << "Q must be 3-D or 4-D, got " << q->getType();
  Value qh = *q, kh = *k, vh = *v;
  if (threeD) {
    std::optional<int64_t> hq = node.getInt("q_num_heads"), hkv = node.getInt("kv_num_heads");
    if (!hq || !hkv)
      return node.emitError() << "3-D inputs need q_num_heads and kv_num_heads";
    FailureOr<Value> a = splitHeads(node, *q, *hq, "Q"), bk = splitHeads(node, *k, *hkv, "K"),
                     c = splitHeads(node, *v, *hkv, "V");
    if (failed(a) || failed(bk) || failed(c))
      return failure();
    qh = *a, kh = *bk, vh = *c;
  }
  if (node.hasInput(4) != node.hasInput(5))
    return node.emitError() << "past_key and past_value must both be given or both absent";
  if (node.hasInput(4)) {
    FailureOr<Value> pk = node.rankedInput(4, "past_key"), pv = node.rankedInput(5, "past_value");
    if (failed(pk) || failed(pv))
      return failure();
    kh = concatSeq(b, loc, *pk, kh);
    vh = concatSeq(b, loc, *pv, vh);
  }
  Value mask;
  if (node.hasInput(3)) {
    FailureOr<Value> m = node.rankedInput(3, "attn_mask");
    if (failed(m))
      return failure();
    FailureOr<Value> m4 = rank4Mask(node, *m, qh);
    if (failed(m4))
      return failure();
    mask = *m4;
    int64_t ml = tensorType(mask).getDimSize(3), kl = tensorType(kh).getDimSize(2);
    if (!ShapedType::isDynamic(ml) && !ShapedType::isDynamic(kl) && ml != kl && ml != 1) {
      if (ml > kl)
        return node.emitError() << "attn_mask covers " << ml << " keys, but there are only "
                                << kl;
      // A mask shorter than past + new keys: the missing (newest) keys are masked out.
      mask = padLastDim(b, loc, mask, kl - ml);
    }
  }
  if (node.version() >= 24 && node.hasInput(6)) {
    // nonpad_kv_seqlen [B]: keys at j >= len[b] are padding.
    if (node.hasInput(4))
      return node.emitError() << "nonpad_kv_seqlen cannot be combined with past_key";
    FailureOr<Value> lens = node.rankedInput(6, "nonpad_kv_seqlen");
    if (failed(lens))
      return failure();
    SmallVector<OpFoldResult> ks = mixedSizes(b, loc, kh);
    SmallVector<OpFoldResult> ms = {ks[0], b.getIndexAttr(1), b.getIndexAttr(1), ks[2]};
    Value init = emptyTensor(b, loc, ms, b.getI1Type());
    auto ctx = b.getContext();
    Value valid = linalg::GenericOp::create(
                      b, loc, TypeRange{init.getType()}, ValueRange{*lens}, ValueRange{init},
                      ArrayRef<AffineMap>{AffineMap::get(4, 0, {b.getAffineDimExpr(0)}, ctx),
                                          b.getMultiDimIdentityMap(4)},
                      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
                      [&](OpBuilder &nb, Location l, ValueRange args) {
                        Value j = arith::IndexCastOp::create(nb, l, args[0].getType(),
                                                             linalg::IndexOp::create(nb, l, 3));
                        linalg::YieldOp::create(nb, l, ValueRange{arith::CmpIOp::create(
                                                           nb, l, arith::CmpIPredicate::slt, j, args[0])});
                      })
                      .getResult(0);
    FailureOr<Value> combined = combineMask(node, valid, mask);
    if (failed(combined))
      return failure();
    mask = *combined;
  }
  std::optional<float> scale = node.getFloat("scale");
  float softcap = node.getFloat("softcap", 0.0f);
  bool causal = node.getInt("is_causal", 0) != 0;
  bool wantScores = node.outputUsed(3);
  Value y;
  if (causal) {
    // ONNX aligns the causal frontier on the past: query i sees key j <= past + i.
    // hybrid.attention aligns bottom-right (j <= i + Skv - Sq); the two agree when
    // the new keys are as many as the queries. Otherwise the frontier is a mask.
    int64_t sq = tensorType(qh).getDimSize(2);
    int64_t snew = tensorType(*k).getDimSize(threeD ? 1 : 2);
    bool known = !ShapedType::isDynamic(sq) && !ShapedType::isDynamic(snew);
    auto withFrontier = [&]() -> FailureOr<Value> {
      OpFoldResult past = node.hasInput(4) ? mixedSizes(b, loc, node.input(4))[2]
                                           : OpFoldResult(b.getIndexAttr(0));
      Value frontier = causalFrontier(b, loc, qh, kh, past);
      return combineMask(node, frontier, mask);
    };
    if (wantScores || (known && sq != snew)) {
      FailureOr<Value> combined = withFrontier();
      if (failed(combined))
        return failure();
      mask = *combined;
      causal = false;
    } else if (!known) {
      // Known at run time only (a dynamic sequence): the causal op when the
      // lengths agree (self-attention, the usual case; its lowering skips the
      // key blocks past the diagonal), the frontier as a mask otherwise.
      Value same = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, tensor::DimOp::create(b, loc, qh, 2),
          tensor::DimOp::create(b, loc, *k, threeD ? 1 : 2));
      LogicalResult built = success();
      auto ifOp = scf::IfOp::create(
          b, loc, same,
          [&](OpBuilder &nb, Location nl) {
            scf::YieldOp::create(nb, nl, buildAttention(nb, nl, qh, kh, vh, mask, scale,
                                                        /*causal=*/true, -1, -1, softcap));
          },
          [&](OpBuilder &nb, Location nl) {
            // On failure (already reported) the region still gets a valid
            // body; the conversion stops below.
            FailureOr<Value> combined = withFrontier();
            built = combined;
            scf::YieldOp::create(nb, nl,
                                 buildAttention(nb, nl, qh, kh, vh,
                                                succeeded(combined) ? *combined : mask, scale,
                                                /*causal=*/false, -1, -1, softcap));
          });
      if (failed(built))
        return failure();
      y = ifOp.getResult(0);
    }
  }
  if (!y)
    y = buildAttention(b, loc, qh, kh, vh, mask, scale, causal, -1, -1, softcap);
  results.push_back(threeD ? mergeHeads(b, loc, y) : y);
  results.push_back(node.outputUsed(1) ? kh : Value());
  results.push_back(node.outputUsed(2) ? vh : Value());
  if (wantScores) {
    FailureOr<Value> scores = attentionScores(node, qh, kh, mask, scale, softcap,
                                              node.getInt("qk_matmul_output_mode", 0));
    if (failed(scores))
      return failure();
    results.push_back(*scores);
  }
  return success();
}

/// Asserts at run time that every batch row uses the whole key sequence
/// (seqlens_k[b] + 1 == Skv): padded batches are not supported yet.
void assertFullLengths(OnnxNode &node, Value seqlens, Value keys) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type it = elementTypeOf(seqlens);
  Value skv = arith::IndexCastOp::create(b, loc, it, tensor::DimOp::create(b, loc, keys, 2));
  Value ok = reduce(b, loc, seqlens, {0}, false, arith::ConstantOp::create(b, loc, b.getBoolAttr(true)),
                    [](OpBuilder &nb, Location l, Value acc, Value x) -> Value {
                      return arith::AndIOp::create(nb, l, acc, x);
                    },
                    [&](OpBuilder &nb, Location l, Value len) -> Value {
                      Value total = arith::AddIOp::create(nb, l, len, scalarConstant(nb, l, it, 1));
                      return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, total, skv);
                    });
  Value flag = tensor::ExtractOp::create(b, loc, ok, ValueRange{});
  cf::AssertOp::create(b, loc, flag,
                       node.describe() + ": seqlens_k describes padded batch rows, which are not "
                                         "supported (every row must use the whole sequence)");
}

LogicalResult convertGroupQueryAttention(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> q = node.rankedInput(0, "query");
  if (failed(q))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  std::optional<int64_t> hq = node.getInt("num_heads"), hkv = node.getInt("kv_num_heads");
  if (!hq || !hkv || *hq <= 0 || *hkv <= 0)
    return node.emitError() << "num_heads and kv_num_heads are required (and positive)";
  FailureOr<Value> k, v;
  if (!node.hasInput(1) && !node.hasInput(2)) {
    // Packed QKV (onnxruntime-genai's packed MatMul): query is [B, S, (Hq + 2 Hkv) D].
    int64_t width = rankOf(*q) == 3 ? tensorType(*q).getDimSize(2) : ShapedType::kDynamic;
    if (ShapedType::isDynamic(width) || width % (*hq + 2 * *hkv))
      return node.emitError() << "packed QKV must be [B, S, (num_heads + 2 * kv_num_heads) * head_size] "
                                 "with a static last dim, got "
                              << q->getType();
    int64_t d = width / (*hq + 2 * *hkv);
    SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *q);
    auto part = [&](int64_t start, int64_t count) -> Value {
      SmallVector<OpFoldResult> off = {b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(start)},
                                sz = {sizes[0], sizes[1], b.getIndexAttr(count)},
                                st(3, b.getIndexAttr(1));
      return tensor::ExtractSliceOp::create(b, loc, *q, off, sz, st);
    };
    k = part(*hq * d, *hkv * d);
    v = part((*hq + *hkv) * d, *hkv * d);
    q = part(0, *hq * d);
  } else if (!node.hasInput(1) || !node.hasInput(2)) {
    return node.emitError() << "needs both key and value, or neither (packed QKV)";
  } else {
    k = node.rankedInput(1, "key");
    v = node.rankedInput(2, "value");
  }
  if (failed(k) || failed(v))
    return failure();
  for (StringRef a : {"smooth_softmax", "k_quant_type", "v_quant_type", "kv_cache_bit_width", "qk_output"})
    if (node.has(a) && (!isa<IntegerAttr>(node.getAttr(a)) || node.getInt(a, 0) != 0) &&
        !(isa<StringAttr>(node.getAttr(a)) && node.getString(a, "NONE") == "NONE"))
      return node.emitError() << "attribute '" << a << "' is not supported";
  if (node.hasInput(10) || node.hasInput(11))
    return node.emitError() << "attention_bias and head_sink are not supported";
  FailureOr<Value> qh = splitHeads(node, *q, *hq, "query"), kh = splitHeads(node, *k, *hkv, "key"),
                   vh = splitHeads(node, *v, *hkv, "value");
  if (failed(qh) || failed(kh) || failed(vh))
    return failure();
  Value pastLen = arith::ConstantIndexOp::create(b, loc, 0);
  Value kAll = *kh, vAll = *vh;
  if (node.hasInput(3) != node.hasInput(4))
    return node.emitError() << "past_key and past_value must both be given or both absent";
  if (node.hasInput(3)) {
    FailureOr<Value> pk = node.rankedInput(3, "past_key"), pv = node.rankedInput(4, "past_value");
    if (failed(pk) || failed(pv))
      return failure();
    pastLen = tensor::DimOp::create(b, loc, *pk, 2);
    kAll = concatSeq(b, loc, *pk, *kh);
    vAll = concatSeq(b, loc, *pv, *vh);
  }
  if (node.getInt("do_rotary", 0)) {
    // Positions pastLen .. pastLen + S - 1 read rows of cos_cache / sin_cache.
    if (node.hasInput(9))
      return node.emitError() << "position_ids with do_rotary is not supported";
    FailureOr<Value> cosC = node.rankedInput(7, "cos_cache"), sinC = node.rankedInput(8, "sin_cache");
    if (failed(cosC) || failed(sinC))
      return failure();
    SmallVector<OpFoldResult> cs = mixedSizes(b, loc, *cosC);
    OpFoldResult seq = mixedSizes(b, loc, *qh)[2];
    SmallVector<OpFoldResult> off = {pastLen, b.getIndexAttr(0)}, sz = {seq, cs[1]},
                              st = {b.getIndexAttr(1), b.getIndexAttr(1)};
    auto rows = [&](Value c) {
      Value s = tensor::ExtractSliceOp::create(b, loc, c, off, sz, st);
      return insertUnitDims(b, loc, s, {0});
    };
    Value cosR = rows(*cosC), sinR = rows(*sinC);
    bool inter = node.getInt("rotary_interleaved", 0) != 0;
    auto rotate = [&](Value x) {
      Value init = emptyTensor(b, loc, mixedSizes(b, loc, x), elementTypeOf(x));
      return hybrid::RotaryOp::create(b, loc, TypeRange{init.getType()}, x, cosR, sinR,
                                      ValueRange{init}, inter ? b.getUnitAttr() : UnitAttr(),
                                      IntegerAttr())
          .getResult(0);
    };
    *qh = rotate(*qh);
    Value kr = rotate(*kh);
    kAll = node.hasInput(3) ? concatSeq(b, loc, *node.rankedInput(3, "past_key"), kr) : kr;
  }
  if (node.hasInput(5)) {
    FailureOr<Value> seqlens = node.rankedInput(5, "seqlens_k");
    if (failed(seqlens))
      return failure();
    assertFullLengths(node, *seqlens, kAll);
  }
  std::optional<float> scale = node.getFloat("scale");
  if (scale && *scale == 0.0f)
    scale.reset();
  int64_t window = node.getInt("local_window_size", -1);
  Value y = buildAttention(b, loc, *qh, kAll, vAll, nullptr, scale, /*causal=*/true,
                           window > 0 ? window - 1 : -1, -1, node.getFloat("softcap", 0.0f));
  results.push_back(mergeHeads(b, loc, y));
  results.push_back(kAll);
  results.push_back(vAll);
  return success();
}

LogicalResult convertMultiHeadAttention(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> q = node.rankedInput(0, "query");
  if (failed(q))
    return failure();
  if (!node.hasInput(1) || !node.hasInput(2))
    return node.emitError() << "packed QKV / KV inputs are not supported";
  if (node.hasInput(4))
    return node.emitError() << "key_padding_mask is not supported";
  if (node.hasInput(8) || node.hasInput(9))
    return node.emitError() << "past_sequence_length and cache_indirection are not supported";
  FailureOr<Value> k = node.rankedInput(1, "key"), v = node.rankedInput(2, "value");
  if (failed(k) || failed(v))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  std::optional<int64_t> heads = node.getInt("num_heads");
  if (!heads)
    return node.emitError() << "num_heads is required";
  Value qv = *q, kv = *k, vv = *v;
  if (node.hasInput(3)) {
    // bias [3 * hidden]: q, k and v parts.
    FailureOr<Value> bias = node.rankedInput(3, "bias");
    if (failed(bias))
      return failure();
    auto part = [&](Value x, int64_t i) -> FailureOr<Value> {
      int64_t hidden = tensorType(x).getDimSize(rankOf(x) - 1);
      if (ShapedType::isDynamic(hidden))
        return node.emitError() << "bias needs a static hidden size", failure();
      Value slice = tensor::ExtractSliceOp::create(
          b, loc, *bias, ArrayRef<OpFoldResult>{b.getIndexAttr(i * hidden)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(hidden)}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
      return elementwise(node, {x, slice}, elementTypeOf(x), [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, l, a[0], a[1]);
      });
    };
    FailureOr<Value> a = part(qv, 0), c = part(kv, 1), d = part(vv, 2);
    if (failed(a) || failed(c) || failed(d))
      return failure();
    qv = *a, kv = *c, vv = *d;
  }
  FailureOr<Value> qh = splitHeads(node, qv, *heads, "query");
  if (failed(qh))
    return failure();
  Value kh = kv, vh = vv;
  if (rankOf(kv) == 3) {
    FailureOr<Value> a = splitHeads(node, kv, *heads, "key"), c = splitHeads(node, vv, *heads, "value");
    if (failed(a) || failed(c))
      return failure();
    kh = *a, vh = *c;
  }
  if (node.hasInput(6) != node.hasInput(7))
    return node.emitError() << "past_key and past_value must both be given or both absent";
  if (node.hasInput(6)) {
    FailureOr<Value> pk = node.rankedInput(6, "past_key"), pv = node.rankedInput(7, "past_value");
    if (failed(pk) || failed(pv))
      return failure();
    kh = concatSeq(b, loc, *pk, kh);
    vh = concatSeq(b, loc, *pv, vh);
  }
  Value mask;
  if (node.hasInput(5)) {
    FailureOr<Value> m = node.rankedInput(5, "attention_bias");
    if (failed(m))
      return failure();
    FailureOr<Value> m4 = rank4Mask(node, *m, *qh);
    if (failed(m4))
      return failure();
    mask = *m4;
  }
  std::optional<float> scale = node.getFloat("scale");
  if (scale && *scale == 0.0f)
    scale.reset();
  Value y = buildAttention(b, loc, *qh, kh, vh, mask, scale, node.getInt("unidirectional", 0) != 0,
                           -1, -1, 0.0f);
  results.push_back(mergeHeads(b, loc, y));
  results.push_back(node.outputUsed(1) ? kh : Value());
  results.push_back(node.outputUsed(2) ? vh : Value());
  return success();
}

} // namespace

void hybrid::onnx_conv::populateAttentionConverters(ConverterTable &t) {
  t.add("", "Attention", 23, convertAttention);
  t.add("com.microsoft", "GroupQueryAttention", 1, convertGroupQueryAttention);
  t.add("com.microsoft", "MultiHeadAttention", 1, convertMultiHeadAttention);
}
