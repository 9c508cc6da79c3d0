//===- MatMul.cpp - MatMul, Gemm, Einsum and the integer matmuls -----------===//
//
// Each becomes one linalg.generic contraction (batch dims broadcast numpy-style, no
// materialized transposes). 16-bit float inputs accumulate in f32. MatMulInteger
// and QLinearMatMul contract in i32 after subtracting zero points.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
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


LogicalResult convertMatMulInteger(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // (A - a_zero_point) x (B - b_zero_point) in i32; a 1-D a_zero_point is per row
  // of A, a 1-D b_zero_point per column of B.
  FailureOr<Value> a0 = node.rankedInput(0, "A"), b0 = node.rankedInput(1, "B");
  if (failed(a0) || failed(b0))
    return failure();
  if (rankOf(*a0) < 2 || rankOf(*b0) < 2)
    return node.emitError() << "A and B must have rank >= 2";
  FailureOr<Value> a = widenMinusZeroPoint(node, 0, 2, rankOf(*a0) - 2),
                   bm = widenMinusZeroPoint(node, 1, 3, rankOf(*b0) - 1);
  if (failed(a) || failed(bm))
    return failure();
  return appendResult(results, batchMatmul(node, *a, *bm));
}

LogicalResult convertQLinearMatMul(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // y = clamp(rint(((a - a_zp) x (b - b_zp)) * (a_scale * b_scale / y_scale)) + y_zp),
  // the product in i32 and the rescale in f64, like ONNX's reference.
  FailureOr<Value> a0 = node.rankedInput(0, "a"), b0 = node.rankedInput(3, "b"),
                   as = node.rankedInput(1, "a_scale"), bs = node.rankedInput(4, "b_scale"),
                   ys = node.rankedInput(6, "y_scale");
  if (failed(a0) || failed(b0) || failed(as) || failed(bs) || failed(ys))
    return failure();
  if (rankOf(*a0) < 2 || rankOf(*b0) < 2)
    return node.emitError() << "a and b must have rank >= 2";
  FailureOr<Value> a = widenMinusZeroPoint(node, 0, 2, rankOf(*a0) - 2),
                   bm = widenMinusZeroPoint(node, 3, 5, rankOf(*b0) - 1);
  if (failed(a) || failed(bm))
    return failure();
  FailureOr<Value> c = batchMatmul(node, *a, *bm);
  if (failed(c))
    return failure();
  OpBuilder &b = node.builder();
  // A 1-D a_scale is per row of a: [M] -> [M, 1].
  Value aScale = *as;
  if (rankOf(aScale) == 1 && tensorType(aScale).getDimSize(0) != 1)
    aScale = insertUnitDims(b, node.loc(), aScale, {1});
  return appendResult(results, requantize(node, *c, aScale, *bs, *ys, 7, elementTypeOf(*a0),
                                          node.isUnsignedInput(0)));
}

/// One Einsum term: its letters, and where its "..." starts (-1: none).
struct EinsumTerm {
  std::string letters;
  int64_t ellipsisAt = -1;
};

FailureOr<EinsumTerm> parseEinsumTerm(OnnxNode &node, StringRef text) {
  EinsumTerm t;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i).starts_with("...")) {
      if (t.ellipsisAt >= 0)
        return node.emitError() << "term '" << text << "' has two ellipses", failure();
      t.ellipsisAt = t.letters.size();
      i += 2;
      continue;
    }
    if (!llvm::isAlpha(text[i]))
      return node.emitError() << "unexpected '" << text[i] << "' in equation term '" << text << "'",
             failure();
    t.letters.push_back(text[i]);
  }
  return t;
}

LogicalResult convertEinsum(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // One linalg.generic: a loop per "..." dim and per distinct letter; letters not in
  // the output are reduced. "..." dims broadcast numpy-style (right-aligned).
  std::string eq;
  for (char c : node.getString("equation", ""))
    if (c != ' ')
      eq.push_back(c);
  if (eq.empty())
    return node.emitError() << "needs an equation";
  StringRef lhs = eq, rhs;
  bool explicitOut = false;
  if (size_t arrow = StringRef(eq).find("->"); arrow != StringRef::npos) {
    lhs = StringRef(eq).substr(0, arrow);
    rhs = StringRef(eq).substr(arrow + 2);
    explicitOut = true;
  }
  SmallVector<StringRef> termTexts;
  lhs.split(termTexts, ',');
  if (termTexts.size() != node.numInputs())
    return node.emitError() << "the equation has " << termTexts.size() << " terms for "
                            << node.numInputs() << " inputs";
  SmallVector<EinsumTerm> terms;
  SmallVector<Value> ins;
  Type elt;
  int64_t ell = 0;
  for (auto [i, text] : llvm::enumerate(termTexts)) {
    FailureOr<EinsumTerm> t = parseEinsumTerm(node, text);
    FailureOr<Value> v = node.rankedInput(i, "input");
    if (failed(t) || failed(v))
      return failure();
    int64_t extra = rankOf(*v) - static_cast<int64_t>(t->letters.size());
    if (extra < 0 || (t->ellipsisAt < 0 && extra != 0))
      return node.emitError() << "term '" << text << "' does not fit input " << i << " "
                              << v->getType();
    if (i == 0)
      elt = elementTypeOf(*v);
    else if (elementTypeOf(*v) != elt)
      return node.emitError() << "inputs differ in element type";
    ell = std::max(ell, extra);
    terms.push_back(*t);
    ins.push_back(*v);
  }
  // Loop dims: the "..." dims first, then the letters in order of appearance.
  SmallVector<char> letters;
  llvm::StringMap<int64_t> count;
  for (const EinsumTerm &t : terms)
    for (char c : t.letters) {
      if (!count.count(StringRef(&c, 1)))
        letters.push_back(c);
      ++count[StringRef(&c, 1)];
    }
  auto loopOf = [&](char c) { return ell + (llvm::find(letters, c) - letters.begin()); };
  EinsumTerm out;
  if (explicitOut) {
    FailureOr<EinsumTerm> t = parseEinsumTerm(node, rhs);
    if (failed(t))
      return failure();
    out = *t;
    for (char c : out.letters)
      if (!llvm::is_contained(letters, c))
        return node.emitError() << "output letter '" << c << "' is in no input";
  } else {
    out.ellipsisAt = ell ? 0 : -1;
    for (char c : letters)
      if (count[StringRef(&c, 1)] == 1)
        out.letters.push_back(c);
    llvm::sort(out.letters);
  }
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t numLoops = ell + letters.size();
  // Each operand's dim -> loop dim.
  auto operandLoops = [&](const EinsumTerm &t, int64_t rank) {
    SmallVector<int64_t> l;
    int64_t e = rank - t.letters.size();
    for (int64_t p = 0; p < static_cast<int64_t>(t.letters.size()); ++p) {
      if (p == t.ellipsisAt)
        for (int64_t j = 0; j < e; ++j)
          l.push_back(ell - e + j);
      l.push_back(loopOf(t.letters[p]));
    }
    if (t.ellipsisAt == static_cast<int64_t>(t.letters.size()))
      for (int64_t j = 0; j < e; ++j)
        l.push_back(ell - e + j);
    return l;
  };
  // Loop sizes: from an operand whose dim is not a broadcast 1.
  SmallVector<OpFoldResult> loopSize(numLoops);
  SmallVector<SmallVector<int64_t>> opLoops;
  for (auto [t, v] : llvm::zip(terms, ins)) {
    opLoops.push_back(operandLoops(t, rankOf(v)));
    SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, v);
    for (auto [d, l] : llvm::enumerate(opLoops.back())) {
      auto c = getConstantIntValue(sizes[d]);
      auto have = loopSize[l] ? getConstantIntValue(loopSize[l]) : std::nullopt;
      if (!loopSize[l] || (have && *have == 1))
        loopSize[l] = sizes[d];
      else if (c && have && *c != *have && *c != 1)
        return node.emitError() << "dimension sizes " << *have << " and " << *c
                                << " of one subscript disagree";
    }
  }
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (auto [v, loops] : llvm::zip(ins, opLoops)) {
    SmallVector<AffineExpr> exprs;
    for (auto [d, l] : llvm::enumerate(loops)) {
      // A "..." dim of size 1 broadcasts against a larger one.
      bool broadcast = l < ell && tensorType(v).getDimSize(d) == 1 &&
                       getConstantIntValue(loopSize[l]) != std::optional<int64_t>(1);
      exprs.push_back(broadcast ? b.getAffineConstantExpr(0) : b.getAffineDimExpr(l));
    }
    maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
  }
  SmallVector<int64_t> outLoops = operandLoops(out, out.letters.size() + (out.ellipsisAt >= 0 ? ell : 0));
  SmallVector<AffineExpr> outExprs;
  SmallVector<OpFoldResult> outSizes;
  SmallVector<utils::IteratorType> iters(numLoops, utils::IteratorType::reduction);
  for (int64_t l : outLoops) {
    if (iters[l] == utils::IteratorType::parallel)
      return node.emitError() << "an output subscript repeats";
    iters[l] = utils::IteratorType::parallel;
    outExprs.push_back(b.getAffineDimExpr(l));
    outSizes.push_back(loopSize[l]);
  }
  maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
  Type acc = accumulatorType(b, elt);
  Value init = filledTensor(b, loc, outSizes, scalarConstant(b, loc, acc, 0));
  size_t n = ins.size();
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps, iters,
                [&](OpBuilder &nb, Location l, ValueRange args) {
                  Value p = convertScalar(nb, l, args[0], acc);
                  for (size_t i = 1; i < n; ++i) {
                    Value x = convertScalar(nb, l, args[i], acc);
                    p = isFloatLike(acc) ? Value(arith::MulFOp::create(nb, l, p, x))
                                         : Value(arith::MulIOp::create(nb, l, p, x));
                  }
                  Value sum = isFloatLike(acc) ? Value(arith::AddFOp::create(nb, l, args[n], p))
                                               : Value(arith::AddIOp::create(nb, l, args[n], p));
                  linalg::YieldOp::create(nb, l, ValueRange{sum});
                })
                .getResult(0);
  results.push_back(castTensor(b, loc, y, elt));
  return success();
}

} // namespace

void hybrid::onnx_conv::populateMatMulConverters(ConverterTable &t) {
  t.add("", "MatMul", 1, convertMatMul);
  t.add("", "MatMulInteger", 10, convertMatMulInteger);
  t.add("", "Einsum", 12, convertEinsum);
  t.add("", "QLinearMatMul", 10, convertQLinearMatMul);
  t.add("", "Gemm", 1, convertGemm);
}
