//===- MatMul.cpp - MatMul and Gemm ----------------------------------------===//
//
// Both become one linalg.generic contraction (batch dims broadcast numpy-style, no
// materialized transposes). 16-bit float inputs accumulate in f32.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

Type accumulatorType(OpBuilder &b, Type elt) {
  if (auto f = dyn_cast<FloatType>(elt); f && f.getWidth() < 32)
    return b.getF32Type();
  return elt;
}

Value mulAdd(OpBuilder &b, Location loc, Value acc, Value x, Value y) {
  Type t = acc.getType();
  x = convertScalar(b, loc, x, t);
  y = convertScalar(b, loc, y, t);
  if (isa<FloatType>(t))
    return arith::AddFOp::create(b, loc, acc, arith::MulFOp::create(b, loc, x, y));
  return arith::AddIOp::create(b, loc, acc, arith::MulIOp::create(b, loc, x, y));
}

/// C[batch..., m, n] = sum_k A[batch..., m, k] * B[batch..., k, n], A and B of rank
/// >= 2, batch dims broadcast. Returns the result in the accumulator type.
FailureOr<Value> batchMatmul(OnnxNode &node, Value a, Value bm) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t ra = rankOf(a), rb = rankOf(bm);
  int64_t batch = std::max(ra, rb) - 2;
  // Loops: batch..., m, n, k.
  int64_t numLoops = batch + 3;
  SmallVector<OpFoldResult> aSizes = mixedSizes(b, loc, a), bSizes = mixedSizes(b, loc, bm);
  int64_t ka = tensorType(a).getDimSize(ra - 1), kb = tensorType(bm).getDimSize(rb - 2);
  if (!ShapedType::isDynamic(ka) && !ShapedType::isDynamic(kb) && ka != kb)
    return node.emitError() << "inner dimensions differ: " << a.getType() << " x "
                            << bm.getType(),
           failure();
  // Batch sizes by broadcasting the leading dims (reuse the elementwise rules on
  // the batch parts via a rank-`batch` view of the shapes).
  SmallVector<OpFoldResult> outSizes;
  SmallVector<AffineExpr> aExprs, bExprs, cExprs;
  for (int64_t d = 0; d < batch; ++d) {
    int64_t ja = d - (batch - (ra - 2)), jb = d - (batch - (rb - 2));
    int64_t sa = ja >= 0 ? tensorType(a).getDimSize(ja) : 1;
    int64_t sb = jb >= 0 ? tensorType(bm).getDimSize(jb) : 1;
    OpFoldResult size = b.getIndexAttr(1);
    if (ja >= 0 && sa != 1)
      size = aSizes[ja];
    else if (jb >= 0 && sb != 1)
      size = bSizes[jb];
    if (ja >= 0 && jb >= 0 && sa != 1 && sb != 1 && !ShapedType::isDynamic(sa) &&
        !ShapedType::isDynamic(sb) && sa != sb)
      return node.emitError() << "batch dimensions do not broadcast: " << a.getType()
                              << " x " << bm.getType(),
             failure();
    outSizes.push_back(size);
    AffineExpr dim = b.getAffineDimExpr(d);
    if (ja >= 0)
      aExprs.push_back(sa == 1 && (ShapedType::isDynamic(sb) || sb != 1) ? b.getAffineConstantExpr(0) : dim);
    if (jb >= 0)
      bExprs.push_back(sb == 1 && (ShapedType::isDynamic(sa) || sa != 1) ? b.getAffineConstantExpr(0) : dim);
    cExprs.push_back(dim);
  }
  AffineExpr m = b.getAffineDimExpr(batch), n = b.getAffineDimExpr(batch + 1),
             k = b.getAffineDimExpr(batch + 2);
  aExprs.append({m, k});
  bExprs.append({k, n});
  cExprs.append({m, n});
  outSizes.push_back(aSizes[ra - 2]);
  outSizes.push_back(bSizes[rb - 1]);
  Type acc = accumulatorType(b, elementTypeOf(a));
  Value init = filledTensor(b, loc, outSizes, scalarConstant(b, loc, acc, 0));
  SmallVector<utils::IteratorType> iters(numLoops, utils::IteratorType::parallel);
  iters.back() = utils::IteratorType::reduction;
  auto ctx = b.getContext();
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, aExprs, ctx),
                                 AffineMap::get(numLoops, 0, bExprs, ctx),
                                 AffineMap::get(numLoops, 0, cExprs, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{a, bm}, ValueRange{init}, maps,
             iters,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, mulAdd(nb, nloc, args[2], args[0], args[1]));
             })
      .getResult(0);
}

LogicalResult convertMatMul(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> a = node.rankedInput(0, "A"), bm = node.rankedInput(1, "B");
  if (failed(a) || failed(bm))
    return failure();
  Type elt = elementTypeOf(*a);
  if (elt != elementTypeOf(*bm))
    return node.emitError() << "input types differ: " << a->getType() << " and " << bm->getType();
  if (rankOf(*a) == 0 || rankOf(*bm) == 0)
    return node.emitError() << "inputs must have rank >= 1";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  // Numpy: a 1-D A is a row [1, K], a 1-D B a column [K, 1]; the unit dim is dropped
  // from the result.
  bool aVec = rankOf(*a) == 1, bVec = rankOf(*bm) == 1;
  Value av = aVec ? insertUnitDims(b, loc, *a, {0}) : *a;
  Value bv = bVec ? insertUnitDims(b, loc, *bm, {1}) : *bm;
  FailureOr<Value> c = batchMatmul(node, av, bv);
  if (failed(c))
    return failure();
  Value r = castTensor(b, loc, *c, elt);
  int64_t rank = rankOf(r);
  SmallVector<int64_t> drop;
  if (aVec)
    drop.push_back(rank - 2);
  if (bVec)
    drop.push_back(rank - 1);
  results.push_back(dropUnitDims(b, loc, r, drop));
  return success();
}

LogicalResult convertGemm(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> a = node.rankedInput(0, "A"), bm = node.rankedInput(1, "B");
  if (failed(a) || failed(bm))
    return failure();
  if (rankOf(*a) != 2 || rankOf(*bm) != 2)
    return node.emitError() << "A and B must be 2-D, got " << a->getType() << " and "
                            << bm->getType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(*a);
  float alpha = node.getFloat("alpha", 1.0f), beta = node.getFloat("beta", 1.0f);
  Value av = node.getInt("transA", 0) ? transposeTensor(b, loc, *a, {1, 0}) : *a;
  Value bv = node.getInt("transB", 0) ? transposeTensor(b, loc, *bm, {1, 0}) : *bm;
  FailureOr<Value> c = batchMatmul(node, av, bv);
  if (failed(c))
    return failure();
  Type acc = elementTypeOf(*c);
  SmallVector<Value> inputs = {*c};
  if (node.hasInput(2)) {
    FailureOr<Value> cv = node.rankedInput(2, "C");
    if (failed(cv))
      return failure();
    inputs.push_back(*cv);
  }
  FailureOr<Value> y = elementwise(node, inputs, elt, [&](OpBuilder &nb, Location l, ValueRange v) {
    Value r = v[0];
    if (isFloatLike(acc)) {
      if (alpha != 1.0f)
        r = arith::MulFOp::create(nb, l, r, scalarConstant(nb, l, acc, alpha));
      if (v.size() > 1) {
        Value cb = convertScalar(nb, l, v[1], acc);
        if (beta != 1.0f)
          cb = arith::MulFOp::create(nb, l, cb, scalarConstant(nb, l, acc, beta));
        r = arith::AddFOp::create(nb, l, r, cb);
      }
    } else {
      if (alpha != 1.0f)
        r = arith::MulIOp::create(nb, l, r, scalarConstant(nb, l, acc, alpha));
      if (v.size() > 1) {
        Value cb = v[1];
        if (beta != 1.0f)
          cb = arith::MulIOp::create(nb, l, cb, scalarConstant(nb, l, acc, beta));
        r = arith::AddIOp::create(nb, l, r, cb);
      }
    }
    return convertScalar(nb, l, r, elt);
  });
  return appendResult(results, y);
}

} // namespace

void hybrid::onnx_conv::populateMatMulConverters(ConverterTable &t) {
  t.add("", "MatMul", 1, convertMatMul);
  t.add("", "Gemm", 1, convertGemm);
}
