//===- Indexing.cpp - gathers, scatters and index-driven layouts -----------===//
//
// GatherND, ScatterElements (and the older Scatter), ScatterND, TensorScatter
// (the opset-24 KV-cache update), OneHot, EyeLike, ReverseSequence, DepthToSpace,
// SpaceToDepth and BitCast.
//
// Gathers and TensorScatter are linalg.generic ops over the result that read their
// source with tensor.extract. ScatterElements and ScatterND write where their
// indices say, so they are scf.for nests over the updates carrying the result
// tensor, with one tensor.insert per element; bufferization turns that into
// in-place stores into a copy of `data`. Updates are applied in index order, so
// with reduction "none" the last write to a position wins (ONNX leaves duplicate
// indices undefined there). Indices are checked at run time (cf.assert naming the
// node) and negative ones count from the end.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

Value idx(OpBuilder &b, Location loc, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

/// An integer index read from a tensor, as an index resolved against `dim`
/// (negative counts from the end) and asserted to be in range.
Value resolveIndex(OpBuilder &b, Location loc, Value raw, Value dim, StringRef msg) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, idx(b, loc, 0));
  i = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, i, dim), i);
  cf::AssertOp::create(b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i, dim), msg);
  return i;
}

/// The index tuple `indices[prefix..., 0 .. k-1]` (GatherND / ScatterND), each entry
/// resolved against `dims[d]` and checked.
SmallVector<Value> readIndexTuple(OpBuilder &b, Location loc, Value indices, ValueRange prefix,
                                  ArrayRef<Value> dims, StringRef msg) {
  SmallVector<Value> at, pos(prefix);
  pos.push_back(Value());
  for (auto [d, dim] : llvm::enumerate(dims)) {
    pos.back() = idx(b, loc, d);
    at.push_back(resolveIndex(b, loc, tensor::ExtractOp::create(b, loc, indices, pos), dim, msg));
  }
  return at;
}

/// The scatter reduction of `old` and `update` ("none" replaces).
enum class ScatterReduction { None, Add, Mul, Max, Min };

FailureOr<ScatterReduction> scatterReduction(OnnxNode &node) {
  std::string r = node.getString("reduction", "none");
  if (r == "none")
    return ScatterReduction::None;
  if (r == "add")
    return ScatterReduction::Add;
  if (r == "mul")
    return ScatterReduction::Mul;
  if (r == "max")
    return ScatterReduction::Max;
  if (r == "min")
    return ScatterReduction::Min;
  return node.emitError() << "reduction '" << r << "' is not one of none, add, mul, max, min",
         failure();
}

Value combine(OpBuilder &b, Location loc, ScatterReduction r, Value old, Value upd,
              bool isUnsigned) {
  bool f = isFloatLike(old.getType());
  switch (r) {
  case ScatterReduction::None:
    return upd;
  case ScatterReduction::Add:
    return f ? Value(arith::AddFOp::create(b, loc, old, upd)) : Value(arith::AddIOp::create(b, loc, old, upd));
  case ScatterReduction::Mul:
    return f ? Value(arith::MulFOp::create(b, loc, old, upd)) : Value(arith::MulIOp::create(b, loc, old, upd));
  case ScatterReduction::Max:
    return maxScalar(b, loc, old, upd, isUnsigned);
  case ScatterReduction::Min:
    return minScalar(b, loc, old, upd, isUnsigned);
  }
  llvm_unreachable("reduction");
}

LogicalResult convertScatterElements(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> data = node.rankedInput(0, "data"), indices = node.rankedInput(1, "indices"),
                   updates = node.rankedInput(2, "updates");
  if (failed(data) || failed(indices) || failed(updates))
    return failure();
  FailureOr<ScatterReduction> red = scatterReduction(node);
  if (failed(red))
    return failure();
  int64_t r = rankOf(*data);
  if (rankOf(*indices) != r || rankOf(*updates) != r)
    return node.emitError() << "data, indices and updates must have the same rank", failure();
  if (elementTypeOf(*updates) != elementTypeOf(*data))
    return node.emitError() << "updates " << updates->getType() << " and data " << data->getType()
                            << " differ in element type";
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", 0), r);
  if (failed(axis))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value axisDim = tensor::DimOp::create(b, loc, *data, *axis);
  std::string msg = node.describe() + ": an index is out of range";
  bool isUnsigned = node.isUnsignedInput(0);
  Value idxV = *indices, updV = *updates;
  Value out = forEachIndex(b, loc, mixedSizes(b, loc, *indices), *data,
                           [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange iter) -> SmallVector<Value> {
                             Value dest = iter[0];
                             Value i = resolveIndex(nb, l, tensor::ExtractOp::create(nb, l, idxV, ivs),
                                                    axisDim, msg);
                             SmallVector<Value> at(ivs);
                             at[*axis] = i;
                             Value u = tensor::ExtractOp::create(nb, l, updV, ivs);
                             if (*red != ScatterReduction::None)
                               u = combine(nb, l, *red, tensor::ExtractOp::create(nb, l, dest, at), u,
                                           isUnsigned);
                             return {tensor::InsertOp::create(nb, l, u, dest, at)};
                           })[0];
  node.forwardUnsigned();
  results.push_back(out);
  return success();
}

LogicalResult convertScatterND(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> data = node.rankedInput(0, "data"), indices = node.rankedInput(1, "indices"),
                   updates = node.rankedInput(2, "updates");
  if (failed(data) || failed(indices) || failed(updates))
    return failure();
  FailureOr<ScatterReduction> red = scatterReduction(node);
  if (failed(red))
    return failure();
  int64_t r = rankOf(*data), q = rankOf(*indices);
  int64_t k = q ? tensorType(*indices).getDimSize(q - 1) : ShapedType::kDynamic;
  if (q < 1 || ShapedType::isDynamic(k) || k > r)
    return node.emitError() << "indices " << indices->getType()
                            << " must end in a static dim no larger than the rank of data", failure();
  if (rankOf(*updates) != q - 1 + r - k)
    return node.emitError() << "updates must have rank " << q - 1 + r - k << ", got "
                            << updates->getType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> dataSizes = mixedSizes(b, loc, *data);
  SmallVector<Value> dims;
  for (int64_t d = 0; d < k; ++d)
    dims.push_back(indexValue(b, loc, dataSizes[d]));
  std::string msg = node.describe() + ": an index is out of range";
  bool isUnsigned = node.isUnsignedInput(0);
  Value idxV = *indices, updV = *updates;
  // One iteration per element of `updates`: its first q-1 coordinates pick the
  // index tuple, the rest address the slice of data it writes.
  Value out = forEachIndex(
      b, loc, mixedSizes(b, loc, *updates), *data,
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange iter) -> SmallVector<Value> {
        Value dest = iter[0];
        SmallVector<Value> at = readIndexTuple(nb, l, idxV, ivs.take_front(q - 1), dims, msg);
        at.append(ivs.begin() + (q - 1), ivs.end());
        Value u = tensor::ExtractOp::create(nb, l, updV, ivs);
        if (*red != ScatterReduction::None)
          u = combine(nb, l, *red, tensor::ExtractOp::create(nb, l, dest, at), u, isUnsigned);
        return {tensor::InsertOp::create(nb, l, u, dest, at)};
      })[0];
  node.forwardUnsigned();
  results.push_back(out);
  return success();
}

LogicalResult convertGatherND(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> data = node.rankedInput(0, "data"), indices = node.rankedInput(1, "indices");
  if (failed(data) || failed(indices))
    return failure();
  int64_t r = rankOf(*data), q = rankOf(*indices);
  int64_t bd = node.getInt("batch_dims", 0);
  int64_t k = q ? tensorType(*indices).getDimSize(q - 1) : ShapedType::kDynamic;
  if (q < 1 || ShapedType::isDynamic(k) || bd < 0 || bd >= std::min(q, r) || k > r - bd)
    return node.emitError() << "indices " << indices->getType() << " with batch_dims " << bd
                            << " do not fit data " << data->getType(), failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> ds = mixedSizes(b, loc, *data), is = mixedSizes(b, loc, *indices);
  // Result: indices.shape[:-1] + data.shape[bd + k:].
  SmallVector<OpFoldResult> out(is.begin(), is.end() - 1);
  out.append(ds.begin() + bd + k, ds.end());
  SmallVector<Value> dims;
  for (int64_t d = 0; d < k; ++d)
    dims.push_back(indexValue(b, loc, ds[bd + d]));
  std::string msg = node.describe() + ": an index is out of range";
  Value idxV = *indices, dataV = *data;
  Value result = generateTensor(b, loc, out, elementTypeOf(*data),
                          [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
                            SmallVector<Value> at(ivs.take_front(bd));
                            at.append(readIndexTuple(nb, l, idxV, ivs.take_front(q - 1), dims, msg));
                            at.append(ivs.begin() + (q - 1), ivs.end());
                            return tensor::ExtractOp::create(nb, l, dataV, at);
                          });
  node.forwardUnsigned();
  results.push_back(result);
  return success();
}

LogicalResult convertTensorScatter(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> past = node.rankedInput(0, "past_cache"), update = node.rankedInput(1, "update");
  if (failed(past) || failed(update))
    return failure();
  int64_t r = rankOf(*past);
  if (rankOf(*update) != r || elementTypeOf(*update) != elementTypeOf(*past))
    return node.emitError() << "update " << update->getType() << " must match past_cache "
                            << past->getType() << " in rank and element type";
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", -2), r);
  if (failed(axis))
    return failure();
  if (*axis == 0)
    return node.emitError() << "axis must not be the batch dim";
  std::string mode = node.getString("mode", "linear");
  if (mode != "linear" && mode != "circular")
    return node.emitError() << "mode '" << mode << "' is not linear or circular";
  Value writes;
  if (node.hasInput(2)) {
    FailureOr<Value> w = node.rankedInput(2, "write_indices");
    if (failed(w))
      return failure();
    if (rankOf(*w) != 1 || !isa<IntegerType>(elementTypeOf(*w)))
      return node.emitError() << "write_indices must be a 1-D integer tensor";
    writes = *w;
  }
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *past);
  Value maxLen = indexValue(b, loc, sizes[*axis]);
  Value seqLen = tensor::DimOp::create(b, loc, *update, *axis);
  Value pastV = *past, updV = *update;
  bool circular = mode == "circular";
  // present[.., s, ..] = update[.., s - w, ..] where that is in [0, seqLen)
  // (s - w taken modulo maxLen in circular mode), past otherwise.
  Value result = generateTensor(b, loc, sizes, elementTypeOf(*past),
                          [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
                            Value w = idx(nb, l, 0);
                            if (writes)
                              w = arith::IndexCastOp::create(
                                  nb, l, nb.getIndexType(),
                                  tensor::ExtractOp::create(nb, l, writes, ValueRange{ivs[0]}));
                            Value j = arith::SubIOp::create(nb, l, ivs[*axis], w);
                            if (circular) // floor modulo: in [0, maxLen)
                              j = arith::RemSIOp::create(
                                  nb, l, arith::AddIOp::create(nb, l, arith::RemSIOp::create(nb, l, j, maxLen), maxLen),
                                  maxLen);
                            Value inRange = arith::AndIOp::create(
                                nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, j, idx(nb, l, 0)),
                                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, j, seqLen));
                            Value old = tensor::ExtractOp::create(nb, l, pastV, ivs);
                            auto ifOp = scf::IfOp::create(
                                nb, l, inRange,
                                [&](OpBuilder &tb, Location tl) {
                                  SmallVector<Value> at(ivs);
                                  at[*axis] = j;
                                  scf::YieldOp::create(tb, tl, ValueRange{tensor::ExtractOp::create(tb, tl, updV, at)});
                                },
                                [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, ValueRange{old}); });
                            return ifOp.getResult(0);
                          });
  node.forwardUnsigned();
  results.push_back(result);
  return success();
}

LogicalResult convertOneHot(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> indices = node.rankedInput(0, "indices"), values = node.rankedInput(2, "values");
  if (failed(indices) || failed(values))
    return failure();
  std::optional<SmallVector<double>> depthC = node.constantFloats(1);
  std::optional<SmallVector<int64_t>> depthI = node.constantInts(1);
  if (!depthC && !depthI)
    return node.emitError() << "depth must be a constant (it decides the output shape)";
  int64_t depth = depthI ? (*depthI)[0] : static_cast<int64_t>((*depthC)[0]);
  if ((depthI ? depthI->size() : depthC->size()) != 1 || depth < 1)
    return node.emitError() << "depth must be a positive scalar";
  auto vt = tensorType(*values);
  if (vt.getRank() != 1 || vt.getDimSize(0) != 2)
    return node.emitError() << "values must be [off_value, on_value], got " << values->getType();
  int64_t r = rankOf(*indices);
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", -1), r + 1);
  if (failed(axis))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, *indices);
  sizes.insert(sizes.begin() + *axis, b.getIndexAttr(depth));
  Value idxV = *indices, valV = *values;
  bool idxUnsigned = node.isUnsignedInput(0);
  Value result = generateTensor(
      b, loc, sizes, vt.getElementType(), [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
        SmallVector<Value> at(ivs);
        Value d = at[*axis];
        at.erase(at.begin() + *axis);
        Value raw = tensor::ExtractOp::create(nb, l, idxV, at);
        // Float indices are truncated toward zero; negative ones count from the end.
        Value i = convertScalar(nb, l, raw, nb.getI64Type(), idxUnsigned);
        Value depthV = scalarConstant(nb, l, nb.getI64Type(), depth);
        Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i,
                                          scalarConstant(nb, l, nb.getI64Type(), 0));
        i = arith::SelectOp::create(nb, l, neg, arith::AddIOp::create(nb, l, i, depthV), i);
        Value di = arith::IndexCastOp::create(nb, l, nb.getI64Type(), d);
        Value on = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i, di);
        Value off = tensor::ExtractOp::create(nb, l, valV, ValueRange{idx(nb, l, 0)});
        Value onV = tensor::ExtractOp::create(nb, l, valV, ValueRange{idx(nb, l, 1)});
        return arith::SelectOp::create(nb, l, on, onV, off);
      });
  node.forwardUnsigned(2);
  results.push_back(result);
  return success();
}

LogicalResult convertEyeLike(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  if (rankOf(*x) != 2)
    return node.emitError() << "input must be 2-D, got " << x->getType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(*x);
  bool isUnsigned = node.isUnsignedInput(0);
  if (auto dt = node.getInt("dtype")) {
    elt = hybrid::onnx::getElementType(b.getContext(), *dt);
    if (!elt)
      return node.emitError() << "dtype " << *dt << " is not supported";
    isUnsigned = elt.isUnsignedInteger();
    if (auto it = dyn_cast<IntegerType>(elt))
      elt = b.getIntegerType(it.getWidth());
  }
  int64_t k = node.getInt("k", 0);
  Value one = scalarConstant(b, loc, elt, 1), zero = scalarConstant(b, loc, elt, 0);
  Value result = generateTensor(b, loc, mixedSizes(b, loc, *x), elt,
                          [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
                            Value diff = arith::SubIOp::create(nb, l, ivs[1], ivs[0]);
                            Value on = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, diff,
                                                             idx(nb, l, k));
                            return arith::SelectOp::create(nb, l, on, one, zero);
                          });
  if (isUnsigned)
    node.markUnsignedOutput(0);
  results.push_back(result);
  return success();
}

LogicalResult convertReverseSequence(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input"), lens = node.rankedInput(1, "sequence_lens");
  if (failed(x) || failed(lens))
    return failure();
  int64_t batchAxis = node.getInt("batch_axis", 1), timeAxis = node.getInt("time_axis", 0);
  if (rankOf(*x) < 2 || !((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0)))
    return node.emitError() << "batch_axis and time_axis must be 0 and 1 (in either order) on an "
                               "input of rank >= 2";
  if (rankOf(*lens) != 1)
    return node.emitError() << "sequence_lens must be 1-D";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value xV = *x, lensV = *lens;
  Value timeLen = tensor::DimOp::create(b, loc, *x, timeAxis);
  std::string msg = node.describe() + ": a sequence length exceeds the time dim";
  Value result = generateTensor(b, loc, mixedSizes(b, loc, *x), elementTypeOf(*x),
                          [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
                            Value len = arith::IndexCastOp::create(
                                nb, l, nb.getIndexType(),
                                tensor::ExtractOp::create(nb, l, lensV, ValueRange{ivs[batchAxis]}));
                            cf::AssertOp::create(nb, l,
                                                 arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ule, len, timeLen),
                                                 msg);
                            Value t = ivs[timeAxis];
                            Value inSeq = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, t, len);
                            Value rev = arith::SubIOp::create(
                                nb, l, arith::SubIOp::create(nb, l, len, idx(nb, l, 1)), t);
                            SmallVector<Value> at(ivs);
                            at[timeAxis] = arith::SelectOp::create(nb, l, inSeq, rev, t);
                            return tensor::ExtractOp::create(nb, l, xV, at);
                          });
  node.forwardUnsigned();
  results.push_back(result);
  return success();
}

/// DepthToSpace / SpaceToDepth on NCHW as reshape, transpose, reshape.
LogicalResult convertDepthSpace(OnnxNode &node, SmallVectorImpl<Value> &results, bool toSpace) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  if (rankOf(*x) != 4)
    return node.emitError() << "input must be 4-D (NCHW), got " << x->getType();
  int64_t bs = node.getInt("blocksize", 0);
  if (bs < 1)
    return node.emitError() << "blocksize must be positive";
  std::string mode = node.getString("mode", "DCR");
  if (toSpace && mode != "DCR" && mode != "CRD")
    return node.emitError() << "mode '" << mode << "' is not DCR or CRD";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  SmallVector<OpFoldResult> s = mixedSizes(b, loc, *x);
  OpFoldResult n = s[0], c = s[1], h = s[2], w = s[3], bsF = b.getIndexAttr(bs);
  auto divBy = [&](OpFoldResult v, int64_t by, StringRef what) -> FailureOr<OpFoldResult> {
    if (auto cv = getConstantIntValue(v)) {
      if (*cv % by)
        return node.emitError() << what << " (" << *cv << ") is not a multiple of " << by, failure();
      return OpFoldResult(b.getIndexAttr(*cv / by));
    }
    return OpFoldResult(arith::DivUIOp::create(b, loc, indexValue(b, loc, v), idx(b, loc, by)).getResult());
  };
  Value y;
  if (toSpace) {
    FailureOr<OpFoldResult> cOut = divBy(c, bs * bs, "the channel count");
    if (failed(cOut))
      return failure();
    bool dcr = mode == "DCR";
    SmallVector<OpFoldResult> split = dcr ? SmallVector<OpFoldResult>{n, bsF, bsF, *cOut, h, w}
                                          : SmallVector<OpFoldResult>{n, *cOut, bsF, bsF, h, w};
    y = reshapeTo(b, loc, *x, split);
    y = transposeTensor(b, loc, y, dcr ? SmallVector<int64_t>{0, 3, 4, 1, 5, 2}
                                       : SmallVector<int64_t>{0, 1, 4, 2, 5, 3});
    y = reshapeTo(b, loc, y, {n, *cOut, mulSizes(b, loc, h, bsF), mulSizes(b, loc, w, bsF)});
  } else {
    FailureOr<OpFoldResult> hOut = divBy(h, bs, "the height"), wOut = divBy(w, bs, "the width");
    if (failed(hOut) || failed(wOut))
      return failure();
    y = reshapeTo(b, loc, *x, {n, c, *hOut, bsF, *wOut, bsF});
    y = transposeTensor(b, loc, y, {0, 3, 5, 1, 2, 4});
    y = reshapeTo(b, loc, y, {n, mulSizes(b, loc, c, b.getIndexAttr(bs * bs)), *hOut, *wOut});
  }
  node.forwardUnsigned();
  results.push_back(y);
  return success();
}

LogicalResult convertBitCast(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  auto to = node.getInt("to");
  Type elt = to ? hybrid::onnx::getElementType(node.builder().getContext(), *to) : Type();
  if (!elt)
    return node.emitError() << "'to' must name a supported tensor element type";
  bool dstUnsigned = elt.isUnsignedInteger();
  if (auto it = dyn_cast<IntegerType>(elt))
    elt = node.builder().getIntegerType(it.getWidth());
  Type src = elementTypeOf(*x);
  // ONNX stores a bool in a byte; MLIR's i1 has no byte image to reinterpret.
  if (src.isInteger(1) || elt.isInteger(1))
    return node.emitError() << "bitcasts to or from bool are not supported";
  if (src.getIntOrFloatBitWidth() != elt.getIntOrFloatBitWidth())
    return node.emitError() << "'to' must have the input's bit width ("
                            << src.getIntOrFloatBitWidth() << ")";
  FailureOr<Value> y = elementwise(node, {*x}, elt, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    return arith::BitcastOp::create(nb, l, elt, v[0]);
  });
  if (failed(y))
    return failure();
  if (dstUnsigned)
    node.markUnsignedOutput(0);
  results.push_back(*y);
  return success();
}

/// NonZero: the coordinates of the non-zero elements, [rank, n] in row-major
/// order, n known only when the input is read. Two passes over the input:
/// one counts (the output's size), one writes each hit's coordinates.
LogicalResult convertNonZero(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "X");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value in = *x;
  // A scalar counts as one element of a 1-D tensor (as onnxruntime does).
  if (rankOf(in) == 0)
    in = insertUnitDims(b, loc, in, {0});
  int64_t r = rankOf(in);
  Type elt = elementTypeOf(in);
  bool isFloat = isFloatLike(elt);
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, in);
  auto isHit = [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
    Value v = tensor::ExtractOp::create(nb, l, in, ivs);
    // (NaN is non-zero: an unordered-or-not-equal compare.)
    if (isFloat)
      return arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNE, v,
                                   scalarConstant(nb, l, elt, 0.0));
    return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ne, v,
                                 scalarConstant(nb, l, elt, 0.0));
  };
  Value count = forEachIndex(b, loc, sizes, ValueRange{idx(b, loc, 0)},
                             [&](OpBuilder &nb, Location l, ValueRange ivs,
                                 ValueRange iter) -> SmallVector<Value> {
                               Value next = arith::AddIOp::create(nb, l, iter[0], idx(nb, l, 1));
                               Value hit = isHit(nb, l, ivs);
                               return {arith::SelectOp::create(nb, l, hit, next, iter[0])};
                             })[0];
  Type i64 = b.getI64Type();
  Value out = emptyTensor(b, loc, {b.getIndexAttr(r), count}, i64);
  Value written =
      forEachIndex(b, loc, sizes, ValueRange{out, idx(b, loc, 0)},
                   [&](OpBuilder &nb, Location l, ValueRange ivs,
                       ValueRange iter) -> SmallVector<Value> {
                     Value dest = iter[0], pos = iter[1];
                     auto ifOp = scf::IfOp::create(
                         nb, l, isHit(nb, l, ivs),
                         [&](OpBuilder &tb, Location tl) {
                           Value t = dest;
                           for (int64_t d = 0; d < r; ++d) {
                             Value coord = arith::IndexCastOp::create(tb, tl, i64, ivs[d]);
                             t = tensor::InsertOp::create(tb, tl, coord, t,
                                                          ValueRange{idx(tb, tl, d), pos});
                           }
                           Value next = arith::AddIOp::create(tb, tl, pos, idx(tb, tl, 1));
                           scf::YieldOp::create(tb, tl, ValueRange{t, next});
                         },
                         [&](OpBuilder &eb, Location el) {
                           scf::YieldOp::create(eb, el, ValueRange{dest, pos});
                         });
                     return {ifOp.getResult(0), ifOp.getResult(1)};
                   })[0];
  results.push_back(written);
  return success();
}

} // namespace

void hybrid::onnx_conv::populateIndexingConverters(ConverterTable &t) {
  t.add("", "Scatter", 9, convertScatterElements);
  t.add("", "ScatterElements", 11, convertScatterElements);
  t.add("", "ScatterND", 11, convertScatterND);
  t.add("", "GatherND", 11, convertGatherND);
  t.add("", "TensorScatter", 24, convertTensorScatter);
  t.add("", "OneHot", 9, convertOneHot);
  t.add("", "NonZero", 9, convertNonZero);
  t.add("", "EyeLike", 9, convertEyeLike);
  t.add("", "ReverseSequence", 10, convertReverseSequence);
  t.add("", "DepthToSpace", 1, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertDepthSpace(n, r, /*toSpace=*/true);
  });
  t.add("", "SpaceToDepth", 1, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertDepthSpace(n, r, /*toSpace=*/false);
  });
  t.add("", "BitCast", 26, convertBitCast);
}
