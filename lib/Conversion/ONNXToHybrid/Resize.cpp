//===- Resize.cpp - Resize and Upsample -----------------------------------===//
//
// Resize-11+ as one linalg.generic over the output: for each resized axis the
// output index is mapped back to an input coordinate (coordinate_transformation_
// mode: half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners,
// asymmetric, tf_crop_and_resize), which gives that axis' taps: one for nearest
// (nearest_mode), two for linear, four for cubic (cubic_coeff_a, exclude_outside).
// The result is the sum over the product of the axes' taps of the weights times
// the input, read with tensor.extract at taps clamped to the input (edge
// padding, as ONNX's reference does). Coordinates are computed in f64, like the
// reference. Scales must be constants; sizes may be read at run time.
// keep_aspect_ratio_policy, axes and antialias (a kernel widened by 1/scale when
// downsampling, its width fixed by the compile-time scale) are supported.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// How one axis is resized; `scale` and `outSize` are compile-time values when
/// known (`staticScale` >= 0), else computed at run time.
struct AxisPlan {
  bool resized = false;
  double staticScale = -1;   // out / in as ONNX defines it, when known
  OpFoldResult outSize;
  double roiStart = 0, roiEnd = 1;
};

/// One tap of one axis: the (clamped) input index and its weight.
struct Tap {
  Value index; // index
  Value weight; // f64, null for weight 1
};

Value f64(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
}
Value toF64(OpBuilder &b, Location loc, Value indexV) {
  Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), indexV);
  return arith::SIToFPOp::create(b, loc, b.getF64Type(), i);
}
Value clampIndex(OpBuilder &b, Location loc, Value i, Value n) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value last = arith::SubIOp::create(b, loc, n, arith::ConstantIndexOp::create(b, loc, 1));
  return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, i, zero), last);
}
Value floorIndex(OpBuilder &b, Location loc, Value x) {
  Value f = math::FloorOp::create(b, loc, x);
  Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), f);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
}

/// Resize-11+, or (`upsample`) Upsample-7/9: scales only (an attribute before
/// opset 9, input 1 since), asymmetric coordinates, nearest rounding down.
LogicalResult convertResizeOrUpsample(OnnxNode &node, SmallVectorImpl<Value> &results, bool upsample) {
  FailureOr<Value> x = node.rankedInput(0, "X");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t rank = rankOf(*x);
  Type elt = elementTypeOf(*x);
  std::string mode = node.getString("mode", "nearest");
  std::string ctm = upsample ? "asymmetric" : node.getString("coordinate_transformation_mode", "half_pixel");
  std::string nearestMode = upsample ? "floor" : node.getString("nearest_mode", "round_prefer_floor");
  if (upsample && mode == "bilinear")
    mode = "linear";
  std::string policy = node.getString("keep_aspect_ratio_policy", "stretch");
  double cubicA = node.getFloat("cubic_coeff_a", -0.75f);
  bool excludeOutside = node.getInt("exclude_outside", 0) != 0;
  double extrapolation = node.getFloat("extrapolation_value", 0.0f);
  if (failed(node.ok()))
    return failure();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return node.emitError() << "unknown mode '" << mode << "'";
  if (mode != "nearest" && !isFloatLike(elt))
    return node.emitError() << mode << " mode needs a floating-point X, got " << x->getType();
  bool antialias = node.getInt("antialias", 0) != 0 && mode != "nearest";
  static const char *modes[] = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                                "align_corners", "asymmetric", "tf_crop_and_resize"};
  if (!llvm::is_contained(modes, ctm))
    return node.emitError() << "unknown coordinate_transformation_mode '" << ctm << "'";
  static const char *nearestModes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (mode == "nearest" && !llvm::is_contained(nearestModes, nearestMode))
    return node.emitError() << "unknown nearest_mode '" << nearestMode << "'";
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return node.emitError() << "unknown keep_aspect_ratio_policy '" << policy << "'";

  // The resized axes: all, or the `axes` attribute's in its order (scales,
  // sizes and roi follow it).
  FailureOr<SmallVector<int64_t>> axesOr = axesAttrOrAll(node, rank);
  if (failed(axesOr))
    return failure();
  SmallVector<int64_t> axes = *axesOr;
  size_t na = axes.size();
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x);
  SmallVector<AxisPlan> plan(rank);
  for (int64_t d = 0; d < rank; ++d)
    plan[d].outSize = in[d];

  // Exactly one of scales (input 2) and sizes (input 3).
  std::optional<SmallVector<double>> scales;
  if (upsample) {
    if (node.version() < 9) {
      if (auto f = node.getFloats("scales"))
        scales = SmallVector<double>(f->begin(), f->end());
    } else {
      scales = node.constantFloats(1);
    }
    if (!scales)
      return node.emitError() << "scales must be a constant";
  } else if (node.hasInput(2)) {
    scales = node.constantFloats(2);
    if (!scales)
      return node.emitError() << "scales must be a constant";
    if (scales->empty())
      scales.reset();
  }
  bool haveSizes = false;
  if (Value sv = upsample ? Value() : node.input(3)) {
    auto st = dyn_cast<RankedTensorType>(sv.getType());
    haveSizes = !st || !st.hasStaticShape() || st.getNumElements() != 0;
  }
  if (scales.has_value() == haveSizes)
    return node.emitError() << "needs exactly one of scales and sizes";
  if (scales) {
    if (scales->size() != na)
      return node.emitError() << "scales has " << scales->size() << " entries for " << na << " axes";
    for (auto [i, d] : llvm::enumerate(axes)) {
      double s = (*scales)[i];
      if (!(s > 0))
        return node.emitError() << "scales must be positive, got " << s;
      plan[d].staticScale = s;
      if (auto n = getConstantIntValue(in[d])) {
        plan[d].outSize = b.getIndexAttr(static_cast<int64_t>(std::floor(*n * s)));
      } else {
        Value o = math::FloorOp::create(b, loc, arith::MulFOp::create(b, loc, toF64(b, loc, indexValue(b, loc, in[d])), f64(b, loc, s)));
        plan[d].outSize = arith::IndexCastOp::create(
                              b, loc, b.getIndexType(), arith::FPToSIOp::create(b, loc, b.getI64Type(), o))
                              .getResult();
      }
    }
  } else {
    std::optional<SmallVector<int64_t>> cs = node.constantInts(3);
    SmallVector<OpFoldResult> sizes;
    if (cs) {
      for (int64_t v : *cs)
        sizes.push_back(b.getIndexAttr(v));
    } else {
      // Run-time sizes: read element by element.
      Value sv = node.input(3);
      if (rankOf(sv) != 1 || tensorType(sv).isDynamicDim(0))
        return node.emitError() << "sizes must be a 1-D tensor of static length, got " << sv.getType();
      for (int64_t i = 0; i < tensorType(sv).getDimSize(0); ++i) {
        Value e = tensor::ExtractOp::create(b, loc, sv, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
        sizes.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), e).getResult());
      }
    }
    if (sizes.size() != na)
      return node.emitError() << "sizes has " << sizes.size() << " entries for " << na << " axes";
    if (policy != "stretch") {
      // One scale for every axis, so the aspect ratio stays; sizes become bounds.
      if (!cs)
        return node.emitError() << "keep_aspect_ratio_policy needs constant sizes";
      double s = policy == "not_larger" ? INFINITY : 0;
      for (auto [i, d] : llvm::enumerate(axes)) {
        auto n = getConstantIntValue(in[d]);
        if (!n)
          return node.emitError() << "keep_aspect_ratio_policy needs a static size for axis " << d;
        double r = static_cast<double>((*cs)[i]) / *n;
        s = policy == "not_larger" ? std::min(s, r) : std::max(s, r);
      }
      for (int64_t d : axes) {
        plan[d].staticScale = s;
        // round(scale * in), halves up as ONNX's reference does.
        plan[d].outSize = b.getIndexAttr(static_cast<int64_t>(std::floor(s * *getConstantIntValue(in[d]) + 0.5)));
      }
    } else {
      for (auto [i, d] : llvm::enumerate(axes)) {
        plan[d].outSize = sizes[i];
        auto n = getConstantIntValue(in[d]), o = getConstantIntValue(sizes[i]);
        if (n && o)
          plan[d].staticScale = static_cast<double>(*o) / *n;
      }
    }
  }
  if (ctm == "tf_crop_and_resize") {
    std::optional<SmallVector<double>> roi = node.hasInput(1) ? node.constantFloats(1) : std::nullopt;
    if (!roi || roi->size() != 2 * na)
      return node.emitError() << "tf_crop_and_resize needs a constant roi of " << 2 * na << " values";
    for (auto [i, d] : llvm::enumerate(axes)) {
      plan[d].roiStart = (*roi)[i];
      plan[d].roiEnd = (*roi)[na + i];
    }
  }
  for (int64_t d : axes) {
    auto o = getConstantIntValue(plan[d].outSize), n = getConstantIntValue(in[d]);
    plan[d].resized = !(plan[d].staticScale == 1.0 && o && n && *o == *n && ctm != "tf_crop_and_resize");
    if (antialias && plan[d].resized && plan[d].staticScale <= 0)
      return node.emitError() << "antialias needs constant sizes or scales and a static size for axis "
                              << d << " (the kernel width depends on the scale)";
    if (o && *o < 0)
      return node.emitError() << "output size " << *o << " of axis " << d << " is negative";
  }

  SmallVector<OpFoldResult> outSizes;
  for (int64_t d = 0; d < rank; ++d)
    outSizes.push_back(plan[d].outSize);
  Type ct = isFloatLike(elt) ? computeType(b, elt) : elt;
  Value input = *x;
  Value result = generateTensor(b, loc, outSizes, elt, [&](OpBuilder &nb, Location l, ValueRange iv) -> Value {
    SmallVector<SmallVector<Tap>> taps(rank);
    Value outside; // i1: a tf_crop_and_resize coordinate outside the input
    for (int64_t d = 0; d < rank; ++d) {
      const AxisPlan &p = plan[d];
      if (!p.resized) {
        taps[d].push_back({iv[d], nullptr});
        continue;
      }
      Value n = indexValue(nb, l, in[d]), o = indexValue(nb, l, p.outSize);
      Value nf = toF64(nb, l, n), of = toF64(nb, l, o), xo = toF64(nb, l, iv[d]);
      Value scale = p.staticScale > 0 ? f64(nb, l, p.staticScale) : Value(arith::DivFOp::create(nb, l, of, nf));
      Value half = f64(nb, l, 0.5), one = f64(nb, l, 1.0);
      auto add = [&](Value a, Value c) { return arith::AddFOp::create(nb, l, a, c).getResult(); };
      auto sub = [&](Value a, Value c) { return arith::SubFOp::create(nb, l, a, c).getResult(); };
      auto mul = [&](Value a, Value c) { return arith::MulFOp::create(nb, l, a, c).getResult(); };
      auto div = [&](Value a, Value c) { return arith::DivFOp::create(nb, l, a, c).getResult(); };
      Value halfPixel = sub(div(add(xo, half), scale), half);
      // ONNX's reference measures the resized length as scale * input length,
      // a float that may differ from the integer output size.
      Value width = mul(scale, nf);
      Value oneOut = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, width, one);
      Value xi;
      if (ctm == "half_pixel") {
        xi = halfPixel;
      } else if (ctm == "half_pixel_symmetric") {
        Value adjustment = div(of, width);
        Value offset = mul(div(nf, f64(nb, l, 2.0)), sub(one, adjustment));
        xi = add(offset, halfPixel);
      } else if (ctm == "pytorch_half_pixel") {
        xi = arith::SelectOp::create(nb, l, oneOut, f64(nb, l, -0.5), halfPixel);
      } else if (ctm == "align_corners") {
        Value r = div(sub(nf, one), sub(width, one));
        xi = arith::SelectOp::create(nb, l, oneOut, f64(nb, l, 0.0), mul(xo, r));
      } else if (ctm == "asymmetric") {
        xi = div(xo, scale);
      } else { // tf_crop_and_resize
        Value s0 = f64(nb, l, p.roiStart), s1 = f64(nb, l, p.roiEnd), last = sub(nf, one);
        Value many = add(mul(s0, last), div(mul(mul(xo, sub(s1, s0)), last), sub(width, one)));
        Value single = mul(mul(half, add(s0, s1)), last);
        xi = arith::SelectOp::create(nb, l, oneOut, single, many);
        Value lo = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, xi, f64(nb, l, 0.0));
        Value hi = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, xi, last);
        Value out = arith::OrIOp::create(nb, l, lo, hi);
        outside = outside ? Value(arith::OrIOp::create(nb, l, outside, out)) : out;
      }
      if (mode == "nearest") {
        Value r;
        if (nearestMode == "floor")
          r = math::FloorOp::create(nb, l, xi);
        else if (nearestMode == "ceil")
          r = math::CeilOp::create(nb, l, xi);
        else if (nearestMode == "round_prefer_floor") // x.5 goes down
          r = math::CeilOp::create(nb, l, sub(xi, half));
        else // round_prefer_ceil: x.5 goes up
          r = math::FloorOp::create(nb, l, add(xi, half));
        taps[d].push_back({clampIndex(nb, l, floorIndex(nb, l, r), n), nullptr});
        continue;
      }
      // Taps floor(x) + i for i in [first, first + count), weighted by the
      // kernel at (i - frac) * s: s = 1, or min(scale, 1) with antialias, which
      // widens the kernel when downsampling (then the weights are normalized).
      Value base = floorIndex(nb, l, xi);
      Value frac = sub(xi, math::FloorOp::create(nb, l, xi));
      double s = antialias ? std::min(p.staticScale, 1.0) : 1.0;
      int64_t first = mode == "linear" ? static_cast<int64_t>(std::floor(-1.0 / s)) + 1
                                       : static_cast<int64_t>(std::floor(-2.0 / s)) + 1;
      int64_t count = 2 - 2 * first;
      Value A = f64(nb, l, cubicA), zero = f64(nb, l, 0.0);
      auto kernel = [&](Value t) -> Value {
        Value a = math::AbsFOp::create(nb, l, t);
        if (mode == "linear")
          return arith::MaximumFOp::create(nb, l, sub(one, a), zero);
        Value a2 = mul(a, a), a3 = mul(a2, a);
        // Keys' cubic convolution with coefficient A, as ONNX's reference writes it.
        Value nearW = add(sub(mul(add(A, f64(nb, l, 2.0)), a3), mul(add(A, f64(nb, l, 3.0)), a2)), one);
        Value farW = sub(add(sub(mul(A, a3), mul(mul(f64(nb, l, 5.0), A), a2)), mul(mul(f64(nb, l, 8.0), A), a)),
                         mul(f64(nb, l, 4.0), A));
        Value le1 = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLE, a, one);
        Value lt2 = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, a, f64(nb, l, 2.0));
        return arith::SelectOp::create(nb, l, le1, nearW,
                                       arith::SelectOp::create(nb, l, lt2, farW, zero));
      };
      SmallVector<std::pair<int64_t, Value>> w; // (offset from floor, weight)
      for (int64_t i = first; i < first + count; ++i)
        w.push_back({i, kernel(mul(sub(f64(nb, l, static_cast<double>(i)), frac), f64(nb, l, s)))});
      bool normalize = antialias || excludeOutside;
      Value total;
      SmallVector<Tap> axisTaps;
      for (auto [off, weight] : w) {
        Value raw = arith::AddIOp::create(nb, l, base, arith::ConstantIndexOp::create(nb, l, off));
        Value wt = weight;
        if (excludeOutside) {
          Value lo = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, raw, arith::ConstantIndexOp::create(nb, l, 0));
          Value hi = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, raw, n);
          wt = arith::SelectOp::create(nb, l, arith::OrIOp::create(nb, l, lo, hi), f64(nb, l, 0.0), wt);
        }
        total = total ? add(total, wt) : wt;
        axisTaps.push_back({clampIndex(nb, l, raw, n), wt});
      }
      if (normalize)
        for (Tap &t : axisTaps)
          t.weight = div(t.weight, total);
      taps[d] = std::move(axisTaps);
    }
    // Sum over every combination of the axes' taps.
    Value acc;
    SmallVector<size_t> pick(rank, 0);
    while (true) {
      SmallVector<Value> at;
      Value weight;
      for (int64_t d = 0; d < rank; ++d) {
        const Tap &t = taps[d][pick[d]];
        at.push_back(t.index);
        if (t.weight)
          weight = weight ? Value(arith::MulFOp::create(nb, l, weight, t.weight)) : t.weight;
      }
      Value v = tensor::ExtractOp::create(nb, l, input, at);
      if (weight) {
        v = convertScalar(nb, l, v, ct);
        Value wc = convertScalar(nb, l, weight, ct);
        v = arith::MulFOp::create(nb, l, v, wc);
        acc = acc ? Value(arith::AddFOp::create(nb, l, acc, v)) : v;
      } else {
        acc = v;
      }
      int64_t d = rank - 1;
      while (d >= 0 && ++pick[d] == taps[d].size())
        pick[d--] = 0;
      if (d < 0)
        break;
    }
    if (isFloatLike(elt))
      acc = convertScalar(nb, l, acc, elt);
    if (outside)
      acc = arith::SelectOp::create(nb, l, outside, scalarConstant(nb, l, elt, extrapolation), acc);
    return acc;
  });
  node.forwardUnsigned();
  results.push_back(result);
  return success();
}

} // namespace

void hybrid::onnx_conv::populateResizeConverters(ConverterTable &t) {
  t.add("", "Resize", 11, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    return convertResizeOrUpsample(node, results, /*upsample=*/false);
  });
  t.add("", "Upsample", 7, [](OnnxNode &node, SmallVectorImpl<Value> &results) -> LogicalResult {
    return convertResizeOrUpsample(node, results, /*upsample=*/true);
  });
}
