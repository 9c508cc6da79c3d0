//===- TilingInterfaceImpl.cpp - TilingInterface of the hybrid ops --------===//
//
// Every hybrid op has an iteration domain of parallel dimensions only; the
// sequential parts of an op (the time loop of a scan, the key loop of attention)
// stay inside each point and are never split by the generic tilers. Tiling an op
// slices each operand to the part a tile of the domain reads or writes and
// clones the op on the slices. Where a slice would change an op's meaning (head
// tiles that cut a group, query tiles of a windowed non-causal attention) the
// tiler fails with a reason instead of producing wrong code.
//
//===----------------------------------------------------------------------===//
#include "dialects/Hybrid/IR/HybridOpUtils.h"
#include "dialects/Hybrid/IR/HybridOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace hybrid;
using hybrid::detail::dimOf;
using hybrid::detail::staticDim;

namespace {

/// The part of one operand that a tile reads or writes.
struct OperandTile {
  SmallVector<OpFoldResult> offsets, sizes;
};

/// `a / b` of two index values (folded when both are constants).
OpFoldResult divOfr(OpBuilder &b, Location loc, OpFoldResult x,
                    OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy && *cy != 0)
    return b.getIndexAttr(*cx / *cy);
  return arith::DivUIOp::create(b, loc,
                                getValueOrCreateConstantIndexOp(b, loc, x),
                                getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

/// Builds operand tiles for one tile of an op's iteration domain.
struct TileBuilder {
  OpBuilder &b;
  Location loc;
  ArrayRef<OpFoldResult> offsets, sizes;
  /// The full iteration domain sizes, to tell tiled loops from untiled ones.
  SmallVector<OpFoldResult> domain;

  /// Dimension `d` of `v` maps to loop `loops[d]`, or is taken whole where
  /// `loops[d]` is -1.
  OperandTile map(Value v, ArrayRef<int64_t> loops) {
    OperandTile t;
    for (auto [d, l] : llvm::enumerate(loops)) {
      if (l < 0) {
        t.offsets.push_back(b.getIndexAttr(0));
        t.sizes.push_back(dimOf(b, loc, v, d));
      } else {
        t.offsets.push_back(offsets[l]);
        t.sizes.push_back(sizes[l]);
      }
    }
    return t;
  }

  /// All of `v`.
  OperandTile whole(Value v) {
    return map(v, SmallVector<int64_t>(cast<ShapedType>(v.getType()).getRank(), -1));
  }

  /// The (offset, size) along dim `d` of `v`, which broadcasts (size 1) or
  /// follows loop `l`: decided statically where the size is known, else at
  /// run time.
  std::pair<OpFoldResult, OpFoldResult> broadcastTile(Value v, int64_t d,
                                                      int64_t l) {
    int64_t size = staticDim(v, d);
    if (size == 1 || isFull(l))
      return {b.getIndexAttr(0), dimOf(b, loc, v, d)};
    if (!ShapedType::isDynamic(size))
      return {offsets[l], sizes[l]};
    Value dim = getValueOrCreateConstantIndexOp(b, loc, dimOf(b, loc, v, d));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim,
                                        one);
    auto pick = [&](OpFoldResult broadcast, OpFoldResult tiled) -> OpFoldResult {
      return arith::SelectOp::create(
                 b, loc, isOne,
                 getValueOrCreateConstantIndexOp(b, loc, broadcast),
                 getValueOrCreateConstantIndexOp(b, loc, tiled))
          .getResult();
    };
    return {pick(b.getIndexAttr(0), offsets[l]), pick(one, sizes[l])};
  }

  /// Is loop `l` untiled (offset 0 and the whole domain)? A dynamic size
  /// matches when both sides are the same dim of the same value (each call
  /// of getIterationDomain creates its own `tensor.dim`).
  bool isFull(int64_t l) {
    if (!isConstantIntValue(offsets[l], 0))
      return false;
    if (isEqualConstantIntOrValue(sizes[l], domain[l]))
      return true;
    auto dimOfValue = [](OpFoldResult ofr) -> std::optional<std::pair<Value, int64_t>> {
      auto v = dyn_cast<Value>(ofr);
      if (!v)
        return std::nullopt;
      Value src, index;
      if (auto d = v.getDefiningOp<tensor::DimOp>()) {
        src = d.getSource();
        index = d.getIndex();
      } else if (auto d = v.getDefiningOp<memref::DimOp>()) {
        src = d.getSource();
        index = d.getIndex();
      } else {
        return std::nullopt;
      }
      std::optional<int64_t> i = getConstantIntValue(index);
      if (!i)
        return std::nullopt;
      return std::make_pair(src, *i);
    };
    auto a = dimOfValue(sizes[l]), b2 = dimOfValue(domain[l]);
    return a && b2 && *a == *b2;
  }

  /// The (offset, size) of a tile of a grouped dimension: loop `l` tiles the
  /// members (e.g. query heads) of groups of `groupSize` (e.g. kv heads), and
  /// the operand is indexed by group. A tile maps onto whole groups when its
  /// size is a multiple of the group size, or onto one group when it divides
  /// the group size; anything else fails.
  FailureOr<std::pair<OpFoldResult, OpFoldResult>>
  groupTile(int64_t l, Value groupedOperand, int64_t groupDim,
            OpFoldResult groupSize) {
    // Untiled, or one group (every member reads it), or no members at all:
    // the grouped operand is taken whole.
    if (isFull(l) || staticDim(groupedOperand, groupDim) == 1 ||
        isConstantIntValue(groupSize, 0))
      return std::make_pair(OpFoldResult(b.getIndexAttr(0)),
                            dimOf(b, loc, groupedOperand, groupDim));
    std::optional<int64_t> g = getConstantIntValue(groupSize);
    std::optional<int64_t> s = getConstantIntValue(sizes[l]);
    // Groups of one: the grouped operand follows the loop, partial tiles too.
    if (g == 1)
      return std::make_pair(offsets[l], sizes[l]);
    // A tile of one member lies in one group, whatever the group size.
    if (s == 1)
      return std::make_pair(divOfr(b, loc, offsets[l], groupSize),
                            OpFoldResult(b.getIndexAttr(1)));
    if (!g || !s)
      return failure();
    AffineExpr d0 = b.getAffineDimExpr(0);
    OpFoldResult off = affine::makeComposedFoldedAffineApply(
        b, loc, d0.floorDiv(*g), {offsets[l]});
    if (*s % *g == 0)
      return std::make_pair(off, OpFoldResult(b.getIndexAttr(*s / *g)));
    if (*g % *s == 0)
      return std::make_pair(off, OpFoldResult(b.getIndexAttr(1)));
    return failure();
  }
};

/// `members / groups` for the group size of a grouped dim (query heads per kv
/// head, heads per SSM group). Where either size is dynamic, the tile checks
/// at run time that the division is exact, as the scalar implementation does
/// for the whole op: a tile only sees its own slice.
OpFoldResult groupSizeOf(OpBuilder &b, Location loc, OpFoldResult members,
                         OpFoldResult groups, StringRef message) {
  if (!getConstantIntValue(members) || !getConstantIntValue(groups)) {
    Value m = getValueOrCreateConstantIndexOp(b, loc, members);
    Value g = getValueOrCreateConstantIndexOp(b, loc, groups);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value nonZero =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, g, zero);
    Value safe = arith::SelectOp::create(b, loc, nonZero, g, one);
    Value exact = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq,
        arith::RemUIOp::create(b, loc, m, safe), zero);
    cf::AssertOp::create(b, loc, arith::AndIOp::create(b, loc, nonZero, exact),
                         message);
  }
  return divOfr(b, loc, members, groups);
}

/// `a * b` of two index values (folded when both are constants).
OpFoldResult mulOfr(OpBuilder &b, Location loc, OpFoldResult x,
                    OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x),
                         cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  if (cy)
    return affine::makeComposedFoldedAffineApply(
        b, loc, b.getAffineDimExpr(0) * *cy, {x});
  if (cx)
    return affine::makeComposedFoldedAffineApply(
        b, loc, b.getAffineDimExpr(0) * *cx, {y});
  return arith::MulIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

SmallVector<Range> domainOf(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> sizes) {
  SmallVector<Range> r;
  for (OpFoldResult s : sizes)
    r.push_back(Range{b.getIndexAttr(0), s, b.getIndexAttr(1)});
  return r;
}

/// Slices every operand of `op` by `tiles` (one per operand, in operand order)
/// and clones `op` on the slices.
FailureOr<TilingResult> buildTiledOp(Operation *op, OpBuilder &b,
                                     ArrayRef<OperandTile> tiles) {
  Location loc = op->getLoc();
  assert(tiles.size() == op->getNumOperands() && "one tile per operand");
  SmallVector<Value> newOperands;
  SmallVector<Operation *> slices;
  for (auto [operand, tile] : llvm::zip_equal(op->getOperands(), tiles)) {
    SmallVector<OpFoldResult> strides(tile.offsets.size(), b.getIndexAttr(1));
    Operation *slice;
    auto tensorType = dyn_cast<RankedTensorType>(operand.getType());
    if (tensorType && llvm::is_contained(tensorType.getShape(), 0)) {
      // An empty tensor has no data to slice (and extract_slice rejects
      // offset 0 into a dim of size 0): the tile is an empty tensor too.
      slice = tensor::EmptyOp::create(b, loc, tile.sizes,
                                      tensorType.getElementType());
    } else if (tensorType)
      slice = tensor::ExtractSliceOp::create(b, loc, operand, tile.offsets,
                                             tile.sizes, strides);
    else
      slice = memref::SubViewOp::create(b, loc, operand, tile.offsets,
                                        tile.sizes, strides);
    newOperands.push_back(slice->getResult(0));
    slices.push_back(slice);
  }
  auto dps = cast<DestinationStyleOpInterface>(op);
  SmallVector<Type> resultTypes;
  if (dps.hasPureTensorSemantics())
    for (OpOperand &init : dps.getDpsInitsMutable())
      resultTypes.push_back(newOperands[init.getOperandNumber()].getType());
  Operation *tiled = clone(b, op, resultTypes, newOperands);
  return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()),
                      slices};
}

//===----------------------------------------------------------------------===//
// Per-op iteration domains and operand tiles
//===----------------------------------------------------------------------===//

// attention: [B, Hq, Sq].
SmallVector<OpFoldResult> loopSizes(AttentionOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  return {dimOf(b, loc, op.getQ(), 0), dimOf(b, loc, op.getQ(), 1),
          dimOf(b, loc, op.getQ(), 2)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(AttentionOp op,
                                                 TileBuilder &tb) {
  OpBuilder &b = tb.b;
  Location loc = tb.loc;
  Value q = op.getQ(), k = op.getK(), v = op.getV();
  // Query heads -> kv heads.
  OpFoldResult g = groupSizeOf(
      b, loc, dimOf(b, loc, q, 1), dimOf(b, loc, k, 1),
      "hybrid.attention: query heads must be a multiple of key/value heads");
  FailureOr<std::pair<OpFoldResult, OpFoldResult>> kvHeads =
      tb.groupTile(1, k, 1, g);
  if (failed(kvHeads))
    return op.emitOpError("head tile must be a static multiple or divisor of "
                          "the query group size Hq / Hkv");
  // Query rows -> keys. A causal tile of rows [i0, i0 + s) only sees keys
  // [0, Skv - Sq + i0 + s); slicing the keys there keeps p(i) of every row.
  OpFoldResult kvLen = dimOf(b, loc, k, 2);
  if (!tb.isFull(2)) {
    if (op.getCausal()) {
      AffineExpr d0, d1, s0, s1;
      bindDims(b.getContext(), d0, d1);
      bindSymbols(b.getContext(), s0, s1);
      AffineMap m = AffineMap::get(
          2, 2, {s0 - s1 + d0 + d1, b.getAffineConstantExpr(0)},
          b.getContext());
      kvLen = affine::makeComposedFoldedAffineMax(
          b, loc, m,
          {tb.offsets[2], tb.sizes[2], dimOf(b, loc, k, 2),
           dimOf(b, loc, q, 2)});
    } else if (static_cast<int64_t>(op.getWindowLeft()) >= 0 || static_cast<int64_t>(op.getWindowRight()) >= 0) {
      return op.emitOpError("cannot tile the query sequence of a non-causal "
                            "windowed attention");
    }
  }
  auto kvTile = [&](Value t) {
    OperandTile r = tb.map(t, {0, -1, -1, -1});
    r.offsets[1] = kvHeads->first;
    r.sizes[1] = kvHeads->second;
    r.sizes[2] = kvLen;
    return r;
  };
  SmallVector<OperandTile> tiles = {tb.map(q, {0, 1, 2, -1}), kvTile(k),
                                    kvTile(v)};
  if (Value mask = op.getMask()) {
    auto mt = cast<ShapedType>(mask.getType());
    OperandTile r;
    for (int64_t d = 0; d < mt.getRank(); ++d) {
      int64_t target = 4 - mt.getRank() + d;
      if (target < 3) {
        auto [off, size] = tb.broadcastTile(mask, d, target);
        r.offsets.push_back(off);
        r.sizes.push_back(size);
        continue;
      }
      // The key dim follows the keys' slice (or broadcasts).
      r.offsets.push_back(b.getIndexAttr(0));
      if (mt.getDimSize(d) == 1 || tb.isFull(2)) {
        r.sizes.push_back(dimOf(b, loc, mask, d));
      } else if (!ShapedType::isDynamic(mt.getDimSize(d))) {
        r.sizes.push_back(kvLen);
      } else {
        Value dim = getValueOrCreateConstantIndexOp(b, loc, dimOf(b, loc, mask, d));
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            dim, one);
        r.sizes.push_back(
            arith::SelectOp::create(b, loc, isOne, one,
                                    getValueOrCreateConstantIndexOp(b, loc, kvLen))
                .getResult());
      }
    }
    tiles.push_back(r);
  }
  tiles.push_back(tb.map(op.getOutputs()[0], {0, 1, 2, -1}));
  return tiles;
}

// ssm_scan: [B, H, P].
SmallVector<OpFoldResult> loopSizes(SsmScanOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  return {dimOf(b, loc, op.getX(), 0), dimOf(b, loc, op.getX(), 2),
          dimOf(b, loc, op.getX(), 3)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(SsmScanOp op,
                                                 TileBuilder &tb) {
  OpBuilder &b = tb.b;
  Location loc = tb.loc;
  OpFoldResult hpg = groupSizeOf(b, loc, dimOf(b, loc, op.getX(), 2),
                                 dimOf(b, loc, op.getBm(), 2),
                                 "hybrid.ssm_scan: heads must be a multiple of "
                                 "groups");
  FailureOr<std::pair<OpFoldResult, OpFoldResult>> grp =
      tb.groupTile(1, op.getBm(), 2, hpg);
  if (failed(grp))
    return op.emitOpError("head tile must be a static multiple or divisor of "
                          "the heads per group H / G");
  auto groupTile = [&](Value t) {
    OperandTile r = tb.map(t, {0, -1, -1, -1});
    r.offsets[2] = grp->first;
    r.sizes[2] = grp->second;
    return r;
  };
  auto rankOf = [](Value v) { return cast<ShapedType>(v.getType()).getRank(); };
  SmallVector<OperandTile> tiles = {
      tb.map(op.getX(), {0, -1, 1, 2}), tb.map(op.getDt(), {0, -1, 1}),
      rankOf(op.getA()) == 1 ? tb.map(op.getA(), {1})
                             : tb.map(op.getA(), {1, -1}),
      groupTile(op.getBm()), groupTile(op.getCm())};
  if (Value d = op.getD())
    tiles.push_back(rankOf(d) == 1 ? tb.map(d, {1}) : tb.map(d, {1, 2}));
  if (Value z = op.getZ())
    tiles.push_back(tb.map(z, {0, -1, 1, 2}));
  if (Value bias = op.getDtBias())
    tiles.push_back(tb.map(bias, {1}));
  if (Value s = op.getInitialState())
    tiles.push_back(tb.map(s, {0, 1, 2, -1}));
  tiles.push_back(tb.map(op.getOutputs()[0], {0, -1, 1, 2}));
  tiles.push_back(tb.map(op.getOutputs()[1], {0, 1, 2, -1}));
  return tiles;
}

// linear_attention: [B, Hkv, Dv].
SmallVector<OpFoldResult> loopSizes(LinearAttentionOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  return {dimOf(b, loc, op.getK(), 0), dimOf(b, loc, op.getK(), 2),
          dimOf(b, loc, op.getV(), 3)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(LinearAttentionOp op,
                                                 TileBuilder &tb) {
  OpBuilder &b = tb.b;
  Location loc = tb.loc;
  // kv heads [h0, h0 + s) are read by query heads [h0 * g, (h0 + s) * g).
  auto qHeads = [&](Value t) {
    OperandTile r = tb.map(t, {0, -1, -1, -1});
    if (!tb.isFull(1)) {
      OpFoldResult g = groupSizeOf(
          b, loc, dimOf(b, loc, op.getQ(), 2), dimOf(b, loc, op.getK(), 2),
          "hybrid.linear_attention: query heads must be a multiple of "
          "key/value heads");
      r.offsets[2] = mulOfr(b, loc, tb.offsets[1], g);
      r.sizes[2] = mulOfr(b, loc, tb.sizes[1], g);
    }
    return r;
  };
  OperandTile q = qHeads(op.getQ());
  OperandTile o = qHeads(op.getOutputs()[0]);
  o.offsets[3] = tb.offsets[2];
  o.sizes[3] = tb.sizes[2];
  SmallVector<OperandTile> tiles = {q, tb.map(op.getK(), {0, -1, 1, -1}),
                                    tb.map(op.getV(), {0, -1, 1, 2})};
  if (Value d = op.getDecay())
    tiles.push_back(cast<ShapedType>(d.getType()).getRank() == 3
                        ? tb.map(d, {0, -1, 1})
                        : tb.map(d, {0, -1, 1, -1}));
  if (Value beta = op.getBeta())
    tiles.push_back(tb.map(beta, {0, -1, 1}));
  if (Value s = op.getInitialState())
    tiles.push_back(tb.map(s, {0, 1, -1, 2}));
  tiles.push_back(o);
  tiles.push_back(tb.map(op.getOutputs()[1], {0, 1, -1, 2}));
  return tiles;
}

// causal_conv1d: [B, C].
SmallVector<OpFoldResult> loopSizes(CausalConv1dOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  return {dimOf(b, loc, op.getX(), 0), dimOf(b, loc, op.getX(), 1)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(CausalConv1dOp op,
                                                 TileBuilder &tb) {
  SmallVector<OperandTile> tiles = {tb.map(op.getX(), {0, 1, -1}),
                                    tb.map(op.getWeight(), {1, -1})};
  if (Value bias = op.getBias())
    tiles.push_back(tb.map(bias, {1}));
  if (Value s = op.getInitialState())
    tiles.push_back(tb.map(s, {0, 1, -1}));
  tiles.push_back(tb.map(op.getOutputs()[0], {0, 1, -1}));
  tiles.push_back(tb.map(op.getOutputs()[1], {0, 1, -1}));
  return tiles;
}

// moe: [T].
SmallVector<OpFoldResult> loopSizes(MoeOp op, OpBuilder &b) {
  return {dimOf(b, op.getLoc(), op.getX(), 0)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(MoeOp op, TileBuilder &tb) {
  SmallVector<OperandTile> tiles;
  for (OpOperand &operand : op->getOpOperands()) {
    // x and router_logits (the first two operands) and the destination are
    // per token; the weights are read whole. (By operand, not by value: one
    // value may be passed twice.)
    Value v = operand.get();
    if (operand.getOperandNumber() < 2 || op.isDpsInit(&operand))
      tiles.push_back(tb.map(v, {0, -1}));
    else
      tiles.push_back(tb.whole(v));
  }
  return tiles;
}

// moe_topk: [T].
SmallVector<OpFoldResult> loopSizes(MoeTopkOp op, OpBuilder &b) {
  return {dimOf(b, op.getLoc(), op.getRouterLogits(), 0)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(MoeTopkOp op,
                                                 TileBuilder &tb) {
  SmallVector<OperandTile> tiles = {tb.map(op.getRouterLogits(), {0, -1})};
  if (Value bias = op.getSelectionBias())
    tiles.push_back(tb.whole(bias));
  for (Value out : op.getOutputs())
    tiles.push_back(tb.map(out, {0, -1}));
  return tiles;
}

// moe_dispatch: no loops (routing is data-dependent).
SmallVector<OpFoldResult> loopSizes(MoeDispatchOp, OpBuilder &) { return {}; }

FailureOr<SmallVector<OperandTile>> operandTiles(MoeDispatchOp op,
                                                 TileBuilder &tb) {
  SmallVector<OperandTile> tiles;
  for (Value v : op->getOperands())
    tiles.push_back(tb.whole(v));
  return tiles;
}

// grouped_matmul: [N].
SmallVector<OpFoldResult> loopSizes(GroupedMatmulOp op, OpBuilder &b) {
  return {dimOf(b, op.getLoc(), op.getWeights(), 1)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(GroupedMatmulOp op,
                                                 TileBuilder &tb) {
  return SmallVector<OperandTile>{
      tb.map(op.getRows(), {-1, -1}), tb.map(op.getWeights(), {-1, 0, -1}),
      tb.map(op.getOffsets(), {-1}), tb.map(op.getOutputs()[0], {-1, 0})};
}

// moe_combine: [Hd].
SmallVector<OpFoldResult> loopSizes(MoeCombineOp op, OpBuilder &b) {
  return {dimOf(b, op.getLoc(), op.getExpertOut(), 1)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(MoeCombineOp op,
                                                 TileBuilder &tb) {
  return SmallVector<OperandTile>{
      tb.map(op.getExpertOut(), {-1, 0}), tb.map(op.getSources(), {-1}),
      tb.map(op.getWeights(), {-1, -1}), tb.map(op.getOutputs()[0], {-1, 0})};
}

// rms_norm: every dim but the last.
SmallVector<OpFoldResult> loopSizes(RmsNormOp op, OpBuilder &b) {
  int64_t r = cast<ShapedType>(op.getX().getType()).getRank();
  SmallVector<OpFoldResult> s;
  for (int64_t d = 0; d + 1 < r; ++d)
    s.push_back(dimOf(b, op.getLoc(), op.getX(), d));
  return s;
}

FailureOr<SmallVector<OperandTile>> operandTiles(RmsNormOp op,
                                                 TileBuilder &tb) {
  int64_t r = cast<ShapedType>(op.getX().getType()).getRank();
  SmallVector<int64_t> rowMap = llvm::to_vector(llvm::seq<int64_t>(0, r - 1));
  rowMap.push_back(-1);
  SmallVector<OperandTile> tiles = {tb.map(op.getX(), rowMap),
                                    tb.map(op.getWeight(), {-1})};
  if (Value z = op.getZ())
    tiles.push_back(tb.map(z, rowMap));
  tiles.push_back(tb.map(op.getOutputs()[0], rowMap));
  return tiles;
}

// rotary: [B, H, S].
SmallVector<OpFoldResult> loopSizes(RotaryOp op, OpBuilder &b) {
  Location loc = op.getLoc();
  return {dimOf(b, loc, op.getX(), 0), dimOf(b, loc, op.getX(), 1),
          dimOf(b, loc, op.getX(), 2)};
}

FailureOr<SmallVector<OperandTile>> operandTiles(RotaryOp op,
                                                 TileBuilder &tb) {
  // cos/sin [B or 1, S, R/2]: the batch broadcasts or follows loop 0.
  auto csTile = [&](Value t) {
    OperandTile r = tb.map(t, {-1, 2, -1});
    std::tie(r.offsets[0], r.sizes[0]) = tb.broadcastTile(t, 0, 0);
    return r;
  };
  return SmallVector<OperandTile>{tb.map(op.getX(), {0, 1, 2, -1}),
                                  csTile(op.getCos()), csTile(op.getSin()),
                                  tb.map(op.getOutputs()[0], {0, 1, 2, -1})};
}

/// The number of loops of each op's iteration domain (all parallel).
int64_t numLoops(AttentionOp) { return 3; }
int64_t numLoops(SsmScanOp) { return 3; }
int64_t numLoops(LinearAttentionOp) { return 3; }
int64_t numLoops(CausalConv1dOp) { return 2; }
int64_t numLoops(MoeOp) { return 1; }
int64_t numLoops(MoeTopkOp) { return 1; }
int64_t numLoops(MoeDispatchOp) { return 0; }
int64_t numLoops(GroupedMatmulOp) { return 1; }
int64_t numLoops(MoeCombineOp) { return 1; }
int64_t numLoops(RmsNormOp op) {
  return cast<ShapedType>(op.getX().getType()).getRank() - 1;
}
int64_t numLoops(RotaryOp) { return 3; }

/// For producer fusion: which loop of the iteration domain each dim of result
/// `n` follows (-1: the dim is produced whole by every tile, so a fused tile
/// must ask for all of it).
SmallVector<int64_t> resultLoops(AttentionOp, unsigned) { return {0, 1, 2, -1}; }
SmallVector<int64_t> resultLoops(SsmScanOp, unsigned n) {
  return n == 0 ? SmallVector<int64_t>{0, -1, 1, 2}
                : SmallVector<int64_t>{0, 1, 2, -1};
}
SmallVector<int64_t> resultLoops(LinearAttentionOp, unsigned n) {
  // The query heads of `o` are a multiple of the kv-head loop: taken whole.
  return n == 0 ? SmallVector<int64_t>{0, -1, -1, 2}
                : SmallVector<int64_t>{0, 1, -1, 2};
}
SmallVector<int64_t> resultLoops(CausalConv1dOp, unsigned) { return {0, 1, -1}; }
SmallVector<int64_t> resultLoops(MoeOp, unsigned) { return {0, -1}; }
SmallVector<int64_t> resultLoops(MoeTopkOp, unsigned) { return {0, -1}; }
SmallVector<int64_t> resultLoops(MoeDispatchOp op, unsigned n) {
  return SmallVector<int64_t>(
      cast<ShapedType>(op.getOutputs()[n].getType()).getRank(), -1);
}
SmallVector<int64_t> resultLoops(GroupedMatmulOp, unsigned) { return {-1, 0}; }
SmallVector<int64_t> resultLoops(MoeCombineOp, unsigned) { return {-1, 0}; }
SmallVector<int64_t> resultLoops(RmsNormOp op, unsigned) {
  int64_t r = cast<ShapedType>(op.getX().getType()).getRank();
  SmallVector<int64_t> loops = llvm::to_vector(llvm::seq<int64_t>(0, r - 1));
  loops.push_back(-1);
  return loops;
}
SmallVector<int64_t> resultLoops(RotaryOp, unsigned) { return {0, 1, 2, -1}; }

/// The iteration-domain tile that computes the tile (`offsets`, `sizes`) of
/// result `n`, or failure when no domain tile gives exactly that result tile.
template <typename OpTy>
FailureOr<std::pair<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>>>
domainTileForResult(OpTy op, OpBuilder &b, unsigned n,
                    ArrayRef<OpFoldResult> offsets,
                    ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> domain = loopSizes(op, b);
  SmallVector<OpFoldResult> iterOffsets(domain.size(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> iterSizes = domain;
  Value init = op.getOutputs()[n];
  for (auto [d, l] : llvm::enumerate(resultLoops(op, n))) {
    if (l >= 0) {
      iterOffsets[l] = offsets[d];
      iterSizes[l] = sizes[d];
      continue;
    }
    int64_t full = staticDim(init, d);
    if (!isConstantIntValue(offsets[d], 0) || ShapedType::isDynamic(full) ||
        !isConstantIntValue(sizes[d], full))
      return failure();
  }
  return std::make_pair(iterOffsets, iterSizes);
}

template <typename OpTy>
FailureOr<SmallVector<OperandTile>>
computeTiles(OpTy op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
             ArrayRef<OpFoldResult> sizes) {
  TileBuilder tb{b, op.getLoc(), offsets, sizes, loopSizes(op, b)};
  return operandTiles(op, tb);
}

} // namespace

//===----------------------------------------------------------------------===//
// Interface methods, the same for every op
//===----------------------------------------------------------------------===//

#define HYBRID_DEFINE_TILING_INTERFACE(OP)                                     \
  SmallVector<utils::IteratorType> OP::getLoopIteratorTypes() {                \
    return SmallVector<utils::IteratorType>(numLoops(*this),                   \
                                            utils::IteratorType::parallel);    \
  }                                                                            \
  SmallVector<Range> OP::getIterationDomain(OpBuilder &b) {                    \
    return domainOf(b, getLoc(), loopSizes(*this, b));                         \
  }                                                                            \
  FailureOr<TilingResult> OP::getTiledImplementation(                          \
      OpBuilder &b, ArrayRef<OpFoldResult> offsets,                            \
      ArrayRef<OpFoldResult> sizes) {                                          \
    FailureOr<SmallVector<OperandTile>> tiles =                                \
        computeTiles(*this, b, offsets, sizes);                                \
    if (failed(tiles))                                                         \
      return failure();                                                        \
    return buildTiledOp(getOperation(), b, *tiles);                            \
  }                                                                            \
  LogicalResult OP::getResultTilePosition(                                     \
      OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,     \
      ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,  \
      SmallVector<OpFoldResult> &resultSizes) {                                \
    FailureOr<SmallVector<OperandTile>> tiles =                                \
        computeTiles(*this, b, offsets, sizes);                                \
    if (failed(tiles))                                                         \
      return failure();                                                        \
    const OperandTile &t =                                                     \
        (*tiles)[getDpsInitOperand(resultNumber)->getOperandNumber()];         \
    resultOffsets = t.offsets;                                                 \
    resultSizes = t.sizes;                                                     \
    return success();                                                          \
  }                                                                            \
  FailureOr<TilingResult> OP::generateResultTileValue(                         \
      OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,     \
      ArrayRef<OpFoldResult> sizes) {                                          \
    auto domainTile =                                                          \
        domainTileForResult(*this, b, resultNumber, offsets, sizes);           \
    if (failed(domainTile))                                                    \
      return failure();                                                        \
    FailureOr<TilingResult> tiled =                                            \
        getTiledImplementation(b, domainTile->first, domainTile->second);      \
    if (failed(tiled))                                                         \
      return failure();                                                        \
    return TilingResult{tiled->tiledOps,                                       \
                        {tiled->tiledValues[resultNumber]},                    \
                        tiled->generatedSlices};                               \
  }                                                                            \
  LogicalResult OP::generateScalarImplementation(OpBuilder &b, Location loc,   \
                                                 ValueRange ivs) {             \
    return hybrid::detail::scalarImplementation(getOperation(), b, loc, ivs);          \
  }

HYBRID_DEFINE_TILING_INTERFACE(AttentionOp)
HYBRID_DEFINE_TILING_INTERFACE(SsmScanOp)
HYBRID_DEFINE_TILING_INTERFACE(LinearAttentionOp)
HYBRID_DEFINE_TILING_INTERFACE(CausalConv1dOp)
HYBRID_DEFINE_TILING_INTERFACE(MoeOp)
HYBRID_DEFINE_TILING_INTERFACE(MoeTopkOp)
HYBRID_DEFINE_TILING_INTERFACE(MoeDispatchOp)
HYBRID_DEFINE_TILING_INTERFACE(GroupedMatmulOp)
HYBRID_DEFINE_TILING_INTERFACE(MoeCombineOp)
HYBRID_DEFINE_TILING_INTERFACE(RmsNormOp)
HYBRID_DEFINE_TILING_INTERFACE(RotaryOp)

#undef HYBRID_DEFINE_TILING_INTERFACE
