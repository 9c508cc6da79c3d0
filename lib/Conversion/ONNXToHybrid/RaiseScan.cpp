//===- RaiseScan.cpp - hybrid-raise-scans ----------------------------------===//
//
// Finds the Mamba-1 selective scan written as an ONNX Scan in the faithful
// onnx.node graph: one state h [B, D, N], four scanned inputs along axis 1
// (u and delta [B, L, D], B and C [B, L, N]), and the body
//
//   dA  = Exp(Mul(Unsqueeze(delta_t, 2), A))           A [D, N], from outside
//   dBu = Mul(Unsqueeze(Mul(delta_t, u_t), 2), Unsqueeze(B_t, 1))
//   h'  = Add(Mul(dA, h), dBu)                                    the state
//   y_t = Squeeze(MatMul(h', Unsqueeze(C_t, 2)), 2)    stacked along axis 1
//
// (every Mul and Add in either operand order, Identity nodes looked
// through), and replaces it with Hybrid's ai.hybrid SelectiveScan node (no
// softplus, no D, no gate: what the graph does around the Scan stays), which
// the converters make hybrid.ssm_scan: the CPU pipeline then runs it with the
// channels in vector lanes instead of a loop of whole-tensor ops per step.
//
// The symbolic shapes must show the layout: u and delta of one shape
// [B, L, D], B and C of one shape [B, L, N], A [D, N] and the initial state
// [B, D, N]. The arithmetic is the same per element (the sum over the states
// in order instead of the MatMul's).
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

struct Match {
  NodeOp scan;
  Value h0, u, delta, bm, cm, a;
};

/// `v` with Identity nodes (any domain-less ones) looked through.
Value throughIdentity(Value v) {
  while (NodeOp id = producer(v, {"Identity"}))
    v = id.getInputs()[0];
  return v;
}

/// x when `v` is Unsqueeze(x, [axis]) (or its negative form, for a result of
/// rank `rank`).
Value unsqueezed(Value v, int64_t axis, int64_t rank) {
  NodeOp n = producer(v, {"Unsqueeze"});
  if (!n)
    return nullptr;
  std::optional<SmallVector<int64_t>> axes = constAxes(n, 1);
  if (!axes || axes->size() != 1 || ((*axes)[0] != axis && (*axes)[0] != axis - rank))
    return nullptr;
  return n.getInputs()[0];
}

/// The operands of a two-input ai.onnx node of `type` producing `v`.
std::optional<std::pair<Value, Value>> binary(Value v, StringRef type) {
  NodeOp n = producer(v, {type});
  if (!n || n.getInputs().size() != 2)
    return std::nullopt;
  return std::make_pair(n.getInputs()[0], n.getInputs()[1]);
}

std::optional<Match> matchScan(NodeOp scan, ShapeInference &shapes) {
  if (scan.getNumRegions() != 1 || scan->getRegion(0).empty())
    return std::nullopt;
  std::optional<int64_t> m = intAttr(scan, "num_scan_inputs");
  ValueRange in = scan.getInputs();
  if (!m || *m != 4 || in.size() != 5 || scan.getOutputs().size() != 2)
    return std::nullopt;
  auto ones = [&](StringRef attr, size_t count, int64_t value) {
    auto a = dyn_cast_or_null<DenseI64ArrayAttr>(scan.getAttrs().get(attr));
    if (!a)
      return value == 0; // the default: axis 0, forward
    return a.size() == static_cast<int64_t>(count) &&
           llvm::all_of(a.asArrayRef(), [&](int64_t x) { return x == value; });
  };
  if (!ones("scan_input_axes", 4, 1) || !ones("scan_output_axes", 1, 1) ||
      !ones("scan_input_directions", 4, 0) || !ones("scan_output_directions", 1, 0))
    return std::nullopt;
  Block &body = scan->getRegion(0).front();
  if (body.getNumArguments() != 5 || body.getTerminator()->getNumOperands() != 2)
    return std::nullopt;
  Value state = body.getArgument(0);
  Value hn = throughIdentity(body.getTerminator()->getOperand(0));
  Value y = throughIdentity(body.getTerminator()->getOperand(1));
  auto argIndex = [&](Value v) -> int {
    auto arg = dyn_cast_or_null<BlockArgument>(v);
    return arg && arg.getOwner() == &body ? static_cast<int>(arg.getArgNumber()) : -1;
  };

  // y = Squeeze(MatMul(h', Unsqueeze(C_t, 2)), 2).
  NodeOp squeeze = y ? producer(y, {"Squeeze"}) : nullptr;
  std::optional<SmallVector<int64_t>> sqAxes = squeeze ? constAxes(squeeze, 1) : std::nullopt;
  if (!sqAxes || sqAxes->size() != 1 || ((*sqAxes)[0] != 2 && (*sqAxes)[0] != -1))
    return std::nullopt;
  auto mm = binary(squeeze.getInputs()[0], "MatMul");
  if (!mm || mm->first != hn)
    return std::nullopt;
  int c = argIndex(unsqueezed(mm->second, 2, 3));

  // h' = Add(Mul(dA, h), dBu).
  auto add = binary(hn, "Add");
  if (!add)
    return std::nullopt;
  Value decayed, dBu;
  for (auto [x, other] :
       {std::make_pair(add->first, add->second), std::make_pair(add->second, add->first)}) {
    auto mul = binary(x, "Mul");
    if (mul && (mul->first == state || mul->second == state)) {
      decayed = mul->first == state ? mul->second : mul->first;
      dBu = other;
      break;
    }
  }
  if (!decayed)
    return std::nullopt;
  // dA = Exp(Mul(Unsqueeze(delta_t, 2), A)), A from outside the body.
  NodeOp exp = producer(decayed, {"Exp"});
  auto dAmul = exp ? binary(exp.getInputs()[0], "Mul") : std::nullopt;
  if (!dAmul)
    return std::nullopt;
  int d = -1;
  Value a;
  for (auto [x, other] :
       {std::make_pair(dAmul->first, dAmul->second), std::make_pair(dAmul->second, dAmul->first)}) {
    int i = argIndex(unsqueezed(x, 2, 3));
    if (i > 0 && !scan->getRegion(0).isAncestor(other.getParentRegion())) {
      d = i;
      a = other;
      break;
    }
  }
  if (d < 0)
    return std::nullopt;
  // dBu = Mul(Unsqueeze(Mul(delta_t, u_t), 2), Unsqueeze(B_t, 1)).
  auto bmul = binary(dBu, "Mul");
  if (!bmul)
    return std::nullopt;
  int u = -1, b = -1;
  for (auto [x, other] :
       {std::make_pair(bmul->first, bmul->second), std::make_pair(bmul->second, bmul->first)}) {
    Value du = unsqueezed(x, 2, 3);
    auto dumul = du ? binary(du, "Mul") : std::nullopt;
    if (!dumul)
      continue;
    int i0 = argIndex(dumul->first), i1 = argIndex(dumul->second);
    int other0 = i0 == d ? i1 : i1 == d ? i0 : -1;
    int bi = argIndex(unsqueezed(other, 1, 3));
    if (other0 > 0 && bi > 0) {
      u = other0;
      b = bi;
      break;
    }
  }
  SmallVector<int> roles = {u, d, b, c};
  if (llvm::is_contained(roles, -1) || llvm::is_contained(roles, 0))
    return std::nullopt;
  llvm::SmallDenseSet<int> distinct(roles.begin(), roles.end());
  if (distinct.size() != 4)
    return std::nullopt;

  Match match{scan, in[0], in[u], in[d], in[b], in[c], a};
  // The layout, on symbolic shapes.
  std::optional<DimList> us = shapes.shape(match.u), ds = shapes.shape(match.delta),
                         bs = shapes.shape(match.bm), cs = shapes.shape(match.cm),
                         as = shapes.shape(match.a), hs = shapes.shape(match.h0);
  if (!us || !ds || !bs || !cs || !as || !hs || us->size() != 3 || bs->size() != 3 ||
      as->size() != 2 || *us != *ds || *bs != *cs || (*as)[0] != (*us)[2] || (*as)[1] != (*bs)[2] ||
      (*us)[0] != (*bs)[0] || (*us)[1] != (*bs)[1] || *hs != DimList{(*us)[0], (*us)[2], (*bs)[2]})
    return std::nullopt;
  return match;
}

void raise(Match &m) {
  OpBuilder b(m.scan);
  Location loc = m.scan.getLoc();
  MLIRContext *ctx = b.getContext();
  auto unknown = hybrid::onnx::UnknownType::get(ctx);
  StringAttr name = m.scan.getNameAttr();
  auto named = [&](StringRef suffix) {
    return name ? b.getStringAttr(name.getValue() + suffix) : StringAttr();
  };
  auto transpose = [&](Value v, StringRef suffix, Type type) {
    NamedAttribute perm(b.getStringAttr("perm"), b.getDenseI64ArrayAttr({0, 2, 1}));
    return NodeOp::create(b, loc, TypeRange{type}, ValueRange{v}, "Transpose", "", 13,
                          named(suffix), b.getDictionaryAttr({perm}), nullptr, 0)
        .getOutputs()[0];
  };
  Value none = hybrid::onnx::NoneOp::create(b, loc, b.getNoneType());
  SmallVector<Value> inputs = {transpose(m.u, "/raised_u", unknown),
                               transpose(m.delta, "/raised_delta", unknown),
                               m.a,
                               transpose(m.bm, "/raised_B", unknown),
                               transpose(m.cm, "/raised_C", unknown),
                               none,
                               none,
                               none,
                               m.h0};
  NamedAttribute softplus(b.getStringAttr("delta_softplus"), b.getI64IntegerAttr(0));
  // The results keep the types the Scan's had (declared graph outputs).
  Type stateType = m.scan.getOutputs()[0].getType(), yType = m.scan.getOutputs()[1].getType();
  auto ss =
      NodeOp::create(b, loc, TypeRange{unknown, stateType}, inputs, "SelectiveScan", "ai.hybrid", 1,
                     named("/raised_selective_scan"), b.getDictionaryAttr({softplus}), nullptr, 0);
  Value y = transpose(ss.getOutputs()[0], "/raised_y", yType);
  m.scan.getOutputs()[0].replaceAllUsesWith(ss.getOutputs()[1]);
  m.scan.getOutputs()[1].replaceAllUsesWith(y);
  m.scan->erase();
}

} // namespace

unsigned hybrid::raiseScans(Operation *root) {
  return raiseAll<Match>(root, "Scan", matchScan, raise);
}

namespace {
struct RaiseScansPass : public hybrid::impl::RaiseScansBase<RaiseScansPass> {
  void runOnOperation() override { hybrid::raiseScans(getOperation()); }
};
} // namespace
