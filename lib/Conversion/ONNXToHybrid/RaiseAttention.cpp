//===- RaiseAttention.cpp - hybrid-raise-attention ------------------------===//
//
// Finds softmax attention written out node by node in the faithful onnx.node
// graph, as exporters write it,
//
//   s = MatMul(q, kᵀ)                  kᵀ = Transpose(k, perm=[0,1,3,2]), or any
//                                      transpose that yields [B, H, D, T]
//   s = Mul(s, c) | Div(s, c) ...      c a scalar constant (also on q or kᵀ
//                                      before the MatMul: the sqrt-scale form)
//   s = Add(s, mask)                   an additive mask (optional), or
//   s = Where(cond, s, -inf)           a boolean one
//   p = Softmax(s, axis=-1)
//   o = MatMul(p, v)
//
// and replaces it with one standard `Attention` node (opset 23, 4-D form):
// `Attention(q, k, v[, mask]) {scale, is_causal}`, which the Attention
// converter turns into hybrid.attention. Two exporter idioms are folded into
// the node where symbolic shapes prove them exact:
//
//   - GQA's repeat of the key/value heads, HF's repeat_kv,
//       Reshape(Expand(Unsqueeze(t, 2), [1, 1, rep, 1, 1]), [B, H*rep, S, D]),
//     on both k and v: the node takes t itself (Attention maps query head h
//     to kv head h / rep, as the repeat does), so no copy is made;
//   - a causal mask built from Trilu over a square [n, n] (0 on and below the
//     diagonal, a large negative above it, as an additive mask; or true on
//     and below it as Where's condition) when n is the query and key length:
//     `is_causal = 1`, so no mask is built and half the scores are skipped. Every intermediate must
//     have that one use (a score
// or probability tensor that is also a graph output stays decomposed), q, kᵀ
// and v must be provably 4-D, and a boolean mask must fill with -inf.
//
// The faithful graph often carries no types (`!onnx.unknown`), so ranks are
// inferred here from the ops in between (Reshape targets, Transpose
// permutations, broadcasting): a value of unknown rank is never raised.
//
// What changes numerically: the sums are re-associated (flash attention), and
// a row whose every score is -inf gives zeros where the decomposed softmax
// gives NaN.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include "dialects/ONNX/IR/ONNXDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>

namespace hybrid {
#define GEN_PASS_DEF_RAISEATTENTION
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using hybrid::onnx::NodeOp;
using namespace hybrid::raising;

namespace {

/// A matched decomposed attention, to be replaced.
struct Match {
  NodeOp out;                    // MatMul(p, v)
  SmallVector<Operation *> dead; // the nodes the raised one replaces, uses first
  Value q, k, v, mask;
  /// k is kᵀ transposed by this permutation (identity: k itself).
  SmallVector<int64_t> kPerm;
  bool boolMask = false;
  /// The mask is a causal one over Sq == Sk: raised as is_causal.
  bool causal = false;
  double scale = 1.0;
  NodeOp softmax;       // (names the raised node)
  bool guarded = false; // the probabilities were Where(IsNaN(p), 0, p)
};

/// A value built from Trilu that is constant on each side of the diagonal of
/// its last two dims: `lower` at (i, j) with j <= i, `upper` with j > i.
/// `n` is the side of the square, when a Trilu or ConstantOfShape fixed it.
struct Triangular {
  double lower, upper;
  std::optional<Dim> n;
};

/// Evaluates the mask expression `v` on the two triangles; nullopt when it is
/// not one (or its square sides differ).
std::optional<Triangular> triangular(Value v, ShapeInference &shapes, int depth = 0) {
  if (depth > 8)
    return std::nullopt;
  if (std::optional<double> c = constScalar(v))
    return Triangular{*c, *c, std::nullopt};
  if (std::optional<SmallVector<int64_t>> c = constInts(v); c && c->size() == 1)
    return Triangular{double((*c)[0]), double((*c)[0]), std::nullopt};
  auto node = v.getDefiningOp<NodeOp>();
  if (!node || !node.getDomain().empty() || node.getOutputs()[0] != v)
    return std::nullopt;
  StringRef type = node.getOpType();
  ValueRange in = node.getInputs();
  auto operand = [&](unsigned i) -> std::optional<Triangular> {
    if (i >= in.size())
      return std::nullopt;
    return triangular(in[i], shapes, depth + 1);
  };
  // Sides from operands must agree.
  auto side = [](std::optional<Dim> a, std::optional<Dim> b, bool &ok) {
    if (a && b && *a != *b)
      ok = false;
    return a ? a : b;
  };
  if (type == "ConstantOfShape" && in.size() == 1) {
    // The fill (default 0.0) over a square [1..., n, n].
    double fill = 0.0;
    if (auto value = dyn_cast_or_null<DenseElementsAttr>(node.getAttrs().get("value"))) {
      if (value.getNumElements() != 1)
        return std::nullopt;
      if (auto f = dyn_cast<DenseFPElementsAttr>(value))
        fill = (*f.getValues<APFloat>().begin()).convertToDouble();
      else if (auto i = dyn_cast<DenseIntElementsAttr>(value))
        fill = double((*i.getValues<APInt>().begin()).getSExtValue());
      else
        return std::nullopt;
    }
    std::optional<DimList> dims = shapes.elements(in[0]);
    if (!dims || dims->size() < 2 || (*dims)[dims->size() - 1] != (*dims)[dims->size() - 2])
      return std::nullopt;
    for (size_t i = 0; i + 2 < dims->size(); ++i)
      if (!(*dims)[i].isOne())
        return std::nullopt;
    return Triangular{fill, fill, dims->back()};
  }
  if (type == "Trilu") {
    std::optional<Triangular> x = operand(0);
    if (!x || x->lower != x->upper || !x->n)
      return std::nullopt;
    std::optional<int64_t> diagonal = triluDiagonal(node);
    if (!diagonal)
      return std::nullopt;
    int64_t k = *diagonal;
    int64_t upper = intAttr(node, "upper").value_or(1);
    // Only the two that split at the diagonal: tril(x) and triu(x, 1).
    if (upper == 0 && k == 0)
      return Triangular{x->lower, 0.0, x->n};
    if (upper == 1 && k == 1)
      return Triangular{0.0, x->upper, x->n};
    return std::nullopt;
  }
  if (type == "Cast" || type == "Identity" || type == "Neg" || type == "Not") {
    std::optional<Triangular> x = operand(0);
    if (!x)
      return std::nullopt;
    if (type == "Neg")
      x->lower = -x->lower, x->upper = -x->upper;
    if (type == "Not")
      x->lower = x->lower == 0, x->upper = x->upper == 0;
    // To bool (TensorProto BOOL = 9) is != 0; to an integer type truncates.
    if (type == "Cast" && intAttr(node, "to") == 9)
      x->lower = x->lower != 0, x->upper = x->upper != 0;
    else if (type == "Cast" &&
             (x->lower != std::trunc(x->lower) || x->upper != std::trunc(x->upper)) &&
             !llvm::is_contained({1, 10, 11, 16}, intAttr(node, "to").value_or(0)))
      return std::nullopt;
    return x;
  }
  if (llvm::is_contained({"Equal", "Add", "Sub", "Mul", "And", "Or"}, type) && in.size() == 2) {
    std::optional<Triangular> a = operand(0), b = operand(1);
    if (!a || !b)
      return std::nullopt;
    bool ok = true;
    std::optional<Dim> n = side(a->n, b->n, ok);
    if (!ok)
      return std::nullopt;
    auto apply = [&](double x, double y) -> double {
      if (type == "Equal")
        return x == y;
      if (type == "Add")
        return x + y;
      if (type == "Sub")
        return x - y;
      if (type == "Mul")
        return x * y;
      if (type == "And")
        return (x != 0) && (y != 0);
      return (x != 0) || (y != 0);
    };
    return Triangular{apply(a->lower, b->lower), apply(a->upper, b->upper), n};
  }
  if (type == "Where" && in.size() == 3) {
    std::optional<Triangular> c = operand(0), a = operand(1), b = operand(2);
    if (!c || !a || !b)
      return std::nullopt;
    bool ok = true;
    std::optional<Dim> n = side(side(c->n, a->n, ok), b->n, ok);
    if (!ok)
      return std::nullopt;
    return Triangular{c->lower != 0 ? a->lower : b->lower, c->upper != 0 ? a->upper : b->upper, n};
  }
  return std::nullopt;
}

/// The side n of a causal mask `mask` (additive, or Where's keep-condition).
/// An additive one is 0 on and below the diagonal and at most -1e4 above:
/// exp of a score that low underflows to 0 in f32 (for score spreads below
/// about 9,900), so the rows equal a causal softmax's.
std::optional<Dim> causalMaskSide(Value mask, bool boolMask, ShapeInference &shapes) {
  std::optional<Triangular> t = triangular(mask, shapes);
  if (!t || !t->n)
    return std::nullopt;
  bool causal = boolMask ? (t->lower != 0 && t->upper == 0) : (t->lower == 0 && t->upper <= -1e4);
  if (!causal)
    return std::nullopt;
  return t->n;
}

/// GQA's key/value head repeat as HF's repeat_kv exports it,
///   x = Reshape(Expand(Unsqueeze(t, 2), [1, 1, rep, 1, 1]), [B, H*rep, S, D]),
/// each node used once: returns t [B, H, S, D] and rep, when the symbolic
/// shapes show x is [B, H*rep, S, D] with kv head h/rep at query head h.
std::optional<std::pair<Value, int64_t>> matchRepeatKv(Value x, ShapeInference &shapes,
                                                       SmallVectorImpl<Operation *> &dead) {
  // x feeds the scores (or the output) once; Shapes of it (sizing kᵀ's
  // Reshapes) go with the match.
  NodeOp reshape = producer(x, {"Reshape"});
  if (!reshape || reshape.getInputs().size() < 2 ||
      llvm::count_if(x.getUsers(), [](Operation *u) {
        auto n = dyn_cast<NodeOp>(u);
        return !n || n.getOpType() != "Shape";
      }) != 1)
    return std::nullopt;
  Value e = reshape.getInputs()[0];
  NodeOp expand = producer(e, {"Expand"});
  if (!expand || !e.hasOneUse())
    return std::nullopt;
  Value u = expand.getInputs()[0];
  NodeOp unsqueeze = producer(u, {"Unsqueeze"});
  if (!unsqueeze || !u.hasOneUse())
    return std::nullopt;
  Value t = unsqueeze.getInputs()[0];
  std::optional<DimList> ts = shapes.shape(t), us = shapes.shape(u), es = shapes.shape(e),
                         xs = shapes.shape(x);
  if (!ts || !us || !es || !xs || ts->size() != 4 || us->size() != 5 || es->size() != 5 ||
      xs->size() != 4)
    return std::nullopt;
  const DimList &T = *ts, &U = *us, &E = *es, &X = *xs;
  // The new axis is 2; Expand grows only it, to a constant rep.
  if (U != DimList{T[0], T[1], Dim::constant(1), T[2], T[3]} || !E[2].isConstant() ||
      E != DimList{T[0], T[1], E[2], T[2], T[3]} || !T[1].isConstant())
    return std::nullopt;
  int64_t rep = E[2].value();
  if (X != DimList{T[0], Dim::constant(T[1].value() * rep), T[2], T[3]})
    return std::nullopt;
  dead.append({reshape, expand, unsqueeze});
  return std::make_pair(t, rep);
}

bool singleUse(Value v) { return v.hasOneUse(); }

/// `kt` = Reshape(Transpose(Reshape(k, [-1, S, D]), [0, 2, 1]), [B, H, D, S])
/// with k [B, H, S, D] (sizes proven by symbolic shapes): k's last two dims
/// swapped, through a 3-D view. Returns k (the three nodes added to `dead`).
Value reshapedTranspose(Value kt, ShapeInference &shapes, SmallVectorImpl<Operation *> &dead) {
  NodeOp outer = producer(kt, {"Reshape"});
  NodeOp t = outer ? producer(outer.getInputs()[0], {"Transpose"}) : nullptr;
  NodeOp inner = t ? producer(t.getInputs()[0], {"Reshape"}) : nullptr;
  if (!inner || !singleUse(kt) || !singleUse(outer.getInputs()[0]) ||
      !singleUse(t.getInputs()[0]))
    return {};
  auto perm = dyn_cast_or_null<DenseI64ArrayAttr>(t.getAttrs().get("perm"));
  if (!perm || perm.asArrayRef() != ArrayRef<int64_t>{0, 2, 1})
    return {};
  Value k = inner.getInputs()[0];
  std::optional<DimList> ks = shapes.shape(k), mid = shapes.elements(inner.getInputs()[1]),
                         to = shapes.elements(outer.getInputs()[1]);
  if (!ks || !mid || !to || ks->size() != 4 || mid->size() != 3 || to->size() != 4)
    return {};
  const DimList &K = *ks;
  // [-1 (or B*H), S, D], then [B, H, D, S].
  if ((*mid)[1] != K[2] || (*mid)[2] != K[3] || (*to)[0] != K[0] || (*to)[1] != K[1] ||
      (*to)[2] != K[3] || (*to)[3] != K[2])
    return {};
  dead.append({outer, t, inner});
  return k;
}

/// Peels scalar-constant Mul/Div nodes off `v` (each with a single use),
/// multiplying their factors into `scale`.
Value peelScale(Value v, double &scale, SmallVectorImpl<Operation *> &dead) {
  while (NodeOp n = producer(v, {"Mul", "Div"})) {
    if (n.getInputs().size() != 2 || !singleUse(v))
      break;
    Value a = n.getInputs()[0], b = n.getInputs()[1];
    std::optional<double> cb = constScalar(b),
                          ca = n.getOpType() == "Mul" ? constScalar(a) : std::nullopt;
    if (cb && *cb != 0.0) {
      scale *= n.getOpType() == "Mul" ? *cb : 1.0 / *cb;
      v = a;
    } else if (ca) {
      scale *= *ca;
      v = b;
    } else {
      break;
    }
    dead.push_back(n);
  }
  return v;
}

std::optional<Match> matchAttention(NodeOp out, ShapeInference &shapes) {
  RankInference &ranks = shapes.ranks();
  Match m;
  m.out = out;
  if (out.getInputs().size() != 2)
    return std::nullopt;
  m.dead.push_back(out);
  Value p = out.getInputs()[0];
  m.v = out.getInputs()[1];
  // onnxscript's guard for rows masked entirely, Where(IsNaN(p), 0, p): their
  // probabilities are then 0, as the raised Attention's are.
  SmallVector<Operation *> guard;
  if (NodeOp where = producer(p, {"Where"}); where && singleUse(p)) {
    NodeOp isnan = producer(where.getInputs()[0], {"IsNaN"});
    std::optional<double> zero = constScalar(where.getInputs()[1]);
    Value probs = where.getInputs()[2];
    if (!isnan || !zero || *zero != 0.0 || isnan.getInputs()[0] != probs ||
        !where.getInputs()[0].hasOneUse() ||
        !llvm::all_of(probs.getUsers(), [&](Operation *u) { return u == where || u == isnan; }))
      return std::nullopt;
    guard = {where, isnan};
    m.guarded = true;
    p = probs;
  }
  NodeOp softmax = producer(p, {"Softmax"});
  if (!softmax || (guard.empty() && !singleUse(p)) || softmax.getInputs().size() != 1)
    return std::nullopt;
  Value s = softmax.getInputs()[0];
  // The scores are 4-D (checked below: q and kᵀ are, a mask has at most 4
  // dims), so the last axis is -1 or 3.
  int64_t axis = intAttr(softmax, "axis").value_or(softmax.getVersion() >= 13 ? -1 : 1);
  if (axis != -1 && axis != 3)
    return std::nullopt;
  // (Consumers before producers: the guard, then the Softmax.)
  m.dead.append(guard);
  m.dead.push_back(softmax);
  m.softmax = softmax;
  // The mask: Add(s, mask) or Where(cond, s, -inf).
  if (NodeOp add = producer(s, {"Add"}); add && singleUse(s)) {
    Value a = add.getInputs()[0], b = add.getInputs()[1];
    // The scores are the operand that leads back to the q.kᵀ MatMul.
    auto leadsToScores = [&](Value x) {
      double ignored = 1.0;
      SmallVector<Operation *> tmp;
      return static_cast<bool>(producer(peelScale(x, ignored, tmp), {"MatMul"}));
    };
    if (leadsToScores(a) && !leadsToScores(b)) {
      s = a, m.mask = b;
    } else if (leadsToScores(b) && !leadsToScores(a)) {
      s = b, m.mask = a;
    } else {
      return std::nullopt;
    }
    m.dead.push_back(add);
  } else if (NodeOp where = producer(s, {"Where"}); where && singleUse(s)) {
    std::optional<double> fill = constScalar(where.getInputs()[2]);
    if (!fill || !std::isinf(*fill) || *fill > 0)
      return std::nullopt;
    m.mask = where.getInputs()[0];
    m.boolMask = true;
    s = where.getInputs()[1];
    m.dead.push_back(where);
  }
  if (m.mask) {
    std::optional<int64_t> r = ranks.rankBound(m.mask);
    if (!r)
      if (std::optional<DimList> ms = shapes.shape(m.mask))
        r = ms->size();
    if (!r || *r > 4)
      return std::nullopt;
  }

  s = peelScale(s, m.scale, m.dead);
  NodeOp qk = producer(s, {"MatMul"});
  if (!qk || !singleUse(s) || qk.getInputs().size() != 2)
    return std::nullopt;
  m.dead.push_back(qk);
  m.q = peelScale(qk.getInputs()[0], m.scale, m.dead);
  Value kt = peelScale(qk.getInputs()[1], m.scale, m.dead);
  auto rankOf = [&](Value x) -> std::optional<int64_t> {
    if (std::optional<int64_t> r = ranks.rank(x))
      return r;
    if (std::optional<DimList> xs = shapes.shape(x))
      return static_cast<int64_t>(xs->size());
    return std::nullopt;
  };
  std::optional<int64_t> qRank = rankOf(m.q), ktRank = rankOf(kt), vRank = rankOf(m.v);
  if (!qRank || !ktRank || !vRank || *qRank != 4 || *ktRank != 4 || *vRank != 4)
    return std::nullopt;
  // k = kᵀ with its last two dims swapped; through a Transpose that yields
  // kᵀ, compose the two permutations (often the identity: k itself).
  SmallVector<int64_t> swap = {0, 1, 3, 2};
  m.k = kt;
  m.kPerm = swap;
  // kᵀ as onnxscript writes it for a 4-D k [B, H, S, D]: Reshape to
  // [-1, S, D], Transpose [0, 2, 1], Reshape to [B, H, D, S].
  if (Value k = reshapedTranspose(kt, shapes, m.dead)) {
    m.k = k;
    m.kPerm = {0, 1, 2, 3};
  } else if (NodeOp t = producer(kt, {"Transpose"}); t && singleUse(kt)) {
    auto perm = dyn_cast_or_null<DenseI64ArrayAttr>(t.getAttrs().get("perm"));
    if (perm && perm.size() == 4) {
      m.k = t.getInputs()[0];
      for (int64_t i = 0; i < 4; ++i)
        m.kPerm[i] = perm[swap[i]];
      m.dead.push_back(t);
    }
  }

  // GQA: k and v repeated by the same factor; Attention takes them unrepeated.
  if (llvm::equal(m.kPerm, ArrayRef<int64_t>{0, 1, 2, 3})) {
    SmallVector<Operation *> repeatNodes;
    auto rk = matchRepeatKv(m.k, shapes, repeatNodes);
    auto rv = matchRepeatKv(m.v, shapes, repeatNodes);
    if (rk && rv && rk->second == rv->second) {
      m.k = rk->first;
      m.v = rv->first;
      m.dead.append(repeatNodes);
    }
  }

  // A causal mask over Sq == Sk == n.
  if (m.mask) {
    std::optional<Dim> n = causalMaskSide(m.mask, m.boolMask, shapes);
    std::optional<DimList> qs = shapes.shape(m.q), ks = shapes.shape(m.k);
    if (n && qs && ks && qs->size() == 4 && ks->size() == 4 && (*qs)[2] == *n &&
        (*ks)[m.kPerm[2]] == *n)
      m.causal = true;
  }
  return m;
}

/// Replaces the matched nodes with one Attention node.
void raise(Match &m) {
  OpBuilder b(m.out);
  MLIRContext *ctx = b.getContext();
  auto unknown = hybrid::onnx::UnknownType::get(ctx);
  NodeOp softmax = m.softmax;
  Location loc = softmax.getLoc();
  StringAttr name = softmax.getNameAttr();
  auto suffixed = [&](StringRef suffix) {
    return name ? b.getStringAttr(name.getValue() + suffix) : StringAttr();
  };
  Value k = m.k;
  if (!llvm::equal(m.kPerm, ArrayRef<int64_t>{0, 1, 2, 3})) {
    NamedAttribute perm(b.getStringAttr("perm"), b.getDenseI64ArrayAttr(m.kPerm));
    k = NodeOp::create(b, loc, TypeRange{unknown}, ValueRange{k}, "Transpose", "", 13,
                       suffixed("/raised_k"), b.getDictionaryAttr({perm}), nullptr, 0)
            .getOutputs()[0];
  }
  // A boolean mask (Where's condition) is true where a key may be attended,
  // as Attention's is; a float one is added to the scores, as Add did.
  SmallVector<Value> inputs = {m.q, k, m.v};
  if (m.mask && !m.causal)
    inputs.push_back(m.mask);
  SmallVector<NamedAttribute> attrs = {
      NamedAttribute(b.getStringAttr("scale"), b.getF32FloatAttr(static_cast<float>(m.scale)))};
  if (m.causal)
    attrs.push_back(NamedAttribute(b.getStringAttr("is_causal"), b.getI64IntegerAttr(1)));
  Type resultType = m.out.getOutputs()[0].getType();
  auto attention =
      NodeOp::create(b, loc, TypeRange{resultType}, inputs, "Attention", "", 23,
                     suffixed("/raised_attention"), b.getDictionaryAttr(attrs), nullptr, 0);
  m.out.getOutputs()[0].replaceAllUsesWith(attention.getOutputs()[0]);
  // (With the producers only they read: a causal mask's nodes, and the
  // Shape(k) sizing kᵀ's Reshapes, which keeps GQA's repeat alive until it
  // goes.)
  eraseUnused(m.dead);
}

} // namespace

unsigned hybrid::raiseAttention(Operation *root) {
  // Matches never overlap: each owns its Softmax, used once.
  unsigned n = raiseAll<Match>(
      root, "MatMul", "hybrid-raise-attention", matchAttention,
      [](const Match &m) {
        std::string d;
        llvm::raw_string_ostream os(d);
        os << "MatMul(Softmax(scale QK^T";
        if (m.mask && !m.causal)
          os << (m.boolMask ? " masked by a boolean mask" : " + mask");
        os << "), V) became one Attention node, scale " << m.scale;
        if (m.causal)
          os << "; its Trilu mask, proven causal over the query and key lengths, became "
                "is_causal = 1 (no mask in memory)";
        if (!llvm::equal(m.kPerm, llvm::seq<int64_t>(0, m.kPerm.size())))
          os << "; K read through its transpose";
        if (m.guarded)
          os << "; the Where(IsNaN(p), 0, p) guard for rows masked entirely folded (the "
                "Attention gives such rows 0)";
        return d;
      },
      raise, /*oneAtATime=*/true);
  return n;
}

void hybrid::reportUnraised(Operation *root) {
  reportLeft(root, "Softmax", "hybrid-raise-attention", [](NodeOp) {
    return std::string("this Softmax stays: it is not the middle of MatMul(Softmax(scale QK^T "
                       "[+ mask]), V) with a scale, mask and shapes the pass can prove, nor a "
                       "mixture of experts' router");
  });
  reportLeft(root, "TopK", "hybrid-raise-moe", [](NodeOp) {
    return std::string("this TopK stays: it does not route a mixture of experts the pass "
                       "matches (a router MatMul, Softmax and TopK; every expert's constant "
                       "feed-forward block masked by its routing weight and summed, or run on "
                       "the tokens that chose it and scattered back)");
  });
  reportUnraisedConvs(root);
  reportUnraisedScans(root);
}

void hybrid::raiseOnnxGraph(ModuleOp module) {
  // Rotary before attention: q and k then come from RotaryEmbedding nodes,
  // whose shapes are their inputs'.
  raiseRmsNorm(module);
  raiseRotary(module);
  raiseAttention(module);
  raiseMoe(module);
  raiseCausalConv(module);
  raiseScans(module);
  // What is left, once every pass has run (a Softmax a later pass raises into
  // a MoE is not an attention left as written).
  reportUnraised(module);
}

namespace {
struct RaiseAttentionPass : public hybrid::impl::RaiseAttentionBase<RaiseAttentionPass> {
  void runOnOperation() override { hybrid::raiseAttention(getOperation()); }
};
} // namespace
