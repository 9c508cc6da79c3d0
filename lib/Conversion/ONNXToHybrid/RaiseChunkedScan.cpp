//===- RaiseChunkedScan.cpp - Mamba-2's chunked SSD into one scan ---------===//
//
// Part of hybrid-raise-scans. Mamba-2's PyTorch paths compute the scan chunk
// by chunk (the "state space dual" algorithm): transformers' torch_forward
// with broadcast Mul + ReduceSum, mamba_ssm's ssd_minimal_discrete with
// Einsum. Over chunks X [b, c, l, h, p] (x already times dt), a [b, h, c, l]
// (A * dt), B and C [b, c, l, h, n], with A_cs = CumSum(a, -1):
//
//   Y_diag = sum_{s,n} C[bclhn] B[bcshn] Exp(segsum(a))[bhcls] X[bcshp]
//   S      = sum_l B[bclhn] Exp(A_cs[..., -1:] - A_cs)[bhcl] X[bclhp]
//   N      = sum_y Exp(segsum(Pad(A_cs[..., -1], 1 before)))[bhzy]
//                  Concat(S0, S, axis 1)[byhpn]
//   Y_off  = sum_n C[bclhn] N[:, :-1][bchpn] Exp(A_cs)[bhcl]
//   y      = Y_diag + Y_off          the final state N[:, -1] [b, h, p, n]
//
// where segsum(x)[..., i, j] = x[j+1] + ... + x[i] for j <= i and -inf above
// the diagonal. That is exactly the gated linear-attention recurrence over the
// c*l steps in order: S_t = exp(a_t) S_{t-1} + B_t X_t^T, y_t = C_t S_t, so y
// becomes one com.microsoft LinearAttention (update rule gated, q = C, k = B,
// v = X, decay a, scale 1) on the chunks flattened back to [b, c*l, ...], and
// the final state its present state transposed (hence hybrid.linear_attention).
//
// The match reads every contraction as a sum of products over index labels
// (Mul with numpy broadcasting, Unsqueeze, Squeeze, Transpose, ReduceSum,
// Einsum), so the exporters' different spellings of one contraction compare
// equal, and requires the labels that broadcasting identifies to be sizes the
// symbolic shapes prove equal. Segment sums are recognised in both forms
// (Expand + strict lower mask + CumSum along -2, or the difference of a
// CumSum), their masks as constants or as Trilu of ones built at run time.
// S0 is zeros (no past state) or any [b, 1, h, p, n] state. What the graph
// does around the chunks (dt, the padding, D's skip) stays as written.
//
//===----------------------------------------------------------------------===//
#include "lib/Conversion/ONNXToHybrid/Passes.h"
#include "lib/Conversion/ONNXToHybrid/RaiseUtils.h"

#include <numeric>

using namespace mlir;
using hybrid::onnx::NodeOp;
using namespace hybrid::raising;

namespace {

/// A tensor of zeros: ConstantOfShape of 0 (its default), Expand of a zero
/// or a zero constant.
bool isZeros(Value v) {
  v = throughIdentity(v);
  if (NodeOp fill = producer(v, {"ConstantOfShape"})) {
    auto value = dyn_cast_or_null<DenseElementsAttr>(fill.getAttrs().get("value"));
    auto fps = dyn_cast_or_null<DenseFPElementsAttr>(value);
    return !value || (fps && fps.getNumElements() == 1 && (*fps.begin()).isZero());
  }
  if (NodeOp expand = producer(v, {"Expand"}); expand && expand.getInputs().size() == 2)
    return isZeros(expand.getInputs()[0]);
  if (auto fps = dyn_cast_or_null<DenseFPElementsAttr>(constValue(v)))
    return llvm::all_of(fps.getValues<APFloat>(), [](const APFloat &x) { return x.isZero(); });
  return false;
}

//===----------------------------------------------------------------------===//
// Contractions as sums of products over labels
//===----------------------------------------------------------------------===//

/// The label of a size-1 dim: it broadcasts against anything.
constexpr int kOne = -1;

/// One factor of a product: a value computed some other way (a leaf), with a
/// label per dim.
struct Factor {
  Value leaf;
  SmallVector<int> labels;
};

/// out[labels] = sum over `summed` of the product of `factors`.
struct Term {
  SmallVector<Factor> factors;
  SmallVector<int> out;
  SmallVector<int> summed;
};

/// Builds Terms; labels that broadcasting identifies are unified (union-find)
/// when the shapes prove their sizes equal.
class Contractions {
public:
  explicit Contractions(ShapeInference &shapes) : shapes(shapes) {}

  /// `v` as a Term with every label resolved; nullopt when a rank or a size
  /// is not known or labels of different sizes would be identified.
  std::optional<Term> term(Value v) {
    std::optional<Term> t = build(v, 0);
    if (!t)
      return std::nullopt;
    auto resolve = [&](SmallVectorImpl<int> &labels) {
      for (int &l : labels)
        l = find(l);
    };
    for (Factor &f : t->factors)
      resolve(f.labels);
    resolve(t->out);
    resolve(t->summed);
    llvm::sort(t->summed);
    t->summed.erase(std::unique(t->summed.begin(), t->summed.end()), t->summed.end());
    return t;
  }

private:
  int fresh(Dim size) {
    if (size.isOne())
      return kOne;
    parent.push_back(static_cast<int>(parent.size()));
    sizes.push_back(size);
    return parent.back();
  }
  int find(int l) {
    if (l == kOne)
      return l;
    while (parent[l] != l)
      l = parent[l] = parent[parent[l]];
    return l;
  }
  /// The label two broadcast dims share; nullopt when their sizes may differ.
  std::optional<int> unify(int a, int b) {
    if (a == kOne)
      return b;
    if (b == kOne)
      return a;
    a = find(a);
    b = find(b);
    if (a == b)
      return a;
    if (sizes[a] != sizes[b])
      return std::nullopt;
    parent[b] = a;
    return a;
  }

  std::optional<Term> leaf(Value v) {
    std::optional<DimList> s = leafShape(v);
    if (!s)
      return std::nullopt;
    Term t;
    Factor f{v, {}};
    for (Dim d : *s)
      f.labels.push_back(fresh(d));
    t.out = f.labels;
    t.factors.push_back(std::move(f));
    return t;
  }

  /// `v`'s shape; for Concat(zeros_like(x[:, :1]), x) on axis 1 (the chunk
  /// states after a zero initial state) x's with one more on axis 1, which
  /// holds whenever x has a chunk at all.
  std::optional<DimList> leafShape(Value v) {
    NodeOp concat = producer(v, {"Concat"});
    if (!concat || concat.getInputs().size() != 2 || intAttr(concat, "axis") != 1)
      return shapes.shape(v);
    Value x = throughIdentity(concat.getInputs()[1]);
    Value zeros = throughIdentity(concat.getInputs()[0]);
    NodeOp fill = producer(zeros, {"ConstantOfShape", "Expand"});
    Value dims = !fill || !isZeros(zeros) ? Value()
                 : fill.getOpType() == "Expand" ? fill.getInputs()[1]
                                                : fill.getInputs()[0];
    NodeOp shapeOf = dims ? producer(throughIdentity(dims), {"Shape"}) : nullptr;
    NodeOp first = shapeOf && !shapeOf.getAttrs().get("start") && !shapeOf.getAttrs().get("end")
                       ? producer(throughIdentity(shapeOf.getInputs()[0]), {"Slice"})
                       : nullptr;
    std::optional<DimList> xs = shapes.shape(x);
    if (!first || throughIdentity(first.getInputs()[0]) != x || !xs || xs->size() < 2)
      return shapes.shape(v);
    ValueRange in = first.getInputs();
    std::optional<SmallVector<int64_t>> starts = constInts(in[1]), ends = constInts(in[2]);
    std::optional<SmallVector<int64_t>> axes =
        in.size() > 3 ? constInts(in[3]) : std::optional<SmallVector<int64_t>>();
    bool steps = in.size() <= 4 || isa<NoneType>(in[4].getType()) ||
                 constInts(in[4]) == SmallVector<int64_t>{1};
    if (!starts || !ends || !axes || *starts != SmallVector<int64_t>{0} ||
        *ends != SmallVector<int64_t>{1} || *axes != SmallVector<int64_t>{1} || !steps)
      return shapes.shape(v);
    (*xs)[1] = (*xs)[1].plus(1);
    return xs;
  }

  std::optional<Term> build(Value v, int depth) {
    v = throughIdentity(v);
    auto node = v.getDefiningOp<NodeOp>();
    if (depth > 32 || !node || !node.getDomain().empty() || node.getOutputs()[0] != v)
      return leaf(v);
    StringRef type = node.getOpType();
    ValueRange in = node.getInputs();
    if (type == "Mul" && in.size() == 2)
      return mul(in[0], in[1], depth);
    if ((type == "Unsqueeze" || type == "Squeeze" || type == "ReduceSum") && !in.empty()) {
      std::optional<SmallVector<int64_t>> axes = constAxes(node, 1);
      if (!axes)
        return leaf(v);
      std::optional<Term> t = build(in[0], depth + 1);
      if (!t)
        return std::nullopt;
      int64_t rank = static_cast<int64_t>(t->out.size());
      if (type == "Unsqueeze")
        rank += static_cast<int64_t>(axes->size());
      SmallVector<int64_t> norm;
      for (int64_t a : *axes) {
        if (a < -rank || a >= rank)
          return std::nullopt;
        norm.push_back(a < 0 ? a + rank : a);
      }
      llvm::sort(norm);
      if (type == "Unsqueeze") {
        for (int64_t a : norm)
          t->out.insert(t->out.begin() + a, kOne);
        return t;
      }
      if (type == "Squeeze") {
        if (norm.empty())
          return leaf(v); // which dims go is decided at run time
        for (int64_t a : llvm::reverse(norm)) {
          if (t->out[a] != kOne)
            return std::nullopt;
          t->out.erase(t->out.begin() + a);
        }
        return t;
      }
      // ReduceSum: no axes reduces all of them unless noop_with_empty_axes.
      if (norm.empty()) {
        if (intAttr(node, "noop_with_empty_axes").value_or(0))
          return t;
        norm.resize(rank);
        std::iota(norm.begin(), norm.end(), 0);
      }
      bool keep = intAttr(node, "keepdims").value_or(1) != 0;
      for (int64_t a : llvm::reverse(norm)) {
        if (t->out[a] != kOne)
          t->summed.push_back(t->out[a]);
        if (keep)
          t->out[a] = kOne;
        else
          t->out.erase(t->out.begin() + a);
      }
      return t;
    }
    if (type == "Transpose" && in.size() == 1) {
      std::optional<Term> t = build(in[0], depth + 1);
      if (!t)
        return std::nullopt;
      std::optional<SmallVector<int64_t>> perm = transposePerm(node, t->out.size());
      if (!perm)
        return std::nullopt;
      SmallVector<int> out;
      for (int64_t p : *perm) {
        if (p < 0 || p >= static_cast<int64_t>(t->out.size()))
          return std::nullopt;
        out.push_back(t->out[p]);
      }
      t->out = std::move(out);
      return t;
    }
    if (type == "Einsum" && einsumEquation(node))
      return einsum(node, depth);
    return leaf(v);
  }

  std::optional<Term> mul(Value a, Value b, int depth) {
    std::optional<Term> ta = build(a, depth + 1), tb = build(b, depth + 1);
    if (!ta || !tb)
      return std::nullopt;
    size_t ra = ta->out.size(), rb = tb->out.size(), r = std::max(ra, rb);
    Term t;
    for (size_t i = 0; i < r; ++i) {
      int la = i + ra >= r ? ta->out[i + ra - r] : kOne;
      int lb = i + rb >= r ? tb->out[i + rb - r] : kOne;
      std::optional<int> l = unify(la, lb);
      if (!l)
        return std::nullopt;
      t.out.push_back(*l);
    }
    t.factors = std::move(ta->factors);
    t.factors.append(tb->factors.begin(), tb->factors.end());
    t.summed = std::move(ta->summed);
    t.summed.append(tb->summed.begin(), tb->summed.end());
    return t;
  }

  /// An Einsum without "...": operand terms joined letter by letter, the
  /// letters missing from the output summed.
  std::optional<Term> einsum(NodeOp node, int depth) {
    std::optional<EinsumEquation> eq = einsumEquation(node);
    if (!eq)
      return std::nullopt;
    StringRef outLetters = eq->output;
    llvm::DenseMap<char, int> letter;
    Term t;
    for (auto [text, input] : llvm::zip(eq->inputs, node.getInputs())) {
      std::optional<Term> ti = build(input, depth + 1);
      if (!ti || ti->out.size() != text.size())
        return std::nullopt;
      for (auto [c, l] : llvm::zip(text, ti->out)) {
        auto [it, inserted] = letter.try_emplace(c, l);
        if (inserted)
          continue;
        // Einsum does not broadcast: one letter, one size.
        if ((it->second == kOne) != (l == kOne))
          return std::nullopt;
        std::optional<int> u = unify(it->second, l);
        if (!u)
          return std::nullopt;
        it->second = *u;
      }
      t.factors.append(ti->factors.begin(), ti->factors.end());
      t.summed.append(ti->summed.begin(), ti->summed.end());
    }
    for (char c : outLetters) {
      auto it = letter.find(c);
      if (it == letter.end())
        return std::nullopt;
      t.out.push_back(it->second);
    }
    for (auto [c, l] : letter)
      if (!outLetters.contains(c) && l != kOne)
        t.summed.push_back(l);
    return t;
  }

  ShapeInference &shapes;
  SmallVector<int> parent;
  SmallVector<Dim> sizes;
};

/// Matches a resolved Term against `out` = sum over `summed` of the factors
/// `want` (one string of index letters per factor, a letter per dim, any
/// order of factors). `leaves[i]`, when set, is the value factor i must be;
/// on success every entry is the factor's leaf.
bool matchTerm(const Term &t, StringRef out, StringRef summed, ArrayRef<StringRef> want,
               SmallVectorImpl<Value> &leaves) {
  if (t.factors.size() != want.size() || t.out.size() != out.size())
    return false;
  SmallVector<unsigned> perm(want.size());
  std::iota(perm.begin(), perm.end(), 0u);
  do {
    llvm::DenseMap<char, int> labelOf;
    llvm::DenseMap<int, char> letterOf;
    // One letter, one label; two letters share a label only when it is kOne.
    auto bind = [&](char c, int l) {
      auto [it, inserted] = labelOf.try_emplace(c, l);
      if (!inserted)
        return it->second == l;
      if (l == kOne)
        return true;
      return letterOf.try_emplace(l, c).second;
    };
    bool ok = true;
    for (auto [c, l] : llvm::zip(out, t.out))
      ok = ok && bind(c, l);
    for (unsigned i = 0; ok && i < want.size(); ++i) {
      const Factor &f = t.factors[perm[i]];
      if (f.labels.size() != want[i].size() || (leaves[i] && leaves[i] != f.leaf)) {
        ok = false;
        break;
      }
      for (auto [c, l] : llvm::zip(want[i], f.labels))
        ok = ok && bind(c, l);
    }
    if (!ok)
      continue;
    // The summed labels are exactly those of the summed letters.
    SmallVector<int> wantSummed;
    for (char c : summed)
      if (auto it = labelOf.find(c); it != labelOf.end() && it->second != kOne)
        wantSummed.push_back(it->second);
    llvm::sort(wantSummed);
    if (wantSummed != t.summed)
      continue;
    for (unsigned i = 0; i < want.size(); ++i)
      leaves[i] = t.factors[perm[i]].leaf;
    return true;
  } while (std::next_permutation(perm.begin(), perm.end()));
  return false;
}

//===----------------------------------------------------------------------===//
// Segment sums and their masks
//===----------------------------------------------------------------------===//

/// A boolean band of the last two dims: true at (i, j) iff j - i <= k
/// (`lower`), or iff j - i >= k; `side` is the square's side.
struct Band {
  bool lower;
  int64_t k;
  Dim side;
};

std::optional<Band> band(Value v, ShapeInference &shapes, int depth = 0) {
  v = throughIdentity(v);
  if (depth > 8)
    return std::nullopt;
  if (DenseElementsAttr c = constValue(v)) {
    // A constant [1.., m, m]: find the band it is.
    ArrayRef<int64_t> shape = c.getType().getShape();
    if (shape.size() < 2 || shape.back() != shape[shape.size() - 2] || shape.back() > 1024 ||
        !c.getElementType().isSignlessInteger())
      return std::nullopt;
    int64_t m = shape.back();
    if (c.getNumElements() != m * m)
      return std::nullopt;
    SmallVector<bool> at;
    for (const APInt &x : c.getValues<APInt>())
      at.push_back(!x.isZero());
    for (bool lower : {true, false})
      for (int64_t k = -m; k <= m; ++k) {
        bool all = true;
        for (int64_t i = 0; all && i < m; ++i)
          for (int64_t j = 0; all && j < m; ++j)
            all = at[i * m + j] == (lower ? j - i <= k : j - i >= k);
        if (all)
          return Band{lower, k, Dim::constant(m)};
      }
    return std::nullopt;
  }
  auto node = v.getDefiningOp<NodeOp>();
  if (!node || !node.getDomain().empty() || node.getOutputs()[0] != v || node.getInputs().empty())
    return std::nullopt;
  StringRef type = node.getOpType();
  ValueRange in = node.getInputs();
  if (type == "Not") {
    std::optional<Band> b = band(in[0], shapes, depth + 1);
    if (b)
      *b = b->lower ? Band{false, b->k + 1, b->side} : Band{true, b->k - 1, b->side};
    return b;
  }
  if (type == "Cast" && intAttr(node, "to") == 9 /* BOOL */)
    return band(in[0], shapes, depth + 1);
  if (type != "Trilu")
    return std::nullopt;
  // Trilu of all-true (or nonzero) [1.., m, m]: ConstantOfShape of a nonzero
  // value, a nonzero scalar Expanded (torch.ones as dynamo writes it), or a
  // constant.
  Value ones = throughIdentity(in[0]);
  auto nonzeroScalar = [](Attribute a) {
    auto ints = dyn_cast_or_null<DenseIntElementsAttr>(a);
    auto fps = dyn_cast_or_null<DenseFPElementsAttr>(a);
    return (ints && ints.getNumElements() == 1 && !(*ints.begin()).isZero()) ||
           (fps && fps.getNumElements() == 1 && !(*fps.begin()).isZero());
  };
  // The side of the square [1.., m, m] the shape value `dims` states.
  auto squareSide = [&](Value dims) -> std::optional<Dim> {
    std::optional<DimList> d = shapes.elements(dims);
    if (!d || d->size() < 2 || d->back() != (*d)[d->size() - 2])
      return std::nullopt;
    for (size_t i = 0; i + 2 < d->size(); ++i)
      if (!(*d)[i].isOne())
        return std::nullopt;
    return d->back();
  };
  std::optional<Dim> side;
  if (NodeOp fill = producer(ones, {"ConstantOfShape"})) {
    if (nonzeroScalar(fill.getAttrs().get("value")))
      side = squareSide(fill.getInputs()[0]);
  } else if (NodeOp expand = producer(ones, {"Expand"})) {
    if (expand.getInputs().size() == 2 && nonzeroScalar(constValue(expand.getInputs()[0])))
      side = squareSide(expand.getInputs()[1]);
  } else if (auto c = dyn_cast_or_null<DenseIntElementsAttr>(constValue(ones))) {
    ArrayRef<int64_t> shape = c.getType().getShape();
    if (shape.size() >= 2 && shape.back() == shape[shape.size() - 2] &&
        llvm::all_of(c.getValues<APInt>(), [](const APInt &x) { return !x.isZero(); }))
      side = Dim::constant(shape.back());
  }
  if (!side)
    return std::nullopt;
  std::optional<int64_t> k = triluDiagonal(node);
  if (!k)
    return std::nullopt;
  // tril keeps j <= i + k, triu j >= i + k.
  return Band{intAttr(node, "upper").value_or(1) == 0, *k, *side};
}

/// `v` is Where(mask, fill, x) with the mask true exactly on `where` (or
/// Where(mask, x, fill) with the complement), over the last two dims of
/// side `side`: returns x.
Value maskedFill(Value v, double fill, bool lower, int64_t k, Dim side, ShapeInference &shapes) {
  NodeOp w = producer(throughIdentity(v), {"Where"});
  if (!w || w.getInputs().size() != 3)
    return nullptr;
  std::optional<Band> b = band(w.getInputs()[0], shapes);
  if (!b || b->side != side)
    return nullptr;
  Band complement = lower ? Band{false, k + 1, side} : Band{true, k - 1, side};
  auto is = [&](Value x) {
    std::optional<double> c = constScalar(throughIdentity(x));
    return c && *c == fill;
  };
  if (b->lower == lower && b->k == k && is(w.getInputs()[1]))
    return w.getInputs()[2];
  if (b->lower == complement.lower && b->k == complement.k && is(w.getInputs()[2]))
    return w.getInputs()[1];
  return nullptr;
}

/// `axis` of a CumSum (exclusive = reverse = 0) of a rank-`rank` tensor.
Value cumsumOf(Value v, int64_t axis, int64_t rank) {
  NodeOp n = producer(throughIdentity(v), {"CumSum"});
  if (!n || n.getInputs().size() != 2 || intAttr(n, "exclusive").value_or(0) ||
      intAttr(n, "reverse").value_or(0))
    return nullptr;
  std::optional<SmallVector<int64_t>> a = constInts(n.getInputs()[1]);
  if (!a || a->size() != 1 || ((*a)[0] != axis && (*a)[0] != axis - rank))
    return nullptr;
  return n.getInputs()[0];
}

/// x when `v` = segsum(x) along x's last dim: v[..., i, j] = x[j+1] + ... +
/// x[i] for j <= i, -inf above the diagonal, written as
///   Where(j > i, -inf, CumSum(Where(j >= i, 0, Expand(Unsqueeze(x, -1))), -2))
/// or Where(j > i, -inf, Unsqueeze(CumSum(x, -1), -1) - Unsqueeze(.., -2))
/// (either Where spelled with the complementary mask).
Value segsumOf(Value v, ShapeInference &shapes) {
  std::optional<DimList> s = shapes.shape(throughIdentity(v));
  if (!s || s->size() < 2)
    return nullptr;
  int64_t rank = static_cast<int64_t>(s->size());
  Dim side = s->back();
  if ((*s)[rank - 2] != side)
    return nullptr;
  Value body = maskedFill(v, -std::numeric_limits<double>::infinity(), /*lower=*/false, 1, side,
                          shapes);
  if (!body)
    return nullptr;
  auto ofSide = [&](Value x) -> Value {
    std::optional<DimList> xs = x ? shapes.shape(x) : std::nullopt;
    if (!xs || static_cast<int64_t>(xs->size()) != rank - 1 || xs->back() != side)
      return nullptr;
    for (int64_t i = 0; i + 2 < rank; ++i)
      if ((*xs)[i] != (*s)[i])
        return nullptr;
    return x;
  };
  if (Value masked = cumsumOf(body, rank - 2, rank)) {
    Value e = maskedFill(masked, 0.0, /*lower=*/false, 0, side, shapes);
    NodeOp expand = e ? producer(throughIdentity(e), {"Expand"}) : nullptr;
    if (!expand || expand.getInputs().size() != 2)
      return nullptr;
    std::optional<DimList> es = shapes.shape(expand.getOutputs()[0]);
    if (!es || *es != *s)
      return nullptr;
    return ofSide(unsqueezed(throughIdentity(expand.getInputs()[0]), {rank - 1}, rank));
  }
  if (NodeOp sub = producer(throughIdentity(body), {"Sub"}); sub && sub.getInputs().size() == 2) {
    Value c0 = unsqueezed(throughIdentity(sub.getInputs()[0]), {rank - 1}, rank);
    Value c1 = unsqueezed(throughIdentity(sub.getInputs()[1]), {rank - 2}, rank);
    if (!c0 || throughIdentity(c0) != throughIdentity(c1))
      return nullptr;
    return ofSide(cumsumOf(c0, rank - 2, rank - 1));
  }
  return nullptr;
}

/// x when `v` is Exp(x).
Value expOf(Value v) {
  NodeOp n = producer(throughIdentity(v), {"Exp"});
  return n ? throughIdentity(n.getInputs()[0]) : nullptr;
}

/// The constant Slice of `v` along `axis` (of `rank`): data, start, end.
struct SliceOf {
  Value data;
  int64_t start, end;
};
std::optional<SliceOf> sliceOf(Value v, int64_t axis, int64_t rank) {
  NodeOp n = producer(throughIdentity(v), {"Slice"});
  if (!n || n.getInputs().size() < 3)
    return std::nullopt;
  ValueRange in = n.getInputs();
  std::optional<SmallVector<int64_t>> starts = constInts(in[1]), ends = constInts(in[2]);
  std::optional<SmallVector<int64_t>> axes =
      in.size() > 3 && !isa<NoneType>(in[3].getType()) ? constInts(in[3])
                                                       : std::optional<SmallVector<int64_t>>();
  if (!starts || !ends || starts->size() != 1 || ends->size() != 1 || !axes || axes->size() != 1 ||
      ((*axes)[0] != axis && (*axes)[0] != axis - rank))
    return std::nullopt;
  if (in.size() > 4 && !isa<NoneType>(in[4].getType())) {
    std::optional<SmallVector<int64_t>> steps = constInts(in[4]);
    if (!steps || steps->size() != 1 || (*steps)[0] != 1)
      return std::nullopt;
  }
  return SliceOf{throughIdentity(in[0]), (*starts)[0], (*ends)[0]};
}

/// An end at or past any size (torch writes INT64_MAX for `x[k:]`).
bool toTheEnd(int64_t end) { return end >= (int64_t(1) << 31) - 1; }

/// x when `v` is x[..., -1] along `axis` (of x's `rank`): Gather of the
/// scalar -1, or Squeeze(Slice(-1:)).
Value lastOf(Value v, int64_t axis, int64_t rank) {
  v = throughIdentity(v);
  if (NodeOp g = producer(v, {"Gather"}); g && g.getInputs().size() == 2) {
    int64_t a = intAttr(g, "axis").value_or(0);
    DenseElementsAttr idx = constValue(g.getInputs()[1]);
    std::optional<SmallVector<int64_t>> i = constInts(g.getInputs()[1]);
    if ((a == axis || a == axis - rank) && idx && idx.getType().getRank() == 0 && i &&
        (*i)[0] == -1)
      return throughIdentity(g.getInputs()[0]);
    return nullptr;
  }
  if (NodeOp sq = producer(v, {"Squeeze"})) {
    std::optional<SmallVector<int64_t>> a = constAxes(sq, 1);
    if (!a || a->size() != 1 || ((*a)[0] != axis && (*a)[0] != axis - rank))
      return nullptr;
    std::optional<SliceOf> s = sliceOf(sq.getInputs()[0], axis, rank);
    if (s && s->start == -1 && toTheEnd(s->end))
      return s->data;
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// The match
//===----------------------------------------------------------------------===//

struct ChunkedScan {
  NodeOp add;         // y = Y_diag + Y_off
  Value x, b, c;      // [b, c, l, h, p|n]
  Value a;            // [b, h, c, l]
  Value init;         // [b, 1, h, p, n]; null: zeros
  Value states;       // N [b, c+1, h, p, n]
  Value finalState;   // N[:, -1], null when unused
  int64_t heads, p, n, chunk;
};

std::optional<ChunkedScan> matchChunkedScan(NodeOp add, ShapeInference &shapes) {
  if (add.getInputs().size() != 2)
    return std::nullopt;
  Contractions terms(shapes);
  for (int order = 0; order < 2; ++order) {
    ChunkedScan m{};
    m.add = add;
    Value diagV = add.getInputs()[order], offV = add.getInputs()[1 - order];
    std::optional<Term> diag = terms.term(diagV);
    // Y_diag: C, B, L, X.
    SmallVector<Value> d(4);
    if (!diag || !matchTerm(*diag, "bclhp", "sn", {"bclhn", "bcshn", "bhcls", "bcshp"}, d))
      continue;
    m.c = d[0];
    m.b = d[1];
    m.x = d[3];
    Value seg = expOf(d[2]);
    m.a = seg ? throughIdentity(segsumOf(seg, shapes)) : Value();
    if (!m.a)
      continue;
    // Y_off: C, N[:, :-1], Exp(A_cs).
    std::optional<Term> off = terms.term(offV);
    SmallVector<Value> o = {m.c, Value(), Value()};
    if (!off || !matchTerm(*off, "bclhp", "n", {"bclhn", "bchpn", "bhcl"}, o))
      continue;
    Value acs = expOf(o[2]);
    if (!acs || throughIdentity(cumsumOf(acs, 3, 4)) != m.a)
      continue;
    std::optional<SliceOf> before = sliceOf(o[1], 1, 5);
    if (!before || before->start != 0 || before->end != -1)
      continue;
    m.states = before->data;
    // N = sum_y Exp(segsum(Pad(A_cs[..., -1])))[bhzy] Concat(S0, S)[byhpn].
    std::optional<Term> next = terms.term(m.states);
    SmallVector<Value> nx(2);
    if (!next || !matchTerm(*next, "bzhpn", "y", {"bhzy", "byhpn"}, nx))
      continue;
    Value decay = expOf(nx[0]);
    Value padded = decay ? throughIdentity(segsumOf(decay, shapes)) : Value();
    NodeOp pad = padded ? producer(padded, {"Pad"}) : nullptr;
    auto mode = pad ? dyn_cast_or_null<StringAttr>(pad.getAttrs().get("mode")) : nullptr;
    if (!pad || pad.getInputs().size() < 2 || (mode && mode.getValue() != "constant"))
      continue;
    std::optional<SmallVector<int64_t>> pads = constInts(pad.getInputs()[1]);
    if (!pads || *pads != SmallVector<int64_t>{0, 0, 1, 0, 0, 0})
      continue;
    if (pad.getInputs().size() > 2 && !isa<NoneType>(pad.getInputs()[2].getType()))
      if (std::optional<double> fill = constScalar(pad.getInputs()[2]); !fill || *fill != 0.0)
        continue;
    if (pad.getInputs().size() > 3 && !isa<NoneType>(pad.getInputs()[3].getType()))
      continue;
    if (lastOf(pad.getInputs()[0], 3, 4) != acs)
      continue;
    NodeOp concat = producer(throughIdentity(nx[1]), {"Concat"});
    if (!concat || concat.getInputs().size() != 2 ||
        (intAttr(concat, "axis") != 1 && intAttr(concat, "axis") != -4))
      continue;
    Value init = concat.getInputs()[0];
    m.init = isZeros(init) ? Value() : init;
    // S = sum_l B[bclhn] Exp(A_cs[..., -1:] - A_cs)[bhcl] X[bclhp].
    std::optional<Term> chunkStates = terms.term(concat.getInputs()[1]);
    SmallVector<Value> st = {m.b, Value(), m.x};
    if (!chunkStates || !matchTerm(*chunkStates, "bchpn", "l", {"bclhn", "bhcl", "bclhp"}, st))
      continue;
    NodeOp sub = producer(throughIdentity(expOf(st[1]) ? expOf(st[1]) : Value()), {"Sub"});
    if (!sub || sub.getInputs().size() != 2 || throughIdentity(sub.getInputs()[1]) != acs)
      continue;
    std::optional<SliceOf> tail = sliceOf(sub.getInputs()[0], 3, 4);
    if (!tail || tail->data != acs || tail->start != -1 || !toTheEnd(tail->end))
      continue;
    // N's other readers: only its last state (or nothing).
    bool others = false;
    for (Operation *user : m.states.getUsers()) {
      auto u = dyn_cast<NodeOp>(user);
      if (u && u.getOutputs().size() == 1 && u.getOutputs()[0] == throughIdentity(o[1]))
        continue;
      if (u && lastOf(u.getOutputs()[0], 1, 5) == m.states && !m.finalState) {
        m.finalState = u.getOutputs()[0];
        continue;
      }
      others = true;
    }
    if (others)
      continue;
    // The sizes the flattened op needs: constant heads, p, n and chunk; the
    // chunk tensors' [b, c, l, h] and a's [b, h, c, l] the same sizes.
    std::optional<DimList> xs = shapes.shape(m.x), cs = shapes.shape(m.c), bs = shapes.shape(m.b),
                           as = shapes.shape(m.a);
    if (!xs || !cs || !bs || !as || xs->size() != 5 || cs->size() != 5 || *cs != *bs ||
        as->size() != 4)
      continue;
    DimList &X = *xs;
    if ((*cs)[0] != X[0] || (*cs)[1] != X[1] || (*cs)[2] != X[2] || (*cs)[3] != X[3] ||
        (*as)[0] != X[0] || (*as)[1] != X[3] || (*as)[2] != X[1] || (*as)[3] != X[2])
      continue;
    if (!X[2].isConstant() || !X[3].isConstant() || !X[4].isConstant() || !(*cs)[4].isConstant())
      continue;
    m.chunk = X[2].value();
    m.heads = X[3].value();
    m.p = X[4].value();
    m.n = (*cs)[4].value();
    if (m.init) {
      std::optional<DimList> is = shapes.shape(m.init);
      if (!is || is->size() != 5 || (*is)[0] != X[0] || !(*is)[1].isOne() ||
          (*is)[2] != X[3] || (*is)[3] != X[4] || (*is)[4] != (*cs)[4])
        continue;
    }
    return m;
  }
  return std::nullopt;
}

void raiseChunkedScan(ChunkedScan &m) {
  NodeWriter w(m.add);
  OpBuilder &b = w.b;
  auto attr = [&](StringRef n, ArrayRef<int64_t> v) {
    return w.attr(n, b.getDenseI64ArrayAttr(v));
  };
  // [b, c, l, h, d] -> [b, c*l, h*d]; a [b, h, c, l] -> [b, c, l, h] -> [b, c*l, h].
  auto flat = [&](Value v, int64_t d, StringRef suffix) {
    return w.value("Reshape", {v, w.i64s({0, -1, m.heads * d})}, suffix);
  };
  Value q = flat(m.c, m.n, "/raised_q"), k = flat(m.b, m.n, "/raised_k"),
        v = flat(m.x, m.p, "/raised_v");
  Value decay = w.value("Transpose", {m.a}, "/raised_decay_t", {attr("perm", {0, 2, 3, 1})});
  decay = w.value("Reshape", {decay, w.i64s({0, -1, m.heads})}, "/raised_decay");
  Value init = w.none();
  if (m.init) {
    // [b, 1, h, p, n] -> [b, h, n, p] (LinearAttention's [B, H, Dk, Dv]).
    Value s = w.value("Squeeze", {m.init, w.i64s({1})}, "/raised_state0_squeeze");
    init = w.value("Transpose", {s}, "/raised_state0", {attr("perm", {0, 1, 3, 2})});
  }
  NodeOp la = w.node(
      "LinearAttention", {q, k, v, init, decay, w.none()}, {w.unknown, w.unknown},
      "/raised_linear_attention",
      {w.attr("q_num_heads", m.heads), w.attr("kv_num_heads", m.heads),
       NamedAttribute(b.getStringAttr("update_rule"), b.getStringAttr("gated")),
       NamedAttribute(b.getStringAttr("scale"), b.getF32FloatAttr(1.0f))},
      "com.microsoft", 1);
  Value y = w.value("Reshape", {la.getOutputs()[0], w.i64s({0, -1, m.chunk, m.heads, m.p})},
                    "/raised_y", {}, m.add.getOutputs()[0].getType());
  Value states = m.states;
  m.add.getOutputs()[0].replaceAllUsesWith(y);
  if (m.finalState) {
    Value last = w.value("Transpose", {la.getOutputs()[1]}, "/raised_state",
                         {attr("perm", {0, 1, 3, 2})}, m.finalState.getType());
    Operation *gather = m.finalState.getDefiningOp();
    m.finalState.replaceAllUsesWith(last);
    eraseUnused({gather});
  }
  SmallVector<Operation *> dead = {m.add};
  if (Operation *s = states.getDefiningOp())
    dead.push_back(s);
  eraseUnused(dead);
}

std::string describeChunkedScan(const ChunkedScan &m) {
  return "Mamba-2's chunked scan (state space duality: " + std::to_string(m.heads) +
         " heads, head dim " + std::to_string(m.p) + ", state " + std::to_string(m.n) +
         ", chunks of " + std::to_string(m.chunk) + (m.init ? ", a past state" : "") +
         ") became one gated LinearAttention over the chunks' steps in order (q = C, k = B, "
         "v = x dt, decay A dt, scale 1)";
}

} // namespace

unsigned hybrid::raiseChunkedScans(Operation *root) {
  return raiseAll<ChunkedScan>(root, "Add", "hybrid-raise-scans", matchChunkedScan,
                               describeChunkedScan, raiseChunkedScan);
}
