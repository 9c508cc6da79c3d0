//===- Fold.cpp - integer shape arithmetic evaluated at conversion time ---===//
//
// Exporters compute shapes and axes with small integer subgraphs: Shape -> Gather
// -> Concat -> Reshape, Size -> Range -> ReduceMean axes, Slice of a shape, and so
// on. Converters need those values as constants (a reduction's axes decide the
// result type), so when every input of such a node is a constant integer tensor
// (or, for Shape and Size, has a static shape) the node is evaluated here, in
// int64 arithmetic with numpy broadcasting, and replaced by an arith.constant.
// Anything else (floats, unsigned or dynamic values, large tensors) is left to
// the node's converter.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/ConvertONNX.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSwitch.h"

#include <functional>

using namespace mlir;
using namespace hybrid::onnx_conv;

namespace {

/// Tensors larger than this are not folded (shape values are tiny).
constexpr int64_t kMaxFoldElements = 1 << 14;

struct IntTensor {
  SmallVector<int64_t> shape;
  SmallVector<int64_t> data;
  unsigned bits = 64; // 1 for booleans

  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Input `i` as a constant signed-integer or boolean tensor.
std::optional<IntTensor> constantInput(OnnxNode &node, unsigned i) {
  Value v = node.input(i);
  if (!v || node.isUnsignedInput(i))
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isSignlessInteger() ||
      type.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  std::optional<SmallVector<int64_t>> values = node.constantInts(i);
  if (!values)
    return std::nullopt;
  IntTensor t;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  t.data = std::move(*values);
  t.bits = type.getElementType().getIntOrFloatBitWidth();
  if (t.size() != product(t.shape))
    return std::nullopt;
  return t;
}

/// Numpy broadcasting of several tensors; nullopt when the shapes do not broadcast.
std::optional<SmallVector<int64_t>> broadcastShape(ArrayRef<const IntTensor *> ts) {
  size_t rank = 0;
  for (const IntTensor *t : ts)
    rank = std::max(rank, t->shape.size());
  SmallVector<int64_t> out(rank, 1);
  for (const IntTensor *t : ts) {
    size_t lead = rank - t->shape.size();
    for (size_t d = 0; d < t->shape.size(); ++d) {
      int64_t s = t->shape[d];
      int64_t &o = out[lead + d];
      if (s == o || s == 1)
        continue;
      if (o != 1)
        return std::nullopt;
      o = s;
    }
  }
  return out;
}

/// The element of `t` that position `idx` of a broadcast result reads.
int64_t broadcastRead(const IntTensor &t, ArrayRef<int64_t> idx) {
  size_t lead = idx.size() - t.shape.size();
  int64_t flat = 0;
  for (size_t d = 0; d < t.shape.size(); ++d)
    flat = flat * t.shape[d] + (t.shape[d] == 1 ? 0 : idx[lead + d]);
  return t.data[flat];
}

std::optional<IntTensor> elementwise(ArrayRef<const IntTensor *> ins, unsigned bits,
                                     const std::function<std::optional<int64_t>(ArrayRef<int64_t>)> &fn) {
  std::optional<SmallVector<int64_t>> shape = broadcastShape(ins);
  if (!shape)
    return std::nullopt;
  IntTensor out;
  out.shape = *shape;
  out.bits = bits;
  int64_t n = product(out.shape);
  SmallVector<int64_t> strides = stridesOf(out.shape), idx(out.shape.size()), args(ins.size());
  for (int64_t flat = 0; flat < n; ++flat) {
    for (size_t d = 0, rem = flat; d < idx.size(); ++d) {
      idx[d] = rem / strides[d];
      rem %= strides[d];
    }
    for (auto [k, t] : llvm::enumerate(ins))
      args[k] = broadcastRead(*t, idx);
    std::optional<int64_t> r = fn(args);
    if (!r)
      return std::nullopt;
    out.data.push_back(*r);
  }
  return out;
}

/// Wraps `v` to the tensor's element width (two's complement).
int64_t wrap(int64_t v, unsigned bits) {
  if (bits == 1)
    return v != 0;
  if (bits >= 64)
    return v;
  uint64_t mask = (uint64_t{1} << bits) - 1;
  uint64_t u = static_cast<uint64_t>(v) & mask;
  return (u >> (bits - 1)) ? static_cast<int64_t>(u | ~mask) : static_cast<int64_t>(u);
}

std::optional<int64_t> normAxis(int64_t a, int64_t rank) {
  if (a < -rank || a >= rank)
    return std::nullopt;
  return a < 0 ? a + rank : a;
}

/// Evaluates one node; nullopt when it cannot (or should not) be folded.
std::optional<IntTensor> evaluate(OnnxNode &node) {
  StringRef op = node.opType();
  // Shape and Size only need a static input shape.
  if (op == "Shape" || op == "Size") {
    auto type = dyn_cast_or_null<RankedTensorType>(node.input(0) ? node.input(0).getType() : Type());
    if (!type || !type.hasStaticShape())
      return std::nullopt;
    IntTensor t;
    if (op == "Size") {
      t.data = {type.getNumElements()};
      return t;
    }
    int64_t rank = type.getRank();
    auto clampAxis = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + rank : a, 0, rank); };
    int64_t start = clampAxis(node.getInt("start", 0)), end = clampAxis(node.getInt("end", rank));
    for (int64_t d = start; d < end; ++d)
      t.data.push_back(type.getDimSize(d));
    t.shape = {static_cast<int64_t>(t.data.size())};
    return t;
  }

  SmallVector<IntTensor> in;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    if (!node.input(i)) {
      in.emplace_back(); // absent optional input
      in.back().shape = {-1};
      continue;
    }
    std::optional<IntTensor> t = constantInput(node, i);
    if (!t)
      return std::nullopt;
    in.push_back(std::move(*t));
  }
  if (in.empty() || (in[0].shape.size() == 1 && in[0].shape[0] == -1))
    return std::nullopt;
  auto present = [&](unsigned i) { return i < in.size() && !(in[i].shape.size() == 1 && in[i].shape[0] == -1); };
  const IntTensor &x = in[0];
  unsigned bits = x.bits;

  using Bin = std::function<std::optional<int64_t>(int64_t, int64_t)>;
  Bin bin = llvm::StringSwitch<Bin>(op)
                .Case("Add", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a + b; })
                .Case("Sub", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a - b; })
                .Case("Mul", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a * b; })
                .Case("Div",
                      [](int64_t a, int64_t b) -> std::optional<int64_t> {
                        if (b == 0)
                          return std::nullopt;
                        return a / b; // ONNX integer Div truncates, like C++
                      })
                .Case("Mod",
                      [&](int64_t a, int64_t b) -> std::optional<int64_t> {
                        if (b == 0)
                          return std::nullopt;
                        if (node.getInt("fmod", 0))
                          return a % b;
                        int64_t r = a % b; // numpy: the sign of the divisor
                        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
                      })
                .Case("Max", [](int64_t a, int64_t b) -> std::optional<int64_t> { return std::max(a, b); })
                .Case("Min", [](int64_t a, int64_t b) -> std::optional<int64_t> { return std::min(a, b); })
                .Case("Equal", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a == b; })
                .Case("Less", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a < b; })
                .Case("LessOrEqual", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a <= b; })
                .Case("Greater", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a > b; })
                .Case("GreaterOrEqual", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a >= b; })
                .Case("And", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a && b; })
                .Case("Or", [](int64_t a, int64_t b) -> std::optional<int64_t> { return a || b; })
                .Case("Xor", [](int64_t a, int64_t b) -> std::optional<int64_t> { return (a != 0) != (b != 0); })
                .Default(nullptr);
  if (bin) {
    // Max and Min are variadic; the others take two inputs.
    if (in.size() < 2 || ((op != "Max" && op != "Min") && in.size() != 2))
      return std::nullopt;
    bool predicate = llvm::is_contained({"Equal", "Less", "LessOrEqual", "Greater",
                                         "GreaterOrEqual", "And", "Or", "Xor"}, op);
    SmallVector<const IntTensor *> ptrs;
    for (const IntTensor &t : in)
      ptrs.push_back(&t);
    unsigned outBits = predicate ? 1 : bits;
    return elementwise(ptrs, outBits, [&](ArrayRef<int64_t> a) -> std::optional<int64_t> {
      int64_t acc = a[0];
      for (int64_t v : a.drop_front()) {
        std::optional<int64_t> r = bin(acc, v);
        if (!r)
          return std::nullopt;
        acc = *r;
      }
      return wrap(acc, outBits);
    });
  }
  if (op == "Neg" || op == "Abs" || op == "Not" || op == "Identity" || op == "Sign") {
    return elementwise({&x}, bits, [&](ArrayRef<int64_t> a) -> std::optional<int64_t> {
      int64_t v = a[0];
      if (op == "Neg")
        return wrap(-v, bits);
      if (op == "Abs")
        return wrap(v < 0 ? -v : v, bits);
      if (op == "Not")
        return !v;
      if (op == "Sign")
        return (v > 0) - (v < 0);
      return v;
    });
  }
  if (op == "Cast") {
    // Signed integer and boolean targets only (TensorProto codes).
    unsigned toBits = 0;
    switch (node.getInt("to", 0)) {
    case 3: toBits = 8; break;   // INT8
    case 5: toBits = 16; break;  // INT16
    case 6: toBits = 32; break;  // INT32
    case 7: toBits = 64; break;  // INT64
    case 9: toBits = 1; break;   // BOOL
    default: return std::nullopt;
    }
    IntTensor out = x;
    out.bits = toBits;
    for (int64_t &v : out.data)
      v = wrap(v, toBits);
    return out;
  }
  if (op == "Where") {
    if (in.size() != 3)
      return std::nullopt;
    return elementwise({&in[0], &in[1], &in[2]}, in[1].bits,
                       [](ArrayRef<int64_t> a) -> std::optional<int64_t> { return a[0] ? a[1] : a[2]; });
  }
  if (op == "Range") {
    if (in.size() != 3 || x.size() != 1 || in[1].size() != 1 || in[2].size() != 1 || in[2].data[0] == 0)
      return std::nullopt;
    int64_t start = x.data[0], limit = in[1].data[0], delta = in[2].data[0];
    int64_t n = std::max<int64_t>(0, (limit - start + delta + (delta > 0 ? -1 : 1)) / delta);
    if (n > kMaxFoldElements)
      return std::nullopt;
    IntTensor out;
    out.bits = bits;
    for (int64_t i = 0; i < n; ++i)
      out.data.push_back(start + i * delta);
    out.shape = {n};
    return out;
  }
  if (op == "Concat") {
    int64_t rank = static_cast<int64_t>(x.shape.size());
    std::optional<int64_t> axis = normAxis(node.getInt("axis", 0), rank);
    if (!axis)
      return std::nullopt;
    IntTensor out;
    out.bits = bits;
    out.shape = x.shape;
    out.shape[*axis] = 0;
    for (const IntTensor &t : in) {
      if (t.shape.size() != x.shape.size() || t.bits != bits)
        return std::nullopt;
      for (int64_t d = 0; d < rank; ++d)
        if (d != *axis && t.shape[d] != x.shape[d])
          return std::nullopt;
      out.shape[*axis] += t.shape[*axis];
    }
    int64_t outer = product(ArrayRef<int64_t>(x.shape).take_front(*axis));
    for (int64_t o = 0; o < outer; ++o)
      for (const IntTensor &t : in) {
        int64_t chunk = product(ArrayRef<int64_t>(t.shape).drop_front(*axis));
        out.data.append(t.data.begin() + o * chunk, t.data.begin() + (o + 1) * chunk);
      }
    return out;
  }
  if (op == "Gather") {
    if (in.size() != 2)
      return std::nullopt;
    int64_t rank = static_cast<int64_t>(x.shape.size());
    std::optional<int64_t> axis = normAxis(node.getInt("axis", 0), rank);
    if (!axis)
      return std::nullopt;
    const IntTensor &idx = in[1];
    int64_t dim = x.shape[*axis];
    int64_t outer = product(ArrayRef<int64_t>(x.shape).take_front(*axis));
    int64_t inner = product(ArrayRef<int64_t>(x.shape).drop_front(*axis + 1));
    IntTensor out;
    out.bits = bits;
    out.shape.append(x.shape.begin(), x.shape.begin() + *axis);
    out.shape.append(idx.shape.begin(), idx.shape.end());
    out.shape.append(x.shape.begin() + *axis + 1, x.shape.end());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i : idx.data) {
        if (i < -dim || i >= dim)
          return std::nullopt; // out of range: the converter reports it
        int64_t j = i < 0 ? i + dim : i;
        for (int64_t k = 0; k < inner; ++k)
          out.data.push_back(x.data[(o * dim + j) * inner + k]);
      }
    return out;
  }
  if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" || op == "Flatten") {
    IntTensor out = x;
    int64_t rank = static_cast<int64_t>(x.shape.size());
    if (op == "Flatten") {
      std::optional<int64_t> axis = normAxis(node.getInt("axis", 1), rank + 1);
      if (!axis)
        return std::nullopt;
      out.shape = {product(ArrayRef<int64_t>(x.shape).take_front(*axis)),
                   product(ArrayRef<int64_t>(x.shape).drop_front(*axis))};
      return out;
    }
    if (op == "Reshape") {
      if (in.size() != 2 || node.getInt("allowzero", 0))
        return std::nullopt;
      SmallVector<int64_t> shape = in[1].data;
      int64_t infer = -1, known = 1;
      for (auto [d, s] : llvm::enumerate(shape)) {
        if (s == 0) {
          if (static_cast<int64_t>(d) >= rank)
            return std::nullopt;
          s = x.shape[d];
        }
        if (s == -1) {
          if (infer >= 0)
            return std::nullopt;
          infer = d;
          continue;
        }
        if (s < 0)
          return std::nullopt;
        known *= s;
      }
      if (infer >= 0) {
        if (known == 0 || x.size() % known)
          return std::nullopt;
        shape[infer] = x.size() / known;
      }
      if (product(shape) != x.size())
        return std::nullopt;
      out.shape = shape;
      return out;
    }
    // Axes: an input from opset 13, an attribute before.
    SmallVector<int64_t> axes;
    if (present(1))
      axes = in[1].data;
    else if (auto a = node.getInts("axes"))
      axes = *a;
    if (op == "Unsqueeze") {
      int64_t outRank = rank + static_cast<int64_t>(axes.size());
      SmallVector<bool> unit(outRank, false);
      for (int64_t a : axes) {
        std::optional<int64_t> n = normAxis(a, outRank);
        if (!n || unit[*n])
          return std::nullopt;
        unit[*n] = true;
      }
      out.shape.clear();
      for (int64_t d = 0, k = 0; d < outRank; ++d)
        out.shape.push_back(unit[d] ? 1 : x.shape[k++]);
      return out;
    }
    SmallVector<bool> drop(rank, false);
    for (int64_t a : axes) {
      std::optional<int64_t> n = normAxis(a, rank);
      if (!n || x.shape[*n] != 1)
        return std::nullopt;
      drop[*n] = true;
    }
    out.shape.clear();
    for (int64_t d = 0; d < rank; ++d)
      if (!(axes.empty() ? x.shape[d] == 1 : drop[d]))
        out.shape.push_back(x.shape[d]);
    return out;
  }
  if (op == "Slice" && node.version() >= 10) {
    // 1-D only: slicing shape vectors.
    if (x.shape.size() != 1 || in.size() < 3)
      return std::nullopt;
    if (present(3) && !(in[3].size() == 1 && (in[3].data[0] == 0 || in[3].data[0] == -1)))
      return std::nullopt;
    if (in[1].size() != 1 || in[2].size() != 1)
      return std::nullopt;
    int64_t step = present(4) ? in[4].data[0] : 1;
    if (step == 0)
      return std::nullopt;
    int64_t n = x.size(), start = in[1].data[0], end = in[2].data[0];
    if (start < 0)
      start += n;
    if (end < 0)
      end += n;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, n);
      end = std::clamp<int64_t>(end, 0, n);
    } else {
      start = std::clamp<int64_t>(start, 0, n - 1);
      end = std::clamp<int64_t>(end, -1, n - 1);
    }
    IntTensor out;
    out.bits = bits;
    for (int64_t i = start; step > 0 ? i < end : i > end; i += step)
      out.data.push_back(x.data[i]);
    out.shape = {out.size()};
    return out;
  }
  if (op == "ConstantOfShape") {
    auto value = dyn_cast_or_null<DenseElementsAttr>(node.getAttr("value"));
    int64_t fill = 0;
    unsigned outBits = 32; // the default value is float 0; only integer fills fold
    if (!value)
      return std::nullopt;
    if (!value.getElementType().isSignlessInteger() || value.getNumElements() != 1)
      return std::nullopt;
    outBits = value.getElementType().getIntOrFloatBitWidth();
    fill = outBits == 1 ? value.getSplatValue<APInt>().getZExtValue()
                        : value.getSplatValue<APInt>().getSExtValue();
    for (int64_t s : x.data)
      if (s < 0)
        return std::nullopt;
    IntTensor out;
    out.bits = outBits;
    out.shape = x.data;
    if (product(out.shape) > kMaxFoldElements)
      return std::nullopt;
    out.data.assign(product(out.shape), fill);
    return out;
  }
  if (op == "Expand") {
    if (in.size() != 2)
      return std::nullopt;
    IntTensor shape;
    shape.shape = in[1].data;
    for (int64_t s : shape.shape)
      if (s < 0)
        return std::nullopt;
    std::optional<SmallVector<int64_t>> outShape = broadcastShape({&x, &shape});
    if (!outShape || product(*outShape) > kMaxFoldElements)
      return std::nullopt;
    shape.shape = *outShape;
    shape.data.assign(product(*outShape), 0);
    return elementwise({&x, &shape}, bits,
                       [](ArrayRef<int64_t> a) -> std::optional<int64_t> { return a[0]; });
  }
  return std::nullopt;
}

} // namespace

bool hybrid::onnx_conv::tryFoldIntegerNode(OnnxNode &node, SmallVectorImpl<Value> &results) {
  if (!node.getOp().getDomain().empty() || node.numOutputs() != 1)
    return false;
  std::optional<IntTensor> value = evaluate(node);
  if (!value || failed(node.ok()))
    return false;
  OpBuilder &b = node.builder();
  Type elt = b.getIntegerType(value->bits);
  auto type = RankedTensorType::get(value->shape, elt);
  SmallVector<APInt> elems;
  for (int64_t v : value->data)
    elems.push_back(APInt(value->bits, static_cast<uint64_t>(v), /*isSigned=*/value->bits > 1));
  results.push_back(arith::ConstantOp::create(b, node.loc(), DenseElementsAttr::get(type, elems)));
  return true;
}
