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
// `Attention(q, k, v[, mask]) {scale}`, which the Attention converter turns
// into hybrid.attention. Every intermediate must have that one use (a score
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
  NodeOp out;                   // MatMul(p, v)
  SmallVector<Operation *> dead; // the nodes the raised one replaces, uses first
  Value q, k, v, mask;
  /// k is kᵀ transposed by this permutation (identity: k itself).
  SmallVector<int64_t> kPerm;
  bool boolMask = false;
  double scale = 1.0;
};

bool singleUse(Value v) { return v.hasOneUse(); }

/// Peels scalar-constant Mul/Div nodes off `v` (each with a single use),
/// multiplying their factors into `scale`.
Value peelScale(Value v, double &scale, SmallVectorImpl<Operation *> &dead) {
  while (NodeOp n = producer(v, {"Mul", "Div"})) {
    if (n.getInputs().size() != 2 || !singleUse(v))
      break;
    Value a = n.getInputs()[0], b = n.getInputs()[1];
    std::optional<double> cb = constScalar(b), ca = n.getOpType() == "Mul" ? constScalar(a)
                                                                          : std::nullopt;
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

std::optional<Match> matchAttention(NodeOp out, RankInference &ranks) {
  Match m;
  m.out = out;
  if (out.getInputs().size() != 2)
    return std::nullopt;
  m.dead.push_back(out);
  Value p = out.getInputs()[0];
  m.v = out.getInputs()[1];
  NodeOp softmax = producer(p, {"Softmax"});
  if (!softmax || !singleUse(p) || softmax.getInputs().size() != 1)
    return std::nullopt;
  Value s = softmax.getInputs()[0];
  // The scores are 4-D (checked below: q and kᵀ are, a mask has at most 4
  // dims), so the last axis is -1 or 3.
  int64_t axis = intAttr(softmax, "axis").value_or(softmax.getVersion() >= 13 ? -1 : 1);
  if (axis != -1 && axis != 3)
    return std::nullopt;
  m.dead.push_back(softmax);

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
  std::optional<int64_t> qRank = ranks.rank(m.q), ktRank = ranks.rank(kt),
                         vRank = ranks.rank(m.v);
  if (!qRank || !ktRank || !vRank || *qRank != 4 || *ktRank != 4 || *vRank != 4)
    return std::nullopt;
  // k = kᵀ with its last two dims swapped; through a Transpose that yields
  // kᵀ, compose the two permutations (often the identity: k itself).
  SmallVector<int64_t> swap = {0, 1, 3, 2};
  m.k = kt;
  m.kPerm = swap;
  if (NodeOp t = producer(kt, {"Transpose"}); t && singleUse(kt)) {
    auto perm = dyn_cast_or_null<DenseI64ArrayAttr>(t.getAttrs().get("perm"));
    if (perm && perm.size() == 4) {
      m.k = t.getInputs()[0];
      for (int64_t i = 0; i < 4; ++i)
        m.kPerm[i] = perm[swap[i]];
      m.dead.push_back(t);
    }
  }
  return m;
}

/// Replaces the matched nodes with one Attention node.
void raise(Match &m) {
  OpBuilder b(m.out);
  MLIRContext *ctx = b.getContext();
  auto unknown = hybrid::onnx::UnknownType::get(ctx);
  NodeOp softmax = cast<NodeOp>(m.dead[1]);
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
  if (m.mask)
    inputs.push_back(m.mask);
  NamedAttribute scale(b.getStringAttr("scale"), b.getF32FloatAttr(static_cast<float>(m.scale)));
  Type resultType = m.out.getOutputs()[0].getType();
  auto attention = NodeOp::create(b, loc, TypeRange{resultType}, inputs, "Attention", "", 23,
                                  suffixed("/raised_attention"),
                                  b.getDictionaryAttr({scale}), nullptr, 0);
  m.out.getOutputs()[0].replaceAllUsesWith(attention.getOutputs()[0]);
  for (Operation *op : m.dead)
    op->erase();
}

} // namespace

unsigned hybrid::raiseAttention(Operation *root) {
  RankInference ranks;
  SmallVector<Match> matches;
  root->walk([&](NodeOp node) {
    if (node.getDomain().empty() && node.getOpType() == "MatMul")
      if (std::optional<Match> m = matchAttention(node, ranks))
        matches.push_back(std::move(*m));
  });
  // Matches never overlap: each owns its Softmax, used once.
  for (Match &m : matches)
    raise(m);
  return matches.size();
}

void hybrid::raiseOnnxGraph(ModuleOp module) {
  raiseAttention(module);
  raiseMoe(module);
}

namespace {
struct RaiseAttentionPass : public hybrid::impl::RaiseAttentionBase<RaiseAttentionPass> {
  void runOnOperation() override { hybrid::raiseAttention(getOperation()); }
};
} // namespace
