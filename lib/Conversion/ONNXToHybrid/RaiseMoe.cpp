//===- RaiseMoe.cpp - hybrid-raise-moe -------------------------------------===//
//
// Finds a mixture of experts written out densely in the faithful onnx.node
// graph (every expert on every token, masked by the routing weights, summed),
// as exporters' fallbacks write it,
//
//   p = Softmax(logits, axis=-1)            logits = MatMul(x', Wr) [+ br]
//   v, i = TopK(p, k, axis=-1)              (or TopK(logits) and Softmax(v):
//   v = Div(v, ReduceSum(v, -1, keepdims))   Mixtral's order; both optional)
//   for each expert e:
//     w_e = ReduceSum(Mul(Cast(Equal(i, e)), v), -1, keepdims=1)      [T, 1]
//           (or Where(Equal(i, e), v, 0) in place of the Mul)
//     h_e = Mul(silu(MatMul(x, Wg_e) [+ bg_e]), MatMul(x, Wu_e) [+ bu_e])
//           (SwiGLU; or Relu / Gelu / silu of MatMul(x, W1_e) [+ b1_e])
//     o_e = MatMul(h_e, Wd_e) [+ bd_e]
//   y = Add(... Add(Mul(o_0, w_0), Mul(o_1, w_1)) ..., Mul(o_{E-1}, w_{E-1}))
//
// with silu(g) = Mul(g, Sigmoid(g)), and replaces it with one com.microsoft
// `MoE` node (softmax routing, top-k, `normalize_routing_weights` when the
// weights were renormalised), whose converter makes it hybrid.moe and the CPU
// pipeline then routes: only each token's top-k experts are computed. The
// per-expert weights (MatMul's [in, out] constants) are stacked at compile
// time into ORT's [E, out, in] layout: fc1 the gate (or the only projection),
// fc3 the up projection, fc2 the down projection, and their biases.
//
// Conditions: every expert 0..E-1 appears exactly once, where E is the
// router's width (read from the constant router weight, or its bias); all
// experts share x, the TopK and the form; the weights are constants of one
// shape; each expert's intermediates have no other use. The routing nodes are
// erased when nothing else reads them.
//
// The sparse form (each expert on the tokens that chose it, NonZero,
// gathers and scatters) is matched below, "The sparse form".
//
// What changes numerically: the per-token sums run over the k selected
// experts only (the dense form adds E - k exact zeros), in expert order
// rather than the Add chain's order; a NaN or Inf in an unselected expert's
// output no longer reaches y (0 * Inf is NaN in the dense form).
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include "dialects/Hybrid/IR/HybridOps.h"
#include "dialects/Hybrid/IR/HybridUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace hybrid {
#define GEN_PASS_DEF_RAISEMOE
#include "lib/Conversion/ONNXToHybrid/Passes.h.inc"
} // namespace hybrid

using namespace mlir;
using hybrid::onnx::NodeOp;
using namespace hybrid::raising;

namespace {

/// The constant behind `v` (inline or dense_resource) and its type.
struct Constant {
  ElementsAttr value;
  RankedTensorType type;
};

std::optional<Constant> constantOf(Value v) {
  auto c = v ? v.getDefiningOp<arith::ConstantOp>() : nullptr;
  if (!c)
    return std::nullopt;
  auto value = dyn_cast<ElementsAttr>(c.getValue());
  auto type = dyn_cast<RankedTensorType>(c.getType());
  if (!value || !type || !type.hasStaticShape() ||
      !isa<FloatType>(type.getElementType()))
    return std::nullopt;
  return Constant{value, type};
}

/// The bytes of a constant's elements, splats expanded.
std::optional<std::vector<char>> bytesOf(const Constant &c) {
  if (std::optional<ArrayRef<char>> raw = hybrid::rawElementBytes(c.value))
    return std::vector<char>(raw->begin(), raw->end());
  auto dense = dyn_cast<DenseElementsAttr>(c.value);
  unsigned bits = c.type.getElementTypeBitWidth();
  if (!dense || !dense.isSplat() || bits % 8)
    return std::nullopt;
  ArrayRef<char> one = dense.getRawData();
  std::vector<char> out(c.type.getNumElements() * (bits / 8));
  for (size_t i = 0; i < out.size(); i += one.size())
    std::memcpy(&out[i], one.data(), one.size());
  return out;
}

/// One expert's projection: `MatMul(x, W) [+ b]` or `Gemm(x, W[, b])`.
struct Projection {
  Value x;
  Value weight, bias;       // constants; bias may be null
  int64_t slice = -1;       // >= 0: W is Gather(weight, slice, axis=0) of an [E, ...] weight
  bool transposed = false;  // W is [out, in] (Gemm with transB = 1), else [in, out]
  int64_t half = -1;        // 0 / 1: only the first / second half of the outputs (a Split in two)
  /// W's 2-D type (a slice's), all outputs.
  RankedTensorType matrix() const {
    auto t = cast<RankedTensorType>(weight.getType());
    return slice < 0 ? t : RankedTensorType::get(t.getShape().drop_front(), t.getElementType());
  }
  int64_t in() const { return matrix().getDimSize(transposed); }
  int64_t out() const { return matrix().getDimSize(!transposed) / (half < 0 ? 1 : 2); }
  bool sameForm(const Projection &o) const {
    return weight.getType() == o.weight.getType() && (slice < 0) == (o.slice < 0) &&
           transposed == o.transposed && half == o.half &&
           static_cast<bool>(bias) == static_cast<bool>(o.bias) &&
           (!bias || bias.getType() == o.bias.getType());
  }
};

/// One expert's feed-forward block and its routing weight.
struct Expert {
  int64_t index = -1;
  hybrid::Activation act = hybrid::Activation::None;
  Projection gate, up, down; // gate: SwiGLU only
  Value topi, topv;          // the TopK outputs it reads (topv after renormalisation)
  Value source;              // the layer's input x (the sparse form gathers rows of it)
  std::optional<int64_t> slotsPerToken; // the sparse form's k, where it states one
  std::optional<int64_t> classes;       // the sparse form's one-hot width
};

/// A Split of a 2-D value in two equal halves along its last axis.
bool isEvenLastSplit(NodeOp split) {
  int64_t axis = intAttr(split, "axis").value_or(0);
  return (axis == 1 || axis == -1) && isEvenSplitInTwo(split);
}

/// A part of a value along its last axis: a Split's output or a Slice.
struct Part {
  Value src;
  NodeOp node;
  int64_t output = -1;          // a Split in two halves: which
  int64_t start = -1, end = -1; // a Slice: its bounds
  /// Which half of `n` outputs this is (-1: neither).
  int64_t halfOf(int64_t n) const {
    if (output >= 0)
      return output;
    if (start == 0 && end == n / 2)
      return 0;
    if (start == n / 2 && end >= n)
      return 1;
    return -1;
  }
};

class Matcher {
public:
  explicit Matcher(ShapeInference &shapes) : shapes(&shapes) {}
  /// Nodes a match consumes (erased when unused after the rewrite).
  llvm::SetVector<Operation *> nodes;
  ShapeInference *shapes;

  /// `v` as part of a 2-D value along its last axis: an output of a Split in
  /// two equal halves, or a Slice with bounds the shapes tell (TorchScript
  /// writes chunk(2) as Slices at (n + 1) / 2).
  std::optional<Part> partOf(Value v) {
    auto n = v.getDefiningOp<NodeOp>();
    if (!n || !n.getDomain().empty())
      return std::nullopt;
    if (n.getOpType() == "Split" && isEvenLastSplit(n)) {
      nodes.insert(n);
      return Part{n.getInputs()[0], n, cast<OpResult>(v).getResultNumber(), -1, -1};
    }
    if (n.getOpType() != "Slice" || n.getInputs().size() < 4)
      return std::nullopt;
    ValueRange in = n.getInputs();
    std::optional<SmallVector<int64_t>> axes = constInts(in[3]);
    std::optional<DimList> starts = shapes->elements(in[1]), ends = shapes->elements(in[2]);
    std::optional<SmallVector<int64_t>> steps =
        in.size() >= 5 && !isa<NoneType>(in[4].getType()) ? constInts(in[4])
                                                          : SmallVector<int64_t>{1};
    if (!axes || axes->size() != 1 || ((*axes)[0] != -1 && (*axes)[0] != 1) || !starts ||
        !ends || starts->size() != 1 || ends->size() != 1 || !(*starts)[0].isConstant() ||
        !(*ends)[0].isConstant() || !steps || *steps != SmallVector<int64_t>{1})
      return std::nullopt;
    nodes.insert(n);
    return Part{in[0], n, -1, (*starts)[0].value(), (*ends)[0].value()};
  }

  NodeOp take(Value v, std::initializer_list<StringRef> types, bool oneUse = true) {
    NodeOp n = producer(v, types);
    if (!n || (oneUse && !v.hasOneUse()))
      return nullptr;
    nodes.insert(n);
    return n;
  }

  /// `MatMul(x, W) [+ b]` or `Gemm(x, W[, b])` (alpha = beta = 1, x not
  /// transposed) with W a 2-D constant and b a 1-D one.
  std::optional<Projection> projection(Value v) {
    Projection p;
    // (The callers check the uses of `v` itself.)
    if (NodeOp add = producer(v, {"Add"})) {
      for (int side = 0; side < 2; ++side) {
        std::optional<Constant> b = constantOf(add.getInputs()[side]);
        if (b && b.value().type.getRank() == 1 && add.getInputs()[1 - side].hasOneUse() &&
            producer(add.getInputs()[1 - side], {"MatMul", "Gemm"})) {
          p.bias = add.getInputs()[side];
          nodes.insert(add);
          v = add.getInputs()[1 - side];
          break;
        }
      }
    }
    NodeOp mm = producer(v, {"MatMul", "Gemm"});
    if (!mm)
      return std::nullopt;
    if (mm.getOpType() == "Gemm") {
      auto one = [&](StringRef name) {
        auto a = dyn_cast_or_null<FloatAttr>(mm.getAttrs().get(name));
        return !a || a.getValueAsDouble() == 1.0;
      };
      if (intAttr(mm, "transA").value_or(0) != 0 || !one("alpha") || !one("beta"))
        return std::nullopt;
      p.transposed = intAttr(mm, "transB").value_or(0) != 0;
      if (mm.getInputs().size() >= 3 && !isa<NoneType>(mm.getInputs()[2].getType())) {
        std::optional<Constant> c = constantOf(mm.getInputs()[2]);
        if (p.bias || !c || c->type.getRank() != 1)
          return std::nullopt;
        p.bias = mm.getInputs()[2];
      }
    }
    Value wv = mm.getInputs()[1];
    if (NodeOp g = producer(wv, {"Gather"}); g && intAttr(g, "axis").value_or(0) == 0) {
      // One expert's slice of weights stored [E, ...] (transformers' 3-D
      // expert parameters).
      DenseElementsAttr idx = constValue(g.getInputs()[1]);
      std::optional<Constant> w3 = constantOf(g.getInputs()[0]);
      if (!idx || idx.getType().getRank() != 0 || !isa<IntegerType>(idx.getElementType()) ||
          !w3 || w3->type.getRank() != 3)
        return std::nullopt;
      p.slice = (*idx.getValues<APInt>().begin()).getSExtValue();
      if (p.slice < 0 || p.slice >= w3->type.getDimSize(0))
        return std::nullopt;
      nodes.insert(g);
      wv = g.getInputs()[0];
    } else if (std::optional<Constant> w = constantOf(wv); !w || w->type.getRank() != 2) {
      return std::nullopt;
    }
    p.weight = wv;
    // A bias of the projection's width (not one that broadcasts).
    if (p.bias && cast<RankedTensorType>(p.bias.getType()).getDimSize(0) != p.out())
      return std::nullopt;
    nodes.insert(mm);
    p.x = mm.getInputs()[0];
    return p;
  }

  /// `g` is `Mul(a, Sigmoid(a))` (either order): returns a.
  Value siluOperand(Value g) {
    NodeOp mul = producer(g, {"Mul"});
    if (!mul || !g.hasOneUse())
      return {};
    for (int side = 0; side < 2; ++side) {
      Value a = mul.getInputs()[side];
      NodeOp sig = producer(mul.getInputs()[1 - side], {"Sigmoid"});
      if (sig && sig.getInputs()[0] == a && mul.getInputs()[1 - side].hasOneUse()) {
        // a feeds exactly the Sigmoid and this Mul.
        if (!llvm::all_of(a.getUsers(), [&](Operation *u) { return u == mul || u == sig; }))
          return {};
        nodes.insert(mul);
        nodes.insert(sig);
        return a;
      }
    }
    return {};
  }

  /// The expert's hidden layer h; fills act, gate, up.
  bool hidden(Value h, Expert &e) {
    if (NodeOp mul = producer(h, {"Mul"}); mul && h.hasOneUse()) {
      // SwiGLU: one operand is silu(gate), the other the up projection.
      for (int side = 0; side < 2; ++side) {
        Matcher trial = *this;
        Value g = trial.siluOperand(mul.getInputs()[side]);
        if (!g)
          continue;
        std::optional<Projection> gate = trial.projection(g);
        std::optional<Projection> up = trial.projection(mul.getInputs()[1 - side]);
        if (!gate || !up || !mul.getInputs()[1 - side].hasOneUse())
          continue;
        *this = trial;
        nodes.insert(mul);
        e.act = hybrid::Activation::Swiglu;
        e.gate = *gate;
        e.up = *up;
        return true;
      }
    }
    // SwiGLU from one projection split in two halves along its outputs:
    // silu(first) * second (transformers' gate_up_proj and chunk(2), a Split
    // or two Slices).
    if (NodeOp mul = producer(h, {"Mul"}); mul && h.hasOneUse()) {
      for (int side = 0; side < 2; ++side) {
        Matcher trial = *this;
        Value g = trial.siluOperand(mul.getInputs()[side]);
        Value u = mul.getInputs()[1 - side];
        std::optional<Part> gp = g ? trial.partOf(g) : std::nullopt;
        std::optional<Part> upp = u.hasOneUse() ? trial.partOf(u) : std::nullopt;
        if (!gp || !upp || gp->src != upp->src)
          continue;
        // The projection feeds the two parts (and Shapes sizing the Slices).
        Value whole = gp->src;
        if (llvm::count_if(whole.getUsers(), [](Operation *user) {
              auto n = dyn_cast<NodeOp>(user);
              return !n || n.getOpType() != "Shape";
            }) != (gp->node == upp->node ? 1 : 2))
          continue;
        std::optional<Projection> both = trial.projection(whole);
        if (!both)
          continue;
        int64_t n = both->matrix().getDimSize(!both->transposed);
        int64_t gh = gp->halfOf(n), uh = upp->halfOf(n);
        if (n % 2 || gh < 0 || uh < 0 || gh == uh)
          continue;
        *this = trial;
        nodes.insert(mul);
        e.act = hybrid::Activation::Swiglu;
        e.gate = e.up = *both;
        e.gate.half = gh;
        e.up.half = uh;
        return true;
      }
    }
    // One projection through an activation.
    Value pre;
    if (Value a = siluOperand(h)) {
      e.act = hybrid::Activation::Silu, pre = a;
    } else if (NodeOp relu = take(h, {"Relu"})) {
      e.act = hybrid::Activation::Relu, pre = relu.getInputs()[0];
    } else if (NodeOp gelu = take(h, {"Gelu"})) {
      auto approx = dyn_cast_or_null<StringAttr>(gelu.getAttrs().get("approximate"));
      if (approx && approx.getValue() != "none")
        return false;
      e.act = hybrid::Activation::Gelu, pre = gelu.getInputs()[0];
    } else {
      return false;
    }
    if (!pre.hasOneUse() && e.act != hybrid::Activation::Silu)
      return false;
    std::optional<Projection> up = projection(pre);
    if (!up)
      return false;
    e.up = *up;
    return true;
  }

  /// `we = ReduceSum(Mul(Cast(Equal(i, c)), v), axes=[-1], keepdims=1)`, or
  /// `Where(Equal(i, c), v, 0)` in place of the Mul: fills index, topi, topv.
  bool routingWeight(Value we, Expert &e) {
    NodeOp sum = take(we, {"ReduceSum"});
    if (!sum || intAttr(sum, "keepdims").value_or(1) != 1)
      return false;
    // (axes: an input from opset 13, an attribute before.)
    std::optional<SmallVector<int64_t>> axes = constAxes(sum, 1);
    if (!axes || axes->size() != 1 || (*axes)[0] != -1)
      return false;
    Value masked = sum.getInputs()[0];
    Value hit, topv;
    if (NodeOp mul = take(masked, {"Mul"})) {
      for (int side = 0; side < 2 && !hit; ++side)
        if (NodeOp cast = producer(mul.getInputs()[side], {"Cast"});
            cast && mul.getInputs()[side].hasOneUse() &&
            llvm::is_contained({1, 10, 11, 16}, intAttr(cast, "to").value_or(0))) {
          nodes.insert(cast);
          hit = cast.getInputs()[0];
          topv = mul.getInputs()[1 - side];
        }
    } else if (NodeOp where = take(masked, {"Where"})) {
      std::optional<double> zero = constScalar(where.getInputs()[2]);
      if (!zero || *zero != 0.0 ||
          cast<ShapedType>(where.getInputs()[2].getType()).getRank() > 1)
        return false;
      hit = where.getInputs()[0];
      topv = where.getInputs()[1];
    }
    if (!hit)
      return false;
    NodeOp eq = take(hit, {"Equal"});
    if (!eq)
      return false;
    for (int side = 0; side < 2; ++side) {
      std::optional<SmallVector<int64_t>> c = constInts(eq.getInputs()[side]);
      // A scalar or [1] (a higher rank would broadcast the mask up).
      if (c && c->size() == 1 &&
          cast<ShapedType>(eq.getInputs()[side].getType()).getRank() <= 1) {
        e.index = (*c)[0];
        e.topi = eq.getInputs()[1 - side];
        e.topv = topv;
        return true;
      }
    }
    return false;
  }

  /// One addend of the sum: `Mul(o_e, w_e)` (either order).
  std::optional<Expert> term(Value t) {
    NodeOp mul = take(t, {"Mul"});
    if (!mul)
      return std::nullopt;
    for (int side = 0; side < 2; ++side) {
      Matcher trial = *this;
      Expert e;
      std::optional<Projection> down;
      if (!mul.getInputs()[side].hasOneUse() || !trial.routingWeight(mul.getInputs()[1 - side], e) ||
          !(down = trial.projection(mul.getInputs()[side])) || !down->x.hasOneUse() ||
          !trial.hidden(down->x, e))
        continue;
      e.down = *down;
      e.source = e.up.x;
      *this = trial;
      return e;
    }
    return std::nullopt;
  }
};

/// The addends of a chain of single-use Adds ending at `root`.
void addends(Value v, NodeOp root, SmallVectorImpl<Value> &out, Matcher &m) {
  NodeOp add = producer(v, {"Add"});
  if (add && (add == root || v.hasOneUse())) {
    m.nodes.insert(add);
    for (Value in : add.getInputs())
      addends(in, root, out, m);
    return;
  }
  out.push_back(v);
}

/// The router's width: the last dim of the constant weight (or bias) that
/// makes the logits.
std::optional<int64_t> routerWidth(Value logits) {
  if (NodeOp add = producer(logits, {"Add"})) {
    for (Value in : add.getInputs())
      if (std::optional<Constant> c = constantOf(in); c && c->type.getRank() == 1)
        return c->type.getDimSize(0);
    for (Value in : add.getInputs())
      if (std::optional<int64_t> w = routerWidth(in))
        return w;
    return std::nullopt;
  }
  if (NodeOp mm = producer(logits, {"MatMul", "Gemm"}))
    if (std::optional<Constant> c = constantOf(mm.getInputs()[1]); c && c->type.getRank() == 2) {
      bool transposed = mm.getOpType() == "Gemm" && intAttr(mm, "transB").value_or(0) != 0;
      return c->type.getDimSize(transposed ? 0 : 1);
    }
  return std::nullopt;
}

/// A matched layer.
struct Layer {
  NodeOp root;
  Value x, logits;
  int64_t k = 0;
  bool normalize = false;
  hybrid::Activation act;
  SmallVector<Expert> experts; // by index
  llvm::SetVector<Operation *> nodes;
  bool sparse = false; // the experts run on the tokens that chose them (NonZero, scatter)
};

/// A Softmax's axis: the attribute, else the opset's default (-1 from opset 13,
/// 1 before, over a flattened view, which is not the same for rank 3).
int64_t softmaxAxis(NodeOp sm) {
  return intAttr(sm, "axis").value_or(sm.getVersion() >= 13 ? -1 : 1);
}

/// Whether `axis` is `v`'s last: -1, or its rank - 1 where that is known.
bool isLastAxis(int64_t axis, Value v, ShapeInference &shapes) {
  if (axis == -1)
    return true;
  std::optional<DimList> s = shapes.shape(v);
  return s && axis == static_cast<int64_t>(s->size()) - 1;
}

/// The ONNX TensorProto data type of a float element type (0: another).
int64_t onnxFloatType(Type t) {
  return t.isF32() ? 1 : t.isF16() ? 10 : t.isF64() ? 11 : t.isBF16() ? 16 : 0;
}

/// The routing shared by every expert: fills x-independent fields of `layer`.
/// Identity nodes, and Casts to the experts' element type `castTo` (an ONNX
/// data type; what a `.to(dtype)` of the same type exports as), are looked
/// through.
bool matchRouting(Value topi, Value topv, Layer &layer, Matcher &m, ShapeInference &shapes,
                  int64_t castTo) {
  auto skip = [&](Value v) {
    while (NodeOp id = producer(v, {"Identity", "Cast"})) {
      if (id.getOpType() == "Cast" && intAttr(id, "to").value_or(0) != castTo)
        break;
      m.nodes.insert(id);
      v = id.getInputs()[0];
    }
    return v;
  };
  topi = skip(topi);
  topv = skip(topv);
  // topv: the TopK values, possibly renormalised by their sum or a softmax.
  Value raw = topv;
  bool normalize = false, softmaxAfter = false;
  if (NodeOp div = producer(topv, {"Div"})) {
    NodeOp sum = producer(div.getInputs()[1], {"ReduceSum"});
    if (!sum || sum.getInputs()[0] != div.getInputs()[0] ||
        intAttr(sum, "keepdims").value_or(1) != 1)
      return false;
    std::optional<SmallVector<int64_t>> axes = constAxes(sum, 1);
    if (!axes || axes->size() != 1 || !isLastAxis((*axes)[0], sum.getInputs()[0], shapes))
      return false;
    m.nodes.insert(div);
    m.nodes.insert(sum);
    raw = div.getInputs()[0];
    normalize = true;
  } else if (NodeOp sm = producer(topv, {"Softmax"})) {
    if (!isLastAxis(softmaxAxis(sm), sm.getInputs()[0], shapes))
      return false;
    m.nodes.insert(sm);
    raw = sm.getInputs()[0];
    normalize = softmaxAfter = true;
  }
  auto topk = raw.getDefiningOp<NodeOp>();
  if (!topk || topk.getOpType() != "TopK" || !topk.getDomain().empty() ||
      topk.getOutputs().size() != 2 || topk.getOutputs()[0] != raw ||
      topk.getOutputs()[1] != topi || topk.getInputs().size() != 2 ||
      !isLastAxis(intAttr(topk, "axis").value_or(-1), topk.getInputs()[0], shapes) ||
      intAttr(topk, "largest").value_or(1) != 1)
    return false;
  std::optional<SmallVector<int64_t>> k = constInts(topk.getInputs()[1]);
  if (!k || k->size() != 1 || (*k)[0] < 1)
    return false;
  m.nodes.insert(topk);
  Value logits = topk.getInputs()[0];
  if (!softmaxAfter) {
    NodeOp sm = producer(skip(logits), {"Softmax"});
    if (!sm || !isLastAxis(softmaxAxis(sm), sm.getInputs()[0], shapes))
      return false;
    m.nodes.insert(sm);
    logits = sm.getInputs()[0];
  }
  layer.logits = logits;
  layer.k = (*k)[0];
  layer.normalize = normalize;
  return true;
}

/// The layer made of `found` (one per expert, in any order), its routing
/// and weights checked; consumes `m`.
std::optional<Layer> assemble(NodeOp root, ArrayRef<Expert> found, Matcher &m,
                              ShapeInference &shapes);

std::optional<Layer> matchDense(NodeOp root, ShapeInference &shapes) {
  // Every Add is tried as the root: a chain's inner Adds cover only some of
  // the experts, and an outer one (a residual Add) has a term that is not an
  // expert, so only the chain's own root matches.
  Value y = root.getOutputs()[0];
  Matcher m(shapes);
  SmallVector<Value> terms;
  addends(y, root, terms, m);
  if (terms.size() < 2)
    return std::nullopt;
  SmallVector<Expert> found;
  for (Value t : terms) {
    std::optional<Expert> e = m.term(t);
    if (!e)
      return std::nullopt;
    found.push_back(*e);
  }
  return assemble(root, found, m, shapes);
}

std::optional<Layer> assemble(NodeOp root, ArrayRef<Expert> found, Matcher &m,
                              ShapeInference &shapes) {
  Layer layer;
  layer.root = root;
  // One x, one TopK, one form, every expert once.
  const Expert &first = found.front();
  int64_t numExperts = found.size();
  layer.x = first.source;
  layer.act = first.act;
  layer.experts.resize(numExperts);
  for (const Expert &e : found) {
    if (e.source != layer.x || (e.gate.x && e.gate.x != e.up.x) || e.act != layer.act ||
        e.topi != first.topi || e.topv != first.topv || e.index < 0 ||
        e.index >= numExperts || layer.experts[e.index].index >= 0)
      return std::nullopt;
    layer.experts[e.index] = e;
  }
  if (!matchRouting(first.topi, first.topv, layer, m, shapes,
                    onnxFloatType(getElementTypeOrSelf(first.down.weight.getType()))))
    return std::nullopt;
  std::optional<int64_t> width = routerWidth(layer.logits);
  if (!width || *width != numExperts || layer.k > numExperts)
    return std::nullopt;
  for (const Expert &e : found)
    if ((e.slotsPerToken && *e.slotsPerToken != layer.k) ||
        (e.classes && *e.classes != numExperts))
      return std::nullopt;
  // Weights of one shape and type per kind; biases on all experts or none.
  auto sameShapes = [&](Projection Expert::*kind) {
    const Projection &p0 = layer.experts[0].*kind;
    if (!p0.weight)
      return true;
    for (const Expert &e : layer.experts) {
      const Projection &p = e.*kind;
      if (!p.weight || !p.sameForm(p0))
        return false;
    }
    return true;
  };
  if (!sameShapes(&Expert::gate) || !sameShapes(&Expert::up) || !sameShapes(&Expert::down))
    return std::nullopt;
  auto et = [](Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); };
  const Projection &up = first.up, &down = first.down, &gate = first.gate;
  // x [.., Hd] · up [Hd, I]; h [.., I] · down [I, Hd].
  if (down.in() != up.out() || down.out() != up.in() || et(up.weight) != et(down.weight) ||
      (gate.weight && (gate.in() != up.in() || gate.out() != up.out() ||
                       et(gate.weight) != et(up.weight))))
    return std::nullopt;
  layer.nodes = std::move(m.nodes);
  return layer;
}

//===----------------------------------------------------------------------===//
// The sparse form: each expert on the tokens that chose it
//===----------------------------------------------------------------------===//
//
// What HF's MoE blocks do in eager mode, as exporters write it with every
// expert visited (optimum's patched Qwen3-MoE / Mixtral forward):
//
//   mask = OneHot(i, E) [T, k, E], transposed (Transpose [2, 1, 0]: [E, k, T]),
//          or Cast(Equal(Unsqueeze(i, -1), [0 .. E-1])) (dynamo's one_hot)
//   for each expert e:
//     slot, tok = NonZero(Gather(mask, e, axis=0))      rows of its [2, n] output
//     x_e = x[tok]                  Gather, or GatherND in Unsqueeze/Transposes
//     o_e = expert_e(x_e) * v[tok, slot]                (GatherND, or Gather of
//                                                        the flattened v at tok * k + slot)
//     y = y + scatter(o_e at rows tok)     ScatterND(y, tok[:, None], o_e, add),
//         ScatterElements(y, expand(tok[:, None]), o_e, axis=0, add), or
//         Add(y, ScatterElements(zeros, ..., o_e)) (the TorchScript exporter's index_add_)
//   from y = zeros [T, D]
//
// Each expert's rows are distinct (TopK's indices of one token are), so a
// scatter without reduction into zeros adds too. The result is the same
// routed mixture as the dense form: one com.microsoft MoE node.

/// `v` with Cast nodes looked through (each added to `m`).
Value skipCasts(Value v, Matcher &m) {
  while (NodeOp c = producer(v, {"Cast"})) {
    m.nodes.insert(c);
    v = c.getInputs()[0];
  }
  return v;
}

/// A 0-D integer constant.
std::optional<int64_t> scalarIndex(Value v) {
  DenseElementsAttr c = constValue(v);
  if (!c || c.getType().getRank() != 0 || !isa<IntegerType>(c.getElementType()))
    return std::nullopt;
  return (*c.getValues<APInt>().begin()).getSExtValue();
}

/// A string attribute, or `dflt`.
StringRef strAttr(NodeOp n, StringRef name, StringRef dflt) {
  auto a = dyn_cast_or_null<StringAttr>(n.getAttrs().get(name));
  return a ? a.getValue() : dflt;
}

/// One row of NonZero's [2, n] output: the NonZero and the row.
struct NzRow {
  NodeOp nonzero;
  int64_t row = -1;
  bool operator==(const NzRow &o) const { return nonzero == o.nonzero && row == o.row; }
  bool operator!=(const NzRow &o) const { return !(*this == o); }
};

/// `v` as row r of NonZero(mask) for a 2-D mask, as exporters take it:
/// Gather(nz, r, axis=0), or the Squeeze of a Slice or Split of nz along
/// axis 0 or of its transpose along axis 1.
std::optional<NzRow> nonzeroRow(Value v, Matcher &m) {
  if (NodeOp g = producer(v, {"Gather"})) {
    std::optional<int64_t> r = scalarIndex(g.getInputs()[1]);
    NodeOp nz = producer(g.getInputs()[0], {"NonZero"});
    if (!r || !nz || (*r != 0 && *r != 1) || intAttr(g, "axis").value_or(0) != 0)
      return std::nullopt;
    m.nodes.insert(g);
    return NzRow{nz, *r};
  }
  NodeOp sq = producer(v, {"Squeeze"});
  std::optional<SmallVector<int64_t>> sqAxes = sq ? constAxes(sq, 1) : std::nullopt;
  if (!sqAxes || sqAxes->size() != 1)
    return std::nullopt;
  Value part = sq.getInputs()[0];
  auto pn = part.getDefiningOp<NodeOp>();
  if (!pn || !pn.getDomain().empty())
    return std::nullopt;
  int64_t row, axis;
  if (pn.getOpType() == "Slice") {
    ValueRange in = pn.getInputs();
    std::optional<SmallVector<int64_t>> starts = constInts(in[1]), ends = constInts(in[2]);
    std::optional<SmallVector<int64_t>> axes =
        in.size() >= 4 && !isa<NoneType>(in[3].getType()) ? constInts(in[3])
                                                          : SmallVector<int64_t>{0};
    std::optional<SmallVector<int64_t>> steps =
        in.size() >= 5 && !isa<NoneType>(in[4].getType()) ? constInts(in[4])
                                                          : SmallVector<int64_t>{1};
    if (!starts || !ends || !axes || !steps || starts->size() != 1 || ends->size() != 1 ||
        axes->size() != 1 || steps->size() != 1 || (*steps)[0] != 1)
      return std::nullopt;
    row = (*starts)[0];
    // [r, r + 1), or [1, anything past 2) for the last of two.
    if ((row != 0 && row != 1) || ((*ends)[0] != row + 1 && !(row == 1 && (*ends)[0] > 2)))
      return std::nullopt;
    axis = (*axes)[0];
  } else if (pn.getOpType() == "Split") {
    // (Two equal parts of NonZero's two rows are its rows.)
    if (!isEvenSplitInTwo(pn))
      return std::nullopt;
    row = cast<OpResult>(part).getResultNumber();
    axis = intAttr(pn, "axis").value_or(0);
  } else {
    return std::nullopt;
  }
  axis = axis < 0 ? axis + 2 : axis;
  int64_t squeezed = (*sqAxes)[0] < 0 ? (*sqAxes)[0] + 2 : (*sqAxes)[0];
  if ((axis != 0 && axis != 1) || squeezed != axis)
    return std::nullopt;
  Value src = pn.getInputs()[0];
  if (axis == 1) {
    // The columns of NonZero's transpose (torch's nonzero() layout, [n, 2]).
    NodeOp t = producer(src, {"Transpose"});
    auto perm = t ? dyn_cast_or_null<DenseI64ArrayAttr>(t.getAttrs().get("perm")) : nullptr;
    if (!perm || perm.asArrayRef() != ArrayRef<int64_t>{1, 0})
      return std::nullopt;
    m.nodes.insert(t);
    src = t.getInputs()[0];
  }
  NodeOp nz = producer(src, {"NonZero"});
  if (!nz)
    return std::nullopt;
  m.nodes.insert(sq);
  m.nodes.insert(pn);
  return NzRow{nz, row};
}

/// What a NonZero selects: the (token, slot) pairs where the TopK indices
/// `topi` [T, k] are `expert`; `tokenRow` is the NonZero row of the token.
struct Selection {
  Value topi;
  int64_t expert = -1;
  int64_t tokenRow = 0;
  std::optional<int64_t> depth; // the one-hot's width
};

/// NonZero's mask: Equal(topi, e) [T, k], or slice e of a one-hot [T, k, E]
/// of topi (OneHot, or Equal with [0 .. E-1]) along its expert axis,
/// transposed or not; Casts (which keep zero and non-zero) looked through.
std::optional<Selection> selection(NodeOp nz, Matcher &m) {
  Selection s;
  Value mask = skipCasts(nz.getInputs()[0], m);
  if (NodeOp eq = producer(mask, {"Equal"})) {
    for (int side = 0; side < 2; ++side)
      if (std::optional<int64_t> e = scalarIndex(eq.getInputs()[side])) {
        m.nodes.insert(eq);
        s.expert = *e;
        s.topi = eq.getInputs()[1 - side];
        s.tokenRow = 0;
        return s;
      }
    return std::nullopt;
  }
  NodeOp g = producer(mask, {"Gather"});
  std::optional<int64_t> e = g ? scalarIndex(g.getInputs()[1]) : std::nullopt;
  if (!e)
    return std::nullopt;
  s.expert = *e;
  int64_t axis = intAttr(g, "axis").value_or(0);
  axis = axis < 0 ? axis + 3 : axis;
  Value hot = g.getInputs()[0];
  SmallVector<int64_t> perm = {0, 1, 2}; // [T, k, E] dims in `hot`'s order
  if (NodeOp t = producer(hot, {"Transpose"})) {
    auto p = dyn_cast_or_null<DenseI64ArrayAttr>(t.getAttrs().get("perm"));
    if (!p || p.size() != 3)
      return std::nullopt;
    perm.assign(p.asArrayRef().begin(), p.asArrayRef().end());
    m.nodes.insert(t);
    hot = t.getInputs()[0];
  }
  if (axis < 0 || axis > 2 || perm[axis] != 2)
    return std::nullopt;
  // The first remaining dim is the mask's dim 0, NonZero's row 0.
  s.tokenRow = perm[axis == 0 ? 1 : 0] == 0 ? 0 : 1;
  m.nodes.insert(g);
  hot = skipCasts(hot, m);
  if (NodeOp oh = producer(hot, {"OneHot"})) {
    // OneHot(topi, depth, [off, on]) with the classes last, off 0, on non-zero.
    std::optional<SmallVector<int64_t>> depth = constInts(oh.getInputs()[1]);
    DenseElementsAttr values = constValue(oh.getInputs()[2]);
    int64_t ohAxis = intAttr(oh, "axis").value_or(-1);
    if (!depth || depth->size() != 1 || !values || values.getNumElements() != 2 ||
        (ohAxis != -1 && ohAxis != 2))
      return std::nullopt;
    SmallVector<double> v;
    if (isa<IntegerType>(values.getElementType()))
      for (const APInt &x : values.getValues<APInt>())
        v.push_back(x.getSExtValue());
    else
      for (const APFloat &x : values.getValues<APFloat>())
        v.push_back(x.convertToDouble());
    if (v[0] != 0 || v[1] == 0)
      return std::nullopt;
    m.nodes.insert(oh);
    s.topi = oh.getInputs()[0];
    s.depth = (*depth)[0];
    return s;
  }
  if (NodeOp eq = producer(hot, {"Equal"})) {
    for (int side = 0; side < 2; ++side) {
      std::optional<SmallVector<int64_t>> classes = constInts(eq.getInputs()[1 - side]);
      NodeOp un = producer(eq.getInputs()[side], {"Unsqueeze"});
      std::optional<SmallVector<int64_t>> axes = un ? constAxes(un, 1) : std::nullopt;
      if (!classes || !axes || axes->size() != 1 || ((*axes)[0] != -1 && (*axes)[0] != 2) ||
          constValue(eq.getInputs()[1 - side]).getType().getRank() != 1)
        continue;
      for (auto [i, c] : llvm::enumerate(*classes))
        if (c != static_cast<int64_t>(i))
          return std::nullopt;
      m.nodes.insert(eq);
      m.nodes.insert(un);
      s.topi = un.getInputs()[0];
      s.depth = classes->size();
      return s;
    }
  }
  return std::nullopt;
}

/// `v` is Unsqueeze(r, [-1]) or Unsqueeze(r, [1]) of a 1-D r (a [n, 1] index
/// column): returns r.
Value unsqueezedColumn(Value v, Matcher &m) {
  NodeOp un = producer(v, {"Unsqueeze"});
  std::optional<SmallVector<int64_t>> axes = un ? constAxes(un, 1) : std::nullopt;
  if (!axes || axes->size() != 1 || ((*axes)[0] != -1 && (*axes)[0] != 1))
    return {};
  m.nodes.insert(un);
  return un.getInputs()[0];
}

/// `v` is x's rows at `rows` ([n, D], x [T, D]): Gather(x, rows), GatherND(x,
/// rows[:, None]), or x[None, rows] reshaped to [-1, D] (Gather along axis 1
/// of Unsqueeze(x, 0), or GatherND through Transposes [1, 0, 2]). Returns x
/// and the row selection.
std::optional<std::pair<Value, NzRow>> gatheredRows(Value v, Matcher &m, ShapeInference &shapes) {
  auto rowsOf = [&](Value idx) { return nonzeroRow(idx, m); };
  auto unsqueezed0 = [&](Value u) -> Value {
    NodeOp un = producer(u, {"Unsqueeze"});
    std::optional<SmallVector<int64_t>> axes = un ? constAxes(un, 1) : std::nullopt;
    if (!axes || *axes != SmallVector<int64_t>{0})
      return {};
    m.nodes.insert(un);
    return un.getInputs()[0];
  };
  auto isPerm102 = [](NodeOp t) {
    auto p = t ? dyn_cast_or_null<DenseI64ArrayAttr>(t.getAttrs().get("perm")) : nullptr;
    return p && p.asArrayRef() == ArrayRef<int64_t>{1, 0, 2};
  };
  Value x;
  std::optional<NzRow> rows;
  if (NodeOp g = producer(v, {"Gather"}); g && intAttr(g, "axis").value_or(0) == 0) {
    x = g.getInputs()[0], rows = rowsOf(g.getInputs()[1]);
    m.nodes.insert(g);
  } else if (NodeOp gnd = producer(v, {"GatherND"});
             gnd && intAttr(gnd, "batch_dims").value_or(0) == 0) {
    if (Value r = unsqueezedColumn(gnd.getInputs()[1], m))
      x = gnd.getInputs()[0], rows = rowsOf(r);
    m.nodes.insert(gnd);
  } else if (NodeOp re = producer(v, {"Reshape"})) {
    // [1, n, D] -> [-1, D].
    std::optional<DimList> target = shapes.elements(re.getInputs()[1]);
    if (!target || target->size() != 2 || !(*target)[0].isConstant(-1))
      return std::nullopt;
    m.nodes.insert(re);
    Value in = re.getInputs()[0];
    if (NodeOp g = producer(in, {"Gather"}); g && intAttr(g, "axis").value_or(0) == 1) {
      x = unsqueezed0(g.getInputs()[0]), rows = rowsOf(g.getInputs()[1]);
      m.nodes.insert(g);
    } else if (NodeOp t = producer(in, {"Transpose"}); isPerm102(t)) {
      NodeOp gnd = producer(t.getInputs()[0], {"GatherND"});
      NodeOp t0 = gnd ? producer(gnd.getInputs()[0], {"Transpose"}) : nullptr;
      Value r = gnd ? unsqueezedColumn(gnd.getInputs()[1], m) : Value();
      if (!isPerm102(t0) || !r || intAttr(gnd, "batch_dims").value_or(0) != 0)
        return std::nullopt;
      x = unsqueezed0(t0.getInputs()[0]), rows = rowsOf(r);
      for (NodeOp n : {t, gnd, t0})
        m.nodes.insert(n);
    }
    std::optional<DimList> xs = x ? shapes.shape(x) : std::nullopt;
    if (!xs || xs->size() != 2 || (*xs)[1] != (*target)[1])
      return std::nullopt;
  }
  std::optional<DimList> xs = x ? shapes.shape(x) : std::nullopt;
  if (!rows || !xs || xs->size() != 2)
    return std::nullopt;
  return std::make_pair(x, *rows);
}

/// `w` is topv[tok, slot] as an [n, 1] column, with tok and slot rows of the
/// same NonZero: GatherND(Unsqueeze(topv, -1), Concat(tok[:, None],
/// slot[:, None])), or Gather of the flattened topv at tok * k + slot, under
/// Reshapes to [n, 1]. Fills topv and the k it states (when a constant).
bool sparseWeight(Value w, const NzRow &tok, const NzRow &slot, Expert &e, Matcher &m,
                  ShapeInference &shapes) {
  bool column = false;
  if (NodeOp re = producer(w, {"Reshape"})) {
    std::optional<DimList> target = shapes.elements(re.getInputs()[1]);
    if (!target || target->size() != 2 || !(*target)[1].isOne())
      return false;
    column = true;
    // Reshapes under it keep the order of the elements.
    while (NodeOp r = producer(w, {"Reshape"})) {
      m.nodes.insert(r);
      w = r.getInputs()[0];
    }
  }
  // topv, or Unsqueeze(topv, -1) [T, k, 1] (the gather then gives a column).
  auto withUnit = [&](Value u, bool &unit) {
    NodeOp un = producer(u, {"Unsqueeze"});
    std::optional<SmallVector<int64_t>> axes = un ? constAxes(un, 1) : std::nullopt;
    unit = axes && axes->size() == 1 && ((*axes)[0] == -1 || (*axes)[0] == 2);
    if (!unit)
      return u;
    m.nodes.insert(un);
    return un.getInputs()[0];
  };
  auto sameRow = [&](Value v, const NzRow &r) {
    std::optional<NzRow> got = nonzeroRow(v, m);
    return got && *got == r;
  };
  if (NodeOp gnd = producer(w, {"GatherND"})) {
    NodeOp cat = producer(gnd.getInputs()[1], {"Concat"});
    int64_t axis = cat ? intAttr(cat, "axis").value_or(0) : 0;
    if (!cat || intAttr(gnd, "batch_dims").value_or(0) != 0 || cat.getInputs().size() != 2 ||
        (axis != -1 && axis != 1))
      return false;
    Value r0 = unsqueezedColumn(cat.getInputs()[0], m);
    Value r1 = unsqueezedColumn(cat.getInputs()[1], m);
    if (!r0 || !r1 || !sameRow(r0, tok) || !sameRow(r1, slot))
      return false;
    bool unit = false;
    e.topv = withUnit(gnd.getInputs()[0], unit);
    m.nodes.insert(gnd);
    m.nodes.insert(cat);
    return column || unit;
  }
  NodeOp g = producer(w, {"Gather"});
  NodeOp add = g ? producer(g.getInputs()[1], {"Add"}) : nullptr;
  if (!add || intAttr(g, "axis").value_or(0) != 0)
    return false;
  // The flattened topv: Flatten(topv or Unsqueeze(topv, -1), axis=2) [T*k, 1],
  // or Reshape(topv, [-1]) [T*k] (then the outer Reshape makes the column).
  Value flat = g.getInputs()[0], base;
  bool unit = false;
  if (NodeOp fl = producer(flat, {"Flatten"}); fl && intAttr(fl, "axis").value_or(1) == 2) {
    base = withUnit(fl.getInputs()[0], unit);
    unit = true; // [T*k, 1] either way
    m.nodes.insert(fl);
  } else if (NodeOp re = producer(flat, {"Reshape"})) {
    std::optional<SmallVector<int64_t>> target = constInts(re.getInputs()[1]);
    if (!target || (*target != SmallVector<int64_t>{-1} && *target != SmallVector<int64_t>{-1, 1}))
      return false;
    unit = target->size() == 2;
    base = re.getInputs()[0];
    m.nodes.insert(re);
  } else {
    return false;
  }
  // tok * k + slot, k a constant or dim 1 of topv (Gather(Shape(.), 1)).
  for (int side = 0; side < 2; ++side) {
    NodeOp mul = producer(add.getInputs()[1 - side], {"Mul"});
    if (!mul || !sameRow(add.getInputs()[side], slot))
      continue;
    for (int ms = 0; ms < 2; ++ms) {
      if (!sameRow(mul.getInputs()[ms], tok))
        continue;
      Value kv = mul.getInputs()[1 - ms];
      if (std::optional<SmallVector<int64_t>> c = constInts(kv); c && c->size() == 1) {
        e.slotsPerToken = (*c)[0];
      } else {
        NodeOp kg = producer(kv, {"Gather"});
        std::optional<SmallVector<int64_t>> idx = kg ? constInts(kg.getInputs()[1]) : std::nullopt;
        NodeOp sh = kg ? producer(kg.getInputs()[0], {"Shape"}) : nullptr;
        bool u = false;
        if (!sh || !idx || idx->size() != 1 || (*idx)[0] != 1 ||
            withUnit(sh.getInputs()[0], u) != base || intAttr(sh, "start").value_or(0) != 0)
          return false;
        m.nodes.insert(kg);
      }
      m.nodes.insert(g);
      m.nodes.insert(add);
      m.nodes.insert(mul);
      e.topv = base;
      return column || unit;
    }
  }
  return false;
}

/// A ConstantOfShape of float zeros (its `value`, absent: 0).
bool fillsZero(NodeOp constantOfShape) {
  auto value = dyn_cast_or_null<DenseElementsAttr>(constantOfShape.getAttrs().get("value"));
  return !value || (value.isSplat() && isa<FloatType>(value.getElementType()) &&
                    value.getSplatValue<APFloat>().isZero());
}

/// One scatter step of the combine: acc = prev + rows-scatter of `update`.
struct ScatterStep {
  Value rowsIndex; // the 1-D row indices
  Value update;
  bool accumulates; // reduction add (else a write into zeros, then an Add)
};

/// The step that makes `acc`, and the accumulator before it.
std::optional<std::pair<ScatterStep, Value>> scatterStep(Value acc, Matcher &m,
                                                         ShapeInference &shapes) {
  // indices of a scatter along axis 0 of rows r: ScatterND's r[:, None];
  // ScatterElements' Expand(r[:, None], shape of the update).
  auto rowsOf = [&](NodeOp sc) -> Value {
    if (sc.getOpType() == "ScatterND")
      return unsqueezedColumn(sc.getInputs()[1], m);
    if (intAttr(sc, "axis").value_or(0) != 0)
      return {};
    // (Any target: ScatterElements' indices have the shape of its updates,
    // so this repeats r[:, None] across the columns.)
    NodeOp ex = producer(sc.getInputs()[1], {"Expand"});
    if (!ex)
      return {};
    m.nodes.insert(ex);
    return unsqueezedColumn(ex.getInputs()[0], m);
  };
  if (NodeOp sc = producer(acc, {"ScatterND", "ScatterElements"});
      sc && strAttr(sc, "reduction", "none") == "add") {
    Value r = rowsOf(sc);
    if (!r)
      return std::nullopt;
    m.nodes.insert(sc);
    return std::make_pair(ScatterStep{r, sc.getInputs()[2], true}, sc.getInputs()[0]);
  }
  NodeOp add = producer(acc, {"Add"});
  if (!add)
    return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    Value prev = add.getInputs()[1 - side];
    NodeOp sc = producer(add.getInputs()[side], {"ScatterND", "ScatterElements"});
    if (!sc || strAttr(sc, "reduction", "none") != "none")
      continue;
    // Into zeros of prev's shape: ConstantOfShape(Shape(prev)), value 0.
    NodeOp zeros = producer(sc.getInputs()[0], {"ConstantOfShape"});
    NodeOp sh = zeros ? producer(zeros.getInputs()[0], {"Shape"}) : nullptr;
    if (!sh || sh.getInputs()[0] != prev || sh.getAttrs().get("start") ||
        sh.getAttrs().get("end") || !fillsZero(zeros))
      continue;
    Value r = rowsOf(sc);
    if (!r)
      continue;
    for (NodeOp n : {add, sc, zeros, sh})
      m.nodes.insert(n);
    return std::make_pair(ScatterStep{r, sc.getInputs()[2], false}, prev);
  }
  return std::nullopt;
}

/// The zeros the combine starts from: their shape's elements.
std::optional<DimList> zerosShape(Value z, Matcher &m, ShapeInference &shapes) {
  if (NodeOp c = producer(z, {"ConstantOfShape"})) {
    if (!fillsZero(c))
      return std::nullopt;
    m.nodes.insert(c);
    return shapes.elements(c.getInputs()[0]);
  }
  if (NodeOp ex = producer(z, {"Expand"})) {
    std::optional<double> zero = constScalar(ex.getInputs()[0]);
    if (!zero || *zero != 0.0)
      return std::nullopt;
    m.nodes.insert(ex);
    return shapes.elements(ex.getInputs()[1]);
  }
  if (auto c = dyn_cast_or_null<DenseFPElementsAttr>(constValue(z));
      c && c.isSplat() && c.getSplatValue<APFloat>().isZero()) {
    DimList out;
    for (int64_t d : c.getType().getShape())
      out.push_back(Dim::constant(d));
    return out;
  }
  return std::nullopt;
}

/// One expert's update `Mul(o_e, w_e)` (Casts to the experts' type and, in a
/// write without reduction, an Expand that can only repeat rows, looked
/// through), given the rows it is scattered to.
std::optional<Expert> sparseTerm(const ScatterStep &step, Matcher &outer, ShapeInference &shapes) {
  Matcher m = outer;
  std::optional<NzRow> rows = nonzeroRow(step.rowsIndex, m);
  if (!rows)
    return std::nullopt;
  Value u = step.update;
  SmallVector<NodeOp> casts;
  while (true) {
    if (NodeOp c = producer(u, {"Cast"})) {
      casts.push_back(c);
      u = c.getInputs()[0];
    } else if (NodeOp ex = producer(u, {"Expand"}); ex && !step.accumulates) {
      // Expand(o, s) to the 2-D shape the scatter requires repeats o's rows
      // when it changes anything; repeated rows with repeated indices write
      // the same values again.
      m.nodes.insert(ex);
      u = ex.getInputs()[0];
    } else {
      break;
    }
  }
  // (Besides the scatter, a Shape may read it: the size of the index Expand.)
  NodeOp mul = producer(u, {"Mul"});
  if (!mul || llvm::count_if(u.getUsers(), [](Operation *user) {
                auto n = dyn_cast<NodeOp>(user);
                return !n || n.getOpType() != "Shape";
              }) != 1)
    return std::nullopt;
  m.nodes.insert(mul);
  for (int side = 0; side < 2; ++side) {
    Matcher trial = m;
    Expert e;
    std::optional<Projection> down;
    if (!mul.getInputs()[side].hasOneUse() || !(down = trial.projection(mul.getInputs()[side])) ||
        !down->x.hasOneUse() || !trial.hidden(down->x, e))
      continue;
    e.down = *down;
    std::optional<std::pair<Value, NzRow>> src = gatheredRows(e.up.x, trial, shapes);
    if (!src || src->second != *rows || (e.gate.x && e.gate.x != e.up.x))
      continue;
    std::optional<Selection> sel = selection(rows->nonzero, trial);
    if (!sel || sel->tokenRow != rows->row)
      continue;
    NzRow slot{rows->nonzero, 1 - rows->row};
    if (!sparseWeight(mul.getInputs()[1 - side], *rows, slot, e, trial, shapes))
      continue;
    // Casts only to the experts' own type.
    int64_t type = onnxFloatType(getElementTypeOrSelf(e.down.weight.getType()));
    if (llvm::any_of(casts, [&](NodeOp c) { return intAttr(c, "to").value_or(0) != type; }))
      continue;
    for (NodeOp c : casts)
      trial.nodes.insert(c);
    trial.nodes.insert(rows->nonzero);
    e.index = sel->expert;
    e.topi = sel->topi;
    e.source = src->first;
    e.classes = sel->depth;
    outer = trial;
    return e;
  }
  return std::nullopt;
}

/// The sparse form ending at `root` (a ScatterND, ScatterElements or Add).
std::optional<Layer> matchSparse(NodeOp root, ShapeInference &shapes) {
  Matcher m(shapes);
  SmallVector<ScatterStep> steps;
  Value acc = root.getOutputs()[0];
  while (std::optional<std::pair<ScatterStep, Value>> step = scatterStep(acc, m, shapes)) {
    // The partial sums feed the next step only (and the Shapes and Slices
    // the TorchScript form reads their shape with): else the experts would
    // stay, NonZero and all, for the other reader.
    if (!steps.empty() && !llvm::all_of(acc.getUsers(), [&](Operation *u) {
          auto n = dyn_cast<NodeOp>(u);
          return n && (m.nodes.contains(u) || n.getOpType() == "Shape" || n.getOpType() == "Slice");
        }))
      return std::nullopt;
    steps.push_back(step->first);
    acc = step->second;
  }
  if (steps.size() < 2)
    return std::nullopt;
  std::optional<DimList> zeros = zerosShape(acc, m, shapes);
  if (!zeros)
    return std::nullopt;
  SmallVector<Expert> found;
  for (const ScatterStep &step : steps) {
    std::optional<Expert> e = sparseTerm(step, m, shapes);
    if (!e)
      return std::nullopt;
    found.push_back(*e);
  }
  // The zeros are x's shape [T, D].
  std::optional<DimList> xs = shapes.shape(found.front().source);
  if (!xs || *xs != *zeros)
    return std::nullopt;
  std::optional<Layer> layer = assemble(root, found, m, shapes);
  if (layer)
    layer->sparse = true;
  return layer;
}

/// A constant [E, ...] of every expert's `kind` weight transposed ([out, in])
/// or bias, or null when one's data is not at hand.
Value stack(OpBuilder &b, Location loc, ArrayRef<Expert> experts, Projection Expert::*kind,
            bool bias, StringRef name) {
  const Projection &p0 = experts[0].*kind;
  if (!p0.weight || (bias && !p0.bias))
    return {};
  RankedTensorType matrix = p0.matrix();
  Type et = matrix.getElementType();
  size_t bytes = matrix.getElementTypeBitWidth() / 8;
  int64_t e = experts.size(), in = p0.in(), out = p0.out();
  int64_t first = p0.half < 0 ? 0 : p0.half * out; // the first output taken
  int64_t fullOut = matrix.getDimSize(!p0.transposed);
  SmallVector<int64_t> shape = {e, out};
  if (!bias)
    shape.push_back(in);
  int64_t each = bias ? out : out * in;
  std::vector<char> dst(e * each * bytes);
  for (int64_t i = 0; i < e; ++i) {
    const Projection &p = experts[i].*kind;
    std::optional<Constant> c = constantOf(bias ? p.bias : p.weight);
    std::optional<std::vector<char>> data = c ? bytesOf(*c) : std::nullopt;
    if (!data)
      return {};
    const char *src = data->data();
    if (!bias && p.slice >= 0)
      src += p.slice * fullOut * in * bytes; // its [E, ...] slice
    char *to = &dst[i * each * bytes];
    if (bias || p.transposed) {
      // [fullOut] or [fullOut, in]: the rows first .. first + out.
      int64_t row = bias ? 1 : in;
      std::memcpy(to, src + first * row * bytes, out * row * bytes);
      continue;
    }
    for (int64_t r = 0; r < in; ++r) // [in, fullOut] -> [out, in]
      for (int64_t o = 0; o < out; ++o)
        std::memcpy(to + (o * in + r) * bytes, src + (r * fullOut + first + o) * bytes, bytes);
  }
  auto resultType = RankedTensorType::get(shape, et);
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(dst), alignof(uint64_t));
  auto attr = DenseResourceElementsAttr::get(resultType, name, std::move(blob));
  return arith::ConstantOp::create(b, loc, resultType, attr);
}

/// Replaces the layer with one com.microsoft MoE node; false when the weights'
/// data is not at hand (nothing changed then).
bool raise(Layer &layer) {
  NodeOp root = layer.root;
  OpBuilder b(root);
  Location loc = root.getLoc();
  std::string base = root.getNameAttr() ? root.getNameAttr().getValue().str() : "moe";
  bool glu = layer.act == hybrid::Activation::Swiglu;
  // fc1: the gate with SwiGLU (fc3 the up projection), else the only one.
  Projection Expert::*k1 = glu ? &Expert::gate : &Expert::up;
  Value fc1 = stack(b, loc, layer.experts, k1, false, base + ".fc1");
  Value fc2 = stack(b, loc, layer.experts, &Expert::down, false, base + ".fc2");
  Value fc3 = glu ? stack(b, loc, layer.experts, &Expert::up, false, base + ".fc3") : Value();
  if (!fc1 || !fc2 || (glu && !fc3)) {
    for (Value v : {fc1, fc2, fc3})
      if (v)
        v.getDefiningOp()->erase();
    return false;
  }
  Value none;
  auto opt = [&](Value v) {
    if (v)
      return v;
    if (!none)
      none = hybrid::onnx::NoneOp::create(b, loc, b.getNoneType());
    return none;
  };
  Value b1 = stack(b, loc, layer.experts, k1, true, base + ".fc1_bias");
  Value b2 = stack(b, loc, layer.experts, &Expert::down, true, base + ".fc2_bias");
  Value b3 = glu ? stack(b, loc, layer.experts, &Expert::up, true, base + ".fc3_bias") : Value();
  // A bias whose data is not at hand: leave the layer as it is.
  if (static_cast<bool>((layer.experts[0].*k1).bias) != static_cast<bool>(b1) ||
      static_cast<bool>(layer.experts[0].down.bias) != static_cast<bool>(b2) ||
      (glu && static_cast<bool>(layer.experts[0].up.bias) != static_cast<bool>(b3))) {
    for (Value v : {fc1, fc2, fc3, b1, b2, b3})
      if (v)
        v.getDefiningOp()->erase();
    if (none)
      none.getDefiningOp()->erase();
    return false;
  }
  SmallVector<Value> inputs = {layer.x, layer.logits, fc1, opt(b1), fc2, opt(b2)};
  if (glu)
    inputs.append({fc3, opt(b3)});
  StringRef act = layer.act == hybrid::Activation::Swiglu ? "swiglu"
                  : layer.act == hybrid::Activation::Gelu ? "gelu"
                  : layer.act == hybrid::Activation::Silu ? "silu"
                                                          : "relu";
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("k", b.getI64IntegerAttr(layer.k)),
      b.getNamedAttr("activation_type", b.getStringAttr(act)),
      b.getNamedAttr("normalize_routing_weights", b.getI64IntegerAttr(layer.normalize))};
  if (glu)
    attrs.push_back(b.getNamedAttr("swiglu_fusion", b.getI64IntegerAttr(0)));
  auto moe = NodeOp::create(b, loc, TypeRange{root.getOutputs()[0].getType()}, inputs, "MoE",
                            "com.microsoft", 1, b.getStringAttr(base + "/raised_moe"),
                            b.getDictionaryAttr(attrs), nullptr, 0);
  root.getOutputs()[0].replaceAllUsesWith(moe.getOutputs()[0]);
  // Erase what only the layer read, and the producers (index arithmetic,
  // shapes) that only they read.
  eraseUnused(layer.nodes.getArrayRef());
  return true;
}

} // namespace

unsigned hybrid::raiseMoe(Operation *root) {
  // One layer at a time: raising one erases nodes (its root among them) that
  // a match of the next may hold, when two layers follow each other directly.
  llvm::DenseSet<Operation *> failed; // matched, but the weights' data is not at hand
  unsigned n = 0;
  while (true) {
    std::optional<Layer> layer;
    // (A fresh ShapeInference each time: its caches are keyed by values a
    // rewrite erases.)
    ShapeInference shapes;
    root->walk([&](NodeOp node) {
      if (!node.getDomain().empty() || failed.contains(node.getOperation()))
        return WalkResult::advance();
      StringRef type = node.getOpType();
      if (type == "Add")
        layer = matchDense(node, shapes);
      if (!layer && llvm::is_contained({"Add", "ScatterND", "ScatterElements"}, type))
        layer = matchSparse(node, shapes);
      return layer ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (!layer)
      return n;
    Location loc = layer->root.getLoc();
    std::string what = std::to_string(layer->experts.size()) + " experts, top-" +
                       std::to_string(layer->k) + (layer->normalize ? ", renormalised" : "") +
                       ", " + hybrid::stringifyActivation(layer->act).str();
    StringRef form = layer->sparse
                         ? "a mixture of experts written as a loop over the experts (each on the "
                           "tokens that chose it: NonZero of its one-hot mask, gathered, weighted, "
                           "scattered back"
                         : "a dense mixture of experts (every expert on every token, masked by its "
                           "routing weight, summed";
    if (raise(*layer)) {
      ++n;
      remark::passed(loc, remark::RemarkOpts::name("raised").category("hybrid-raise-moe"))
          << form.str() + ": " + what + ") became one com.microsoft MoE node with the "
             "experts' weights stacked, which the router runs on the selected experts only";
    } else {
      failed.insert(layer->root.getOperation());
      remark::missed(loc, remark::RemarkOpts::name("left").category("hybrid-raise-moe"))
          << form.str() + ": " + what + ") whose weights are not constants at hand (external "
             "data not loaded?)";
    }
  }
}

namespace {
struct RaiseMoePass : public hybrid::impl::RaiseMoeBase<RaiseMoePass> {
  void runOnOperation() override { hybrid::raiseMoe(getOperation()); }
};
} // namespace
