//===- RaiseRotary.cpp - hybrid-raise-rotary -------------------------------===//
//
// Finds the half-rotation rotary embedding written out node by node in the
// faithful onnx.node graph, as exporters write HF's apply_rotary_pos_emb on
// t [B, H, S, D],
//
//   x1  = Slice(t, 0, D/2, axis=-1)       x2 = Slice(t, D/2, D.., axis=-1)
//   rot = Concat(Neg(x2), x1, axis=-1)                      (rotate_half)
//   y   = Add(Mul(t, cos), Mul(rot, sin))          (either operand order)
//
// and replaces it with one standard `RotaryEmbedding` node (opset 23, no
// position_ids) on t with cos and sin as [B or 1, S, D/2], which the
// converters turn into hybrid.rotary: one pass instead of two slices, a
// negation, a concat, two products and a sum, each materialized.
//
// Conditions, shown on symbolic shapes: t is 4-D with a constant, even D;
// cos and sin broadcast to t's shape without growing it, are the same for
// every head (dim 1 of size 1) and repeat their first half: they are
// `Concat(c, c)` on the last axis under any Unsqueeze, Squeeze, Cast,
// Identity, Cos, Sin, Neg or scalar Mul/Div (emb = cat(freqs, freqs);
// emb.cos() * scaling), or a constant table, or Gather/Slice rows of one,
// whose halves are equal. Every node from the Slices to the Add has one use.
// The first halves are taken by a new Slice of cos and sin; what computed
// them stays (a [S, D] table, not per head).
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace hybrid {
#define GEN_PASS_DEF_RAISEROTARY
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using hybrid::onnx::NodeOp;
using namespace hybrid::raising;

namespace {

struct Match {
  NodeOp add;
  SmallVector<Operation *> dead; // uses first
  Value t, cos, sin;
  int64_t half = 0, cosRank = 0, sinRank = 0;
};

/// A constant float table whose last dim's two halves are equal.
bool constantHalvesEqual(Value v) {
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  auto type = cast<ShapedType>(attr.getType());
  if (type.getRank() < 1 || type.getShape().back() % 2 != 0)
    return false;
  int64_t d = type.getShape().back(), h = d / 2;
  if (attr.isSplat())
    return true;
  auto values = llvm::to_vector(attr.getValues<APFloat>());
  for (size_t row = 0; row < values.size(); row += d)
    for (int64_t i = 0; i < h; ++i)
      if (values[row + i].compare(values[row + h + i]) != APFloat::cmpEqual)
        return false;
  return true;
}

/// True when `v`'s last dim (`rank` dims) repeats its first half.
bool repeatsHalves(Value v, ShapeInference &shapes, int depth = 0) {
  if (depth > 12)
    return false;
  std::optional<DimList> s = shapes.shape(v);
  if (!s || s->empty())
    return false;
  int64_t rank = s->size();
  if (constantHalvesEqual(v))
    return true;
  auto node = v.getDefiningOp<NodeOp>();
  if (!node || !node.getDomain().empty() || node.getOutputs()[0] != v || node.getInputs().empty())
    return false;
  StringRef type = node.getOpType();
  ValueRange in = node.getInputs();
  auto isLast = [&](int64_t axis, int64_t r) { return axis == -1 || axis == r - 1; };
  if (type == "Concat") {
    std::optional<int64_t> axis = intAttr(node, "axis");
    return in.size() == 2 && in[0] == in[1] && axis && isLast(*axis, rank);
  }
  if (llvm::is_contained({"Cos", "Sin", "Cast", "Identity", "Neg"}, type))
    return repeatsHalves(in[0], shapes, depth + 1);
  if ((type == "Mul" || type == "Div") && in.size() == 2) {
    if (constScalar(in[1]))
      return repeatsHalves(in[0], shapes, depth + 1);
    if (type == "Mul" && constScalar(in[0]))
      return repeatsHalves(in[1], shapes, depth + 1);
    return false;
  }
  if (type == "Unsqueeze" || type == "Squeeze") {
    // The last dim stays the last (and is not the one removed).
    std::optional<DimList> x = shapes.shape(in[0]);
    if (!x || x->empty() || x->back() != s->back())
      return false;
    std::optional<SmallVector<int64_t>> axes = constAxes(node, 1);
    if (!axes)
      return false;
    int64_t r = type == "Unsqueeze" ? rank : static_cast<int64_t>(x->size());
    for (int64_t a : *axes)
      if (isLast(a, r))
        return false;
    return repeatsHalves(in[0], shapes, depth + 1);
  }
  if (type == "Gather" && in.size() == 2) {
    // Rows of a table: any axis but the last.
    std::optional<DimList> data = shapes.shape(in[0]);
    int64_t axis = intAttr(node, "axis").value_or(0);
    if (!data || isLast(axis, data->size()))
      return false;
    return repeatsHalves(in[0], shapes, depth + 1);
  }
  if (type == "Slice" && in.size() >= 4) {
    std::optional<SmallVector<int64_t>> axes = constInts(in[3]);
    if (!axes)
      return false;
    for (int64_t a : *axes)
      if (isLast(a, rank))
        return false;
    return repeatsHalves(in[0], shapes, depth + 1);
  }
  return false;
}

/// `v` as Slice(t, start, end, axis=last) with step 1; its start and end.
std::optional<std::pair<int64_t, int64_t>> lastAxisSlice(Value v, Value t, int64_t rank) {
  NodeOp slice = producer(v, {"Slice"});
  if (!slice || slice.getInputs().size() < 4 || slice.getInputs()[0] != t || !v.hasOneUse())
    return std::nullopt;
  ValueRange in = slice.getInputs();
  std::optional<SmallVector<int64_t>> starts = constInts(in[1]), ends = constInts(in[2]),
                                      axes = constInts(in[3]);
  if (!starts || !ends || !axes || starts->size() != 1 || ends->size() != 1 || axes->size() != 1 ||
      ((*axes)[0] != -1 && (*axes)[0] != rank - 1))
    return std::nullopt;
  if (in.size() >= 5 && !isa<NoneType>(in[4].getType())) {
    std::optional<SmallVector<int64_t>> steps = constInts(in[4]);
    if (!steps || steps->size() != 1 || (*steps)[0] != 1)
      return std::nullopt;
  }
  return std::make_pair((*starts)[0], (*ends)[0]);
}

/// Matches Mul(rot, sin) with rot = Concat(Neg(x2), x1): returns t and sin.
std::optional<std::pair<Value, Value>> matchRotated(NodeOp mul, SmallVectorImpl<Operation *> &dead,
                                                    ShapeInference &shapes, int64_t &half) {
  for (int i = 0; i < 2; ++i) {
    Value rot = mul.getInputs()[i], sin = mul.getInputs()[1 - i];
    NodeOp concat = producer(rot, {"Concat"});
    if (!concat || !rot.hasOneUse() || concat.getInputs().size() != 2)
      continue;
    NodeOp neg = producer(concat.getInputs()[0], {"Neg"});
    if (!neg || !concat.getInputs()[0].hasOneUse())
      continue;
    Value x2 = neg.getInputs()[0], x1 = concat.getInputs()[1];
    NodeOp s1 = producer(x1, {"Slice"});
    if (!s1)
      continue;
    Value t = s1.getInputs()[0];
    std::optional<DimList> ts = shapes.shape(t);
    if (!ts || ts->size() != 4 || !ts->back().isConstant() || ts->back().value() % 2 != 0)
      continue;
    int64_t d = ts->back().value(), h = d / 2;
    std::optional<int64_t> axis = intAttr(concat, "axis");
    if (!axis || (*axis != -1 && *axis != 3))
      continue;
    auto a = lastAxisSlice(x1, t, 4), b = lastAxisSlice(x2, t, 4);
    if (!a || !b || a->first != 0 || a->second != h || b->first != h || b->second < d)
      continue;
    dead.append({concat, neg, s1, x2.getDefiningOp()});
    half = h;
    return std::make_pair(t, sin);
  }
  return std::nullopt;
}

/// cos or sin broadcast against t [B, H, S, D]: same for every head, no
/// larger than t, with repeated halves.
bool validTable(Value c, const DimList &t, ShapeInference &shapes) {
  std::optional<DimList> s = shapes.shape(c);
  if (!s || s->size() < 2 || s->size() > 4)
    return false;
  DimList full(4 - s->size(), Dim::constant(1));
  full.append(s->begin(), s->end());
  if (!full[1].isOne() || full[3] != t[3] || full[2] != t[2] ||
      !(full[0].isOne() || full[0] == t[0]))
    return false;
  return repeatsHalves(c, shapes);
}

std::optional<Match> matchRotary(NodeOp add, ShapeInference &shapes) {
  if (add.getInputs().size() != 2)
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    Match m;
    m.add = add;
    m.dead.push_back(add);
    Value direct = add.getInputs()[i], rotated = add.getInputs()[1 - i];
    NodeOp mulCos = producer(direct, {"Mul"}), mulSin = producer(rotated, {"Mul"});
    if (!mulCos || !mulSin || !direct.hasOneUse() || !rotated.hasOneUse() ||
        mulCos.getInputs().size() != 2 || mulSin.getInputs().size() != 2)
      continue;
    std::optional<std::pair<Value, Value>> r = matchRotated(mulSin, m.dead, shapes, m.half);
    if (!r)
      continue;
    m.t = r->first;
    m.sin = r->second;
    if (mulCos.getInputs()[0] == m.t)
      m.cos = mulCos.getInputs()[1];
    else if (mulCos.getInputs()[1] == m.t)
      m.cos = mulCos.getInputs()[0];
    else
      continue;
    std::optional<DimList> ts = shapes.shape(m.t), ys = shapes.shape(add.getOutputs()[0]);
    if (!ts || !ys || *ys != *ts || !validTable(m.cos, *ts, shapes) ||
        !validTable(m.sin, *ts, shapes))
      continue;
    m.cosRank = shapes.shape(m.cos)->size();
    m.sinRank = shapes.shape(m.sin)->size();
    // Add, then the two Muls, then the rotate_half nodes: uses first.
    m.dead.insert(m.dead.begin() + 1, {mulCos, mulSin});
    return m;
  }
  return std::nullopt;
}

/// cos/sin as RotaryEmbedding wants them without position_ids: [B|1, S, D/2].
Value table3d(OpBuilder &b, Location loc, Value c, int64_t rank, int64_t half, StringRef name) {
  MLIRContext *ctx = b.getContext();
  auto unknown = hybrid::onnx::UnknownType::get(ctx);
  auto i64s = [&](ArrayRef<int64_t> v) {
    auto type = RankedTensorType::get({static_cast<int64_t>(v.size())}, b.getI64Type());
    return arith::ConstantOp::create(b, loc, type, DenseIntElementsAttr::get(type, v)).getResult();
  };
  auto node = [&](StringRef type, ValueRange in, int64_t version, StringRef suffix) {
    return NodeOp::create(b, loc, TypeRange{unknown}, in, type, "", version,
                          name.empty() ? StringAttr() : b.getStringAttr(name + suffix),
                          b.getDictionaryAttr({}), nullptr, 0)
        .getOutputs()[0];
  };
  if (rank == 4)
    c = node("Squeeze", {c, i64s({1})}, 13, "/raised_squeeze");
  else if (rank == 2)
    c = node("Unsqueeze", {c, i64s({0})}, 13, "/raised_unsqueeze");
  return node("Slice", {c, i64s({0}), i64s({half}), i64s({-1})}, 13, "/raised_half");
}

void raise(Match &m) {
  OpBuilder b(m.add);
  Location loc = m.add.getLoc();
  StringAttr name = m.add.getNameAttr();
  std::string base = name ? name.getValue().str() : "";
  Value cos = table3d(b, loc, m.cos, m.cosRank, m.half, name ? base + "/cos" : "");
  Value sin = table3d(b, loc, m.sin, m.sinRank, m.half, name ? base + "/sin" : "");
  auto rotary = NodeOp::create(b, loc, TypeRange{m.add.getOutputs()[0].getType()},
                               ValueRange{m.t, cos, sin}, "RotaryEmbedding", "", 23,
                               name ? b.getStringAttr(base + "/raised_rotary") : StringAttr(),
                               b.getDictionaryAttr({}), nullptr, 0);
  m.add.getOutputs()[0].replaceAllUsesWith(rotary.getOutputs()[0]);
  for (Operation *op : m.dead)
    op->erase();
}

} // namespace

unsigned hybrid::raiseRotary(Operation *root) {
  // Matches never overlap: each owns its single-use Muls and rotate_half.
  return raiseAll<Match>(
      root, "Add", "hybrid-raise-rotary", matchRotary,
      [](const Match &m) {
        return "t * cos + rotate_half(t) * sin became one RotaryEmbedding node (half width " +
               std::to_string(m.half) +
               "): cos and sin are the same for every head and repeat their first half";
      },
      raise);
}

namespace {
struct RaiseRotaryPass : public hybrid::impl::RaiseRotaryBase<RaiseRotaryPass> {
  void runOnOperation() override { hybrid::raiseRotary(getOperation()); }
};
} // namespace
