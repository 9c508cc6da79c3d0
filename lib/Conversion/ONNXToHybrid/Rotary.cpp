//===- Rotary.cpp - RotaryEmbedding (ai.onnx 23, com.microsoft) -------------===//
//
// Both become hybrid.rotary on [B, H, S, D]. The caches are [maxpos, R/2] read at
// position_ids (gathered into [B, S, R/2]) or, for ai.onnx without position_ids,
// already [B, S, R/2]. com.microsoft's position_ids may also be a single offset.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// cache [P, R/2] gathered at positions [B, S] -> [B, S, R/2].
Value gatherRows(OnnxNode &node, Value cache, Value positions) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> ps = mixedSizes(b, loc, positions), cs = mixedSizes(b, loc, cache);
  Value init = emptyTensor(b, loc, {ps[0], ps[1], cs[1]}, elementTypeOf(cache));
  auto ctx = b.getContext();
  Value rows = indexValue(b, loc, cs[0]);
  std::string msg = node.describe() + ": a position id is outside the cos/sin cache";
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{positions}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(3, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1)}, ctx),
                                 b.getMultiDimIdentityMap(3)},
             SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value p = arith::IndexCastOp::create(nb, l, nb.getIndexType(), args[0]);
               cf::AssertOp::create(nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, p, rows), msg);
               Value v = tensor::ExtractOp::create(nb, l, cache, ValueRange{p, linalg::IndexOp::create(nb, l, 2)});
               linalg::YieldOp::create(nb, l, ValueRange{v});
             })
      .getResult(0);
}

/// Rotates x ([B, H, S, D], or [B, S, H*D] with `numHeads`) by cos/sin [B|1, S, R/2].
FailureOr<Value> rotate(OnnxNode &node, Value x, Value cos, Value sin, bool interleaved,
                        int64_t rotaryDim, int64_t numHeads) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  bool threeD = rankOf(x) == 3;
  Value x4 = x;
  if (threeD) {
    FailureOr<Value> s = splitHeads(node, x, numHeads, "X");
    if (failed(s))
      return failure();
    x4 = *s;
  } else if (rankOf(x) != 4) {
    return node.emitError() << "X must be 3-D or 4-D, got " << x.getType(), failure();
  }
  Type elt = elementTypeOf(x);
  cos = castTensor(b, loc, cos, elt);
  sin = castTensor(b, loc, sin, elt);
  Value init = emptyTensor(b, loc, mixedSizes(b, loc, x4), elt);
  Value y = hybrid::RotaryOp::create(b, loc, TypeRange{init.getType()}, x4, cos, sin, ValueRange{init},
                                     interleaved ? b.getUnitAttr() : UnitAttr(),
                                     rotaryDim > 0 ? b.getI64IntegerAttr(rotaryDim) : IntegerAttr())
                .getResult(0);
  return threeD ? mergeHeads(b, loc, y) : y;
}

LogicalResult convertOnnxRotary(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "X"), cosC = node.rankedInput(1, "cos_cache"),
                   sinC = node.rankedInput(2, "sin_cache");
  if (failed(x) || failed(cosC) || failed(sinC))
    return failure();
  Value cos = *cosC, sin = *sinC;
  if (node.hasInput(3)) {
    FailureOr<Value> pos = node.rankedInput(3, "position_ids");
    if (failed(pos))
      return failure();
    if (rankOf(cos) != 2 || rankOf(*pos) != 2)
      return node.emitError() << "with position_ids the caches must be 2-D and position_ids [B, S]";
    cos = gatherRows(node, cos, *pos);
    sin = gatherRows(node, sin, *pos);
  } else if (rankOf(cos) != 3) {
    return node.emitError() << "without position_ids the caches must be 3-D [B, S, R/2], got "
                            << cos.getType();
  }
  FailureOr<Value> y = rotate(node, *x, cos, sin, node.getInt("interleaved", 0) != 0,
                              node.getInt("rotary_embedding_dim", 0), node.getInt("num_heads", 0));
  return appendResult(results, y);
}

LogicalResult convertMsRotary(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // com.microsoft: input, position_ids, cos_cache, sin_cache.
  FailureOr<Value> x = node.rankedInput(0, "input"), pos = node.rankedInput(1, "position_ids"),
                   cosC = node.rankedInput(2, "cos_cache"), sinC = node.rankedInput(3, "sin_cache");
  if (failed(x) || failed(pos) || failed(cosC) || failed(sinC))
    return failure();
  if (node.getInt("is_packed_batching", 0))
    return node.emitError() << "is_packed_batching is not supported";
  if (node.has("scale") && node.getFloat("scale", 1.0f) != 1.0f)
    return node.emitError() << "scale other than 1 is not supported";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value positions = *pos;
  if (rankOf(positions) == 1) {
    // A single offset: positions offset .. offset + S - 1 for every batch row.
    int64_t seqDim = rankOf(*x) == 4 ? 2 : 1;
    SmallVector<OpFoldResult> xs = mixedSizes(b, loc, *x);
    Value init = emptyTensor(b, loc, {xs[0], xs[seqDim]}, elementTypeOf(positions));
    Value offset = tensor::ExtractOp::create(b, loc, positions,
                                             ValueRange{arith::ConstantIndexOp::create(b, loc, 0)});
    positions = linalg::GenericOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
                    ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2)},
                    SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
                    [&](OpBuilder &nb, Location l, ValueRange) {
                      Value s = arith::IndexCastOp::create(nb, l, offset.getType(), linalg::IndexOp::create(nb, l, 1));
                      linalg::YieldOp::create(nb, l, ValueRange{arith::AddIOp::create(nb, l, s, offset)});
                    })
                    .getResult(0);
  }
  Value cos = gatherRows(node, *cosC, positions), sin = gatherRows(node, *sinC, positions);
  FailureOr<Value> y = rotate(node, *x, cos, sin, node.getInt("interleaved", 0) != 0,
                              node.getInt("rotary_embedding_dim", 0), node.getInt("num_heads", 0));
  return appendResult(results, y);
}

} // namespace

void hybrid::onnx_conv::populateRotaryConverters(ConverterTable &t) {
  t.add("", "RotaryEmbedding", 23, convertOnnxRotary);
  t.add("com.microsoft", "RotaryEmbedding", 1, convertMsRotary);
}
