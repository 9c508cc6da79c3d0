//===- RaiseUtils.cpp - symbolic shapes of a faithful onnx.node graph -----===//
//
// ShapeInference: just enough shape propagation for the raising passes to
// prove sizes equal. Each rule below is the ONNX op's own shape function,
// with constants and symbols in place of numbers; a value whose rank is known
// but whose op has no rule here gets fresh symbols (sound: nothing is claimed
// equal to them).
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

#include <limits>

using namespace mlir;
using namespace hybrid::raising;

namespace {

bool isNone(Value v) { return isa<NoneType>(v.getType()); }

/// Normalises `axis` into [0, rank); nullopt when out of range.
std::optional<int64_t> normAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

} // namespace

Dim ShapeInference::named(StringRef name) {
  auto [it, inserted] = names.try_emplace(name, Dim::constant(0));
  if (inserted)
    it->second = fresh();
  return it->second;
}

std::optional<DimList> ShapeInference::shape(Value v) {
  if (auto it = shapes.find(v); it != shapes.end())
    return it->second;
  shapes[v] = std::nullopt; // a graph has no cycles, but be safe
  std::optional<DimList> s = computeShape(v);
  if (auto t = dyn_cast<RankedTensorType>(v.getType())) {
    // A declared type refines what the ops say (and stands in where they say
    // nothing). The function's arguments carry ONNX dim_param names: equal
    // names are equal sizes.
    ArrayAttr params;
    if (auto arg = dyn_cast<BlockArgument>(v))
      if (auto fn = dyn_cast_or_null<FunctionOpInterface>(arg.getOwner()->getParentOp()))
        if (arg.getOwner() == &fn.getFunctionBody().front())
          params = fn.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(), "onnx.dim_params");
    if (!s || static_cast<int64_t>(s->size()) != t.getRank()) {
      s = DimList();
      for (int64_t i = 0; i < t.getRank(); ++i) {
        StringAttr name = params && static_cast<int64_t>(params.size()) == t.getRank()
                              ? dyn_cast<StringAttr>(params[i])
                              : StringAttr();
        s->push_back(name && !name.getValue().empty() ? named(name.getValue()) : fresh());
      }
    }
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (!t.isDynamicDim(i))
        (*s)[i] = Dim::constant(t.getDimSize(i));
  }
  if (!s)
    if (std::optional<int64_t> r = rankInference.rank(v)) {
      s = DimList();
      for (int64_t i = 0; i < *r; ++i)
        s->push_back(fresh());
    }
  shapes[v] = s;
  return s;
}

std::optional<DimList> ShapeInference::broadcast(ArrayRef<DimList> in) {
  size_t rank = 0;
  for (const DimList &s : in)
    rank = std::max(rank, s.size());
  DimList out;
  for (size_t i = 0; i < rank; ++i) {
    std::optional<Dim> constant, symbol;
    bool distinctSymbols = false;
    for (const DimList &s : in) {
      if (i + s.size() < rank)
        continue; // a missing leading dim is 1
      Dim d = s[i + s.size() - rank];
      if (d.isOne())
        continue;
      if (d.isConstant()) {
        if (constant && *constant != d)
          return std::nullopt; // an invalid broadcast
        constant = d;
      } else if (symbol && *symbol != d) {
        distinctSymbols = true;
      } else {
        symbol = d;
      }
    }
    // In a valid graph every symbol is the constant or 1; two different
    // symbols are each 1 or the larger one, which is neither of them.
    if (constant)
      out.push_back(*constant);
    else if (distinctSymbols)
      out.push_back(fresh());
    else
      out.push_back(symbol.value_or(Dim::constant(1)));
  }
  return out;
}

Dim ShapeInference::product(ArrayRef<Dim> factors) {
  ProductKey key{1, {}};
  for (Dim d : factors) {
    if (d.isConstant()) {
      key.first *= d.value();
      continue;
    }
    // A product symbol contributes its own factors (flattened).
    if (auto it = productFactors.find(d.symbolId()); it != productFactors.end() && !d.offset()) {
      key.first *= it->second.first;
      key.second.append(it->second.second.begin(), it->second.second.end());
      continue;
    }
    key.second.push_back({d.symbolId(), d.offset()});
  }
  if (key.second.empty() || key.first == 0)
    return Dim::constant(key.second.empty() ? key.first : 0);
  if (key.second.size() == 1 && key.first == 1)
    return Dim::symbol(key.second[0].first).plus(key.second[0].second);
  llvm::sort(key.second);
  auto [it, inserted] = products.try_emplace(key, Dim::constant(0));
  if (inserted) {
    it->second = fresh();
    productFactors[it->second.symbolId()] = key;
  }
  return it->second;
}

Dim ShapeInference::derived(int64_t tag, ArrayRef<Dim> operands) {
  SmallVector<int64_t> key = {tag};
  for (Dim d : operands) {
    key.push_back(d.isConstant());
    key.push_back(d.isConstant() ? d.value() : d.symbolId());
    key.push_back(d.isConstant() ? 0 : d.offset());
  }
  auto [it, inserted] = derivedSymbols.try_emplace(key, Dim::constant(0));
  if (inserted)
    it->second = fresh();
  return it->second;
}

std::optional<DimList> ShapeInference::reshape(const DimList &in, const DimList &target,
                                               bool allowZero) {
  // The -1 entry is the input's element count over the other entries'. As
  // products of symbols and a constant: cancel the symbols the other entries
  // name, divide the constants.
  // (A product symbol counts as its factors: [b*l, d] to [-1, l, d] is b.)
  SmallVector<Dim> factors;
  int64_t num = 1;
  auto expand = [&](Dim d, int64_t &constant, SmallVectorImpl<Dim> &atoms) {
    if (d.isConstant()) {
      constant *= d.value();
    } else if (auto it = productFactors.find(d.symbolId());
               it != productFactors.end() && !d.offset()) {
      constant *= it->second.first;
      for (auto [id, off] : it->second.second)
        atoms.push_back(Dim::symbol(id).plus(off));
    } else {
      atoms.push_back(d);
    }
  };
  for (Dim d : in)
    expand(d, num, factors);
  DimList out;
  int64_t den = 1;
  std::optional<size_t> inferred;
  bool cancellable = true;
  for (auto [i, entry] : llvm::enumerate(target)) {
    Dim d = entry;
    if (d.isConstant(0) && !allowZero) {
      if (i >= in.size())
        return std::nullopt;
      d = in[i]; // 0 copies the input's dim
    }
    if (d.isConstant(-1)) {
      if (inferred)
        return std::nullopt;
      inferred = i;
      out.push_back(d);
      continue;
    }
    if (d.isConstant() && d.value() < 0)
      return std::nullopt;
    out.push_back(d);
    SmallVector<Dim> atoms;
    expand(d, den, atoms);
    for (Dim a : atoms) {
      if (auto it = llvm::find(factors, a); it != factors.end())
        factors.erase(it);
      else
        cancellable = false;
    }
  }
  if (!inferred)
    return out;
  if (cancellable && den != 0 && num != 0 && num % den != 0 && den % num == 0 &&
      !factors.empty()) {
    // The symbols left over a constant: [b, l, h, p] to [b, -1, k, h, p] is
    // l / k (the same for every tensor of l split in chunks of k).
    SmallVector<Dim> operands = {Dim::constant(den / num)};
    llvm::sort(factors, [](Dim a, Dim b) {
      return std::make_pair(a.symbolId(), a.offset()) < std::make_pair(b.symbolId(), b.offset());
    });
    operands.append(factors.begin(), factors.end());
    out[*inferred] = derived(/*tag=*/1, operands);
  } else if (!cancellable || den == 0 || num % den != 0) {
    out[*inferred] = fresh();
  } else {
    factors.push_back(Dim::constant(num / den));
    out[*inferred] = product(factors);
  }
  return out;
}

std::optional<Dim> ShapeInference::rangeLength(NodeOp range) {
  ValueRange in = range.getInputs();
  if (in.size() != 3)
    return std::nullopt;
  std::optional<DimList> start = elements(in[0]), limit = elements(in[1]), delta = elements(in[2]);
  if (!start || !limit || !delta || start->size() != 1 || limit->size() != 1 ||
      delta->size() != 1 || !(*delta)[0].isOne())
    return std::nullopt;
  Dim s = (*start)[0], l = (*limit)[0];
  if (s.isConstant(0))
    return l;
  if (s.isConstant() && l.isConstant())
    return Dim::constant(std::max<int64_t>(l.value() - s.value(), 0));
  // limit = start + n (a decode step's positions past .. past + S - 1).
  if (NodeOp add = producer(in[1], {"Add"}); add && add.getInputs().size() == 2) {
    for (int i = 0; i < 2; ++i) {
      std::optional<DimList> a = elements(add.getInputs()[i]), b = elements(add.getInputs()[1 - i]);
      if (a && b && a->size() == 1 && b->size() == 1 && (*a)[0] == s)
        return (*b)[0];
    }
  }
  return std::nullopt;
}

std::optional<DimList> ShapeInference::elements(Value v) {
  if (auto it = values.find(v); it != values.end())
    return it->second;
  values[v] = std::nullopt;
  std::optional<DimList> e = computeElements(v);
  values[v] = e;
  return e;
}

std::optional<DimList> ShapeInference::computeElements(Value v) {
  if (std::optional<SmallVector<int64_t>> c = constInts(v)) {
    if (c->size() > 16)
      return std::nullopt;
    DimList out;
    for (int64_t x : *c)
      out.push_back(Dim::constant(x));
    return out;
  }
  auto node = v.getDefiningOp<NodeOp>();
  if (!node || !node.getDomain().empty() || node.getOutputs()[0] != v)
    return std::nullopt;
  StringRef type = node.getOpType();
  ValueRange in = node.getInputs();
  if (type == "Shape" && in.size() == 1) {
    std::optional<DimList> s = shape(in[0]);
    if (!s)
      return std::nullopt;
    int64_t r = static_cast<int64_t>(s->size());
    auto clampAxis = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + r : a, 0, r); };
    int64_t start = clampAxis(intAttr(node, "start").value_or(0)),
            end = clampAxis(intAttr(node, "end").value_or(r));
    return DimList(s->begin() + start, s->begin() + std::max(start, end));
  }
  if (llvm::is_contained({"Squeeze", "Unsqueeze", "Identity", "Cast", "Reshape", "Flatten"},
                         type) &&
      !in.empty())
    return elements(in[0]); // the same elements in the same order
  if (type == "Concat") {
    DimList out;
    for (Value x : in) {
      std::optional<DimList> e = elements(x);
      if (!e)
        return std::nullopt;
      out.append(*e);
    }
    return out.size() <= 16 ? std::optional<DimList>(out) : std::nullopt;
  }
  if (type == "Gather" && in.size() == 2 && intAttr(node, "axis").value_or(0) == 0) {
    std::optional<DimList> data = elements(in[0]);
    std::optional<SmallVector<int64_t>> idx = constInts(in[1]);
    if (!data || !idx)
      return std::nullopt;
    DimList out;
    int64_t n = static_cast<int64_t>(data->size());
    for (int64_t i : *idx) {
      std::optional<int64_t> a = normAxis(i, n);
      if (!a)
        return std::nullopt;
      out.push_back((*data)[*a]);
    }
    return out;
  }
  if (type == "Slice" && in.size() >= 3) {
    // A 1-D slice with constant bounds (exporters cut [B, H] or [S] out of a
    // Shape this way).
    std::optional<DimList> data = elements(in[0]);
    std::optional<SmallVector<int64_t>> starts = constInts(in[1]), ends = constInts(in[2]);
    std::optional<SmallVector<int64_t>> axes = SmallVector<int64_t>{0};
    std::optional<SmallVector<int64_t>> steps = SmallVector<int64_t>{1};
    if (in.size() >= 4 && !isNone(in[3]))
      axes = constInts(in[3]);
    if (in.size() >= 5 && !isNone(in[4]))
      steps = constInts(in[4]);
    if (!data || !starts || !ends || !axes || !steps || starts->size() != 1 ||
        ends->size() != 1 || axes->size() != 1 || ((*axes)[0] != 0 && (*axes)[0] != -1) ||
        *steps != SmallVector<int64_t>{1})
      return std::nullopt;
    int64_t n = static_cast<int64_t>(data->size());
    auto clampIdx = [&](int64_t x) { return std::clamp<int64_t>(x < 0 ? x + n : x, 0, n); };
    int64_t b = clampIdx((*starts)[0]), e = clampIdx((*ends)[0]);
    return DimList(data->begin() + b, data->begin() + std::max(b, e));
  }
  if (type == "Range" && in.size() == 3) {
    // Only its length matters to callers of elements(): nothing here.
    return std::nullopt;
  }
  if (llvm::is_contained({"Add", "Sub", "Mul", "Div", "Mod"}, type) && in.size() == 2) {
    std::optional<DimList> a = elements(in[0]), b = elements(in[1]);
    if (!a || !b || (a->size() != b->size() && a->size() != 1 && b->size() != 1))
      return std::nullopt;
    DimList out;
    size_t n = std::max(a->size(), b->size());
    for (size_t i = 0; i < n; ++i) {
      Dim x = (*a)[a->size() == 1 ? 0 : i], y = (*b)[b->size() == 1 ? 0 : i];
      if (x.isConstant() && y.isConstant()) {
        int64_t r = 0;
        if (type == "Add")
          r = x.value() + y.value();
        else if (type == "Sub")
          r = x.value() - y.value();
        else if (type == "Mul")
          r = x.value() * y.value();
        else if (type == "Mod" && y.value() != 0)
          r = ((x.value() % y.value()) + y.value()) % y.value(); // the divisor's sign
        else if (type == "Div" && y.value() != 0)
          r = x.value() / y.value(); // sizes are non-negative: truncation is floor
        else
          return std::nullopt;
        out.push_back(Dim::constant(r));
      } else if ((type == "Add" || type == "Sub") && y.isConstant()) {
        out.push_back(x.plus(type == "Add" ? y.value() : -y.value()));
      } else if (type == "Add" && x.isConstant()) {
        out.push_back(y.plus(x.value()));
      } else if ((type == "Mul" || type == "Div") && y.isOne()) {
        out.push_back(x);
      } else if (type == "Mul" && x.isOne()) {
        out.push_back(y);
      } else if (type == "Mul") {
        out.push_back(product({x, y}));
      } else {
        out.push_back(fresh());
      }
    }
    return out;
  }
  return std::nullopt;
}

/// The scan axes of a Scan (`attr` scan_input_axes or scan_output_axes) for
/// its `count` scanned values; 0 where the attribute is absent.
static std::optional<SmallVector<int64_t>> scanAxes(NodeOp scan, StringRef attr, size_t count) {
  SmallVector<int64_t> axes(count, 0);
  if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(scan.getAttrs().get(attr))) {
    if (a.size() != static_cast<int64_t>(count))
      return std::nullopt;
    axes.assign(a.asArrayRef().begin(), a.asArrayRef().end());
  }
  return axes;
}

std::optional<DimList> ShapeInference::raisedShape(NodeOp node, unsigned result) {
  // The nodes raising passes write, so that a later pass sees through an
  // earlier one's: their shapes follow from their inputs'.
  StringRef domain = node.getDomain(), type = node.getOpType();
  ValueRange in = node.getInputs();
  if (domain == "com.microsoft" && type == "CausalConvWithState" && in.size() >= 2) {
    // y: x's [B, C, L]; present_state: [B, C, K-1].
    std::optional<DimList> x = shape(in[0]), w = shape(in[1]);
    if (result == 0 || !x)
      return x;
    if (!w || w->size() != 3 || x->size() != 3)
      return std::nullopt;
    return DimList{(*x)[0], (*x)[1], (*w)[2].plus(-1)};
  }
  if (domain == "com.microsoft" && type == "MoE" && result == 0 && !in.empty())
    return shape(in[0]);
  if (domain == "ai.hybrid" && type == "SsmScan" && in.size() >= 5) {
    // y: x's [B, L, H, P]; final_state: [B, H, P, N].
    std::optional<DimList> x = shape(in[0]), bm = shape(in[3]);
    if (result == 0 || !x)
      return x;
    if (!bm || x->size() != 4 || bm->size() != 4)
      return std::nullopt;
    return DimList{(*x)[0], (*x)[2], (*x)[3], (*bm)[3]};
  }
  return std::nullopt;
}

std::optional<DimList> ShapeInference::computeShape(Value v) {
  // A Scan body's arguments: the states, then one slice of each scanned input.
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    auto scan = dyn_cast_or_null<NodeOp>(arg.getOwner()->getParentOp());
    if (!scan || !scan.getDomain().empty() || scan.getOpType() != "Scan")
      return std::nullopt;
    std::optional<int64_t> m = intAttr(scan, "num_scan_inputs");
    ValueRange in = scan.getInputs();
    unsigned i = arg.getArgNumber();
    if (!m || *m > static_cast<int64_t>(in.size()) || i >= in.size())
      return std::nullopt;
    size_t n = in.size() - *m;
    if (i < n)
      return shape(in[i]);
    std::optional<SmallVector<int64_t>> axes = scanAxes(scan, "scan_input_axes", *m);
    std::optional<DimList> s = shape(in[i]);
    if (!axes || !s)
      return std::nullopt;
    std::optional<int64_t> axis = normAxis((*axes)[i - n], s->size());
    if (!axis)
      return std::nullopt;
    s->erase(s->begin() + *axis);
    return s;
  }
  auto node = v.getDefiningOp<NodeOp>();
  if (!node)
    return std::nullopt;
  StringRef type = node.getOpType();
  ValueRange in = node.getInputs();
  auto result = cast<OpResult>(v);
  if (!node.getDomain().empty())
    return raisedShape(node, result.getResultNumber());
  if (type == "Split" && !in.empty()) {
    std::optional<DimList> s = shape(in[0]);
    if (!s)
      return std::nullopt;
    std::optional<int64_t> axis = normAxis(intAttr(node, "axis").value_or(0), s->size());
    if (!axis)
      return std::nullopt;
    std::optional<SmallVector<int64_t>> sizes = splitSizes(node);
    if (sizes && sizes->empty() && (*s)[*axis].isConstant() &&
        (*s)[*axis].value() % node.getOutputs().size() == 0)
      sizes = SmallVector<int64_t>(node.getOutputs().size(),
                                   (*s)[*axis].value() / node.getOutputs().size());
    DimList out = *s;
    out[*axis] = sizes && sizes->size() == node.getOutputs().size()
                     ? Dim::constant((*sizes)[result.getResultNumber()])
                     : fresh();
    return out;
  }
  if (type == "Scan" && node->getNumRegions() == 1 && !node->getRegion(0).empty()) {
    // States as the body yields them; scan outputs stacked along their axis,
    // as long as the first scanned input's scan axis.
    Operation *yield = node->getRegion(0).front().getTerminator();
    std::optional<int64_t> m = intAttr(node, "num_scan_inputs");
    unsigned i = result.getResultNumber();
    if (!m || !yield || i >= yield->getNumOperands() || *m > static_cast<int64_t>(in.size()) ||
        *m < 1)
      return std::nullopt;
    size_t n = in.size() - *m;
    std::optional<DimList> body = shape(yield->getOperand(i));
    if (!body || i < n)
      return body;
    std::optional<SmallVector<int64_t>> inAxes = scanAxes(node, "scan_input_axes", *m),
                                        outAxes = scanAxes(node, "scan_output_axes",
                                                           node.getOutputs().size() - n);
    std::optional<DimList> first = shape(in[n]);
    if (!inAxes || !outAxes || !first)
      return std::nullopt;
    std::optional<int64_t> inAxis = normAxis((*inAxes)[0], first->size()),
                           outAxis = normAxis((*outAxes)[i - n], body->size() + 1);
    if (!inAxis || !outAxis)
      return std::nullopt;
    body->insert(body->begin() + *outAxis, (*first)[*inAxis]);
    return body;
  }
  if (type == "Pad" && in.size() >= 2 && (in.size() < 4 || isNone(in[3]))) {
    // Each dim grows by its two pads: the same dim where both are 0. A pad
    // known only at run time (a sequence padded to a multiple of a chunk)
    // makes a symbol of the dim and the two pads.
    std::optional<DimList> x = shape(in[0]);
    std::optional<DimList> pads = elements(in[1]);
    if (!x || !pads || pads->size() != 2 * x->size())
      return std::nullopt;
    DimList out;
    size_t r = x->size();
    for (size_t i = 0; i < r; ++i) {
      Dim begin = (*pads)[i], end = (*pads)[r + i], d = (*x)[i];
      if (begin.isConstant() && end.isConstant())
        out.push_back(d.plus(begin.value() + end.value()));
      else
        out.push_back(derived(/*tag=*/2, {d, begin, end}));
    }
    return out;
  }
  if (type == "Tile" && in.size() == 2) {
    std::optional<DimList> x = shape(in[0]), reps = elements(in[1]);
    if (!x || !reps || reps->size() != x->size())
      return std::nullopt;
    DimList out;
    for (auto [d, rep] : llvm::zip(*x, *reps))
      out.push_back(product({d, rep}));
    return out;
  }
  if (type == "Conv" && in.size() >= 2) {
    // [N, C, spatial...] * [M, C/group, kernel...] -> [N, M, out...]; an
    // output size is computed when its input size is a constant.
    std::optional<DimList> x = shape(in[0]), w = shape(in[1]);
    if (!x || !w || x->size() != w->size() || x->size() < 3)
      return std::nullopt;
    size_t spatial = x->size() - 2;
    auto ints = [&](StringRef name, int64_t fill, size_t count) {
      SmallVector<int64_t> v(count, fill);
      if (auto a = dyn_cast_or_null<DenseI64ArrayAttr>(node.getAttrs().get(name)))
        if (a.size() == static_cast<int64_t>(count))
          v.assign(a.asArrayRef().begin(), a.asArrayRef().end());
      return v;
    };
    SmallVector<int64_t> strides = ints("strides", 1, spatial),
                         dilations = ints("dilations", 1, spatial),
                         pads = ints("pads", 0, 2 * spatial);
    auto autoPad = dyn_cast_or_null<StringAttr>(node.getAttrs().get("auto_pad"));
    bool same = autoPad && autoPad.getValue().starts_with("SAME");
    bool explicitPads = !autoPad || autoPad.getValue() == "NOTSET" || autoPad.getValue() == "VALID";
    DimList out = {(*x)[0], (*w)[0]};
    for (size_t i = 0; i < spatial; ++i) {
      Dim in = (*x)[2 + i], k = (*w)[2 + i];
      if (!in.isConstant() && k.isConstant() && strides[i] == 1 && explicitPads) {
        // A symbolic length with unit stride: shifted by the pads and span.
        out.push_back(in.plus(pads[i] + pads[spatial + i] - dilations[i] * (k.value() - 1)));
      } else if (!in.isConstant() || !k.isConstant() || strides[i] < 1) {
        out.push_back(fresh());
      } else if (same) {
        out.push_back(Dim::constant((in.value() + strides[i] - 1) / strides[i]));
      } else {
        int64_t span = dilations[i] * (k.value() - 1) + 1;
        int64_t size = in.value() + pads[i] + pads[spatial + i] - span;
        out.push_back(size < 0 ? fresh() : Dim::constant(size / strides[i] + 1));
      }
    }
    return out;
  }
  if (type == "TopK" && in.size() == 2) {
    // Values and indices: the input with the axis cut to k.
    std::optional<DimList> s = shape(in[0]), k = elements(in[1]);
    if (!s || !k || k->size() != 1)
      return std::nullopt;
    std::optional<int64_t> axis = normAxis(intAttr(node, "axis").value_or(-1), s->size());
    if (!axis)
      return std::nullopt;
    (*s)[*axis] = (*k)[0];
    return s;
  }
  if (result.getResultNumber() != 0)
    return std::nullopt;
  if (isShapePreserving(type) && !in.empty())
    return shape(in[0]);
  if (isBroadcasting(type)) {
    SmallVector<DimList> all;
    for (Value x : in) {
      std::optional<DimList> s = shape(x);
      if (!s)
        return std::nullopt;
      all.push_back(*s);
    }
    return broadcast(all);
  }
  if (type == "MatMul" && in.size() == 2) {
    std::optional<DimList> a = shape(in[0]), b = shape(in[1]);
    if (!a || !b || a->size() < 2 || b->size() < 2)
      return std::nullopt;
    std::optional<DimList> batch =
        broadcast({DimList(a->begin(), a->end() - 2), DimList(b->begin(), b->end() - 2)});
    if (!batch)
      return std::nullopt;
    batch->push_back((*a)[a->size() - 2]);
    batch->push_back(b->back());
    return batch;
  }
  if (type == "Attention" && in.size() >= 3) {
    // The 4-D form (what hybrid-raise-attention writes): q's [B, Hq, S] and
    // v's head size.
    std::optional<DimList> q = shape(in[0]), v = shape(in[2]);
    if (!q || !v || q->size() != 4 || v->size() != 4)
      return std::nullopt;
    return DimList{(*q)[0], (*q)[1], (*q)[2], (*v)[3]};
  }
  if (type == "Gemm" && in.size() >= 2) {
    std::optional<DimList> a = shape(in[0]), b = shape(in[1]);
    if (!a || !b || a->size() != 2 || b->size() != 2)
      return std::nullopt;
    bool ta = intAttr(node, "transA").value_or(0) != 0;
    bool tb = intAttr(node, "transB").value_or(0) != 0;
    return DimList{(*a)[ta ? 1 : 0], (*b)[tb ? 0 : 1]};
  }
  if (type == "Einsum") {
    // Without "...": each output letter's size from an input it labels (a
    // letter of size 1 in one input and more in another is not broadcast).
    std::optional<EinsumEquation> eq = einsumEquation(node);
    if (!eq)
      return std::nullopt;
    llvm::DenseMap<char, Dim> size;
    for (auto [term, x] : llvm::zip(eq->inputs, in)) {
      std::optional<DimList> s = shape(x);
      if (!s || s->size() != term.size())
        return std::nullopt;
      for (auto [c, d] : llvm::zip(term, *s))
        if (auto [it, inserted] = size.try_emplace(c, d); !inserted && it->second.isOne())
          it->second = d;
    }
    DimList out;
    for (char c : eq->output) {
      auto it = size.find(c);
      if (it == size.end())
        return std::nullopt;
      out.push_back(it->second);
    }
    return out;
  }
  if (type == "Transpose" && in.size() == 1) {
    std::optional<DimList> s = shape(in[0]);
    if (!s)
      return std::nullopt;
    std::optional<SmallVector<int64_t>> perm = transposePerm(node, s->size());
    if (!perm)
      return std::nullopt;
    DimList out;
    for (int64_t p : *perm) {
      if (p < 0 || p >= static_cast<int64_t>(s->size()))
        return std::nullopt;
      out.push_back((*s)[p]);
    }
    return out;
  }
  if (type == "Reshape" && in.size() >= 2) {
    std::optional<DimList> s = shape(in[0]), target = elements(in[1]);
    if (!s || !target)
      return std::nullopt;
    return reshape(*s, *target, intAttr(node, "allowzero").value_or(0) != 0);
  }
  if ((type == "Unsqueeze" || type == "Squeeze") && !in.empty()) {
    std::optional<DimList> s = shape(in[0]);
    std::optional<SmallVector<int64_t>> axes = constAxes(node, 1);
    if (!s || !axes)
      return std::nullopt;
    if (type == "Squeeze") {
      DimList out;
      int64_t r = s->size();
      SmallVector<int64_t> drop;
      for (int64_t a : *axes) {
        std::optional<int64_t> n = normAxis(a, r);
        if (!n)
          return std::nullopt;
        drop.push_back(*n);
      }
      for (int64_t i = 0; i < r; ++i) {
        bool dropped = axes->empty() ? (*s)[i].isOne() : llvm::is_contained(drop, i);
        if (axes->empty() && !(*s)[i].isConstant())
          return std::nullopt; // which dims are 1 is decided at run time
        if (!dropped)
          out.push_back((*s)[i]);
      }
      return out;
    }
    int64_t r = s->size() + axes->size();
    SmallVector<bool> isNew(r, false);
    for (int64_t a : *axes) {
      std::optional<int64_t> n = normAxis(a, r);
      if (!n || isNew[*n])
        return std::nullopt;
      isNew[*n] = true;
    }
    DimList out;
    size_t j = 0;
    for (int64_t i = 0; i < r; ++i)
      out.push_back(isNew[i] ? Dim::constant(1) : (*s)[j++]);
    return out;
  }
  if (type == "Concat" && !in.empty()) {
    SmallVector<DimList> all;
    for (Value x : in) {
      std::optional<DimList> s = shape(x);
      if (!s || (!all.empty() && s->size() != all.front().size()))
        return std::nullopt;
      all.push_back(*s);
    }
    std::optional<int64_t> axis = normAxis(intAttr(node, "axis").value_or(0), all.front().size());
    if (!axis)
      return std::nullopt;
    DimList out = all.front();
    int64_t total = 0;
    std::optional<Dim> onlySymbol;
    bool sum = true;
    for (const DimList &s : all) {
      Dim d = s[*axis];
      if (d.isConstant()) {
        total += d.value();
      } else if (!onlySymbol) {
        onlySymbol = d;
      } else {
        sum = false;
      }
      // Other axes: a constant any input states wins.
      for (size_t i = 0; i < s.size(); ++i)
        if (static_cast<int64_t>(i) != *axis && s[i].isConstant())
          out[i] = s[i];
    }
    if (sum && !onlySymbol)
      out[*axis] = Dim::constant(total);
    else if (sum)
      out[*axis] = onlySymbol->plus(total);
    else
      out[*axis] = fresh();
    return out;
  }
  if (type == "Slice" && in.size() >= 3) {
    std::optional<DimList> s = shape(in[0]);
    // Bounds the shapes determine count as constants (TorchScript's chunk(2)
    // slices at (n + 1) / 2 computed from Shape).
    auto bounds = [&](Value v) -> std::optional<SmallVector<int64_t>> {
      if (std::optional<SmallVector<int64_t>> c = constInts(v))
        return c;
      std::optional<DimList> e = elements(v);
      if (!e || llvm::any_of(*e, [](Dim d) { return !d.isConstant(); }))
        return std::nullopt;
      SmallVector<int64_t> out;
      for (Dim d : *e)
        out.push_back(d.value());
      return out;
    };
    std::optional<SmallVector<int64_t>> starts = bounds(in[1]), ends = bounds(in[2]);
    if (!s || !starts || !ends || starts->size() != ends->size())
      return std::nullopt;
    SmallVector<int64_t> axes, steps(starts->size(), 1);
    if (in.size() >= 4 && !isNone(in[3])) {
      std::optional<SmallVector<int64_t>> a = constInts(in[3]);
      if (!a)
        return std::nullopt;
      axes = *a;
    } else {
      for (size_t i = 0; i < starts->size(); ++i)
        axes.push_back(i);
    }
    if (in.size() >= 5 && !isNone(in[4])) {
      std::optional<SmallVector<int64_t>> st = constInts(in[4]);
      if (!st)
        return std::nullopt;
      steps = *st;
    }
    if (axes.size() != starts->size() || steps.size() != starts->size())
      return std::nullopt;
    DimList out = *s;
    for (size_t i = 0; i < axes.size(); ++i) {
      std::optional<int64_t> a = normAxis(axes[i], s->size());
      if (!a || steps[i] == 0)
        return std::nullopt;
      Dim d = (*s)[*a];
      int64_t b = (*starts)[i], e = (*ends)[i];
      if (!d.isConstant()) {
        // All of a dim of unknown size keeps it.
        bool whole = steps[i] == 1 && b == 0 && e >= std::numeric_limits<int32_t>::max();
        // x[k:-m] of a symbol + c with c >= k + m is that symbol + c - k - m
        // (N[:, :-1] of the c + 1 chunk states is c); clamping never bites.
        bool cut = steps[i] == 1 && b >= 0 && e < 0 && d.offset() + e - b >= 0;
        out[*a] = whole ? d : cut ? d.plus(e - b) : fresh();
        continue;
      }
      int64_t n = d.value();
      auto clampIdx = [&](int64_t x, int64_t lo, int64_t hi) {
        return std::clamp<int64_t>(x < 0 ? x + n : x, lo, hi);
      };
      int64_t len;
      if (steps[i] > 0) {
        b = clampIdx(b, 0, n), e = clampIdx(e, 0, n);
        len = e > b ? (e - b + steps[i] - 1) / steps[i] : 0;
      } else {
        b = clampIdx(b, -1, n - 1), e = clampIdx(e, -1, n - 1);
        len = b > e ? (b - e - steps[i] - 1) / -steps[i] : 0;
      }
      out[*a] = Dim::constant(len);
    }
    return out;
  }
  if (type == "Gather" && in.size() == 2) {
    std::optional<DimList> data = shape(in[0]), idx = shape(in[1]);
    if (!data || !idx)
      return std::nullopt;
    std::optional<int64_t> axis = normAxis(intAttr(node, "axis").value_or(0), data->size());
    if (!axis)
      return std::nullopt;
    DimList out(data->begin(), data->begin() + *axis);
    out.append(idx->begin(), idx->end());
    out.append(data->begin() + *axis + 1, data->end());
    return out;
  }
  if (type == "Expand" && in.size() == 2) {
    std::optional<DimList> s = shape(in[0]), target = elements(in[1]);
    if (!s || !target)
      return std::nullopt;
    return broadcast({*s, *target});
  }
  if (type == "ConstantOfShape" && !in.empty())
    return elements(in[0]);
  if (type == "Range") {
    if (std::optional<Dim> n = rangeLength(node))
      return DimList{*n};
    return DimList{fresh()};
  }
  if (type == "Shape" && !in.empty()) {
    if (std::optional<DimList> e = elements(v))
      return DimList{Dim::constant(e->size())};
    return std::nullopt;
  }
  if (type == "Size")
    return DimList{};
  if (type.starts_with("Reduce") && !in.empty()) {
    std::optional<DimList> s = shape(in[0]);
    std::optional<SmallVector<int64_t>> axes = constAxes(node, 1);
    if (!s || !axes)
      return std::nullopt;
    int64_t r = s->size();
    SmallVector<bool> reduced(r,
                              axes->empty() && !intAttr(node, "noop_with_empty_axes").value_or(0));
    for (int64_t a : *axes) {
      std::optional<int64_t> n = normAxis(a, r);
      if (!n)
        return std::nullopt;
      reduced[*n] = true;
    }
    bool keep = intAttr(node, "keepdims").value_or(1) != 0;
    DimList out;
    for (int64_t i = 0; i < r; ++i) {
      if (!reduced[i])
        out.push_back((*s)[i]);
      else if (keep)
        out.push_back(Dim::constant(1));
    }
    return out;
  }
  return std::nullopt;
}
