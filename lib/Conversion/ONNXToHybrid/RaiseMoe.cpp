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

/// One expert's projection: `MatMul(x, W) [+ b]`.
struct Projection {
  Value x;
  Value weight, bias; // constants; bias may be null
};

/// One expert's feed-forward block and its routing weight.
struct Expert {
  int64_t index = -1;
  hybrid::Activation act = hybrid::Activation::None;
  Projection gate, up, down; // gate: SwiGLU only
  Value topi, topv;          // the TopK outputs it reads (topv after renormalisation)
};

class Matcher {
public:
  /// Nodes a match consumes (erased when unused after the rewrite).
  llvm::SetVector<Operation *> nodes;

  NodeOp take(Value v, std::initializer_list<StringRef> types, bool oneUse = true) {
    NodeOp n = producer(v, types);
    if (!n || (oneUse && !v.hasOneUse()))
      return nullptr;
    nodes.insert(n);
    return n;
  }

  /// `MatMul(x, W) [+ b]` with W a 2-D constant and b a 1-D one.
  std::optional<Projection> projection(Value v) {
    Projection p;
    // (The callers check the uses of `v` itself.)
    if (NodeOp add = producer(v, {"Add"})) {
      for (int side = 0; side < 2; ++side) {
        std::optional<Constant> b = constantOf(add.getInputs()[side]);
        if (b && b.value().type.getRank() == 1 && add.getInputs()[1 - side].hasOneUse() &&
            producer(add.getInputs()[1 - side], {"MatMul"})) {
          p.bias = add.getInputs()[side];
          nodes.insert(add);
          v = add.getInputs()[1 - side];
          break;
        }
      }
    }
    NodeOp mm = producer(v, {"MatMul"});
    if (!mm)
      return std::nullopt;
    std::optional<Constant> w = constantOf(mm.getInputs()[1]);
    if (!w || w->type.getRank() != 2)
      return std::nullopt;
    // A bias of the projection's width (not one that broadcasts).
    if (p.bias && cast<RankedTensorType>(p.bias.getType()).getDimSize(0) != w->type.getDimSize(1))
      return std::nullopt;
    nodes.insert(mm);
    p.x = mm.getInputs()[0];
    p.weight = mm.getInputs()[1];
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
    if (!sum || intAttr(sum, "keepdims").value_or(1) != 1 || sum.getInputs().size() != 2)
      return false;
    std::optional<SmallVector<int64_t>> axes = constInts(sum.getInputs()[1]);
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
  if (NodeOp mm = producer(logits, {"MatMul"}))
    if (std::optional<Constant> c = constantOf(mm.getInputs()[1]); c && c->type.getRank() == 2)
      return c->type.getDimSize(1);
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
};

/// A Softmax's axis: the attribute, else the opset's default (-1 from opset 13,
/// 1 before, over a flattened view, which is not the same for rank 3).
int64_t softmaxAxis(NodeOp sm) {
  return intAttr(sm, "axis").value_or(sm.getVersion() >= 13 ? -1 : 1);
}

/// The routing shared by every expert: fills x-independent fields of `layer`.
bool matchRouting(Value topi, Value topv, Layer &layer, Matcher &m) {
  // Identity nodes (exporters leave some) are looked through.
  auto skipIdentity = [&](Value v) {
    while (NodeOp id = producer(v, {"Identity"})) {
      m.nodes.insert(id);
      v = id.getInputs()[0];
    }
    return v;
  };
  topi = skipIdentity(topi);
  topv = skipIdentity(topv);
  // topv: the TopK values, possibly renormalised by their sum or a softmax.
  Value raw = topv;
  bool normalize = false, softmaxAfter = false;
  if (NodeOp div = producer(topv, {"Div"})) {
    NodeOp sum = producer(div.getInputs()[1], {"ReduceSum"});
    if (!sum || sum.getInputs()[0] != div.getInputs()[0] ||
        intAttr(sum, "keepdims").value_or(1) != 1 || sum.getInputs().size() != 2)
      return false;
    std::optional<SmallVector<int64_t>> axes = constInts(sum.getInputs()[1]);
    if (!axes || axes->size() != 1 || (*axes)[0] != -1)
      return false;
    m.nodes.insert(div);
    m.nodes.insert(sum);
    raw = div.getInputs()[0];
    normalize = true;
  } else if (NodeOp sm = producer(topv, {"Softmax"})) {
    if (softmaxAxis(sm) != -1)
      return false;
    m.nodes.insert(sm);
    raw = sm.getInputs()[0];
    normalize = softmaxAfter = true;
  }
  auto topk = raw.getDefiningOp<NodeOp>();
  if (!topk || topk.getOpType() != "TopK" || !topk.getDomain().empty() ||
      topk.getOutputs().size() != 2 || topk.getOutputs()[0] != raw ||
      topk.getOutputs()[1] != topi || topk.getInputs().size() != 2 ||
      intAttr(topk, "axis").value_or(-1) != -1 ||
      intAttr(topk, "largest").value_or(1) != 1)
    return false;
  std::optional<SmallVector<int64_t>> k = constInts(topk.getInputs()[1]);
  if (!k || k->size() != 1 || (*k)[0] < 1)
    return false;
  m.nodes.insert(topk);
  Value logits = topk.getInputs()[0];
  if (!softmaxAfter) {
    NodeOp sm = producer(logits, {"Softmax"});
    if (!sm || softmaxAxis(sm) != -1)
      return false;
    m.nodes.insert(sm);
    logits = sm.getInputs()[0];
  }
  layer.logits = logits;
  layer.k = (*k)[0];
  layer.normalize = normalize;
  return true;
}

std::optional<Layer> matchLayer(NodeOp root) {
  // Every Add is tried as the root: a chain's inner Adds cover only some of
  // the experts, and an outer one (a residual Add) has a term that is not an
  // expert, so only the chain's own root matches.
  Value y = root.getOutputs()[0];
  Matcher m;
  SmallVector<Value> terms;
  addends(y, root, terms, m);
  if (terms.size() < 2)
    return std::nullopt;
  Layer layer;
  layer.root = root;
  SmallVector<Expert> found;
  for (Value t : terms) {
    std::optional<Expert> e = m.term(t);
    if (!e)
      return std::nullopt;
    found.push_back(*e);
  }
  // One x, one TopK, one form, every expert once.
  const Expert &first = found.front();
  int64_t numExperts = found.size();
  layer.x = first.up.x;
  layer.act = first.act;
  layer.experts.resize(numExperts);
  for (const Expert &e : found) {
    if (e.up.x != layer.x || (e.gate.x && e.gate.x != layer.x) || e.act != layer.act ||
        e.topi != first.topi || e.topv != first.topv || e.index < 0 ||
        e.index >= numExperts || layer.experts[e.index].index >= 0)
      return std::nullopt;
    layer.experts[e.index] = e;
  }
  if (!matchRouting(first.topi, first.topv, layer, m))
    return std::nullopt;
  std::optional<int64_t> width = routerWidth(layer.logits);
  if (!width || *width != numExperts || layer.k > numExperts)
    return std::nullopt;
  // Weights of one shape and type per kind; biases on all experts or none.
  auto sameShapes = [&](Projection Expert::*kind) {
    const Projection &p0 = layer.experts[0].*kind;
    if (!p0.weight)
      return true;
    for (const Expert &e : layer.experts) {
      const Projection &p = e.*kind;
      if (!p.weight || p.weight.getType() != p0.weight.getType() ||
          static_cast<bool>(p.bias) != static_cast<bool>(p0.bias) ||
          (p.bias && p.bias.getType() != p0.bias.getType()))
        return false;
    }
    return true;
  };
  if (!sameShapes(&Expert::gate) || !sameShapes(&Expert::up) || !sameShapes(&Expert::down))
    return std::nullopt;
  auto w = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  RankedTensorType up = w(first.up.weight), down = w(first.down.weight);
  // x [.., Hd] · up [Hd, I]; h [.., I] · down [I, Hd].
  if (down.getDimSize(0) != up.getDimSize(1) || down.getDimSize(1) != up.getDimSize(0) ||
      up.getElementType() != down.getElementType() ||
      (first.gate.weight && w(first.gate.weight) != up))
    return std::nullopt;
  layer.nodes = std::move(m.nodes);
  return layer;
}

/// A constant [E, ...] of every expert's `kind` weight transposed ([out, in])
/// or bias, or null when one's data is not at hand.
Value stack(OpBuilder &b, Location loc, ArrayRef<Expert> experts, Projection Expert::*kind,
            bool bias, StringRef name) {
  Value first = bias ? (experts[0].*kind).bias : (experts[0].*kind).weight;
  if (!first)
    return {};
  auto type = cast<RankedTensorType>(first.getType());
  Type et = type.getElementType();
  size_t bytes = type.getElementTypeBitWidth() / 8;
  int64_t e = experts.size();
  SmallVector<int64_t> shape = {e};
  if (bias)
    shape.push_back(type.getDimSize(0));
  else
    shape.append({type.getDimSize(1), type.getDimSize(0)}); // [in, out] -> [out, in]
  std::vector<char> out(e * type.getNumElements() * bytes);
  for (int64_t i = 0; i < e; ++i) {
    std::optional<Constant> c =
        constantOf(bias ? (experts[i].*kind).bias : (experts[i].*kind).weight);
    std::optional<std::vector<char>> data = c ? bytesOf(*c) : std::nullopt;
    if (!data)
      return {};
    char *dst = &out[i * type.getNumElements() * bytes];
    if (bias) {
      std::memcpy(dst, data->data(), data->size());
      continue;
    }
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1); // [in, out]
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c2 = 0; c2 < cols; ++c2)
        std::memcpy(dst + (c2 * rows + r) * bytes, data->data() + (r * cols + c2) * bytes, bytes);
  }
  auto resultType = RankedTensorType::get(shape, et);
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(out), alignof(uint64_t));
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
  // Erase what only the layer read, consumers before producers.
  bool erased = true;
  while (erased) {
    erased = false;
    for (Operation *op : layer.nodes)
      if (op->use_empty()) {
        layer.nodes.remove(op);
        op->erase();
        erased = true;
        break;
      }
  }
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
    root->walk([&](NodeOp node) {
      if (node.getDomain().empty() && node.getOpType() == "Add" && !failed.contains(node.getOperation()))
        if ((layer = matchLayer(node)))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (!layer)
      return n;
    Location loc = layer->root.getLoc();
    std::string what = std::to_string(layer->experts.size()) + " experts, top-" +
                       std::to_string(layer->k) + (layer->normalize ? ", renormalised" : "") +
                       ", " + hybrid::stringifyActivation(layer->act).str();
    if (raise(*layer)) {
      ++n;
      remark::passed(loc, remark::RemarkOpts::name("raised").category("hybrid-raise-moe"))
          << "a dense mixture of experts (every expert on every token, masked by its routing "
             "weight, summed: " + what + ") became one com.microsoft MoE node with the "
             "experts' weights stacked, which the router runs on the selected experts only";
    } else {
      failed.insert(layer->root.getOperation());
      remark::missed(loc, remark::RemarkOpts::name("left").category("hybrid-raise-moe"))
          << "a dense mixture of experts (" + what + ") whose weights are not constants at "
             "hand (external data not loaded?)";
    }
  }
}

namespace {
struct RaiseMoePass : public hybrid::impl::RaiseMoeBase<RaiseMoePass> {
  void runOnOperation() override { hybrid::raiseMoe(getOperation()); }
};
} // namespace
