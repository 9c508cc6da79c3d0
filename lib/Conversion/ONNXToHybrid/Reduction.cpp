//===- Reduction.cpp - Reduce*, ArgMax/ArgMin, Softmax, CumSum, TopK -------===//
//
// Reductions become linalg.generic ops with reduction iterators; f16/bf16 inputs
// accumulate in f32. Softmax-13+ normalizes one axis; opsets before 13 coerce the
// input to 2-D at `axis`, i.e. normalize over every dim from `axis` on.
// CumSum/CumProd and TopK are scf.for loops along their axis (see each).
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

/// The reduced axes of a Reduce* node, sorted; every axis when none are given,
/// unless `noop_with_empty_axes` (opsets with axes as an input) makes it a no-op.
FailureOr<SmallVector<int64_t>> reductionAxes(OnnxNode &node, int64_t rank,
                                              int64_t axesInputSince, bool &noop) {
  FailureOr<std::optional<SmallVector<int64_t>>> axes = readAxes(node, axesInputSince);
  if (failed(axes))
    return failure();
  noop = false;
  if (*axes && !(*axes)->empty())
    return normalizeAxes(node, **axes, rank);
  SmallVector<int64_t> all;
  if (node.version() >= axesInputSince && node.getInt("noop_with_empty_axes", 0)) {
    noop = true;
    return all;
  }
  for (int64_t d = 0; d < rank; ++d)
    all.push_back(d);
  return all;
}

void reduction(ConverterTable &t, StringRef name, Kind kind, int64_t axesInputSince) {
  t.add("", name, 1, [=](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "data");
    if (failed(x))
      return failure();
    OpBuilder &b = node.builder();
    Location loc = node.loc();
    Type elt = elementTypeOf(*x);
    bool isFloat = isFloatLike(elt);
    // Booleans order as unsigned (false < true); signed i1 would read true as -1.
    bool isUnsigned = node.isUnsignedInput(0) || elt.isInteger(1);
    if (!isFloat && (kind == Kind::Mean || kind == Kind::L2 || kind == Kind::LogSum ||
                     kind == Kind::LogSumExp))
      return node.emitError() << "needs a floating-point input, got " << x->getType();
    bool noop;
    FailureOr<SmallVector<int64_t>> axes =
        reductionAxes(node, rankOf(*x), axesInputSince, noop);
    if (failed(axes))
      return failure();
    if (noop) {
      results.push_back(*x);
      return success();
    }
    bool keep = node.getInt("keepdims", 1) != 0;
    Type ct = computeType(b, elt);
    Value input = castTensor(b, loc, *x, ct);
    Value init;
    std::function<Value(OpBuilder &, Location, Value, Value)> combine;
    std::function<Value(OpBuilder &, Location, Value)> map;
    auto add = [](OpBuilder &nb, Location l, Value a, Value v) -> Value {
      return isa<FloatType>(a.getType()) ? Value(arith::AddFOp::create(nb, l, a, v))
                                         : Value(arith::AddIOp::create(nb, l, a, v));
    };
    auto mul = [](OpBuilder &nb, Location l, Value a, Value v) -> Value {
      return isa<FloatType>(a.getType()) ? Value(arith::MulFOp::create(nb, l, a, v))
                                         : Value(arith::MulIOp::create(nb, l, a, v));
    };
    switch (kind) {
    case Kind::Sum:
    case Kind::Mean:
    case Kind::LogSum:
      init = scalarConstant(b, loc, ct, 0);
      combine = add;
      break;
    case Kind::SumSquare:
    case Kind::L2:
      init = scalarConstant(b, loc, ct, 0);
      combine = add;
      map = [mul](OpBuilder &nb, Location l, Value v) { return mul(nb, l, v, v); };
      break;
    case Kind::L1:
      init = scalarConstant(b, loc, ct, 0);
      combine = add;
      map = [isUnsigned](OpBuilder &nb, Location l, Value v) -> Value {
        if (isa<FloatType>(v.getType()))
          return math::AbsFOp::create(nb, l, v);
        return isUnsigned ? v : Value(math::AbsIOp::create(nb, l, v));
      };
      break;
    case Kind::Prod:
      init = scalarConstant(b, loc, ct, 1);
      combine = mul;
      break;
    case Kind::Max:
      init = lowestScalar(b, loc, ct, isUnsigned);
      combine = [isUnsigned](OpBuilder &nb, Location l, Value a, Value v) {
        return maxScalar(nb, l, a, v, isUnsigned);
      };
      break;
    case Kind::Min:
      init = highestScalar(b, loc, ct, isUnsigned);
      combine = [isUnsigned](OpBuilder &nb, Location l, Value a, Value v) {
        return minScalar(nb, l, a, v, isUnsigned);
      };
      break;
    case Kind::LogSumExp: {
      // log(sum(exp(x - max))) + max, stable for large inputs.
      Value mx = reduce(b, loc, input, *axes, /*keepDims=*/true, lowestScalar(b, loc, ct),
                        [](OpBuilder &nb, Location l, Value a, Value v) { return maxScalar(nb, l, a, v); });
      FailureOr<Value> shifted = elementwise(node, {input, mx}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
        // exp(-inf - -inf) would be NaN: a max of -inf means every element is -inf.
        Value isInf = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, v[1],
                                            lowestScalar(nb, l, v[1].getType()));
        Value m = arith::SelectOp::create(nb, l, isInf, scalarConstant(nb, l, v[1].getType(), 0), v[1]);
        return math::ExpOp::create(nb, l, arith::SubFOp::create(nb, l, v[0], m));
      });
      if (failed(shifted))
        return failure();
      Value sum = reduce(b, loc, *shifted, *axes, /*keepDims=*/true, scalarConstant(b, loc, ct, 0), add);
      FailureOr<Value> lse = elementwise(node, {sum, mx}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
        Value isInf = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, v[1],
                                            lowestScalar(nb, l, v[1].getType()));
        Value m = arith::SelectOp::create(nb, l, isInf, scalarConstant(nb, l, v[1].getType(), 0), v[1]);
        return arith::AddFOp::create(nb, l, math::LogOp::create(nb, l, v[0]), m);
      });
      if (failed(lse))
        return failure();
      Value r = *lse;
      if (!keep) {
        r = dropUnitDims(b, loc, r, *axes);
      }
      results.push_back(castTensor(b, loc, r, elt));
      return success();
    }
    }
    // An empty std::function must not become a (callable) function_ref.
    Value r = map ? reduce(b, loc, input, *axes, keep, init, combine, map)
                  : reduce(b, loc, input, *axes, keep, init, combine);
    if (kind == Kind::Mean || kind == Kind::L2 || kind == Kind::LogSum) {
      // The element count of the reduced axes (dynamic dims read at run time).
      Value countF = elementCountAs(b, loc, *x, *axes, ct);
      FailureOr<Value> fin = elementwise(node, {r}, ct, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
        if (kind == Kind::Mean)
          return arith::DivFOp::create(nb, l, v[0], countF);
        if (kind == Kind::L2)
          return math::SqrtOp::create(nb, l, v[0]);
        return math::LogOp::create(nb, l, v[0]);
      });
      if (failed(fin))
        return failure();
      r = *fin;
    }
    if (isUnsigned)
      node.markUnsignedOutput(0);
    results.push_back(castTensor(b, loc, r, elt));
    return success();
  });
}

/// ArgMax / ArgMin: the index of the first (or last) extreme along one axis.
void argReduction(ConverterTable &t, StringRef name, bool isMax) {
  t.add("", name, 1, [=](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "data");
    if (failed(x))
      return failure();
    OpBuilder &b = node.builder();
    Location loc = node.loc();
    int64_t rank = rankOf(*x);
    FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", 0), rank);
    if (failed(axis))
      return failure();
    bool keep = node.getInt("keepdims", 1) != 0;
    bool last = node.getInt("select_last_index", 0) != 0;
    Type elt = elementTypeOf(*x);
    bool isUnsigned = node.isUnsignedInput(0) || elt.isInteger(1);
    SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *x), outSizes;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iters;
    for (int64_t d = 0; d < rank; ++d) {
      iters.push_back(d == *axis ? utils::IteratorType::reduction : utils::IteratorType::parallel);
      if (d != *axis) {
        outSizes.push_back(sizes[d]);
        outExprs.push_back(b.getAffineDimExpr(d));
      }
    }
    Value best = filledTensor(b, loc, outSizes,
                              isMax ? lowestScalar(b, loc, elt, isUnsigned)
                                    : highestScalar(b, loc, elt, isUnsigned));
    Value idx = filledTensor(b, loc, outSizes, scalarConstant(b, loc, b.getI64Type(), -1));
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, b.getContext());
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{best.getType(), idx.getType()}, ValueRange{*x}, ValueRange{best, idx},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap, outMap}, iters,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value v = args[0], cur = args[1], curIdx = args[2];
          Value i = arith::IndexCastOp::create(nb, l, nb.getI64Type(),
                                               linalg::IndexOp::create(nb, l, *axis));
          Value better;
          if (isa<FloatType>(elt)) {
            auto strict = isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT;
            auto loose = isMax ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OLE;
            better = arith::CmpFOp::create(nb, l, last ? loose : strict, v, cur);
          } else {
            arith::CmpIPredicate strict, loose;
            if (isMax) {
              strict = isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
              loose = isUnsigned ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
            } else {
              strict = isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
              loose = isUnsigned ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
            }
            better = arith::CmpIOp::create(nb, l, last ? loose : strict, v, cur);
          }
          // The first element always wins, so a row of -inf (or NaN) still gets index 0.
          Value first = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, curIdx,
                                              scalarConstant(nb, l, nb.getI64Type(), 0));
          better = arith::OrIOp::create(nb, l, better, first);
          linalg::YieldOp::create(nb, l,
                                  ValueRange{arith::SelectOp::create(nb, l, better, v, cur),
                                             arith::SelectOp::create(nb, l, better, i, curIdx)});
        });
    Value r = generic.getResult(1);
    if (keep)
      r = insertUnitDims(b, loc, r, {*axis});
    results.push_back(r);
    return success();
  });
}

enum class SoftmaxKind { Softmax, LogSoftmax, Hardmax };

void softmaxFamily(ConverterTable &t, StringRef name, SoftmaxKind kind) {
  t.add("", name, 1, [=](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "input");
    if (failed(x))
      return failure();
    OpBuilder &b = node.builder();
    Location loc = node.loc();
    int64_t rank = rankOf(*x);
    bool modern = node.version() >= 13;
    FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", modern ? -1 : 1), rank);
    if (failed(axis))
      return failure();
    Type elt = elementTypeOf(*x);
    if (!isFloatLike(elt))
      return node.emitError() << "needs a floating-point input, got " << x->getType();
    SmallVector<int64_t> axes;
    for (int64_t d = *axis; d < (modern ? *axis + 1 : rank); ++d)
      axes.push_back(d);
    Type ct = computeType(b, elt);
    Value input = castTensor(b, loc, *x, ct);
    Value mx = reduce(b, loc, input, axes, /*keepDims=*/true, lowestScalar(b, loc, ct),
                      [](OpBuilder &nb, Location l, Value a, Value v) { return maxScalar(nb, l, a, v); });
    if (kind == SoftmaxKind::Hardmax) {
      // One-hot of the first maximum along the axes: compare against the max, then
      // keep only the first hit with a running "seen" flag via an index reduction.
      if (axes.size() != 1)
        return node.emitError() << "Hardmax before opset 13 over several axes is not supported";
      SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, input), outSizes;
      SmallVector<AffineExpr> outExprs;
      SmallVector<utils::IteratorType> iters;
      for (int64_t d = 0; d < rank; ++d) {
        iters.push_back(d == *axis ? utils::IteratorType::reduction : utils::IteratorType::parallel);
        if (d != *axis) {
          outSizes.push_back(sizes[d]);
          outExprs.push_back(b.getAffineDimExpr(d));
        }
      }
      Value firstIdx = filledTensor(b, loc, outSizes, scalarConstant(b, loc, b.getIndexType(), -1));
      AffineMap outMap = AffineMap::get(rank, 0, outExprs, b.getContext());
      AffineMap mxMap = b.getMultiDimIdentityMap(rank);
      SmallVector<AffineExpr> mxExprs(mxMap.getResults());
      mxExprs[*axis] = b.getAffineConstantExpr(0);
      Value first = linalg::GenericOp::create(
                        b, loc, TypeRange{firstIdx.getType()}, ValueRange{input, mx}, ValueRange{firstIdx},
                        ArrayRef<AffineMap>{mxMap, AffineMap::get(rank, 0, mxExprs, b.getContext()), outMap},
                        iters,
                        [&](OpBuilder &nb, Location l, ValueRange args) {
                          Value i = linalg::IndexOp::create(nb, l, *axis);
                          Value hit = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, args[0], args[1]);
                          Value unset = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, args[2],
                                                              arith::ConstantIndexOp::create(nb, l, 0));
                          Value take = arith::AndIOp::create(nb, l, hit, unset);
                          linalg::YieldOp::create(nb, l, ValueRange{arith::SelectOp::create(nb, l, take, i, args[2])});
                        })
                        .getResult(0);
      Value init = emptyTensor(b, loc, sizes, elt);
      SmallVector<AffineMap> maps = {outMap, b.getMultiDimIdentityMap(rank)};
      SmallVector<utils::IteratorType> par(rank, utils::IteratorType::parallel);
      Value r = linalg::GenericOp::create(
                    b, loc, TypeRange{init.getType()}, ValueRange{first}, ValueRange{init}, maps, par,
                    [&](OpBuilder &nb, Location l, ValueRange args) {
                      Value i = linalg::IndexOp::create(nb, l, *axis);
                      Value eq = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i, args[0]);
                      linalg::YieldOp::create(nb, l, ValueRange{arith::SelectOp::create(
                                                         nb, l, eq, scalarConstant(nb, l, elt, 1),
                                                         scalarConstant(nb, l, elt, 0))});
                    })
                    .getResult(0);
      results.push_back(r);
      return success();
    }
    FailureOr<Value> e = elementwise(node, {input, mx}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
      return math::ExpOp::create(nb, l, arith::SubFOp::create(nb, l, v[0], v[1]));
    });
    if (failed(e))
      return failure();
    Value sum = reduce(b, loc, *e, axes, /*keepDims=*/true, scalarConstant(b, loc, ct, 0),
                       [](OpBuilder &nb, Location l, Value a, Value v) -> Value {
                         return arith::AddFOp::create(nb, l, a, v);
                       });
    FailureOr<Value> r;
    if (kind == SoftmaxKind::Softmax)
      r = elementwise(node, {*e, sum}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
        return arith::DivFOp::create(nb, l, v[0], v[1]);
      });
    else
      r = elementwise(node, {input, mx, sum}, ct, [](OpBuilder &nb, Location l, ValueRange v) -> Value {
        Value shifted = arith::SubFOp::create(nb, l, v[0], v[1]);
        return arith::SubFOp::create(nb, l, shifted, math::LogOp::create(nb, l, v[2]));
      });
    if (failed(r))
      return failure();
    results.push_back(castTensor(b, loc, *r, elt));
    return success();
  });
}

/// CumSum / CumProd along a constant axis: an scf.for over the axis carrying the
/// result and the running total of the slices seen so far (O(n) per element).
LogicalResult convertCumulative(OnnxNode &node, SmallVectorImpl<Value> &results, bool product) {
  FailureOr<Value> x = node.rankedInput(0, "x");
  if (failed(x))
    return failure();
  auto axisC = node.constantInts(1);
  if (!axisC || axisC->size() != 1)
    return node.emitError() << "axis must be a constant scalar";
  int64_t r = rankOf(*x);
  FailureOr<int64_t> axis = normalizeAxis(node, (*axisC)[0], r);
  if (failed(axis))
    return failure();
  bool exclusive = node.getInt("exclusive", 0) != 0, reverse = node.getInt("reverse", 0) != 0;
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(*x);
  if (elt.isInteger(1))
    return node.emitError() << "needs a numeric input, got " << x->getType();
  Type ct = computeType(b, elt);
  bool isUnsigned = node.isUnsignedInput(0);
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *x), sliceSizes = sizes;
  sliceSizes[*axis] = b.getIndexAttr(1);
  Value acc0 = filledTensor(b, loc, sliceSizes, scalarConstant(b, loc, ct, product ? 1 : 0));
  Value out0 = emptyTensor(b, loc, sizes, elt);
  Value n = tensor::DimOp::create(b, loc, *x, *axis);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(b, loc, zero, n, one, ValueRange{out0, acc0});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k = loop.getInductionVar();
    Value pos = reverse ? arith::SubIOp::create(b, loc, arith::SubIOp::create(b, loc, n, one), k).getResult() : k;
    SmallVector<OpFoldResult> offsets(r, b.getIndexAttr(0)), strides(r, b.getIndexAttr(1));
    offsets[*axis] = pos;
    Value out = loop.getRegionIterArgs()[0], acc = loop.getRegionIterArgs()[1];
    Value slice = tensor::ExtractSliceOp::create(b, loc, *x, offsets, sliceSizes, strides);
    FailureOr<Value> next = elementwise(node, {acc, slice}, ct, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
      Value s = convertScalar(nb, l, v[1], ct, isUnsigned, isUnsigned);
      if (isFloatLike(ct))
        return product ? Value(arith::MulFOp::create(nb, l, v[0], s)) : Value(arith::AddFOp::create(nb, l, v[0], s));
      return product ? Value(arith::MulIOp::create(nb, l, v[0], s)) : Value(arith::AddIOp::create(nb, l, v[0], s));
    });
    if (failed(next))
      return failure();
    Value nextV = *next;
    if (nextV.getType() != acc.getType())
      nextV = tensor::CastOp::create(b, loc, acc.getType(), nextV);
    Value written = castTensor(b, loc, exclusive ? acc : nextV, elt, isUnsigned, isUnsigned);
    written = refineToSizes(b, loc, written, sliceSizes);
    out = tensor::InsertSliceOp::create(b, loc, written, out, offsets, sliceSizes, strides);
    scf::YieldOp::create(b, loc, ValueRange{out, nextV});
  }
  node.forwardUnsigned();
  results.push_back(loop.getResult(0));
  return success();
}

/// TopK: for every row along `axis`, K rounds of selection, each taking the best
/// element that comes after the previous pick in the order (value, then lower
/// index first). O(K n) per row, no scratch memory, and the output is sorted.
LogicalResult convertTopK(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "X");
  if (failed(x))
    return failure();
  int64_t kk;
  if (node.version() < 10) {
    auto k = node.getInt("k");
    if (!k)
      return node.emitError() << "needs attribute k";
    kk = *k;
  } else {
    auto k = node.constantInts(1);
    if (!k || k->size() != 1)
      return node.emitError() << "K must be a constant (it decides the output shape)";
    kk = (*k)[0];
  }
  int64_t r = rankOf(*x);
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", -1), r);
  if (failed(axis))
    return failure();
  bool largest = node.getInt("largest", 1) != 0;
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *x);
  if (kk < 0)
    return node.emitError() << "K must not be negative";
  if (auto n = getConstantIntValue(sizes[*axis]); n && kk > *n)
    return node.emitError() << "K (" << kk << ") exceeds the axis length " << *n;
  Value n = indexValue(b, loc, sizes[*axis]);
  cf::AssertOp::create(b, loc,
                       arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                                             arith::ConstantIndexOp::create(b, loc, kk), n),
                       node.describe() + ": K exceeds the axis length");
  Type elt = elementTypeOf(*x);
  bool isUnsigned = node.isUnsignedInput(0);
  SmallVector<OpFoldResult> outSizes = sizes, outer = sizes;
  outSizes[*axis] = b.getIndexAttr(kk);
  outer.erase(outer.begin() + *axis);
  Value vals0 = emptyTensor(b, loc, outSizes, elt), inds0 = emptyTensor(b, loc, outSizes, b.getI64Type());
  Value xv = *x;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  Value kv = arith::ConstantIndexOp::create(b, loc, kk);
  // a before b: a's value is better, or equal with a lower index.
  auto before = [&](OpBuilder &nb, Location l, Value va, Value ia, Value vb, Value ib) -> Value {
    Value better, equal;
    if (isFloatLike(elt)) {
      better = arith::CmpFOp::create(nb, l, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, va, vb);
      equal = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, va, vb);
    } else {
      auto pred = largest ? (isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                          : (isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
      better = arith::CmpIOp::create(nb, l, pred, va, vb);
      equal = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, va, vb);
    }
    Value lower = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, ia, ib);
    return arith::OrIOp::create(nb, l, better, arith::AndIOp::create(nb, l, equal, lower));
  };
  SmallVector<Value> outs = forEachIndex(
      b, loc, outer, ValueRange{vals0, inds0},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange iter) -> SmallVector<Value> {
        auto at = [&](Value i) {
          SmallVector<Value> p(ivs);
          p.insert(p.begin() + *axis, i);
          return p;
        };
        // The first round has no previous pick; its placeholder is never read.
        Value first = scalarConstant(nb, l, elt, 0);
        auto rounds = scf::ForOp::create(
            nb, l, zero, kv, one, ValueRange{iter[0], iter[1], first, zero},
            [&](OpBuilder &rb, Location rl, Value round, ValueRange st) {
              Value isFirst = arith::CmpIOp::create(rb, rl, arith::CmpIPredicate::eq, round, zero);
              Value prevV = st[2], prevI = st[3];
              Value fls = arith::ConstantIntOp::create(rb, rl, 0, 1);
              auto scan = scf::ForOp::create(
                  rb, rl, zero, n, one, ValueRange{prevV, prevI, fls},
                  [&](OpBuilder &sb, Location sl, Value j, ValueRange best) {
                    Value v = tensor::ExtractOp::create(sb, sl, xv, at(j));
                    Value after = arith::OrIOp::create(sb, sl, isFirst, before(sb, sl, prevV, prevI, v, j));
                    Value notFound = arith::XOrIOp::create(sb, sl, best[2], arith::ConstantIntOp::create(sb, sl, 1, 1));
                    Value better = arith::OrIOp::create(sb, sl, notFound, before(sb, sl, v, j, best[0], best[1]));
                    Value take = arith::AndIOp::create(sb, sl, after, better);
                    scf::YieldOp::create(sb, sl,
                                         ValueRange{arith::SelectOp::create(sb, sl, take, v, best[0]),
                                                    arith::SelectOp::create(sb, sl, take, j, best[1]),
                                                    arith::OrIOp::create(sb, sl, best[2], take)});
                  });
              Value bv = scan.getResult(0), bi = scan.getResult(1);
              Value bi64 = arith::IndexCastOp::create(rb, rl, rb.getI64Type(), bi);
              Value vals = tensor::InsertOp::create(rb, rl, bv, st[0], at(round));
              Value inds = tensor::InsertOp::create(rb, rl, bi64, st[1], at(round));
              scf::YieldOp::create(rb, rl, ValueRange{vals, inds, bv, bi});
            });
        return {rounds.getResult(0), rounds.getResult(1)};
      });
  node.forwardUnsigned();
  results.append({outs[0], outs[1]});
  return success();
}
} // namespace

void hybrid::onnx_conv::populateReductionConverters(ConverterTable &t) {
  // ReduceSum took `axes` as an input from opset 13, the others from opset 18.
  reduction(t, "ReduceSum", Kind::Sum, 13);
  reduction(t, "ReduceMean", Kind::Mean, 18);
  reduction(t, "ReduceMax", Kind::Max, 18);
  reduction(t, "ReduceMin", Kind::Min, 18);
  reduction(t, "ReduceProd", Kind::Prod, 18);
  reduction(t, "ReduceL1", Kind::L1, 18);
  reduction(t, "ReduceL2", Kind::L2, 18);
  reduction(t, "ReduceLogSum", Kind::LogSum, 18);
  reduction(t, "ReduceLogSumExp", Kind::LogSumExp, 18);
  reduction(t, "ReduceSumSquare", Kind::SumSquare, 18);
  argReduction(t, "ArgMax", true);
  argReduction(t, "ArgMin", false);
  t.add("", "CumSum", 11, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertCumulative(n, r, /*product=*/false);
  });
  t.add("", "CumProd", 26, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertCumulative(n, r, /*product=*/true);
  });
  t.add("", "TopK", 1, convertTopK);
  softmaxFamily(t, "Softmax", SoftmaxKind::Softmax);
  softmaxFamily(t, "LogSoftmax", SoftmaxKind::LogSoftmax);
  softmaxFamily(t, "Hardmax", SoftmaxKind::Hardmax);
}
