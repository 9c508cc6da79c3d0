//===- Builders.cpp - tensor building blocks for the converters -----------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <limits>

using namespace mlir;
using namespace hybrid::onnx_conv;

SmallVector<OpFoldResult> hybrid::onnx_conv::mixedSizes(OpBuilder &b, Location loc, Value v) {
  return tensor::getMixedSizes(b, loc, v);
}

Value hybrid::onnx_conv::emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                                     Type elt) {
  return tensor::EmptyOp::create(b, loc, sizes, elt);
}

Value hybrid::onnx_conv::scalarConstant(OpBuilder &b, Location loc, Type elt, double v) {
  if (auto f = dyn_cast<FloatType>(elt))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, v));
  if (elt.isIndex())
    return arith::ConstantIndexOp::create(b, loc, static_cast<int64_t>(v));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(elt, static_cast<int64_t>(v)));
}

Value hybrid::onnx_conv::filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                                      Value scalar) {
  Value empty = emptyTensor(b, loc, sizes, scalar.getType());
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value hybrid::onnx_conv::convertScalar(OpBuilder &b, Location loc, Value x, Type to,
                                       bool srcUnsigned, bool dstUnsigned) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (fromF && toF) {
    if (fromF.getWidth() < toF.getWidth())
      return arith::ExtFOp::create(b, loc, to, x);
    // f64 -> bf16 goes through f32: only f32 -> bf16 has an integer expansion
    // (arith-expand), and x86 has no f64 -> bf16 conversion helper.
    if (to.isBF16() && fromF.getWidth() > 32)
      x = arith::TruncFOp::create(b, loc, b.getF32Type(), x);
    return arith::TruncFOp::create(b, loc, to, x);
  }
  if (!fromF && toF) {
    if (srcUnsigned || from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, x);
    return arith::SIToFPOp::create(b, loc, to, x);
  }
  if (fromF && !toF) {
    if (to.isInteger(1))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   scalarConstant(b, loc, from, 0.0));
    if (dstUnsigned)
      return arith::FPToUIOp::create(b, loc, to, x);
    return arith::FPToSIOp::create(b, loc, to, x);
  }
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (tw == 1)
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 scalarConstant(b, loc, from, 0));
  if (fw < tw)
    return (srcUnsigned || fw == 1) ? Value(arith::ExtUIOp::create(b, loc, to, x))
                                    : Value(arith::ExtSIOp::create(b, loc, to, x));
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, to, x);
  return x;
}

Value hybrid::onnx_conv::castTensor(OpBuilder &b, Location loc, Value t, Type elt,
                                    bool srcUnsigned, bool dstUnsigned) {
  auto type = tensorType(t);
  if (type.getElementType() == elt)
    return t;
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, t);
  Value init = emptyTensor(b, loc, sizes, elt);
  auto map = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iters(type.getRank(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{t}, ValueRange{init},
             ArrayRef<AffineMap>{map, map}, iters,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc, convertScalar(nb, nloc, args[0], elt, srcUnsigned, dstUnsigned));
             })
      .getResult(0);
}

Value hybrid::onnx_conv::indexValue(OpBuilder &b, Location loc, OpFoldResult size) {
  return getValueOrCreateConstantIndexOp(b, loc, size);
}

OpFoldResult hybrid::onnx_conv::mulSizes(OpBuilder &b, Location loc, OpFoldResult x,
                                          OpFoldResult y) {
  auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  return arith::MulIOp::create(b, loc, indexValue(b, loc, x), indexValue(b, loc, y)).getResult();
}

OpFoldResult hybrid::onnx_conv::addSizes(OpBuilder &b, Location loc, OpFoldResult x,
                                          OpFoldResult y) {
  auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx + *cy);
  return arith::AddIOp::create(b, loc, indexValue(b, loc, x), indexValue(b, loc, y)).getResult();
}

OpFoldResult hybrid::onnx_conv::productOf(OpBuilder &b, Location loc,
                                           ArrayRef<OpFoldResult> sizes) {
  OpFoldResult p = b.getIndexAttr(1);
  for (OpFoldResult s : sizes)
    p = mulSizes(b, loc, p, s);
  return p;
}

Value hybrid::onnx_conv::elementCountAs(OpBuilder &b, Location loc, Value input,
                                        ArrayRef<int64_t> axes, Type ft) {
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, input), part;
  for (int64_t a : axes)
    part.push_back(sizes[a]);
  Value n = indexValue(b, loc, productOf(b, loc, part));
  return arith::UIToFPOp::create(b, loc, ft,
                                 arith::IndexCastUIOp::create(b, loc, b.getI64Type(), n));
}

FailureOr<std::optional<SmallVector<int64_t>>>
hybrid::onnx_conv::readAxes(OnnxNode &node, int64_t inputSince) {
  if (node.version() < inputSince)
    return node.getInts("axes");
  if (!node.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  std::optional<SmallVector<int64_t>> axes = node.constantInts(1);
  if (!axes)
    return node.emitError() << "axes must be a constant", failure();
  return axes;
}

FailureOr<SmallVector<int64_t>> hybrid::onnx_conv::normalizeAxesInOrder(OnnxNode &node,
                                                                        ArrayRef<int64_t> axes,
                                                                        int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    FailureOr<int64_t> n = normalizeAxis(node, a, rank, "axes entry");
    if (failed(n))
      return failure();
    if (llvm::is_contained(out, *n))
      return node.emitError() << "axis " << a << " is repeated", failure();
    out.push_back(*n);
  }
  return out;
}

FailureOr<SmallVector<int64_t>> hybrid::onnx_conv::normalizeAxes(OnnxNode &node,
                                                                 ArrayRef<int64_t> axes,
                                                                 int64_t rank) {
  FailureOr<SmallVector<int64_t>> out = normalizeAxesInOrder(node, axes, rank);
  if (succeeded(out))
    llvm::sort(*out);
  return out;
}

FailureOr<SmallVector<int64_t>> hybrid::onnx_conv::axesAttrOrAll(OnnxNode &node, int64_t rank) {
  if (std::optional<SmallVector<int64_t>> a = node.getInts("axes"))
    return normalizeAxesInOrder(node, *a, rank);
  return llvm::to_vector(llvm::seq<int64_t>(0, rank));
}

FailureOr<SmallVector<OpFoldResult>> hybrid::onnx_conv::broadcastSizes(OnnxNode &node,
                                                                       ValueRange inputs) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = 0;
  for (Value v : inputs)
    rank = std::max(rank, rankOf(v));
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t staticSize = 1;
    SmallVector<Value> dynamicDims;
    for (auto [idx, v] : llvm::enumerate(inputs)) {
      int64_t r = rankOf(v);
      int64_t j = d - (rank - r);
      if (j < 0)
        continue;
      int64_t s = tensorType(v).getDimSize(j);
      if (ShapedType::isDynamic(s)) {
        dynamicDims.push_back(tensor::DimOp::create(b, loc, v, j));
      } else if (s != 1) {
        if (staticSize != 1 && staticSize != s)
          return node.emitError() << "inputs cannot be broadcast together: dim " << d
                                  << " of the result is both " << staticSize << " and " << s,
                 failure();
        staticSize = s;
      }
    }
    if (dynamicDims.empty()) {
      sizes.push_back(b.getIndexAttr(staticSize));
      continue;
    }
    // Dynamic dims must equal the static size (or each other): broadcasting a
    // dynamic dim that turns out to be 1 is not supported.
    Value expected = staticSize != 1 ? Value(arith::ConstantIndexOp::create(b, loc, staticSize))
                                     : dynamicDims.front();
    for (Value dyn : dynamicDims) {
      if (dyn == expected)
        continue;
      Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dyn, expected);
      cf::AssertOp::create(b, loc, eq,
                           node.describe() + ": run-time dims do not broadcast (a dynamic "
                                             "dim must equal the other inputs' dim)");
    }
    sizes.push_back(staticSize != 1 ? OpFoldResult(b.getIndexAttr(staticSize))
                                    : OpFoldResult(expected));
  }
  return sizes;
}

/// The indexing map reading `input` (rank r) inside a broadcast to `sizes`.
static AffineMap broadcastMap(OpBuilder &b, Value input, ArrayRef<OpFoldResult> sizes) {
  int64_t rank = sizes.size(), r = rankOf(input);
  SmallVector<AffineExpr> exprs;
  for (int64_t j = 0; j < r; ++j) {
    int64_t d = j + (rank - r);
    int64_t s = tensorType(input).getDimSize(j);
    std::optional<int64_t> out = getConstantIntValue(sizes[d]);
    if (s == 1 && (!out || *out != 1))
      exprs.push_back(b.getAffineConstantExpr(0));
    else
      exprs.push_back(b.getAffineDimExpr(d));
  }
  return AffineMap::get(rank, 0, exprs, b.getContext());
}

static Value generic(OpBuilder &b, Location loc, ValueRange inputs,
                     ArrayRef<OpFoldResult> sizes, Type resultElt, ScalarFn body) {
  Value init = emptyTensor(b, loc, sizes, resultElt);
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(broadcastMap(b, v, sizes));
  maps.push_back(b.getMultiDimIdentityMap(sizes.size()));
  SmallVector<utils::IteratorType> iters(sizes.size(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       body(nb, nloc, args.take_front(inputs.size())));
             })
      .getResult(0);
}

FailureOr<Value> hybrid::onnx_conv::elementwise(OnnxNode &node, ValueRange inputs,
                                                Type resultElt, ScalarFn body) {
  FailureOr<SmallVector<OpFoldResult>> sizes = broadcastSizes(node, inputs);
  if (failed(sizes))
    return failure();
  return generic(node.builder(), node.loc(), inputs, *sizes, resultElt, body);
}

Value hybrid::onnx_conv::broadcastTo(OpBuilder &b, Location loc, Value input,
                                     ArrayRef<OpFoldResult> sizes) {
  return generic(b, loc, ValueRange{input}, sizes, elementTypeOf(input),
                 [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

FailureOr<int64_t> hybrid::onnx_conv::normalizeAxis(OnnxNode &node, int64_t axis, int64_t rank,
                                                    StringRef what) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return node.emitError() << what << " " << axis << " is out of range for rank " << rank,
           failure();
  return axis < 0 ? axis + rank : axis;
}

Value hybrid::onnx_conv::reduce(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, bool keepDims, Value init,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
    llvm::function_ref<Value(OpBuilder &, Location, Value)> map) {
  int64_t rank = rankOf(input);
  SmallVector<OpFoldResult> inSizes = mixedSizes(b, loc, input);
  SmallVector<OpFoldResult> outSizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iters.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (!reduced) {
      outSizes.push_back(inSizes[d]);
      outExprs.push_back(b.getAffineDimExpr(d));
    }
  }
  Value acc = filledTensor(b, loc, outSizes, init);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, outExprs, b.getContext())};
  Value result = linalg::GenericOp::create(
                     b, loc, TypeRange{acc.getType()}, ValueRange{input}, ValueRange{acc},
                     maps, iters,
                     [&](OpBuilder &nb, Location nloc, ValueRange args) {
                       Value x = map ? map(nb, nloc, args[0]) : args[0];
                       linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args[1], x));
                     })
                     .getResult(0);
  if (keepDims)
    result = insertUnitDims(b, loc, result, axes);
  return result;
}

Value hybrid::onnx_conv::insertUnitDims(OpBuilder &b, Location loc, Value input,
                                        ArrayRef<int64_t> positions) {
  if (positions.empty())
    return input;
  auto type = tensorType(input);
  int64_t rank = type.getRank();
  int64_t outRank = rank + positions.size();
  SmallVector<OpFoldResult> inSizes = mixedSizes(b, loc, input);
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> outSizes;
  // Each unit dim joins the group of the next source dim (or the last group).
  SmallVector<ReassociationIndices> reassoc(rank);
  ReassociationIndices pending;
  int64_t src = 0;
  for (int64_t d = 0; d < outRank; ++d) {
    if (llvm::is_contained(positions, d)) {
      shape.push_back(1);
      outSizes.push_back(b.getIndexAttr(1));
      pending.push_back(d);
      continue;
    }
    shape.push_back(type.getDimSize(src));
    outSizes.push_back(inSizes[src]);
    reassoc[src] = pending;
    reassoc[src].push_back(d);
    pending.clear();
    ++src;
  }
  if (rank > 0)
    reassoc.back().append(pending.begin(), pending.end());
  return tensor::ExpandShapeOp::create(b, loc,
                                       RankedTensorType::get(shape, type.getElementType()),
                                       input, reassoc, outSizes);
}

Value hybrid::onnx_conv::dropUnitDims(OpBuilder &b, Location loc, Value input,
                                      ArrayRef<int64_t> positions) {
  if (positions.empty())
    return input;
  auto type = tensorType(input);
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassoc;
  ReassociationIndices pending;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (llvm::is_contained(positions, d)) {
      if (reassoc.empty())
        pending.push_back(d);
      else
        reassoc.back().push_back(d);
      continue;
    }
    shape.push_back(type.getDimSize(d));
    reassoc.emplace_back(pending);
    pending.clear();
    reassoc.back().push_back(d);
  }
  if (shape.empty())
    reassoc.clear();
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), input, reassoc);
}

/// Structural only: the same value, or `tensor.dim` of the same tensor at the
/// same constant index (each converter reads an input's sizes afresh), which
/// covers the dims exporters copy (0) or read with Shape. MLIR's value-bounds
/// analysis could prove more (a result's dim through its destination); it is
/// not run here, on a graph still being converted.
bool hybrid::onnx_conv::provablyEqual(OpFoldResult a, OpFoldResult b) {
  std::optional<int64_t> ca = getConstantIntValue(a), cb = getConstantIntValue(b);
  if (ca || cb)
    return ca && cb && *ca == *cb;
  if (a == b)
    return true;
  auto da = dyn_cast<Value>(a).getDefiningOp<tensor::DimOp>();
  auto db = dyn_cast<Value>(b).getDefiningOp<tensor::DimOp>();
  if (!da || !db || da.getSource() != db.getSource())
    return false;
  std::optional<int64_t> ia = da.getConstantIndex(), ib = db.getConstantIndex();
  return ia && ib && *ia == *ib;
}

/// How the dims of `fine` group into those of `coarse`, each coarse dim the
/// product of consecutive fine dims, when the sizes prove it: a static coarse
/// dim is a run of static fine dims with that product; a dynamic one is one
/// fine dim provably equal to it. Static 1s of `fine` left over join the group
/// after them (the last group, at the end). Nothing when not proved.
static std::optional<SmallVector<ReassociationIndices>>
groupDims(ArrayRef<OpFoldResult> fine, ArrayRef<OpFoldResult> coarse) {
  SmallVector<ReassociationIndices> groups;
  int64_t f = 0, n = fine.size();
  auto isUnit = [&](int64_t i) { return getConstantIntValue(fine[i]) == int64_t(1); };
  for (OpFoldResult c : coarse) {
    ReassociationIndices group;
    if (std::optional<int64_t> cs = getConstantIntValue(c)) {
      int64_t product = 1;
      do {
        std::optional<int64_t> fs = f < n ? getConstantIntValue(fine[f]) : std::nullopt;
        if (!fs)
          return std::nullopt;
        product *= *fs;
        group.push_back(f++);
      } while (product < *cs);
      if (product != *cs)
        return std::nullopt;
    } else {
      while (f < n && isUnit(f))
        group.push_back(f++);
      if (f >= n || !provablyEqual(fine[f], c))
        return std::nullopt;
      group.push_back(f++);
    }
    groups.push_back(group);
  }
  while (f < n && isUnit(f) && !groups.empty())
    groups.back().push_back(f++);
  if (f != n)
    return std::nullopt;
  return groups;
}

Value hybrid::onnx_conv::reshapeTo(OpBuilder &b, Location loc, Value input,
                                   ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  SmallVector<Value> dims;
  for (OpFoldResult s : sizes) {
    std::optional<int64_t> c = getConstantIntValue(s);
    shape.push_back(c ? *c : ShapedType::kDynamic);
  }
  auto type = RankedTensorType::get(shape, elementTypeOf(input));
  if (type == tensorType(input))
    return input;
  // A reshape that only splits dims, or only merges them, is an expand_shape
  // or a collapse_shape when the sizes prove the grouping: those bufferize to
  // views even of strided buffers (a split of a Split's slice, q into heads),
  // where tensor.reshape needs a contiguous copy.
  // (A same-rank reshape that proves nothing new was returned above: equal
  // sizes give equal types.)
  SmallVector<OpFoldResult> from = mixedSizes(b, loc, input);
  if (sizes.size() > from.size()) {
    // Constant sizes as attributes, as the op's static shape must read them.
    SmallVector<OpFoldResult> outputShape;
    for (OpFoldResult s : sizes) {
      std::optional<int64_t> c = getConstantIntValue(s);
      outputShape.push_back(c ? OpFoldResult(b.getIndexAttr(*c)) : s);
    }
    if (auto groups = groupDims(outputShape, from))
      return tensor::ExpandShapeOp::create(b, loc, type, input, *groups, outputShape);
  } else if (sizes.size() < from.size()) {
    // A proved grouping infers `type`: a static dim from static dims, a
    // dynamic one from the dynamic dim it equals.
    if (auto groups = groupDims(from, sizes))
      return tensor::CollapseShapeOp::create(b, loc, type, input, *groups);
  }
  for (OpFoldResult s : sizes)
    dims.push_back(indexValue(b, loc, s));
  Value shapeTensor = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({static_cast<int64_t>(dims.size())}, b.getIndexType()),
      dims);
  return tensor::ReshapeOp::create(b, loc, type, input, shapeTensor);
}

Value hybrid::onnx_conv::transposeTensor(OpBuilder &b, Location loc, Value input,
                                         ArrayRef<int64_t> perm) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return input;
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, input);
  SmallVector<OpFoldResult> out;
  for (int64_t p : perm)
    out.push_back(in[p]);
  Value init = emptyTensor(b, loc, out, elementTypeOf(input));
  return linalg::TransposeOp::create(b, loc, input, init, perm).getResult()[0];
}

Value hybrid::onnx_conv::maxScalar(OpBuilder &b, Location loc, Value x, Value y,
                                   bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, y))
                    : Value(arith::MaxSIOp::create(b, loc, x, y));
}

Value hybrid::onnx_conv::minScalar(OpBuilder &b, Location loc, Value x, Value y,
                                   bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  return isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, y))
                    : Value(arith::MinSIOp::create(b, loc, x, y));
}

Value hybrid::onnx_conv::lowestScalar(OpBuilder &b, Location loc, Type elt, bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(elt))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), /*Negative=*/true)));
  unsigned w = elt.getIntOrFloatBitWidth();
  APInt v = isUnsigned || w == 1 ? APInt::getMinValue(w) : APInt::getSignedMinValue(w);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(elt, v));
}

Value hybrid::onnx_conv::highestScalar(OpBuilder &b, Location loc, Type elt, bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(elt))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), /*Negative=*/false)));
  unsigned w = elt.getIntOrFloatBitWidth();
  APInt v = isUnsigned || w == 1 ? APInt::getMaxValue(w) : APInt::getSignedMaxValue(w);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(elt, v));
}

Value hybrid::onnx_conv::refineToSizes(OpBuilder &b, Location loc, Value v,
                                       ArrayRef<OpFoldResult> sizes) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (auto [d, s] : llvm::enumerate(sizes))
    if (ShapedType::isDynamic(shape[d]))
      if (std::optional<int64_t> c = getConstantIntValue(s))
        shape[d] = *c;
  if (shape == type.getShape())
    return v;
  return tensor::CastOp::create(b, loc, RankedTensorType::get(shape, type.getElementType()), v);
}

Type hybrid::onnx_conv::computeType(OpBuilder &b, Type elt) {
  if (auto f = dyn_cast<FloatType>(elt); f && f.getWidth() < 32)
    return b.getF32Type();
  return elt;
}

Value hybrid::onnx_conv::generateTensor(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Type elt,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  Value init = emptyTensor(b, loc, sizes, elt);
  int64_t r = sizes.size();
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(r)}, iters,
             [&](OpBuilder &nb, Location l, ValueRange) {
               SmallVector<Value> ivs;
               for (int64_t d = 0; d < r; ++d)
                 ivs.push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, ValueRange{body(nb, l, ivs)});
             })
      .getResult(0);
}

SmallVector<Value> hybrid::onnx_conv::forEachIndex(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, ValueRange iterArgs,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange, ValueRange)> body) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(sizes.size(), zero), steps(sizes.size(), one), ubs;
  for (OpFoldResult s : sizes)
    ubs.push_back(indexValue(b, loc, s));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, iterArgs,
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange iter) -> scf::ValueVector {
        SmallVector<Value> next = body(nb, l, ivs, iter);
        return scf::ValueVector(next.begin(), next.end());
      });
  return SmallVector<Value>(nest.results.begin(), nest.results.end());
}
