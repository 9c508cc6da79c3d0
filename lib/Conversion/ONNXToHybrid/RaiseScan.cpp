//===- RaiseScan.cpp - hybrid-raise-scans ----------------------------------===//
//
// Finds the recurrences of state-space and linear-attention layers written as
// an ONNX loop in the faithful onnx.node graph and replaces each with the op
// that computes it in one kernel. A recurrence is read from either
//
//   * a Scan with one state, its inputs scanned along axis 1 ([B, L, ...])
//     and its one per-step output stacked along axis 1, or
//   * a Loop as torch.onnx's dynamo exporter writes a while_loop: a trip
//     count that is provably the sequence length, no condition, one state,
//     the per-step slices `Gather(x, i, axis = 1)` of outer [B, L, ...]
//     tensors, and its one per-step output stacked along axis 0 ([L, B, ...]);
//     a model-local function the body calls has been inlined by the importer;
//   * a Mamba-1 loop unrolled by tracing (see "Unrolled Mamba-1" below);
//   * a one-token decode step written out in the graph: the body's nodes on a
//     past state that is a graph input, the slices `Squeeze(x, [1])` of
//     outer [B, 1, ...] tensors (anchored on the Add that makes the new
//     state, whose read-out `Squeeze(MatMul(..))` is the step's output).
//
// Bodies recognised (every Mul and Add in either operand order, Identity
// nodes looked through, the constants outside the loop):
//
//   Mamba-1, state h [B, D, N], slices u, delta [B, D], B, C [B, N], A [D, N]:
//     h' = Exp(Mul(Unsqueeze(delta, 2), A)) * h
//          + Unsqueeze(Mul(delta, u), 2) * Unsqueeze(B, 1)
//     y  = Squeeze(MatMul(h', Unsqueeze(C, 2)), 2)
//   Mamba-2 (one group), state h [B, H, P, N], slices x [B, H, P], dt [B, H],
//   B, C [B, N], A [H]:
//     h' = Unsqueeze(Exp(Mul(dt, A)), [2, 3]) * h
//          + Unsqueeze(Mul(x, Unsqueeze(dt, 2)), 3) * Unsqueeze(B, [1, 2])
//     y  = Squeeze(MatMul(h', Unsqueeze(C, [1, 3])), 3)
//   both become Hybrid's ai.hybrid SsmScan (dt_softplus = 0, no D, z or
//   dt_bias: what the graph does around the loop stays), hence hybrid.ssm_scan;
//
//   the linear-attention family, state S [B, H, Dk, Dv], slices q, k [B, H, Dk],
//   v [B, H, Dv], and for the gated and delta rules g, beta [B, H]:
//     S1 = S * Unsqueeze(Exp(g), [2, 3])                       (gated rules)
//     u  = (v - Squeeze(MatMul(Unsqueeze(k, 2), S1), 2)) * Unsqueeze(beta, 2)
//                                                   (delta rules; else u = v)
//     S' = S1 + MatMul(Unsqueeze(k, 3), Unsqueeze(u, 2))
//     o  = Squeeze(MatMul(Unsqueeze(q * s, 2), S'), 2)   (or the scale s on o)
//   becomes com.microsoft LinearAttention with the update rule linear, gated,
//   delta or gated_delta (Gated DeltaNet's is the last), hence
//   hybrid.linear_attention.
//
// The symbolic shapes must prove the layout each op reads (the slices' outer
// tensors, the constants and the initial state), so a body of the same form
// over other axes stays a loop. The arithmetic is the same per element up to
// the order of the sums in the matrix products.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace hybrid {
#define GEN_PASS_DEF_RAISESCANS
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using hybrid::onnx::NodeOp;
using namespace hybrid::raising;

namespace {

/// x when `v` is Squeeze(x, [axis]) of a rank-`rank` x.
Value squeezed(Value v, int64_t axis, int64_t rank) {
  NodeOp n = v ? producer(v, {"Squeeze"}) : nullptr;
  std::optional<SmallVector<int64_t>> got = n ? constAxes(n, 1) : std::nullopt;
  if (!got || got->size() != 1 || ((*got)[0] != axis && (*got)[0] != axis - rank))
    return nullptr;
  return n.getInputs()[0];
}

/// The operands of a two-input ai.onnx node of `type` producing `v`, in both
/// orders when the op commutes (Add, Mul), else as written.
SmallVector<std::pair<Value, Value>, 2> operands(Value v, StringRef type) {
  NodeOp n = v ? producer(throughIdentity(v), {type}) : nullptr;
  if (!n || n.getInputs().size() != 2)
    return {};
  Value a = throughIdentity(n.getInputs()[0]), b = throughIdentity(n.getInputs()[1]);
  if (type == "Add" || type == "Mul")
    return {{a, b}, {b, a}};
  return {{a, b}};
}

/// One step of a recurrence over axis 1, read from a Scan or a Loop, or a
/// single step written out in the graph (a decode step; see the file
/// comment): one state and one per-step output.
struct Recurrence {
  NodeOp node;          // the Scan or Loop; null for a decode step
  Value state;          // the body's state argument (null for a decode step)
  Value init;           // its initial value, outside (null for a decode step)
  Value next;           // the state the step computes
  Value out;            // the per-step output
  bool timeMajor;       // the stacked output is [L, B, ...] (Loop) not [B, L, ...]
  /// (step value in the body, the outer [B, L, ...] tensor it is a slice of).
  SmallVector<std::pair<Value, Value>> slices;
  ShapeInference *shapes = nullptr; // a decode step's slices are proven with it

  /// The outer tensor `v` is one step's slice of, or null. A decode step's
  /// slices are Squeeze(x, [1]) of an x [B, 1, ...].
  Value sliceOf(Value v) const {
    v = throughIdentity(v);
    if (!node) {
      NodeOp sq = v ? producer(v, {"Squeeze"}) : nullptr;
      std::optional<SmallVector<int64_t>> axes = sq ? constAxes(sq, 1) : std::nullopt;
      if (!axes || *axes != SmallVector<int64_t>{1})
        return nullptr;
      std::optional<DimList> s = shapes->shape(sq.getInputs()[0]);
      return s && s->size() >= 2 && (*s)[1].isOne() ? sq.getInputs()[0] : Value();
    }
    for (auto &[step, outer] : slices)
      if (step == v)
        return outer;
    return nullptr;
  }
  /// Whether `v` is the state the step reads: the loop's state, or for a
  /// decode step a graph input (the past state).
  bool isState(Value v) const {
    if (node)
      return v == state;
    auto arg = dyn_cast_or_null<BlockArgument>(v);
    return arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  }
  /// Whether `v` is the same for every step (a weight, a constant): defined
  /// outside the loop, or for a decode step computed from constants alone.
  bool outside(Value v) const {
    if (node)
      return !node->getRegion(0).isAncestor(v.getParentRegion());
    SmallVector<Value> work = {v};
    for (int visited = 0; !work.empty(); ++visited) {
      Value x = work.pop_back_val();
      if (matchPattern(x, m_Constant())) // any constant, weights in resources too
        continue;
      auto n = x.getDefiningOp<NodeOp>();
      if (!n || !n.getDomain().empty() || visited > 32)
        return false;
      llvm::append_range(work, n.getInputs());
    }
    return true;
  }
};

std::optional<Recurrence> readScan(NodeOp scan) {
  if (scan.getNumRegions() != 1 || scan->getRegion(0).empty())
    return std::nullopt;
  std::optional<int64_t> m = intAttr(scan, "num_scan_inputs");
  ValueRange in = scan.getInputs();
  if (!m || *m < 1 || static_cast<int64_t>(in.size()) != *m + 1 || scan.getOutputs().size() != 2)
    return std::nullopt;
  auto all = [&](StringRef attr, int64_t count, int64_t value) {
    auto a = dyn_cast_or_null<DenseI64ArrayAttr>(scan.getAttrs().get(attr));
    if (!a)
      return value == 0; // the default: axis 0, forward
    return a.size() == count && llvm::all_of(a.asArrayRef(), [&](int64_t x) { return x == value; });
  };
  if (!all("scan_input_axes", *m, 1) || !all("scan_output_axes", 1, 1) ||
      !all("scan_input_directions", *m, 0) || !all("scan_output_directions", 1, 0))
    return std::nullopt;
  Block &body = scan->getRegion(0).front();
  if (body.getNumArguments() != in.size() || body.getTerminator()->getNumOperands() != 2)
    return std::nullopt;
  Recurrence r{scan,
               body.getArgument(0),
               in[0],
               throughIdentity(body.getTerminator()->getOperand(0)),
               throughIdentity(body.getTerminator()->getOperand(1)),
               /*timeMajor=*/false,
               {}};
  for (int64_t i = 0; i < *m; ++i)
    r.slices.push_back({body.getArgument(i + 1), in[i + 1]});
  return r;
}

std::optional<Recurrence> readLoop(NodeOp loop, ShapeInference &shapes) {
  ValueRange in = loop.getInputs();
  if (loop.getNumRegions() != 1 || loop->getRegion(0).empty() || in.size() != 3 ||
      loop.getOutputs().size() != 2)
    return std::nullopt;
  // No condition, or a constant true one.
  if (!isa<NoneType>(in[1].getType())) {
    std::optional<SmallVector<int64_t>> c = constInts(in[1]);
    if (!c || c->size() != 1 || (*c)[0] == 0)
      return std::nullopt;
  }
  Block &body = loop->getRegion(0).front();
  Operation *yield = body.getTerminator();
  if (body.getNumArguments() != 3 || yield->getNumOperands() != 3)
    return std::nullopt;
  // The body's condition is the one it was given (or a constant true).
  Value cond = throughIdentity(yield->getOperand(0));
  if (cond != body.getArgument(1)) {
    std::optional<SmallVector<int64_t>> c = constInts(cond);
    if (!c || c->size() != 1 || (*c)[0] == 0)
      return std::nullopt;
  }
  Recurrence r{loop,
               body.getArgument(2),
               in[2],
               throughIdentity(yield->getOperand(1)),
               throughIdentity(yield->getOperand(2)),
               /*timeMajor=*/true,
               {}};
  // Every use of the iteration number is Gather(outer, i, axis = 1): step i's
  // slice of outer [B, L, ...].
  SmallVector<Value> uses = {body.getArgument(0)};
  while (!uses.empty()) {
    Value i = uses.pop_back_val();
    for (Operation *user : i.getUsers()) {
      auto n = dyn_cast<NodeOp>(user);
      if (!n || !n.getDomain().empty())
        return std::nullopt;
      if (n.getOpType() == "Identity") {
        uses.push_back(n.getOutputs()[0]);
        continue;
      }
      if (n.getOpType() != "Gather" || n.getInputs().size() != 2 || n.getInputs()[1] != i ||
          intAttr(n, "axis").value_or(0) != 1 || !r.outside(n.getInputs()[0]))
        return std::nullopt;
      r.slices.push_back({n.getOutputs()[0], n.getInputs()[0]});
    }
  }
  // The trip count is every sliced tensor's length.
  std::optional<DimList> trip = shapes.elements(in[0]);
  if (!trip || trip->size() != 1 || r.slices.empty())
    return std::nullopt;
  for (auto &slice : r.slices) {
    std::optional<DimList> s = shapes.shape(slice.second);
    if (!s || s->size() < 2 || (*s)[1] != (*trip)[0])
      return std::nullopt;
  }
  return r;
}

enum class Kind { Mamba1, Mamba2, LinearAttention };

struct Match {
  Recurrence rec;
  Kind kind;
  Value init; // the initial state: the loop's, or a decode step's past
  // ssm_scan: x, dt, A, B, C (outer tensors).
  Value x, dt, a, bm, cm;
  // linear attention: q, k, v [B, L, H, D*], gate and beta [B, L, H] (rule
  // permitting), and the sizes the 3-D form needs.
  Value q, k, v, gate, beta;
  double scale = 1.0;
  int64_t heads = 0, dk = 0, dv = 0;
};

/// Records a matched selective scan's operands (false without C's slice).
bool setScan(Match &m, Kind kind, Value x, Value dt, Value a, Value bm, Value cm) {
  m.kind = kind;
  m.x = x;
  m.dt = dt;
  m.a = a;
  m.bm = bm;
  m.cm = cm;
  return cm != nullptr;
}

/// Mamba-1's body (see the file comment).
bool matchMamba1(const Recurrence &r, Match &m) {
  // y = Squeeze(MatMul(h', Unsqueeze(C_t, 2)), 2).
  Value prod = squeezed(r.out, 2, 3);
  SmallVector<std::pair<Value, Value>, 2> mm = operands(prod, "MatMul");
  if (mm.empty() || mm[0].first != r.next)
    return false;
  Value c = r.sliceOf(unsqueezed(mm[0].second, {2}, 3));
  // h' = Add(Mul(dA, h), dBu).
  for (auto [decayedState, dBu] : operands(r.next, "Add")) {
    for (auto [decay, h] : operands(decayedState, "Mul")) {
      if (!r.isState(h))
        continue;
      m.init = r.node ? r.init : h;
      // dA = Exp(Mul(Unsqueeze(delta_t, 2), A)), A from outside.
      NodeOp exp = producer(throughIdentity(decay), {"Exp"});
      if (!exp)
        continue;
      for (auto [d3, a] : operands(exp.getInputs()[0], "Mul")) {
        Value delta = r.sliceOf(unsqueezed(d3, {2}, 3));
        if (!delta || !r.outside(a))
          continue;
        // dBu = Mul(Unsqueeze(Mul(delta_t, u_t), 2), Unsqueeze(B_t, 1)).
        for (auto [du3, b3] : operands(dBu, "Mul")) {
          Value bm = r.sliceOf(unsqueezed(b3, {1}, 3));
          for (auto [d, u] : operands(unsqueezed(du3, {2}, 3), "Mul")) {
            if (!bm || r.sliceOf(d) != delta || !r.sliceOf(u))
              continue;
            return setScan(m, Kind::Mamba1, r.sliceOf(u), delta, a, bm, c);
          }
        }
      }
    }
  }
  return false;
}

/// Mamba-2's body with one B/C group (see the file comment).
bool matchMamba2(const Recurrence &r, Match &m) {
  // y = Squeeze(MatMul(h', Unsqueeze(C_t, [1, 3])), 3).
  SmallVector<std::pair<Value, Value>, 2> mm = operands(squeezed(r.out, 3, 4), "MatMul");
  if (mm.empty() || mm[0].first != r.next)
    return false;
  Value c = r.sliceOf(unsqueezed(mm[0].second, {1, 3}, 4));
  for (auto [decayedState, dBx] : operands(r.next, "Add")) {
    for (auto [decay, h] : operands(decayedState, "Mul")) {
      if (!r.isState(h))
        continue;
      m.init = r.node ? r.init : h;
      // dA = Unsqueeze(Exp(Mul(dt_t, A)), [2, 3]).
      NodeOp exp = producer(throughIdentity(unsqueezed(decay, {2, 3}, 4)), {"Exp"});
      if (!exp)
        continue;
      for (auto [d, a] : operands(exp.getInputs()[0], "Mul")) {
        Value dt = r.sliceOf(d);
        if (!dt || !r.outside(a))
          continue;
        // dBx = Mul(Unsqueeze(Mul(x_t, Unsqueeze(dt_t, 2)), 3), Unsqueeze(B_t, [1, 2])).
        for (auto [dx4, b4] : operands(dBx, "Mul")) {
          Value bm = r.sliceOf(unsqueezed(b4, {1, 2}, 4));
          for (auto [xs, d3] : operands(unsqueezed(dx4, {3}, 4), "Mul")) {
            if (!bm || !r.sliceOf(xs) || r.sliceOf(unsqueezed(d3, {2}, 3)) != dt)
              continue;
            return setScan(m, Kind::Mamba2, r.sliceOf(xs), dt, a, bm, c);
          }
        }
      }
    }
  }
  return false;
}

/// The linear-attention family (see the file comment).
bool matchLinearAttention(const Recurrence &r, Match &m) {
  // o = Squeeze(MatMul(Unsqueeze(q_t * s, 2), S'), 2), or that times s.
  Value o = r.out;
  double scale = 1.0;
  for (auto [x, s] : operands(o, "Mul"))
    if (std::optional<double> c = constScalar(s)) {
      scale = *c;
      o = x;
      break;
    }
  SmallVector<std::pair<Value, Value>, 2> mm = operands(squeezed(o, 2, 3), "MatMul");
  if (mm.empty() || mm[0].second != r.next)
    return false;
  Value qs = unsqueezed(mm[0].first, {2}, 3), q = r.sliceOf(qs);
  for (auto [x, s] : operands(qs, "Mul")) {
    std::optional<double> c = constScalar(s);
    if (q || !c || !r.sliceOf(x))
      continue;
    q = r.sliceOf(x);
    scale *= *c;
  }
  if (!q)
    return false;
  // S' = S1 + MatMul(Unsqueeze(k_t, 3), Unsqueeze(u, 2)).
  for (auto [s1, outer] : operands(r.next, "Add")) {
    SmallVector<std::pair<Value, Value>, 2> kv = operands(outer, "MatMul");
    if (kv.empty())
      continue;
    Value k = r.sliceOf(unsqueezed(kv[0].first, {3}, 4)), u = unsqueezed(kv[0].second, {2}, 3);
    if (!k || !u)
      continue;
    // S1 = S * Unsqueeze(Exp(g_t), [2, 3]), or S itself.
    Value gate, state = s1;
    if (!r.isState(s1)) {
      for (auto [s, f] : operands(s1, "Mul")) {
        NodeOp exp =
            r.isState(s) ? producer(throughIdentity(unsqueezed(f, {2, 3}, 4)), {"Exp"}) : nullptr;
        if (exp && r.sliceOf(exp.getInputs()[0])) {
          gate = r.sliceOf(exp.getInputs()[0]);
          state = s;
          break;
        }
      }
      if (!gate)
        continue;
    }
    // u = (v_t - Squeeze(MatMul(Unsqueeze(k_t, 2), S1), 2)) * Unsqueeze(beta_t, 2), or v_t.
    Value v = r.sliceOf(u), beta;
    for (auto [diff, b3] : v ? SmallVector<std::pair<Value, Value>, 2>{} : operands(u, "Mul")) {
      Value bt = r.sliceOf(unsqueezed(b3, {2}, 3));
      SmallVector<std::pair<Value, Value>, 2> sub = operands(diff, "Sub");
      if (!bt || sub.empty() || !r.sliceOf(sub[0].first))
        continue;
      SmallVector<std::pair<Value, Value>, 2> mem = operands(squeezed(sub[0].second, 2, 3), "MatMul");
      if (mem.empty() || mem[0].second != s1 || r.sliceOf(unsqueezed(mem[0].first, {2}, 3)) != k)
        continue;
      v = r.sliceOf(sub[0].first);
      beta = bt;
      break;
    }
    if (!v)
      continue;
    m.init = r.node ? r.init : state;
    m.q = q;
    m.k = k;
    m.v = v;
    m.gate = gate;
    m.beta = beta;
    m.scale = scale;
    m.kind = Kind::LinearAttention;
    return true;
  }
  return false;
}

/// The layout each op reads, on symbolic shapes.
bool layoutHolds(Match &m, ShapeInference &shapes) {
  auto shape = [&](Value v) { return v ? shapes.shape(v) : std::nullopt; };
  std::optional<DimList> h0 = shape(m.init);
  if (!h0)
    return false;
  if (m.kind == Kind::Mamba1 || m.kind == Kind::Mamba2) {
    std::optional<DimList> x = shape(m.x), dt = shape(m.dt), a = shape(m.a), bm = shape(m.bm),
                           cm = shape(m.cm);
    if (!x || !dt || !a || !bm || !cm || bm->size() != 3 || *bm != *cm)
      return false;
    Dim batch = (*bm)[0], len = (*bm)[1], n = (*bm)[2];
    if (m.kind == Kind::Mamba1) // x, dt [B, L, D]; A [D, N]; h0 [B, D, N]
      return x->size() == 3 && *x == *dt && (*x)[0] == batch && (*x)[1] == len &&
             *a == DimList{(*x)[2], n} && *h0 == DimList{batch, (*x)[2], n};
    // x [B, L, H, P]; dt [B, L, H]; A [H]; h0 [B, H, P, N].
    return x->size() == 4 && (*x)[0] == batch && (*x)[1] == len &&
           *dt == DimList{batch, len, (*x)[2]} && *a == DimList{(*x)[2]} &&
           *h0 == DimList{batch, (*x)[2], (*x)[3], n};
  }
  // q, k [B, L, H, Dk]; v [B, L, H, Dv]; gate, beta [B, L, H]; S0 [B, H, Dk, Dv],
  // with H, Dk and Dv constants (LinearAttention's 3-D form packs them).
  std::optional<DimList> q = shape(m.q), k = shape(m.k), v = shape(m.v);
  if (!q || !k || !v || q->size() != 4 || *q != *k || v->size() != 4)
    return false;
  Dim batch = (*q)[0], len = (*q)[1], heads = (*q)[2], dk = (*q)[3], dv = (*v)[3];
  if (!heads.isConstant() || !dk.isConstant() || !dv.isConstant() ||
      DimList{(*v)[0], (*v)[1], (*v)[2]} != DimList{batch, len, heads} ||
      *h0 != DimList{batch, heads, dk, dv})
    return false;
  for (Value perHead : {m.gate, m.beta})
    if (perHead && shape(perHead) != std::optional<DimList>(DimList{batch, len, heads}))
      return false;
  m.heads = heads.value();
  m.dk = dk.value();
  m.dv = dv.value();
  return true;
}

std::optional<Match> matchRecurrence(std::optional<Recurrence> rec, ShapeInference &shapes) {
  if (!rec)
    return std::nullopt;
  Match m{};
  m.rec = *rec;
  if (!matchMamba1(m.rec, m) && !matchMamba2(m.rec, m) && !matchLinearAttention(m.rec, m))
    return std::nullopt;
  if (!layoutHolds(m, shapes))
    return std::nullopt;
  return m;
}

/// A single step written out in the graph (a decode step): `add` makes the
/// new state, and its read-out is `Squeeze(MatMul(..))` of it, maybe scaled.
/// Not inside a Scan or Loop body (those are the loops' own).
std::optional<Match> matchDecodeStep(NodeOp add, ShapeInference &shapes) {
  if (!isa<FunctionOpInterface>(add->getParentOp()))
    return std::nullopt;
  Value next = add.getOutputs()[0];
  for (Operation *user : next.getUsers()) {
    auto mm = dyn_cast<NodeOp>(user);
    if (!mm || !mm.getDomain().empty() || mm.getOpType() != "MatMul" ||
        !mm.getOutputs()[0].hasOneUse())
      continue;
    auto sq = dyn_cast<NodeOp>(*mm.getOutputs()[0].getUsers().begin());
    if (!sq || !sq.getDomain().empty() || sq.getOpType() != "Squeeze")
      continue;
    // The output, or the output times a constant scale.
    SmallVector<Value, 2> outs = {sq.getOutputs()[0]};
    if (sq.getOutputs()[0].hasOneUse())
      if (auto mul = dyn_cast<NodeOp>(*sq.getOutputs()[0].getUsers().begin());
          mul && mul.getDomain().empty() && mul.getOpType() == "Mul")
        outs.insert(outs.begin(), mul.getOutputs()[0]);
    for (Value out : outs) {
      Recurrence r{nullptr, nullptr, nullptr, next, out, /*timeMajor=*/false, {}, &shapes};
      if (std::optional<Match> m = matchRecurrence(r, shapes))
        return m;
    }
  }
  return std::nullopt;
}

void raise(Match &m) {
  // A loop is replaced where it is; a decode step's op goes before its output
  // (after every value it reads).
  NodeOp loop = m.rec.node;
  NodeWriter w(loop ? loop : m.rec.out.getDefiningOp<NodeOp>());
  OpBuilder &b = w.b;
  Type unknown = w.unknown;
  auto node = [&](StringRef type, ValueRange in, TypeRange results, StringRef suffix,
                  ArrayRef<NamedAttribute> attrs = {}, StringRef domain = "",
                  int64_t version = 13) {
    return w.node(type, in, results, suffix, attrs, domain, version);
  };
  auto i64s = [&](ArrayRef<int64_t> v) { return w.i64s(v); };
  auto unsqueeze = [&](Value v, int64_t axis, StringRef suffix) {
    return w.value("Unsqueeze", {v, i64s({axis})}, suffix);
  };
  auto squeeze = [&](Value v, int64_t axis, StringRef suffix, Type type) {
    return w.value("Squeeze", {v, i64s({axis})}, suffix, {}, type);
  };
  auto intAttrOf = [&](StringRef n, int64_t v) { return w.attr(n, v); };
  // The results keep the types the loop's had (declared graph outputs); a
  // decode step's y is squeezed to its output's type below.
  Type stateType = loop ? loop.getOutputs()[0].getType() : m.rec.next.getType(),
       yType = loop ? loop.getOutputs()[1].getType() : unknown;
  Value finalState, y;
  if (m.kind == Kind::Mamba1 || m.kind == Kind::Mamba2) {
    bool one = m.kind == Kind::Mamba1; // one channel per head: P = 1
    Value none = w.none();
    SmallVector<Value> inputs = {one ? unsqueeze(m.x, 3, "/raised_x") : m.x,
                                 m.dt,
                                 m.a,
                                 unsqueeze(m.bm, 2, "/raised_B"),
                                 unsqueeze(m.cm, 2, "/raised_C"),
                                 none,
                                 none,
                                 none,
                                 one ? unsqueeze(m.init, 2, "/raised_h0") : m.init};
    // y [B, L, H, P] (transposed below for a Loop); Mamba-1's squeezed first.
    Type yOut = m.rec.timeMajor ? unknown : yType;
    NodeOp scan = node("SsmScan", inputs, {one ? unknown : yOut, one ? unknown : stateType},
                       "/raised_ssm_scan", {intAttrOf("dt_softplus", 0)}, "ai.hybrid", 1);
    y = scan.getOutputs()[0];
    finalState = scan.getOutputs()[1];
    if (one) {
      y = squeeze(y, 3, "/raised_y", yOut);
      finalState = squeeze(finalState, 2, "/raised_state", stateType);
    }
  } else {
    StringRef rule = m.gate ? (m.beta ? "gated_delta" : "gated") : (m.beta ? "delta" : "linear");
    auto packed = [&](Value v, int64_t d, StringRef suffix) {
      return node("Reshape", {v, i64s({0, 0, m.heads * d})}, {unknown}, suffix).getOutputs()[0];
    };
    Value none = w.none();
    SmallVector<Value> inputs = {packed(m.q, m.dk, "/raised_q"), packed(m.k, m.dk, "/raised_k"),
                                 packed(m.v, m.dv, "/raised_v"), m.init,
                                 m.gate ? m.gate : none,         m.beta ? m.beta : none};
    NodeOp la = node("LinearAttention", inputs, {unknown, stateType}, "/raised_linear_attention",
                     {intAttrOf("q_num_heads", m.heads), intAttrOf("kv_num_heads", m.heads),
                      NamedAttribute(b.getStringAttr("update_rule"), b.getStringAttr(rule)),
                      NamedAttribute(b.getStringAttr("scale"), b.getF32FloatAttr(m.scale))},
                     "com.microsoft", 1);
    finalState = la.getOutputs()[1];
    y = node("Reshape", {la.getOutputs()[0], i64s({0, 0, m.heads, m.dv})},
             {m.rec.timeMajor ? unknown : yType}, "/raised_o")
            .getOutputs()[0];
  }
  if (!loop) {
    // A decode step: y [B, 1, ...] squeezed to the step's output; the old
    // step's nodes, now unused, go.
    Value out = m.rec.out, next = m.rec.next;
    out.replaceAllUsesWith(squeeze(y, 1, "/raised_step", out.getType()));
    next.replaceAllUsesWith(finalState);
    eraseIfDead(out);
    eraseIfDead(next);
    return;
  }
  Value stacked = loop.getOutputs()[1];
  if (m.rec.timeMajor) {
    // The Loop stacked [L, B, ...]: users that transpose it back to [B, L, ...]
    // read y itself; any other user reads y transposed to [L, B, ...].
    int64_t rank = m.kind == Kind::Mamba1 ? 3 : 4;
    SmallVector<int64_t> perm = {1, 0};
    for (int64_t i = 2; i < rank; ++i)
      perm.push_back(i);
    for (Operation *user : llvm::make_early_inc_range(stacked.getUsers())) {
      auto t = dyn_cast<NodeOp>(user);
      auto p = t ? dyn_cast_or_null<DenseI64ArrayAttr>(t.getAttrs().get("perm")) : nullptr;
      if (!t || !t.getDomain().empty() || t.getOpType() != "Transpose" || !p ||
          p.asArrayRef() != ArrayRef<int64_t>(perm))
        continue;
      // A declared type (a graph output) stays, on an Identity.
      Type declared = t.getOutputs()[0].getType();
      Value same = declared == unknown
                       ? y
                       : node("Identity", {y}, {declared}, "/raised_y").getOutputs()[0];
      t.getOutputs()[0].replaceAllUsesWith(same);
      t->erase();
    }
    if (!stacked.use_empty()) {
      NamedAttribute permAttr(b.getStringAttr("perm"), b.getDenseI64ArrayAttr(perm));
      y = node("Transpose", {y}, {yType}, "/raised_time_major", {permAttr}).getOutputs()[0];
    }
  }
  loop.getOutputs()[0].replaceAllUsesWith(finalState);
  stacked.replaceAllUsesWith(y);
  loop->erase();
}

/// What a raised recurrence became, for the report.
std::string describe(const Match &m) {
  std::string d;
  llvm::raw_string_ostream os(d);
  os << (!m.rec.node ? "a decode step written out" : m.rec.timeMajor ? "a Loop" : "a Scan");
  switch (m.kind) {
  case Kind::Mamba1:
    os << " of Mamba-1's selective scan (state [B, D, N], A [D, N]) became one ai.hybrid "
          "SsmScan with one channel per head";
    break;
  case Kind::Mamba2:
    os << " of Mamba-2's scan (state [B, H, P, N], A [H], one group) became one ai.hybrid "
          "SsmScan";
    break;
  case Kind::LinearAttention:
    os << " of linear attention became one LinearAttention node, update rule "
       << (m.gate ? (m.beta ? "gated_delta" : "gated") : (m.beta ? "delta" : "linear")) << ", "
       << m.heads << " heads, Dk " << m.dk << ", Dv " << m.dv << ", scale " << m.scale;
    break;
  }
  if (m.rec.node && m.rec.timeMajor)
    os << "; its trip count is proven to be the sequence length";
  return d;
}

/// Why a Scan or Loop the pass left is not a recurrence it raises.
std::string whyNot(NodeOp node, ShapeInference &shapes) {
  bool scan = node.getOpType() == "Scan";
  std::optional<Recurrence> r = scan ? readScan(node) : readLoop(node, shapes);
  if (!r)
    return scan ? "not one state and one output with every input scanned forward along axis 1"
                : "not a loop over the sequence: one state, no condition, Gather(x, i, axis = "
                  "1) slices and a trip count proven to be their length";
  Match m{};
  m.rec = *r;
  if (!matchMamba1(m.rec, m) && !matchMamba2(m.rec, m) && !matchLinearAttention(m.rec, m))
    return "its step is not Mamba-1's or Mamba-2's selective scan or a linear-attention update";
  return "its step is a known recurrence, but the shapes do not prove the layout the op reads";
}


//===----------------------------------------------------------------------===//
// Unrolled Mamba-1: a Python loop over time traced at a fixed length
//===----------------------------------------------------------------------===//
//
// HF's Mamba-1 slow path (MambaMixer.slow_forward, Jamba's too) discretises
// first and then loops over the L time steps; torch.onnx unrolls the loop:
//
//   dA  = Exp(Mul(Unsqueeze(A, 1), Unsqueeze(dt, -1)))              [B, D, L, N]
//   dBu = Mul(Mul(Unsqueeze(dt, -1), Unsqueeze(Bm, 1)), Unsqueeze(x, -1))
//   h_{i+1} = Add(Mul(Gather(dA, i, axis=2), h_i), Gather(dBu, i, axis=2))
//   y_i = Gather(MatMul(h_{i+1}, Unsqueeze(Gather(C, i, axis=1), -1)), 0, axis=2)
//   y   = Concat(Unsqueeze(y_0, -1), ..., Unsqueeze(y_{L-1}, -1), axis=-1)   [B, D, L]
//
// with x, dt [B, D, L], Bm, C [B, L, N], A [D, N] and h_0 [B, D, N] (zeros,
// or a past state). Every Mul and Add in either operand order and either
// grouping of dBu's three factors; the read-out may be a Squeeze instead of
// the Gather. It becomes the same SsmScan as the Scan form (x and dt
// transposed to [B, L, D], y transposed back), and h_L's other readers (a
// present state) read the scan's final state. L must be the tensors' time
// length, proven by the shapes (a trace fixes it).

struct Unrolled {
  NodeOp concat;
  Value x, dt, a, bm, cm, init, last;
  // Casts the TorchScript exporter writes (`.to(dtype)`): on the state, to
  // the chain's own type (identities, checked against A's); on x and B,
  // repeated on the scan's inputs (0: none).
  int64_t stateCast = 0, xCast = 0, bmCast = 0;
  // a is A[:, None] or A[None, :, None] itself (an exporter folded the
  // Unsqueeze into the constant): the axes to squeeze out of it.
  SmallVector<int64_t> aUnit;
  int64_t steps = 0;
  SmallVector<Operation *> nodes;
};

/// The time step `i` that `v` = Gather(t, i, axis) reads, and t.
std::optional<std::pair<Value, int64_t>> gatherStep(Value v, int64_t axis, int64_t rank) {
  NodeOp g = producer(throughIdentity(v), {"Gather"});
  if (!g)
    return std::nullopt;
  DenseElementsAttr idx = constValue(g.getInputs()[1]);
  int64_t a = intAttr(g, "axis").value_or(0);
  if (!idx || idx.getType().getRank() != 0 || !isa<IntegerType>(idx.getElementType()) ||
      (a != axis && a != axis - rank))
    return std::nullopt;
  return std::make_pair(g.getInputs()[0], (*idx.getValues<APInt>().begin()).getSExtValue());
}

/// The ONNX float type of `v`'s elements, where its declared type, a
/// constant or the type-keeping ops above one say (0: not known).
int64_t floatTypeOf(Value v, int depth = 0) {
  Type et = getElementTypeOrSelf(v.getType());
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    et = getElementTypeOrSelf(c.getType());
  if (isa<FloatType>(et))
    return et.isF32() ? 1 : et.isF16() ? 10 : et.isF64() ? 11 : et.isBF16() ? 16 : 0;
  NodeOp n = producer(v, {"Neg", "Exp", "Unsqueeze", "Squeeze", "Identity", "Reshape",
                          "Transpose", "Cast"});
  if (!n || depth > 8)
    return 0;
  if (n.getOpType() == "Cast")
    return intAttr(n, "to").value_or(0);
  return floatTypeOf(n.getInputs()[0], depth + 1);
}

std::optional<Unrolled> matchUnrolledMamba1(NodeOp concat, ShapeInference &shapes) {
  Unrolled u;
  // A state under the exporter's Cast(to = T): T recorded (one for all).
  bool castsAgree = true;
  auto uncast = [&](Value v) {
    v = throughIdentity(v);
    if (NodeOp c = producer(v, {"Cast"})) {
      int64_t to = intAttr(c, "to").value_or(0);
      castsAgree &= !u.stateCast || u.stateCast == to;
      u.stateCast = to;
      u.nodes.push_back(c);
      return throughIdentity(c.getInputs()[0]);
    }
    return v;
  };
  u.concat = concat;
  ValueRange ys = concat.getInputs();
  int64_t axis = intAttr(concat, "axis").value_or(0);
  if (ys.size() < 2 || (axis != -1 && axis != 2))
    return std::nullopt;
  u.steps = ys.size();
  u.nodes.push_back(concat);
  // Read-outs: y_i = Gather(MatMul(h_{i+1}, Unsqueeze(Gather(C, i, 1), -1)), 0, 2).
  SmallVector<Value> reads;  // what the read-outs read (the states, maybe cast)
  SmallVector<Value> states; // h_1 .. h_L
  for (auto [i, yi] : llvm::enumerate(ys)) {
    Value y = unsqueezed(yi, {2}, 3);
    if (!y)
      return std::nullopt;
    Value prod;
    if (std::optional<std::pair<Value, int64_t>> g = gatherStep(y, 2, 3); g && g->second == 0)
      prod = g->first;
    else
      prod = squeezed(y, 2, 3);
    NodeOp mm = prod ? producer(prod, {"MatMul"}) : nullptr;
    Value c = mm ? unsqueezed(mm.getInputs()[1], {2}, 3) : Value();
    std::optional<std::pair<Value, int64_t>> ci = c ? gatherStep(c, 1, 3) : std::nullopt;
    if (!ci || ci->second != static_cast<int64_t>(i) || (u.cm && u.cm != ci->first))
      return std::nullopt;
    u.cm = ci->first;
    reads.push_back(mm.getInputs()[0]);
    states.push_back(uncast(mm.getInputs()[0]));
    for (Value v : {yi, y, prod, mm.getInputs()[1], c})
      if (auto n = v.getDefiningOp<NodeOp>())
        u.nodes.push_back(n);
  }
  // The chain, from the last state back: h_{i+1} = dA_i * h_i + dBu_i.
  Value dA, dBu, h = states.back();
  u.last = reads.back();
  for (int64_t i = u.steps - 1; i >= 0; --i) {
    if (i + 1 < u.steps)
      h = uncast(h);
    if (h != states[i])
      return std::nullopt;
    bool found = false;
    for (auto [decay, input] : operands(h, "Add")) {
      std::optional<std::pair<Value, int64_t>> in = gatherStep(input, 2, 4);
      if (!in || in->second != i || (dBu && dBu != in->first))
        continue;
      for (auto [d, prev] : operands(decay, "Mul")) {
        std::optional<std::pair<Value, int64_t>> da = gatherStep(d, 2, 4);
        if (!da || da->second != i || (dA && dA != da->first))
          continue;
        dA = da->first, dBu = in->first;
        u.nodes.append({producer(throughIdentity(h), {"Add"}), producer(throughIdentity(decay), {"Mul"}),
                        producer(throughIdentity(d), {"Gather"}),
                        producer(throughIdentity(input), {"Gather"})});
        h = prev;
        found = true;
        break;
      }
      if (found)
        break;
    }
    if (!found)
      return std::nullopt;
  }
  u.init = h;
  // Each intermediate state feeds its read-out and the next step only.
  for (int64_t i = 0; i + 1 < u.steps; ++i)
    if (std::distance(reads[i].use_begin(), reads[i].use_end()) != 2 ||
        (reads[i] != states[i] && !states[i].hasOneUse()))
      return std::nullopt;
  // dA = Exp(Mul(Unsqueeze(A, 1), Unsqueeze(dt, -1))).
  NodeOp ex = producer(dA, {"Exp"});
  if (!ex)
    return std::nullopt;
  for (auto [p, q] : operands(ex.getInputs()[0], "Mul")) {
    Value a = unsqueezed(p, {1}, 3), dt = unsqueezed(q, {3}, 4);
    if (!a)
      a = unsqueezed(p, {0, 2}, 4);
    if (!a) // Unsqueeze(Unsqueeze(A, [0]), [2])
      if (Value a3 = unsqueezed(p, {2}, 4))
        a = unsqueezed(a3, {0}, 3);
    // (A constant of any storage: large ones are dense_resource blobs.)
    if (auto c = p.getDefiningOp<arith::ConstantOp>(); !a && c) {
      ArrayRef<int64_t> shape = cast<ShapedType>(c.getType()).getShape();
      if (shape.size() == 3 && shape[1] == 1)
        u.aUnit = {1};
      else if (shape.size() == 4 && shape[0] == 1 && shape[2] == 1)
        u.aUnit = {0, 2};
      if (!u.aUnit.empty())
        a = p;
    }
    if (a && dt) {
      u.a = a, u.dt = dt;
      u.nodes.append({ex, producer(throughIdentity(ex.getInputs()[0]), {"Mul"})});
      break;
    }
  }
  if (!u.dt)
    return std::nullopt;
  // dBu = dt[..., None] * Bm[:, None] * x[..., None], in any grouping.
  SmallVector<Value> factors;
  SmallVector<Value> work = {dBu};
  while (!work.empty() && factors.size() <= 3) {
    Value v = throughIdentity(work.pop_back_val());
    NodeOp mul = producer(v, {"Mul"});
    if (mul && factors.size() + work.size() < 3 && mul.getInputs().size() == 2) {
      u.nodes.push_back(mul);
      work.append({mul.getInputs()[0], mul.getInputs()[1]});
    } else {
      factors.push_back(v);
    }
  }
  if (factors.size() != 3)
    return std::nullopt;
  for (Value f : factors) {
    // (A Cast on x's or B's factor is repeated on the scan's input.)
    int64_t to = 0;
    if (NodeOp c = producer(f, {"Cast"})) {
      to = intAttr(c, "to").value_or(0);
      f = throughIdentity(c.getInputs()[0]);
    }
    if (Value bm = unsqueezed(f, {1}, 4); bm && !u.bm) {
      u.bm = bm, u.bmCast = to;
    } else if (Value t = unsqueezed(f, {3}, 4); t && t == u.dt && !to) {
      continue;
    } else if (t && !u.x) {
      u.x = t, u.xCast = to;
    } else {
      return std::nullopt;
    }
  }
  if (!u.x || !u.bm)
    return std::nullopt;
  // The state's Casts are to the chain's type, which is A's (ONNX's Mul and
  // Add take one type): identities.
  if (!castsAgree || (u.stateCast && u.stateCast != floatTypeOf(u.a)))
    return std::nullopt;
  // Shapes: x, dt [B, D, L]; Bm, C [B, L, N]; A [D, N]; h_0 [B, D, N]; L steps.
  std::optional<DimList> xs = shapes.shape(u.x), ds = shapes.shape(u.dt), bs = shapes.shape(u.bm),
                         cs = shapes.shape(u.cm), as = shapes.shape(u.a), hs = shapes.shape(u.init);
  if (as && !u.aUnit.empty() && as->size() == 2 + u.aUnit.size()) {
    DimList kept;
    for (auto [i, d] : llvm::enumerate(*as))
      if (!llvm::is_contained(u.aUnit, static_cast<int64_t>(i)))
        kept.push_back(d);
    as = kept;
  }
  if (!xs || !ds || !bs || !cs || !as || !hs || xs->size() != 3 || *ds != *xs ||
      bs->size() != 3 || *cs != *bs || as->size() != 2 || hs->size() != 3)
    return std::nullopt;
  const DimList &X = *xs, &Bs = *bs, &A = *as, &H = *hs;
  if (!X[2].isConstant(u.steps) || Bs[0] != X[0] || Bs[1] != X[2] || A[0] != X[1] ||
      A[1] != Bs[2] || H != DimList{X[0], X[1], Bs[2]})
    return std::nullopt;
  return u;
}

/// Replaces an unrolled Mamba-1 with one SsmScan.
void raiseUnrolled(Unrolled &u) {
  NodeWriter w(u.concat);
  auto perm = w.attr("perm", w.b.getDenseI64ArrayAttr({0, 2, 1}));
  auto cast = [&](Value v, int64_t to, StringRef suffix) {
    return to ? w.value("Cast", {v}, suffix, {w.attr("to", to)}) : v;
  };
  Value xt = w.value("Transpose", {cast(u.x, u.xCast, "/raised_x_cast")}, "/raised_x", {perm});
  Value dtt = w.value("Transpose", {u.dt}, "/raised_dt", {perm});
  Value a = u.aUnit.empty() ? u.a : w.value("Squeeze", {u.a, w.i64s(u.aUnit)}, "/raised_A");
  Value none = w.none();
  SmallVector<Value> inputs = {w.value("Unsqueeze", {xt, w.i64s({3})}, "/raised_x4"),
                               dtt,
                               a,
                               w.value("Unsqueeze", {cast(u.bm, u.bmCast, "/raised_B_cast"),
                                                     w.i64s({2})},
                                       "/raised_B"),
                               w.value("Unsqueeze", {u.cm, w.i64s({2})}, "/raised_C"),
                               none,
                               none,
                               none,
                               w.value("Unsqueeze", {u.init, w.i64s({2})}, "/raised_h0")};
  NodeOp scan = w.node("SsmScan", inputs, {w.unknown, w.unknown}, "/raised_ssm_scan",
                       {w.attr("dt_softplus", 0)}, "ai.hybrid", 1);
  Value y = w.value("Squeeze", {scan.getOutputs()[0], w.i64s({3})}, "/raised_y");
  y = w.value("Transpose", {y}, "/raised_y_t", {perm}, u.concat.getOutputs()[0].getType());
  u.concat.getOutputs()[0].replaceAllUsesWith(y);
  // The last state's other readers (a present state) read the scan's.
  SmallVector<OpOperand *> others;
  for (OpOperand &use : u.last.getUses())
    if (!llvm::is_contained(u.nodes, use.getOwner()))
      others.push_back(&use);
  if (!others.empty()) {
    Value state = w.value("Squeeze", {scan.getOutputs()[1], w.i64s({2})}, "/raised_state", {},
                          u.last.getType());
    for (OpOperand *use : others)
      use->set(state);
  }
  eraseUnused(u.nodes);
}

std::string describeUnrolled(const Unrolled &u) {
  return "Mamba-1's selective scan unrolled over " + std::to_string(u.steps) +
         " time steps (a traced Python loop: dA and dB·x computed for every step, then "
         "sliced) became one ai.hybrid SsmScan with one channel per head";
}

} // namespace

unsigned hybrid::raiseScans(Operation *root) {
  unsigned n = raiseAll<Match>(
      root, "Scan", "hybrid-raise-scans",
      [](NodeOp scan, ShapeInference &shapes) { return matchRecurrence(readScan(scan), shapes); },
      describe, raise);
  n += raiseAll<Match>(
      root, "Loop", "hybrid-raise-scans",
      [](NodeOp loop, ShapeInference &shapes) {
        return matchRecurrence(readLoop(loop, shapes), shapes);
      },
      describe, raise);
  // Decode steps, anchored on the Add that makes the new state.
  n += raiseAll<Match>(root, "Add", "hybrid-raise-scans", matchDecodeStep, describe, raise);
  // Unrolled loops, anchored on the Concat that stacks the read-outs.
  n += raiseAll<Unrolled>(root, "Concat", "hybrid-raise-scans", matchUnrolledMamba1,
                          describeUnrolled, raiseUnrolled);
  // Mamba-2's chunked scan (RaiseChunkedScan.cpp).
  n += raiseChunkedScans(root);
  return n;
}

void hybrid::reportUnraisedScans(Operation *root) {
  ShapeInference shapes;
  for (StringRef type : {"Scan", "Loop"})
    reportLeft(root, type, "hybrid-raise-scans",
               [&](NodeOp node) { return whyNot(node, shapes); });
}

namespace {
struct RaiseScansPass : public hybrid::impl::RaiseScansBase<RaiseScansPass> {
  void runOnOperation() override { hybrid::raiseScans(getOperation()); }
};
} // namespace
