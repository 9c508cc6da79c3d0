//===- VectorizeElementwise.cpp - hybrid-vectorize-elementwise ------------===//
//
// Vector code for elementwise linalg.generic ops on buffers: what the importer
// writes for ONNX's Add, Mul, Erf, Sigmoid... and what hybrid-fuse-elementwise
// makes of their chains (a decomposed GELU after a BatchNormalization is one
// generic with three per-channel operands).
//
// Left to the loop lowering, such a generic is a loop nest whose innermost
// row LLVM vectorises only when it can prove the output does not alias the
// inputs at run time and the row is long enough: a row of 8 elements is
// unrolled into scalar code that reloads its per-channel operands after every
// store (5 ns per element for a GELU on 8x8 images), and a [1, N] tensor's
// single row runs on one thread.
//
// The vector group. The trailing loop dims [g, n) form the vector group when
// every operand either reads all of them, in order, as its own trailing dims
// over contiguous memory ("full": one vector load or store of a collapsed
// view), or none of them ("invariant": one scalar load per group, broadcast).
// g is the smallest such: a GELU over [B, C, H, W] with per-channel operands
// [C, 1, 1] vectorises H x W as one row, an Add of two [B, S, D] tensors the
// whole tensor. Outputs must be full (identity maps).
//
// The loop. The group's N elements split into blocks of `block` elements
// (one block when N is static and at most 2 x `block`), and one scf.parallel
// runs over the linearised (outer dims..., block) index, so the thread pool
// splits a [1, N] tensor too. Each iteration loads its invariant operands
// once, then runs the body on vectors of `lanes` elements, the last partial
// vector with masked loads and stores:
//
//   scf.parallel (%t) = (0) to (outer x blocks) {
//     %s = broadcast(memref.load %scale[%c])          (invariant operands)
//     scf.for %j = %j0 to %jfull step lanes {
//       %x = vector.load %in[%b, %c, %j]               (full operands)
//       ... the body's arith and math ops on vectors ...
//       vector.store %y, %out[%b, %c, %j]
//     }
//     scf.if (partial) { the same with vector.maskedload / maskedstore }
//   }
//
// The body is cloned op by op with vector types: arith and math ops only
// (elementwise-mappable), on f32, f64 and integers of 8 to 64 bits, with no
// integer division (a masked lane would divide by zero). A float division by a
// constant becomes a multiplication by its reciprocal (at most one more
// rounding: results may differ from the division by 1 ulp); everything else
// computes what the scalar body computes, lane by lane.
//
// Fills and copies are generalised first and vectorised as any generic (a
// fill's value is a scalar input, broadcast once per iteration). A static
// group shorter than `lanes` narrows the vectors to it (a power of two, 4
// lanes at least), so a padded row of 8 is one 8-lane vector.
//
// Reductions. A float reduction with one output is vectorised in two forms
// (the pass description in Passes.td has the details):
//   Column: the reduced dims are outside the group, which is parallel; per
//     vector of outputs the reduction loops run around the body, carrying
//     the output's vector (the scalar loops' order, bit for bit);
//   Row: the group is the reduction, its body `combine(out, v)`; lanes keep
//     partial results (lane 0 from the output, the rest from the combiner's
//     identity), masked-off tail lanes keep theirs (arith.select), and one
//     vector.reduction combines them (re-associated).
//
// Transpositions. A linalg.transpose that keeps the innermost dim (attention's
// heads in and out of [B, S, H, D]) is generalised like a copy: a copy of
// rows. One of f32 buffers that moves the innermost dim (NCHW <-> NHWC around
// a ConvNeXt block's LayerNorm and MLP) is copied in tiles of 8 x 8
// transposed in registers (rewriteTranspose below).
//
// What is not matched stays for the loop lowering: other reductions,
// linalg.index, a transposed or strided operand (no g qualifies), 16-bit
// floats, ops with regions, and groups of fewer than 4 static elements.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/Transforms/PassUtils.h"
#include "dialects/Hybrid/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

namespace hybrid {
#define GEN_PASS_DEF_HYBRIDVECTORIZEELEMENTWISEPASS
#include "dialects/Hybrid/Transforms/Passes.h.inc"
} // namespace hybrid

using namespace mlir;

namespace {
/// How an operand reads the vector group.
enum class Access { Full, Invariant };

/// Groups with fewer static elements stay scalar loops.
constexpr int64_t kMinGroup = 4;

bool supportedElementType(Type t) {
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() >= 8 && i.getWidth() <= 64;
  return t.isF32() || t.isF64();
}

bool supportedScalarType(Type t) {
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() <= 64;
  return t.isF32() || t.isF64();
}

/// Whether `e` reads a loop dim at `g` or later; nullopt for an expression that
/// is neither a dim nor a constant.
std::optional<bool> readsGroup(AffineExpr e, unsigned g) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return d.getPosition() >= g;
  if (isa<AffineConstantExpr>(e))
    return false;
  return std::nullopt;
}

/// How `map` over `type` (null for a scalar) reads the group [g, numLoops),
/// if it qualifies.
std::optional<Access> classify(AffineMap map, MemRefType type, unsigned g) {
  if (!type)
    return Access::Invariant;
  unsigned k = map.getNumDims() - g;
  unsigned rank = map.getNumResults();
  bool any = false;
  for (AffineExpr e : map.getResults()) {
    std::optional<bool> r = readsGroup(e, g);
    if (!r)
      return std::nullopt;
    any |= *r;
  }
  if (!any)
    return Access::Invariant;
  if (rank < k)
    return std::nullopt;
  for (unsigned i = 0; i < rank; ++i) {
    AffineExpr e = map.getResult(i);
    if (i < rank - k) {
      if (*readsGroup(e, g))
        return std::nullopt;
    } else if (e != getAffineDimExpr(g + (i - (rank - k)), map.getContext())) {
      return std::nullopt;
    }
  }
  if (!type.areTrailingDimsContiguous(k))
    return std::nullopt;
  return Access::Full;
}

/// What the generic computes over the vector group.
enum class Kind {
  Elementwise, // every loop parallel
  Column,      // reductions outside the group, which is parallel: per lane,
               // the reduction loops run around the body, in order
  Row,         // the group is the reduction: lanes' partial results, combined
};

struct Plan {
  unsigned group = 0;
  Kind kind = Kind::Elementwise;
  vector::CombiningKind combining = vector::CombiningKind::ADD; // Row
  SmallVector<Access> access; // per operand: inputs, then outputs
};

/// The float reduction a Row generic's body ends with: it yields
/// `combine(out, v)` (either order), where `out` is the output's block
/// argument and is used nowhere else, so `v` does not depend on it.
std::optional<vector::CombiningKind> combinerOf(linalg::GenericOp op) {
  BlockArgument out = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  Operation *c = op.getBody()->getTerminator()->getOperand(0).getDefiningOp();
  if (!c || !isa<FloatType>(out.getType()) || !out.hasOneUse() ||
      out.getUses().begin()->getOwner() != c || c->getNumOperands() != 2)
    return std::nullopt;
  using K = vector::CombiningKind;
  return llvm::TypeSwitch<Operation *, std::optional<K>>(c)
      .Case([](arith::AddFOp) { return K::ADD; })
      .Case([](arith::MulFOp) { return K::MUL; })
      .Case([](arith::MaximumFOp) { return K::MAXIMUMF; })
      .Case([](arith::MaxNumFOp) { return K::MAXNUMF; })
      .Case([](arith::MinimumFOp) { return K::MINIMUMF; })
      .Case([](arith::MinNumFOp) { return K::MINNUMF; })
      .Default([](Operation *) { return std::nullopt; });
}

/// The value a lane of a Row reduction starts from (and a masked-off lane
/// keeps): combining it changes nothing.
Attribute identityOf(vector::CombiningKind kind, FloatType t) {
  const llvm::fltSemantics &sem = t.getFloatSemantics();
  switch (kind) {
  case vector::CombiningKind::ADD:
    return FloatAttr::get(t, APFloat::getZero(sem, /*Negative=*/true));
  case vector::CombiningKind::MUL:
    return FloatAttr::get(t, APFloat::getOne(sem));
  case vector::CombiningKind::MAXIMUMF:
  case vector::CombiningKind::MAXNUMF:
    return FloatAttr::get(t, APFloat::getInf(sem, /*Negative=*/true));
  default:
    return FloatAttr::get(t, APFloat::getInf(sem, /*Negative=*/false));
  }
}

std::optional<Plan> analyse(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() == 0 || op.getNumLoops() == 0)
    return std::nullopt;
  bool reduces = op.getNumParallelLoops() != op.getNumLoops();
  if (reduces && op.getNumDpsInits() != 1)
    return std::nullopt;
  if (!op.getBody()->getOps<linalg::IndexOp>().empty())
    return std::nullopt;
  if (!hybrid::isVectorizableElementwiseBody(op))
    return std::nullopt;
  for (OpOperand &o : op->getOpOperands()) {
    Type type = o.get().getType();
    // A scalar input (a generalised fill's value) is read as it is.
    if (!isa<ShapedType>(type) && !op.isDpsInit(&o) &&
        op.getMatchingIndexingMap(&o).getNumResults() == 0 && supportedElementType(type))
      continue;
    auto t = dyn_cast<MemRefType>(type);
    if (!t || !supportedElementType(t.getElementType()))
      return std::nullopt;
  }
  if (!reduces)
    for (OpOperand &init : op.getDpsInitsMutable())
      if (!op.getMatchingIndexingMap(&init).isIdentity())
        return std::nullopt;
  unsigned n = op.getNumLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto allOf = [&](unsigned from, unsigned to, utils::IteratorType t) {
    return llvm::all_of(llvm::seq(from, to), [&](unsigned d) { return iterators[d] == t; });
  };
  std::optional<vector::CombiningKind> combiner = reduces ? combinerOf(op) : std::nullopt;
  for (unsigned g = 0; g < n; ++g) {
    Plan plan;
    plan.group = g;
    bool ok = true;
    for (OpOperand &o : op->getOpOperands()) {
      std::optional<Access> a =
          classify(op.getMatchingIndexingMap(&o), dyn_cast<MemRefType>(o.get().getType()), g);
      if (!a) {
        ok = false;
        break;
      }
      plan.access.push_back(*a);
    }
    if (!ok)
      continue;
    // The outputs: written whole vectors at a time (elementwise, Column), or
    // one element per group (Row).
    Access out = plan.access.back();
    if (!reduces) {
      if (llvm::any_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
            return plan.access[init.getOperandNumber()] != Access::Full;
          }))
        continue;
    } else if (out == Access::Full && allOf(g, n, utils::IteratorType::parallel)) {
      // Invariant inputs are loaded once per iteration, outside the
      // reduction loops: they may not read a reduction dim.
      if (llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *o) {
            return plan.access[o->getOperandNumber()] == Access::Invariant &&
                   llvm::any_of(op.getMatchingIndexingMap(o).getResults(), [&](AffineExpr e) {
                     auto d = dyn_cast<AffineDimExpr>(e);
                     return d && iterators[d.getPosition()] == utils::IteratorType::reduction;
                   });
          }))
        continue;
      plan.kind = Kind::Column;
    } else if (out == Access::Invariant && combiner &&
               allOf(g, n, utils::IteratorType::reduction) &&
               allOf(0, g, utils::IteratorType::parallel)) {
      plan.kind = Kind::Row;
      plan.combining = *combiner;
    } else {
      continue;
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t staticGroup = 1;
    bool dynamic = false;
    for (unsigned d = g; d < n; ++d) {
      if (ShapedType::isDynamic(ranges[d]))
        dynamic = true;
      else
        staticGroup *= ranges[d];
    }
    if (!dynamic && staticGroup < kMinGroup)
      return std::nullopt;
    return plan;
  }
  return std::nullopt;
}

struct VectorizeElementwisePass
    : public hybrid::impl::HybridVectorizeElementwisePassBase<VectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 1 || block < lanes || block % lanes != 0) {
      emitError(getOperation()->getLoc())
          << "hybrid-vectorize-elementwise: need lanes >= 1 and block a multiple of lanes, got "
             "lanes="
          << static_cast<int64_t>(lanes) << " block=" << static_cast<int64_t>(block);
      return signalPassFailure();
    }
    // Fills and copies as generics first (a padded convolution's input is a
    // fill of the whole buffer and a copy into its interior), and
    // transpositions that keep the innermost dim (attention's [B, S, H, D]
    // <-> [B, H, S, D]: a copy of rows): the loop lowering would run them
    // element by element.
    SmallVector<linalg::LinalgOp> named;
    getOperation()->walk([&](Operation *op) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      if (!linalgOp || !linalgOp.hasPureBufferSemantics())
        return;
      auto transpose = dyn_cast<linalg::TransposeOp>(op);
      if (isa<linalg::FillOp, linalg::CopyOp>(op) ||
          (transpose && transpose.getPermutation().back() ==
                            static_cast<int64_t>(transpose.getPermutation().size()) - 1))
        named.push_back(linalgOp);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
    SmallVector<std::pair<linalg::GenericOp, Plan>> work;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (std::optional<Plan> plan = analyse(op))
        work.emplace_back(op, std::move(*plan));
    });
    for (auto &[op, plan] : work) {
      rewrite(op, plan);
      op->erase();
    }
    SmallVector<linalg::TransposeOp> transposes;
    getOperation()->walk([&](linalg::TransposeOp op) {
      if (transposesInnerDims(op))
        transposes.push_back(op);
    });
    for (linalg::TransposeOp op : transposes) {
      rewriteTranspose(op);
      op->erase();
    }
  }

  /// A linalg.transpose of f32 buffers whose innermost dims are contiguous
  /// and are not the same dim (an NCHW <-> NHWC transposition is one).
  static bool transposesInnerDims(linalg::TransposeOp op) {
    if (!op.hasPureBufferSemantics())
      return false;
    auto in = cast<MemRefType>(op.getInput().getType());
    auto out = cast<MemRefType>(op.getInit().getType());
    int64_t n = in.getRank();
    return n >= 2 && in.getElementType().isF32() && out.getElementType().isF32() &&
           op.getPermutation()[n - 1] != n - 1 && in.isLastDimUnitStride() &&
           out.isLastDimUnitStride();
  }

  /// Input dims that stay consecutive, in order, in the output (a run: the
  /// H and W of NCHW -> NHWC) collapse into one dim of both buffers when
  /// their layouts allow it, so that a transposition of [C, H, W] is one of
  /// [C, H x W]: 8 x 8 tiles fit a 4 x 4 image's 64 channels too. Updates
  /// `in`, `out` and `perm`.
  static void collapseRuns(OpBuilder &b, Location loc, Value &in, Value &out,
                           SmallVector<int64_t> &perm) {
    int64_t n = static_cast<int64_t>(perm.size());
    // Runs in output order: [start, end) of the output dims.
    SmallVector<std::pair<int64_t, int64_t>> runs;
    for (int64_t i = 0; i < n; ++i) {
      if (i > 0 && perm[i] == perm[i - 1] + 1)
        runs.back().second = i + 1;
      else
        runs.emplace_back(i, i + 1);
    }
    if (static_cast<int64_t>(runs.size()) == n)
      return;
    SmallVector<ReassociationIndices> outGroups, inGroups;
    for (auto [lo, hi] : runs)
      outGroups.push_back(llvm::to_vector(llvm::seq<int64_t>(lo, hi)));
    // The input's groups, in input order: run r covers input dims
    // perm[lo] .. perm[hi - 1].
    SmallVector<int64_t> order = llvm::to_vector(llvm::seq<int64_t>(0, runs.size()));
    llvm::sort(order, [&](int64_t a, int64_t c) { return perm[runs[a].first] < perm[runs[c].first]; });
    SmallVector<int64_t> newPerm(runs.size());
    for (auto [pos, r] : llvm::enumerate(order)) {
      inGroups.push_back(
          llvm::to_vector(llvm::seq<int64_t>(perm[runs[r].first], perm[runs[r].second - 1] + 1)));
      newPerm[r] = static_cast<int64_t>(pos);
    }
    auto inTy = cast<MemRefType>(in.getType()), outTy = cast<MemRefType>(out.getType());
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(inTy, inGroups) ||
        !memref::CollapseShapeOp::isGuaranteedCollapsible(outTy, outGroups))
      return;
    in = memref::CollapseShapeOp::create(b, loc, in, inGroups);
    out = memref::CollapseShapeOp::create(b, loc, out, outGroups);
    perm = newPerm;
  }

  /// Rewrites a transposition of the inner dims (transposesInnerDims) into
  /// tiles of 8 x 8: with x the output dim that the input's innermost dim
  /// becomes and y the output's innermost dim, each tile is 8 vector loads of
  /// 8 consecutive x, an in-register transposition (24 shuffles: the classic
  /// unpack / shuffle / 128-bit permute sequence on AVX2) and 8 vector stores
  /// of 8 consecutive y. One scf.parallel runs over the other output dims and
  /// the blocks of 8 x; a block's last y (past a multiple of 8), and a last
  /// partial block of x, are copied element by element. The loop lowering
  /// ran the whole transposition element by element, a strided load and a
  /// store each: 0.8 us for the 32 x 64 floats of a ConvNeXt block's NCHW ->
  /// NHWC.
  void rewriteTranspose(linalg::TransposeOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value in = op.getInput(), out = op.getInit();
    SmallVector<int64_t> perm(op.getPermutation());
    collapseRuns(b, loc, in, out, perm);
    int64_t n = static_cast<int64_t>(perm.size());
    int64_t ox = llvm::find(perm, n - 1) - perm.begin(), oy = n - 1;
    constexpr int64_t kTile = 8;
    auto cIdx = [&](OpBuilder &bb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bb, loc, v);
    };
    Value c0 = cIdx(b, 0), c1 = cIdx(b, 1), cT = cIdx(b, kTile);
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < n; ++d)
      sizes.push_back(memref::DimOp::create(b, loc, out, d));
    // The parallel dims: every output dim but x and y, then x's blocks.
    SmallVector<Value> lbs, ubs, steps;
    for (int64_t d = 0; d < n; ++d) {
      if (d == ox || d == oy)
        continue;
      lbs.push_back(c0);
      ubs.push_back(sizes[d]);
      steps.push_back(c1);
    }
    lbs.push_back(c0);
    ubs.push_back(arith::CeilDivUIOp::create(b, loc, sizes[ox], cT));
    steps.push_back(c1);
    auto par = scf::ParallelOp::create(b, loc, lbs, ubs, steps);
    OpBuilder pb = OpBuilder::atBlockBegin(par.getBody());
    SmallVector<Value> ivs = par.getInductionVars();
    Value x0 = arith::MulIOp::create(pb, loc, ivs.back(), cT);
    // The output index at (x, y), and the input's (in[perm[i]] = out[i]).
    auto outIndex = [&](Value x, Value y) {
      SmallVector<Value> idx(n);
      int64_t k = 0;
      for (int64_t d = 0; d < n; ++d)
        idx[d] = d == ox ? x : d == oy ? y : ivs[k++];
      return idx;
    };
    auto inIndex = [&](Value x, Value y) {
      SmallVector<Value> o = outIndex(x, y), idx(n);
      for (int64_t d = 0; d < n; ++d)
        idx[perm[d]] = o[d];
      return idx;
    };
    // Element by element over x in [xlo, xhi) and y in [ylo, yhi).
    auto scalarCopy = [&](OpBuilder &bb, Value xlo, Value xhi, Value ylo, Value yhi) {
      scf::ForOp::create(
          bb, loc, xlo, xhi, c1, ValueRange(),
          [&](OpBuilder &xb, Location, Value x, ValueRange) {
            scf::ForOp::create(xb, loc, ylo, yhi, c1, ValueRange(),
                               [&](OpBuilder &yb, Location, Value y, ValueRange) {
                                 Value v = memref::LoadOp::create(yb, loc, in, inIndex(x, y));
                                 memref::StoreOp::create(yb, loc, v, out, outIndex(x, y));
                                 scf::YieldOp::create(yb, loc);
                               });
            scf::YieldOp::create(xb, loc);
          });
    };
    Value xEnd = arith::AddIOp::create(pb, loc, x0, cT);
    Value whole = arith::CmpIOp::create(pb, loc, arith::CmpIPredicate::ule, xEnd, sizes[ox]);
    auto ifWhole = scf::IfOp::create(pb, loc, whole, /*withElseRegion=*/true);
    {
      OpBuilder tb = OpBuilder::atBlockBegin(ifWhole.thenBlock());
      Value ySize = sizes[oy];
      Value yFull = arith::SubIOp::create(tb, loc, ySize, arith::RemUIOp::create(tb, loc, ySize, cT));
      auto vecTy = VectorType::get({kTile}, tb.getF32Type());
      scf::ForOp::create(
          tb, loc, c0, yFull, cT, ValueRange(),
          [&](OpBuilder &yb, Location, Value y0, ValueRange) {
            // rows[j]: x0 .. x0 + 7 at y0 + j.
            SmallVector<Value> r;
            for (int64_t j = 0; j < kTile; ++j) {
              Value y = arith::AddIOp::create(yb, loc, y0, cIdx(yb, j));
              r.push_back(vector::LoadOp::create(yb, loc, vecTy, in, inIndex(x0, y)));
            }
            auto shuffle = [&](Value a, Value c, ArrayRef<int64_t> mask) -> Value {
              return vector::ShuffleOp::create(yb, loc, a, c, mask);
            };
            // Interleave pairs of rows, then pairs of pairs, then the
            // 128-bit halves: t[x] holds column x (y0 .. y0 + 7).
            SmallVector<Value> u(kTile), v(kTile), t(kTile);
            for (int64_t j = 0; j < kTile; j += 2) {
              u[j] = shuffle(r[j], r[j + 1], {0, 8, 1, 9, 4, 12, 5, 13});
              u[j + 1] = shuffle(r[j], r[j + 1], {2, 10, 3, 11, 6, 14, 7, 15});
            }
            for (int64_t j : {0, 4}) {
              v[j] = shuffle(u[j], u[j + 2], {0, 1, 8, 9, 4, 5, 12, 13});
              v[j + 1] = shuffle(u[j], u[j + 2], {2, 3, 10, 11, 6, 7, 14, 15});
              v[j + 2] = shuffle(u[j + 1], u[j + 3], {0, 1, 8, 9, 4, 5, 12, 13});
              v[j + 3] = shuffle(u[j + 1], u[j + 3], {2, 3, 10, 11, 6, 7, 14, 15});
            }
            for (int64_t j = 0; j < 4; ++j) {
              t[j] = shuffle(v[j], v[j + 4], {0, 1, 2, 3, 8, 9, 10, 11});
              t[j + 4] = shuffle(v[j], v[j + 4], {4, 5, 6, 7, 12, 13, 14, 15});
            }
            for (int64_t i = 0; i < kTile; ++i) {
              Value x = arith::AddIOp::create(yb, loc, x0, cIdx(yb, i));
              vector::StoreOp::create(yb, loc, t[i], out, outIndex(x, y0));
            }
            scf::YieldOp::create(yb, loc);
          });
      scalarCopy(tb, x0, xEnd, yFull, ySize);
    }
    {
      OpBuilder eb = OpBuilder::atBlockBegin(ifWhole.elseBlock());
      scalarCopy(eb, x0, sizes[ox], c0, sizes[oy]);
    }
  }

  void rewrite(linalg::GenericOp op, const Plan &plan) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    unsigned n = op.getNumLoops(), g = plan.group, k = n - g;
    auto cIdx = [&](OpBuilder &bb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(bb, loc, v);
    };
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    auto isReduction = [&](unsigned d) { return iterators[d] == utils::IteratorType::reduction; };

    // The loop extents (from the operands' shapes).
    SmallVector<Value> sizes;
    for (Range r : cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    std::optional<int64_t> staticN = 1;
    for (unsigned d = g; d < n; ++d)
      staticN = ShapedType::isDynamic(ranges[d]) || !staticN ? std::nullopt
                                                             : std::optional(*staticN * ranges[d]);
    // A static group shorter than the vectors narrows them (to a power of
    // two of 4 lanes or more): a padded row of 8 elements is one 8-lane
    // vector, not half of a masked 16-lane one.
    int64_t width = lanes;
    if (staticN && *staticN < width)
      width = std::max<int64_t>(4, llvm::PowerOf2Ceil(*staticN));
    Value groupN = sizes[g];
    for (unsigned d = g + 1; d < n; ++d)
      groupN = arith::MulIOp::create(b, loc, groupN, sizes[d]);

    // The full operands as views whose last dim is the group.
    SmallVector<Value> views;
    for (auto [i, o] : llvm::enumerate(op->getOpOperands())) {
      Value v = o.get();
      auto t = cast<MemRefType>(v.getType());
      if (plan.access[i] == Access::Full && k > 1) {
        SmallVector<ReassociationIndices> reassoc;
        unsigned lead = t.getRank() - k;
        for (unsigned d = 0; d < lead; ++d)
          reassoc.push_back({static_cast<int64_t>(d)});
        ReassociationIndices last;
        for (unsigned d = lead; d < t.getRank(); ++d)
          last.push_back(d);
        reassoc.push_back(last);
        v = memref::CollapseShapeOp::create(b, loc, v, reassoc);
      }
      views.push_back(v);
    }

    // Blocks of the group: one when it is static and short, or when it is
    // reduced (Row).
    bool whole = plan.kind == Kind::Row || (staticN && *staticN <= 2 * block);
    Value blocks;
    if (whole)
      blocks = cIdx(b, 1);
    else if (staticN)
      blocks = cIdx(b, (*staticN + block - 1) / block);
    else
      blocks = arith::DivUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, groupN, cIdx(b, block - 1)), cIdx(b, block));
    // The parallel iterations: (the outer parallel dims..., block). A
    // Column's reduction dims run inside each.
    Value total = blocks;
    for (unsigned d = 0; d < g; ++d)
      if (!isReduction(d))
        total = arith::MulIOp::create(b, loc, total, sizes[d]);

    Value zero = cIdx(b, 0), one = cIdx(b, 1);
    scf::ParallelOp::create(
        b, loc, ValueRange{zero}, ValueRange{total}, ValueRange{one},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          // (outer dims..., block) from the linear index; the block is fastest.
          Value rest = ivs[0];
          Value blockIdx = zero;
          if (!whole) {
            blockIdx = arith::RemUIOp::create(pb, loc, rest, blocks);
            rest = arith::DivUIOp::create(pb, loc, rest, blocks);
          }
          SmallVector<Value> outer(g);
          SmallVector<unsigned> parallelOuter;
          for (unsigned d = 0; d < g; ++d)
            if (!isReduction(d))
              parallelOuter.push_back(d);
          for (auto [i, d] : llvm::enumerate(llvm::reverse(parallelOuter))) {
            if (i + 1 == parallelOuter.size()) {
              outer[d] = rest;
            } else {
              outer[d] = arith::RemUIOp::create(pb, loc, rest, sizes[d]);
              rest = arith::DivUIOp::create(pb, loc, rest, sizes[d]);
            }
          }
          // This iteration's elements [j0, j0 + len), `full` of them in
          // whole vectors.
          Value j0, fullEnd, partial;
          std::optional<int64_t> staticRem;
          if (whole && staticN) {
            j0 = zero;
            fullEnd = cIdx(pb, *staticN - *staticN % width);
            staticRem = *staticN % width;
          } else {
            Value len = groupN;
            j0 = zero;
            if (!whole) {
              j0 = arith::MulIOp::create(pb, loc, blockIdx, cIdx(pb, block));
              len = arith::MinUIOp::create(pb, loc, cIdx(pb, block),
                                           arith::SubIOp::create(pb, loc, groupN, j0));
            }
            Value rem = arith::RemUIOp::create(pb, loc, len, cIdx(pb, width));
            fullEnd = arith::AddIOp::create(pb, loc, j0, arith::SubIOp::create(pb, loc, len, rem));
            partial = rem;
          }

          // The invariant operands, once per iteration.
          IRMapping invariants;
          auto indicesOf = [&](OpBuilder &ib, OpOperand &o, Value j) {
            SmallVector<Value> idx;
            AffineMap map = op.getMatchingIndexingMap(&o);
            unsigned lead = plan.access[o.getOperandNumber()] == Access::Full
                                ? map.getNumResults() - k
                                : map.getNumResults();
            for (unsigned r = 0; r < lead; ++r) {
              AffineExpr e = map.getResult(r);
              if (auto d = dyn_cast<AffineDimExpr>(e))
                idx.push_back(outer[d.getPosition()]);
              else
                idx.push_back(cIdx(ib, cast<AffineConstantExpr>(e).getValue()));
            }
            if (j)
              idx.push_back(j);
            return idx;
          };
          OpOperand &out0 = *op.getDpsInitOperand(0);
          BlockArgument outArg = op.getMatchingBlockArgument(&out0);
          for (OpOperand &o : op->getOpOperands()) {
            if (plan.access[o.getOperandNumber()] != Access::Invariant)
              continue;
            BlockArgument arg = op.getMatchingBlockArgument(&o);
            if (arg.use_empty() || (plan.kind == Kind::Row && &o == &out0))
              continue;
            Value s = isa<MemRefType>(o.get().getType())
                          ? memref::LoadOp::create(pb, loc, o.get(), indicesOf(pb, o, Value()))
                          : o.get();
            invariants.map(arg, vector::BroadcastOp::create(
                                    pb, loc, VectorType::get({width}, s.getType()), s));
          }

          auto vecOf = [&](Type t) { return VectorType::get({width}, t); };
          auto load = [&](OpBuilder &vb, OpOperand &o, Value j, Value mask) -> Value {
            VectorType vt = vecOf(op.getMatchingBlockArgument(&o).getType());
            Value view = views[o.getOperandNumber()];
            SmallVector<Value> idx = indicesOf(vb, o, j);
            if (!mask)
              return vector::LoadOp::create(vb, loc, vt, view, idx);
            return vector::MaskedLoadOp::create(
                vb, loc, vt, view, idx, mask,
                arith::ConstantOp::create(vb, loc, vt, vb.getZeroAttr(vt)));
          };
          // The body on the inputs' vectors at (outer..., j); `acc` stands for
          // the output's element (a reduction's running value) when set.
          auto compute = [&](OpBuilder &vb, Value j, Value mask, Value acc) {
            IRMapping map = invariants;
            for (OpOperand &o : op->getOpOperands()) {
              BlockArgument arg = op.getMatchingBlockArgument(&o);
              // A reduction's output is `acc`; an elementwise one is read
              // where its body uses it (an Add written in place).
              bool reduced = op.isDpsInit(&o) && plan.kind != Kind::Elementwise;
              if (plan.access[o.getOperandNumber()] == Access::Full && !arg.use_empty() && !reduced)
                map.map(arg, load(vb, o, j, mask));
            }
            if (acc)
              map.map(outArg, acc);
            return hybrid::vectorizeElementwiseBody(vb, op, map, width);
          };
          auto store = [&](OpBuilder &vb, OpOperand &init, Value v, Value j, Value mask) {
            Value view = views[init.getOperandNumber()];
            SmallVector<Value> idx = indicesOf(vb, init, j);
            if (mask)
              vector::MaskedStoreOp::create(vb, loc, view, idx, mask, v);
            else
              vector::StoreOp::create(vb, loc, v, view, idx);
          };

          auto body = [&](OpBuilder &vb, Value j, Value mask) {
            if (plan.kind == Kind::Elementwise) {
              SmallVector<Value> results = compute(vb, j, mask, Value());
              for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
                store(vb, init, results[i], j, mask);
              return;
            }
            // Column: the reduction loops, outermost first, around the body,
            // the output's vector carried through them.
            Value acc = load(vb, out0, j, mask);
            OpBuilder::InsertionGuard guard(vb);
            SmallVector<scf::ForOp> loops;
            for (unsigned d = 0; d < g; ++d) {
              if (!isReduction(d))
                continue;
              auto loop = scf::ForOp::create(vb, loc, zero, sizes[d], one, ValueRange{acc});
              if (!loops.empty())
                scf::YieldOp::create(vb, loc, loop.getResults());
              vb.setInsertionPointToStart(loop.getBody());
              outer[d] = loop.getInductionVar();
              acc = loop.getRegionIterArgs()[0];
              loops.push_back(loop);
            }
            scf::YieldOp::create(vb, loc, compute(vb, j, mask, acc));
            vb.setInsertionPointAfter(loops.front());
            store(vb, out0, loops.front().getResult(0), j, mask);
          };

          auto maskTy = VectorType::get({width}, pb.getI1Type());
          if (plan.kind == Kind::Row) {
            // Lane 0 starts from the output's value, the others from the
            // identity; masked-off lanes keep theirs.
            auto elt = cast<FloatType>(outArg.getType());
            VectorType vt = vecOf(elt);
            Value identity = arith::ConstantOp::create(
                pb, loc, vt, DenseElementsAttr::get(vt, identityOf(plan.combining, elt)));
            Value init = memref::LoadOp::create(pb, loc, out0.get(), indicesOf(pb, out0, Value()));
            Value acc = vector::InsertOp::create(pb, loc, init, identity, ArrayRef<int64_t>{0});
            auto loop = scf::ForOp::create(
                pb, loc, j0, fullEnd, cIdx(pb, width), ValueRange{acc},
                [&](OpBuilder &fb, Location, Value j, ValueRange args) {
                  scf::YieldOp::create(fb, loc, compute(fb, j, Value(), args[0]));
                });
            acc = loop.getResult(0);
            auto tail = [&](OpBuilder &tb, Value count) {
              Value mask = vector::CreateMaskOp::create(tb, loc, maskTy, ValueRange{count});
              Value next = compute(tb, fullEnd, mask, acc)[0];
              return arith::SelectOp::create(tb, loc, mask, next, acc).getResult();
            };
            if (staticRem) {
              if (*staticRem != 0)
                acc = tail(pb, cIdx(pb, *staticRem));
            } else {
              Value any = arith::CmpIOp::create(pb, loc, arith::CmpIPredicate::ne, partial, zero);
              auto ifPartial = scf::IfOp::create(pb, loc, TypeRange{vt}, any, true);
              OpBuilder tb = OpBuilder::atBlockBegin(ifPartial.thenBlock());
              scf::YieldOp::create(tb, loc, tail(tb, partial));
              OpBuilder eb = OpBuilder::atBlockBegin(ifPartial.elseBlock());
              scf::YieldOp::create(eb, loc, acc);
              acc = ifPartial.getResult(0);
            }
            Value r = vector::ReductionOp::create(pb, loc, plan.combining, acc);
            memref::StoreOp::create(pb, loc, r, out0.get(), indicesOf(pb, out0, Value()));
            return;
          }

          scf::ForOp::create(pb, loc, j0, fullEnd, cIdx(pb, width), ValueRange{},
                             [&](OpBuilder &fb, Location, Value j, ValueRange) {
                               body(fb, j, Value());
                               scf::YieldOp::create(fb, loc);
                             });
          if (staticRem) {
            if (*staticRem != 0) {
              Value mask = vector::CreateMaskOp::create(pb, loc, maskTy,
                                                        ValueRange{cIdx(pb, *staticRem)});
              body(pb, fullEnd, mask);
            }
          } else {
            Value any =
                arith::CmpIOp::create(pb, loc, arith::CmpIPredicate::ne, partial, zero);
            auto ifPartial = scf::IfOp::create(pb, loc, any, /*withElseRegion=*/false);
            OpBuilder ib = OpBuilder::atBlockBegin(ifPartial.thenBlock());
            Value mask = vector::CreateMaskOp::create(ib, loc, maskTy, ValueRange{partial});
            body(ib, fullEnd, mask);
          }
        });
  }

};
} // namespace

//===----------------------------------------------------------------------===//
// The body on vectors, shared with hybrid-vectorize-contractions' epilogues.
//===----------------------------------------------------------------------===//

namespace {
bool vectorizableBodyOp(Operation &op) {
  if (isa<linalg::YieldOp>(op))
    return true;
  StringRef dialect = op.getName().getDialectNamespace();
  if (dialect != "arith" && dialect != "math")
    return false;
  if (op.getNumRegions() != 0 || op.getNumResults() != 1)
    return false;
  // A masked lane holds zeros: an integer division there would trap.
  if (isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp, arith::CeilDivSIOp,
          arith::CeilDivUIOp, arith::FloorDivSIOp>(op))
    return false;
  if (!isa<arith::ConstantOp>(op) && !OpTrait::hasElementwiseMappableTraits(&op))
    return false;
  if (auto c = dyn_cast<arith::ConstantOp>(op))
    if (!isa<FloatAttr, IntegerAttr>(c.getValue()))
      return false;
  return llvm::all_of(op.getOperandTypes(), supportedScalarType) &&
         llvm::all_of(op.getResultTypes(), supportedScalarType);
}

/// For `x / c` with a constant float c whose reciprocal is a normal number:
/// that reciprocal, as a scalar constant.
Value reciprocalOf(OpBuilder &b, Operation &op) {
  auto div = dyn_cast<arith::DivFOp>(op);
  if (!div)
    return {};
  FloatAttr c;
  if (auto cst = div.getRhs().getDefiningOp<arith::ConstantOp>())
    c = dyn_cast<FloatAttr>(cst.getValue());
  if (!c)
    return {};
  APFloat r(c.getValue().getSemantics(), 1);
  APFloat::opStatus status = r.divide(c.getValue(), APFloat::rmNearestTiesToEven);
  if ((status & ~APFloat::opInexact) != APFloat::opOK || !r.isNormal())
    return {};
  return arith::ConstantOp::create(b, div.getLoc(), FloatAttr::get(c.getType(), r));
}
} // namespace

bool hybrid::isVectorizableElementwiseBody(linalg::GenericOp op) {
  return llvm::all_of(*op.getBody(), vectorizableBodyOp);
}

SmallVector<Value> hybrid::vectorizeElementwiseBody(OpBuilder &b, linalg::GenericOp op,
                                                    IRMapping &values, int64_t lanes) {
  auto vecOf = [&](Type t) { return VectorType::get({lanes}, t); };
  auto splat = [&](Value s) -> Value {
    return vector::BroadcastOp::create(b, s.getLoc(), vecOf(s.getType()), s);
  };
  auto operandOf = [&](Value v) -> Value {
    if (Value m = values.lookupOrNull(v))
      return m;
    return splat(v); // a scalar from above the generic
  };
  for (Operation &inner : op.getBody()->without_terminator()) {
    Location loc = inner.getLoc();
    Value result;
    if (auto c = dyn_cast<arith::ConstantOp>(inner)) {
      VectorType vt = vecOf(c.getType());
      result = arith::ConstantOp::create(
          b, loc, vt, DenseElementsAttr::get(vt, cast<Attribute>(c.getValue())));
    } else if (Value r = reciprocalOf(b, inner)) {
      result = arith::MulFOp::create(b, loc, operandOf(inner.getOperand(0)), splat(r),
                                     cast<arith::DivFOp>(inner).getFastmath());
    } else {
      OperationState state(loc, inner.getName());
      for (Value v : inner.getOperands())
        state.addOperands(operandOf(v));
      state.addTypes(vecOf(inner.getResult(0).getType()));
      state.addAttributes(inner.getAttrs());
      result = b.create(state)->getResult(0);
    }
    values.map(inner.getResult(0), result);
  }
  SmallVector<Value> results;
  for (Value v : op.getBody()->getTerminator()->getOperands())
    results.push_back(operandOf(v));
  return results;
}
