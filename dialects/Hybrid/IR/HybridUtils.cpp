//===- HybridUtils.cpp - helpers for passes over hybrid ops ---------------===//
#include "dialects/Hybrid/IR/HybridUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>

using namespace mlir;

Value hybrid::moeActivation(OpBuilder &b, Location loc, Activation act, Value gate,
                            Value up) {
  Type type = up.getType();
  auto c = [&](double v) { return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v)); };
  auto silu = [&](Value x) {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    Value sig = arith::DivFOp::create(b, loc, c(1.0), arith::AddFOp::create(b, loc, c(1.0), e));
    return arith::MulFOp::create(b, loc, x, sig);
  };
  auto gelu = [&](Value x) {
    Value e = math::ErfOp::create(b, loc, arith::MulFOp::create(b, loc, x, c(M_SQRT1_2)));
    Value half = arith::MulFOp::create(b, loc, c(0.5), x);
    return arith::MulFOp::create(b, loc, half, arith::AddFOp::create(b, loc, c(1.0), e));
  };
  switch (act) {
  case Activation::Swiglu:
    return arith::MulFOp::create(b, loc, silu(gate), up);
  case Activation::Geglu:
    return arith::MulFOp::create(b, loc, gelu(gate), up);
  case Activation::Silu:
    return silu(up);
  case Activation::Gelu:
    return gelu(up);
  case Activation::Relu:
  case Activation::None: // rejected by the verifiers
    break;
  }
  return arith::MaximumFOp::create(b, loc, up, c(0.0));
}

std::optional<ArrayRef<char>> hybrid::rawElementBytes(Attribute value) {
  auto typed = dyn_cast_or_null<TypedAttr>(value);
  auto shaped = typed ? dyn_cast<ShapedType>(typed.getType()) : ShapedType();
  if (!shaped || !shaped.hasStaticShape())
    return std::nullopt;
  Type et = shaped.getElementType();
  if (!et.isIntOrFloat() || et.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  uint64_t bytes = static_cast<uint64_t>(shaped.getNumElements()) * et.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> data;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    data = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    data = blob->getData();
  } else {
    return std::nullopt;
  }
  if (data.size() != bytes)
    return std::nullopt;
  return data;
}
