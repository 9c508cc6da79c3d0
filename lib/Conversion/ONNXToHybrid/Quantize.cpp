//===- Quantize.cpp - QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear ===//
//
// Linear (de)quantization with 8/16-bit integer quantized types:
//   QuantizeLinear:   y = clamp(round_half_even(x / scale) + zero_point)
//   DequantizeLinear: y = (x - zero_point) * scale
// Scales and zero points are per tensor (one element), per axis (1-D along `axis`)
// or blocked (the rank of x, `block_size` elements of x per entry along `axis`).
// The arithmetic runs in f32 (f64 for f64 inputs), following ONNX's reference.
// Float8/int4/int2 quantized types are refused with an error (the rest of the
// compiler has no such element types yet).
//
// Also the helper the integer ops (MatMulInteger, QLinearMatMul, ConvInteger)
// share: an input widened to i32 minus its zero point.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

FailureOr<Value> hybrid::onnx_conv::widenMinusZeroPoint(OnnxNode &node, unsigned input,
                                                        unsigned zpInput, int64_t zpAxis) {
  FailureOr<Value> x = node.rankedInput(input, "input");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type i32 = b.getI32Type();
  Type elt = elementTypeOf(*x);
  if (!isa<IntegerType>(elt) || elt.getIntOrFloatBitWidth() > 32 || elt.isInteger(1))
    return node.emitError() << "input " << input << " must be an 8/16/32-bit integer tensor, got "
                            << x->getType(),
           failure();
  bool xu = node.isUnsignedInput(input);
  SmallVector<Value> ins = {*x};
  bool zu = false;
  if (node.hasInput(zpInput)) {
    FailureOr<Value> zp = node.rankedInput(zpInput, "zero point");
    if (failed(zp))
      return failure();
    zu = node.isUnsignedInput(zpInput);
    Value z = *zp;
    int64_t r = rankOf(*x);
    auto zt = tensorType(z);
    if (zt.getRank() == 1 && zt.getNumElements() != 1) {
      // A 1-D zero point runs along `zpAxis` of the input.
      if (zpAxis < 0 || zpAxis >= r)
        return node.emitError() << "zero point " << z.getType() << " must be a scalar", failure();
      SmallVector<int64_t> unit;
      for (int64_t d = zpAxis + 1; d < r; ++d)
        unit.push_back(d - zpAxis);
      z = insertUnitDims(b, loc, z, unit);
    } else if (zt.getNumElements() != 1) {
      return node.emitError() << "zero point " << z.getType() << " must be a scalar or 1-D",
             failure();
    }
    ins.push_back(z);
  }
  return elementwise(node, ins, i32, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    Value r = convertScalar(nb, l, v[0], i32, xu);
    if (v.size() > 1)
      r = arith::SubIOp::create(nb, l, r, convertScalar(nb, l, v[1], i32, zu));
    return r;
  });
}

/// The integer range of a quantized element type, or failure when it is not one
/// Hybrid handles.
static FailureOr<std::pair<int64_t, int64_t>> quantRange(OnnxNode &node, Type t, bool isUnsigned) {
  auto it = dyn_cast<IntegerType>(t);
  if (!it || (it.getWidth() != 8 && it.getWidth() != 16))
    return node.emitError() << "quantized type " << t
                            << " is not supported (int8, uint8, int16, uint16 are)",
           failure();
  int64_t w = it.getWidth();
  if (isUnsigned)
    return std::pair<int64_t, int64_t>(0, (int64_t(1) << w) - 1);
  return std::pair<int64_t, int64_t>(-(int64_t(1) << (w - 1)), (int64_t(1) << (w - 1)) - 1);
}

/// A float `v` rounded half to even, plus `zp` (an integer, may be null),
/// clamped to [lo, hi] and converted to the integer type `to`.
static Value quantizeScalar(OpBuilder &b, Location loc, Value v, Value zp, bool zpUnsigned,
                     std::pair<int64_t, int64_t> range, Type to) {
  Type ft = v.getType();
  v = math::RoundEvenOp::create(b, loc, v);
  if (zp)
    v = arith::AddFOp::create(b, loc, v, convertScalar(b, loc, zp, ft, zpUnsigned));
  v = arith::MaximumFOp::create(b, loc, v, scalarConstant(b, loc, ft, range.first));
  v = arith::MinimumFOp::create(b, loc, v, scalarConstant(b, loc, ft, range.second));
  return range.first == 0 ? Value(arith::FPToUIOp::create(b, loc, to, v))
                          : Value(arith::FPToSIOp::create(b, loc, to, v));
}

FailureOr<Value> hybrid::onnx_conv::requantize(OnnxNode &node, Value acc, Value scale1,
                                               Value scale2, Value yScale, unsigned yZpInput,
                                               Type defaultType, bool defaultUnsigned) {
  Type outType = defaultType;
  bool outUnsigned = defaultUnsigned;
  Value yZp = node.input(yZpInput);
  if (yZp) {
    outType = elementTypeOf(yZp);
    outUnsigned = node.isUnsignedInput(yZpInput);
  }
  FailureOr<std::pair<int64_t, int64_t>> range = quantRange(node, outType, outUnsigned);
  if (failed(range))
    return failure();
  OpBuilder &b = node.builder();
  Type f64 = b.getF64Type(), f32 = b.getF32Type();
  SmallVector<Value> ins = {acc, scale1, scale2, yScale};
  if (yZp)
    ins.push_back(yZp);
  FailureOr<Value> y = elementwise(node, ins, outType, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
    Value factor = arith::MulFOp::create(nb, l, convertScalar(nb, l, v[1], f32), convertScalar(nb, l, v[2], f32));
    factor = arith::DivFOp::create(nb, l, factor, convertScalar(nb, l, v[3], f32));
    Value d = arith::MulFOp::create(nb, l, convertScalar(nb, l, v[0], f64), convertScalar(nb, l, factor, f64));
    return quantizeScalar(nb, l, d, v.size() > 4 ? v[4] : Value(), outUnsigned, *range, outType);
  });
  if (failed(y))
    return failure();
  if (outUnsigned)
    node.markUnsignedOutput(0);
  return *y;
}

namespace {

/// Where a scale or zero point is read for an element of x at `ivs`.
struct QuantParam {
  enum Kind { PerTensor, PerAxis, Blocked } kind = PerTensor;
  int64_t axis = 0, block = 0;

  Value at(OpBuilder &b, Location loc, Value t, ValueRange ivs) const {
    SmallVector<Value> idx;
    switch (kind) {
    case PerTensor:
      idx.assign(rankOf(t), arith::ConstantIndexOp::create(b, loc, 0));
      break;
    case PerAxis:
      idx.push_back(ivs[axis]);
      break;
    case Blocked:
      idx.assign(ivs.begin(), ivs.end());
      idx[axis] = arith::DivUIOp::create(b, loc, ivs[axis], arith::ConstantIndexOp::create(b, loc, block));
      break;
    }
    return tensor::ExtractOp::create(b, loc, t, idx);
  }
};

/// Classifies `scale` against `x` with the node's axis / block_size attributes.
FailureOr<QuantParam> quantParam(OnnxNode &node, Value x, Value scale) {
  QuantParam p;
  auto st = tensorType(scale);
  int64_t r = rankOf(x);
  int64_t block = node.getInt("block_size", 0);
  if (st.hasStaticShape() && st.getNumElements() == 1 && block == 0)
    return p;
  FailureOr<int64_t> axis = normalizeAxis(node, node.getInt("axis", 1), r);
  if (failed(axis))
    return failure();
  p.axis = *axis;
  int64_t dim = tensorType(x).getDimSize(*axis);
  if (block > 0) {
    if (st.getRank() != r)
      return node.emitError() << "blocked scale " << scale.getType() << " must have the rank of x",
             failure();
    int64_t blocks = st.getDimSize(*axis);
    if (!ShapedType::isDynamic(dim) && !ShapedType::isDynamic(blocks) &&
        blocks != (dim + block - 1) / block)
      return node.emitError() << "blocked scale " << scale.getType() << " needs "
                              << (dim + block - 1) / block << " blocks along axis " << *axis,
             failure();
    p.kind = QuantParam::Blocked;
    p.block = block;
    return p;
  }
  if (st.getRank() != 1 ||
      (!ShapedType::isDynamic(dim) && !ShapedType::isDynamic(st.getDimSize(0)) &&
       st.getDimSize(0) != dim))
    return node.emitError() << "scale " << scale.getType() << " is neither a scalar nor 1-D along axis "
                            << *axis << " of " << x.getType(),
           failure();
  p.kind = QuantParam::PerAxis;
  return p;
}

LogicalResult convertQuantizeLinear(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "x"), scale = node.rankedInput(1, "y_scale");
  if (failed(x) || failed(scale))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  if (!isFloatLike(elementTypeOf(*x)) && !isa<IntegerType>(elementTypeOf(*x)))
    return node.emitError() << "x must be numeric";
  Value zp;
  Type outType;
  bool outUnsigned;
  if (node.hasInput(2)) {
    FailureOr<Value> z = node.rankedInput(2, "y_zero_point");
    if (failed(z))
      return failure();
    zp = *z;
    outType = elementTypeOf(zp);
    outUnsigned = node.isUnsignedInput(2);
  } else if (auto dt = node.getInt("output_dtype"); dt && *dt != 0) {
    Type t = hybrid::onnx::getElementType(b.getContext(), *dt);
    if (!t)
      return node.emitError() << "output_dtype " << *dt << " is not supported";
    outUnsigned = t.isUnsignedInteger();
    outType = isa<IntegerType>(t) ? b.getIntegerType(t.getIntOrFloatBitWidth()) : t;
  } else {
    outType = b.getI8Type();
    outUnsigned = true;
  }
  FailureOr<std::pair<int64_t, int64_t>> range = quantRange(node, outType, outUnsigned);
  if (failed(range))
    return failure();
  FailureOr<QuantParam> sp = quantParam(node, *x, *scale);
  if (failed(sp))
    return failure();
  if (zp && tensorType(zp).getShape() != tensorType(*scale).getShape())
    return node.emitError() << "y_zero_point " << zp.getType() << " and y_scale "
                            << scale->getType() << " differ in shape";
  Type ft = elementTypeOf(*x).isF64() ? Type(b.getF64Type()) : Type(b.getF32Type());
  if (auto p = node.getInt("precision"); p && *p != 0) {
    Type t = hybrid::onnx::getElementType(b.getContext(), *p);
    if (!t || !isFloatLike(t))
      return node.emitError() << "precision " << *p << " is not a supported float type";
    ft = t.getIntOrFloatBitWidth() > 32 ? t : b.getF32Type();
  }
  bool xu = node.isUnsignedInput(0), zu = zp && node.isUnsignedInput(2);
  Value xv = *x, sv = *scale;
  Value y = generateTensor(b, loc, mixedSizes(b, loc, *x), outType,
                           [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
                             Value xs = convertScalar(nb, l, tensor::ExtractOp::create(nb, l, xv, ivs), ft, xu);
                             Value s = convertScalar(nb, l, sp->at(nb, l, sv, ivs), ft);
                             Value q = arith::DivFOp::create(nb, l, xs, s);
                             return quantizeScalar(nb, l, q, zp ? sp->at(nb, l, zp, ivs) : Value(), zu,
                                                   *range, outType);
                           });
  if (outUnsigned)
    node.markUnsignedOutput(0);
  results.push_back(y);
  return success();
}

LogicalResult convertDequantizeLinear(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "x"), scale = node.rankedInput(1, "x_scale");
  if (failed(x) || failed(scale))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type xt = elementTypeOf(*x);
  if (!isa<IntegerType>(xt) || xt.isInteger(1) || xt.getIntOrFloatBitWidth() > 32)
    return node.emitError() << "x must be an 8, 16 or 32-bit integer tensor, got " << x->getType()
                            << " (float8/int4 quantized types are not supported)";
  Type outType = elementTypeOf(*scale);
  if (auto dt = node.getInt("output_dtype"); dt && *dt != 0) {
    outType = hybrid::onnx::getElementType(b.getContext(), *dt);
    if (!outType || !isFloatLike(outType))
      return node.emitError() << "output_dtype " << *dt << " is not a supported float type";
  }
  FailureOr<QuantParam> sp = quantParam(node, *x, *scale);
  if (failed(sp))
    return failure();
  Value zp;
  if (node.hasInput(2)) {
    FailureOr<Value> z = node.rankedInput(2, "x_zero_point");
    if (failed(z))
      return failure();
    zp = *z;
    if (elementTypeOf(zp) != xt)
      return node.emitError() << "x_zero_point " << zp.getType() << " and x " << x->getType()
                              << " differ in element type";
  }
  Type ft = outType.isF64() ? Type(b.getF64Type()) : Type(b.getF32Type());
  bool xu = node.isUnsignedInput(0), zu = zp && node.isUnsignedInput(2);
  Value xv = *x, sv = *scale;
  Type i64 = b.getI64Type();
  Value y = generateTensor(b, loc, mixedSizes(b, loc, *x), outType,
                           [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
                             // The difference is exact in i64, then converted once.
                             Value d = convertScalar(nb, l, tensor::ExtractOp::create(nb, l, xv, ivs), i64, xu);
                             if (zp)
                               d = arith::SubIOp::create(
                                   nb, l, d, convertScalar(nb, l, sp->at(nb, l, zp, ivs), i64, zu));
                             Value df = convertScalar(nb, l, d, ft);
                             Value s = convertScalar(nb, l, sp->at(nb, l, sv, ivs), ft);
                             return convertScalar(nb, l, arith::MulFOp::create(nb, l, df, s), outType);
                           });
  results.push_back(y);
  return success();
}

LogicalResult convertDynamicQuantizeLinear(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // scale = (max(0, max x) - min(0, min x)) / 255 (1/255 when that is 0),
  // zero_point = round(clamp(-min / scale, 0, 255)), y = quantize(x) as uint8.
  FailureOr<Value> x = node.rankedInput(0, "x");
  if (failed(x))
    return failure();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt))
    return node.emitError() << "x must be a float tensor";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type f32 = b.getF32Type();
  Value xf = castTensor(b, loc, *x, f32);
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < rankOf(*x); ++d)
    all.push_back(d);
  Value zero = scalarConstant(b, loc, f32, 0);
  Value mx = reduce(b, loc, xf, all, false, zero,
                    [](OpBuilder &nb, Location l, Value a, Value v) -> Value { return arith::MaximumFOp::create(nb, l, a, v); });
  Value mn = reduce(b, loc, xf, all, false, zero,
                    [](OpBuilder &nb, Location l, Value a, Value v) -> Value { return arith::MinimumFOp::create(nb, l, a, v); });
  Value maxV = tensor::ExtractOp::create(b, loc, mx, ValueRange{});
  Value minV = tensor::ExtractOp::create(b, loc, mn, ValueRange{});
  Value span = arith::SubFOp::create(b, loc, maxV, minV);
  Value same = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, span, zero);
  span = arith::SelectOp::create(b, loc, same, scalarConstant(b, loc, f32, 1), span);
  Value scale = arith::DivFOp::create(b, loc, span, scalarConstant(b, loc, f32, 255));
  Value zpF = arith::SubFOp::create(b, loc, zero, arith::DivFOp::create(b, loc, minV, scale));
  zpF = arith::MinimumFOp::create(b, loc, arith::MaximumFOp::create(b, loc, zpF, zero),
                                  scalarConstant(b, loc, f32, 255));
  zpF = math::RoundEvenOp::create(b, loc, zpF);
  Type u8 = b.getI8Type();
  Value xv = xf;
  Value y = generateTensor(b, loc, mixedSizes(b, loc, *x), u8,
                           [&](OpBuilder &nb, Location l, ValueRange ivs) -> Value {
                             Value q = arith::DivFOp::create(nb, l, tensor::ExtractOp::create(nb, l, xv, ivs), scale);
                             q = arith::AddFOp::create(nb, l, math::RoundEvenOp::create(nb, l, q), zpF);
                             q = arith::MaximumFOp::create(nb, l, q, scalarConstant(nb, l, f32, 0));
                             q = arith::MinimumFOp::create(nb, l, q, scalarConstant(nb, l, f32, 255));
                             return arith::FPToUIOp::create(nb, l, u8, q);
                           });
  auto scalarTensor = [&](Value s) {
    return tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, s.getType()), ValueRange{s})
        .getResult();
  };
  node.markUnsignedOutput(0);
  node.markUnsignedOutput(2);
  results.push_back(y);
  results.push_back(scalarTensor(convertScalar(b, loc, scale, elt)));
  results.push_back(scalarTensor(arith::FPToUIOp::create(b, loc, u8, zpF)));
  return success();
}

} // namespace

void hybrid::onnx_conv::populateQuantizeConverters(ConverterTable &t) {
  t.add("", "QuantizeLinear", 10, convertQuantizeLinear);
  t.add("", "DequantizeLinear", 10, convertDequantizeLinear);
  t.add("", "DynamicQuantizeLinear", 11, convertDynamicQuantizeLinear);
}
