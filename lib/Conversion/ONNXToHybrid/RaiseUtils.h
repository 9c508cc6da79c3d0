//===- RaiseUtils.h - helpers of the raising passes -------------*- C++ -*-===//
//
// What the raising passes (hybrid-raise-attention, -moe, -norms, -rotary)
// share: matching producers in the faithful onnx.node graph, reading small
// constants, and inferring ranks and symbolic shapes where the graph states
// no types.
//
//===----------------------------------------------------------------------===//
#ifndef HYBRID_CONVERSION_ONNXTOHYBRID_RAISEUTILS_H
#define HYBRID_CONVERSION_ONNXTOHYBRID_RAISEUTILS_H

#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Remarks.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <optional>

namespace hybrid::raising {

// MLIR's names inside this namespace only.
using namespace mlir;
using hybrid::onnx::NodeOp;

/// `v`'s producer when it is an ai.onnx node of type `type` (any of them).
inline NodeOp producer(Value v, std::initializer_list<StringRef> types) {
  auto node = v.getDefiningOp<NodeOp>();
  if (!node || !node.getDomain().empty() || node.getOutputs().size() < 1 ||
      node.getOutputs()[0] != v)
    return nullptr;
  return llvm::is_contained(types, node.getOpType()) ? node : nullptr;
}

/// `v` with ai.onnx Identity nodes looked through (null stays null).
inline Value throughIdentity(Value v) {
  while (NodeOp id = v ? producer(v, {"Identity"}) : nullptr)
    v = id.getInputs()[0];
  return v;
}

/// The value of a constant: an attribute constant, or an ai.onnx Constant
/// node's `value` (how constants inside inlined model-local functions and
/// subgraphs are written).
inline DenseElementsAttr constValue(Value v) {
  DenseElementsAttr attr;
  if (!v)
    return nullptr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  auto node = v.getDefiningOp<NodeOp>();
  if (node && node.getDomain().empty() && node.getOpType() == "Constant")
    return dyn_cast_or_null<DenseElementsAttr>(node.getAttrs().get("value"));
  return nullptr;
}

/// A constant integer vector (a Reshape target, Unsqueeze axes).
inline std::optional<SmallVector<int64_t>> constInts(Value v) {
  auto attr = dyn_cast_or_null<DenseIntElementsAttr>(constValue(v));
  if (!attr)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (const APInt &x : attr.getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

/// A scalar float constant (one element, any rank).
inline std::optional<double> constScalar(Value v) {
  auto attr = dyn_cast_or_null<DenseFPElementsAttr>(constValue(v));
  if (!attr || attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APFloat>().begin()).convertToDouble();
}

/// Erases the onnx.node producers of `v` that have no uses left, and theirs
/// (what a raising rewrite left behind).
inline void eraseIfDead(Value v) {
  SmallVector<Operation *> work;
  llvm::DenseSet<Operation *> erased;
  if (auto n = v.getDefiningOp<NodeOp>())
    work.push_back(n);
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    // An op reached twice (Concat(n, n)) is erased once.
    if (erased.contains(op) || !op->use_empty())
      continue;
    for (Value in : op->getOperands())
      if (auto p = in.getDefiningOp<NodeOp>())
        work.push_back(p);
    erased.insert(op);
    op->erase();
  }
}

/// Writes the onnx.node ops a raising rewrite adds, before `anchor` and named
/// after it with a suffix ("<anchor>/raised_x").
class NodeWriter {
public:
  explicit NodeWriter(NodeOp anchor)
      : b(anchor), loc(anchor.getLoc()), name(anchor.getNameAttr()),
        unknown(hybrid::onnx::UnknownType::get(anchor.getContext())) {}

  NodeOp node(StringRef type, ValueRange in, TypeRange results, StringRef suffix,
              ArrayRef<NamedAttribute> attrs = {}, StringRef domain = "", int64_t version = 13) {
    return NodeOp::create(b, loc, results, in, type, domain, version,
                          name ? b.getStringAttr(name.getValue() + suffix) : StringAttr(),
                          b.getDictionaryAttr(attrs), nullptr, 0);
  }
  /// A one-result standard node; its result is `!onnx.unknown` unless `type`.
  Value value(StringRef type, ValueRange in, StringRef suffix, ArrayRef<NamedAttribute> attrs = {},
              Type result = {}) {
    return node(type, in, {result ? result : unknown}, suffix, attrs).getOutputs()[0];
  }
  /// A 1-D i64 constant (axes, shapes).
  Value i64s(ArrayRef<int64_t> v) {
    auto type = RankedTensorType::get({static_cast<int64_t>(v.size())}, b.getI64Type());
    return arith::ConstantOp::create(b, loc, type, DenseIntElementsAttr::get(type, v));
  }
  Value none() { return hybrid::onnx::NoneOp::create(b, loc, b.getNoneType()); }
  NamedAttribute attr(StringRef n, Attribute a) { return NamedAttribute(b.getStringAttr(n), a); }
  NamedAttribute attr(StringRef n, int64_t v) { return attr(n, b.getI64IntegerAttr(v)); }

  OpBuilder b;
  Location loc;
  StringAttr name;
  Type unknown;
};

/// Erases the ops of `ops` that have (or come to have) no uses, in any order,
/// and then the onnx.node and constant producers that only they read
/// (shape arithmetic, index plumbing): what a raising rewrite replaced. An op
/// still in use stays.
inline void eraseUnused(ArrayRef<Operation *> ops) {
  llvm::SetVector<Operation *> work(ops.begin(), ops.end());
  bool erased = true;
  while (erased) {
    erased = false;
    for (Operation *op : work) {
      if (!op->use_empty())
        continue;
      work.remove(op);
      for (Value in : op->getOperands())
        if (Operation *p = in.getDefiningOp();
            p && (isa<NodeOp>(p) || p->hasTrait<OpTrait::ConstantLike>()))
          work.insert(p);
      op->erase();
      erased = true;
      break;
    }
  }
}

/// ai.onnx ops whose result has their first input's shape (elementwise
/// unary ops, normalizations, Softmax, Trilu, Cast, ...).
inline bool isShapePreserving(StringRef type) {
  return llvm::is_contained(
      {"Neg",         "Sqrt",      "Reciprocal",  "Exp",        "Log",
       "Relu",        "Sigmoid",   "Tanh",        "Erf",        "Abs",
       "Cast",        "CastLike",  "Identity",    "Not",        "Softmax",
       "LogSoftmax",  "Trilu",     "Gelu",        "Silu",       "Sin",
       "Cos",         "Floor",     "Ceil",        "Round",      "Clip",
       "Dropout",     "Softplus",  "HardSigmoid", "HardSwish",  "LeakyRelu",
       "Elu",         "Sign",      "LayerNormalization",        "RMSNormalization",
       "RotaryEmbedding",           "ScatterND", "ScatterElements", "Scatter", "IsNaN",
       "IsInf",       "CumSum"},
      type);
}

/// ai.onnx ops whose result is their inputs broadcast together.
inline bool isBroadcasting(StringRef type) {
  return llvm::is_contained({"Add", "Sub", "Mul", "Div", "Pow", "Where", "Equal", "Less",
                             "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor",
                             "Max", "Min", "Mod", "BitShift"},
                            type);
}

/// The axes of a Squeeze/Unsqueeze/Reduce*: the constant input `index` (its
/// form since opset 13 or 18), else the `axes` attribute, else none (empty);
/// nullopt when the input is there but not a constant.
inline std::optional<SmallVector<int64_t>> constAxes(NodeOp n, unsigned index) {
  ValueRange in = n.getInputs();
  if (in.size() > index && !isa<NoneType>(in[index].getType()))
    return constInts(in[index]);
  if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(n.getAttrs().get("axes")))
    return SmallVector<int64_t>(a.asArrayRef());
  return SmallVector<int64_t>{};
}

/// x when `v` is Unsqueeze(x, axes) (in any order, negative axes counted from
/// the result's rank `rank`).
inline Value unsqueezed(Value v, ArrayRef<int64_t> axes, int64_t rank) {
  NodeOp n = v ? producer(v, {"Unsqueeze"}) : nullptr;
  if (!n)
    return nullptr;
  std::optional<SmallVector<int64_t>> got = constAxes(n, 1);
  if (!got || got->size() != axes.size())
    return nullptr;
  for (int64_t &a : *got)
    a = a < 0 ? a + rank : a;
  llvm::sort(*got);
  return llvm::equal(*got, axes) ? n.getInputs()[0] : nullptr;
}

/// An Einsum's equation without "...": the letters of each input's term and
/// of the output (spaces dropped); nullopt for an implicit output, "..." or a
/// term count that is not the node's input count.
struct EinsumEquation {
  SmallVector<std::string> inputs;
  std::string output;
};
inline std::optional<EinsumEquation> einsumEquation(NodeOp node) {
  auto attr = dyn_cast_or_null<StringAttr>(node.getAttrs().get("equation"));
  if (!attr)
    return std::nullopt;
  std::string text;
  for (char c : attr.getValue())
    if (c != ' ')
      text.push_back(c);
  size_t arrow = text.find("->");
  if (arrow == std::string::npos || text.find('.') != std::string::npos)
    return std::nullopt;
  SmallVector<StringRef> terms;
  StringRef(text).substr(0, arrow).split(terms, ',');
  if (terms.size() != node.getInputs().size())
    return std::nullopt;
  EinsumEquation eq;
  for (StringRef term : terms)
    eq.inputs.push_back(term.str());
  eq.output = text.substr(arrow + 2);
  return eq;
}

/// A Transpose's permutation of a rank-`rank` input: its `perm`, else the
/// reversal; nullopt when `perm` has another length.
inline std::optional<SmallVector<int64_t>> transposePerm(NodeOp transpose, size_t rank) {
  SmallVector<int64_t> perm;
  if (auto p = dyn_cast_or_null<DenseI64ArrayAttr>(transpose.getAttrs().get("perm")))
    perm.assign(p.asArrayRef().begin(), p.asArrayRef().end());
  else
    for (int64_t i = static_cast<int64_t>(rank) - 1; i >= 0; --i)
      perm.push_back(i);
  if (perm.size() != rank)
    return std::nullopt;
  return perm;
}

/// A Trilu's diagonal offset k: its constant second input, 0 when absent;
/// nullopt when the input is not a one-element constant.
inline std::optional<int64_t> triluDiagonal(NodeOp trilu) {
  ValueRange in = trilu.getInputs();
  if (in.size() < 2 || isa<NoneType>(in[1].getType()))
    return 0;
  std::optional<SmallVector<int64_t>> k = constInts(in[1]);
  if (!k || k->size() != 1)
    return std::nullopt;
  return (*k)[0];
}

/// The sizes a Split states: its `split` input (opset 13 on) or attribute
/// (before). Empty when it states none (equal parts); nullopt when the input
/// is not a constant.
inline std::optional<SmallVector<int64_t>> splitSizes(NodeOp split) {
  ValueRange in = split.getInputs();
  if (in.size() >= 2 && !isa<NoneType>(in[1].getType()))
    return constInts(in[1]);
  if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(split.getAttrs().get("split")))
    return SmallVector<int64_t>(a.asArrayRef());
  return SmallVector<int64_t>{};
}

/// A Split in two equal parts.
inline bool isEvenSplitInTwo(NodeOp split) {
  std::optional<SmallVector<int64_t>> sizes = splitSizes(split);
  return split.getOutputs().size() == 2 && sizes &&
         (sizes->empty() || (sizes->size() == 2 && (*sizes)[0] == (*sizes)[1]));
}

inline std::optional<int64_t> intAttr(NodeOp node, StringRef name) {
  if (auto a = dyn_cast_or_null<IntegerAttr>(node.getAttrs().get(name)))
    return a.getInt();
  return std::nullopt;
}

/// Ranks of values in a faithful graph, from declared types and from the ops
/// that determine them. nullopt: not known here.
class RankInference {
public:
  std::optional<int64_t> rank(Value v) {
    if (auto t = dyn_cast<RankedTensorType>(v.getType()))
      return t.getRank();
    auto it = cache.find(v);
    if (it != cache.end())
      return it->second;
    cache[v] = std::nullopt; // no cycles in a graph, but be safe
    std::optional<int64_t> r = compute(v);
    cache[v] = r;
    return r;
  }

  /// An upper bound of `v`'s rank, where the exact rank is not known: enough
  /// to show a mask broadcasts into the 4-D scores. A Shape with explicit
  /// non-negative `start` and `end` has at most end - start elements whatever
  /// its input's rank.
  std::optional<int64_t> rankBound(Value v) {
    if (std::optional<int64_t> r = rank(v))
      return r;
    auto node = v.getDefiningOp<NodeOp>();
    if (!node || !node.getDomain().empty() || node.getOutputs()[0] != v)
      return std::nullopt;
    StringRef type = node.getOpType();
    ValueRange in = node.getInputs();
    if (type == "ConstantOfShape" && !in.empty())
      return length(in[0], /*upperBound=*/true);
    if (llvm::is_contained({"Trilu", "Cast", "Not", "Neg", "Identity"}, type) && !in.empty())
      return rankBound(in[0]);
    if (llvm::is_contained({"Add", "Sub", "Mul", "Div", "Where", "Equal", "And", "Or"}, type)) {
      int64_t r = 0;
      for (Value x : in) {
        std::optional<int64_t> b = rankBound(x);
        if (!b)
          return std::nullopt;
        r = std::max(r, *b);
      }
      return r;
    }
    return std::nullopt;
  }

private:
  /// The number of elements of a 1-D integer value (a shape). With
  /// `upperBound`, a Shape of unknown input rank with explicit non-negative
  /// `start` and `end` counts end - start (at most that many).
  std::optional<int64_t> length(Value v, bool upperBound = false) {
    if (auto t = dyn_cast<RankedTensorType>(v.getType()))
      if (t.getRank() == 1 && !t.isDynamicDim(0))
        return t.getDimSize(0);
    if (NodeOp n = producer(v, {"Shape"})) {
      std::optional<int64_t> start = intAttr(n, "start"), end = intAttr(n, "end");
      std::optional<int64_t> r = rank(n.getInputs()[0]);
      if (!r) {
        if (upperBound && start && end && *start >= 0 && *end >= *start)
          return *end - *start;
        return std::nullopt;
      }
      auto clampAxis = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + *r : a, 0, *r); };
      return std::max<int64_t>(clampAxis(end.value_or(*r)) - clampAxis(start.value_or(0)), 0);
    }
    if (NodeOp n = producer(v, {"Concat"})) {
      int64_t total = 0;
      for (Value in : n.getInputs()) {
        std::optional<int64_t> l = length(in, upperBound);
        if (!l)
          return std::nullopt;
        total += *l;
      }
      return total;
    }
    return std::nullopt;
  }

  std::optional<int64_t> maxRank(ValueRange inputs) {
    int64_t r = 0;
    for (Value in : inputs) {
      if (isa<NoneType>(in.getType()))
        continue;
      std::optional<int64_t> x = rank(in);
      if (!x)
        return std::nullopt;
      r = std::max(r, *x);
    }
    return r;
  }

  std::optional<int64_t> compute(Value v) {
    auto node = v.getDefiningOp<NodeOp>();
    if (!node || !node.getDomain().empty())
      return std::nullopt;
    StringRef type = node.getOpType();
    ValueRange in = node.getInputs();
    if (DenseElementsAttr c = constValue(v)) // a Constant node
      return c.getType().getRank();
    // Every output of a Split, and TopK's values and indices, have the
    // input's rank; only the first output of other ops has a rule here.
    if (node.getOutputs()[0] != v)
      return llvm::is_contained({"Split", "TopK"}, type) && !in.empty() ? rank(in[0])
                                                                        : std::nullopt;
    if (isBroadcasting(type))
      return maxRank(in);
    // Slice, Concat and GatherElements keep the rank, not the shape.
    if (isShapePreserving(type) || llvm::is_contained({"Slice", "Concat", "GatherElements"}, type))
      return in.empty() ? std::nullopt : rank(in[0]);
    if (llvm::is_contained({"Range", "Shape"}, type))
      return 1;
    if (type == "NonZero")
      return 2; // [rank of the input, count]
    if (llvm::is_contained({"Split", "TopK"}, type) && !in.empty())
      return rank(in[0]);
    if (type == "Size")
      return 0;
    if (type == "Gather" && in.size() == 2) {
      std::optional<int64_t> data = rank(in[0]), indices = rank(in[1]);
      if (data && indices && *data >= 1)
        return *data - 1 + *indices;
      return std::nullopt;
    }
    if (type.starts_with("Reduce") && !in.empty()) {
      // keepdims (default 1) keeps the rank; otherwise the axes must be known.
      std::optional<int64_t> r = rank(in[0]);
      if (!r || intAttr(node, "keepdims").value_or(1) != 0)
        return r;
      std::optional<SmallVector<int64_t>> axes;
      if (in.size() >= 2)
        axes = constInts(in[1]);
      else if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(node.getAttrs().get("axes")))
        axes = SmallVector<int64_t>(a.asArrayRef());
      if (!axes)
        return std::nullopt;
      return *r - static_cast<int64_t>(axes->size());
    }
    if (type == "Transpose") {
      if (auto perm = dyn_cast_or_null<DenseI64ArrayAttr>(node.getAttrs().get("perm")))
        return perm.size();
      return rank(in[0]);
    }
    if (type == "Reshape" && in.size() >= 2)
      if (std::optional<SmallVector<int64_t>> shape = constInts(in[1]))
        return shape->size();
    if (type == "Expand" && in.size() >= 2) {
      std::optional<int64_t> r = rank(in[0]), l = length(in[1]);
      if (r && l)
        return std::max(*r, *l);
      return std::nullopt;
    }
    if (type == "ConstantOfShape" && !in.empty())
      return length(in[0]);
    if (type == "Unsqueeze" || type == "Squeeze") {
      std::optional<int64_t> r = rank(in[0]);
      std::optional<SmallVector<int64_t>> axes;
      if (in.size() >= 2)
        axes = constInts(in[1]);
      else if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(node.getAttrs().get("axes")))
        axes = SmallVector<int64_t>(a.asArrayRef());
      if (!r || !axes)
        return std::nullopt;
      int64_t n = static_cast<int64_t>(axes->size());
      return type == "Unsqueeze" ? *r + n : *r - n;
    }
    if (type == "MatMul" && in.size() == 2) {
      std::optional<int64_t> a = rank(in[0]), b = rank(in[1]);
      if (a && b && *a >= 2 && *b >= 2)
        return std::max(*a, *b);
    }
    return std::nullopt;
  }

  llvm::DenseMap<Value, std::optional<int64_t>> cache;
};


/// A dimension size in a faithful graph: a constant, or a symbol plus a
/// constant offset standing for a size not known at compile time (a padded
/// sequence is s + k - 1, the causal convolution over it s again). Two equal
/// Dims are the same size at run time (a symbol is made once per graph value
/// and axis, or per ONNX dim_param name of the function's arguments); two
/// different ones may or may not be.
class Dim {
public:
  static Dim constant(int64_t c) { return Dim(false, c, 0); }
  static Dim symbol(int64_t id) { return Dim(true, id, 0); }
  bool isConstant() const { return !sym; }
  /// The constant (only when isConstant()); a shape tensor's elements may be
  /// negative (Reshape's -1).
  int64_t value() const { return v; }
  bool isConstant(int64_t c) const { return !sym && v == c; }
  bool isOne() const { return isConstant(1); }
  /// This size plus `c`.
  Dim plus(int64_t c) const { return sym ? Dim(true, v, off + c) : Dim(false, v + c, 0); }
  /// A symbol's id and offset (only when !isConstant()).
  int64_t symbolId() const { return v; }
  int64_t offset() const { return off; }
  bool operator==(const Dim &o) const { return sym == o.sym && v == o.v && off == o.off; }
  bool operator!=(const Dim &o) const { return !(*this == o); }

private:
  Dim(bool sym, int64_t v, int64_t off) : sym(sym), v(v), off(off) {}
  bool sym;
  int64_t v;   // the constant, or the symbol's id
  int64_t off; // a symbol's offset
};
using DimList = SmallVector<Dim, 4>;

/// Symbolic shapes of values in a faithful graph, and the values of the small
/// integer tensors that carry shapes (Shape, Gather, Concat, Squeeze, Add 0,
/// Range lengths), so that a raising pass can prove two sizes equal: the
/// sequence length a causal mask was built from is the query's, the heads a
/// Reshape makes are the ones GQA repeats. It assumes the graph is valid (a
/// broadcast of a symbol and a constant c != 1 is c). nullopt: not known.
class ShapeInference {
public:
  /// `v`'s shape, when its rank is known; unknown sizes are symbols.
  std::optional<DimList> shape(Value v);
  /// Caches are keyed by Value: match first, then rewrite without asking
  /// about values made or erased since.
  /// The elements of a 0-D or 1-D integer tensor of at most 16 elements that
  /// holds sizes, in order; unknown elements are symbols.
  std::optional<DimList> elements(Value v);
  RankInference &ranks() { return rankInference; }

private:
  std::optional<DimList> computeShape(Value v);
  std::optional<DimList> raisedShape(NodeOp node, unsigned result);
  std::optional<DimList> computeElements(Value v);
  std::optional<DimList> broadcast(ArrayRef<DimList> shapes);
  std::optional<DimList> reshape(const DimList &in, const DimList &target, bool allowZero);
  std::optional<Dim> rangeLength(NodeOp range);
  /// The product of `factors`: a constant, the one symbol, or a symbol
  /// standing for this product of symbols (the same symbol for the same
  /// factors in any order, so that a Reshape's -1 over [b, l, d] to [-1, d]
  /// and Mul(b, l) are the same size).
  Dim product(ArrayRef<Dim> factors);
  Dim fresh() { return Dim::symbol(nextSymbol++); }
  Dim named(StringRef name);
  /// The symbol for the size `tag` makes of `operands` (a padded size
  /// d + p with p known only at run time, an element count over a constant):
  /// the same symbol for the same tag and operands, so that two Pads of one
  /// sequence by one run-time pad are the same size.
  Dim derived(int64_t tag, ArrayRef<Dim> operands);

  RankInference rankInference;
  llvm::DenseMap<Value, std::optional<DimList>> shapes, values;
  llvm::StringMap<Dim> names;
  /// A product symbol's constant and (symbol id, offset) factors, sorted.
  using ProductKey = std::pair<int64_t, SmallVector<std::pair<int64_t, int64_t>>>;
  std::map<ProductKey, Dim> products;
  llvm::DenseMap<int64_t, ProductKey> productFactors; // product symbol id -> its key
  std::map<SmallVector<int64_t>, Dim> derivedSymbols;
  int64_t nextSymbol = 0;
};

/// What a raising pass does: match every ai.onnx node of type `opType` under
/// `root` first (with one ShapeInference, before anything changes), then
/// rewrite each match. Matches must not overlap. Each rewrite is reported as an
/// optimization remark of category `pass` on the anchor node, with
/// `describe(match)` saying what it became and what was proven (MLIR's remark
/// engine: nothing is built unless a report is being made). Returns how many.
/// With `oneAtATime`, each rewrite comes before the next match (with shapes
/// inferred afresh), so that a match sees the nodes earlier rewrites made
/// (a raised layer's output shape, which the decomposed form may not prove);
/// it costs a walk and a shape inference per rewrite.
template <typename MatchT>
unsigned raiseAll(Operation *root, StringRef opType, StringRef pass,
                  llvm::function_ref<std::optional<MatchT>(NodeOp, ShapeInference &)> match,
                  llvm::function_ref<std::string(const MatchT &)> describe,
                  llvm::function_ref<void(MatchT &)> rewrite, bool oneAtATime = false) {
  bool reporting = root->getContext()->getRemarkEngine() != nullptr;
  unsigned n = 0;
  while (true) {
    ShapeInference shapes;
    SmallVector<std::pair<Location, MatchT>> matches;
    root->walk([&](NodeOp node) {
      if (node.getDomain().empty() && node.getOpType() == opType)
        if (std::optional<MatchT> m = match(node, shapes)) {
          matches.push_back({node.getLoc(), std::move(*m)});
          if (oneAtATime)
            return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    for (auto &[loc, m] : matches) {
      if (reporting)
        remark::passed(loc, remark::RemarkOpts::name("raised").category(pass)) << describe(m);
      rewrite(m);
    }
    n += matches.size();
    if (!oneAtATime || matches.empty())
      return n;
  }
}

/// Reports, as missed-optimization remarks of category `pass`, every ai.onnx
/// node of type `opType` under `root` still there after the pass: a
/// candidate it left as written, and `reason` why (empty: not a candidate).
inline void reportLeft(Operation *root, StringRef opType, StringRef pass,
                       llvm::function_ref<std::string(NodeOp)> reason) {
  if (!root->getContext()->getRemarkEngine())
    return;
  root->walk([&](NodeOp node) {
    if (!node.getDomain().empty() || node.getOpType() != opType)
      return;
    std::string why = reason(node);
    if (!why.empty())
      remark::missed(node.getLoc(), remark::RemarkOpts::name("left").category(pass)) << why;
  });
}

} // namespace hybrid::raising

#endif // HYBRID_CONVERSION_ONNXTOHYBRID_RAISEUTILS_H
