//===- Conv.cpp - Conv, ConvTranspose, MaxPool, AveragePool, LpPool, ... --===//
//
// N-d convolution and pooling over [N, C, D1..Dk] as linalg.generic ops with
// strided, dilated window indexing (`o * stride + k * dilation` on an input padded
// up front with tensor.pad), so they work for any spatial rank and group count.
// Window geometry (explicit pads, SAME_UPPER/SAME_LOWER/VALID auto_pad, ceil_mode)
// follows the ONNX operator docs. The batch may be dynamic; so may Conv's spatial
// sizes (a causal conv over a dynamic sequence) with explicit or VALID padding,
// whose output sizes are then computed at run time. Pooling and SAME padding need
// static spatial sizes. Narrow floats accumulate in f32.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// Window geometry of one convolution or pooling node. A dynamic input size
/// (ShapedType::kDynamic) has a dynamic output size and no extra padding.
struct Window {
  SmallVector<int64_t> in, kernel, strides, dilations, padBegin, padEnd, out;
  /// Extra high padding so ceil_mode windows never read past the buffer.
  SmallVector<int64_t> extraEnd;
};

/// Reads kernel_shape/strides/dilations/pads/auto_pad/ceil_mode for `spatial`
/// dims of input sizes `in` and kernel sizes `kernel`.
FailureOr<Window> windowOf(OnnxNode &node, ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                           bool allowCeil) {
  size_t k = in.size();
  Window w;
  w.in.assign(in.begin(), in.end());
  w.kernel.assign(kernel.begin(), kernel.end());
  auto listAttr = [&](StringRef name, int64_t dflt, size_t n) -> FailureOr<SmallVector<int64_t>> {
    std::optional<SmallVector<int64_t>> v = node.getInts(name);
    if (!v)
      return SmallVector<int64_t>(n, dflt);
    if (v->size() != n)
      return node.emitError() << "'" << name << "' has " << v->size() << " entries, expected " << n,
             failure();
    return *v;
  };
  FailureOr<SmallVector<int64_t>> strides = listAttr("strides", 1, k),
                                  dil = listAttr("dilations", 1, k),
                                  pads = listAttr("pads", 0, 2 * k);
  if (failed(strides) || failed(dil) || failed(pads))
    return failure();
  w.strides = *strides;
  w.dilations = *dil;
  for (size_t i = 0; i < k; ++i)
    if (w.strides[i] <= 0 || w.dilations[i] <= 0 || w.kernel[i] <= 0)
      return node.emitError() << "kernel sizes, strides and dilations must be positive", failure();
  bool ceil = allowCeil && node.getInt("ceil_mode", 0) != 0;
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  w.padBegin.assign(pads->begin(), pads->begin() + k);
  w.padEnd.assign(pads->begin() + k, pads->end());
  for (size_t i = 0; i < k; ++i) {
    int64_t span = w.dilations[i] * (w.kernel[i] - 1) + 1;
    if (ShapedType::isDynamic(w.in[i])) {
      if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" || ceil)
        return node.emitError() << "auto_pad " << autoPad << (ceil ? " with ceil_mode" : "")
                                << " needs a static size for spatial dim " << i
                                << " (pin it with --input-shape)",
               failure();
      if (autoPad == "VALID")
        w.padBegin[i] = w.padEnd[i] = 0;
      if (w.padBegin[i] < 0 || w.padEnd[i] < 0)
        return node.emitError() << "pads must not be negative", failure();
      w.out.push_back(ShapedType::kDynamic);
      w.extraEnd.push_back(0);
      continue;
    }
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (w.in[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - w.in[i]);
      w.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.padEnd[i] = total - w.padBegin[i];
    } else if (autoPad == "VALID") {
      w.padBegin[i] = w.padEnd[i] = 0;
    } else if (autoPad != "NOTSET") {
      return node.emitError() << "unknown auto_pad '" << autoPad << "'", failure();
    }
    if (w.padBegin[i] < 0 || w.padEnd[i] < 0)
      return node.emitError() << "pads must not be negative", failure();
    int64_t room = w.in[i] + w.padBegin[i] + w.padEnd[i] - span;
    if (room < 0)
      return node.emitError() << "the window (" << span << ") is larger than padded dim " << i
                              << " (" << w.in[i] + w.padBegin[i] + w.padEnd[i] << ")",
             failure();
    int64_t out = (ceil ? (room + w.strides[i] - 1) / w.strides[i] : room / w.strides[i]) + 1;
    // ceil_mode: a window may not start in the end padding (ONNX's rule).
    if (ceil && (out - 1) * w.strides[i] >= w.in[i] + w.padBegin[i])
      --out;
    w.out.push_back(out);
    int64_t needed = (out - 1) * w.strides[i] + span;
    w.extraEnd.push_back(std::max<int64_t>(0, needed - (w.in[i] + w.padBegin[i] + w.padEnd[i])));
  }
  return w;
}

/// Pads the spatial dims (from dim 2) of `x` with `fill`.
Value padSpatial(OpBuilder &b, Location loc, Value x, const Window &w, Value fill) {
  size_t k = w.in.size();
  bool any = false;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  for (size_t i = 0; i < k; ++i) {
    int64_t hi = w.padEnd[i] + w.extraEnd[i];
    any |= w.padBegin[i] || hi;
    low.push_back(b.getIndexAttr(w.padBegin[i]));
    high.push_back(b.getIndexAttr(hi));
  }
  if (!any)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < k; ++i)
    if (!ShapedType::isDynamic(shape[2 + i]))
      shape[2 + i] += w.padBegin[i] + w.padEnd[i] + w.extraEnd[i];
  return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, type.getElementType()), x, low,
                               high, fill)
      .getResult();
}

/// The spatial sizes of `x` ([N, C, D...]), which must be static unless
/// `allowDynamic`; the channel count must be static. Or an error.
FailureOr<SmallVector<int64_t>> spatialSizes(OnnxNode &node, Value x, StringRef what,
                                             bool allowDynamic = false) {
  auto type = tensorType(x);
  if (type.getRank() < 3)
    return node.emitError() << what << " must be [N, C, D1, ...], got " << x.getType(), failure();
  SmallVector<int64_t> s(type.getShape().drop_front(2));
  if (type.isDynamicDim(1))
    return node.emitError() << what << " needs a static channel count, got " << x.getType()
                            << " (pin it with --input-shape)",
           failure();
  if (!allowDynamic && llvm::any_of(s, ShapedType::isDynamic))
    return node.emitError() << what << " needs static channel and spatial sizes, got "
                            << x.getType() << " (pin them with --input-shape)",
           failure();
  return s;
}

/// y [N, M, D1..Dk] + bias [M] (broadcast over the spatial dims), in `ct`.
FailureOr<Value> addChannelBias(OnnxNode &node, Value y, Value bias, size_t k, Type ct) {
  if (rankOf(bias) != 1)
    return node.emitError() << "B must be 1-D [M], got " << bias.getType(), failure();
  OpBuilder &b = node.builder();
  SmallVector<int64_t> trailing;
  for (size_t i = 0; i < k; ++i)
    trailing.push_back(1 + i);
  Value b3 = insertUnitDims(b, node.loc(), castTensor(b, node.loc(), bias, ct), trailing);
  return elementwise(node, {y, b3}, ct, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return isFloatLike(a[0].getType()) ? Value(arith::AddFOp::create(nb, l, a[0], a[1]))
                                       : Value(arith::AddIOp::create(nb, l, a[0], a[1]));
  });
}

/// The convolution of `xv` [N, C, D...] with `wv` [M, C/group, K...] (plus `bias`
/// [M] when given), for float or integer (ConvInteger, as i32) element types.
FailureOr<Value> buildConv(OnnxNode &node, Value xv, Value wv, Value biasV) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(xv);
  FailureOr<SmallVector<int64_t>> in = spatialSizes(node, xv, "X", /*allowDynamic=*/true);
  if (failed(in))
    return failure();
  auto wt = tensorType(wv);
  size_t k = in->size();
  if (wt.getRank() != static_cast<int64_t>(k) + 2 || !wt.hasStaticShape())
    return node.emitError() << "W must be a static [M, C/group, K1..K" << k << "], got " << wv.getType(), failure();
  int64_t c = tensorType(xv).getDimSize(1), m = wt.getDimSize(0), cg = wt.getDimSize(1);
  int64_t groups = node.getInt("group", 1);
  if (groups <= 0 || c % groups || m % groups || cg * groups != c)
    return node.emitError() << "group " << groups << " does not divide " << c << " input and " << m
                            << " output channels into W's " << cg << " per group", failure();
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  if (auto ks = node.getInts("kernel_shape"); ks && SmallVector<int64_t>(*ks) != kernel)
    return node.emitError() << "kernel_shape disagrees with W " << wv.getType(), failure();
  FailureOr<Window> win = windowOf(node, *in, kernel, /*allowCeil=*/false);
  if (failed(win))
    return failure();
  // Two convolutions over static images, unpadded, are matrix products over
  // the flattened image: convolve [N, C', P] with W as [M, C' / group, 1],
  // then give the output its dims back. The microkernels' vector dim is then
  // the whole image, not one of its rows.
  // - A 1x1 kernel with unit strides (any dilation: a 1x1 kernel has none):
  //   C' = C, P = D1 * .. * Dk, both reshapes views. A 1x1 128 -> 48
  //   convolution over 8x8 ran at half the FMA peak on 8-lane rows.
  // - A 2-D patch embedding or downsampling (stride = kernel, no dilation,
  //   one group) with output rows shorter than a vector tile, after one copy
  //   of the image into patch order: [N, C, Ho, kh, Wo, kw] (a view)
  //   transposed to [N, C, kh, kw, Ho, Wo], so C' = C * kh * kw (W's own
  //   order) and P = Ho * Wo. ConvNeXt's 2x2 downsampling to 4x4 ran at 13%
  //   of the FMA peak on 4-lane rows.
  SmallVector<int64_t> spatialOut = win->out;
  size_t spatialRank = k;
  auto allEqual = [](ArrayRef<int64_t> v, int64_t x) {
    return llvm::all_of(v, [&](int64_t e) { return e == x; });
  };
  bool unpadded = allEqual(win->padBegin, 0) && allEqual(win->padEnd, 0) &&
                  allEqual(win->extraEnd, 0) && llvm::none_of(*in, ShapedType::isDynamic);
  bool pointwise = k >= 2 && unpadded && allEqual(kernel, 1) && allEqual(win->strides, 1);
  bool patches = k == 2 && unpadded && allEqual(win->dilations, 1) && groups == 1 &&
                 win->strides == kernel && !allEqual(kernel, 1) && (*in)[0] % kernel[0] == 0 &&
                 (*in)[1] % kernel[1] == 0 && win->out[1] < 16;
  if (pointwise || patches) {
    SmallVector<OpFoldResult> xs0 = mixedSizes(b, loc, xv);
    int64_t pixels = 1, rows = cg;
    for (int64_t s : win->out)
      pixels *= s;
    if (patches) {
      int64_t ho = win->out[0], wo = win->out[1];
      Value split = reshapeTo(b, loc, xv,
                              {xs0[0], xs0[1], b.getIndexAttr(ho), b.getIndexAttr(kernel[0]),
                               b.getIndexAttr(wo), b.getIndexAttr(kernel[1])});
      xv = transposeTensor(b, loc, split, {0, 1, 3, 5, 2, 4});
      rows = c * kernel[0] * kernel[1];
      c = cg = rows;
    }
    xv = reshapeTo(b, loc, xv, {xs0[0], b.getIndexAttr(c), b.getIndexAttr(pixels)});
    wv = reshapeTo(b, loc, wv, {b.getIndexAttr(m), b.getIndexAttr(rows), b.getIndexAttr(1)});
    kernel = {1};
    Window flat;
    flat.in = flat.out = {pixels};
    flat.kernel = flat.strides = flat.dilations = {1};
    flat.padBegin = flat.padEnd = flat.extraEnd = {0};
    *win = flat;
    k = 1;
  }
  Type ct = computeType(b, elt);
  Value xp = padSpatial(b, loc, xv, *win, scalarConstant(b, loc, elt, 0));
  int64_t mg = m / groups;
  // [N, C, D...] -> [N, G, Cg, D...] and [M, Cg, K...] -> [G, Mg, Cg, K...].
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, xp);
  SmallVector<OpFoldResult> xg = {xs[0], b.getIndexAttr(groups), b.getIndexAttr(cg)};
  xg.append(xs.begin() + 2, xs.end());
  Value x5 = reshapeTo(b, loc, xp, xg);
  SmallVector<OpFoldResult> wg = {b.getIndexAttr(groups), b.getIndexAttr(mg), b.getIndexAttr(cg)};
  for (int64_t s : kernel)
    wg.push_back(b.getIndexAttr(s));
  Value w5 = reshapeTo(b, loc, wv, wg);
  // Loops: n, g, mg, o1..ok (parallel); cg, k1..kk (reduction).
  unsigned nd = 3 + k + 1 + k;
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1), d(3 + k)}, we = {d(1), d(2), d(3 + k)},
                          oe = {d(0), d(1), d(2)};
  for (size_t i = 0; i < k; ++i) {
    xe.push_back(d(3 + i) * win->strides[i] + d(4 + k + i) * win->dilations[i]);
    we.push_back(d(4 + k + i));
    oe.push_back(d(3 + i));
  }
  SmallVector<OpFoldResult> os = {xs[0], b.getIndexAttr(groups), b.getIndexAttr(mg)};
  for (auto [i, o] : llvm::enumerate(win->out)) {
    if (!ShapedType::isDynamic(o)) {
      os.push_back(b.getIndexAttr(o));
      continue;
    }
    // floor((padded - span) / stride) + 1 at run time; 0 when the window does not
    // fit (an input shorter than the kernel gives an empty output).
    int64_t span = win->dilations[i] * (win->kernel[i] - 1) + 1;
    Value room = arith::SubIOp::create(b, loc, indexValue(b, loc, xs[2 + i]),
                                       arith::ConstantIndexOp::create(b, loc, span));
    Value q = arith::FloorDivSIOp::create(b, loc, room, arith::ConstantIndexOp::create(b, loc, win->strides[i]));
    Value count = arith::AddIOp::create(b, loc, q, arith::ConstantIndexOp::create(b, loc, 1));
    os.push_back(arith::MaxSIOp::create(b, loc, count, arith::ConstantIndexOp::create(b, loc, 0)).getResult());
  }
  Value acc = filledTensor(b, loc, os, scalarConstant(b, loc, ct, 0));
  SmallVector<utils::IteratorType> iters(3 + k, utils::IteratorType::parallel);
  iters.append(1 + k, utils::IteratorType::reduction);
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{acc.getType()}, ValueRange{x5, w5}, ValueRange{acc},
                ArrayRef<AffineMap>{AffineMap::get(nd, 0, xe, ctx), AffineMap::get(nd, 0, we, ctx),
                                    AffineMap::get(nd, 0, oe, ctx)},
                iters,
                [&](OpBuilder &nb, Location l, ValueRange a) {
                  Value x0 = convertScalar(nb, l, a[0], ct), w0 = convertScalar(nb, l, a[1], ct);
                  Value sum = isFloatLike(ct)
                                  ? Value(arith::AddFOp::create(nb, l, a[2], arith::MulFOp::create(nb, l, x0, w0)))
                                  : Value(arith::AddIOp::create(nb, l, a[2], arith::MulIOp::create(nb, l, x0, w0)));
                  linalg::YieldOp::create(nb, l, ValueRange{sum});
                })
                .getResult(0);
  SmallVector<OpFoldResult> flat = {os[0], b.getIndexAttr(m)};
  flat.append(os.begin() + 3, os.end());
  y = reshapeTo(b, loc, y, flat);
  if (spatialRank != k) {
    // The flattened image gets its dims back.
    SmallVector<OpFoldResult> full = {os[0], b.getIndexAttr(m)};
    for (int64_t s : spatialOut)
      full.push_back(b.getIndexAttr(s));
    y = reshapeTo(b, loc, y, full);
  }
  if (biasV) {
    FailureOr<Value> sum = addChannelBias(node, y, biasV, spatialRank, ct);
    if (failed(sum))
      return failure();
    y = *sum;
  }
  return castTensor(b, loc, y, elt);
}

LogicalResult convertConv(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "X"), w = node.rankedInput(1, "W");
  if (failed(x) || failed(w))
    return failure();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt) || elementTypeOf(*w) != elt)
    return node.emitError() << "needs floating-point X and W of one type, got " << x->getType()
                            << " and " << w->getType();
  Value bias;
  if (node.hasInput(2)) {
    FailureOr<Value> bv = node.rankedInput(2, "B");
    if (failed(bv))
      return failure();
    bias = *bv;
  }
  return appendResult(results, buildConv(node, *x, *w, bias));
}

LogicalResult convertConvInteger(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // The convolution of (x - x_zero_point) and (w - w_zero_point) in i32; a 1-D
  // w_zero_point is per output channel. Padding reads as the zero point.
  FailureOr<Value> x = widenMinusZeroPoint(node, 0, 2, -1),
                   w = widenMinusZeroPoint(node, 1, 3, 0);
  if (failed(x) || failed(w))
    return failure();
  return appendResult(results, buildConv(node, *x, *w, Value()));
}

LogicalResult convertQLinearConv(OnnxNode &node, SmallVectorImpl<Value> &results) {
  // x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B:
  // the integer convolution plus B (i32), requantized; a 1-D w_scale is per
  // output channel.
  FailureOr<Value> x = widenMinusZeroPoint(node, 0, 2, -1),
                   w = widenMinusZeroPoint(node, 3, 5, 0);
  FailureOr<Value> xs = node.rankedInput(1, "x_scale"), ws = node.rankedInput(4, "w_scale"),
                   ys = node.rankedInput(6, "y_scale");
  if (failed(x) || failed(w) || failed(xs) || failed(ws) || failed(ys))
    return failure();
  Value bias = node.input(8);
  if (bias && elementTypeOf(bias) != node.builder().getI32Type())
    return node.emitError() << "B must be int32, got " << bias.getType();
  FailureOr<Value> acc = buildConv(node, *x, *w, bias);
  if (failed(acc))
    return failure();
  Value wScale = *ws;
  if (rankOf(wScale) == 1 && tensorType(wScale).getDimSize(0) != 1) {
    SmallVector<int64_t> trailing;
    for (int64_t d = 2; d < rankOf(*acc); ++d)
      trailing.push_back(d - 1);
    wScale = insertUnitDims(node.builder(), node.loc(), wScale, trailing);
  }
  return appendResult(results, requantize(node, *acc, *xs, wScale, *ys, 7,
                                          elementTypeOf(node.input(0)), node.isUnsignedInput(0)));
}

/// ConvTranspose: Y[n, g*Mg + m, o] = B[..] + sum over c < Cg and kernel k of
/// X[n, g*Cg + c, i] * W[g*Cg + c, m, k] where o = i * stride + k * dilation -
/// pad_begin. Written as a gather over the output: each output point reads the
/// input at (o + pad_begin - k * dilation) / stride where that divides and is in
/// range. Pads and output sizes follow ONNX's reference: explicit pads (default
/// 0) give output = stride * (in - 1) + output_padding + span - pads, unless
/// output_shape says; SAME_UPPER/SAME_LOWER without pads split the padding that
/// makes the output output_shape (default in * stride).
LogicalResult convertConvTranspose(OnnxNode &node, SmallVectorImpl<Value> &results) {
  FailureOr<Value> x = node.rankedInput(0, "X"), wv = node.rankedInput(1, "W");
  if (failed(x) || failed(wv))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt) || elementTypeOf(*wv) != elt)
    return node.emitError() << "needs floating-point X and W of one type, got " << x->getType()
                            << " and " << wv->getType();
  FailureOr<SmallVector<int64_t>> in = spatialSizes(node, *x, "X", /*allowDynamic=*/true);
  if (failed(in))
    return failure();
  size_t k = in->size();
  auto wt = tensorType(*wv);
  if (wt.getRank() != static_cast<int64_t>(k) + 2 || !wt.hasStaticShape())
    return node.emitError() << "W must be a static [C, M/group, K1..K" << k << "], got " << wv->getType();
  int64_t c = tensorType(*x).getDimSize(1), groups = node.getInt("group", 1);
  if (groups <= 0 || c % groups || wt.getDimSize(0) != c)
    return node.emitError() << "group " << groups << " does not divide X's " << c
                            << " channels, or W " << wv->getType() << " does not take them";
  int64_t cg = c / groups, mg = wt.getDimSize(1), m = mg * groups;
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  auto list = [&](StringRef name, int64_t dflt, size_t n) -> FailureOr<SmallVector<int64_t>> {
    std::optional<SmallVector<int64_t>> v = node.getInts(name);
    if (!v)
      return SmallVector<int64_t>(n, dflt);
    if (v->size() != n)
      return node.emitError() << "'" << name << "' has " << v->size() << " entries, expected " << n,
             failure();
    return *v;
  };
  FailureOr<SmallVector<int64_t>> strides = list("strides", 1, k), dil = list("dilations", 1, k),
                                  outPad = list("output_padding", 0, k);
  if (failed(strides) || failed(dil) || failed(outPad))
    return failure();
  if (auto ks = node.getInts("kernel_shape"); ks && SmallVector<int64_t>(*ks) != kernel)
    return node.emitError() << "kernel_shape disagrees with W " << wv->getType();
  for (size_t i = 0; i < k; ++i)
    if ((*strides)[i] <= 0 || (*dil)[i] <= 0)
      return node.emitError() << "strides and dilations must be positive";
  std::optional<SmallVector<int64_t>> outputShape = node.getInts("output_shape");
  if (outputShape && outputShape->size() == k + 2)
    outputShape = SmallVector<int64_t>(outputShape->begin() + 2, outputShape->end());
  if (outputShape && outputShape->size() != k)
    return node.emitError() << "output_shape has " << outputShape->size() << " entries, expected " << k;
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> padsAttr = node.getInts("pads");
  if (padsAttr && padsAttr->size() != 2 * k)
    return node.emitError() << "'pads' has " << padsAttr->size() << " entries, expected " << 2 * k;
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!same && autoPad != "NOTSET" && autoPad != "VALID")
    return node.emitError() << "unknown auto_pad '" << autoPad << "'";
  SmallVector<int64_t> padBegin(k, 0);
  SmallVector<OpFoldResult> outSizes;
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, *x);
  for (size_t i = 0; i < k; ++i) {
    int64_t span = (*dil)[i] * (kernel[i] - 1) + 1, st = (*strides)[i];
    if (same && !padsAttr) {
      // total = stride * (in - 1) + output_padding + span - out.
      if (ShapedType::isDynamic((*in)[i]) && outputShape)
        return node.emitError() << "output_shape with auto_pad needs a static size for spatial dim " << i;
      int64_t total = outputShape ? st * ((*in)[i] - 1) + (*outPad)[i] + span - (*outputShape)[i]
                                  : (*outPad)[i] + span - st; // out = in * stride
      // Python's floor division, as ONNX's reference (total may be negative).
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      padBegin[i] = autoPad == "SAME_UPPER" ? half : total - half;
      if (outputShape) {
        outSizes.push_back(b.getIndexAttr((*outputShape)[i]));
      } else if (!ShapedType::isDynamic((*in)[i])) {
        outSizes.push_back(b.getIndexAttr((*in)[i] * st));
      } else {
        outSizes.push_back(mulSizes(b, loc, xs[2 + i], b.getIndexAttr(st)));
      }
      continue;
    }
    int64_t pb = padsAttr && autoPad != "VALID" ? (*padsAttr)[i] : 0;
    int64_t pe = padsAttr && autoPad != "VALID" ? (*padsAttr)[k + i] : 0;
    if (pb < 0 || pe < 0)
      return node.emitError() << "pads must not be negative";
    padBegin[i] = pb;
    int64_t extra = (*outPad)[i] + span - pb - pe - st; // out = stride * in + extra
    if (outputShape) {
      outSizes.push_back(b.getIndexAttr((*outputShape)[i]));
    } else if (!ShapedType::isDynamic((*in)[i])) {
      int64_t o = st * (*in)[i] + extra;
      if (o <= 0)
        return node.emitError() << "the output of spatial dim " << i << " would be empty (" << o << ")";
      outSizes.push_back(b.getIndexAttr(o));
    } else {
      outSizes.push_back(addSizes(b, loc, mulSizes(b, loc, xs[2 + i], b.getIndexAttr(st)), b.getIndexAttr(extra)));
    }
  }
  Type ct = computeType(b, elt);
  // W [C, Mg, K...] -> [G, Cg, Mg, K...]; loops n, g, mg, o... (parallel), cg, k... (reduction).
  SmallVector<OpFoldResult> wg = {b.getIndexAttr(groups), b.getIndexAttr(cg), b.getIndexAttr(mg)};
  for (int64_t s : kernel)
    wg.push_back(b.getIndexAttr(s));
  Value w5 = reshapeTo(b, loc, *wv, wg);
  unsigned nd = 3 + k + 1 + k;
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> we = {d(1), d(3 + k), d(2)}, oe = {d(0), d(1), d(2)};
  for (size_t i = 0; i < k; ++i) {
    we.push_back(d(4 + k + i));
    oe.push_back(d(3 + i));
  }
  SmallVector<OpFoldResult> os = {xs[0], b.getIndexAttr(groups), b.getIndexAttr(mg)};
  os.append(outSizes.begin(), outSizes.end());
  Value acc = filledTensor(b, loc, os, scalarConstant(b, loc, ct, 0));
  SmallVector<utils::IteratorType> iters(3 + k, utils::IteratorType::parallel);
  iters.append(1 + k, utils::IteratorType::reduction);
  Value input = *x;
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{acc.getType()}, ValueRange{w5}, ValueRange{acc},
                ArrayRef<AffineMap>{AffineMap::get(nd, 0, we, ctx), AffineMap::get(nd, 0, oe, ctx)}, iters,
                [&](OpBuilder &nb, Location l, ValueRange a) {
                  auto ci = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v).getResult(); };
                  Value valid = arith::ConstantOp::create(nb, l, nb.getBoolAttr(true));
                  SmallVector<Value> at = {linalg::IndexOp::create(nb, l, 0)};
                  // Channel g * Cg + cg.
                  at.push_back(arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, linalg::IndexOp::create(nb, l, 1), ci(cg)),
                                                     linalg::IndexOp::create(nb, l, 3 + k)));
                  for (size_t i = 0; i < k; ++i) {
                    Value o = linalg::IndexOp::create(nb, l, 3 + i), kk = linalg::IndexOp::create(nb, l, 4 + k + i);
                    Value t = arith::SubIOp::create(nb, l, arith::AddIOp::create(nb, l, o, ci(padBegin[i])),
                                                    arith::MulIOp::create(nb, l, kk, ci((*dil)[i])));
                    Value q = arith::DivSIOp::create(nb, l, t, ci((*strides)[i]));
                    Value r = arith::RemSIOp::create(nb, l, t, ci((*strides)[i]));
                    Value n = indexValue(nb, l, xs[2 + i]);
                    Value ok = arith::AndIOp::create(
                        nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, t, ci(0)),
                        arith::AndIOp::create(nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, r, ci(0)),
                                              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, q, n)));
                    valid = arith::AndIOp::create(nb, l, valid, ok);
                    at.push_back(arith::SelectOp::create(nb, l, ok, q, ci(0)));
                  }
                  Value xv = convertScalar(nb, l, tensor::ExtractOp::create(nb, l, input, at), ct);
                  Value prod = arith::MulFOp::create(nb, l, xv, convertScalar(nb, l, a[0], ct));
                  prod = arith::SelectOp::create(nb, l, valid, prod, scalarConstant(nb, l, ct, 0));
                  linalg::YieldOp::create(nb, l, ValueRange{arith::AddFOp::create(nb, l, a[1], prod)});
                })
                .getResult(0);
  SmallVector<OpFoldResult> flat = {os[0], b.getIndexAttr(m)};
  flat.append(os.begin() + 3, os.end());
  y = reshapeTo(b, loc, y, flat);
  if (node.hasInput(2)) {
    FailureOr<Value> bias = node.rankedInput(2, "B");
    if (failed(bias))
      return failure();
    FailureOr<Value> sum = addChannelBias(node, y, *bias, k, ct);
    if (failed(sum))
      return failure();
    y = *sum;
  }
  results.push_back(castTensor(b, loc, y, elt));
  return success();
}

enum class Pool { Max, Average, Lp };

LogicalResult convertPool(OnnxNode &node, SmallVectorImpl<Value> &results, Pool kind) {
  FailureOr<Value> x = node.rankedInput(0, "X");
  if (failed(x))
    return failure();
  if (node.outputUsed(1))
    return node.emitError() << "the Indices output is not supported";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt))
    return node.emitError() << "needs a floating-point input, got " << x->getType();
  FailureOr<SmallVector<int64_t>> in = spatialSizes(node, *x, "X");
  if (failed(in))
    return failure();
  size_t k = in->size();
  std::optional<SmallVector<int64_t>> kernel = node.getInts("kernel_shape");
  if (!kernel || kernel->size() != k)
    return node.emitError() << "kernel_shape must give " << k << " sizes";
  FailureOr<Window> win = windowOf(node, *in, *kernel, /*allowCeil=*/true);
  if (failed(win))
    return failure();
  Type ct = computeType(b, elt);
  bool includePad = node.getInt("count_include_pad", 0) != 0;
  float p = static_cast<float>(node.getInt("p", 2));
  Value fill = kind == Pool::Max ? lowestScalar(b, loc, elt) : scalarConstant(b, loc, elt, 0);
  Value xp = padSpatial(b, loc, *x, *win, fill);
  // Loops: n, c, o1..ok (parallel); k1..kk (reduction).
  unsigned nd = 2 + 2 * k;
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe = {d(0), d(1)}, oe = {d(0), d(1)}, ke;
  for (size_t i = 0; i < k; ++i) {
    xe.push_back(d(2 + i) * win->strides[i] + d(2 + k + i) * win->dilations[i]);
    oe.push_back(d(2 + i));
    ke.push_back(d(2 + k + i));
  }
  // A shape-only operand that gives the window loops their bounds (linalg infers
  // loop ranges from operand shapes), as linalg's named pooling ops do.
  SmallVector<OpFoldResult> ks;
  for (int64_t s : win->kernel)
    ks.push_back(b.getIndexAttr(s));
  Value windowShape = emptyTensor(b, loc, ks, ct);
  SmallVector<OpFoldResult> xs = mixedSizes(b, loc, *x), os = {xs[0], xs[1]};
  for (int64_t o : win->out)
    os.push_back(b.getIndexAttr(o));
  Value init = kind == Pool::Max ? lowestScalar(b, loc, ct) : scalarConstant(b, loc, ct, 0);
  Value acc = filledTensor(b, loc, os, init);
  SmallVector<utils::IteratorType> iters(2 + k, utils::IteratorType::parallel);
  iters.append(k, utils::IteratorType::reduction);
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{acc.getType()}, ValueRange{xp, windowShape}, ValueRange{acc},
                ArrayRef<AffineMap>{AffineMap::get(nd, 0, xe, ctx), AffineMap::get(nd, 0, ke, ctx),
                                    AffineMap::get(nd, 0, oe, ctx)},
                iters,
                [&](OpBuilder &nb, Location l, ValueRange a) {
                  Value v = convertScalar(nb, l, a[0], ct);
                  Value r;
                  if (kind == Pool::Max)
                    r = maxScalar(nb, l, a[2], v);
                  else if (kind == Pool::Average)
                    r = arith::AddFOp::create(nb, l, a[2], v);
                  else
                    r = arith::AddFOp::create(
                        nb, l, a[2],
                        math::PowFOp::create(nb, l, math::AbsFOp::create(nb, l, v),
                                             scalarConstant(nb, l, ct, p)));
                  linalg::YieldOp::create(nb, l, ValueRange{r});
                })
                .getResult(0);
  if (kind == Pool::Lp) {
    FailureOr<Value> r = elementwise(node, {y}, ct, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      return math::PowFOp::create(nb, l, a[0], scalarConstant(nb, l, ct, 1.0 / p));
    });
    if (failed(r))
      return failure();
    y = *r;
  } else if (kind == Pool::Average) {
    // Divide by the window's element count: the taps inside the input (and, with
    // count_include_pad, inside the explicit pads), never the ceil_mode overhang.
    SmallVector<OpFoldResult> spatial(os.begin() + 2, os.end());
    Value cnt = emptyTensor(b, loc, spatial, ct);
    SmallVector<AffineExpr> se;
    for (size_t i = 0; i < k; ++i)
      se.push_back(d(i));
    unsigned sd = k;
    Value counts = linalg::GenericOp::create(
                       b, loc, TypeRange{cnt.getType()}, ValueRange{}, ValueRange{cnt},
                       ArrayRef<AffineMap>{AffineMap::get(sd, 0, se, ctx)},
                       SmallVector<utils::IteratorType>(sd, utils::IteratorType::parallel),
                       [&](OpBuilder &nb, Location l, ValueRange) {
                         Value total = arith::ConstantIndexOp::create(nb, l, 1);
                         for (size_t i = 0; i < k; ++i) {
                           // Taps j = 0..K-1 at pos = o*s + j*dil - padBegin, valid in [lo, hi).
                           int64_t lo = includePad ? -win->padBegin[i] : 0;
                           int64_t hi = includePad ? win->in[i] + win->padEnd[i] : win->in[i];
                           Value o = linalg::IndexOp::create(nb, l, i);
                           Value n = arith::ConstantIndexOp::create(nb, l, 0);
                           for (int64_t j = 0; j < win->kernel[i]; ++j) {
                             Value pos = arith::AddIOp::create(
                                 nb, l, arith::MulIOp::create(nb, l, o, arith::ConstantIndexOp::create(nb, l, win->strides[i])),
                                 arith::ConstantIndexOp::create(nb, l, j * win->dilations[i] - win->padBegin[i]));
                             Value ok = arith::AndIOp::create(
                                 nb, l,
                                 arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, pos,
                                                       arith::ConstantIndexOp::create(nb, l, lo)),
                                 arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, pos,
                                                       arith::ConstantIndexOp::create(nb, l, hi)));
                             n = arith::AddIOp::create(
                                 nb, l, n,
                                 arith::SelectOp::create(nb, l, ok, arith::ConstantIndexOp::create(nb, l, 1),
                                                         arith::ConstantIndexOp::create(nb, l, 0)));
                           }
                           total = arith::MulIOp::create(nb, l, total, n);
                         }
                         Value asInt = arith::IndexCastOp::create(nb, l, nb.getI64Type(), total);
                         linalg::YieldOp::create(nb, l, ValueRange{arith::SIToFPOp::create(nb, l, ct, asInt)});
                       })
                       .getResult(0);
    FailureOr<Value> r = elementwise(node, {y, counts}, ct, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
      return arith::DivFOp::create(nb, l, a[0], a[1]);
    });
    if (failed(r))
      return failure();
    y = *r;
  }
  results.push_back(castTensor(b, loc, y, elt));
  return success();
}

LogicalResult convertGlobalPool(OnnxNode &node, SmallVectorImpl<Value> &results, Pool kind) {
  FailureOr<Value> x = node.rankedInput(0, "X");
  if (failed(x))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Type elt = elementTypeOf(*x);
  if (!isFloatLike(elt) || rankOf(*x) < 2)
    return node.emitError() << "needs a floating-point [N, C, ...] input, got " << x->getType();
  Type ct = computeType(b, elt);
  Value input = castTensor(b, loc, *x, ct);
  SmallVector<int64_t> axes;
  for (int64_t dim = 2; dim < rankOf(*x); ++dim)
    axes.push_back(dim);
  Value y;
  if (kind == Pool::Max) {
    y = reduce(b, loc, input, axes, /*keepDims=*/true, lowestScalar(b, loc, ct),
               [](OpBuilder &nb, Location l, Value a, Value v) { return maxScalar(nb, l, a, v); });
  } else {
    y = reduce(b, loc, input, axes, /*keepDims=*/true, scalarConstant(b, loc, ct, 0),
               [](OpBuilder &nb, Location l, Value a, Value v) -> Value {
                 return arith::AddFOp::create(nb, l, a, v);
               });
    Value n = elementCountAs(b, loc, input, axes, ct);
    FailureOr<Value> r = elementwise(node, {y}, ct, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      return arith::DivFOp::create(nb, l, a[0], n);
    });
    if (failed(r))
      return failure();
    y = *r;
  }
  results.push_back(castTensor(b, loc, y, elt));
  return success();
}

} // namespace

void hybrid::onnx_conv::populateConvConverters(ConverterTable &t) {
  t.add("", "ConvInteger", 10, convertConvInteger);
  t.add("", "QLinearConv", 10, convertQLinearConv);
  t.add("", "Conv", 1, convertConv);
  t.add("", "ConvTranspose", 1, convertConvTranspose);
  t.add("", "MaxPool", 1, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    if (n.getInt("storage_order", 0) != 0 && n.outputUsed(1))
      return n.emitError() << "storage_order is not supported";
    return convertPool(n, r, Pool::Max);
  });
  t.add("", "AveragePool", 1, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertPool(n, r, Pool::Average);
  });
  t.add("", "LpPool", 1, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertPool(n, r, Pool::Lp);
  });
  t.add("", "GlobalAveragePool", 1, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertGlobalPool(n, r, Pool::Average);
  });
  t.add("", "GlobalMaxPool", 1, [](OnnxNode &n, SmallVectorImpl<Value> &r) -> LogicalResult {
    return convertGlobalPool(n, r, Pool::Max);
  });
}
