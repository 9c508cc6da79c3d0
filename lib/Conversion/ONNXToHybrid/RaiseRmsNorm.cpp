//===- RaiseRmsNorm.cpp - hybrid-raise-rms-norm ----------------------------===//
//
// Finds RMSNorm written out node by node in the faithful onnx.node graph, as
// exporters write HF's LlamaRMSNorm (and its many copies),
//
//   ms  = ReduceMean(Pow(x, 2) | Mul(x, x), axes, keepdims=1)   axes: the
//                                                  trailing dims, in order
//   r   = Sqrt(Add(ms, eps))                         eps a scalar constant
//   n   = Mul(x, Reciprocal(r)) | Div(x, r) | Mul(x, Div(1, r))
//   y   = Mul(n, w) | Mul(w, n) | n                   (the weight is optional)
//
// and replaces it with one standard `RMSNormalization` node (opset 23,
// `axis` the first reduced dim, `epsilon`), which the converters turn into
// hybrid.rms_norm: one pass over each row instead of five elementwise ops and
// a reduction. Without a weight the scale is a constant of ones (the
// normalized dims must then be constants). Every intermediate must have that
// one use; symbolic shapes must show that y has x's shape (a weight that
// broadcasts x larger is left alone).
//
// What changes numerically: the mean of squares is summed in a different
// order, and rsqrt is computed as 1/sqrt in f32 as before.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace hybrid {
#define GEN_PASS_DEF_RAISERMSNORM
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using hybrid::onnx::NodeOp;
using namespace hybrid::raising;

namespace {

struct Match {
  NodeOp reduce;                 // the ReduceMean
  NodeOp out;                    // y's producer
  SmallVector<Operation *> dead; // the matched nodes, from the Pow on
  Value x, weight;
  int64_t axis = -1;
  double epsilon = 0.0;
  DimList normalized; // x's reduced dims
};

/// The single ai.onnx node that uses `v`, when that is its only use.
NodeOp soleUser(Value v, std::initializer_list<StringRef> types) {
  if (!v.hasOneUse())
    return nullptr;
  auto user = dyn_cast<NodeOp>(*v.getUsers().begin());
  if (!user || !user.getDomain().empty() || !llvm::is_contained(types, user.getOpType()))
    return nullptr;
  return user;
}

/// x when `sq` is Pow(x, 2) or Mul(x, x).
Value squared(Value sq) {
  if (NodeOp pow = producer(sq, {"Pow"}); pow && pow.getInputs().size() == 2) {
    std::optional<double> e = constScalar(pow.getInputs()[1]);
    if (!e) // an integer exponent
      if (std::optional<SmallVector<int64_t>> i = constInts(pow.getInputs()[1]);
          i && i->size() == 1)
        e = double((*i)[0]);
    if (e && *e == 2.0)
      return pow.getInputs()[0];
  }
  if (NodeOp mul = producer(sq, {"Mul"});
      mul && mul.getInputs().size() == 2 && mul.getInputs()[0] == mul.getInputs()[1])
    return mul.getInputs()[0];
  return nullptr;
}

std::optional<Match> matchRmsNorm(NodeOp reduce, ShapeInference &shapes) {
  Match m;
  m.reduce = reduce;
  ValueRange in = reduce.getInputs();
  if (in.empty() || intAttr(reduce, "keepdims").value_or(1) == 0)
    return std::nullopt;
  Value sq = in[0];
  m.x = squared(sq);
  if (!m.x || !sq.hasOneUse())
    return std::nullopt;
  m.dead.append({sq.getDefiningOp(), reduce});

  // The reduced axes: the trailing dims of x, ascending.
  std::optional<DimList> xs = shapes.shape(m.x);
  if (!xs || xs->empty())
    return std::nullopt;
  int64_t rank = xs->size();
  std::optional<SmallVector<int64_t>> axes = constAxes(reduce, 1);
  if (!axes || axes->empty())
    return std::nullopt;
  for (int64_t &a : *axes)
    if (a < 0)
      a += rank;
  for (size_t i = 0; i < axes->size(); ++i)
    if ((*axes)[i] != rank - static_cast<int64_t>(axes->size()) + static_cast<int64_t>(i))
      return std::nullopt;
  m.axis = axes->front();
  m.normalized.assign(xs->begin() + m.axis, xs->end());

  // + eps, sqrt.
  Value ms = reduce.getOutputs()[0];
  NodeOp add = soleUser(ms, {"Add"});
  if (!add || add.getInputs().size() != 2)
    return std::nullopt;
  std::optional<double> eps = constScalar(add.getInputs()[add.getInputs()[0] == ms ? 1 : 0]);
  if (!eps || *eps < 0)
    return std::nullopt;
  m.epsilon = *eps;
  m.dead.push_back(add);
  NodeOp sqrt = soleUser(add.getOutputs()[0], {"Sqrt"});
  if (!sqrt)
    return std::nullopt;
  m.dead.push_back(sqrt);

  // n = x / r, as a Div or a Mul by the reciprocal.
  Value r = sqrt.getOutputs()[0];
  NodeOp n = soleUser(r, {"Div", "Reciprocal"});
  if (!n)
    return std::nullopt;
  if (n.getOpType() == "Div" && n.getInputs()[0] == m.x && n.getInputs()[1] == r) {
    m.dead.push_back(n);
  } else {
    // 1 / r as Reciprocal(r) or Div(1, r), then a Mul by x.
    if (n.getOpType() == "Div") {
      std::optional<double> one = constScalar(n.getInputs()[0]);
      if (n.getInputs()[1] != r || !one || *one != 1.0)
        return std::nullopt;
    }
    m.dead.push_back(n);
    NodeOp mul = soleUser(n.getOutputs()[0], {"Mul"});
    if (!mul || mul.getInputs().size() != 2 ||
        !llvm::is_contained({mul.getInputs()[0], mul.getInputs()[1]}, m.x))
      return std::nullopt;
    m.dead.push_back(mul);
    n = mul;
  }
  m.out = n;

  // The weight: a Mul by something that broadcasts into the normalized dims.
  if (NodeOp mul = soleUser(n.getOutputs()[0], {"Mul"}); mul && mul.getInputs().size() == 2) {
    Value w = mul.getInputs()[mul.getInputs()[0] == n.getOutputs()[0] ? 1 : 0];
    std::optional<DimList> ws = shapes.shape(w), ys = shapes.shape(mul.getOutputs()[0]);
    if (ws && ys && static_cast<int64_t>(ws->size()) <= rank - m.axis && *ys == *xs) {
      m.weight = w;
      m.dead.push_back(mul);
      m.out = mul;
    }
  }
  std::optional<DimList> ys = shapes.shape(m.out.getOutputs()[0]);
  if (!ys || *ys != *xs)
    return std::nullopt;
  if (!m.weight)
    for (Dim d : m.normalized)
      if (!d.isConstant())
        return std::nullopt; // no constant of ones to make
  return m;
}

void raise(Match &m) {
  OpBuilder b(m.out);
  Location loc = m.out.getLoc();
  Value w = m.weight;
  if (!w) {
    SmallVector<int64_t> shape;
    for (Dim d : m.normalized)
      shape.push_back(d.value());
    auto type = RankedTensorType::get(shape, b.getF32Type());
    w = arith::ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, 1.0f));
  }
  StringAttr name = m.reduce.getNameAttr();
  auto attrs =
      b.getDictionaryAttr({NamedAttribute(b.getStringAttr("axis"), b.getI64IntegerAttr(m.axis)),
                           NamedAttribute(b.getStringAttr("epsilon"),
                                          b.getF32FloatAttr(static_cast<float>(m.epsilon)))});
  auto norm = NodeOp::create(
      b, loc, TypeRange{m.out.getOutputs()[0].getType()}, ValueRange{m.x, w}, "RMSNormalization",
      "", 23, name ? b.getStringAttr(name.getValue() + "/raised_rms_norm") : StringAttr(), attrs,
      nullptr, 0);
  m.out.getOutputs()[0].replaceAllUsesWith(norm.getOutputs()[0]);
  // Uses first: the output side of the chain, then back to the Pow.
  for (Operation *op : llvm::reverse(m.dead))
    op->erase();
}

} // namespace

unsigned hybrid::raiseRmsNorm(Operation *root) {
  // Matches never overlap: each owns its single-use ReduceMean chain.
  return raiseAll<Match>(
      root, "ReduceMean", "hybrid-raise-rms-norm", matchRmsNorm,
      [](const Match &m) {
        std::string d;
        llvm::raw_string_ostream os(d);
        os << "x * rsqrt(mean(x^2) + eps)" << (m.weight ? " * w" : "")
           << " became one RMSNormalization node over the last ";
        if (m.normalized.size() == 1)
          os << "axis";
        else
          os << m.normalized.size() << " axes";
        os << ", epsilon " << m.epsilon;
        return d;
      },
      raise);
}

namespace {
struct RaiseRmsNormPass : public hybrid::impl::RaiseRmsNormBase<RaiseRmsNormPass> {
  void runOnOperation() override { hybrid::raiseRmsNorm(getOperation()); }
};
} // namespace
