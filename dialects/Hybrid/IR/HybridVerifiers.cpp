//===- HybridVerifiers.cpp - verifiers of the hybrid ops ------------------===//
//
// Every constraint of shared/spec/hybrid-ops.md, numbered `<op>_cN` as listed
// in docs/Dialects/HybridRationale.md. Static sizes are checked; a dynamic size
// on either side of a comparison is accepted (it is checked at run time by
// whoever provides the data). Each message starts with the constraint's name,
// and test/Dialect/Hybrid/invalid.mlir has a negative test for each.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOpUtils.h"
#include "dialects/Hybrid/IR/HybridOps.h"

#include <cmath>

using namespace mlir;
using namespace hybrid;

namespace {

/// Checks one op's operands against its numbered constraints and reports the
/// first violation.
class Checker {
public:
  Checker(Operation *op, StringRef prefix) : op(op), prefix(prefix) {}

  InFlightDiagnostic fail(int c) {
    return op->emitOpError() << prefix << "_c" << c << ": ";
  }

  /// c1 of every op: all operands ranked tensors with one result per
  /// destination (of the destination's type), or all memrefs and no results;
  /// `numOutputs` destinations.
  LogicalResult form(unsigned numOutputs) {
    auto dps = cast<DestinationStyleOpInterface>(op);
    if (dps.getNumDpsInits() != numOutputs)
      return fail(1) << "expected " << numOutputs << " destination(s) in outs, got "
                     << dps.getNumDpsInits();
    bool anyTensor = false, anyMemref = false;
    for (Value v : op->getOperands()) {
      if (isa<RankedTensorType>(v.getType()))
        anyTensor = true;
      else if (isa<MemRefType>(v.getType()))
        anyMemref = true;
      else
        return fail(1) << "operands must be ranked tensors or memrefs, got "
                       << v.getType();
    }
    if (anyTensor && anyMemref)
      return fail(1) << "operands must be all tensors or all memrefs";
    if (anyMemref) {
      if (op->getNumResults() != 0)
        return fail(1) << "an op on memrefs has no results";
      return success();
    }
    if (op->getNumResults() != numOutputs)
      return fail(1) << "expected one result per destination (" << numOutputs
                     << "), got " << op->getNumResults();
    for (auto [i, init] : llvm::enumerate(dps.getDpsInits()))
      if (op->getResult(i).getType() != init.getType())
        return fail(1) << "result #" << i << " type " << op->getResult(i).getType()
                       << " must equal its destination type " << init.getType();
    return success();
  }

  /// `v` (named `name`, may be null for an absent optional) has one of `ranks`.
  LogicalResult rank(int c, Value v, StringRef name, ArrayRef<int64_t> ranks) {
    if (!v)
      return success();
    int64_t r = cast<ShapedType>(v.getType()).getRank();
    if (llvm::is_contained(ranks, r))
      return success();
    auto diag = fail(c) << name << " must have rank ";
    llvm::interleave(ranks, diag, " or ");
    return diag << ", got rank " << r;
  }

  /// Dimension `da` of `a` equals dimension `db` of `b` (when both static).
  LogicalResult sameDim(int c, Value a, StringRef an, int64_t da, Value b,
                        StringRef bn, int64_t db, StringRef what) {
    if (!a || !b)
      return success();
    int64_t x = hybrid::detail::staticDim(a, da), y = hybrid::detail::staticDim(b, db);
    if (ShapedType::isDynamic(x) || ShapedType::isDynamic(y) || x == y)
      return success();
    return fail(c) << what << ": dim " << da << " of " << an << " (" << x
                   << ") must equal dim " << db << " of " << bn << " (" << y
                   << ")";
  }

  /// Dimension `d` of `v` equals `expected` (when both static).
  LogicalResult dimIs(int c, Value v, StringRef name, int64_t d,
                      int64_t expected, StringRef what) {
    if (!v)
      return success();
    int64_t x = hybrid::detail::staticDim(v, d);
    if (ShapedType::isDynamic(x) || ShapedType::isDynamic(expected) ||
        x == expected)
      return success();
    return fail(c) << what << ": dim " << d << " of " << name << " is " << x
                   << ", expected " << expected;
  }

  /// Every value in `vals` has the same floating-point element type
  /// (f16, bf16, f32 or f64).
  LogicalResult sameFloat(int c, ArrayRef<std::pair<Value, StringRef>> vals) {
    Type ref;
    StringRef refName;
    for (auto [v, name] : vals) {
      if (!v)
        continue;
      Type t = getElementTypeOrSelf(v.getType());
      if (!t.isF16() && !t.isBF16() && !t.isF32() && !t.isF64())
        return fail(c) << name << " must have f16, bf16, f32 or f64 elements, got "
                       << t;
      if (!ref) {
        ref = t;
        refName = name;
      } else if (t != ref) {
        return fail(c) << "element type of " << name << " (" << t
                       << ") must equal that of " << refName << " (" << ref
                       << ")";
      }
    }
    return success();
  }

  /// `v` has signless-integer or index elements.
  LogicalResult integer(int c, Value v, StringRef name) {
    Type t = getElementTypeOrSelf(v.getType());
    if (t.isSignlessInteger(32) || t.isSignlessInteger(64))
      return success();
    if (t.isIndex())
      return success();
    return fail(c) << name
                   << " must have i32, i64 or index elements, got "
                   << t;
  }

  /// Two values have the same shape (dimensions compared where static).
  LogicalResult sameShape(int c, Value a, StringRef an, Value b, StringRef bn) {
    if (!a || !b)
      return success();
    auto ta = cast<ShapedType>(a.getType()), tb = cast<ShapedType>(b.getType());
    if (ta.getRank() != tb.getRank())
      return fail(c) << bn << " must have the shape of " << an;
    for (int64_t d = 0; d < ta.getRank(); ++d)
      if (failed(sameDim(c, a, an, d, b, bn, d, "shape mismatch")))
        return failure();
    return success();
  }

private:
  Operation *op;
  StringRef prefix;
};

#define CHECK(x)                                                               \
  if (failed(x))                                                               \
    return failure();

bool isFinite(std::optional<float> f) { return !f || std::isfinite(*f); }

} // namespace

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  Checker ck(*this, "attention");
  CHECK(ck.form(1));
  Value q = getQ(), k = getK(), v = getV(), mask = getMask(),
        o = getOutputs()[0];
  // attention_c2: ranks.
  CHECK(ck.rank(2, q, "q", {4}));
  CHECK(ck.rank(2, k, "k", {4}));
  CHECK(ck.rank(2, v, "v", {4}));
  CHECK(ck.rank(2, o, "output", {4}));
  // attention_c3: one float element type.
  CHECK(ck.sameFloat(3, {{q, "q"}, {k, "k"}, {v, "v"}, {o, "output"}}));
  // attention_c4: batch.
  CHECK(ck.sameDim(4, q, "q", 0, k, "k", 0, "batch"));
  CHECK(ck.sameDim(4, q, "q", 0, v, "v", 0, "batch"));
  CHECK(ck.sameDim(4, q, "q", 0, o, "output", 0, "batch"));
  // attention_c5: k and v share the kv heads, Hq % Hkv == 0.
  CHECK(ck.sameDim(5, k, "k", 1, v, "v", 1, "kv heads"));
  int64_t hq = hybrid::detail::staticDim(q, 1), hkv = hybrid::detail::staticDim(k, 1);
  if (!ShapedType::isDynamic(hkv) && hkv == 0)
    return ck.fail(5) << "k must have at least one head";
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) && hq % hkv)
    return ck.fail(5) << "query heads (" << hq
                      << ") must be a multiple of key/value heads (" << hkv
                      << ")";
  // attention_c6: key head dim.
  CHECK(ck.sameDim(6, q, "q", 3, k, "k", 3, "head dim"));
  // attention_c7: key/value sequence.
  CHECK(ck.sameDim(7, k, "k", 2, v, "v", 2, "key/value sequence"));
  // attention_c8: output [B, Hq, Sq, Dv].
  CHECK(ck.sameDim(8, q, "q", 1, o, "output", 1, "output heads"));
  CHECK(ck.sameDim(8, q, "q", 2, o, "output", 2, "output sequence"));
  CHECK(ck.sameDim(8, v, "v", 3, o, "output", 3, "output head dim"));
  // attention_c9: mask type and broadcast to [B, Hq, Sq, Skv].
  if (mask) {
    auto mt = cast<ShapedType>(mask.getType());
    Type et = mt.getElementType();
    Type qt = cast<ShapedType>(q.getType()).getElementType();
    if (!et.isInteger(1) && et != qt)
      return ck.fail(9) << "mask must have i1 elements or q's element type ("
                        << qt << "), got " << et;
    if (mt.getRank() < 1 || mt.getRank() > 4)
      return ck.fail(9) << "mask rank must be between 1 and 4, got "
                        << mt.getRank();
    int64_t target[4] = {hybrid::detail::staticDim(q, 0), hq, hybrid::detail::staticDim(q, 2),
                         hybrid::detail::staticDim(k, 2)};
    for (int64_t d = 0; d < mt.getRank(); ++d) {
      int64_t t = target[4 - mt.getRank() + d], m = mt.getDimSize(d);
      if (ShapedType::isDynamic(m) || ShapedType::isDynamic(t) || m == 1 ||
          m == t)
        continue;
      return ck.fail(9) << "mask dim " << d << " (" << m
                        << ") must be 1 or broadcast to " << t
                        << " of [B, Hq, Sq, Skv]";
    }
  }
  // attention_c10: attributes.
  if (static_cast<int64_t>(getWindowLeft()) < -1 ||
      static_cast<int64_t>(getWindowRight()) < -1)
    return ck.fail(10) << "window_left and window_right must be >= -1 (-1 is "
                          "unbounded)";
  float softcap = getSoftcap().convertToFloat();
  if (!(softcap >= 0.0f) || !std::isfinite(softcap))
    return ck.fail(10) << "softcap must be finite and >= 0 (0 is off)";
  if (getScale() && !std::isfinite(getScale()->convertToFloat()))
    return ck.fail(10) << "scale must be finite";
  return success();
}

//===----------------------------------------------------------------------===//
// ssm_scan
//===----------------------------------------------------------------------===//

LogicalResult SsmScanOp::verify() {
  Checker ck(*this, "ssm_scan");
  CHECK(ck.form(2));
  Value x = getX(), dt = getDt(), a = getA(), bm = getBm(), cm = getCm(),
        d = getD(), z = getZ(), bias = getDtBias(), init = getInitialState(),
        y = getOutputs()[0], fin = getOutputs()[1];
  // ssm_scan_c2: ranks.
  CHECK(ck.rank(2, x, "x", {4}));
  CHECK(ck.rank(2, dt, "dt", {3}));
  CHECK(ck.rank(2, a, "A", {1, 2}));
  CHECK(ck.rank(2, bm, "Bm", {4}));
  CHECK(ck.rank(2, cm, "Cm", {4}));
  CHECK(ck.rank(2, d, "D", {1, 2}));
  CHECK(ck.rank(2, z, "z", {4}));
  CHECK(ck.rank(2, bias, "dt_bias", {1}));
  CHECK(ck.rank(2, init, "initial_state", {4}));
  CHECK(ck.rank(2, y, "y", {4}));
  CHECK(ck.rank(2, fin, "final_state", {4}));
  // ssm_scan_c3: one float element type.
  CHECK(ck.sameFloat(3, {{x, "x"}, {dt, "dt"}, {a, "A"}, {bm, "Bm"}, {cm, "Cm"},
                         {d, "D"}, {z, "z"}, {bias, "dt_bias"},
                         {init, "initial_state"}, {y, "y"},
                         {fin, "final_state"}}));
  // ssm_scan_c4: batch and length.
  for (auto [val, name] : {std::pair{dt, "dt"}, {bm, "Bm"}, {cm, "Cm"},
                           {z, "z"}, {y, "y"}}) {
    CHECK(ck.sameDim(4, x, "x", 0, val, name, 0, "batch"));
    CHECK(ck.sameDim(4, x, "x", 1, val, name, 1, "sequence length"));
  }
  CHECK(ck.sameDim(4, x, "x", 0, init, "initial_state", 0, "batch"));
  CHECK(ck.sameDim(4, x, "x", 0, fin, "final_state", 0, "batch"));
  // ssm_scan_c5: heads.
  CHECK(ck.sameDim(5, x, "x", 2, dt, "dt", 2, "heads"));
  CHECK(ck.sameDim(5, x, "x", 2, a, "A", 0, "heads"));
  CHECK(ck.sameDim(5, x, "x", 2, d, "D", 0, "heads"));
  CHECK(ck.sameDim(5, x, "x", 2, z, "z", 2, "heads"));
  CHECK(ck.sameDim(5, x, "x", 2, y, "y", 2, "heads"));
  CHECK(ck.sameDim(5, x, "x", 2, bias, "dt_bias", 0, "heads"));
  CHECK(ck.sameDim(5, x, "x", 2, init, "initial_state", 1, "heads"));
  CHECK(ck.sameDim(5, x, "x", 2, fin, "final_state", 1, "heads"));
  // ssm_scan_c6: groups. Bm and Cm agree and H % G == 0.
  CHECK(ck.sameShape(6, bm, "Bm", cm, "Cm"));
  int64_t h = hybrid::detail::staticDim(x, 2), g = hybrid::detail::staticDim(bm, 2);
  if (!ShapedType::isDynamic(g) && g == 0)
    return ck.fail(6) << "Bm must have at least one group";
  if (!ShapedType::isDynamic(h) && !ShapedType::isDynamic(g) && h % g)
    return ck.fail(6) << "heads (" << h << ") must be a multiple of groups ("
                      << g << ")";
  // ssm_scan_c7: state size N.
  if (cast<ShapedType>(a.getType()).getRank() == 2)
    CHECK(ck.sameDim(7, bm, "Bm", 3, a, "A", 1, "state size"));
  CHECK(ck.sameDim(7, bm, "Bm", 3, init, "initial_state", 3, "state size"));
  CHECK(ck.sameDim(7, bm, "Bm", 3, fin, "final_state", 3, "state size"));
  // ssm_scan_c8: head channels P.
  if (d && cast<ShapedType>(d.getType()).getRank() == 2)
    CHECK(ck.sameDim(8, x, "x", 3, d, "D", 1, "head channels"));
  CHECK(ck.sameDim(8, x, "x", 3, z, "z", 3, "head channels"));
  CHECK(ck.sameDim(8, x, "x", 3, y, "y", 3, "head channels"));
  CHECK(ck.sameDim(8, x, "x", 3, init, "initial_state", 2, "head channels"));
  CHECK(ck.sameDim(8, x, "x", 3, fin, "final_state", 2, "head channels"));
  // ssm_scan_c9: clamp bounds.
  if (getDtMin() && getDtMax() &&
      !(getDtMin()->convertToFloat() <= getDtMax()->convertToFloat()))
    return ck.fail(9) << "dt_min must be <= dt_max";
  if (!isFinite(getDtMin() ? std::optional(getDtMin()->convertToFloat())
                           : std::nullopt) ||
      !isFinite(getDtMax() ? std::optional(getDtMax()->convertToFloat())
                           : std::nullopt))
    return ck.fail(9) << "dt_min and dt_max must be finite";
  return success();
}

//===----------------------------------------------------------------------===//
// linear_attention
//===----------------------------------------------------------------------===//

LogicalResult LinearAttentionOp::verify() {
  Checker ck(*this, "linear_attention");
  CHECK(ck.form(2));
  Value q = getQ(), k = getK(), v = getV(), decay = getDecay(),
        beta = getBeta(), init = getInitialState(), o = getOutputs()[0],
        fin = getOutputs()[1];
  // linear_attention_c2: ranks.
  CHECK(ck.rank(2, q, "q", {4}));
  CHECK(ck.rank(2, k, "k", {4}));
  CHECK(ck.rank(2, v, "v", {4}));
  CHECK(ck.rank(2, decay, "decay", {3, 4}));
  CHECK(ck.rank(2, beta, "beta", {3}));
  CHECK(ck.rank(2, init, "initial_state", {4}));
  CHECK(ck.rank(2, o, "output", {4}));
  CHECK(ck.rank(2, fin, "final_state", {4}));
  // linear_attention_c3: one float element type.
  CHECK(ck.sameFloat(3, {{q, "q"}, {k, "k"}, {v, "v"}, {decay, "decay"},
                         {beta, "beta"}, {init, "initial_state"},
                         {o, "output"}, {fin, "final_state"}}));
  // linear_attention_c4: batch and time.
  for (auto [val, name] : {std::pair{k, "k"}, {v, "v"}, {decay, "decay"},
                           {beta, "beta"}, {o, "output"}}) {
    CHECK(ck.sameDim(4, q, "q", 0, val, name, 0, "batch"));
    CHECK(ck.sameDim(4, q, "q", 1, val, name, 1, "time"));
  }
  CHECK(ck.sameDim(4, q, "q", 0, init, "initial_state", 0, "batch"));
  CHECK(ck.sameDim(4, q, "q", 0, fin, "final_state", 0, "batch"));
  // linear_attention_c5: heads.
  CHECK(ck.sameDim(5, k, "k", 2, v, "v", 2, "kv heads"));
  CHECK(ck.sameDim(5, k, "k", 2, decay, "decay", 2, "kv heads"));
  CHECK(ck.sameDim(5, k, "k", 2, beta, "beta", 2, "kv heads"));
  CHECK(ck.sameDim(5, k, "k", 2, init, "initial_state", 1, "kv heads"));
  CHECK(ck.sameDim(5, k, "k", 2, fin, "final_state", 1, "kv heads"));
  CHECK(ck.sameDim(5, q, "q", 2, o, "output", 2, "query heads"));
  int64_t hq = hybrid::detail::staticDim(q, 2), hkv = hybrid::detail::staticDim(k, 2);
  if (!ShapedType::isDynamic(hkv) && hkv == 0)
    return ck.fail(5) << "k must have at least one head";
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv) && hq % hkv)
    return ck.fail(5) << "query heads (" << hq
                      << ") must be a multiple of key/value heads (" << hkv
                      << ")";
  // linear_attention_c6: key dim Dk.
  CHECK(ck.sameDim(6, q, "q", 3, k, "k", 3, "key dim"));
  if (decay && cast<ShapedType>(decay.getType()).getRank() == 4)
    CHECK(ck.sameDim(6, k, "k", 3, decay, "decay", 3, "key dim"));
  CHECK(ck.sameDim(6, k, "k", 3, init, "initial_state", 2, "key dim"));
  CHECK(ck.sameDim(6, k, "k", 3, fin, "final_state", 2, "key dim"));
  // linear_attention_c7: value dim Dv.
  CHECK(ck.sameDim(7, v, "v", 3, o, "output", 3, "value dim"));
  CHECK(ck.sameDim(7, v, "v", 3, init, "initial_state", 3, "value dim"));
  CHECK(ck.sameDim(7, v, "v", 3, fin, "final_state", 3, "value dim"));
  // linear_attention_c8: the rule's operands, and only those.
  UpdateRule rule = getUpdateRule();
  bool gated = rule == UpdateRule::Gated || rule == UpdateRule::GatedDelta;
  bool delta = rule == UpdateRule::Delta || rule == UpdateRule::GatedDelta;
  if (gated != static_cast<bool>(decay))
    return ck.fail(8) << "decay is " << (gated ? "required" : "not allowed")
                      << " with update rule '" << stringifyUpdateRule(rule)
                      << "'";
  if (delta != static_cast<bool>(beta))
    return ck.fail(8) << "beta is " << (delta ? "required" : "not allowed")
                      << " with update rule '" << stringifyUpdateRule(rule)
                      << "'";
  // linear_attention_c9: scale.
  if (getScale() && !std::isfinite(getScale()->convertToFloat()))
    return ck.fail(9) << "scale must be finite";
  return success();
}

//===----------------------------------------------------------------------===//
// causal_conv1d
//===----------------------------------------------------------------------===//

LogicalResult CausalConv1dOp::verify() {
  Checker ck(*this, "causal_conv1d");
  CHECK(ck.form(2));
  Value x = getX(), w = getWeight(), bias = getBias(),
        init = getInitialState(), y = getOutputs()[0], fin = getOutputs()[1];
  // causal_conv1d_c2: ranks.
  CHECK(ck.rank(2, x, "x", {3}));
  CHECK(ck.rank(2, w, "weight", {2}));
  CHECK(ck.rank(2, bias, "bias", {1}));
  CHECK(ck.rank(2, init, "initial_state", {3}));
  CHECK(ck.rank(2, y, "y", {3}));
  CHECK(ck.rank(2, fin, "final_state", {3}));
  // causal_conv1d_c3: one float element type.
  CHECK(ck.sameFloat(3, {{x, "x"}, {w, "weight"}, {bias, "bias"},
                         {init, "initial_state"}, {y, "y"},
                         {fin, "final_state"}}));
  // causal_conv1d_c4: channels.
  CHECK(ck.sameDim(4, x, "x", 1, w, "weight", 0, "channels"));
  CHECK(ck.sameDim(4, x, "x", 1, bias, "bias", 0, "channels"));
  CHECK(ck.sameDim(4, x, "x", 1, init, "initial_state", 1, "channels"));
  CHECK(ck.sameDim(4, x, "x", 1, y, "y", 1, "channels"));
  CHECK(ck.sameDim(4, x, "x", 1, fin, "final_state", 1, "channels"));
  // causal_conv1d_c5: batch and length.
  CHECK(ck.sameDim(5, x, "x", 0, init, "initial_state", 0, "batch"));
  CHECK(ck.sameDim(5, x, "x", 0, y, "y", 0, "batch"));
  CHECK(ck.sameDim(5, x, "x", 0, fin, "final_state", 0, "batch"));
  CHECK(ck.sameDim(5, x, "x", 2, y, "y", 2, "length"));
  // causal_conv1d_c6: kernel width K >= 1 and state width K - 1.
  int64_t kw = hybrid::detail::staticDim(w, 1);
  if (!ShapedType::isDynamic(kw)) {
    if (kw < 1)
      return ck.fail(6) << "kernel width must be >= 1, got " << kw;
    CHECK(ck.dimIs(6, init, "initial_state", 2, kw - 1, "state width"));
    CHECK(ck.dimIs(6, fin, "final_state", 2, kw - 1, "state width"));
  }
  CHECK(ck.sameDim(6, init, "initial_state", 2, fin, "final_state", 2,
                   "state width"));
  // causal_conv1d_c7: activation.
  if (getActivation() != Activation::None &&
      getActivation() != Activation::Silu)
    return ck.fail(7) << "activation must be none or silu, got "
                      << stringifyActivation(getActivation());
  return success();
}

//===----------------------------------------------------------------------===//
// moe
//===----------------------------------------------------------------------===//

LogicalResult MoeOp::verify() {
  Checker ck(*this, "moe");
  CHECK(ck.form(1));
  Value x = getX(), logits = getRouterLogits(), up = getWUp(),
        down = getWDown(), gate = getWGate(), sb = getSelectionBias(),
        bg = getBGate(), bu = getBUp(), bd = getBDown(), y = getOutputs()[0];
  // moe_c2: ranks.
  CHECK(ck.rank(2, x, "x", {2}));
  CHECK(ck.rank(2, logits, "router_logits", {2}));
  CHECK(ck.rank(2, up, "w_up", {3}));
  CHECK(ck.rank(2, down, "w_down", {3}));
  CHECK(ck.rank(2, gate, "w_gate", {3}));
  CHECK(ck.rank(2, sb, "selection_bias", {1}));
  CHECK(ck.rank(2, bg, "b_gate", {2}));
  CHECK(ck.rank(2, bu, "b_up", {2}));
  CHECK(ck.rank(2, bd, "b_down", {2}));
  CHECK(ck.rank(2, y, "output", {2}));
  // moe_c3: one float element type.
  CHECK(ck.sameFloat(3, {{x, "x"}, {logits, "router_logits"}, {up, "w_up"},
                         {down, "w_down"}, {gate, "w_gate"},
                         {sb, "selection_bias"}, {bg, "b_gate"}, {bu, "b_up"},
                         {bd, "b_down"}, {y, "output"}}));
  // moe_c4: tokens.
  CHECK(ck.sameDim(4, x, "x", 0, logits, "router_logits", 0, "tokens"));
  CHECK(ck.sameDim(4, x, "x", 0, y, "output", 0, "tokens"));
  // moe_c5: experts.
  for (auto [val, name] : {std::pair{up, "w_up"}, {down, "w_down"},
                           {gate, "w_gate"}, {sb, "selection_bias"},
                           {bg, "b_gate"}, {bu, "b_up"}, {bd, "b_down"}})
    CHECK(ck.sameDim(5, logits, "router_logits", 1, val, name, 0, "experts"));
  // moe_c6: hidden size.
  CHECK(ck.sameDim(6, x, "x", 1, up, "w_up", 2, "hidden size"));
  CHECK(ck.sameDim(6, x, "x", 1, gate, "w_gate", 2, "hidden size"));
  CHECK(ck.sameDim(6, x, "x", 1, down, "w_down", 1, "hidden size"));
  CHECK(ck.sameDim(6, x, "x", 1, bd, "b_down", 1, "hidden size"));
  CHECK(ck.sameDim(6, x, "x", 1, y, "output", 1, "hidden size"));
  // moe_c7: intermediate size.
  CHECK(ck.sameDim(7, up, "w_up", 1, gate, "w_gate", 1, "intermediate size"));
  CHECK(ck.sameDim(7, up, "w_up", 1, down, "w_down", 2, "intermediate size"));
  CHECK(ck.sameDim(7, up, "w_up", 1, bg, "b_gate", 1, "intermediate size"));
  CHECK(ck.sameDim(7, up, "w_up", 1, bu, "b_up", 1, "intermediate size"));
  // moe_c8: 1 <= top_k <= E.
  int64_t e = hybrid::detail::staticDim(logits, 1);
  int64_t topK = static_cast<int64_t>(getTopK());
  if (topK < 1 || (!ShapedType::isDynamic(e) && topK > e))
    return ck.fail(8) << "top_k (" << topK
                      << ") must be between 1 and the number of experts ("
                      << (ShapedType::isDynamic(e) ? std::string("?")
                                                   : std::to_string(e))
                      << ")";
  // moe_c9: activation and gate weights.
  Activation act = getActivation();
  bool glu = act == Activation::Swiglu || act == Activation::Geglu;
  if (act == Activation::None)
    return ck.fail(9) << "activation must be swiglu, geglu, silu, gelu or relu";
  if (glu && !gate)
    return ck.fail(9) << "activation " << stringifyActivation(act)
                      << " requires w_gate";
  if (!glu && (gate || bg))
    return ck.fail(9) << "w_gate and b_gate are only allowed with swiglu or "
                         "geglu";
  // moe_c10: scaling.
  if (!std::isfinite(getScaling().convertToFloat()))
    return ck.fail(10) << "scaling must be finite";
  return success();
}

//===----------------------------------------------------------------------===//
// moe_dispatch, grouped_matmul, moe_combine
//===----------------------------------------------------------------------===//

LogicalResult MoeTopkOp::verify() {
  Checker ck(*this, "moe_topk");
  CHECK(ck.form(2));
  Value logits = getRouterLogits(), bias = getSelectionBias(),
        ids = getOutputs()[0], w = getOutputs()[1];
  // moe_topk_c2: ranks.
  CHECK(ck.rank(2, logits, "router_logits", {2}));
  CHECK(ck.rank(2, bias, "selection_bias", {1}));
  CHECK(ck.rank(2, ids, "expert_ids", {2}));
  CHECK(ck.rank(2, w, "weights", {2}));
  // moe_topk_c3: element types.
  CHECK(ck.sameFloat(3, {{logits, "router_logits"},
                         {bias, "selection_bias"},
                         {w, "weights"}}));
  CHECK(ck.integer(3, ids, "expert_ids"));
  // moe_topk_c4: shapes.
  CHECK(ck.sameDim(4, logits, "router_logits", 0, ids, "expert_ids", 0, "tokens"));
  CHECK(ck.sameDim(4, logits, "router_logits", 0, w, "weights", 0, "tokens"));
  CHECK(ck.sameDim(4, ids, "expert_ids", 1, w, "weights", 1, "top_k"));
  CHECK(ck.sameDim(4, logits, "router_logits", 1, bias, "selection_bias", 0,
                   "experts"));
  // moe_topk_c5: 1 <= top_k <= E.
  int64_t e = hybrid::detail::staticDim(logits, 1);
  int64_t k = hybrid::detail::staticDim(ids, 1);
  if (!ShapedType::isDynamic(k) &&
      (k < 1 || (!ShapedType::isDynamic(e) && k > e)))
    return ck.fail(5) << "top_k (" << k
                      << ") must be between 1 and the number of experts ("
                      << (ShapedType::isDynamic(e) ? std::string("?")
                                                   : std::to_string(e))
                      << ")";
  // moe_topk_c6: scaling.
  if (!std::isfinite(getScaling().convertToFloat()))
    return ck.fail(6) << "scaling must be finite";
  return success();
}

LogicalResult MoeDispatchOp::verify() {
  Checker ck(*this, "moe_dispatch");
  CHECK(ck.form(3));
  Value x = getX(), ids = getExpertIds(), rows = getOutputs()[0],
        offsets = getOutputs()[1], src = getOutputs()[2];
  // moe_dispatch_c2: ranks.
  CHECK(ck.rank(2, x, "x", {2}));
  CHECK(ck.rank(2, ids, "expert_ids", {2}));
  CHECK(ck.rank(2, rows, "rows", {2}));
  CHECK(ck.rank(2, offsets, "offsets", {1}));
  CHECK(ck.rank(2, src, "sources", {1}));
  // moe_dispatch_c3: element types.
  CHECK(ck.sameFloat(3, {{x, "x"}, {rows, "rows"}}));
  CHECK(ck.integer(3, ids, "expert_ids"));
  CHECK(ck.integer(3, offsets, "offsets"));
  CHECK(ck.integer(3, src, "sources"));
  // moe_dispatch_c4: num_experts >= 1 and offsets of num_experts + 1.
  if (static_cast<int64_t>(getNumExperts()) < 1)
    return ck.fail(4) << "num_experts must be >= 1";
  CHECK(ck.dimIs(4, offsets, "offsets", 0, getNumExperts() + 1, "offsets"));
  // moe_dispatch_c5: T*top_k rows of Hd.
  CHECK(ck.sameDim(5, x, "x", 0, ids, "expert_ids", 0, "tokens"));
  CHECK(ck.sameDim(5, x, "x", 1, rows, "rows", 1, "hidden size"));
  CHECK(ck.sameDim(5, rows, "rows", 0, src, "sources", 0, "rows"));
  int64_t t = hybrid::detail::staticDim(ids, 0), k = hybrid::detail::staticDim(ids, 1);
  if (!ShapedType::isDynamic(t) && !ShapedType::isDynamic(k))
    CHECK(ck.dimIs(5, rows, "rows", 0, t * k, "rows (T * top_k)"));
  return success();
}

LogicalResult GroupedMatmulOp::verify() {
  Checker ck(*this, "grouped_matmul");
  CHECK(ck.form(1));
  Value rows = getRows(), w = getWeights(), offsets = getOffsets(),
        o = getOutputs()[0];
  // grouped_matmul_c2: ranks.
  CHECK(ck.rank(2, rows, "rows", {2}));
  CHECK(ck.rank(2, w, "weights", {3}));
  CHECK(ck.rank(2, offsets, "offsets", {1}));
  CHECK(ck.rank(2, o, "output", {2}));
  // grouped_matmul_c3: element types.
  CHECK(ck.sameFloat(3, {{rows, "rows"}, {w, "weights"}, {o, "output"}}));
  CHECK(ck.integer(3, offsets, "offsets"));
  // grouped_matmul_c4: reduction dim K.
  CHECK(ck.sameDim(4, rows, "rows", 1, w, "weights", 2, "reduction dim"));
  // grouped_matmul_c5: offsets has E + 1 entries.
  int64_t e = hybrid::detail::staticDim(w, 0);
  if (!ShapedType::isDynamic(e))
    CHECK(ck.dimIs(5, offsets, "offsets", 0, e + 1, "offsets (experts + 1)"));
  // grouped_matmul_c6: output [M, N].
  CHECK(ck.sameDim(6, rows, "rows", 0, o, "output", 0, "rows"));
  CHECK(ck.sameDim(6, w, "weights", 1, o, "output", 1, "columns"));
  return success();
}

LogicalResult MoeCombineOp::verify() {
  Checker ck(*this, "moe_combine");
  CHECK(ck.form(1));
  Value eo = getExpertOut(), src = getSources(), w = getWeights(),
        y = getOutputs()[0];
  // moe_combine_c2: ranks.
  CHECK(ck.rank(2, eo, "expert_out", {2}));
  CHECK(ck.rank(2, src, "sources", {1}));
  CHECK(ck.rank(2, w, "weights", {2}));
  CHECK(ck.rank(2, y, "output", {2}));
  // moe_combine_c3: element types.
  CHECK(ck.sameFloat(3, {{eo, "expert_out"}, {w, "weights"}, {y, "output"}}));
  CHECK(ck.integer(3, src, "sources"));
  // moe_combine_c4: T*top_k rows.
  CHECK(ck.sameDim(4, eo, "expert_out", 0, src, "sources", 0, "rows"));
  int64_t t = hybrid::detail::staticDim(w, 0), k = hybrid::detail::staticDim(w, 1);
  if (!ShapedType::isDynamic(t) && !ShapedType::isDynamic(k))
    CHECK(ck.dimIs(4, eo, "expert_out", 0, t * k, "rows (T * top_k)"));
  // moe_combine_c5: output [T, Hd].
  CHECK(ck.sameDim(5, w, "weights", 0, y, "output", 0, "tokens"));
  CHECK(ck.sameDim(5, eo, "expert_out", 1, y, "output", 1, "hidden size"));
  return success();
}

//===----------------------------------------------------------------------===//
// rms_norm, rotary
//===----------------------------------------------------------------------===//

LogicalResult RmsNormOp::verify() {
  Checker ck(*this, "rms_norm");
  CHECK(ck.form(1));
  Value x = getX(), w = getWeight(), z = getZ(), y = getOutputs()[0];
  // rms_norm_c2: ranks.
  int64_t r = cast<ShapedType>(x.getType()).getRank();
  if (r < 1)
    return ck.fail(2) << "x must have rank >= 1, got rank " << r;
  CHECK(ck.rank(2, w, "weight", {1}));
  CHECK(ck.rank(2, z, "z", {r}));
  CHECK(ck.rank(2, y, "output", {r}));
  // rms_norm_c3: one float element type.
  CHECK(ck.sameFloat(3, {{x, "x"}, {w, "weight"}, {z, "z"}, {y, "output"}}));
  // rms_norm_c4: shapes.
  CHECK(ck.sameDim(4, x, "x", r - 1, w, "weight", 0, "normalized dim"));
  CHECK(ck.sameShape(4, x, "x", z, "z"));
  CHECK(ck.sameShape(4, x, "x", y, "output"));
  // rms_norm_c5: group size.
  if (std::optional<int64_t> gs = getGroupSize()) {
    int64_t dn = hybrid::detail::staticDim(x, r - 1);
    if (*gs < 1)
      return ck.fail(5) << "group_size must be >= 1";
    if (!ShapedType::isDynamic(dn) && dn % *gs)
      return ck.fail(5) << "group_size (" << *gs
                        << ") must divide the normalized dim (" << dn << ")";
  }
  // rms_norm_c6: epsilon.
  float eps = getEpsilon().convertToFloat();
  if (!(eps >= 0.0f) || !std::isfinite(eps))
    return ck.fail(6) << "epsilon must be finite and >= 0";
  return success();
}

LogicalResult RotaryOp::verify() {
  Checker ck(*this, "rotary");
  CHECK(ck.form(1));
  Value x = getX(), c = getCos(), s = getSin(), y = getOutputs()[0];
  // rotary_c2: ranks.
  CHECK(ck.rank(2, x, "x", {4}));
  CHECK(ck.rank(2, c, "cos", {3}));
  CHECK(ck.rank(2, s, "sin", {3}));
  CHECK(ck.rank(2, y, "output", {4}));
  // rotary_c3: one float element type.
  CHECK(ck.sameFloat(3, {{x, "x"}, {c, "cos"}, {s, "sin"}, {y, "output"}}));
  // rotary_c4: cos/sin [B or 1, S, R/2].
  CHECK(ck.sameShape(4, c, "cos", s, "sin"));
  int64_t cb = hybrid::detail::staticDim(c, 0);
  if (cb != 1)
    CHECK(ck.sameDim(4, x, "x", 0, c, "cos", 0, "batch (or 1)"));
  CHECK(ck.sameDim(4, x, "x", 2, c, "cos", 1, "sequence"));
  // rotary_c5: rotary dim R, even, <= D, R/2 == cos.dim(2).
  int64_t half = hybrid::detail::staticDim(c, 2), dh = hybrid::detail::staticDim(x, 3);
  if (std::optional<int64_t> rd = getRotaryDim()) {
    if (*rd < 2 || *rd % 2)
      return ck.fail(5) << "rotary_dim must be even and >= 2, got " << *rd;
    CHECK(ck.dimIs(5, c, "cos", 2, *rd / 2, "rotary_dim / 2"));
    if (!ShapedType::isDynamic(dh) && *rd > dh)
      return ck.fail(5) << "rotary_dim (" << *rd << ") must be <= head dim ("
                        << dh << ")";
  } else if (!ShapedType::isDynamic(half) && !ShapedType::isDynamic(dh) &&
             2 * half > dh) {
    return ck.fail(5) << "rotary dim 2 * " << half << " must be <= head dim ("
                      << dh << ")";
  }
  // rotary_c6: output shape.
  CHECK(ck.sameShape(6, x, "x", y, "output"));
  return success();
}
