//===- Elementwise.cpp - unary, binary and variadic elementwise ops -------===//
//
// Every op here becomes one linalg.generic with numpy broadcasting. Transcendental
// float math on f16/bf16 is computed in f32 (libm has no half-precision entry
// points) and rounded back.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

using UnaryFn = std::function<Value(OpBuilder &, Location, Value)>;
using BinaryFn = std::function<Value(OpBuilder &, Location, Value, Value)>;

Value cst(OpBuilder &b, Location loc, Type t, double v) { return scalarConstant(b, loc, t, v); }

/// Runs `fn` on f32 copies of f16/bf16 scalars.
Value inF32(OpBuilder &b, Location loc, Value x, const UnaryFn &fn) {
  auto f = dyn_cast<FloatType>(x.getType());
  if (!f || f.getWidth() >= 32)
    return fn(b, loc, x);
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  return arith::TruncFOp::create(b, loc, f, fn(b, loc, wide));
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, cst(b, loc, t, 1.0),
                               arith::AddFOp::create(b, loc, cst(b, loc, t, 1.0), e));
}

Value softplus(OpBuilder &b, Location loc, Value x) {
  // log(1 + exp(x)), written as max(x, 0) + log1p(exp(-|x|)) so it cannot overflow.
  Type t = x.getType();
  Value zero = cst(b, loc, t, 0.0);
  Value absX = math::AbsFOp::create(b, loc, x);
  Value tail = math::Log1pOp::create(
      b, loc, math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, absX)));
  return arith::AddFOp::create(b, loc, arith::MaximumFOp::create(b, loc, x, zero), tail);
}

LogicalResult requireFloat(OnnxNode &node, Value v) {
  if (!isFloatLike(elementTypeOf(v)))
    return node.emitError() << "needs a floating-point input, got " << v.getType();
  return success();
}

/// Registers a float-only unary op; `fn` may read the node's attributes.
void unaryFloat(ConverterTable &t, StringRef name, int64_t since,
                std::function<UnaryFn(OnnxNode &)> make) {
  t.add("", name, since, [make](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X");
    if (failed(x) || failed(requireFloat(node, *x)))
      return failure();
    UnaryFn fn = make(node);
    FailureOr<Value> r = elementwise(node, {*x}, elementTypeOf(*x),
                                     [&](OpBuilder &b, Location loc, ValueRange a) {
                                       return inF32(b, loc, a[0], fn);
                                     });
    return appendResult(results, r);
  });
}

void unaryFloat(ConverterTable &t, StringRef name, int64_t since, UnaryFn fn) {
  unaryFloat(t, name, since, [fn](OnnxNode &) { return fn; });
}

template <typename MathOp>
void unaryMath(ConverterTable &t, StringRef name, int64_t since) {
  unaryFloat(t, name, since, [](OpBuilder &b, Location loc, Value x) -> Value {
    return MathOp::create(b, loc, x);
  });
}

/// Binary arithmetic with the same element type on both sides.
void binaryArith(ConverterTable &t, StringRef name, int64_t since, BinaryFn floatFn,
                 std::function<Value(OpBuilder &, Location, Value, Value, bool)> intFn) {
  t.add("", name, since, [=](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> a = node.rankedInput(0, "A");
    FailureOr<Value> bb = node.rankedInput(1, "B");
    if (failed(a) || failed(bb))
      return failure();
    Type elt = elementTypeOf(*a);
    if (elt != elementTypeOf(*bb))
      return node.emitError() << "input types differ: " << a->getType() << " and "
                              << bb->getType();
    bool isUnsigned = node.isUnsignedInput(0);
    if (!isFloatLike(elt) && !intFn)
      return node.emitError() << "needs floating-point inputs, got " << a->getType();
    if (isFloatLike(elt) && !floatFn)
      return node.emitError() << "needs integer or boolean inputs, got " << a->getType();
    FailureOr<Value> r =
        elementwise(node, {*a, *bb}, elt, [&](OpBuilder &b, Location loc, ValueRange v) {
          return isFloatLike(elt) ? floatFn(b, loc, v[0], v[1])
                                  : intFn(b, loc, v[0], v[1], isUnsigned);
        });
    if (isUnsigned)
      node.markUnsignedOutput(0);
    return appendResult(results, r);
  });
}

/// Comparisons: bool result.
void comparison(ConverterTable &t, StringRef name, int64_t since, arith::CmpFPredicate fp,
                arith::CmpIPredicate sp, arith::CmpIPredicate up) {
  t.add("", name, since, [=](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> a = node.rankedInput(0, "A");
    FailureOr<Value> bb = node.rankedInput(1, "B");
    if (failed(a) || failed(bb))
      return failure();
    Type elt = elementTypeOf(*a);
    if (elt != elementTypeOf(*bb))
      return node.emitError() << "input types differ: " << a->getType() << " and "
                              << bb->getType();
    bool isUnsigned = node.isUnsignedInput(0);
    FailureOr<Value> r = elementwise(
        node, {*a, *bb}, node.builder().getI1Type(), [&](OpBuilder &b, Location loc, ValueRange v) {
          if (isFloatLike(elt))
            return Value(arith::CmpFOp::create(b, loc, fp, v[0], v[1]));
          return Value(arith::CmpIOp::create(b, loc, isUnsigned ? up : sp, v[0], v[1]));
        });
    return appendResult(results, r);
  });
}

/// Variadic Max/Min/Sum/Mean.
void variadic(ConverterTable &t, StringRef name, int64_t since, bool mean,
              std::function<Value(OpBuilder &, Location, Value, Value, bool)> combine) {
  t.add("", name, since, [=](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    SmallVector<Value> inputs;
    for (unsigned i = 0; i < node.numInputs(); ++i) {
      FailureOr<Value> v = node.rankedInput(i, "data");
      if (failed(v))
        return failure();
      if (!inputs.empty() && elementTypeOf(*v) != elementTypeOf(inputs[0]))
        return node.emitError() << "input types differ: " << inputs[0].getType() << " and "
                                << v->getType();
      inputs.push_back(*v);
    }
    if (inputs.empty())
      return node.emitError() << "needs at least one input";
    Type elt = elementTypeOf(inputs[0]);
    if (mean && !isFloatLike(elt))
      return node.emitError() << "needs floating-point inputs";
    bool isUnsigned = node.isUnsignedInput(0);
    FailureOr<Value> r =
        elementwise(node, inputs, elt, [&](OpBuilder &b, Location loc, ValueRange v) {
          Value acc = v[0];
          for (Value x : v.drop_front())
            acc = combine(b, loc, acc, x, isUnsigned);
          if (mean)
            acc = arith::DivFOp::create(b, loc, acc,
                                        cst(b, loc, elt, static_cast<double>(v.size())));
          return acc;
        });
    return appendResult(results, r);
  });
}

LogicalResult convertCast(OnnxNode &node, SmallVectorImpl<Value> &results, Type to,
                          bool toUnsigned) {
  FailureOr<Value> x = node.rankedInput(0, "input");
  if (failed(x))
    return failure();
  if (isa<ComplexType>(to) || isa<ComplexType>(elementTypeOf(*x)))
    return node.emitError() << "complex casts are not supported";
  // 8-, 6- and 4-bit floats have no conversion code in the CPU lowering yet.
  for (Type t : {to, elementTypeOf(*x)})
    if (auto f = dyn_cast<FloatType>(t); f && f.getWidth() < 16)
      return node.emitError() << "casts to and from " << t << " are not supported yet";
  ImplicitLocOpBuilder &b = node.builder();
  Value r = castTensor(b, node.loc(), *x, to, node.isUnsignedInput(0), toUnsigned);
  if (toUnsigned)
    node.markUnsignedOutput(0);
  results.push_back(r);
  return success();
}

Value intPow(OpBuilder &b, Location loc, Value x, Value y) {
  // Integer power through f64 (exact for the magnitudes ONNX tests use).
  Type t = x.getType();
  Value fx = arith::SIToFPOp::create(b, loc, b.getF64Type(), x);
  Value fy = isa<FloatType>(y.getType()) ? convertScalar(b, loc, y, b.getF64Type())
                                         : Value(arith::SIToFPOp::create(b, loc, b.getF64Type(), y));
  Value p = math::PowFOp::create(b, loc, fx, fy);
  return arith::FPToSIOp::create(b, loc, t, p);
}

} // namespace

void hybrid::onnx_conv::populateElementwiseConverters(ConverterTable &t) {
  // -- arithmetic -------------------------------------------------------------
  binaryArith(
      t, "Add", 1, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::AddFOp::create(b, l, x, y); },
      [](OpBuilder &b, Location l, Value x, Value y, bool) -> Value { return arith::AddIOp::create(b, l, x, y); });
  binaryArith(
      t, "Sub", 1, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::SubFOp::create(b, l, x, y); },
      [](OpBuilder &b, Location l, Value x, Value y, bool) -> Value { return arith::SubIOp::create(b, l, x, y); });
  binaryArith(
      t, "Mul", 1, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::MulFOp::create(b, l, x, y); },
      [](OpBuilder &b, Location l, Value x, Value y, bool) -> Value { return arith::MulIOp::create(b, l, x, y); });
  binaryArith(
      t, "Div", 1, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::DivFOp::create(b, l, x, y); },
      [](OpBuilder &b, Location l, Value x, Value y, bool u) -> Value {
        return u ? Value(arith::DivUIOp::create(b, l, x, y)) : Value(arith::DivSIOp::create(b, l, x, y));
      });
  t.add("", "Mod", 10, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> a = node.rankedInput(0, "A"), bb = node.rankedInput(1, "B");
    if (failed(a) || failed(bb))
      return failure();
    Type elt = elementTypeOf(*a);
    bool fmod = node.getInt("fmod", 0) != 0;
    if (isFloatLike(elt) && !fmod)
      return node.emitError() << "fmod must be 1 for floating-point inputs";
    bool isUnsigned = node.isUnsignedInput(0);
    FailureOr<Value> r = elementwise(node, {*a, *bb}, elt, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      if (isFloatLike(elt))
        return arith::RemFOp::create(b, l, v[0], v[1]);
      if (isUnsigned)
        return arith::RemUIOp::create(b, l, v[0], v[1]);
      Value rem = arith::RemSIOp::create(b, l, v[0], v[1]);
      if (fmod)
        return rem;
      // Python-style: the result takes the divisor's sign.
      Value zero = cst(b, l, elt, 0);
      Value nonzero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, rem, zero);
      Value remNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, rem, zero);
      Value divNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v[1], zero);
      Value differ = arith::XOrIOp::create(b, l, remNeg, divNeg);
      Value fix = arith::AndIOp::create(b, l, nonzero, differ);
      return arith::SelectOp::create(b, l, fix, arith::AddIOp::create(b, l, rem, v[1]), rem);
    });
    return appendResult(results, r);
  });
  t.add("", "Pow", 7, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X"), y = node.rankedInput(1, "Y");
    if (failed(x) || failed(y))
      return failure();
    Type elt = elementTypeOf(*x);
    bool yUnsigned = node.isUnsignedInput(1);
    FailureOr<Value> r = elementwise(node, {*x, *y}, elt, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      if (!isFloatLike(elt))
        return intPow(b, l, v[0], v[1]);
      Value e = convertScalar(b, l, v[1], elt, yUnsigned);
      return inF32(b, l, v[0], [&](OpBuilder &b2, Location l2, Value base) -> Value {
        return math::PowFOp::create(b2, l2, base, convertScalar(b2, l2, e, base.getType()));
      });
    });
    return appendResult(results, r);
  });
  variadic(t, "Max", 1, false, [](OpBuilder &b, Location l, Value x, Value y, bool u) { return maxScalar(b, l, x, y, u); });
  variadic(t, "Min", 1, false, [](OpBuilder &b, Location l, Value x, Value y, bool u) { return minScalar(b, l, x, y, u); });
  variadic(t, "Sum", 1, false, [](OpBuilder &b, Location l, Value x, Value y, bool) -> Value {
    return isa<FloatType>(x.getType()) ? Value(arith::AddFOp::create(b, l, x, y)) : Value(arith::AddIOp::create(b, l, x, y));
  });
  variadic(t, "Mean", 1, true, [](OpBuilder &b, Location l, Value x, Value y, bool) -> Value {
    return arith::AddFOp::create(b, l, x, y);
  });

  // -- unary ------------------------------------------------------------------
  t.add("", "Neg", 1, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X");
    if (failed(x))
      return failure();
    Type elt = elementTypeOf(*x);
    FailureOr<Value> r = elementwise(node, {*x}, elt, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      if (isFloatLike(elt))
        return arith::NegFOp::create(b, l, v[0]);
      return arith::SubIOp::create(b, l, cst(b, l, elt, 0), v[0]);
    });
    return appendResult(results, r);
  });
  t.add("", "Abs", 1, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X");
    if (failed(x))
      return failure();
    Type elt = elementTypeOf(*x);
    bool isUnsigned = node.isUnsignedInput(0);
    FailureOr<Value> r = elementwise(node, {*x}, elt, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      if (isFloatLike(elt))
        return math::AbsFOp::create(b, l, v[0]);
      if (isUnsigned)
        return v[0];
      return math::AbsIOp::create(b, l, v[0]);
    });
    if (isUnsigned)
      node.markUnsignedOutput(0);
    return appendResult(results, r);
  });
  t.add("", "Sign", 9, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "input");
    if (failed(x))
      return failure();
    Type elt = elementTypeOf(*x);
    bool isUnsigned = node.isUnsignedInput(0);
    FailureOr<Value> r = elementwise(node, {*x}, elt, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      Value zero = cst(b, l, elt, 0), one = cst(b, l, elt, 1), minusOne = cst(b, l, elt, -1);
      Value pos, neg;
      if (isFloatLike(elt)) {
        pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v[0], zero);
        neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v[0], zero);
      } else {
        pos = arith::CmpIOp::create(b, l, isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, v[0], zero);
        neg = isUnsigned ? Value(arith::ConstantOp::create(b, l, b.getBoolAttr(false)))
                         : Value(arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v[0], zero));
      }
      return arith::SelectOp::create(b, l, pos, one, arith::SelectOp::create(b, l, neg, minusOne, zero));
    });
    return appendResult(results, r);
  });
  unaryMath<math::ExpOp>(t, "Exp", 1);
  unaryMath<math::LogOp>(t, "Log", 1);
  unaryMath<math::SqrtOp>(t, "Sqrt", 1);
  unaryMath<math::TanhOp>(t, "Tanh", 1);
  unaryMath<math::ErfOp>(t, "Erf", 9);
  unaryMath<math::SinOp>(t, "Sin", 7);
  unaryMath<math::CosOp>(t, "Cos", 7);
  unaryMath<math::TanOp>(t, "Tan", 7);
  unaryMath<math::AsinOp>(t, "Asin", 7);
  unaryMath<math::AcosOp>(t, "Acos", 7);
  unaryMath<math::AtanOp>(t, "Atan", 7);
  unaryMath<math::SinhOp>(t, "Sinh", 9);
  unaryMath<math::CoshOp>(t, "Cosh", 9);
  unaryMath<math::AsinhOp>(t, "Asinh", 9);
  unaryMath<math::AcoshOp>(t, "Acosh", 9);
  unaryMath<math::AtanhOp>(t, "Atanh", 9);
  unaryMath<math::FloorOp>(t, "Floor", 1);
  unaryMath<math::CeilOp>(t, "Ceil", 1);
  unaryMath<math::RoundEvenOp>(t, "Round", 11);
  unaryFloat(t, "Reciprocal", 1, [](OpBuilder &b, Location l, Value x) -> Value {
    return arith::DivFOp::create(b, l, cst(b, l, x.getType(), 1.0), x);
  });
  unaryFloat(t, "Sigmoid", 1, sigmoid);
  unaryFloat(t, "Softplus", 1, softplus);
  unaryFloat(t, "Softsign", 1, [](OpBuilder &b, Location l, Value x) -> Value {
    Value den = arith::AddFOp::create(b, l, cst(b, l, x.getType(), 1.0), math::AbsFOp::create(b, l, x));
    return arith::DivFOp::create(b, l, x, den);
  });
  unaryFloat(t, "Mish", 18, [](OpBuilder &b, Location l, Value x) -> Value {
    return arith::MulFOp::create(b, l, x, math::TanhOp::create(b, l, softplus(b, l, x)));
  });
  unaryFloat(t, "Relu", 1, [](OpBuilder &b, Location l, Value x) -> Value {
    return arith::MaximumFOp::create(b, l, x, cst(b, l, x.getType(), 0.0));
  });
  unaryFloat(t, "LeakyRelu", 1, [](OnnxNode &node) -> UnaryFn {
    double alpha = node.getFloat("alpha", 0.01f);
    return [alpha](OpBuilder &b, Location l, Value x) -> Value {
      Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, cst(b, l, x.getType(), 0.0));
      return arith::SelectOp::create(b, l, neg, arith::MulFOp::create(b, l, x, cst(b, l, x.getType(), alpha)), x);
    };
  });
  unaryFloat(t, "ThresholdedRelu", 10, [](OnnxNode &node) -> UnaryFn {
    double alpha = node.getFloat("alpha", 1.0f);
    return [alpha](OpBuilder &b, Location l, Value x) -> Value {
      Value gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, cst(b, l, x.getType(), alpha));
      return arith::SelectOp::create(b, l, gt, x, cst(b, l, x.getType(), 0.0));
    };
  });
  unaryFloat(t, "Elu", 1, [](OnnxNode &node) -> UnaryFn {
    double alpha = node.getFloat("alpha", 1.0f);
    return [alpha](OpBuilder &b, Location l, Value x) -> Value {
      Type ty = x.getType();
      Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, cst(b, l, ty, 0.0));
      Value em1 = math::ExpM1Op::create(b, l, x);
      return arith::SelectOp::create(b, l, neg, arith::MulFOp::create(b, l, em1, cst(b, l, ty, alpha)), x);
    };
  });
  unaryFloat(t, "Celu", 12, [](OnnxNode &node) -> UnaryFn {
    double alpha = node.getFloat("alpha", 1.0f);
    return [alpha](OpBuilder &b, Location l, Value x) -> Value {
      Type ty = x.getType();
      Value zero = cst(b, l, ty, 0.0);
      Value scaled = arith::DivFOp::create(b, l, x, cst(b, l, ty, alpha));
      Value neg = arith::MulFOp::create(b, l, cst(b, l, ty, alpha), math::ExpM1Op::create(b, l, scaled));
      return arith::AddFOp::create(b, l, arith::MaximumFOp::create(b, l, x, zero),
                                   arith::MinimumFOp::create(b, l, neg, zero));
    };
  });
  unaryFloat(t, "Selu", 1, [](OnnxNode &node) -> UnaryFn {
    double alpha = node.getFloat("alpha", 1.67326319217681884765625f);
    double gamma = node.getFloat("gamma", 1.05070102214813232421875f);
    return [alpha, gamma](OpBuilder &b, Location l, Value x) -> Value {
      Type ty = x.getType();
      Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, x, cst(b, l, ty, 0.0));
      Value e = arith::MulFOp::create(b, l, cst(b, l, ty, alpha), math::ExpM1Op::create(b, l, x));
      Value v = arith::SelectOp::create(b, l, neg, e, x);
      return arith::MulFOp::create(b, l, cst(b, l, ty, gamma), v);
    };
  });
  unaryFloat(t, "HardSigmoid", 1, [](OnnxNode &node) -> UnaryFn {
    double alpha = node.getFloat("alpha", 0.2f), beta = node.getFloat("beta", 0.5f);
    return [alpha, beta](OpBuilder &b, Location l, Value x) -> Value {
      Type ty = x.getType();
      Value v = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, ty, alpha)), cst(b, l, ty, beta));
      return arith::MaximumFOp::create(b, l, cst(b, l, ty, 0.0), arith::MinimumFOp::create(b, l, cst(b, l, ty, 1.0), v));
    };
  });
  unaryFloat(t, "HardSwish", 14, [](OpBuilder &b, Location l, Value x) -> Value {
    Type ty = x.getType();
    Value v = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, ty, 1.0 / 6.0)), cst(b, l, ty, 0.5));
    Value hs = arith::MaximumFOp::create(b, l, cst(b, l, ty, 0.0), arith::MinimumFOp::create(b, l, cst(b, l, ty, 1.0), v));
    return arith::MulFOp::create(b, l, x, hs);
  });
  unaryFloat(t, "Gelu", 20, [](OnnxNode &node) -> UnaryFn {
    bool tanhApprox = node.getString("approximate", "none") == "tanh";
    return [tanhApprox](OpBuilder &b, Location l, Value x) -> Value {
      Type ty = x.getType();
      Value inner;
      if (tanhApprox) {
        Value x3 = arith::MulFOp::create(b, l, x, arith::MulFOp::create(b, l, x, x));
        Value s = arith::AddFOp::create(b, l, x, arith::MulFOp::create(b, l, x3, cst(b, l, ty, 0.044715)));
        inner = math::TanhOp::create(b, l, arith::MulFOp::create(b, l, s, cst(b, l, ty, std::sqrt(2.0 / M_PI))));
      } else {
        inner = math::ErfOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, ty, M_SQRT1_2)));
      }
      Value onePlus = arith::AddFOp::create(b, l, cst(b, l, ty, 1.0), inner);
      return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, ty, 0.5)), onePlus);
    };
  });
  unaryFloat(t, "Swish", 24, [](OnnxNode &node) -> UnaryFn {
    double alpha = node.getFloat("alpha", 1.0f);
    return [alpha](OpBuilder &b, Location l, Value x) -> Value {
      Value ax = arith::MulFOp::create(b, l, x, cst(b, l, x.getType(), alpha));
      return arith::MulFOp::create(b, l, x, sigmoid(b, l, ax));
    };
  });
  unaryFloat(t, "Shrink", 9, [](OnnxNode &node) -> UnaryFn {
    double bias = node.getFloat("bias", 0.0f), lambd = node.getFloat("lambd", 0.5f);
    return [bias, lambd](OpBuilder &b, Location l, Value x) -> Value {
      Type ty = x.getType();
      Value lo = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, cst(b, l, ty, -lambd));
      Value hi = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, cst(b, l, ty, lambd));
      Value v = arith::SelectOp::create(b, l, hi, arith::SubFOp::create(b, l, x, cst(b, l, ty, bias)), cst(b, l, ty, 0.0));
      return arith::SelectOp::create(b, l, lo, arith::AddFOp::create(b, l, x, cst(b, l, ty, bias)), v);
    };
  });
  t.add("", "PRelu", 7, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X"), slope = node.rankedInput(1, "slope");
    if (failed(x) || failed(slope) || failed(requireFloat(node, *x)))
      return failure();
    FailureOr<Value> r = elementwise(node, {*x, *slope}, elementTypeOf(*x), [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v[0], cst(b, l, v[0].getType(), 0.0));
      return arith::SelectOp::create(b, l, neg, arith::MulFOp::create(b, l, v[0], v[1]), v[0]);
    });
    return appendResult(results, r);
  });

  // -- predicates and logic -----------------------------------------------------
  comparison(t, "Equal", 1, arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq, arith::CmpIPredicate::eq);
  comparison(t, "Less", 1, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt, arith::CmpIPredicate::ult);
  comparison(t, "LessOrEqual", 12, arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle, arith::CmpIPredicate::ule);
  comparison(t, "Greater", 1, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt);
  comparison(t, "GreaterOrEqual", 12, arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge, arith::CmpIPredicate::uge);
  auto logic = [&](StringRef name, int64_t since, BinaryFn fn) {
    binaryArith(t, name, since, nullptr,
                [fn](OpBuilder &b, Location l, Value x, Value y, bool) { return fn(b, l, x, y); });
  };
  logic("And", 1, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::AndIOp::create(b, l, x, y); });
  logic("Or", 1, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::OrIOp::create(b, l, x, y); });
  logic("Xor", 1, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::XOrIOp::create(b, l, x, y); });
  logic("BitwiseAnd", 18, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::AndIOp::create(b, l, x, y); });
  logic("BitwiseOr", 18, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::OrIOp::create(b, l, x, y); });
  logic("BitwiseXor", 18, [](OpBuilder &b, Location l, Value x, Value y) -> Value { return arith::XOrIOp::create(b, l, x, y); });
  t.add("", "BitShift", 11, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X"), y = node.rankedInput(1, "Y");
    if (failed(x) || failed(y))
      return failure();
    std::string dir = node.getString("direction", "");
    if (dir != "LEFT" && dir != "RIGHT")
      return node.emitError() << "direction must be LEFT or RIGHT, got '" << dir << "'";
    FailureOr<Value> r = elementwise(node, {*x, *y}, elementTypeOf(*x), [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      if (dir == "LEFT")
        return arith::ShLIOp::create(b, l, v[0], v[1]);
      return arith::ShRUIOp::create(b, l, v[0], v[1]);
    });
    node.markUnsignedOutput(0);
    return appendResult(results, r);
  });
  auto notOp = [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X");
    if (failed(x))
      return failure();
    Type elt = elementTypeOf(*x);
    FailureOr<Value> r = elementwise(node, {*x}, elt, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      return arith::XOrIOp::create(b, l, v[0], cst(b, l, elt, -1));
    });
    node.forwardUnsigned();
    return appendResult(results, r);
  };
  t.add("", "Not", 1, notOp);
  t.add("", "BitwiseNot", 18, notOp);
  t.add("", "IsNaN", 9, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X");
    if (failed(x) || failed(requireFloat(node, *x)))
      return failure();
    FailureOr<Value> r = elementwise(node, {*x}, node.builder().getI1Type(), [](OpBuilder &b, Location l, ValueRange v) -> Value {
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v[0], v[0]);
    });
    return appendResult(results, r);
  });
  t.add("", "IsInf", 10, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "X");
    if (failed(x) || failed(requireFloat(node, *x)))
      return failure();
    bool pos = node.getInt("detect_positive", 1) != 0, neg = node.getInt("detect_negative", 1) != 0;
    FailureOr<Value> r = elementwise(node, {*x}, node.builder().getI1Type(), [&](OpBuilder &b, Location l, ValueRange v) -> Value {
      Type ty = v[0].getType();
      Value isPos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v[0], highestScalar(b, l, ty));
      Value isNeg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v[0], lowestScalar(b, l, ty));
      Value f = arith::ConstantOp::create(b, l, b.getBoolAttr(false));
      return arith::OrIOp::create(b, l, pos ? isPos : f, neg ? isNeg : f);
    });
    return appendResult(results, r);
  });
  t.add("", "Where", 9, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> c = node.rankedInput(0, "condition"), x = node.rankedInput(1, "X"),
                     y = node.rankedInput(2, "Y");
    if (failed(c) || failed(x) || failed(y))
      return failure();
    if (elementTypeOf(*x) != elementTypeOf(*y))
      return node.emitError() << "X and Y types differ: " << x->getType() << " and " << y->getType();
    FailureOr<Value> r = elementwise(node, {*c, *x, *y}, elementTypeOf(*x), [](OpBuilder &b, Location l, ValueRange v) -> Value {
      return arith::SelectOp::create(b, l, v[0], v[1], v[2]);
    });
    node.forwardUnsigned(1, 0);
    return appendResult(results, r);
  });

  // -- clip, cast, identity -------------------------------------------------------
  t.add("", "Clip", 1, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    // Opsets 1-10: min/max attributes; 11+: optional scalar inputs.
    FailureOr<Value> x = node.rankedInput(0, "input");
    if (failed(x))
      return failure();
    Type elt = elementTypeOf(*x);
    bool isUnsigned = node.isUnsignedInput(0);
    OpBuilder &b = node.builder();
    Location loc = node.loc();
    SmallVector<Value> inputs = {*x};
    Value lo, hi;
    if (node.version() < 11) {
      lo = cst(b, loc, elt, node.getFloat("min", -std::numeric_limits<float>::max()));
      hi = cst(b, loc, elt, node.getFloat("max", std::numeric_limits<float>::max()));
    }
    int loIdx = -1, hiIdx = -1;
    for (unsigned i : {1u, 2u}) {
      if (node.version() < 11 || !node.hasInput(i))
        continue;
      FailureOr<Value> v = node.rankedInput(i, i == 1 ? "min" : "max");
      if (failed(v))
        return failure();
      (i == 1 ? loIdx : hiIdx) = inputs.size();
      inputs.push_back(*v);
    }
    FailureOr<Value> r = elementwise(node, inputs, elt, [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
      Value y = v[0];
      Value mn = loIdx >= 0 ? v[loIdx] : lo, mx = hiIdx >= 0 ? v[hiIdx] : hi;
      if (mn)
        y = maxScalar(nb, l, y, mn, isUnsigned);
      if (mx)
        y = minScalar(nb, l, y, mx, isUnsigned);
      return y;
    });
    if (isUnsigned)
      node.markUnsignedOutput(0);
    return appendResult(results, r);
  });
  t.add("", "Cast", 1, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    std::optional<int64_t> to = node.getInt("to");
    if (!to)
      return node.emitError() << "attribute 'to' is required";
    Type elt = hybrid::onnx::getElementType(node.builder().getContext(), *to);
    if (!elt)
      return node.emitError() << "cannot cast to " << hybrid::onnx::getDataTypeName(*to);
    bool toUnsigned = elt.isUnsignedInteger();
    if (toUnsigned)
      elt = IntegerType::get(elt.getContext(), elt.getIntOrFloatBitWidth());
    return convertCast(node, results, elt, toUnsigned);
  });
  t.add("", "CastLike", 15, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> target = node.rankedInput(1, "target_type");
    if (failed(target))
      return failure();
    return convertCast(node, results, elementTypeOf(*target), node.isUnsignedInput(1));
  });
  t.add("", "Identity", 1, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    FailureOr<Value> x = node.rankedInput(0, "input");
    node.forwardUnsigned();
    return appendResult(results, x);
  });
  t.add("", "Dropout", 1, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    // Inference: the identity, with an all-true mask. training_mode (input 2, opset
    // 12+) must be absent or constant false.
    FailureOr<Value> x = node.rankedInput(0, "data");
    if (failed(x))
      return failure();
    if (node.version() >= 12 && node.hasInput(2)) {
      auto training = node.constantInts(2);
      if (!training || (!training->empty() && (*training)[0] != 0))
        return node.emitError() << "training_mode must be a constant false (inference only)";
    }
    if (node.version() < 7 && node.getInt("is_test", 0) == 0)
      return node.emitError() << "is_test must be 1 (inference only)";
    results.push_back(*x);
    if (node.outputUsed(1)) {
      OpBuilder &b = node.builder();
      Value t = arith::ConstantOp::create(b, node.loc(), b.getBoolAttr(true));
      results.push_back(filledTensor(b, node.loc(), mixedSizes(b, node.loc(), *x), t));
    }
    return success();
  });
}
