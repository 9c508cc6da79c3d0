//===- Shape.cpp - constants, shape computation and data movement ---------===//
//
// Constant, Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat,
// Slice, Split, Gather, GatherElements, Expand, Tile, Range, Trilu, Pad and
// ConstantOfShape. Shapes may be static, dynamic, or computed at run time (the
// Shape -> Gather -> Concat -> Reshape chains exporters write for dynamic batch):
// Reshape and Expand read a non-constant shape tensor element by element.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

/// Element `i` of a shape tensor built by earlier conversions (Shape, Concat,
/// Slice of constants and tensor.dim's), found without reading the tensor: a
/// constant, or the index value it was made from. So ConstantOfShape(Concat(
/// Shape(x)[0:1], [128, 8])) keeps its static dims. Null when not found.
OpFoldResult shapeElement(Value t, int64_t i, int depth = 0) {
  if (depth > 8 || !t)
    return {};
  Operation *def = t.getDefiningOp();
  if (!def)
    return {};
  MLIRContext *ctx = t.getContext();
  DenseIntElementsAttr dense;
  if (matchPattern(t, m_Constant(&dense)))
    return i < dense.getNumElements() ? OpFoldResult(IntegerAttr::get(IndexType::get(ctx),
                                                                      dense.getValues<APInt>()[i].getSExtValue()))
                                      : OpFoldResult();
  if (auto fe = dyn_cast<tensor::FromElementsOp>(def)) {
    Value e = fe.getElements()[i];
    if (auto cast = e.getDefiningOp<arith::IndexCastOp>())
      if (cast.getIn().getType().isIndex())
        return cast.getIn();
    return {};
  }
  if (auto cast = dyn_cast<tensor::CastOp>(def))
    return shapeElement(cast.getSource(), i, depth + 1);
  auto staticOf = [](OpFoldResult f) { return getConstantIntValue(f); };
  if (auto ins = dyn_cast<tensor::InsertSliceOp>(def)) {
    if (ins.getType().getRank() != 1)
      return {};
    auto off = staticOf(ins.getMixedOffsets()[0]), size = staticOf(ins.getMixedSizes()[0]),
         stride = staticOf(ins.getMixedStrides()[0]);
    if (!off || !size || !stride || *stride != 1)
      return {};
    if (i >= *off && i < *off + *size)
      return shapeElement(ins.getSource(), i - *off, depth + 1);
    return shapeElement(ins.getDest(), i, depth + 1);
  }
  if (auto ext = dyn_cast<tensor::ExtractSliceOp>(def)) {
    if (ext.getSourceType().getRank() != 1)
      return {};
    auto off = staticOf(ext.getMixedOffsets()[0]), stride = staticOf(ext.getMixedStrides()[0]);
    if (!off || !stride)
      return {};
    return shapeElement(ext.getSource(), *off + i * *stride, depth + 1);
  }
  return {};
}

/// Element `i` of a 1-D integer tensor as an index.
OpFoldResult extractIndex(OpBuilder &b, Location loc, Value t, int64_t i) {
  if (OpFoldResult known = shapeElement(t, i))
    return known;
  Value e = tensor::ExtractOp::create(b, loc, t, ValueRange{idx(b, loc, i)});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), e).getResult();
}

/// Sizes from a 1-D shape input: constant entries fold, others are read at run time.
FailureOr<SmallVector<OpFoldResult>> shapeOperand(OnnxNode &node, unsigned i, StringRef what) {
  FailureOr<Value> s = node.rankedInput(i, what);
  if (failed(s))
    return failure();
  if (rankOf(*s) != 1 || ShapedType::isDynamic(tensorType(*s).getDimSize(0)))
    return node.emitError() << what << " must be a 1-D tensor of static length, got "
                            << s->getType(),
           failure();
  OpBuilder &b = node.builder();
  SmallVector<OpFoldResult> out;
  if (auto c = node.constantInts(i)) {
    for (int64_t v : *c)
      out.push_back(b.getIndexAttr(v));
    return out;
  }
  for (int64_t k = 0; k < tensorType(*s).getDimSize(0); ++k)
    out.push_back(extractIndex(b, node.loc(), *s, k));
  return out;
}

/// A tensor<Nxi64> holding `sizes` (an arith.constant when all are static).
Value shapeTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> consts;
  for (OpFoldResult s : sizes)
    if (auto c = getConstantIntValue(s))
      consts.push_back(*c);
  auto type = RankedTensorType::get({static_cast<int64_t>(sizes.size())}, b.getI64Type());
  if (consts.size() == sizes.size())
    return arith::ConstantOp::create(b, loc, DenseIntElementsAttr::get(type, consts));
  SmallVector<Value> elems;
  for (OpFoldResult s : sizes)
    elems.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), indexValue(b, loc, s)));
  return tensor::FromElementsOp::create(b, loc, type, elems);
}

LogicalResult convertConstant(OnnxNode &node, SmallVectorImpl<Value> &results) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  TypedAttr value;
  if (auto v = node.getAttr("value")) {
    auto elements = dyn_cast<ElementsAttr>(v);
    if (!elements)
      return node.emitError() << "attribute 'value' must be a tensor";
    auto type = cast<ShapedType>(elements.getType());
    if (type.getElementType().isUnsignedInteger()) {
      auto signlessType = type.clone(
          IntegerType::get(b.getContext(), type.getElementType().getIntOrFloatBitWidth()));
      if (auto dense = dyn_cast<DenseElementsAttr>(elements))
        elements = dense.bitcast(signlessType.getElementType());
      else if (auto res = dyn_cast<DenseResourceElementsAttr>(elements))
        elements = DenseResourceElementsAttr::get(signlessType, res.getRawHandle());
      node.markUnsignedOutput(0);
    }
    value = cast<TypedAttr>(elements);
  } else if (auto f = node.getFloat("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), *f);
  } else if (auto i = node.getInt("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), *i);
  } else if (auto fs = node.getFloats("value_floats")) {
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(fs->size())}, b.getF32Type()),
        ArrayRef<float>(*fs));
  } else if (auto is = node.getInts("value_ints")) {
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(is->size())}, b.getI64Type()),
        ArrayRef<int64_t>(*is));
  } else if (node.has("value_string") || node.has("value_strings")) {
    return node.emitError() << "string constants are not supported";
  } else if (node.has("sparse_value")) {
    return node.emitError() << "sparse constants are not supported";
  } else {
    return node.emitError() << "has no value attribute";
  }
  if (failed(node.ok()))
    return failure();
  results.push_back(arith::ConstantOp::create(b, loc, value));
  return success();
}

LogicalResult convertShape(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  int64_t rank = rankOf(*x);
  auto clampAxis = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + rank : a, 0, rank); };
  int64_t start = clampAxis(node.getInt("start", 0));
  int64_t end = node.has("end") ? clampAxis(node.getInt("end", rank)) : rank;
  SmallVector<OpFoldResult> sizes = mixedSizes(b, node.loc(), *x);
  SmallVector<OpFoldResult> part;
  for (int64_t d = start; d < end; ++d)
    part.push_back(sizes[d]);
  results.push_back(shapeTensor(b, node.loc(), part));
  return success();
}

LogicalResult convertSize(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  OpFoldResult n = productOf(b, loc, mixedSizes(b, loc, *x));
  Value scalar = arith::IndexCastOp::create(b, loc, b.getI64Type(), indexValue(b, loc, n));
  results.push_back(tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, b.getI64Type()), ValueRange{scalar}));
  return success();
}

LogicalResult convertReshape(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> target;
  if (node.version() < 5) {
    auto shape = node.getInts("shape");
    if (!shape)
      return node.emitError() << "attribute 'shape' is required";
    for (int64_t v : *shape)
      target.push_back(b.getIndexAttr(v));
  } else {
    FailureOr<SmallVector<OpFoldResult>> s = shapeOperand(node, 1, "shape");
    if (failed(s))
      return failure();
    target = *s;
  }
  bool allowZero = node.getInt("allowzero", 0) != 0;
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x);
  OpFoldResult total = productOf(b, loc, in);
  // Resolve 0 (copy the input dim) and -1 (infer), statically when possible.
  int64_t inferAt = -1;
  // Entries read at run time (which may be -1); a copied input dim is a size.
  SmallVector<int64_t> runtimeEntries;
  for (auto [i, s] : llvm::enumerate(target)) {
    if (auto c = getConstantIntValue(s)) {
      if (*c == 0 && !allowZero) {
        if (i >= in.size())
          return node.emitError() << "shape entry " << i << " is 0 (copy), but the input has rank "
                                  << in.size();
        s = in[i];
      } else if (*c == -1) {
        if (inferAt >= 0)
          return node.emitError() << "shape has more than one -1";
        inferAt = i;
      } else if (*c < 0) {
        return node.emitError() << "shape entry " << i << " is " << *c;
      }
      continue;
    }
    // A run-time entry: 0 copies the input dim (when it exists), -1 is inferred
    // below. An entry that is a tensor's dim (a Shape read during conversion,
    // as exporters write `view(B, S, H, D)`) is never -1, and when it is
    // provably the input's dim, a 0 there copies the same size.
    Value v = indexValue(b, loc, s);
    if (v.getDefiningOp<tensor::DimOp>() &&
        (allowZero || i >= in.size() || provablyEqual(v, in[i]))) {
      s = i < in.size() && !allowZero ? in[i] : OpFoldResult(v);
      continue;
    }
    runtimeEntries.push_back(i);
    if (!allowZero && i < in.size()) {
      Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, idx(b, loc, 0));
      v = arith::SelectOp::create(b, loc, isZero, indexValue(b, loc, in[i]), v);
    }
    s = v;
  }
  // A -1 next to known sizes: the input's static dims over the others', once
  // each of the others' dynamic dims cancels a provably equal input dim (what
  // is left of the input's dynamic dims multiplies in).
  if (inferAt >= 0 && runtimeEntries.empty()) {
    int64_t staticIn = 1, staticKnown = 1;
    SmallVector<OpFoldResult> dynamicIn;
    for (OpFoldResult s : in) {
      if (std::optional<int64_t> c = getConstantIntValue(s))
        staticIn *= *c;
      else
        dynamicIn.push_back(s);
    }
    bool cancels = true;
    for (auto [i, s] : llvm::enumerate(target)) {
      if (static_cast<int64_t>(i) == inferAt)
        continue;
      if (std::optional<int64_t> c = getConstantIntValue(s)) {
        staticKnown *= *c;
        continue;
      }
      auto it = llvm::find_if(dynamicIn, [&](OpFoldResult d) { return provablyEqual(d, s); });
      if (it == dynamicIn.end()) {
        cancels = false;
        break;
      }
      dynamicIn.erase(it);
    }
    if (cancels && staticKnown != 0 && staticIn % staticKnown == 0) {
      dynamicIn.push_back(b.getIndexAttr(staticIn / staticKnown));
      target[inferAt] = productOf(b, loc, dynamicIn);
      inferAt = -1;
    }
  }
  // Run-time -1 entries: the product of the others divides the total.
  if (inferAt >= 0 || !runtimeEntries.empty()) {
    Value known = idx(b, loc, 1);
    Value minusOne = idx(b, loc, -1);
    for (auto [i, s] : llvm::enumerate(target)) {
      if (static_cast<int64_t>(i) == inferAt)
        continue;
      Value v = indexValue(b, loc, s);
      if (llvm::is_contained(runtimeEntries, static_cast<int64_t>(i))) {
        Value isInfer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, minusOne);
        v = arith::SelectOp::create(b, loc, isInfer, idx(b, loc, 1), v);
      }
      known = arith::MulIOp::create(b, loc, known, v);
    }
    Value totalV = indexValue(b, loc, total);
    Value inferred = arith::DivUIOp::create(b, loc, totalV, known);
    if (inferAt >= 0) {
      auto cTotal = getConstantIntValue(total);
      bool allStatic = cTotal.has_value();
      int64_t knownStatic = 1;
      for (auto [i, s] : llvm::enumerate(target))
        if (static_cast<int64_t>(i) != inferAt) {
          auto c = getConstantIntValue(s);
          allStatic &= c.has_value();
          if (c)
            knownStatic *= *c;
        }
      if (allStatic) {
        if (knownStatic == 0 || *cTotal % knownStatic)
          return node.emitError() << "cannot reshape " << x->getType() << " to the requested shape";
        target[inferAt] = b.getIndexAttr(*cTotal / knownStatic);
      } else {
        target[inferAt] = inferred;
      }
    }
    for (int64_t i : runtimeEntries) {
      Value v = indexValue(b, loc, target[i]);
      Value isInfer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, minusOne);
      target[i] = arith::SelectOp::create(b, loc, isInfer, inferred, v).getResult();
    }
  }
  // The element counts must agree.
  OpFoldResult newTotal = productOf(b, loc, target);
  auto c1 = getConstantIntValue(total), c2 = getConstantIntValue(newTotal);
  if (c1 && c2 && *c1 != *c2)
    return node.emitError() << "cannot reshape " << x->getType() << " (" << *c1
                            << " elements) to " << *c2 << " elements";
  if (!c1 || !c2) {
    Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, indexValue(b, loc, total),
                                     indexValue(b, loc, newTotal));
    cf::AssertOp::create(b, loc, eq, node.describe() + ": the new shape has a different element count");
  }
  node.forwardUnsigned();
  results.push_back(reshapeTo(b, loc, *x, target));
  return success();
}

LogicalResult convertFlatten(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(*x);
  int64_t axis = node.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return node.emitError() << "axis " << node.getInt("axis", 1) << " is out of range for rank " << rank;
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x);
  SmallVector<OpFoldResult> out = {productOf(b, loc, ArrayRef(in).take_front(axis)),
                                   productOf(b, loc, ArrayRef(in).drop_front(axis))};
  results.push_back(reshapeTo(b, loc, *x, out));
  return success();
}

/// Squeeze's axes, resolved and sorted (empty when absent).
FailureOr<SmallVector<int64_t>> axesOf(OnnxNode &node, int64_t inputSince, int64_t rank) {
  FailureOr<std::optional<SmallVector<int64_t>>> raw = readAxes(node, inputSince);
  if (failed(raw))
    return failure();
  if (!*raw)
    return SmallVector<int64_t>();
  return normalizeAxes(node, **raw, rank);
}

LogicalResult convertSqueeze(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto type = tensorType(*x);
  FailureOr<SmallVector<int64_t>> axes = axesOf(node, 13, type.getRank());
  if (failed(axes))
    return failure();
  bool explicitAxes = !axes->empty();
  if (!explicitAxes)
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.getDimSize(d) == 1)
        axes->push_back(d);
  bool anyDynamic = false;
  for (int64_t a : *axes) {
    int64_t s = type.getDimSize(a);
    if (ShapedType::isDynamic(s)) {
      anyDynamic = true;
      Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       tensor::DimOp::create(b, loc, *x, a), idx(b, loc, 1));
      cf::AssertOp::create(b, loc, eq, node.describe() + ": a squeezed dim is not 1");
    } else if (s != 1) {
      return node.emitError() << "cannot squeeze dim " << a << " of size " << s;
    }
  }
  node.forwardUnsigned();
  if (!anyDynamic) {
    results.push_back(dropUnitDims(b, loc, *x, *axes));
    return success();
  }
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x), out;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(*axes, d))
      out.push_back(in[d]);
  results.push_back(reshapeTo(b, loc, *x, out));
  return success();
}

LogicalResult convertUnsqueeze(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> raw = readAxes(node, 13);
  if (failed(raw))
    return failure();
  if (!*raw)
    return node.emitError() << "axes are required";
  FailureOr<SmallVector<int64_t>> axes =
      normalizeAxes(node, **raw, rankOf(*x) + (*raw)->size());
  if (failed(axes))
    return failure();
  node.forwardUnsigned();
  results.push_back(insertUnitDims(node.builder(), node.loc(), *x, *axes));
  return success();
}

LogicalResult convertTranspose(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  int64_t rank = rankOf(*x);
  SmallVector<int64_t> perm;
  if (auto p = node.getInts("perm")) {
    perm = *p;
  } else {
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  }
  SmallVector<int64_t> sorted = perm;
  llvm::sort(sorted);
  for (auto [i, p] : llvm::enumerate(sorted))
    if (static_cast<int64_t>(i) != p || static_cast<int64_t>(perm.size()) != rank)
      return node.emitError() << "perm is not a permutation of 0.." << rank - 1;
  node.forwardUnsigned();
  results.push_back(transposeTensor(node.builder(), node.loc(), *x, perm));
  return success();
}

LogicalResult convertConcat(OnnxNode &node, SmallVectorImpl<Value> &results) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    FailureOr<Value> v = node.rankedInput(i, "inputs");
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  if (inputs.empty())
    return node.emitError() << "needs at least one input";
  int64_t rank = rankOf(inputs[0]);
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  for (Value v : inputs)
    if (rankOf(v) != rank || elementTypeOf(v) != elementTypeOf(inputs[0]))
      return node.emitError() << "inputs differ in rank or element type: " << inputs[0].getType()
                              << " and " << v.getType();
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, inputs[0]);
  OpFoldResult total = b.getIndexAttr(0);
  for (Value v : inputs) {
    total = addSizes(b, loc, total, mixedSizes(b, loc, v)[*axis]);
  }
  // Other dims come from the first input with a static size there.
  for (int64_t d = 0; d < rank; ++d) {
    if (d == *axis)
      continue;
    for (Value v : inputs)
      if (!ShapedType::isDynamic(tensorType(v).getDimSize(d))) {
        int64_t s = tensorType(v).getDimSize(d);
        for (Value w : inputs)
          if (!ShapedType::isDynamic(tensorType(w).getDimSize(d)) && tensorType(w).getDimSize(d) != s)
            return node.emitError() << "inputs differ in dim " << d << ": " << v.getType()
                                    << " and " << w.getType();
        sizes[d] = b.getIndexAttr(s);
        break;
      }
  }
  sizes[*axis] = total;
  Value result = emptyTensor(b, loc, sizes, elementTypeOf(inputs[0]));
  OpFoldResult offset = b.getIndexAttr(0);
  for (Value v : inputs) {
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), strides(rank, b.getIndexAttr(1));
    offsets[*axis] = offset;
    SmallVector<OpFoldResult> vs = mixedSizes(b, loc, v);
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis)
        vs[d] = sizes[d];
    // An empty input adds nothing (and its insert at the end would not verify).
    if (llvm::any_of(vs, [](OpFoldResult s) { return isConstantIntValue(s, 0); }))
      continue;
    result = tensor::InsertSliceOp::create(b, loc, refineToSizes(b, loc, v, vs), result, offsets,
                                           vs, strides);
    offset = addSizes(b, loc, offset, vs[*axis]);
  }
  node.forwardUnsigned();
  results.push_back(result);
  return success();
}

/// A tensor.empty of `sizes` when one of them is a constant 0, else null. (An
/// extract_slice with a static offset into a zero-sized dim does not verify, and
/// an empty result reads nothing anyway.)
Value emptyIfZeroSized(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes, Type elt) {
  for (OpFoldResult s : sizes)
    if (isConstantIntValue(s, 0))
      return emptyTensor(b, loc, sizes, elt);
  return nullptr;
}

/// ONNX Slice clamping of one (start, end, step) against a dim of size `dim`,
/// computed at compile time when the dim, start and end are constants, else in
/// index arithmetic (a start or end read at run time, say a Loop's iteration
/// number). Returns (start, count).
std::pair<OpFoldResult, OpFoldResult> sliceRange(OpBuilder &b, Location loc, OpFoldResult dim,
                                                 OpFoldResult startF, OpFoldResult endF,
                                                 int64_t step) {
  auto d = getConstantIntValue(dim), cs = getConstantIntValue(startF), ce = getConstantIntValue(endF);
  if (d && cs && ce) {
    int64_t n = *d, start = *cs, end = *ce;
    auto clampIdx = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += n;
      return std::clamp(v, lo, hi);
    };
    int64_t s, e;
    if (step > 0) {
      s = clampIdx(start, 0, n);
      e = clampIdx(end, 0, n);
    } else {
      s = clampIdx(start, -1, n - 1);
      e = clampIdx(end, -1, n - 1);
    }
    int64_t count = step > 0 ? std::max<int64_t>(0, (e - s + step - 1) / step)
                             : std::max<int64_t>(0, (s - e + (-step) - 1) / (-step));
    // An empty slice starts at 0 (extract_slice rejects a static offset past the end).
    return {b.getIndexAttr(count == 0 ? 0 : s), b.getIndexAttr(count)};
  }
  // The same arithmetic in index ops.
  Value n = indexValue(b, loc, dim);
  auto norm = [&](OpFoldResult v, int64_t lo, bool hiIsN) -> Value {
    Value x;
    if (auto c = getConstantIntValue(v)) {
      x = idx(b, loc, *c);
      if (*c < 0)
        x = arith::AddIOp::create(b, loc, x, n);
    } else {
      // Negative values count from the end.
      x = indexValue(b, loc, v);
      Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, idx(b, loc, 0));
      x = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, x, n), x);
    }
    Value hi = hiIsN ? n : Value(arith::SubIOp::create(b, loc, n, idx(b, loc, 1)));
    x = arith::MaxSIOp::create(b, loc, x, idx(b, loc, lo));
    return arith::MinSIOp::create(b, loc, x, hi);
  };
  Value s = step > 0 ? norm(startF, 0, true) : norm(startF, -1, false);
  Value e = step > 0 ? norm(endF, 0, true) : norm(endF, -1, false);
  Value diff = step > 0 ? Value(arith::SubIOp::create(b, loc, e, s)) : Value(arith::SubIOp::create(b, loc, s, e));
  int64_t as = std::abs(step);
  Value count = arith::DivSIOp::create(b, loc, arith::AddIOp::create(b, loc, diff, idx(b, loc, as - 1)),
                                       idx(b, loc, as));
  count = arith::MaxSIOp::create(b, loc, count, idx(b, loc, 0));
  Value empty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count, idx(b, loc, 0));
  s = arith::SelectOp::create(b, loc, empty, idx(b, loc, 0), s);
  return {s, count};
}

LogicalResult convertSlice(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(*x);
  std::optional<SmallVector<OpFoldResult>> starts, ends;
  std::optional<SmallVector<int64_t>> axes, steps;
  auto folded = [&](std::optional<SmallVector<int64_t>> v) -> std::optional<SmallVector<OpFoldResult>> {
    if (!v)
      return std::nullopt;
    SmallVector<OpFoldResult> out;
    for (int64_t x : *v)
      out.push_back(b.getIndexAttr(x));
    return out;
  };
  if (node.version() < 10) {
    starts = folded(node.getInts("starts"));
    ends = folded(node.getInts("ends"));
    axes = node.getInts("axes");
  } else {
    // Starts and ends may be read at run time; axes and steps decide the
    // result's layout and must be constants.
    for (auto [i, out] : {std::pair<unsigned, std::optional<SmallVector<OpFoldResult>> *>{1, &starts},
                          {2, &ends}}) {
      if (!node.hasInput(i))
        continue;
      if (auto c = node.constantInts(i)) {
        *out = folded(c);
        continue;
      }
      FailureOr<SmallVector<OpFoldResult>> v = shapeOperand(node, i, i == 1 ? "starts" : "ends");
      if (failed(v))
        return failure();
      *out = *v;
    }
    if (node.hasInput(3) && !(axes = node.constantInts(3)))
      return node.emitError() << "axes must be a constant";
    if (node.hasInput(4) && !(steps = node.constantInts(4)))
      return node.emitError() << "steps must be a constant";
  }
  if (!starts || !ends)
    return node.emitError() << "needs starts and ends";
  if (starts->size() != ends->size() || (axes && axes->size() != starts->size()) ||
      (steps && steps->size() != starts->size()))
    return node.emitError() << "starts, ends, axes and steps differ in length";
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *x);
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), counts = sizes;
  SmallVector<int64_t> strides(rank, 1);
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t a = axes ? (*axes)[i] : static_cast<int64_t>(i);
    FailureOr<int64_t> axis = normalizeAxis(node, a, rank, "axes entry");
    if (failed(axis))
      return failure();
    int64_t step = steps ? (*steps)[i] : 1;
    if (step == 0)
      return node.emitError() << "steps must not be 0";
    auto [s, c] = sliceRange(b, loc, sizes[*axis], (*starts)[i], (*ends)[i], step);
    offsets[*axis] = s;
    counts[*axis] = c;
    strides[*axis] = step;
  }
  node.forwardUnsigned();
  if (Value empty = emptyIfZeroSized(b, loc, counts, elementTypeOf(*x))) {
    results.push_back(empty);
    return success();
  }
  if (llvm::all_of(strides, [](int64_t s) { return s > 0; })) {
    SmallVector<OpFoldResult> st;
    for (int64_t s : strides)
      st.push_back(b.getIndexAttr(s));
    results.push_back(tensor::ExtractSliceOp::create(b, loc, *x, offsets, counts, st));
    return success();
  }
  // Negative steps: out[i] = in[offset + i * step] through a gather.
  Value init = emptyTensor(b, loc, counts, elementTypeOf(*x));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value input = *x;
  results.push_back(
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)}, iters,
          [&](OpBuilder &nb, Location l, ValueRange) {
            SmallVector<Value> at;
            for (int64_t d = 0; d < rank; ++d) {
              Value i = linalg::IndexOp::create(nb, l, d);
              Value scaled = arith::MulIOp::create(nb, l, i, idx(nb, l, strides[d]));
              at.push_back(arith::AddIOp::create(nb, l, indexValue(nb, l, offsets[d]), scaled));
            }
            linalg::YieldOp::create(nb, l, ValueRange{tensor::ExtractOp::create(nb, l, input, at)});
          })
          .getResult(0));
  return success();
}

LogicalResult convertSplit(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(*x);
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  std::optional<SmallVector<int64_t>> split;
  if (node.version() >= 13) {
    if (node.hasInput(1) && !(split = node.constantInts(1)))
      return node.emitError() << "split must be a constant";
  } else {
    split = node.getInts("split");
  }
  int64_t n = node.numOutputs();
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *x);
  SmallVector<OpFoldResult> parts;
  if (split) {
    if (static_cast<int64_t>(split->size()) != n)
      return node.emitError() << "split has " << split->size() << " entries for " << n << " outputs";
    for (int64_t s : *split)
      parts.push_back(b.getIndexAttr(s));
  } else {
    // Equal parts (opset 18: num_outputs, the last part may be smaller).
    auto dim = getConstantIntValue(sizes[*axis]);
    if (!dim)
      return node.emitError() << "splitting a dynamic dim into equal parts is not supported";
    int64_t chunk = (*dim + n - 1) / n;
    if (node.version() < 18 && *dim % n)
      return node.emitError() << "dim " << *dim << " does not split into " << n << " equal parts";
    for (int64_t i = 0; i < n; ++i)
      parts.push_back(b.getIndexAttr(std::max<int64_t>(0, std::min(chunk, *dim - i * chunk))));
  }
  int64_t staticOffset = 0;
  for (OpFoldResult p : parts) {
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), counts = sizes,
        strides(rank, b.getIndexAttr(1));
    int64_t count = *getConstantIntValue(p);
    // An empty part starts at 0 (extract_slice rejects a static offset past the end).
    offsets[*axis] = b.getIndexAttr(count == 0 ? 0 : staticOffset);
    counts[*axis] = p;
    Value empty = emptyIfZeroSized(b, loc, counts, elementTypeOf(*x));
    results.push_back(empty ? empty
                            : Value(tensor::ExtractSliceOp::create(b, loc, *x, offsets, counts,
                                                                   strides)));
    staticOffset += *getConstantIntValue(p);
  }
  if (auto dim = getConstantIntValue(sizes[*axis]); dim && *dim != staticOffset)
    return node.emitError() << "split sizes add up to " << staticOffset << ", the dim is " << *dim;
  return success();
}

LogicalResult convertGather(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> data = node.rankedInput(0, "data"), indices = node.rankedInput(1, "indices");
  if (failed(data) || failed(indices))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t r = rankOf(*data), q = rankOf(*indices);
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", 0), r);
  if (failed(axis))
    return failure();
  // Picking entries of a shape (Shape -> Gather, as exporters compute sizes):
  // entries known during conversion give constants (static dims), so the
  // arithmetic that follows folds, even when other dims are dynamic.
  if (r == 1 && q <= 1 && isa<IntegerType>(elementTypeOf(*data)) && tensorType(*data).hasStaticShape()) {
    if (auto picks = node.constantInts(1)) {
      int64_t n = tensorType(*data).getDimSize(0);
      SmallVector<OpFoldResult> elems;
      for (int64_t i : *picks) {
        if (i < -n || i >= n)
          return node.emitError() << "index " << i << " is out of range for " << data->getType();
        if (OpFoldResult e = shapeElement(*data, i < 0 ? i + n : i))
          elems.push_back(e);
      }
      if (elems.size() == picks->size()) {
        Type it = elementTypeOf(*data);
        auto type = RankedTensorType::get(tensorType(*indices).getShape(), it);
        SmallVector<int64_t> consts;
        for (OpFoldResult e : elems)
          if (auto c = getConstantIntValue(e))
            consts.push_back(*c);
        if (consts.size() == elems.size()) {
          SmallVector<APInt> vals;
          for (int64_t c : consts)
            vals.push_back(APInt(it.getIntOrFloatBitWidth(), c, /*isSigned=*/true));
          results.push_back(arith::ConstantOp::create(b, loc, DenseIntElementsAttr::get(type, vals)));
          return success();
        }
        SmallVector<Value> vals;
        for (OpFoldResult e : elems)
          vals.push_back(arith::IndexCastOp::create(b, loc, it, indexValue(b, loc, e)));
        results.push_back(tensor::FromElementsOp::create(b, loc, type, vals));
        return success();
      }
    }
  }
  SmallVector<OpFoldResult> ds = mixedSizes(b, loc, *data), is = mixedSizes(b, loc, *indices);
  SmallVector<OpFoldResult> out(ds.begin(), ds.begin() + *axis);
  out.append(is.begin(), is.end());
  out.append(ds.begin() + *axis + 1, ds.end());
  int64_t outRank = out.size();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t d = 0; d < q; ++d)
    idxExprs.push_back(b.getAffineDimExpr(*axis + d));
  Value init = emptyTensor(b, loc, out, elementTypeOf(*data));
  SmallVector<utils::IteratorType> iters(outRank, utils::IteratorType::parallel);
  Value dataV = *data;
  Value axisDim = indexValue(b, loc, ds[*axis]);
  std::string msg = node.describe() + ": an index is out of range";
  Value result =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{*indices}, ValueRange{init},
          ArrayRef<AffineMap>{AffineMap::get(outRank, 0, idxExprs, b.getContext()),
                              b.getMultiDimIdentityMap(outRank)},
          iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value i = arith::IndexCastOp::create(nb, l, nb.getIndexType(), args[0]);
            Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i, idx(nb, l, 0));
            i = arith::SelectOp::create(nb, l, neg, arith::AddIOp::create(nb, l, i, axisDim), i);
            Value inRange = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, i, axisDim);
            cf::AssertOp::create(nb, l, inRange, msg);
            SmallVector<Value> at;
            for (int64_t d = 0; d < *axis; ++d)
              at.push_back(linalg::IndexOp::create(nb, l, d));
            at.push_back(i);
            for (int64_t d = *axis + 1; d < r; ++d)
              at.push_back(linalg::IndexOp::create(nb, l, d - 1 + q));
            linalg::YieldOp::create(nb, l, ValueRange{tensor::ExtractOp::create(nb, l, dataV, at)});
          })
          .getResult(0);
  node.forwardUnsigned();
  results.push_back(result);
  return success();
}

LogicalResult convertGatherElements(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> data = node.rankedInput(0, "data"), indices = node.rankedInput(1, "indices");
  if (failed(data) || failed(indices))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t r = rankOf(*data);
  if (rankOf(*indices) != r)
    return node.emitError() << "data and indices differ in rank";
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", 0), r);
  if (failed(axis))
    return failure();
  Value init = emptyTensor(b, loc, mixedSizes(b, loc, *indices), elementTypeOf(*data));
  Value axisDim = tensor::DimOp::create(b, loc, *data, *axis);
  Value dataV = *data;
  std::string msg = node.describe() + ": an index is out of range";
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  results.push_back(
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{*indices}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(r), b.getMultiDimIdentityMap(r)}, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value i = arith::IndexCastOp::create(nb, l, nb.getIndexType(), args[0]);
            Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i, idx(nb, l, 0));
            i = arith::SelectOp::create(nb, l, neg, arith::AddIOp::create(nb, l, i, axisDim), i);
            cf::AssertOp::create(nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, i, axisDim), msg);
            SmallVector<Value> at;
            for (int64_t d = 0; d < r; ++d)
              at.push_back(d == *axis ? i : Value(linalg::IndexOp::create(nb, l, d)));
            linalg::YieldOp::create(nb, l, ValueRange{tensor::ExtractOp::create(nb, l, dataV, at)});
          })
          .getResult(0));
  return success();
}

LogicalResult convertExpand(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  FailureOr<SmallVector<OpFoldResult>> shape = shapeOperand(node, 1, "shape");
  if (failed(shape))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t r = rankOf(*x), n = shape->size();
  int64_t outRank = std::max(r, n);
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x), out;
  for (int64_t d = 0; d < outRank; ++d) {
    int64_t ji = d - (outRank - r), js = d - (outRank - n);
    OpFoldResult si = ji >= 0 ? in[ji] : b.getIndexAttr(1);
    OpFoldResult ss = js >= 0 ? (*shape)[js] : b.getIndexAttr(1);
    auto ci = getConstantIntValue(si), cs = getConstantIntValue(ss);
    if (cs && *cs == 1) {
      out.push_back(si);
    } else if (ci && *ci == 1) {
      out.push_back(ss);
    } else if (ci && cs) {
      if (*ci != *cs)
        return node.emitError() << "cannot expand dim " << d << " of size " << *ci << " to " << *cs;
      out.push_back(si);
    } else if (ci) {
      // The shape entry is only known at run time: 1 keeps the input dim.
      Value v = indexValue(b, loc, ss);
      Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, idx(b, loc, 1));
      out.push_back(arith::SelectOp::create(b, loc, isOne, indexValue(b, loc, si), v).getResult());
    } else {
      out.push_back(si);
    }
  }
  node.forwardUnsigned();
  results.push_back(broadcastTo(b, loc, *x, out));
  return success();
}

LogicalResult convertTile(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  auto repeats = node.constantInts(1);
  int64_t r = rankOf(*x);
  if (!repeats)
    return node.emitError() << "repeats must be a constant";
  if (static_cast<int64_t>(repeats->size()) != r)
    return node.emitError() << "repeats has " << repeats->size() << " entries for rank " << r;
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x), out;
  for (int64_t d = 0; d < r; ++d)
    out.push_back(mulSizes(b, loc, in[d], b.getIndexAttr((*repeats)[d])));
  Value init = emptyTensor(b, loc, out, elementTypeOf(*x));
  Value input = *x;
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  results.push_back(
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(r)}, iters,
          [&](OpBuilder &nb, Location l, ValueRange) {
            SmallVector<Value> at;
            for (int64_t d = 0; d < r; ++d)
              at.push_back(arith::RemUIOp::create(nb, l, linalg::IndexOp::create(nb, l, d),
                                                  indexValue(nb, l, in[d])));
            linalg::YieldOp::create(nb, l, ValueRange{tensor::ExtractOp::create(nb, l, input, at)});
          })
          .getResult(0));
  return success();
}

LogicalResult convertRange(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> start = node.rankedInput(0, "start"), limit = node.rankedInput(1, "limit"),
                   delta = node.rankedInput(2, "delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(*start);
  auto scalar = [&](Value t) { return tensor::ExtractOp::create(b, loc, t, ValueRange{}).getResult(); };
  Value s = scalar(*start), l = scalar(*limit), d = scalar(*delta);
  // count = max(ceil((limit - start) / delta), 0), computed in f64.
  Type f64 = b.getF64Type();
  auto toF = [&](Value v) { return convertScalar(b, loc, v, f64); };
  Value diff = arith::SubFOp::create(b, loc, toF(l), toF(s));
  Value count = math::CeilOp::create(b, loc, arith::DivFOp::create(b, loc, diff, toF(d)));
  count = arith::MaximumFOp::create(b, loc, count, scalarConstant(b, loc, f64, 0));
  Value n = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                       arith::FPToSIOp::create(b, loc, b.getI64Type(), count));
  OpFoldResult size = n;
  auto cs = node.constantFloats(0), cl = node.constantFloats(1), cd = node.constantFloats(2);
  auto is = node.constantInts(0), il = node.constantInts(1), id = node.constantInts(2);
  if (cs && cl && cd && (*cd)[0] != 0)
    size = b.getIndexAttr(std::max<int64_t>(0, std::ceil(((*cl)[0] - (*cs)[0]) / (*cd)[0])));
  else if (is && il && id && (*id)[0] != 0)
    size = b.getIndexAttr(std::max<int64_t>(
        0, static_cast<int64_t>(std::ceil(static_cast<double>((*il)[0] - (*is)[0]) / (*id)[0]))));
  Value init = emptyTensor(b, loc, {size}, elt);
  results.push_back(
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(1)},
          ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
          [&](OpBuilder &nb, Location nl, ValueRange) {
            Value i = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, 0));
            Value v;
            if (isa<FloatType>(elt))
              v = arith::AddFOp::create(nb, nl, s,
                                        arith::MulFOp::create(nb, nl, convertScalar(nb, nl, i, elt), d));
            else
              v = arith::AddIOp::create(nb, nl, s,
                                        arith::MulIOp::create(nb, nl, convertScalar(nb, nl, i, elt), d));
            linalg::YieldOp::create(nb, nl, ValueRange{v});
          })
          .getResult(0));
  return success();
}

LogicalResult convertTrilu(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  int64_t r = rankOf(*x);
  if (r < 2)
    return node.emitError() << "input must have rank >= 2";
  int64_t k = 0;
  if (node.hasInput(1)) {
    auto kc = node.constantInts(1);
    if (!kc || kc->size() != 1)
      return node.emitError() << "k must be a constant scalar";
    k = (*kc)[0];
  }
  bool upper = node.getInt("upper", 1) != 0;
  Type elt = elementTypeOf(*x);
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value init = emptyTensor(b, loc, mixedSizes(b, loc, *x), elt);
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  results.push_back(
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{*x}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(r), b.getMultiDimIdentityMap(r)}, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value i = arith::IndexCastOp::create(nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, r - 2));
            Value j = arith::IndexCastOp::create(nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, r - 1));
            Value diff = arith::SubIOp::create(nb, l, j, i);
            Value kv = scalarConstant(nb, l, nb.getI64Type(), k);
            Value keep = arith::CmpIOp::create(nb, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
                                               diff, kv);
            linalg::YieldOp::create(nb, l, ValueRange{arith::SelectOp::create(nb, l, keep, args[0],
                                                                              scalarConstant(nb, l, elt, 0))});
          })
          .getResult(0));
  return success();
}

LogicalResult convertConstantOfShape(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<SmallVector<OpFoldResult>> shape = shapeOperand(node, 0, "input");
  if (failed(shape))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Attribute value = node.getAttr("value");
  TypedAttr scalar = b.getF32FloatAttr(0.0f);
  if (value) {
    auto dense = dyn_cast<DenseElementsAttr>(value);
    if (!dense || dense.getNumElements() != 1)
      return node.emitError() << "value must be a one-element tensor";
    Type elt = dense.getElementType();
    if (elt.isUnsignedInteger()) {
      elt = IntegerType::get(b.getContext(), elt.getIntOrFloatBitWidth());
      dense = dense.bitcast(elt);
      node.markUnsignedOutput(0);
    }
    scalar = cast<TypedAttr>(*dense.value_begin<Attribute>());
  }
  results.push_back(filledTensor(b, loc, *shape, arith::ConstantOp::create(b, loc, scalar)));
  return success();
}

LogicalResult convertCenterCropPad(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // Each listed axis is cropped or zero-padded to its target size about the
  // centre: crop from (in - target) / 2, pad before by (target - in) / 2 (floors,
  // as ONNX's reference). Its function body is context-dependent, so it is
  // converted here; shape must be a constant.
  FailureOr<Value> x = node.rankedInput(0, "input_data");
  if (failed(x))
    return failure();
  std::optional<SmallVector<int64_t>> shape = node.constantInts(1);
  if (!shape)
    return node.emitError() << "shape must be a constant";
  int64_t rank = rankOf(*x);
  FailureOr<SmallVector<int64_t>> axesOr = axesAttrOrAll(node, rank);
  if (failed(axesOr))
    return failure();
  SmallVector<int64_t> axes = *axesOr;
  if (axes.size() != shape->size())
    return node.emitError() << "shape has " << shape->size() << " entries for " << axes.size() << " axes";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x), out = in;
  SmallVector<int64_t> shift(rank, 0); // input index = output index + shift
  SmallVector<bool> padded(rank, false);
  for (auto [i, d] : llvm::enumerate(axes)) {
    std::optional<int64_t> n = getConstantIntValue(in[d]);
    if (!n)
      return node.emitError() << "axis " << d << " needs a static size";
    int64_t target = (*shape)[i];
    if (target < 0)
      return node.emitError() << "shape entry " << target << " is negative";
    out[d] = b.getIndexAttr(target);
    shift[d] = target <= *n ? (*n - target) / 2 : -((target - *n) / 2);
    padded[d] = target > *n;
  }
  Value input = *x;
  Type elt = elementTypeOf(input);
  node.forwardUnsigned();
  results.push_back(generateTensor(b, loc, out, elt, [&](OpBuilder &nb, Location l, ValueRange iv) -> Value {
    Value inside = arith::ConstantOp::create(nb, l, nb.getBoolAttr(true));
    SmallVector<Value> at;
    for (int64_t d = 0; d < rank; ++d) {
      if (!padded[d]) {
        at.push_back(shift[d] ? arith::AddIOp::create(nb, l, iv[d], idx(nb, l, shift[d])).getResult() : iv[d]);
        continue;
      }
      Value j = arith::AddIOp::create(nb, l, iv[d], idx(nb, l, shift[d]));
      Value ok = arith::AndIOp::create(
          nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, j, idx(nb, l, 0)),
          arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, j, indexValue(nb, l, in[d])));
      inside = arith::AndIOp::create(nb, l, inside, ok);
      at.push_back(arith::SelectOp::create(nb, l, ok, j, idx(nb, l, 0)));
    }
    Value v = tensor::ExtractOp::create(nb, l, input, at);
    return arith::SelectOp::create(nb, l, inside, v, scalarConstant(nb, l, elt, 0));
  }));
  return success();
}

LogicalResult convertPad(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "data");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t r = rankOf(*x);
  Type elt = elementTypeOf(*x);
  std::string mode = node.getString("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect" && mode != "wrap")
    return node.emitError() << "mode '" << mode << "' is not supported";
  std::optional<SmallVector<int64_t>> pads = node.version() < 11 ? node.getInts("pads") : node.constantInts(1);
  // Pads known only at run time (a sequence padded to a multiple of a chunk,
  // computed from its length): read element by element.
  Value runtimePads;
  if (!pads) {
    FailureOr<Value> p = node.version() < 11 ? FailureOr<Value>(failure())
                                              : node.rankedInput(1, "pads");
    auto t = succeeded(p) ? dyn_cast<RankedTensorType>(p->getType()) : RankedTensorType();
    if (!t || t.getRank() != 1 || t.isDynamicDim(0) || !t.getElementType().isInteger(64))
      return node.emitError() << "pads must be a constant or a 1-D int64 tensor of static length";
    runtimePads = *p;
    pads = SmallVector<int64_t>(t.getDimSize(0), 0);
  }
  SmallVector<int64_t> axes;
  if (node.version() >= 18 && node.hasInput(3)) {
    auto a = node.constantInts(3);
    if (!a)
      return node.emitError() << "axes must be a constant";
    for (int64_t v : *a) {
      FailureOr<int64_t> n = normalizeAxis(node, v, r, "axes entry");
      if (failed(n))
        return failure();
      axes.push_back(*n);
    }
  } else {
    for (int64_t d = 0; d < r; ++d)
      axes.push_back(d);
  }
  if (pads->size() != 2 * axes.size())
    return node.emitError() << "pads has " << pads->size() << " entries for " << axes.size() << " axes";
  SmallVector<OpFoldResult> lo(r, b.getIndexAttr(0)), hi(r, b.getIndexAttr(0));
  auto padAt = [&](size_t i) -> OpFoldResult {
    if (!runtimePads)
      return b.getIndexAttr((*pads)[i]);
    Value e = tensor::ExtractOp::create(b, loc, runtimePads, ValueRange{idx(b, loc, i)});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), e).getResult();
  };
  for (auto [i, a] : llvm::enumerate(axes)) {
    lo[a] = padAt(i);
    hi[a] = padAt(i + axes.size());
  }
  Value padValue = scalarConstant(b, loc, elt, 0);
  if (mode == "constant") {
    if (node.version() < 11) {
      padValue = scalarConstant(b, loc, elt, node.getFloat("value", 0.0f));
    } else if (node.hasInput(2)) {
      FailureOr<Value> cv = node.rankedInput(2, "constant_value");
      if (failed(cv))
        return failure();
      padValue = tensor::ExtractOp::create(b, loc, *cv,
                                           SmallVector<Value>(rankOf(*cv), idx(b, loc, 0)));
    }
  }
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x), out;
  for (int64_t d = 0; d < r; ++d)
    out.push_back(addSizes(b, loc, in[d], addSizes(b, loc, lo[d], hi[d])));
  if (runtimePads)
    for (OpFoldResult size : out) {
      // Negative pads crop; a run-time pair that crops more than the dim has
      // is an error, not a negative size.
      Value nonNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                                indexValue(b, loc, size), idx(b, loc, 0));
      cf::AssertOp::create(b, loc, nonNegative,
                           node.describe() + ": run-time pads crop more than the dim has");
    }
  Value init = emptyTensor(b, loc, out, elt);
  Value input = *x;
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  results.push_back(
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(r)}, iters,
          [&](OpBuilder &nb, Location l, ValueRange) {
            SmallVector<Value> at;
            Value inside = arith::ConstantOp::create(nb, l, nb.getBoolAttr(true));
            for (int64_t d = 0; d < r; ++d) {
              Value n = indexValue(nb, l, in[d]);
              Value i = arith::SubIOp::create(nb, l, linalg::IndexOp::create(nb, l, d),
                                              indexValue(nb, l, lo[d]));
              Value zero = idx(nb, l, 0), one = idx(nb, l, 1);
              Value ge = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, i, zero);
              Value lt = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i, n);
              inside = arith::AndIOp::create(nb, l, inside, arith::AndIOp::create(nb, l, ge, lt));
              Value last = arith::SubIOp::create(nb, l, n, one);
              Value src;
              if (mode == "edge" || mode == "constant") {
                src = arith::MinSIOp::create(nb, l, arith::MaxSIOp::create(nb, l, i, zero), last);
              } else if (mode == "wrap") {
                Value m = arith::RemSIOp::create(nb, l, i, n);
                Value negm = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, m, zero);
                src = arith::SelectOp::create(nb, l, negm, arith::AddIOp::create(nb, l, m, n), m);
              } else {
                // reflect: period 2(n-1), mirrored without repeating the edge.
                Value period = arith::MulIOp::create(nb, l, last, idx(nb, l, 2));
                period = arith::MaxSIOp::create(nb, l, period, one);
                Value m = arith::RemSIOp::create(nb, l, i, period);
                Value negm = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, m, zero);
                m = arith::SelectOp::create(nb, l, negm, arith::AddIOp::create(nb, l, m, period), m);
                Value over = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sgt, m, last);
                src = arith::SelectOp::create(nb, l, over, arith::SubIOp::create(nb, l, period, m), m);
                src = arith::MinSIOp::create(nb, l, src, last);
              }
              at.push_back(src);
            }
            Value v = tensor::ExtractOp::create(nb, l, input, at);
            if (mode == "constant")
              v = arith::SelectOp::create(nb, l, inside, v, padValue);
            linalg::YieldOp::create(nb, l, ValueRange{v});
          })
          .getResult(0));
  return success();
}

} // namespace

void hybrid::onnx_conv::populateShapeConverters(ConverterTable &t) {
  t.add("", "Constant", 1, convertConstant);
  t.add("", "Shape", 1, convertShape);
  t.add("", "Size", 1, convertSize);
  t.add("", "Reshape", 1, convertReshape);
  t.add("", "Flatten", 1, convertFlatten);
  t.add("", "Squeeze", 1, convertSqueeze);
  t.add("", "Unsqueeze", 1, convertUnsqueeze);
  t.add("", "Transpose", 1, convertTranspose);
  t.add("", "Concat", 1, convertConcat);
  t.add("", "Slice", 1, convertSlice);
  t.add("", "Split", 2, convertSplit);
  t.add("", "Gather", 1, convertGather);
  t.add("", "GatherElements", 11, convertGatherElements);
  t.add("", "Expand", 8, convertExpand);
  t.add("", "Tile", 6, convertTile);
  t.add("", "Range", 11, convertRange);
  t.add("", "Trilu", 14, convertTrilu);
  t.add("", "ConstantOfShape", 9, convertConstantOfShape);
  t.add("", "Pad", 2, convertPad);
  t.add("", "CenterCropPad", 18, convertCenterCropPad);
}
