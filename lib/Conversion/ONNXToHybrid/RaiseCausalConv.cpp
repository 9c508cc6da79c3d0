//===- RaiseCausalConv.cpp - hybrid-raise-causal-conv ----------------------===//
//
// Finds the depthwise causal convolution of Mamba, Gated DeltaNet and LFM2
// blocks written with standard ops in the faithful onnx.node graph, over
// x [B, C, L] with a weight W [C, 1, K] (K >= 2) and Conv's group = C:
//
//   prefill   y = Conv(Pad(x, [0, 0, K-1, 0, 0, 0]), W, b)      (the zoo's form)
//             y = Conv(x, W, b, pads = [K-1, 0])
//             y = Slice(Conv(x, W, b, pads = [K-1, K-1]), 0, L, axis 2)
//                                            (HF's `conv1d(x)[..., :seq_len]`)
//   decode    y = Conv(Concat(past, x, axis 2), W, b)           past [B, C, K-1]
//
// and replaces it with one com.microsoft CausalConvWithState node, hence
// hybrid.causal_conv1d. What it also folds in:
//   - the carried state: a Slice(full, -(K-1), end, axis 2) of the padded or
//     concatenated input becomes the node's present_state output;
//   - a SiLU applied to y alone, `Mul(y, Sigmoid(y))` (either order), becomes
//     activation = "silu".
//
// The symbolic shapes must prove C (the weight's and x's channels), K and,
// for the decode form, past's [B, C, K-1]; the Slice of HF's form must keep
// exactly x's length. Strides, dilations and auto_pad other than the defaults
// do not match.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/SetVector.h"

namespace hybrid {
#define GEN_PASS_DEF_RAISECAUSALCONV
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using hybrid::onnx::NodeOp;
using namespace hybrid::raising;

namespace {

struct Match {
  NodeOp conv;
  Value x, weight, bias, past; // bias, past: null when absent
  Value full;                  // the padded or concatenated input, if any
  Value y;                     // the convolution's result (the Conv's, or HF's Slice)
  NodeOp silu;                 // the Mul computing SiLU(y), if folded
  SmallVector<NodeOp> stateSlices;
  int64_t channels = 0, width = 0;
  StringRef form; // which of the file comment's forms
};

bool isNone(Value v) { return !v || isa<NoneType>(v.getType()); }

/// Whether a DenseI64ArrayAttr attribute `name` of `n` is absent or equal to
/// `want` (what an absent one means).
bool intsOr(NodeOp n, StringRef name, ArrayRef<int64_t> want) {
  auto a = dyn_cast_or_null<DenseI64ArrayAttr>(n.getAttrs().get(name));
  return !a || a.asArrayRef() == want;
}

/// The single axis of a Slice over axis 2 of a rank-3 tensor, with its start
/// and end inputs (steps 1); nullopt for anything else.
std::optional<std::pair<Value, Value>> sliceAxis2(NodeOp s) {
  ValueRange in = s.getInputs();
  if (in.size() < 3)
    return std::nullopt;
  std::optional<SmallVector<int64_t>> axes =
      in.size() >= 4 && !isNone(in[3]) ? constInts(in[3]) : std::nullopt;
  if (!axes || axes->size() != 1 || ((*axes)[0] != 2 && (*axes)[0] != -1))
    return std::nullopt;
  if (in.size() >= 5 && !isNone(in[4])) {
    std::optional<SmallVector<int64_t>> steps = constInts(in[4]);
    if (!steps || *steps != SmallVector<int64_t>{1})
      return std::nullopt;
  }
  return std::make_pair(in[1], in[2]);
}

/// Whether Slice `s` of the [B, C, K-1+L] input is its last K-1 steps.
bool isStateSlice(NodeOp s, int64_t k) {
  std::optional<std::pair<Value, Value>> se = sliceAxis2(s);
  if (!se)
    return false;
  std::optional<SmallVector<int64_t>> start = constInts(se->first), end = constInts(se->second);
  return start && end && start->size() == 1 && end->size() == 1 && (*start)[0] == -(k - 1) &&
         (*end)[0] >= std::numeric_limits<int32_t>::max();
}

std::optional<Match> matchConv(NodeOp conv, ShapeInference &shapes) {
  ValueRange in = conv.getInputs();
  if (in.size() < 2 || conv.getOutputs().size() != 1)
    return std::nullopt;
  std::optional<DimList> w = shapes.shape(in[1]);
  if (!w || w->size() != 3 || !(*w)[0].isConstant() || !(*w)[1].isOne() || !(*w)[2].isConstant())
    return std::nullopt;
  int64_t c = (*w)[0].value(), k = (*w)[2].value();
  auto autoPad = dyn_cast_or_null<StringAttr>(conv.getAttrs().get("auto_pad"));
  if (k < 2 || intAttr(conv, "group").value_or(1) != c || !intsOr(conv, "kernel_shape", {k}) ||
      !intsOr(conv, "strides", {1}) || !intsOr(conv, "dilations", {1}) ||
      (autoPad && autoPad.getValue() != "NOTSET"))
    return std::nullopt;
  Match m{};
  m.conv = conv;
  m.channels = c;
  m.width = k;
  m.weight = in[1];
  m.bias = in.size() >= 3 && !isNone(in[2]) ? in[2] : Value();
  m.y = conv.getOutputs()[0];
  auto pads = dyn_cast_or_null<DenseI64ArrayAttr>(conv.getAttrs().get("pads"));
  ArrayRef<int64_t> p = pads ? pads.asArrayRef() : ArrayRef<int64_t>();
  Value src = in[0];
  if (p.empty() || p == ArrayRef<int64_t>{0, 0}) {
    // The causal padding comes from a Pad or from the carried past.
    if (NodeOp pad = producer(src, {"Pad"})) {
      ValueRange pin = pad.getInputs();
      auto mode = dyn_cast_or_null<StringAttr>(pad.getAttrs().get("mode"));
      std::optional<SmallVector<int64_t>> amounts = pin.size() >= 2 ? constInts(pin[1]) : std::nullopt;
      std::optional<double> fill = pin.size() >= 3 && !isNone(pin[2]) ? constScalar(pin[2]) : 0.0;
      if ((mode && mode.getValue() != "constant") || !amounts ||
          *amounts != SmallVector<int64_t>{0, 0, k - 1, 0, 0, 0} || fill != 0.0 ||
          (pin.size() >= 4 && !isNone(pin[3])))
        return std::nullopt;
      m.x = pin[0];
      m.full = src;
      m.form = "Conv(Pad(x, K-1 on the left))";
    } else if (NodeOp cat = producer(src, {"Concat"})) {
      std::optional<int64_t> axis = intAttr(cat, "axis");
      if (cat.getInputs().size() != 2 || !axis || (*axis != 2 && *axis != -1))
        return std::nullopt;
      m.past = cat.getInputs()[0];
      m.x = cat.getInputs()[1];
      m.full = src;
      m.form = "Conv(Concat(past, x)) (a decode step)";
    } else {
      return std::nullopt;
    }
  } else if (p == ArrayRef<int64_t>{k - 1, 0}) {
    m.x = src;
    m.form = "Conv(x, pads = [K-1, 0])";
  } else if (p == ArrayRef<int64_t>{k - 1, k - 1}) {
    // HF: conv1d(x)[..., :seq_len], the Conv's only use.
    m.x = src;
    m.form = "Conv(x, pads = [K-1, K-1])[..., :L]";
    if (!m.y.hasOneUse())
      return std::nullopt;
    auto slice = dyn_cast<NodeOp>(*m.y.getUsers().begin());
    std::optional<std::pair<Value, Value>> se =
        slice && slice.getDomain().empty() && slice.getOpType() == "Slice" &&
                slice.getInputs()[0] == m.y
            ? sliceAxis2(slice)
            : std::nullopt;
    std::optional<DimList> start = se ? shapes.elements(se->first) : std::nullopt,
                           end = se ? shapes.elements(se->second) : std::nullopt,
                           xs = shapes.shape(m.x);
    if (!start || !end || !xs || xs->size() != 3 || *start != DimList{Dim::constant(0)} ||
        *end != DimList{(*xs)[2]})
      return std::nullopt;
    m.y = slice.getOutputs()[0];
  } else {
    return std::nullopt;
  }
  // x [B, C, L]; past [B, C, K-1].
  std::optional<DimList> xs = shapes.shape(m.x);
  if (!xs || xs->size() != 3 || (*xs)[1] != Dim::constant(c))
    return std::nullopt;
  if (m.past) {
    std::optional<DimList> ps = shapes.shape(m.past);
    if (!ps || *ps != DimList{(*xs)[0], Dim::constant(c), Dim::constant(k - 1)})
      return std::nullopt;
  }
  if (m.bias) {
    std::optional<DimList> bs = shapes.shape(m.bias);
    if (!bs || *bs != DimList{Dim::constant(c)})
      return std::nullopt;
  }
  // The carried state: Slices of the full input's last K-1 steps.
  if (m.full)
    for (Operation *user : m.full.getUsers())
      if (auto s = dyn_cast<NodeOp>(user);
          s && s.getDomain().empty() && s.getOpType() == "Slice" && s.getInputs()[0] == m.full &&
          isStateSlice(s, k))
        m.stateSlices.push_back(s);
  // SiLU(y) = Mul(y, Sigmoid(y)), y used by nothing else.
  if (std::distance(m.y.getUsers().begin(), m.y.getUsers().end()) == 2) {
    NodeOp sig, mul;
    for (Operation *user : m.y.getUsers()) {
      auto n = dyn_cast<NodeOp>(user);
      if (n && n.getDomain().empty() && n.getOpType() == "Sigmoid")
        sig = n;
      else if (n && n.getDomain().empty() && n.getOpType() == "Mul")
        mul = n;
    }
    if (sig && mul && sig.getOutputs()[0].hasOneUse() &&
        llvm::is_contained(mul.getInputs(), sig.getOutputs()[0]) &&
        llvm::is_contained(mul.getInputs(), m.y))
      m.silu = mul;
  }
  return m;
}

void raise(Match &m) {
  OpBuilder b(m.conv);
  Location loc = m.conv.getLoc();
  Type unknown = hybrid::onnx::UnknownType::get(b.getContext());
  StringAttr name = m.conv.getNameAttr();
  Value none = hybrid::onnx::NoneOp::create(b, loc, b.getNoneType());
  // The results keep the types of the values they replace.
  Value out = m.silu ? m.silu.getOutputs()[0] : m.y;
  Type stateType = unknown;
  if (m.stateSlices.size() == 1)
    stateType = m.stateSlices.front().getOutputs()[0].getType();
  NamedAttribute act(b.getStringAttr("activation"), b.getStringAttr(m.silu ? "silu" : "none"));
  auto conv = NodeOp::create(
      b, loc, TypeRange{out.getType(), stateType},
      ValueRange{m.x, m.weight, m.bias ? m.bias : none, m.past ? m.past : none},
      "CausalConvWithState", "com.microsoft", 1,
      name ? b.getStringAttr(name.getValue() + "/raised_causal_conv") : StringAttr(),
      b.getDictionaryAttr({act}), nullptr, 0);
  Value state = conv.getOutputs()[1];
  for (NodeOp s : m.stateSlices) {
    Value r = s.getOutputs()[0];
    if (r.getType() != stateType) // another declared type: keep it on an Identity
      state = NodeOp::create(b, loc, TypeRange{r.getType()}, ValueRange{conv.getOutputs()[1]},
                             "Identity", "", 13, StringAttr(), b.getDictionaryAttr({}), nullptr, 0)
                  .getOutputs()[0];
    r.replaceAllUsesWith(state);
    s->erase();
  }
  out.replaceAllUsesWith(conv.getOutputs()[0]);
  // What computed y, its padding and its SiLU, now unused, users first.
  llvm::SetVector<Operation *> dead;
  if (m.silu) {
    dead.insert(m.silu);
    for (Value v : m.silu.getInputs())
      if (NodeOp sig = producer(v, {"Sigmoid"}))
        dead.insert(sig);
  }
  if (m.y != m.conv.getOutputs()[0])
    dead.insert(m.y.getDefiningOp()); // HF's Slice
  dead.insert(m.conv);
  if (m.full)
    dead.insert(m.full.getDefiningOp());
  for (Operation *op : dead)
    if (op->use_empty())
      op->erase();
}

} // namespace

void hybrid::reportUnraisedConvs(Operation *root) {
  reportLeft(root, "Conv", "hybrid-raise-causal-conv", [](NodeOp conv) {
    auto pads = dyn_cast_or_null<DenseI64ArrayAttr>(conv.getAttrs().get("pads"));
    // 1-D convolutions only: 2-D ones are not candidates.
    auto kernel = dyn_cast_or_null<DenseI64ArrayAttr>(conv.getAttrs().get("kernel_shape"));
    bool oneD = (pads && pads.size() == 2) || (kernel && kernel.size() == 1);
    return std::string(oneD ? "a 1-D Conv that is not a causal depthwise one (group = C, weight "
                              "[C, 1, K], K-1 steps of left padding, unit stride and dilation)"
                            : "");
  });
}

unsigned hybrid::raiseCausalConv(Operation *root) {
  unsigned n = raiseAll<Match>(
      root, "Conv", "hybrid-raise-causal-conv", matchConv,
      [](const Match &m) {
        std::string d;
        llvm::raw_string_ostream os(d);
        os << m.form << " over " << m.channels << " channels, K = " << m.width
           << ", became one CausalConvWithState node";
        if (m.silu)
          os << " with its SiLU (activation = silu)";
        if (!m.stateSlices.empty())
          os << "; the Slice of the last K-1 steps became its present_state";
        return d;
      },
      raise);
  return n;
}

namespace {
struct RaiseCausalConvPass : public hybrid::impl::RaiseCausalConvBase<RaiseCausalConvPass> {
  void runOnOperation() override { hybrid::raiseCausalConv(getOperation()); }
};
} // namespace
